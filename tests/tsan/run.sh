#!/bin/bash
# tests/tsan/run.sh - the daemon's threads under ThreadSanitizer: a
# calmilter built with -fsanitize=thread (build-tsan/) serves CLIENTS
# miltertest clients at once (t-concurrent.lua: ROUNDS rounds each of a
# repaired invite, a plain message and an abandoned transaction, each on
# its own connection, so libmilter runs many session threads side by
# side). Passes when every client passed, every invite was logged as
# changed, the daemon exited cleanly and ThreadSanitizer reported nothing.
#
# Environment: CALMILTER (default build-tsan/calmilter), CALNORM (default
# build/calnorm), CLIENTS (8), ROUNDS (10).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
calmilter=${CALMILTER:-$top/build-tsan/calmilter}
calnorm=${CALNORM:-$top/build/calnorm}
clients=${CLIENTS:-8}
rounds=${ROUNDS:-10}
tmp=$(mktemp -d)
pid=
failed=0

stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}
trap 'stop; rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; failed=1; }

for b in "$calmilter" "$calnorm"; do
	[ -x "$b" ] || { echo "tsan: $b missing" >&2; exit 2; }
done
command -v miltertest >/dev/null || { echo "tsan: no miltertest" >&2; exit 2; }

port=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
getent passwd calmilter >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin calmilter
printf 'Socket inet:%s@127.0.0.1\nSyslog no\nLogLevel info\nUserID calmilter\n' \
    "$port" >"$tmp/calmilter.conf"

# the sanitizer's reports go to files of their own; setarch -R: clang 14's
# TSan cannot map its shadow under the kernel's full address randomization
TSAN_OPTIONS="log_path=$tmp/tsan exitcode=66 second_deadlock_stack=1 suppressions=$top/tests/tsan/tsan.supp external_symbolizer_path=/usr/lib/llvm-14/bin/llvm-symbolizer" \
    setarch "$(uname -m)" -R "$calmilter" -f -c "$tmp/calmilter.conf" \
    >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done

t0=$SECONDS
pids=()
for w in $(seq "$clients"); do
	mkdir -p "$tmp/w$w"
	cp "$tmp/calmilter.conf" "$tmp/w$w/"
	miltertest -D top="$top" -D port="$port" -D tmp="$tmp/w$w" \
	    -D calnorm="$calnorm" -D worker="$w" -D rounds="$rounds" \
	    -s "$top/tests/tsan/t-concurrent.lua" >"$tmp/w$w/out" 2>&1 &
	pids+=($!)
done
for w in $(seq "$clients"); do
	wait "${pids[w - 1]}" || fail "client $w: $(tail -n 3 "$tmp/w$w/out")"
done
stop
changed=$(grep -c 'action=changed' "$tmp/log")
[ "$changed" = $((clients * rounds)) ] ||
    fail "$changed invites logged as changed, want $((clients * rounds))"
grep -q 'calmilter: calmilter .* exiting' "$tmp/log" ||
    fail "daemon did not exit cleanly: $(tail -n 5 "$tmp/log")"
if ls "$tmp"/tsan.* >/dev/null 2>&1; then
	fail "ThreadSanitizer reported:"
	head -n 80 "$tmp"/tsan.* >&2
fi
if [ "$failed" = 0 ]; then
	echo "tsan: $clients clients x $rounds rounds at once, $((clients * rounds * 3)) transactions, no report, $((SECONDS - t0)) s"
else
	sed 's/^/  log: /' "$tmp/log" | tail -n 30 >&2
fi
exit "$failed"
