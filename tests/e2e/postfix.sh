#!/bin/bash
# tests/e2e/postfix.sh - calmilter end to end, through a real Postfix.
#
#   sender (P0, Postfix) --SMTP--> front (P1, Postfix + calmilter) --SMTP--> smtp-sink
#
# Everything runs privately on 127.0.0.1 out of one temporary directory: two
# Postfix instances with their own config, queue and data directories, one
# smtp-sink that writes every transaction to its own file, and build/calmilter.
# The system Postfix instance (/etc/postfix, /var/spool/postfix) is never
# read, written, started or stopped. What does not depend on Postfix (sink,
# SMTP client, calmilter, the checks of cases a-c) is in tests/e2e/lib.sh,
# shared with tests/e2e/sendmail.sh.
#
# Cases:
#   a  a broken invite arrives fixed, and identical to what build/calnorm
#      makes of the message calmilter saw; the text/plain part is untouched;
#      the forged X-Calmilter it carries is replaced by calmilter's own.
#      Sent again, the fixed message passes unchanged (idempotence).
#   b  a plain 8-bit message arrives byte-identical, without X-Calmilter
#   c  an S/MIME-signed invite arrives byte-identical, without X-Calmilter
#   d  with calmilter stopped, front answers 4xx at MAIL FROM and queues
#      nothing; a message sent through the retrying sender arrives exactly
#      once after calmilter is back
#   e  an invitation sent only as an attachment (R-MIME-4) arrives with an
#      inline text/calendar copy of it, next to the text body in a new
#      multipart/alternative; every header but the trace, the preamble, the
#      epilogue, the text part and the attachment arrive byte-identical;
#      the same as a message of its own, which becomes multipart/mixed with
#      its Content-* headers moved, byte for byte, into the attachment's part
#   f  the broken invite sent to a domain outside ScopeDomains (example.net
#      here; every other case writes to rcpt@example.net) arrives
#      byte-identical, let go at DATA
#
# Run as root (make e2e). Needs postfix (postfix, postconf, smtp-sink) and
# build/calmilter + build/calnorm. Exit 0 when every case passes.
#
# Environment:
#   E2E_KEEP=1          keep the temporary directory even when all passes
#   E2E_HARNESS_ONLY=1  test the harness without calmilter: front has no
#                       milter for the plain message, an unreachable one for
#                       the first half of case d, none again to release the
#                       retried message (no daemon, no calnorm needed)
#   CALMILTER, CALNORM  binaries to test (default: build/ of this checkout)
#
# What a private Postfix 3.7 (Debian 12) needs -- found by trying:
#   * `postfix -c DIR` works for any DIR when run as root. The check against
#     alternate_config_directories / multi_instance_directories in the
#     default main.cf applies only to unprivileged users of the set-gid
#     commands (postqueue, postdrop), so /etc/postfix/main.cf need not exist
#     ("No configuration" install) and is never consulted. postmulti is not
#     needed either. Every command gets -c DIR; its children inherit
#     MAIL_CONFIG=DIR from it.
#   * queue_directory must exist before `postfix start` (it chdirs there
#     first); start then creates the queue subdirectories and data_directory
#     with the right owners (postfix, postdrop) through postfix-script
#     check-fatal -> post-install create-missing. meta_directory stays at
#     /etc/postfix (postfix-files, dynamicmaps.cf), read only.
#   * master.cf: every service with chroot "n" (a chroot would need copies of
#     /etc files inside the private queue directory). The smtpd listener is
#     "127.0.0.1:PORT inet"; postlog (unix-dgram, postlogd) is required by
#     maillog_file, and maillog_file must start with one of
#     maillog_file_prefixes (default /var, /dev/stdout), so that is set to
#     the temporary directory. No syslog is needed.
#   * The directory chain to the queue must be traversable by user postfix,
#     hence chmod 755 on the temporary directory.
#   * Nothing needs DNS: relayhost is [127.0.0.1]:PORT, smtp_dns_support_level
#     = disabled (successor of disable_dns_lookups), smtp_host_lookup = native.
#   * Hop names front.test / sender.test / sink.test keep the Received:
#     trail and the logs readable. (Postfix's "loops back to myself" check
#     did not trigger even with two equal names on these non-25 ports.)
#   * smtp-sink's dump files (-d) are LF-terminated: "X-..." envelope lines, a
#     three-line smtp-sink Received: header, the message as received (dot
#     un-stuffed, every CR dropped), then one extra empty line (the LF of the
#     final "."). Byte comparisons therefore run on LF-normalized copies of
#     the input. smtp-sink closes the file before it answers the final dot,
#     so once the front queue is empty again the dump is complete.
#   * PID 1 of some containers does not reap orphans: a stopped Postfix
#     master can linger as a zombie, so "alive" means "exists and is not Z".

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init e2e
for c in postfix postconf; do
	command -v "$c" >/dev/null || die "missing $c (apt-get install postfix)"
done
STARTED_INSTANCES=()
LOG_FILES=("$T/p1/maillog" "$T/p0/maillog" "${LOG_FILES[@]}" "$T/postfix-ctl.log")

# instance_pids DIR: processes of the Postfix instance configured in DIR
# (Postfix passes MAIL_CONFIG to every program the master starts)
instance_pids() {
	local p
	for p in /proc/[0-9]*; do
		if grep -qzxF -e "MAIL_CONFIG=$1" "$p/environ" 2>/dev/null; then
			printf '%s\n' "${p#/proc/}"
		fi
	done
}

stop_instance() {
	local dir=$1 pid
	timeout 20 postfix -c "$dir" stop >>"$T/postfix-ctl.log" 2>&1 || true
	for pid in $(instance_pids "$dir"); do
		[[ $pid == "$$" ]] && continue
		stop_pid "$pid"
	done
}

# mta_stop: for lib.sh's cleanup
mta_stop() {
	local inst
	for inst in "${STARTED_INSTANCES[@]}"; do
		stop_instance "$inst"
	done
}

# ---- start everything -----------------------------------------------------------

pick_ports 4
SINK_PORT=${PORTS[0]} P1_PORT=${PORTS[1]} P0_PORT=${PORTS[2]} MILTER_PORT=${PORTS[3]}
say "e2e: dir $T; ports: sink $SINK_PORT, front $P1_PORT, sender $P0_PORT, milter $MILTER_PORT"

start_sink "$SINK_PORT"

# settle DIR: date main.cf/master.cf back. Postfix does not trust a table
# file modified in the current second (dict_load_file: it re-reads every
# 300 ms until the mtime is in the past), which made each fresh config cost
# up to 2 s per command.
settle() { touch -d '-5 seconds' "$1/main.cf" "$1/master.cf"; }

# make_instance NAME HOSTNAME SMTPD_PORT NEXTHOP_PORT [main.cf lines]:
# write its config
make_instance() {
	local name=$1 host=$2 port=$3 next=$4 extra=${5:-}
	local d=$T/$name
	mkdir -p "$d/etc" "$d/queue"
	cat >"$d/etc/main.cf" <<-EOF
	# private instance "$name" of the calmilter e2e test
	compatibility_level = 3.6
	queue_directory = $d/queue
	data_directory = $d/data
	syslog_name = calmilter-e2e-$name
	maillog_file = $d/maillog
	maillog_file_prefixes = $T
	myhostname = $host
	mydomain = test
	myorigin = \$myhostname
	mydestination =
	relay_domains =
	local_recipient_maps =
	alias_maps =
	alias_database =
	mynetworks = 127.0.0.0/8
	inet_interfaces = 127.0.0.1
	inet_protocols = ipv4
	relayhost = [127.0.0.1]:$next
	smtp_host_lookup = native
	smtp_dns_support_level = disabled
	smtp_tls_security_level = none
	smtpd_tls_security_level = none
	disable_mime_output_conversion = yes
	biff = no
	in_flow_delay = 0
	minimal_backoff_time = 2s
	maximal_backoff_time = 4s
	queue_run_delay = 2s
	maximal_queue_lifetime = 1h
	bounce_queue_lifetime = 1h
	delay_warning_time = 0
	smtp_connect_timeout = 5s
	smtp_helo_timeout = 10s
	smtp_mail_timeout = 10s
	smtp_rcpt_timeout = 10s
	smtp_data_init_timeout = 10s
	smtp_data_xfer_timeout = 30s
	smtp_data_done_timeout = 30s
	smtpd_timeout = 30s
	$extra
	EOF
	cat >"$d/etc/master.cf" <<-EOF
	# service type private unpriv chroot wakeup maxproc command
	127.0.0.1:$port inet n - n - - smtpd
	pickup    unix  n - n 60 1 pickup
	cleanup   unix  n - n - 0 cleanup
	qmgr      unix  n - n 300 1 qmgr
	rewrite   unix  - - n - - trivial-rewrite
	bounce    unix  - - n - 0 bounce
	defer     unix  - - n - 0 bounce
	trace     unix  - - n - 0 bounce
	verify    unix  - - n - 1 verify
	flush     unix  n - n 1000? 0 flush
	proxymap  unix  - - n - - proxymap
	smtp      unix  - - n - - smtp
	relay     unix  - - n - - smtp
	showq     unix  n - n - - showq
	error     unix  - - n - - error
	retry     unix  - - n - - error
	discard   unix  - - n - - discard
	anvil     unix  - - n - 1 anvil
	scache    unix  - - n - 1 scache
	postlog   unix-dgram n - n - 1 postlogd
	EOF
	settle "$d/etc"
	local warn
	warn=$(postconf -c "$d/etc" -n 2>&1 >/dev/null) || true
	[[ -z $warn ]] || die "postconf complains about $name's main.cf: $warn"
}

# start_instances NAME PORT ...: start them in parallel (the first start of
# an instance spends ~2.5 s creating its queue directories), wait until each
# smtpd listens
start_instances() {
	local -a pids=() names=() ports=()
	local i
	while (($#)); do
		names+=("$1"); ports+=("$2"); shift 2
		STARTED_INSTANCES+=("$T/${names[-1]}/etc")
		postfix -c "$T/${names[-1]}/etc" start >>"$T/postfix-ctl.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" ||
		    die "postfix start failed for ${names[i]} (see $T/postfix-ctl.log, $T/${names[i]}/maillog)"
	done
	for i in "${!ports[@]}"; do
		wait_for 15 port_listening "${ports[i]}" ||
		    die "Postfix ${names[i]} not listening on ${ports[i]}"
	done
}

# (no leading blanks: in main.cf they would continue the previous line)
MILTER_MAIN="smtpd_milters = inet:127.0.0.1:$MILTER_PORT
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 30s"
if [[ $HARNESS_ONLY == 1 ]]; then
	make_instance p1 front.test "$P1_PORT" "$SINK_PORT"	# no milter yet
else
	make_instance p1 front.test "$P1_PORT" "$SINK_PORT" "$MILTER_MAIN"
fi
make_instance p0 sender.test "$P0_PORT" "$P1_PORT"
start_instances p1 "$P1_PORT" p0 "$P0_PORT"
P1=$T/p1/etc
P0=$T/p0/etc

# queue_count DIR: messages in an instance's queue (any state)
queue_count() {
	local q
	q=$(postconf -c "$1" -h queue_directory)
	find "$q/maildrop" "$q/incoming" "$q/active" "$q/deferred" "$q/hold" \
	    "$q/corrupt" -type f 2>/dev/null | wc -l
}
queues_empty() { [[ $(queue_count "$P0") == 0 && $(queue_count "$P1") == 0 ]]; }
front_queue_count() { queue_count "$P1"; }

milter_setup "$MILTER_PORT"
echo "ScopeDomains example.net" >>"$CONF"

if [[ $HARNESS_ONLY != 1 ]]; then
	start_milter || die "calmilter did not start (see $T/calmilter.log:
$(tail -n 20 "$T/calmilter.log" 2>/dev/null))"
fi

# ---- the iMIP cases (issue 6) ----------------------------------------------------

# like_calnorm TAG: calnorm on the message as calmilter saw it (the
# Received: header front added, then the message as sent) gives the relayed
# body, Content-Type and X-Calmilter; appends to the caller's why array
like_calnorm() {
	local tag=$1
	milter_input "$tag" >"$T/$tag.milter-input.eml"
	if "$CALNORM" -c "$CONF" "$T/$tag.milter-input.eml" \
	    >"$T/$tag.calnorm.eml" 2>"$T/$tag.calnorm.err"; then
		sed -i 's/\r$//' "$T/$tag.calnorm.eml"
		cmp -s <(body "$T/$tag.calnorm.eml") <(body "$GOT") ||
		    why+=("relayed body differs from calnorm's (diff $T/$tag.calnorm.eml $GOT)")
		[[ $(header_value "$T/$tag.calnorm.eml" Content-Type) == "$(header_value "$GOT" Content-Type)" ]] ||
		    why+=("Content-Type differs from calnorm's")
		if grep -qi '^x-calmilter:' <(headers "$T/$tag.calnorm.eml"); then
			[[ $(header_value "$T/$tag.calnorm.eml" X-Calmilter) == "$(header_value "$GOT" X-Calmilter)" ]] ||
			    why+=("X-Calmilter differs from calnorm's")
		fi
	else
		why+=("calnorm failed: $(head -c 300 "$T/$tag.calnorm.err")")
	fi
}

# outside FILE BOUNDARY: the preamble and the epilogue of a multipart body
outside() {
	body "$1" | awk -v b="--$2" '$0 == b || $0 == b "--" { if ($0 == b "--") after = 1; seen = 1; next }
	    !seen || after { print }'
}

# check_copy TAG PART ATTACHMENT: PART is an inline text/calendar;
# charset=utf-8; method=REQUEST whose content is ATTACHMENT's
check_copy() {
	local ct
	ct=$(header_value "$2" Content-Type)
	[[ $ct == [Tt]ext/[Cc]alendar* ]] || why+=("the copy is '$ct'")
	[[ $(param "$ct" method) == REQUEST ]] || why+=("copy '$ct' lacks method=REQUEST")
	[[ $(param "$ct" charset) == utf-8 ]] || why+=("copy '$ct' lacks charset=utf-8")
	[[ -z $(header_value "$2" Content-Disposition) ]] || why+=("the copy has a Content-Disposition")
	cmp -s <(part_payload "$2" | sed 's/\r$//') <(part_payload "$3" | sed 's/\r$//') ||
	    why+=("the copy's content is not the attachment's (diff $2 $3)")
}

# finish TAG: pass or fail with the collected whys
finish() {
	if ((${#why[@]})); then
		local IFS=';'
		fail "$1" "${why[*]}"
	else
		pass "$1"
	fi
}

# check_promoted TAG: an attached invitation arrived with an inline copy
# in a new alternative with the text part; everything else as sent
check_promoted() {
	local tag=$1 why=() b n ab an
	lf "$SENT" >"$T/$tag.sent.lf"
	cmp -s <(headers_except "$T/$tag.sent.lf" '^(received|x-calmilter)$') \
	    <(headers_except "$GOT" '^(received|x-calmilter)$') ||
	    why+=("headers other than X-Calmilter changed")
	header_value "$GOT" X-Calmilter | grep -q 'rules=R-MIME-4$' ||
	    why+=("X-Calmilter is '$(header_value "$GOT" X-Calmilter)', want rules=R-MIME-4")
	b=$(param "$(header_value "$GOT" Content-Type)" boundary)
	n=$(split_parts "$GOT" "$b" "$T/$tag.got.part")
	split_parts "$T/$tag.sent.lf" "$b" "$T/$tag.sent.part" >/dev/null
	cmp -s <(outside "$T/$tag.sent.lf" "$b") <(outside "$GOT" "$b") ||
	    why+=("preamble or epilogue changed")
	if [[ $n != 2 ]]; then
		why+=("$n parts under '$b', want 2")
	else
		cmp -s "$T/$tag.sent.part.2" "$T/$tag.got.part.2" ||
		    why+=("the attachment is not byte-identical (diff $T/$tag.sent.part.2 $T/$tag.got.part.2)")
		ab=$(param "$(header_value "$T/$tag.got.part.1" Content-Type)" boundary)
		an=$(split_parts "$T/$tag.got.part.1" "$ab" "$T/$tag.got.alt")
		if [[ $(header_value "$T/$tag.got.part.1" Content-Type) != multipart/alternative* || $an != 2 ]]; then
			why+=("part 1 is not a multipart/alternative of 2 parts")
		else
			cmp -s "$T/$tag.sent.part.1" "$T/$tag.got.alt.1" ||
			    why+=("the text part is not byte-identical (diff $T/$tag.sent.part.1 $T/$tag.got.alt.1)")
			check_copy "$tag" "$T/$tag.got.alt.2" "$T/$tag.sent.part.2"
		fi
	fi
	like_calnorm "$tag"
	finish "$tag"
}

# check_restructured TAG: a message that was the attachment alone became
# multipart/mixed { copy, attachment }, the attachment's Content-* headers
# and body byte-identical in its part
check_restructured() {
	local tag=$1 why=() b n moved='^(received|x-calmilter|content-type|content-transfer-encoding|content-disposition)$'
	lf "$SENT" >"$T/$tag.sent.lf"
	cmp -s <(headers_except "$T/$tag.sent.lf" "$moved") <(headers_except "$GOT" "$moved") ||
	    why+=("headers other than the moved Content-* ones changed")
	[[ -z $(header_value "$GOT" Content-Transfer-Encoding)$(header_value "$GOT" Content-Disposition) ]] ||
	    why+=("Content-Transfer-Encoding or Content-Disposition left at the top")
	b=$(param "$(header_value "$GOT" Content-Type)" boundary)
	[[ $(header_value "$GOT" Content-Type) == multipart/mixed* && $b == =_calmilter_* ]] ||
	    why+=("top Content-Type is '$(header_value "$GOT" Content-Type)'")
	n=$(split_parts "$GOT" "$b" "$T/$tag.got.part")
	if [[ $n != 2 ]]; then
		why+=("$n parts under '$b', want 2")
	else
		cmp -s <(header_list "$T/$tag.sent.lf" | grep -iE '^content-(type|transfer-encoding|disposition):') \
		    <(header_list "$T/$tag.got.part.2") ||
		    why+=("the attachment's part does not carry the moved headers as they were")
		cmp -s <(body "$T/$tag.sent.lf") <(body "$T/$tag.got.part.2") ||
		    why+=("the attachment's body is not byte-identical")
		check_copy "$tag" "$T/$tag.got.part.1" "$T/$tag.sent.lf"
	fi
	like_calnorm "$tag"
	finish "$tag"
}

# ---- the cases --------------------------------------------------------------------

if [[ $HARNESS_ONLY == 1 ]]; then
	say "e2e: HARNESS ONLY (no calmilter): checks the Postfix set-up, not calmilter"
	deliver h-plain "$FIX/plain.eml" "$P1_PORT" && check_untouched h-plain
	deliver h-signed "$FIX/signed-invite.eml" "$P1_PORT" && check_untouched h-signed
	deliver h-invite-via-sender "$FIX/broken-invite.eml" "$P0_PORT" &&
	    check_untouched h-invite-via-sender
	# front now gets a milter that is not listening
	postconf -c "$P1" -e "smtpd_milters = inet:127.0.0.1:$MILTER_PORT" \
	    "milter_default_action = tempfail" "milter_connect_timeout = 5s"
	settle "$P1"
	postfix -c "$P1" reload >>"$T/postfix-ctl.log" 2>&1
	sleep 1		# master restarts smtpd with the new setting
else
	if deliver a-broken-invite "$FIX/broken-invite.eml" "$P1_PORT" &&
	    check_fixed a-broken-invite; then
		# idempotence through the daemon: the fixed message, sent again
		# (with its X-Calmilter and front's Received:), passes unchanged
		deliver a-fixed-again "$T/a-broken-invite.got.eml" "$P1_PORT" &&
		    check_untouched a-fixed-again
	fi
	deliver b-plain "$FIX/plain.eml" "$P1_PORT" && check_untouched b-plain
	deliver c-signed-invite "$FIX/signed-invite.eml" "$P1_PORT" &&
	    check_untouched c-signed-invite
	deliver e-attached-invite "$FIX/attached-invite.eml" "$P1_PORT" &&
	    check_promoted e-attached-invite
	deliver e-attached-alone "$FIX/attached-alone.eml" "$P1_PORT" &&
	    check_restructured e-attached-alone
	if deliver f-out-of-scope "$FIX/broken-invite.eml" "$P1_PORT" \
	    carol@elsewhere.test; then
		check_untouched f-out-of-scope
		grep -q "action=unchanged scope=out" "$T/calmilter.log" ||
		    fail f-out-of-scope-log "calmilter did not log scope=out"
	fi
	stop_milter
fi

# d: the milter is down
case_d() {
	local tag=d-milter-down why=() id before
	# d1: a direct session is refused with 4xx at MAIL FROM, nothing queued
	SENT=$T/$tag.direct.eml
	id=$(with_msgid "$FIX/broken-invite.eml" "$SENT" d-direct)
	before=$(queue_count "$P1")
	if smtp_send "$P1_PORT" sender@sender.test rcpt@example.net "$SENT" \
	    "$T/$tag.direct.smtp.log"; then
		why+=("front accepted the message with calmilter down")
	elif [[ $SMTP_STAGE != MAIL || $SMTP_CODE != 4?? ]]; then
		why+=("front answered $SMTP_CODE at $SMTP_STAGE, want 4xx at MAIL")
	fi
	[[ $(queue_count "$P1") == 0 && $before == 0 ]] ||
	    why+=("front queued something ($(queue_count "$P1") files)")
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
	if ! smtp_send "$P0_PORT" sender@sender.test rcpt@example.net "$SENT" \
	    "$T/$tag.retry.smtp.log"; then
		fail "$tag-retry" "sender refused the message: $SMTP_CODE at $SMTP_STAGE"
		return
	fi
	# sender tried front and was told to come back later
	local qid=""
	deferred_by_front() {
		qid=$(awk -v id="<$id>" '$0 ~ /cleanup.*message-id=/ && index($0, id) {
		    sub(/:$/, "", $6); print $6; exit }' "$T/p0/maillog")
		[[ -n $qid ]] && grep -F "$qid: " "$T/p0/maillog" |
		    grep 'status=deferred.*4[0-9][0-9]' >/dev/null
	}
	if ! wait_for 20 deferred_by_front; then
		why+=("sender did not get a 4xx from front within 20 s")
	fi
	[[ $(queue_count "$P0") -ge 1 ]] || why+=("sender's queue is empty while front is refusing")
	[[ $(queue_count "$P1") == 0 ]] || why+=("front queued the refused message")

	# the milter comes back
	if [[ $HARNESS_ONLY == 1 ]]; then
		postconf -c "$P1" -e "smtpd_milters ="
		settle "$P1"
		postfix -c "$P1" reload >>"$T/postfix-ctl.log" 2>&1
	else
		start_milter || why+=("calmilter did not restart")
	fi
	local t_back=$SECONDS
	if ! wait_for 30 eval '[[ $(sink_count "$id") -ge 1 ]]'; then
		why+=("not delivered within 30 s after the milter came back")
	else
		say "   (retried message arrived $((SECONDS - t_back)) s after the milter came back)"
		wait_for 20 queues_empty || why+=("queues not empty: sender $(queue_count "$P0"), front $(queue_count "$P1")")
		local c
		c=$(sink_count "$id")
		[[ $c == 1 ]] || why+=("delivered $c times, want exactly once")
		GOT=$T/$tag.retry.got.eml
		sink_message "$(sink_files "$id" | head -n 1)" >"$GOT"
		if [[ $HARNESS_ONLY != 1 ]]; then
			grep -qi '^x-calmilter: normalized' <(headers "$GOT") ||
			    why+=("the retried invite was not normalized by calmilter")
		fi
	fi
	if ((${#why[@]})); then
		local IFS=';'; fail "$tag-retry" "${why[*]}"
	else
		pass "$tag-retry (queued by sender, delivered exactly once, queues empty)"
	fi
}
case_d
[[ $HARNESS_ONLY == 1 ]] || stop_milter	# also notices a crash of the restarted one

e2e_summary
