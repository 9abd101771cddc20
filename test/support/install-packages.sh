#!/usr/bin/env bash
# Installs the Debian packages the tests run for real: Dovecot (IMAP, LMTP), Postfix,
# isync (mbsync, a second real mail client), Chromium and dnsmasq (a local DNS server
# for provider discovery; dnsmasq-base is the binary alone, no system service), and unpacks
# Courier IMAP into a folder of its own. Idempotent: does nothing when all are present. Never installs another IMAP server: Debian's IMAP servers
# conflict, and installing e.g. cyrus-imapd would remove dovecot-imapd.
set -euo pipefail

# (openssl, for the TLS test certificate, comes with dovecot-core.)
# postgresql: the server binaries for a cluster of the tests' own (test/support/private-postgres.ts), which the
# fault tests restart; the shared test database may run elsewhere (a CI service).
PACKAGES=(dovecot-imapd dovecot-lmtpd postfix isync chromium dnsmasq-base postgresql)
NEEDED=(/usr/sbin/dovecot /usr/bin/doveadm /usr/lib/dovecot/imap /usr/lib/dovecot/lmtp
        /usr/sbin/postfix /usr/bin/mbsync /usr/bin/chromium /usr/bin/openssl /usr/sbin/dnsmasq)

# Courier IMAP, for the tests of a server without CONDSTORE, MOVE or SPECIAL-USE: only
# unpacked (apt-get download + dpkg -x), never installed, as it conflicts with Dovecot.
COURIER_DIR=${TANDEM_COURIER_DIR:-/opt/tandem-test/courier-imap}
COURIER_PACKAGES=(courier-imap courier-authlib libcourier-unicode4 libgamin0 gamin libidn12)

unpack_courier() {
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q "${COURIER_PACKAGES[@]}")
  mkdir -p "$COURIER_DIR"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$COURIER_DIR"; done
  rm -rf "$tmp"
}

missing=()
for file in "${NEEDED[@]}"; do
  [[ -x "$file" ]] || missing+=("$file")
done
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' > /dev/null || missing+=('/usr/lib/postgresql/*/bin/pg_ctl')
courier_missing=false
[[ -x $COURIER_DIR/usr/bin/imapd ]] || courier_missing=true
[[ ${#missing[@]} -eq 0 && $courier_missing == false ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  [[ ${#missing[@]} -eq 0 ]] || echo "Missing ${missing[*]}: as root, run: apt-get install -y ${PACKAGES[*]}" >&2
  [[ $courier_missing == false ]] || echo "Missing Courier IMAP in $COURIER_DIR: run this script as root" >&2
  exit 1
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  unpack_courier || { apt-get update -q && unpack_courier; }
  echo "unpacked ${COURIER_PACKAGES[*]} into $COURIER_DIR"
  exit 0
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
if [[ $courier_missing == true ]]; then
  unpack_courier
  echo "unpacked ${COURIER_PACKAGES[*]} into $COURIER_DIR"
fi
echo "installed ${PACKAGES[*]}"
