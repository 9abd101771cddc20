#!/usr/bin/env bash
# Installs the Debian packages the tests run for real: Dovecot (IMAP, LMTP), Postfix,
# isync (mbsync, a second real mail client), Chromium and dnsmasq (a local DNS server
# for provider discovery; dnsmasq-base is the binary alone, no system service). Idempotent: does nothing
# when all are present. Never installs another IMAP server: Debian's IMAP servers
# conflict, and installing e.g. cyrus-imapd would remove dovecot-imapd.
set -euo pipefail

# (openssl, for the TLS test certificate, comes with dovecot-core.)
PACKAGES=(dovecot-imapd dovecot-lmtpd postfix isync chromium dnsmasq-base)
NEEDED=(/usr/sbin/dovecot /usr/bin/doveadm /usr/lib/dovecot/imap /usr/lib/dovecot/lmtp
        /usr/sbin/postfix /usr/bin/mbsync /usr/bin/chromium /usr/bin/openssl /usr/sbin/dnsmasq)

missing=()
for file in "${NEEDED[@]}"; do
  [[ -x "$file" ]] || missing+=("$file")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "Missing ${missing[*]}: as root, run: apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix's installer would ask how to configure the system mailer: it needs none,
# tests write their own config.
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

# Keep the packages' maintainer scripts from starting the system-wide daemons: a
# policy-rc.d that says "no" (exit 101), unless the machine already has one.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

install() { apt-get install -y -q "${PACKAGES[@]}"; }
if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null || ! install; then
  apt-get update -q
  install
fi

# In case a daemon was started anyway (no policy-rc.d effect), stop it: tests run
# private instances and nothing should listen on the standard mail ports.
if [[ -s /run/dovecot/master.pid ]] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
  doveadm stop || kill "$(cat /run/dovecot/master.pid)" || true
fi
if [[ -s /var/spool/postfix/pid/master.pid ]] && kill -0 "$(cat /var/spool/postfix/pid/master.pid)" 2>/dev/null; then
  kill "$(cat /var/spool/postfix/pid/master.pid)" || true
fi
echo "installed ${PACKAGES[*]}"
