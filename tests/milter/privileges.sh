#!/bin/bash
# tests/milter/privileges.sh - calmilter started as root drops to UserID and
# refuses to run on as root; socket permissions and umask follow SocketMode
# and UMask; its workers run as UserID too, sandboxed.
#
#   a  UserID none, UserID root, UserID calmilter:root: refused at start,
#      with a message, before the socket is made
#   b  UserID calmilter, a unix socket: the daemon and each worker run as
#      calmilter (real, effective and saved ids), the workers under seccomp;
#      the socket is calmilter's with mode SocketMode (0640 here), the pid
#      file has the mode UMask (0077 here) leaves
#   c  started as calmilter itself, UserID none is fine
#
# Run as root (make privileges). Environment: CALMILTER (build/calmilter).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
calmilter=${CALMILTER:-$top/build/calmilter}
user=calmilter
failed=0
pid=

die() { echo "privileges: $*" >&2; exit 2; }
fail() { echo "FAIL: $*"; failed=1; }
pass() { echo "PASS $*"; }

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$calmilter" ] || die "missing $calmilter (make all)"
getent passwd "$user" >/dev/null ||
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$user" || die "cannot create $user"
uid=$(id -u "$user")

tmp=$(mktemp -d)
chmod 755 "$tmp"
stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}
trap 'stop; rm -rf "$tmp"' EXIT INT TERM

# conf FILE LINES... - a configuration with Syslog off and LINES
conf() {
	local f=$1
	shift
	printf 'Syslog no\nLogLevel info\n' >"$f"
	printf '%s\n' "$@" >>"$f"
}

# a: refused
refused() {
	local tag=$1
	shift
	conf "$tmp/$tag.conf" "Socket unix:$tmp/$tag.sock" "$@"
	if timeout 20 "$calmilter" -f -c "$tmp/$tag.conf" >"$tmp/$tag.log" 2>&1
	then
		fail "$tag: calmilter ran as root"
	elif ! grep -q "refusing to run as root" "$tmp/$tag.log"; then
		fail "$tag: no refusal in: $(cat "$tmp/$tag.log")"
	elif [ -e "$tmp/$tag.sock" ]; then
		fail "$tag: refused only after opening its socket"
	else
		pass "$tag ($(grep -o 'refusing to run as root.*' "$tmp/$tag.log"))"
	fi
}
refused a-none "UserID none"
refused a-root "UserID root"
refused a-gid0 "UserID $user:root"

# ids PID - "real effective saved fs" uids of a process
ids() { awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$1/status"; }

# b: dropped, with the socket and pid file as configured
conf "$tmp/b.conf" "Socket unix:$tmp/b.sock" "UserID $user" \
    "SocketMode 0640" "UMask 0077" "PidFile $tmp/b.pid"
"$calmilter" -f -c "$tmp/b.conf" >"$tmp/b.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -S "$tmp/b.sock" ] && [ -s "$tmp/b.pid" ] &&
	    grep -q "starting on" "$tmp/b.log" && break
	sleep 0.1
done
why=()
[ "$(ids "$pid")" = "$uid $uid $uid $uid" ] ||
	why+=("daemon ids $(ids "$pid"), want $uid")
workers=$(pgrep -P "$pid")
[ "$(echo "$workers" | grep -c .)" = 2 ] || why+=("workers: '$workers'")
for w in $workers; do
	[ "$(ids "$w")" = "$uid $uid $uid $uid" ] ||
		why+=("worker $w ids $(ids "$w")")
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$w/status" ||
		why+=("worker $w not under seccomp")
done
[ "$(stat -c '%a %U' "$tmp/b.sock" 2>&1)" = "640 $user" ] ||
	why+=("socket: $(stat -c '%a %U' "$tmp/b.sock" 2>&1), want 640 $user")
[ "$(stat -c '%a' "$tmp/b.pid" 2>&1)" = 600 ] ||
	why+=("pid file mode $(stat -c '%a' "$tmp/b.pid" 2>&1), want 600")
stop
if [ ${#why[@]} -gt 0 ]; then
	fail "b-dropped: ${why[*]}; log: $(cat "$tmp/b.log")"
else
	pass "b-dropped (daemon and workers uid $uid; socket 640 $user; pid file 600)"
fi

# c: an unprivileged start needs no UserID
mkdir "$tmp/c" && chown "$user" "$tmp/c"
conf "$tmp/c.conf" "Socket unix:$tmp/c/c.sock" "UserID none"
setpriv --reuid="$uid" --regid="$(id -g "$user")" --clear-groups \
    "$calmilter" -f -c "$tmp/c.conf" >"$tmp/c.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "starting on" "$tmp/c.log" && break
	sleep 0.1
done
if grep -q "starting on" "$tmp/c.log" && kill -0 "$pid" 2>/dev/null; then
	pass "c-unprivileged"
else
	fail "c-unprivileged: $(cat "$tmp/c.log")"
fi
stop

[ "$failed" = 0 ] && echo "privileges: all passed"
exit "$failed"
