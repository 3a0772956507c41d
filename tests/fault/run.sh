#!/bin/bash
# tests/fault/run.sh - calmilter on bad days, between two private Postfix
# instances (tests/lib/postfix.sh):
#
#   sender (P0, Postfix, retries) --SMTP--> front (P1, Postfix + calmilter,
#       milter_default_action tempfail) --SMTP--> smtp-sink
#
# Every timeout is lowered so that the faults play out in seconds: P1's
# smtpd_timeout 5 s and milter_*_timeout 3/10/20 s, P0's backoff 2-4 s,
# calmilter's MtaTimeout 5 s and MaxMessageTime 5 s, one worker. Faults are
# made from outside, with signals, as an operator, the kernel or a crash
# would make them; nothing in calmilter knows it is being tested.
#
#   kill   calmilter killed with SIGKILL while it holds a message (its
#          worker stopped): P0 gets 4xx and queues it; the dead daemon's
#          worker ends by itself once it runs again; calmilter restarted,
#          the message arrives exactly once, repaired
#   term   SIGTERM with sessions open (ten invites in flight, the worker
#          stopped, then let go): calmilter winds down; restarted, all ten
#          arrive exactly once, distinct Message-IDs, both queues empty
#          within a bounded time
#   stall  a client that stalls mid-body at P1: after smtpd_timeout P1 ends
#          the session, and calmilter's thread and descriptors for it are
#          freed (counts back to the idle baseline)
#   crash  the worker crashes on a message (SIGABRT while it holds it): P1
#          tempfails (OnError tempfail), P0 retries, the retry passes as
#          poisoned: delivered exactly once, unchanged
#   hang   the worker hangs on a message: after MaxMessageTime the message
#          is delivered unchanged (a limit: no tempfail), the worker
#          replaced; the next message is repaired again
#
# Run as root (make fault). Environment: FAULT_KEEP=1 keeps the directory;
# CALMILTER (build/calmilter).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CALMILTER=${CALMILTER:-$ROOT/build/calmilter}
FIX=$ROOT/tests/fixtures/e2e
KEEP=${FAULT_KEEP:-0}
export LC_ALL=C

say() { printf '%s\n' "$*"; }
die() { printf 'fault: %s\n' "$*" >&2; exit 2; }

[[ $(id -u) == 0 ]] || die "run as root (private Postfix instances need it)"
for c in postfix postconf smtp-sink sendmail pgrep; do
	command -v "$c" >/dev/null || die "missing $c"
done
[[ -x $CALMILTER ]] || die "missing $CALMILTER (make all)"

T=$(mktemp -d /tmp/calmilter-fault.XXXXXX)
chmod 755 "$T"
# shellcheck source=../lib/postfix.sh
. "$ROOT/tests/lib/postfix.sh"
SINK_PID="" MILTER_PID="" FAILS=0 PASSES=0
cleanup() {
	local rc=$? p
	set +e
	trap - EXIT INT TERM
	if [[ -n $MILTER_PID ]]; then
		for p in $(pgrep -P "$MILTER_PID"); do kill -CONT "$p"; done
		pf_stop_pid "$MILTER_PID"
	fi
	pf_stop_all
	[[ -n $SINK_PID ]] && pf_stop_pid "$SINK_PID"
	if ((rc != 0 || FAILS != 0)) || [[ $KEEP == 1 ]]; then
		say "fault: kept $T"
		tail -n 30 "$T/calmilter.log" 2>/dev/null | sed 's/^/   log: /'
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass() { PASSES=$((PASSES + 1)); say "PASS $*"; }
fail() { FAILS=$((FAILS + 1)); say "FAIL $*"; }
T0=$SECONDS

# ---- the MTAs ---------------------------------------------------------------
pf_pick_ports 4
SINK_PORT=${PORTS[0]} P1_PORT=${PORTS[1]} P0_PORT=${PORTS[2]} MILTER_PORT=${PORTS[3]}
mkdir -p "$T/sink"
chown postfix "$T/sink"
smtp-sink -u postfix -h sink.test -d "$T/sink/msg." "127.0.0.1:$SINK_PORT" 64 \
    >"$T/sink.log" 2>&1 &
SINK_PID=$!
pf_wait_for 10 pf_listening "$SINK_PORT" || die "smtp-sink did not start"
pf_make_instance p1 front.test "$P1_PORT" "$SINK_PORT" "smtpd_milters = inet:127.0.0.1:$MILTER_PORT
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 3s
milter_command_timeout = 10s
milter_content_timeout = 20s"
postconf -c "$T/p1/etc" -e "smtpd_timeout = 5s"	# the lib's is 30 s
pf_settle "$T/p1/etc"
# no cached connections: a session into P1 ends with its message
pf_make_instance p0 sender.test "$P0_PORT" "$P1_PORT" \
    "smtp_connection_cache_on_demand = no"
pf_start_instances p1 "$P1_PORT" p0 "$P0_PORT"
P0=$T/p0/etc P1=$T/p1/etc

# ---- calmilter ------------------------------------------------------------------
getent passwd calmilter >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin calmilter
cat >"$T/calmilter.conf" <<EOF
Socket inet:$MILTER_PORT@127.0.0.1
UserID calmilter
Syslog no
LogLevel debug
OnError tempfail
Workers 1
MaxMessageTime 5
MtaTimeout 5
EOF
start_milter() {
	say "-- starting calmilter" >>"$T/calmilter.log"
	"$CALMILTER" -f -c "$T/calmilter.conf" </dev/null >>"$T/calmilter.log" 2>&1 &
	MILTER_PID=$!
	pf_wait_for 15 pf_listening "$MILTER_PORT" || die "calmilter did not start"
	sleep 0.5	# the worker gets ready
}
workers() { pgrep -P "$MILTER_PID" || true; }
# to_worker N: wait until calmilter has handed its Nth message to a worker
to_worker() {
	pf_wait_for 20 eval '[[ $(grep -c "bytes to a worker" "$T/calmilter.log") -ge '"$1"' ]]'
}
handed() { grep -c "bytes to a worker" "$T/calmilter.log" || true; }

# ---- messages ------------------------------------------------------------------------
RUN="$(date +%s).$$"
# msg TAG FIXTURE: a copy of FIXTURE with Message-ID <TAG-RUN@sender.test>
msg() {
	awk -v id="<$1-$RUN@sender.test>" '!done && tolower($0) ~ /^message-id:/ {
	    print "Message-ID: " id; done = 1; next } { print }' "$2" >"$T/$1.eml"
}
inject() {
	sendmail -C "$P0" -f sender@sender.test -i -- rcpt@example.net <"$T/$1.eml" ||
	    die "sendmail failed for $1"
}
sink_count() { grep -lF "<$1-$RUN@sender.test>" -r "$T/sink" 2>/dev/null | grep -c . || true; }
sink_file() { grep -lF "<$1-$RUN@sender.test>" -r "$T/sink" | head -n 1; }
queues_empty() { [[ $(pf_queue_count "$P0") == 0 && $(pf_queue_count "$P1") == 0 ]]; }
# once TAG: TAG arrived, exactly once, and both queues are empty
once() { [[ $(sink_count "$1") -ge 1 ]] && queues_empty; }
# repaired TAG: calmilter's own X-Calmilter (the fixture carries a forged one)
repaired() {
	grep -qi '^x-calmilter: normalized; rules=R-' <(pf_sink_message "$(sink_file "$1")")
}
# deferred_4xx TAG: P0 logged a 4xx deferral from P1 for TAG
deferred_4xx() {
	local qid
	qid=$(awk -v id="<$1-$RUN@sender.test>" '/cleanup.*message-id=/ && index($0, id) {
	    sub(/:$/, "", $6); print $6; exit }' "$T/p0/maillog")
	[[ -n $qid ]] && grep -F "$qid: " "$T/p0/maillog" |
	    grep -q 'status=deferred.*said: 4[0-9][0-9]'
}
# daemon_counts: descriptors and threads of the daemon process
daemon_counts() {
	printf '%s %s' "$(ls "/proc/$MILTER_PID/fd" | wc -l)" \
	    "$(awk '/^Threads:/ { print $2 }' "/proc/$MILTER_PID/status")"
}

start_milter

# ---- kill: SIGKILL with a message at eom -----------------------------------------
case_kill() {
	local why=() old ws w n
	msg kill "$FIX/broken-invite.eml"
	ws=$(workers)
	for w in $ws; do kill -STOP "$w"; done
	n=$(handed)
	inject kill
	to_worker $((n + 1)) || why+=("calmilter never got the message")
	old=$MILTER_PID
	kill -KILL "$old"
	wait "$old" 2>/dev/null || true
	MILTER_PID=""
	for w in $ws; do kill -CONT "$w"; done
	pf_wait_for 10 eval '! pf_alive '"${ws%% *}" ||
	    why+=("the killed daemon's worker $ws lives on")
	pf_wait_for 20 deferred_4xx kill || why+=("P0 got no 4xx for the message")
	[[ $(sink_count kill) == 0 ]] || why+=("delivered while calmilter was dead")
	start_milter
	if pf_wait_for 40 once kill; then
		[[ $(sink_count kill) == 1 ]] || why+=("delivered $(sink_count kill) times")
		repaired kill || why+=("not repaired by the restarted calmilter")
	else
		why+=("not delivered within 40 s of the restart")
	fi
	if ((${#why[@]})); then fail "kill: ${why[*]}"
	else pass "kill (4xx, queued by P0, delivered once and repaired after the restart)"; fi
}

# ---- term: SIGTERM with sessions open ---------------------------------------------
case_term() {
	local why=() ws w i n t0 missing=0 dup=0 c
	ws=$(workers)
	for w in $ws; do kill -STOP "$w"; done
	n=$(handed)
	for i in $(seq 1 10); do
		msg "term$i" "$FIX/broken-invite.eml"
		inject "term$i"
	done
	to_worker $((n + 1)) || why+=("no message reached calmilter")
	sleep 2		# more sessions open, waiting for the worker
	kill -TERM "$MILTER_PID"
	for w in $ws; do kill -CONT "$w"; done
	t0=$SECONDS
	pf_wait_for 30 eval '! pf_alive '"$MILTER_PID" ||
	    why+=("calmilter did not exit within 30 s of SIGTERM")
	wait "$MILTER_PID" 2>/dev/null || true
	say "   (calmilter exited $((SECONDS - t0)) s after SIGTERM)"
	MILTER_PID=""
	start_milter
	pf_wait_for 90 eval 'queues_empty && [[ $(find "$T/sink" -type f | wc -l) -ge 11 ]]' ||
	    why+=("queues not empty within 90 s: P0 $(pf_queue_count "$P0"), P1 $(pf_queue_count "$P1")")
	for i in $(seq 1 10); do
		c=$(sink_count "term$i")
		((c == 0)) && missing=$((missing + 1))
		((c > 1)) && dup=$((dup + 1))
	done
	((missing == 0)) || why+=("$missing of 10 missing")
	((dup == 0)) || why+=("$dup of 10 delivered more than once")
	if ((${#why[@]})); then fail "term: ${why[*]}"
	else pass "term (10 in flight, each delivered once, queues empty in $((SECONDS - t0)) s)"; fi
}

# ---- stall: a client silent in the middle of the body ------------------------------
smtp_line() { printf '%s\r\n' "$2" >&"$1"; }
case_stall() {
	local why=() base during after fd line
	pf_wait_for 20 queues_empty || true
	sleep 1
	base=$(daemon_counts)
	exec {fd}<>"/dev/tcp/127.0.0.1/$P1_PORT"
	IFS= read -r -t 10 -u "$fd" line
	for line in "EHLO client.test" "MAIL FROM:<s@sender.test>" \
	    "RCPT TO:<rcpt@example.net>" "DATA"; do
		smtp_line "$fd" "$line"
	done
	head -n 40 "$FIX/broken-invite.eml" | sed 's/$/\r/' >&"$fd"
	pf_wait_for 10 eval '[[ $(daemon_counts) != "'"$base"'" ]]' ||
	    why+=("calmilter never saw the session (counts $(daemon_counts))")
	during=$(daemon_counts)
	# silence: P1's smtpd_timeout is 5 s
	pf_wait_for 20 eval '[[ $(daemon_counts) == "'"$base"'" ]]' ||
	    why+=("fds/threads $(daemon_counts) after the timeout, $base idle")
	after=$(daemon_counts)
	exec {fd}>&-
	grep -q "timeout after DATA" "$T/p1/maillog" ||
	    why+=("P1 logged no timeout after DATA")
	if ((${#why[@]})); then fail "stall: ${why[*]}"
	else pass "stall (fds threads: idle $base, stalled $during, after P1's timeout $after)"; fi
}

# ---- crash: a worker dies on a message --------------------------------------------------
case_crash() {
	local why=() ws w n
	msg crash "$FIX/broken-invite.eml"
	ws=$(workers)
	for w in $ws; do kill -STOP "$w"; done
	n=$(handed)
	inject crash
	to_worker $((n + 1)) || why+=("calmilter never got the message")
	for w in $ws; do kill -ABRT "$w"; kill -CONT "$w"; done
	pf_wait_for 20 deferred_4xx crash || why+=("P0 got no 4xx for the message")
	pf_wait_for 40 once crash || why+=("not delivered within 40 s")
	[[ $(sink_count crash) == 1 ]] || why+=("delivered $(sink_count crash) times")
	repaired crash && why+=("repaired: the retry was parsed again")
	grep -q "action=tempfail .*reason=worker detail=\"worker 1 (pid [0-9]*) killed by signal 6 (ABRT); replaced\"" \
	    "$T/calmilter.log" || why+=("no log line for the crash")
	grep -q "reason=poisoned" "$T/calmilter.log" || why+=("no poisoned retry")
	if ((${#why[@]})); then fail "crash: ${why[*]}"
	else pass "crash (tempfailed, retried by P0, passed once as poisoned)"; fi
}

# ---- hang: a worker overruns MaxMessageTime ------------------------------------------------
case_hang() {
	local why=() ws w n
	msg hang "$FIX/broken-invite.eml"
	msg after "$FIX/broken-invite.eml"
	ws=$(workers)
	for w in $ws; do kill -STOP "$w"; done
	n=$(handed)
	inject hang
	pf_wait_for 30 once hang || why+=("not delivered within 30 s")
	[[ $(sink_count hang) == 1 ]] || why+=("delivered $(sink_count hang) times")
	repaired hang && why+=("repaired by a hung worker?")
	grep -q "action=unchanged .*reason=limit detail=\"MaxMessageTime (5 s): worker 1 (pid [0-9]*) killed and replaced\"" \
	    "$T/calmilter.log" || why+=("no log line for the time-out")
	deferred_4xx hang && why+=("tempfailed: a limit must not be")
	for w in $ws; do pf_alive "$w" && why+=("hung worker $w not killed"); done
	inject after
	pf_wait_for 30 once after || why+=("the next message was not delivered")
	repaired after || why+=("the next message was not repaired")
	if ((${#why[@]})); then fail "hang: ${why[*]}"
	else pass "hang (delivered unchanged after MaxMessageTime, worker replaced, next one repaired)"; fi
}

case_kill
case_term
case_stall
case_crash
case_hang
pf_alive "$MILTER_PID" || fail "calmilter exited during the test"

say "fault: $PASSES passed, $FAILS failed, $((SECONDS - T0)) s"
((FAILS == 0))
