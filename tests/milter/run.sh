#!/bin/bash
# tests/milter/run.sh - drive build/calmilter through miltertest
#
# Starts the daemon on a loopback port with a private configuration and
# runs every t-*.lua against it (pid: the daemon's, whose children are its
# workers). A script with a t-NAME.conf beside it gets
# a daemon of its own, with those lines added to the configuration. After
# each daemon stops, its log must hold, once, every line a script announces
# as "-- log: QID text" (checked as "QID: text"), every line announced as
# "-- exit-log: text" (logged at shutdown), and a clean exit.
#
#   tests/milter/run.sh [t-NAME.lua ...]
#   environment: CALMILTER_TEST_PORT (default: a free port chosen at
#   random, so that several checkouts can run their tests at once),
#   CALMILTER and CALNORM (build/calmilter and build/calnorm by default)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
calmilter=${CALMILTER:-$top/build/calmilter}
calnorm=${CALNORM:-$top/build/calnorm}
here=$top/tests/milter
# free_port - a loopback port nothing listens on, from a random base
free_port() {
	p=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
		p=$((p + 1))
	done
	echo "$p"
}
port=${CALMILTER_TEST_PORT:-$(free_port)}
# as root the daemon must drop to an unprivileged user (it refuses to run
# as root); as anybody else UserID is not used
user=calmilter
if [ "$(id -u)" = 0 ] && ! getent passwd "$user" >/dev/null; then
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$user" || exit 1
fi
tmp=$(mktemp -d)
pid=
failed=0

trap 'stop; rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	failed=1
}

# start [EXTRA_CONF] - a daemon on $port, logging to $tmp/log
start() {
	{
		printf 'Socket inet:%s@127.0.0.1\nSyslog no\n' "$port"
		printf 'LogLevel debug\nUserID %s\nMaxMessageSize 64K\n' "$user"
		if [ -n "${1:-}" ]; then cat "$1"; fi
	} >"$tmp/calmilter.conf"
	"$calmilter" -f -c "$tmp/calmilter.conf" >"$tmp/log" 2>&1 &
	pid=$!
}

# stop - SIGTERM, and wait: libmilter takes a few seconds to wind down
stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}

# check_log SCRIPT... - the lines the scripts announce, each exactly once
check_log() {
	grep -q 'calmilter: calmilter .* exiting' "$tmp/log" ||
	    fail "daemon did not exit cleanly"
	for t in "$@"; do
		sed -n 's/^-- log: \([^ ]*\) \(.*\)$/\1: \2/p' "$t" >"$tmp/want"
		while IFS= read -r want; do
			qid=${want%%:*}
			grep -qF "$want" "$tmp/log" ||
			    fail "$(basename "$t"): no log line \"$want\""
			n=$(grep -c "^calmilter: $qid: action=" "$tmp/log")
			[ "$n" = 1 ] ||
			    fail "$(basename "$t"): $n summary lines for $qid"
		done <"$tmp/want"
		sed -n 's/^-- exit-log: //p' "$t" >"$tmp/want"
		while IFS= read -r want; do
			grep -qF "$want" "$tmp/log" ||
			    fail "$(basename "$t"): no log line \"$want\""
		done <"$tmp/want"
	done
}

# run SCRIPT - one miltertest script against the running daemon
run() {
	echo "== $(basename "$1")"
	miltertest -D top="$top" -D port="$port" -D tmp="$tmp" \
	    -D calnorm="$calnorm" -D pid="$pid" -s "$1" ||
	    fail "$(basename "$1")"
}

# batch CONF SCRIPT... - one daemon for these scripts
batch() {
	conf=$1
	shift
	start "$conf"
	for t in "$@"; do run "$t"; done
	stop
	check_log "$@"
	if [ "$failed" = 1 ]; then sed 's/^/  log: /' "$tmp/log" >&2; fi
}

command -v miltertest >/dev/null || { echo "miltertest not installed" >&2; exit 1; }
for b in "$calmilter" "$calnorm"; do
	[ -x "$b" ] || { echo "$b missing: run make first" >&2; exit 1; }
done

if [ $# -eq 0 ]; then set -- "$here"/t-*.lua; fi
shared=
for t in "$@"; do
	case $t in /*) ;; *) t=$here/$(basename "$t") ;; esac
	conf=${t%.lua}.conf
	if [ -f "$conf" ]; then batch "$conf" "$t"; else shared="$shared $t"; fi
done
# shellcheck disable=SC2086
[ -z "$shared" ] || batch "" $shared
[ "$failed" = 0 ] && echo "milter tests: all passed"
exit "$failed"
