#!/usr/bin/env bash
# CI: builds the Debian package, installs it with dpkg on this machine, runs the installed atmo,
# verifies the unit, then removes and purges it and checks nothing is left but the atmo user
# (Debian policy keeps system users). Needs root (CI machines run as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root for dpkg -i"
dpkg -s atmo >/dev/null 2>&1 && fail "atmo is installed already; this test would remove it"
scripts/package
deb=$(ls build-deb/atmo_*.deb)
dpkg -i "$deb" || { apt-get install -y -qq -f >/dev/null; dpkg -s atmo >/dev/null || fail "dpkg -i failed"; }
/usr/bin/atmo --version
( cd / && /usr/bin/atmo config check /etc/atmo/venue.yaml ) || fail "installed venue does not check"
getent passwd atmo >/dev/null || fail "no atmo user"
[ "$(stat -c %U /var/lib/atmo)" = atmo ] || fail "/var/lib/atmo not owned by atmo"
dpkg-query --control-show atmo conffiles | grep -qx '/etc/atmo/venue.yaml' || fail "venue.yaml is not a conffile"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/atmo.service || fail "systemd-analyze verify"
fi
dpkg -r atmo
[ ! -e /usr/bin/atmo ] || fail "dpkg -r left /usr/bin/atmo"
[ ! -e /usr/share/atmo ] || fail "dpkg -r left /usr/share/atmo"
[ -f /etc/atmo/venue.yaml ] || fail "dpkg -r removed the conffile"
dpkg -P atmo
for p in /etc/atmo /var/lib/atmo /usr/share/atmo /usr/share/doc/atmo /usr/lib/systemd/system/atmo.service \
         /usr/lib/sysusers.d/atmo.conf /etc/systemd/system/multi-user.target.wants/atmo.service; do
  [ ! -e "$p" ] || fail "dpkg -P left $p"
done
dpkg -s atmo >/dev/null 2>&1 && fail "dpkg still knows atmo"
echo "PASS: $deb installs, checks its venue, removes and purges cleanly"
