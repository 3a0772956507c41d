#!/bin/bash
# tests/bench/e2e.sh - make bench, parts 3 and 4: calmilter end to end
# through a real Postfix (tests/lib/postfix.sh), against no milter at all.
#
#   smtp-source (BENCH_SESSIONS parallel sessions, one message each)
#       --> bare (Postfix, no milter)      --SMTP--> smtp-sink
#       --> milt (Postfix + calmilter)     --SMTP--> smtp-sink
#
# Part 3: rounds of BENCH_MSGS messages, bare and milt alternating (A B A B
# ..., BENCH_ROUNDS each), first with a plain text mail, then with an invite
# calmilter repairs (tests/fixtures/e2e/broken-invite.eml). A round lasts
# from smtp-source's start until the instance has relayed all its messages
# to smtp-sink (status=sent in its log). Printed: msg/s (medians), the ratio
# milt / bare, calmilter's CPU seconds per 1,000 messages (utime + stime of
# the daemon and its workers, children reaped included, from /proc/PID/stat)
# and its peak RSS (the sum of VmHWM over the daemon and its workers, reset
# before each round through /proc/PID/clear_refs).
#
# Part 4: memory. BENCH_SESSIONS sessions at once, each sending one message
# of BENCH_MEM_MB MB (an invite beside a base64 attachment): peak RSS, and
# how it grows with the message size and with the number of sessions.
#
# Run as root. Environment: BENCH_MSGS (2000), BENCH_ROUNDS (3),
# BENCH_SESSIONS (32), BENCH_MEM_MB (5), BENCH_KINDS ("plain invite"),
# BENCH_MEMORY (1; 0 skips part 4), BENCH_TINY=1 (make check: a few
# messages, one round, small memory runs), BENCH_KEEP=1, CALMILTER.
# Never fails on timing; exits non-zero only when mail does not arrive.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CALMILTER=${CALMILTER:-$ROOT/build/calmilter}
TINY=${BENCH_TINY:-0}
if [[ $TINY == 1 ]]; then
	N=${BENCH_MSGS:-40} ROUNDS=${BENCH_ROUNDS:-1}
	SESS=${BENCH_SESSIONS:-4} MEM_MB=${BENCH_MEM_MB:-1}
else
	N=${BENCH_MSGS:-2000} ROUNDS=${BENCH_ROUNDS:-3}
	SESS=${BENCH_SESSIONS:-32} MEM_MB=${BENCH_MEM_MB:-5}
fi
KEEP=${BENCH_KEEP:-0}
KINDS=${BENCH_KINDS:-plain invite}
MEMORY=${BENCH_MEMORY:-1}
HZ=$(getconf CLK_TCK)
export LC_ALL=C

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }

[[ $(id -u) == 0 ]] || die "run as root (private Postfix instances need it)"
for c in postfix postconf smtp-sink smtp-source; do
	command -v "$c" >/dev/null || die "missing $c"
done
[[ -x $CALMILTER ]] || die "missing $CALMILTER (make all)"

T=$(mktemp -d /tmp/calmilter-bench.XXXXXX)
chmod 755 "$T"
# shellcheck source=../lib/postfix.sh
. "$ROOT/tests/lib/postfix.sh"
SINK_PID="" MILTER_PID=""
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	[[ -n $MILTER_PID ]] && pf_stop_pid "$MILTER_PID"
	pf_stop_all
	[[ -n $SINK_PID ]] && pf_stop_pid "$SINK_PID"
	if ((rc != 0)) || [[ $KEEP == 1 ]]; then say "bench: kept $T"
	else rm -rf "$T"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- messages (LF lines: smtp-source sends each line with CRLF) ----------------
printf 'From: Alice <alice@sender.test>\nTo: bob@example.net\nSubject: plain\nDate: Tue, 14 May 2024 09:30:00 +0200\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n' >"$T/plain.eml"
for i in $(seq 1 25); do
	echo "Line $i of a plain text mail of about two kilobytes, nothing more."
done >>"$T/plain.eml"
tr -d '\r' <"$ROOT/tests/fixtures/e2e/broken-invite.eml" >"$T/invite.eml"
# big MB: the invite's headers; a base64 attachment of MB MB beside the
# invite's own multipart/alternative
big() {
	local f=$T/big-$1.eml
	awk '/^$/ { exit }
	    /^[ \t]/ { if (!ct) print; next }
	    { ct = tolower($0) ~ /^content-type:/; if (!ct) print }' \
	    "$T/invite.eml" >"$f"
	printf 'Content-Type: multipart/mixed; boundary="outer"\n\n--outer\nContent-Type: application/pdf; name="big.pdf"\nContent-Transfer-Encoding: base64\n\n' >>"$f"
	head -c $(($1 * 1024 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 >>"$f"
	printf '\n--outer\n' >>"$f"
	awk 'body { print; next }
	    /^$/ { body = 1; print; next }
	    /^[ \t]/ { if (ct) print; next }
	    { ct = tolower($0) ~ /^content-type:/; if (ct) print }' \
	    "$T/invite.eml" >>"$f"
	printf '\n--outer--\n' >>"$f"
}

# ---- the MTAs and calmilter --------------------------------------------------------
pf_pick_ports 4
SINK_PORT=${PORTS[0]} BARE_PORT=${PORTS[1]} MILT_PORT=${PORTS[2]} MILTER_PORT=${PORTS[3]}
smtp-sink -u postfix -h sink.test "127.0.0.1:$SINK_PORT" 256 >"$T/sink.log" 2>&1 &
SINK_PID=$!
pf_wait_for 10 pf_listening "$SINK_PORT" || die "smtp-sink did not start"
common="default_process_limit = 150
default_destination_concurrency_limit = 64
initial_destination_concurrency = 64
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
message_size_limit = 52428800"
pf_make_instance bare bare.test "$BARE_PORT" "$SINK_PORT" "$common"
pf_make_instance milt milt.test "$MILT_PORT" "$SINK_PORT" "$common
smtpd_milters = inet:127.0.0.1:$MILTER_PORT
milter_default_action = tempfail
milter_protocol = 6"
pf_start_instances bare "$BARE_PORT" milt "$MILT_PORT"
getent passwd calmilter >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin calmilter
cat >"$T/calmilter.conf" <<EOF
Socket inet:$MILTER_PORT@127.0.0.1
UserID calmilter
Syslog no
LogLevel info
EOF
"$CALMILTER" -f -c "$T/calmilter.conf" </dev/null >"$T/calmilter.log" 2>&1 &
MILTER_PID=$!
pf_wait_for 15 pf_listening "$MILTER_PORT" || die "calmilter did not start"
sleep 1

# ---- measuring ------------------------------------------------------------------------
service_pids() {
	local todo=("$MILTER_PID") p c
	while ((${#todo[@]})); do
		p=${todo[0]} todo=("${todo[@]:1}")
		pf_alive "$p" || continue
		echo "$p"
		for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do todo+=("$c"); done
	done
}
# cpu_ticks: utime + stime + cutime + cstime of the service
cpu_ticks() {
	local s=0 p
	for p in $(service_pids); do
		s=$((s + $(sed 's/.*) //' /proc/"$p"/stat | awk '{ print $12 + $13 + $14 + $15 }')))
	done
	echo "$s"
}
# minflt: minor page faults of the service
minflt() {
	local s=0 p
	for p in $(service_pids); do
		s=$((s + $(sed 's/.*) //' /proc/"$p"/stat | awk '{ print $8 + $9 }')))
	done
	echo "$s"
}
peak_reset() { local p; for p in $(service_pids); do echo 5 >/proc/"$p"/clear_refs; done; }
peak_kb() {
	local s=0 p
	for p in $(service_pids); do
		s=$((s + $(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status)))
	done
	echo "$s"
}
now() { date +%s.%N; }
sent() { grep -c 'status=sent' "$T/$1/maillog" || true; }

# round INSTANCE PORT FILE COUNT SESSIONS: prints "seconds cpu_ticks peak_kb"
round() {
	local inst=$1 port=$2 file=$3 n=$4 s=$5 base t0 c0 t1 c1 f0
	base=$(sent "$inst")
	peak_reset
	f0=$(minflt) c0=$(cpu_ticks) t0=$(now)
	smtp-source -s "$s" -m "$n" -f sender@bench.test -t rcpt@example.net \
	    -M client.test -F "$file" "127.0.0.1:$port" >>"$T/source.log" 2>&1 ||
	    die "smtp-source failed (see $T/source.log)"
	local end=$((SECONDS + 120 + n / 5))
	while (($(sent "$inst") < base + n)); do
		((SECONDS < end)) ||
		    die "$inst: only $(($(sent "$inst") - base)) of $n relayed"
		sleep 0.02
	done
	t1=$(now) c1=$(cpu_ticks)
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $((c1 - c0)) $(peak_kb) $(($(minflt) - f0))"
}
med() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- part 3 ---------------------------------------------------------------------------------
say ""
say "3. end to end: smtp-source, $SESS sessions (one message each), $N messages per round,"
say "   bare Postfix and Postfix + calmilter alternating, $ROUNDS rounds each, medians"
printf '  %-8s %12s %12s %7s %16s %14s\n' mail "bare msg/s" "milter msg/s" ratio \
    "CPU s/1000 msgs" "peak RSS MB"
: >"$T/rss"
for kind in $KINDS; do
	: >"$T/bare.$kind" ; : >"$T/milt.$kind"
	round bare "$BARE_PORT" "$T/$kind.eml" "$SESS" "$SESS" >/dev/null # warm-up
	round milt "$MILT_PORT" "$T/$kind.eml" "$SESS" "$SESS" >/dev/null
	for ((r = 0; r < ROUNDS; r++)); do
		round bare "$BARE_PORT" "$T/$kind.eml" "$N" "$SESS" >>"$T/bare.$kind"
		round milt "$MILT_PORT" "$T/$kind.eml" "$N" "$SESS" >>"$T/milt.$kind"
	done
	b=$(awk -v n="$N" '{ print n / $1 }' "$T/bare.$kind" | med)
	m=$(awk -v n="$N" '{ print n / $1 }' "$T/milt.$kind" | med)
	cpu=$(awk -v n="$N" -v hz="$HZ" '{ print $2 / hz * 1000 / n }' "$T/milt.$kind" | med)
	rss=$(awk '{ print $3 }' "$T/milt.$kind" | sort -n | tail -n 1)
	printf '  %-8s %12.0f %12.0f %7.3f %16.2f %14.1f\n' "$kind" "$b" "$m" \
	    "$(awk -v m="$m" -v b="$b" 'BEGIN { print m / b }')" "$cpu" \
	    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done
changed=$(grep -c 'action=changed' "$T/calmilter.log" || true)
say "  (calmilter changed $changed invites; $(service_pids | wc -l) processes: the daemon and its workers)"

((MEMORY)) || exit 0

# ---- part 4 -------------------------------------------------------------------------------------
say ""
say "4. memory: N sessions at once, each one message of M MB (an invite beside a base64"
say "   attachment), through Postfix + calmilter; peak RSS of the daemon and its workers"
printf '  %-10s %8s %14s %10s\n' sessions "MB each" "peak RSS MB" seconds
half=$(((MEM_MB + 1) / 2))
for run in "1 $MEM_MB" "$(((SESS + 3) / 4)) $MEM_MB" "$SESS 1" "$SESS $half" "$SESS $MEM_MB"; do
	set -- $run
	[[ -f $T/big-$2.eml ]] || big "$2"
	read -r secs _ kb < <(round milt "$MILT_PORT" "$T/big-$2.eml" "$1" "$1")
	printf '  %-10s %8s %14.1f %10.1f\n' "$1" "$2" \
	    "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$secs"
done
big_changed=$(grep -c 'action=changed.*size=[0-9]\{7,\}' "$T/calmilter.log" || true)
say "  (large invites changed by calmilter: $big_changed)"
