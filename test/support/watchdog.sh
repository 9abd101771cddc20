#!/usr/bin/env bash
# Stops a test's mail servers if the process that started them dies without calling
# stop() (killed by a timeout, Ctrl-C, a crash): the daemons would otherwise run on.
# Usage: watchdog.sh OWNER_PID DIR PIDFILE...   (stop() kills this watchdog first)
owner=$1 dir=$2
shift 2
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
for pidfile in "$@"; do
  [[ -s $pidfile ]] && kill "$(tr -d ' ' <"$pidfile")" 2>/dev/null
done
sleep 5 # let them exit before their files go
case $dir in /tmp/tandem-mail-*|"${TMPDIR:-/tmp}"/tandem-mail-*) rm -rf "$dir" ;; esac
