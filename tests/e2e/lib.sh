# tests/e2e/lib.sh - what the end-to-end tests through a real MTA share
#
# Sourced by tests/e2e/postfix.sh and tests/e2e/sendmail.sh (bash, set -euo
# pipefail). It holds everything that does not depend on the MTA: the
# temporary directory and its cleanup, process and port helpers, smtp-sink,
# a small SMTP client, helpers that take a relayed message apart, calmilter's
# start and stop, and the checks of the cases both tests share.
#
# The sourcing script calls e2e_init NAME first, and defines:
#   front_queue_count   prints the number of messages in the queue of the MTA
#                       calmilter is attached to ("front")
#   mta_stop            stops every MTA process the script started (cleanup)
#   milter_input TAG    (optional) prints the message as calmilter received
#                       it, CRLF, for the comparison with calnorm; default:
#                       the Received: headers front added, then $SENT
# and appends the MTA's logs to LOG_FILES (shown when something fails).
#
# Environment (read here):
#   E2E_KEEP=1          keep the temporary directory even when all passes
#   CALMILTER, CALNORM  binaries to test (default: build/ of this checkout)
#   E2E_HARNESS_ONLY=1  (postfix.sh only) run without calmilter

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
LOG_FILES=()
T=""
SINK_PID=""
MILTER_PID=""
E2E_NAME=e2e

say() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "$E2E_NAME" "$*" >&2; exit 2; }

# ---- temporary directory and cleanup ---------------------------------------

# e2e_init NAME: checks common to every MTA, the temporary directory $T,
# the traps
e2e_init() {
	E2E_NAME=$1
	[[ $(id -u) == 0 ]] || die "run as root (private MTA instances need it)"
	command -v smtp-sink >/dev/null ||
	    die "missing smtp-sink (apt-get install postfix)"
	if [[ $HARNESS_ONLY != 1 ]]; then
		[[ -x $CALMILTER ]] || die "missing $CALMILTER (make all)"
		[[ -x $CALNORM ]] || die "missing $CALNORM (make all)"
	fi
	getent passwd postfix >/dev/null || die "no user postfix"
	T=$(mktemp -d "/tmp/calmilter-$1.XXXXXX")
	chmod 755 "$T"	# the MTAs' users must reach their directories
	LOG_FILES=("$T/calmilter.log" "$T/sink.log")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

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

print_logs() {
	local f
	say "---- logs (kept in $T) ----"
	for f in "${LOG_FILES[@]}"; do
		[[ -e $f ]] || continue
		say "== $f (last 40 lines)"
		tail -n 40 "$f" | sed 's/^/   /'
	done
	say "smtp transcripts, sink files and copies of every message: $T"
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	[[ -n $MILTER_PID ]] && stop_pid "$MILTER_PID"
	declare -F mta_stop >/dev/null && mta_stop
	[[ -n $SINK_PID ]] && stop_pid "$SINK_PID"
	if [[ -z $T ]]; then
		:
	elif ((rc != 0 || FAILS != 0)); then
		print_logs
	elif [[ $KEEP == 1 ]]; then
		say "kept $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}

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

# pick_ports N: N distinct free loopback ports from a random base, below
# the kernel's ephemeral range (a port that an outgoing connection uses as
# its source cannot be bound: that made smtp-sink fail now and then), and
# used by no socket in any state
pick_ports() {
	local n=$1 p tries=0 ss_out="" lo=20000 hi=32767 eph
	PORTS=()
	if read -r eph _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
	    ((eph - 1 > lo + 2000)); then
		hi=$((eph - 1))
	fi
	command -v ss >/dev/null && ss_out=$(ss -Htan 2>/dev/null || true)
	p=$((lo + RANDOM % (hi - lo - 600)))
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

# ---- smtp-sink ----------------------------------------------------------------

# start_sink PORT: one file per transaction under $T/sink
start_sink() {
	mkdir -p "$T/sink"
	chown postfix "$T/sink"
	smtp-sink -u postfix -h sink.test -d "$T/sink/msg." "127.0.0.1:$1" 64 \
	    >"$T/sink.log" 2>&1 &
	SINK_PID=$!
	wait_for 10 port_listening "$1" || die "smtp-sink did not start"
}

# ---- calmilter ----------------------------------------------------------------

# milter_setup PORT: the user, and $CONF for a daemon on 127.0.0.1:PORT
milter_setup() {
	MILTER_PORT=$1
	getent passwd calmilter >/dev/null ||
	    useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin calmilter
	CONF=$T/calmilter.conf
	cat >"$CONF" <<-EOC
	# calmilter configuration of the e2e test
	Socket inet:$MILTER_PORT@127.0.0.1
	UserID calmilter
	Syslog no
	LogLevel debug
	OnError accept
	Mode rewrite
	EOC
}

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

# ---- sending and receiving -------------------------------------------------------

# deliver TAG FIXTURE PORT [RCPT]: send a copy with a unique Message-ID;
# sets MSGID, SENT (the copy as sent) and GOT (the relayed message, LF) or
# fails. RCPT defaults to rcpt@example.net.
deliver() {
	local tag=$1 fix=$2 port=$3 rcpt=${4:-rcpt@example.net} f
	SENT=$T/$tag.sent.eml
	MSGID=$(with_msgid "$fix" "$SENT" "$tag")
	GOT=$T/$tag.got.eml
	if ! smtp_send "$port" sender@sender.test "$rcpt" "$SENT" \
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
# milter_input TAG: the message as calmilter saw it (CRLF). Neither
# Postfix 3.7 nor Sendmail 8.17 shows a milter the Received: header it adds
# itself (checked with a milter that logs every callback), so that is the
# message as sent. A script whose MTA shows calmilter something else defines
# its own after sourcing this.
milter_input() { cat "$SENT"; }

# delivered ID: the sink has the message and the front queue is empty again
delivered() { [[ $(sink_count "$1") -ge 1 && $(front_queue_count) == 0 ]]; }

# ---- case checks ------------------------------------------------------------------

# check_untouched TAG: relayed body and headers equal the sent ones; no
# X-Calmilter added (only the MTAs' Received: headers are new)
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
		# determinism: calnorm on the message as calmilter saw it gives
		# the relayed body
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
	fi
	if ((${#why[@]})); then
		local IFS=';'
		fail "$tag" "${why[*]}"
	else
		pass "$tag"
	fi
}

# e2e_summary: the last line, and the exit status
e2e_summary() {
	say "$E2E_NAME: $PASSES passed, $FAILS failed, $((SECONDS - T0)) s"
	if ((FAILS)); then
		say "$E2E_NAME: failed: ${FAILED_CASES[*]}"
		exit 1
	fi
	exit 0
}
