#!/bin/bash
# tests/e2e/postfix.sh - calmilter end to end, through a real Postfix.
#
#   sender (P0, Postfix) --SMTP--> front (P1, Postfix + calmilter) --SMTP--> smtp-sink
#
# Everything runs privately on 127.0.0.1 out of one temporary directory: two
# Postfix instances with their own config, queue and data directories, one
# smtp-sink that writes every transaction to its own file, and build/calmilter.
# The system Postfix instance (/etc/postfix, /var/spool/postfix) is never
# read, written, started or stopped.
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

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FIX=$ROOT/tests/fixtures/e2e
CALMILTER=${CALMILTER:-$ROOT/build/calmilter}
CALNORM=${CALNORM:-$ROOT/build/calnorm}
HARNESS_ONLY=${E2E_HARNESS_ONLY:-0}
KEEP=${E2E_KEEP:-0}
export LC_ALL=C

T0=$SECONDS
PASSES=0
FAILS=0
FAILED_CASES=()

say() { printf '%s\n' "$*"; }
die() { printf 'e2e: %s\n' "$*" >&2; exit 2; }

[[ $(id -u) == 0 ]] || die "run as root (private Postfix instances need it)"
for c in postfix postconf smtp-sink; do
	command -v "$c" >/dev/null || die "missing $c (apt-get install postfix)"
done
if [[ $HARNESS_ONLY != 1 ]]; then
	[[ -x $CALMILTER ]] || die "missing $CALMILTER (make all)"
	[[ -x $CALNORM ]] || die "missing $CALNORM (make all)"
fi
getent passwd postfix >/dev/null || die "no user postfix"

# ---- temporary directory and cleanup ---------------------------------------

T=$(mktemp -d /tmp/calmilter-e2e.XXXXXX)
chmod 755 "$T"		# user postfix must reach the queue directories
SINK_PID=""
MILTER_PID=""
STARTED_INSTANCES=()

# alive PID: the process exists and is not a zombie
alive() {
	local st
	[[ -r /proc/$1/stat ]] || return 1
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $st != Z ]]
}

# stop_pid PID: TERM, wait up to 5 s, then KILL
stop_pid() {
	local pid=$1 i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || break
		sleep 0.1
	done
	alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

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

print_logs() {
	local f
	say "---- logs (kept in $T) ----"
	for f in "$T"/p1/maillog "$T"/p0/maillog "$T"/calmilter.log \
	    "$T"/sink.log "$T"/postfix-ctl.log; do
		[[ -e $f ]] || continue
		say "== $f (last 40 lines)"
		tail -n 40 "$f" | sed 's/^/   /'
	done
	say "smtp transcripts, sink files and copies of every message: $T"
}

cleanup() {
	local rc=$? inst
	set +e
	trap - EXIT INT TERM
	[[ -n $MILTER_PID ]] && stop_pid "$MILTER_PID"
	for inst in "${STARTED_INSTANCES[@]}"; do
		stop_instance "$inst"
	done
	[[ -n $SINK_PID ]] && stop_pid "$SINK_PID"
	if ((rc != 0 || FAILS != 0)); then
		print_logs
	elif [[ $KEEP == 1 ]]; then
		say "kept $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ----------------------------------------------------------------

pass() { PASSES=$((PASSES + 1)); say "PASS $1"; }
fail() {
	FAILS=$((FAILS + 1)); FAILED_CASES+=("$1")
	say "FAIL $1: $2"
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds
wait_for() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	while ! "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_listening() { port_busy "$1"; }

# pick_ports N: N distinct free loopback ports from a random base
pick_ports() {
	local n=$1 p tries=0 ss_out=""
	PORTS=()
	command -v ss >/dev/null && ss_out=$(ss -Hltn 2>/dev/null || true)
	p=$((20000 + RANDOM % 30000))
	while ((${#PORTS[@]} < n)); do
		((tries++ < 500)) || die "no free ports"
		p=$((p + 1))
		if grep -qE "[:.]${p}[[:space:]]" <<<"$ss_out" || port_busy "$p"; then
			continue
		fi
		PORTS+=("$p")
	done
}

# ---- a small SMTP client (bash /dev/tcp) ------------------------------------
# smtp_send PORT FROM TO FILE TRANSCRIPT
# Sends FILE (CRLF or LF lines) with dot-stuffing. Returns 0 when the message
# was accepted. Sets SMTP_CODE (last reply code) and SMTP_STAGE (the command
# that got the last reply: CONNECT EHLO MAIL RCPT DATA DOT).

smtp_reply() {
	local fd=$1 line
	SMTP_CODE=000
	while :; do
		if ! IFS= read -r -t 30 -u "$fd" line; then
			say "<< (connection closed or timeout)" >>"$SMTP_LOG"
			return 1
		fi
		line=${line%$'\r'}
		say "<< $line" >>"$SMTP_LOG"
		[[ $line =~ ^([0-9]{3})([\ -]) ]] || return 1
		if [[ ${BASH_REMATCH[2]} == " " ]]; then
			SMTP_CODE=${BASH_REMATCH[1]}
			return 0
		fi
	done
}

smtp_cmd() {
	say ">> $2" >>"$SMTP_LOG"
	printf '%s\r\n' "$2" 1>&"$1" 2>/dev/null || return 1
	smtp_reply "$1"
}

smtp_send() {
	local port=$1 from=$2 to=$3 file=$4 fd line rc=1
	SMTP_LOG=$5
	SMTP_CODE=000
	SMTP_STAGE=CONNECT
	: >"$SMTP_LOG"
	if ! exec {fd}<>"/dev/tcp/127.0.0.1/$port"; then
		say "-- connect to $port failed" >>"$SMTP_LOG"
		return 1
	fi
	while :; do
		smtp_reply "$fd" && [[ $SMTP_CODE == 220 ]] || break
		SMTP_STAGE=EHLO
		smtp_cmd "$fd" "EHLO client.test" && [[ $SMTP_CODE == 250 ]] || break
		SMTP_STAGE=MAIL
		smtp_cmd "$fd" "MAIL FROM:<$from>" && [[ $SMTP_CODE == 250 ]] || break
		SMTP_STAGE=RCPT
		smtp_cmd "$fd" "RCPT TO:<$to>" && [[ $SMTP_CODE == 250 ]] || break
		SMTP_STAGE=DATA
		smtp_cmd "$fd" "DATA" && [[ $SMTP_CODE == 354 ]] || break
		SMTP_STAGE=DOT
		while IFS= read -r line || [[ -n $line ]]; do
			line=${line%$'\r'}
			[[ $line == .* ]] && line=.$line
			printf '%s\r\n' "$line"
		done <"$file" 1>&"$fd"
		say ">> ($(wc -c <"$file") bytes from $file)" >>"$SMTP_LOG"
		smtp_cmd "$fd" "." && [[ $SMTP_CODE == 250 ]] && rc=0
		break
	done
	local code=$SMTP_CODE
	smtp_cmd "$fd" "QUIT" >/dev/null 2>&1 || true
	exec {fd}>&-
	SMTP_CODE=$code
	return $rc
}

# ---- message helpers ----------------------------------------------------------

RUN_ID="$(date +%s).$$"
# with_msgid IN OUT TAG: copy IN with a unique Message-ID; prints the id
with_msgid() {
	local id="e2e-$TAG_PREFIX-$3-$RUN_ID@sender.test"
	awk -v id="$id" 'BEGIN { done = 0 }
	    !done && tolower($0) ~ /^message-id:/ {
		print "Message-ID: <" id ">" (/\r$/ ? "\r" : ""); done = 1; next }
	    { print }' "$1" >"$2"
	grep -qF "<$id>" "$2" || die "no Message-ID header in $1"
	printf '%s\n' "$id"
}
TAG_PREFIX=t

lf() { sed 's/\r$//' "$1"; }

# sink_files ID: dump files that carry Message-ID <ID>
sink_files() { grep -lF "<$1>" "$T"/sink/ 2>/dev/null -r || true; }
sink_count() { sink_files "$1" | grep -c . || true; }

# sink_message DUMP: the message as relayed (LF lines), without smtp-sink's
# envelope lines, its Received: header and the dump's trailing empty line
sink_message() {
	awk 'state == 0 { if ($0 ~ /\(smtp-sink\) with /) state = 1; next }
	    state == 1 { state = 2; next }
	    { if (have) print prev; prev = $0; have = 1 }' "$1"
}

# headers FILE / body FILE (LF input): header block, everything after it
headers() { awk '/^$/ { exit } { print }' "$1"; }
body() { awk 'b { print; next } /^$/ { b = 1 }' "$1"; }

# header_list FILE: one line per header field (continuations joined with
# \001, so folding is kept), for byte-exact comparison
header_list() {
	headers "$1" | awk '/^[ \t]/ { cur = cur "\001" $0; next }
	    { if (n++) print cur; cur = $0 } END { if (n) print cur }'
}
# header_value FILE NAME: unfolded value of the first NAME header
header_value() {
	header_list "$1" | awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
	    !found && tolower(substr($0, 1, length(n))) == n {
		v = substr($0, length(n) + 1); gsub(/\001/, "", v)
		sub(/^[ \t]+/, "", v); print v; found = 1 }'
}
# headers_except FILE REGEX: header fields whose name does not match REGEX
headers_except() {
	header_list "$1" | awk -v re="$2" '{ n = tolower($0); sub(/:.*/, "", n) }
	    n !~ re { print }'
}

# param VALUE NAME: a Content-Type parameter
param() {
	local v=$1 re1 re2
	shopt -s nocasematch
	re1="(^|;)[[:space:]]*$2=\"([^\"]*)\""
	re2="(^|;)[[:space:]]*$2=([^;[:space:]]+)"
	if [[ $v =~ $re1 ]] || [[ $v =~ $re2 ]]; then
		printf '%s\n' "${BASH_REMATCH[2]}"
	fi
	shopt -u nocasematch
}

# split_parts FILE BOUNDARY PREFIX: writes PREFIX.1 .. PREFIX.N (the body
# parts, LF lines, each without the line break that belongs to the next
# delimiter) and prints N
split_parts() {
	body "$1" | awk -v b="--$2" -v pre="$3" '
	    $0 == b || $0 == b "--" {
		if (n) close(pre "." n)
		if ($0 == b "--") { n_final = n; done = 1; next }
		n++; first = 1; next }
	    done { next }
	    n { if (!first) printf "\n" > (pre "." n); printf "%s", $0 > (pre "." n); first = 0 }
	    END { print (done ? n_final : n) }'
}

qp_decode() {
	awk 'BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02X", i)] = sprintf("%c", i) }
	    { line = $0; sub(/[ \t]+$/, "", line); soft = (line ~ /=$/)
	      if (soft) line = substr(line, 1, length(line) - 1)
	      out = ""
	      while ((i = index(line, "=")) > 0) {
		h = toupper(substr(line, i + 1, 2))
		if (h in hex) { out = out substr(line, 1, i - 1) hex[h]; line = substr(line, i + 3) }
		else { out = out substr(line, 1, i); line = substr(line, i + 1) } }
	      printf "%s%s", out line, (soft ? "" : "\n") }'
}

# part_payload PART: the decoded content of one MIME part (LF lines)
part_payload() {
	local cte
	cte=$(header_value "$1" Content-Transfer-Encoding | tr 'A-Z' 'a-z' | tr -d ' \t')
	case $cte in
	base64) body "$1" | base64 -d | sed 's/\r$//' ;;
	quoted-printable) body "$1" | qp_decode | sed 's/\r$//' ;;
	*) body "$1" ;;
	esac
}

unfold() { awk '/^[ \t]/ { cur = cur substr($0, 2); next }
	{ if (n++) print cur; cur = $0 } END { if (n) print cur }'; }

# ---- start everything -----------------------------------------------------------

pick_ports 4
SINK_PORT=${PORTS[0]} P1_PORT=${PORTS[1]} P0_PORT=${PORTS[2]} MILTER_PORT=${PORTS[3]}
say "e2e: dir $T; ports: sink $SINK_PORT, front $P1_PORT, sender $P0_PORT, milter $MILTER_PORT"

# smtp-sink: one file per transaction under $T/sink
mkdir -p "$T/sink"
chown postfix "$T/sink"
smtp-sink -u postfix -h sink.test -d "$T/sink/msg." "127.0.0.1:$SINK_PORT" 64 \
    >"$T/sink.log" 2>&1 &
SINK_PID=$!
wait_for 10 port_listening "$SINK_PORT" || die "smtp-sink did not start"

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

# calmilter
getent passwd calmilter >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin calmilter
CONF=$T/calmilter.conf
cat >"$CONF" <<EOF
# calmilter configuration of the e2e test
Socket inet:$MILTER_PORT@127.0.0.1
UserID calmilter
Syslog no
LogLevel debug
OnError accept
Mode rewrite
EOF

start_milter() {
	say "-- starting calmilter" >>"$T/calmilter.log"
	"$CALMILTER" -f -c "$CONF" -p "inet:$MILTER_PORT@127.0.0.1" \
	    </dev/null >>"$T/calmilter.log" 2>&1 &
	MILTER_PID=$!
	local end=$((SECONDS + 15))
	while ! port_listening "$MILTER_PORT"; do
		alive "$MILTER_PID" || { wait "$MILTER_PID" 2>/dev/null || true
			MILTER_PID=""; return 1; }
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}
stop_milter() {
	if [[ -n $MILTER_PID ]] && ! alive "$MILTER_PID"; then
		local st=0
		wait "$MILTER_PID" 2>/dev/null || st=$?
		fail calmilter-alive "calmilter exited by itself (status $st) before the test stopped it"
	fi
	[[ -n $MILTER_PID ]] && stop_pid "$MILTER_PID"
	MILTER_PID=""
	say "-- calmilter stopped" >>"$T/calmilter.log"
}

if [[ $HARNESS_ONLY != 1 ]]; then
	start_milter || die "calmilter did not start (see $T/calmilter.log:
$(tail -n 20 "$T/calmilter.log" 2>/dev/null))"
fi

# deliver TAG FIXTURE PORT: send a copy with a unique Message-ID; sets MSGID,
# SENT (the copy as sent) and GOT (the relayed message, LF) or fails
deliver() {
	local tag=$1 fix=$2 port=$3 f
	SENT=$T/$tag.sent.eml
	MSGID=$(with_msgid "$fix" "$SENT" "$tag")
	GOT=$T/$tag.got.eml
	if ! smtp_send "$port" sender@sender.test rcpt@example.net "$SENT" \
	    "$T/$tag.smtp.log"; then
		fail "$tag" "SMTP to port $port: $SMTP_CODE at $SMTP_STAGE (see $T/$tag.smtp.log)"
		return 1
	fi
	if ! wait_for 20 delivered "$MSGID"; then
		fail "$tag" "message <$MSGID> did not reach the sink within 20 s"
		return 1
	fi
	f=$(sink_files "$MSGID")
	sink_message "$f" >"$GOT"
}
# delivered ID: the sink has the message and the front queue is empty again
delivered() { [[ $(sink_count "$1") -ge 1 && $(queue_count "$P1") == 0 ]]; }

# ---- case checks ------------------------------------------------------------------

# check_untouched TAG: relayed body and headers equal the sent ones; no
# X-Calmilter added (only Postfix's Received: headers are new)
check_untouched() {
	local tag=$1 why=""
	lf "$SENT" >"$T/$tag.sent.lf"
	if ! cmp -s <(body "$T/$tag.sent.lf") <(body "$GOT"); then
		why="body differs: diff $T/$tag.sent.lf $GOT"
	elif [[ $(headers "$GOT" | grep -ci '^x-calmilter:') != \
	    "$(headers "$T/$tag.sent.lf" | grep -ci '^x-calmilter:')" ]]; then
		why="X-Calmilter added: $(grep -i '^x-calmilter:' <(headers "$GOT") | tr '\n' ' ')"
	elif ! cmp -s <(headers_except "$T/$tag.sent.lf" '^received$') \
	    <(headers_except "$GOT" '^received$'); then
		why="headers differ: diff $T/$tag.sent.lf $GOT"
	fi
	if [[ -n $why ]]; then fail "$tag" "$why"; else pass "$tag"; fi
}

# check_fixed TAG: the broken invite arrived repaired
check_fixed() {
	local tag=$1 why=() ct b n i cal="" calct xc orig_b
	lf "$SENT" >"$T/$tag.sent.lf"
	xc=$(headers "$GOT" | grep -ci '^x-calmilter:' || true)
	if [[ $xc != 1 ]]; then
		why+=("$xc X-Calmilter headers (want 1)")
	elif ! header_value "$GOT" X-Calmilter |
	    grep -i '^normalized;[[:space:]]*rules=R-' >/dev/null; then
		# the fixture carries a forged "rules=FORGED-BY-SENDER" one, which
		# calmilter must drop (issue 3, pipeline step 4)
		why+=("X-Calmilter is '$(header_value "$GOT" X-Calmilter)'")
	fi
	# headers other than the MIME ones calmilter may change stay as sent
	local mimehdr='^(received|x-calmilter|content-type|content-transfer-encoding|mime-version)$'
	cmp -s <(headers_except "$T/$tag.sent.lf" "$mimehdr") \
	    <(headers_except "$GOT" "$mimehdr") ||
	    why+=("headers other than Content-*/MIME-Version changed")

	ct=$(header_value "$GOT" Content-Type)
	b=$(param "$ct" boundary)
	orig_b=$(param "$(header_value "$T/$tag.sent.lf" Content-Type)" boundary)
	n=$(split_parts "$GOT" "$b" "$T/$tag.got.part")
	split_parts "$T/$tag.sent.lf" "$orig_b" "$T/$tag.sent.part" >/dev/null
	if [[ $n != 2 ]]; then
		why+=("relayed message has $n parts under boundary '$b' (want 2)")
	else
		cmp -s "$T/$tag.sent.part.1" "$T/$tag.got.part.1" ||
		    why+=("text/plain part not byte-identical (diff $T/$tag.sent.part.1 $T/$tag.got.part.1)")
		for ((i = 1; i <= n; i++)); do
			[[ $(header_value "$T/$tag.got.part.$i" Content-Type) == [Tt][Ee][Xx][Tt]/[Cc][Aa][Ll]* ]] &&
			    cal=$T/$tag.got.part.$i
		done
	fi
	if [[ -n $cal ]]; then
		calct=$(header_value "$cal" Content-Type)
		[[ $(param "$calct" method) == REQUEST ]] ||
		    why+=("calendar Content-Type '$calct' lacks method=REQUEST")
		[[ $(param "$calct" charset | tr A-Z a-z) == utf-8 ]] ||
		    why+=("calendar Content-Type '$calct' lacks charset=utf-8")
		case $(header_value "$cal" Content-Transfer-Encoding | tr A-Z a-z) in
		base64 | quoted-printable) ;;
		*) why+=("non-ASCII calendar sent as '$(header_value "$cal" Content-Transfer-Encoding)' (R-MIME-2: base64 or quoted-printable)") ;;
		esac
		part_payload "$cal" >"$T/$tag.got.ics"
		unfold <"$T/$tag.got.ics" >"$T/$tag.got.ics.unfolded"
		part_payload "$T/$tag.sent.part.2" | unfold >"$T/$tag.sent.ics.unfolded"
		local u=$T/$tag.got.ics.unfolded
		[[ $(head -n 1 "$u") == BEGIN:VCALENDAR ]] || why+=("calendar does not start with BEGIN:VCALENDAR")
		grep -qx 'VERSION:2.0' "$u" || why+=("no VERSION:2.0")
		grep -q '^PRODID:.' "$u" || why+=("no PRODID")
		grep -qx 'METHOD:REQUEST' "$u" || why+=("no METHOD:REQUEST")
		# Date: Tue, 14 May 2024 09:30:00 +0200 (R-ITIP-6: from the Date header)
		grep -qx 'DTSTAMP:20240514T073000Z' "$u" ||
		    why+=("DTSTAMP is '$(grep '^DTSTAMP' "$u" || echo missing)', want 20240514T073000Z from Date:")
		awk 'length($0) > 75 { bad = 1 } END { exit !bad }' "$T/$tag.got.ics" &&
		    why+=("a calendar line is longer than 75 octets")
		local prop
		for prop in UID DESCRIPTION SUMMARY ORGANIZER ATTENDEE DTSTART DTEND; do
			cmp -s <(grep "^${prop}[;:]" "$T/$tag.sent.ics.unfolded") \
			    <(grep "^${prop}[;:]" "$u") || why+=("$prop changed")
		done
	else
		why+=("no text/calendar part found")
	fi

	if [[ $HARNESS_ONLY != 1 ]]; then
		# determinism: calnorm on the message as calmilter saw it (the
		# Received: header front added, then the message as sent) gives
		# the relayed body
		{
			headers "$GOT" | awk '/^[^ \t]/ { rcv = (tolower($0) ~ /^received:/) }
			    rcv { printf "%s\r\n", $0 }'
			cat "$SENT"
		} >"$T/$tag.milter-input.eml"
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
	fi
	if ((${#why[@]})); then
		local IFS=';'
		fail "$tag" "${why[*]}"
	else
		pass "$tag"
	fi
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

# ---- summary ------------------------------------------------------------------------
say "e2e: $PASSES passed, $FAILS failed, $((SECONDS - T0)) s"
if ((FAILS)); then
	say "e2e: failed: ${FAILED_CASES[*]}"
	exit 1
fi
exit 0
