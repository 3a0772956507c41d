#!/bin/bash
# tests/systemd/security.sh - the unit calmilter installs is valid and its
# sandboxing holds: `systemd-analyze verify` finds nothing to say, and the
# exposure score of `systemd-analyze security --offline=yes` stays under
# MAX (README prints the score). Needs no running systemd (package systemd
# provides systemd-analyze; it works in a chroot).
#
#   tests/systemd/security.sh [MAX]     MAX default 1.5 (0 best, 10 worst)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
max=${1:-1.5}
command -v systemd-analyze >/dev/null ||
	{ echo "systemd: systemd-analyze missing (apt-get install systemd)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit=$tmp/calmilter.service
# the unit exactly as make install writes it, pointing at this build
sed "s|@SBINDIR@|$top/build|g; s|@SYSCONFDIR@|/etc|g" \
    "$top/systemd/calmilter.service.in" >"$unit"
# verify runs man(1) on each Documentation= page: the ones of this tree
mkdir -p "$tmp/man/man8" "$tmp/man/man5"
cp "$top/milter/calmilter.8" "$tmp/man/man8/"
cp "$top/conf/calmilter.conf.5" "$tmp/man/man5/"
export MANPATH=$tmp/man
fail=0
if ! out=$(systemd-analyze verify "$unit" 2>&1) || [ -n "$out" ]; then
	echo "FAIL verify: $out"
	fail=1
fi
systemd-analyze security --offline=yes "$unit" >"$tmp/security" 2>&1
score=$(sed -n 's/.*Overall exposure level for calmilter.service: \([0-9.]*\).*/\1/p' \
    "$tmp/security")
if [ -z "$score" ]; then
	echo "FAIL security: no score:"
	cat "$tmp/security"
	fail=1
elif awk -v s="$score" -v m="$max" 'BEGIN { exit !(s < m) }'; then
	echo "PASS exposure level $score, under $max"
else
	echo "FAIL exposure level $score, want under $max:"
	grep '✗' "$tmp/security"
	fail=1
fi
exit $fail
