#!/bin/bash
# tests/e2e/sendmail.sh - calmilter end to end, through a real Sendmail 8.17.
#
#   sender (S0, Sendmail) --SMTP--> front (S1, Sendmail + calmilter) --SMTP--> smtp-sink
#
# The cases of tests/e2e/postfix.sh, with Sendmail hooked up as the README
# says (INPUT_MAIL_FILTER with F=T and its timeouts):
#   a  a broken invite arrives fixed, and identical to what build/calnorm
#      makes of the message calmilter saw; the text/plain part is untouched;
#      the forged X-Calmilter it carries is replaced by calmilter's own.
#      Sent again, the fixed message passes unchanged (idempotence).
#   b  a plain 8-bit message arrives byte-identical, without X-Calmilter
#   c  an S/MIME-signed invite arrives byte-identical, without X-Calmilter
#   d  with calmilter stopped, front answers 4xx at MAIL FROM and queues
#      nothing; a message sent through the retrying sender is deferred there
#      and arrives exactly once after calmilter is back
#
# Sendmail is not installed: Debian's sendmail packages conflict with
# postfix. `make sendmail-tree` unpacks sendmail-bin and sendmail-cf into
# build/sendmail/root; each instance gets its own sendmail.cf, built with m4
# from that tree's cf/ directory, and runs that tree's binary with -C. The
# system's mail set-up (/etc/mail, /var/spool/mqueue, port 25) is never
# touched. Everything else -- smtp-sink, the SMTP client, calmilter, the
# checks of cases a-c -- is tests/e2e/lib.sh, shared with postfix.sh.
#
# Run as root (make e2e-sendmail). Needs m4, libwrap0 (the binary links
# libwrap), smtp-sink (postfix), build/calmilter and build/calnorm.
#
# Environment:
#   SENDMAIL_TREE       the unpacked packages (default: build/sendmail)
#   E2E_KEEP=1          keep the temporary directory even when all passes
#   CALMILTER, CALNORM  binaries to test (default: build/ of this checkout)
#
# What a private Sendmail 8.17 (Debian 12) needs -- found by trying:
#   * `sendmail -C FILE` as root uses FILE with full privileges; -bd forks
#     the daemon (parent exits once it listens), -q2s runs the queue every
#     2 s, so the sender retries quickly. The daemon and its children chdir
#     to QUEUE_DIR, which is how their processes are found for the stop.
#   * OSTYPE(linux), not OSTYPE(debian): debian.m4 pulls in
#     /usr/share/sendmail/cf/debian/autoconf.m4 and /etc/mail paths of an
#     installed sendmail. ALIAS_FILE is set empty (no aliases database),
#     StatusFile and PidFile live in the instance directory.
#   * confDOMAIN_NAME gives $j without DNS; FEATURE(nocanonify) and
#     accept_unresolvable_domains keep addresses from being looked up;
#     SMART_HOST esmtp:[127.0.0.1] with every *_MAILER_ARGS "TCP $h PORT"
#     sends everything to the next hop's port; promiscuous_relay lets the
#     instances relay for 127.0.0.1; no_default_msa drops the port 587
#     listener; confTO_IDENT 0, or each message waits for an ident
#     time-out; confDONT_PROBE_INTERFACES avoids an interface scan.
#   * No syslog is needed (and none runs in a container): -X FILE writes
#     each instance's SMTP traffic, which is what the logs show on failure.
#   * Sendmail 8.17 rejects a bare CR in DATA ("421 4.5.0 Bare carriage
#     return (CR) not allowed", and closes the session); the fixtures have
#     none. With F=T and the filter unreachable, front answers 451 4.3.2 at
#     MAIL FROM.
#   * Sendmail does not show calmilter its own Received: header, nor a Date:
#     it adds to a message without one (Postfix shows the Date: it adds):
#     calmilter sees the message as sent, which is what calnorm is given.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SENDMAIL_TREE=${SENDMAIL_TREE:-$ROOT/build/sendmail}
SM_ROOT=$SENDMAIL_TREE/root
SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
SM_CF=$SM_ROOT/usr/share/sendmail/cf
e2e_init e2e-sendmail
[[ -x $SM_BIN && -r $SM_CF/m4/cf.m4 ]] ||
    die "no sendmail tree in $SENDMAIL_TREE (make sendmail-tree)"
command -v m4 >/dev/null || die "missing m4 (apt-get install m4)"
STARTED_INSTANCES=()
LOG_FILES=("$T/s1/trace" "$T/s0/trace" "${LOG_FILES[@]}" "$T/sendmail-ctl.log")

# instance_pids DIR: processes of the instance in DIR (they run in its queue)
instance_pids() {
	find /proc/[0-9]*/cwd -maxdepth 0 -lname "$1/queue" 2>/dev/null |
	    cut -d/ -f3
}

stop_instance() {
	local d=$1 pid
	pid=$(head -n 1 "$d/sendmail.pid" 2>/dev/null) || pid=""
	[[ -n $pid ]] && stop_pid "$pid"
	for pid in $(instance_pids "$d"); do
		stop_pid "$pid"
	done
}

# mta_stop: for lib.sh's cleanup
mta_stop() {
	local d
	for d in "${STARTED_INSTANCES[@]}"; do
		stop_instance "$d"
	done
}

# ---- start everything -----------------------------------------------------------

pick_ports 4
SINK_PORT=${PORTS[0]} S1_PORT=${PORTS[1]} S0_PORT=${PORTS[2]} MILTER_PORT=${PORTS[3]}
say "$E2E_NAME: dir $T; ports: sink $SINK_PORT, front $S1_PORT, sender $S0_PORT, milter $MILTER_PORT"

start_sink "$SINK_PORT"

# make_instance NAME HOSTNAME SMTP_PORT NEXTHOP_PORT [mc lines]: its
# sendmail.mc and sendmail.cf
make_instance() {
	local name=$1 host=$2 port=$3 next=$4 extra=${5:-} m
	local d=$T/$name
	mkdir -p "$d/queue"
	chmod 700 "$d/queue"
	{
		cat <<-EOF
		divert(-1)
		# private instance "$name" of the calmilter e2e test
		divert(0)dnl
		include(\`$SM_CF/m4/cf.m4')dnl
		VERSIONID(\`calmilter e2e $name')dnl
		OSTYPE(\`linux')dnl
		define(\`confDOMAIN_NAME', \`$host')dnl
		define(\`QUEUE_DIR', \`$d/queue')dnl
		define(\`confPID_FILE', \`$d/sendmail.pid')dnl
		define(\`STATUS_FILE', \`$d/sendmail.st')dnl
		define(\`ALIAS_FILE', \`')dnl
		define(\`confTO_IDENT', \`0')dnl
		define(\`confDONT_PROBE_INTERFACES', \`True')dnl
		define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl
		EOF
		for m in SMTP ESMTP SMTP8 DSMTP RELAY; do
			printf "define(\`%s_MAILER_ARGS', \`TCP \$h %s')dnl\n" "$m" "$next"
		done
		cat <<-EOF
		FEATURE(\`no_default_msa')dnl
		FEATURE(\`promiscuous_relay')dnl
		FEATURE(\`accept_unresolvable_domains')dnl
		FEATURE(\`nocanonify')dnl
		DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl
		$extra
		MAILER(\`local')dnl
		MAILER(\`smtp')dnl
		EOF
	} >"$d/sendmail.mc"
	# promiscuous_relay warns on stderr that this is an open relay: it is,
	# on 127.0.0.1, for the test's two instances
	m4 "$d/sendmail.mc" >"$d/sendmail.cf" 2>"$d/m4.err" ||
	    die "m4 failed for $name: $(cat "$d/m4.err")"
	grep -v 'promiscuous_relay\|relay.  Do NOT use it' "$d/m4.err" | grep -q . &&
	    die "m4 complains about $name's sendmail.mc: $(cat "$d/m4.err")"
	return 0
}

# sm_run HOSTNAME ARGS...: the sendmail binary under its own host name.
# Sendmail qualifies the node name before it reads sendmail.cf and, when it
# cannot (a container's "vm", a dotless name only in /etc/hosts), sleeps
# 60 s ("unqualified host name ... sleeping for retry") in every process.
# A UTS namespace of its own gives it a qualified one.
sm_run() {
	local host=$1
	shift
	unshare --uts /bin/sh -c 'hostname "$0" && exec "$@"' "$host" \
	    "$SM_BIN" "$@"
}

# start_instance NAME PORT HOSTNAME: the daemon with its queue runner; wait until
# it listens
start_instance() {
	local d=$T/$1
	STARTED_INSTANCES+=("$d")
	(cd "$d/queue" && sm_run "$3" -C "$d/sendmail.cf" -bd -q2s -X "$d/trace") \
	    >>"$T/sendmail-ctl.log" 2>&1 ||
	    die "sendmail $1 did not start (see $T/sendmail-ctl.log)"
	wait_for 15 port_listening "$2" ||
	    die "sendmail $1 not listening on $2 (see $T/sendmail-ctl.log)"
}

# the README's line, with the test's port
FILTER="INPUT_MAIL_FILTER(\`calmilter', \`S=inet:$MILTER_PORT@127.0.0.1, F=T, T=C:30s;S:30s;R:60s;E:5m')dnl"
make_instance s1 front.test "$S1_PORT" "$SINK_PORT" "$FILTER"
make_instance s0 sender.test "$S0_PORT" "$S1_PORT"
grep -qx 'Xcalmilter, S=inet:[0-9]*@127.0.0.1, F=T, T=C:30s;S:30s;R:60s;E:5m' \
    "$T/s1/sendmail.cf" || die "no calmilter filter in front's sendmail.cf"
say "$E2E_NAME: Sendmail $(sm_run front.test -C "$T/s1/sendmail.cf" -d0.1 -bt </dev/null 2>/dev/null |
    awk '/^Version/ { print $2; exit }')"
start_instance s1 "$S1_PORT" front.test
start_instance s0 "$S0_PORT" sender.test
S1=$T/s1
S0=$T/s0

# queue_count DIR: messages in an instance's queue (one qf file each)
queue_count() { find "$1/queue" -name 'qf*' -type f 2>/dev/null | wc -l; }
queues_empty() { [[ $(queue_count "$S0") == 0 && $(queue_count "$S1") == 0 ]]; }
front_queue_count() { queue_count "$S1"; }

milter_setup "$MILTER_PORT"
start_milter || die "calmilter did not start (see $T/calmilter.log:
$(tail -n 20 "$T/calmilter.log" 2>/dev/null))"

# ---- the cases --------------------------------------------------------------------

TAG_PREFIX=s
if deliver a-broken-invite "$FIX/broken-invite.eml" "$S1_PORT" &&
    check_fixed a-broken-invite; then
	deliver a-fixed-again "$T/a-broken-invite.got.eml" "$S1_PORT" &&
	    check_untouched a-fixed-again
fi
deliver b-plain "$FIX/plain.eml" "$S1_PORT" && check_untouched b-plain
deliver c-signed-invite "$FIX/signed-invite.eml" "$S1_PORT" &&
    check_untouched c-signed-invite
stop_milter

# d: the milter is down
case_d() {
	local tag=d-milter-down why=() id
	# d1: a direct session is refused with 4xx at MAIL FROM, nothing queued
	SENT=$T/$tag.direct.eml
	id=$(with_msgid "$FIX/broken-invite.eml" "$SENT" d-direct)
	if smtp_send "$S1_PORT" sender@sender.test rcpt@example.net "$SENT" \
	    "$T/$tag.direct.smtp.log"; then
		why+=("front accepted the message with calmilter down")
	elif [[ $SMTP_STAGE != MAIL || $SMTP_CODE != 4?? ]]; then
		why+=("front answered $SMTP_CODE at $SMTP_STAGE, want 4xx at MAIL")
	fi
	[[ $(queue_count "$S1") == 0 ]] ||
	    why+=("front queued something ($(queue_count "$S1") files)")
	[[ $(sink_count "$id") == 0 ]] || why+=("refused message reached the sink")
	if ((${#why[@]})); then
		local IFS=';'; fail "$tag-direct" "${why[*]}"
	else
		pass "$tag-direct (4xx at MAIL FROM: $(grep '^<< 4' "$T/$tag.direct.smtp.log" | head -n 1 | cut -c4-))"
	fi

	# d2: the same through the retrying sender
	why=()
	SENT=$T/$tag.retry.eml
	id=$(with_msgid "$FIX/broken-invite.eml" "$SENT" d-retry)
	if ! smtp_send "$S0_PORT" sender@sender.test rcpt@example.net "$SENT" \
	    "$T/$tag.retry.smtp.log"; then
		fail "$tag-retry" "sender refused the message: $SMTP_CODE at $SMTP_STAGE"
		return
	fi
	# the sender tried front, was told to come back later, and kept the
	# message: its queue file records the 4xx
	deferred_by_front() {
		grep -l "<$id>" "$S0"/queue/qf* 2>/dev/null |
		    xargs -r grep -l '^MDeferred: 4[0-9][0-9] ' >/dev/null 2>&1
	}
	if ! wait_for 20 deferred_by_front; then
		why+=("sender did not get a 4xx from front within 20 s")
	fi
	[[ $(queue_count "$S0") -ge 1 ]] || why+=("sender's queue is empty while front is refusing")
	[[ $(queue_count "$S1") == 0 ]] || why+=("front queued the refused message")
	sm_run sender.test -C "$S0/sendmail.cf" -bp >"$T/$tag.mailq" 2>&1 || true

	start_milter || why+=("calmilter did not restart")
	local t_back=$SECONDS
	if ! wait_for 30 eval '[[ $(sink_count "$id") -ge 1 ]]'; then
		why+=("not delivered within 30 s after the milter came back")
	else
		say "   (retried message arrived $((SECONDS - t_back)) s after the milter came back)"
		wait_for 20 queues_empty || why+=("queues not empty: sender $(queue_count "$S0"), front $(queue_count "$S1")")
		# a second queue run must not send it again
		sleep 3
		local c
		c=$(sink_count "$id")
		[[ $c == 1 ]] || why+=("delivered $c times, want exactly once")
		GOT=$T/$tag.retry.got.eml
		sink_message "$(sink_files "$id" | head -n 1)" >"$GOT"
		grep -qi '^x-calmilter: normalized' <(headers "$GOT") ||
		    why+=("the retried invite was not normalized by calmilter")
	fi
	if ((${#why[@]})); then
		local IFS=';'; fail "$tag-retry" "${why[*]}"
	else
		pass "$tag-retry (deferred by sender: $(grep -o '4[0-9][0-9] [0-9.]* [^)]*' "$T/$tag.mailq" | head -n 1); delivered exactly once, queues empty)"
	fi
}
case_d
stop_milter	# also notices a crash of the restarted one

e2e_summary
