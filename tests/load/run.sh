#!/bin/bash
# tests/load/run.sh - calmilter under load, through a real Postfix.
#
#   sender (P0, Postfix) --32 SMTP sessions--> front (P1, Postfix + calmilter)
#       --SMTP--> smtp-sink
#
# LOAD_MESSAGES distinct messages (each its own Message-ID: every second
# one a message of ../shared/corpus/eml, the others plain mail) are handed
# to P0 with sendmail(1); P0 relays them to P1 over up to LOAD_SESSIONS
# parallel SMTP sessions, P1 runs them through calmilter and relays to
# smtp-sink. After the first LOAD_WARMUP messages the test notes the
# resident memory (VmRSS) and open descriptors of every calmilter process
# (daemon and workers); after the rest, it checks:
#   * every message arrived exactly once (count and Message-IDs at the sink)
#   * every body is byte-identical to what build/calnorm makes of the
#     message (so every calendar part was normalized as calnorm does it),
#     and so are the top Content-Type and X-Calmilter
#   * calmilter's RSS grew by less than LOAD_RSS_KB (5120) after warm-up
#   * its open file descriptors equal the warm-up baseline
#
# Run as root (private Postfix instances). Environment: LOAD_MESSAGES
# (6000), LOAD_WARMUP (1000), LOAD_SESSIONS (32), LOAD_RSS_KB (5120),
# LOAD_KEEP=1 keeps the directory, CALMILTER and CALNORM (build/).
# make check runs LOAD_MESSAGES=1000 LOAD_WARMUP=250.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CALMILTER=${CALMILTER:-$ROOT/build/calmilter}
CALNORM=${CALNORM:-$ROOT/build/calnorm}
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
N=${LOAD_MESSAGES:-6000}
WARMUP=${LOAD_WARMUP:-1000}
SESSIONS=${LOAD_SESSIONS:-32}
RSS_KB=${LOAD_RSS_KB:-5120}
KEEP=${LOAD_KEEP:-0}
export LC_ALL=C

say() { printf '%s\n' "$*"; }
die() { printf 'load: %s\n' "$*" >&2; exit 2; }

[[ $(id -u) == 0 ]] || die "run as root (private Postfix instances need it)"
for c in postfix postconf smtp-sink sendmail perl; do
	command -v "$c" >/dev/null || die "missing $c"
done
[[ -x $CALMILTER && -x $CALNORM ]] || die "missing $CALMILTER or $CALNORM (make all)"
((WARMUP < N)) || die "LOAD_WARMUP must be below LOAD_MESSAGES"

T=$(mktemp -d /tmp/calmilter-load.XXXXXX)
chmod 755 "$T"
# shellcheck source=../lib/postfix.sh
. "$ROOT/tests/lib/postfix.sh"
SINK_PID="" MILTER_PID="" FAILS=0
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	[[ -n $MILTER_PID ]] && pf_stop_pid "$MILTER_PID"
	pf_stop_all
	[[ -n $SINK_PID ]] && pf_stop_pid "$SINK_PID"
	if ((rc != 0 || FAILS != 0)) || [[ $KEEP == 1 ]]; then
		say "load: kept $T"
		tail -n 20 "$T/calmilter.log" 2>/dev/null | sed 's/^/   log: /'
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { FAILS=$((FAILS + 1)); say "FAIL $*"; }
T0=$SECONDS

# ---- the messages ------------------------------------------------------------
# templates: the corpus messages (an mbox "From " line dropped, Date and
# From added when missing so that no MTA adds them on the way), two plain
# ones. Each copy gets Message-ID <load-I-K-RUN@sender.test>, K its template.
mkdir -p "$T/tpl" "$T/msg" "$T/want"
RUN="$(date +%s).$$"
k=0
for f in "$CORPUS"/eml/*; do
	# not those an MTA reads otherwise than calnorm: bare CR line ends
	# (smtp-sink drops every CR), a byte-order mark before the headers
	perl -0777 -ne 'exit(/\r(?!\n)/ || /^\xEF\xBB\xBF/ ? 0 : 1)' "$f" && continue
	awk 'NR == 1 && /^From / { next }
	    !hdr && /^\r?$/ { if (!d) print "Date: Tue, 14 May 2024 09:30:00 +0200"
		if (!fr) print "From: load@sender.test"; hdr = 1 }
	    !hdr && tolower($0) ~ /^message-id:/ { skip = 1; next }
	    !hdr && skip && /^[ \t]/ { next }
	    !hdr { skip = 0 }
	    !hdr && tolower($0) ~ /^date:/ { d = 1 }
	    !hdr && tolower($0) ~ /^from:/ { fr = 1 }
	    { print }' "$f" >"$T/tpl/$k"
	k=$((k + 1))
done
NCORPUS=$k
printf 'From: Alice <alice@sender.test>\nTo: bob@example.net\nSubject: plain %s\nDate: Tue, 14 May 2024 09:30:00 +0200\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nJust text.\n.leading dot\n' "$RUN" >"$T/tpl/$k"
printf 'From: Alice <alice@sender.test>\nTo: bob@example.net\nSubject: =?utf-8?q?plain_8bit?=\nDate: Tue, 14 May 2024 09:30:00 +0200\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9fe, caf\xc3\xa9.\n' >"$T/tpl/$((k + 1))"
NTPL=$((k + 2))

# with_id TEMPLATE ID: the template with that Message-ID as first header
with_id() { printf 'Message-ID: <%s>\n' "$2"; cat "$T/tpl/$1"; }

# what calnorm makes of each template (the Message-ID does not matter;
# the daemon gets its socket with -p)
cat >"$T/calmilter.conf" <<EOF2
Socket inet:8895@127.0.0.1
UserID calmilter
Syslog no
LogLevel info
EOF2
for ((k = 0; k < NTPL; k++)); do
	with_id "$k" "want@sender.test" >"$T/want/$k.in"
	"$CALNORM" -c "$T/calmilter.conf" "$T/want/$k.in" | tr -d '\r' \
	    >"$T/want/$k" || die "calnorm failed on template $k"
done
for ((i = 1; i <= N; i++)); do
	if ((i % 2)); then k=$(((i / 2) % NCORPUS)); else k=$((NCORPUS + (i / 2) % 2)); fi
	with_id "$k" "load-$i-$k-$RUN@sender.test" >"$T/msg/$i"
done
say "load: $N messages from $NTPL templates ($NCORPUS corpus), $((SECONDS - T0)) s"

# ---- the MTAs and calmilter ---------------------------------------------------
pf_pick_ports 4
SINK_PORT=${PORTS[0]} P1_PORT=${PORTS[1]} P0_PORT=${PORTS[2]} MILTER_PORT=${PORTS[3]}
mkdir -p "$T/sink"
chown postfix "$T/sink"
smtp-sink -u postfix -h sink.test -d "$T/sink/msg." "127.0.0.1:$SINK_PORT" 256 \
    >"$T/sink.log" 2>&1 &
SINK_PID=$!
pf_wait_for 10 pf_listening "$SINK_PORT" || die "smtp-sink did not start"
pf_make_instance p1 front.test "$P1_PORT" "$SINK_PORT" "smtpd_milters = inet:127.0.0.1:$MILTER_PORT
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s
default_process_limit = 100
default_destination_concurrency_limit = $SESSIONS
initial_destination_concurrency = $SESSIONS"
pf_make_instance p0 sender.test "$P0_PORT" "$P1_PORT" "default_process_limit = 100
default_destination_concurrency_limit = $SESSIONS
initial_destination_concurrency = $SESSIONS
smtp_destination_concurrency_limit = $SESSIONS"
pf_start_instances p1 "$P1_PORT" p0 "$P0_PORT"
P0=$T/p0/etc P1=$T/p1/etc
getent passwd calmilter >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin calmilter
"$CALMILTER" -f -c "$T/calmilter.conf" -p "inet:$MILTER_PORT@127.0.0.1" \
    </dev/null >>"$T/calmilter.log" 2>&1 &
MILTER_PID=$!
pf_wait_for 15 pf_listening "$MILTER_PORT" || die "calmilter did not start"

# ---- measuring ------------------------------------------------------------------
# service_pids: the daemon and its descendants (the workers)
service_pids() {
	local todo=("$MILTER_PID") p c
	while ((${#todo[@]})); do
		p=${todo[0]} todo=("${todo[@]:1}")
		pf_alive "$p" || continue
		echo "$p"
		for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do todo+=("$c"); done
	done
}
rss_kb() { local s=0 p; for p in $(service_pids); do
	s=$((s + $(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status))); done; echo "$s"; }
fd_count() { local s=0 p; for p in $(service_pids); do
	s=$((s + $(ls /proc/"$p"/fd | wc -l))); done; echo "$s"; }
sink_total() { find "$T/sink" -type f | wc -l; }
queues_empty() { [[ $(pf_queue_count "$P0") == 0 && $(pf_queue_count "$P1") == 0 ]]; }

# p0_defer VALUE: P0's defer_transports (while it is set, P0 queues and
# sends nothing, so that the release starts all sessions at once)
p0_defer() {
	postconf -c "$P0" -e "defer_transports = $1"
	pf_settle "$P0"
	postfix -c "$P0" reload >>"$T/postfix-ctl.log" 2>&1
}
# inject FIRST LAST: queue messages FIRST..LAST at P0 (four sendmails at
# once), then let P0 send them all
inject() {
	p0_defer "smtp, relay"
	seq "$1" "$2" | xargs -P 4 -I{} sh -c \
	    'sendmail -C "$0" -f load@sender.test -i -- rcpt@example.net <"$1/msg/{}"' \
	    "$P0" "$T" || die "sendmail failed"
	pf_wait_for 120 eval '[[ $(find "$T/p0/queue/maildrop" -type f | wc -l) == 0 ]]' ||
	    die "P0 did not pick the messages up"
	p0_defer ""
	postqueue -c "$P0" -f
}
# settle_at COUNT: the sink holds COUNT messages and both queues are empty
settle_at() {
	pf_wait_for $((60 + $1 / 5)) eval '[[ $(sink_total) -ge '"$1"' ]] && queues_empty' ||
	    die "only $(sink_total) of $1 messages at the sink (queues: P0 $(pf_queue_count "$P0"), P1 $(pf_queue_count "$P1"))"
	sleep 2		# sessions closed, workers idle
}

t1=$SECONDS
inject 1 "$WARMUP"
settle_at "$WARMUP"
rss0=$(rss_kb) fd0=$(fd_count) procs0=$(service_pids | wc -l)
say "load: warm-up $WARMUP messages in $((SECONDS - t1)) s; calmilter: $procs0 processes, RSS $rss0 kB, $fd0 descriptors"
t2=$SECONDS
inject $((WARMUP + 1)) "$N"
settle_at "$N"
el=$((SECONDS - t2))
rss1=$(rss_kb) fd1=$(fd_count) procs1=$(service_pids | wc -l)
say "load: $((N - WARMUP)) more in $el s ($(((N - WARMUP) / (el > 0 ? el : 1))) msg/s); calmilter: $procs1 processes, RSS $rss1 kB, $fd1 descriptors"

# ---- checks -------------------------------------------------------------------------
pf_alive "$MILTER_PID" || fail "calmilter exited during the test"
((rss1 - rss0 < RSS_KB)) ||
    fail "RSS grew by $((rss1 - rss0)) kB over $((N - WARMUP)) messages (limit $RSS_KB kB)"
((fd1 == fd0)) || fail "open descriptors: $fd1 after, $fd0 at the baseline"
sessions=$(grep -c 'smtpd.*: connect from' "$T/p1/maillog" || true)
peak=$(awk '/smtpd\[[0-9]+\]: connect from/ { n++ } /smtpd\[[0-9]+\]: disconnect from/ { n-- }
    n > m { m = n } END { print m + 0 }' "$T/p1/maillog")

# one pass over the sink: Message-IDs once each, bodies and labels as calnorm's
find "$T/sink" -type f -print0 | xargs -0 perl -e '
	my ($want, $run, $n) = (shift, shift, shift);
	my (%seen, %tpl, $bad, $dup, $other);
	sub slurp { local $/; open(my $f, "<", $_[0]) or die "$_[0]: $!"; <$f> }
	sub split_msg {	# headers (unfolded) and body of LF text
		my ($h, $b) = split(/\n\n/, $_[0], 2);
		$h =~ s/\n[ \t]+/ /g;
		my %v;
		for (split /\n/, $h) { my ($k, $x) = /^([^:]+):\s*(.*)$/ or next;
			$v{lc $k} //= $x }
		return (\%v, $b // "");
	}
	for my $file (@ARGV) {
		my $d = slurp($file);
		$d =~ s/^.*?\(smtp-sink\) with [^\n]*\n[^\n]*\n//s;	# envelope, Received
		$d =~ s/\n\z//;						# the dump s extra line
		my ($h, $b) = split_msg($d);
		my ($i, $k) = ($h->{"message-id"} // "") =~ /^<load-(\d+)-(\d+)-\Q$run\E\@/
		    or do { $other++; next };
		$dup++ if $seen{$i}++;
		$tpl{$k} //= [ split_msg(slurp("$want/$k")) ];
		my ($wh, $wb) = @{ $tpl{$k} };
		my $why = $b ne $wb ? "body" :
		    ($h->{"content-type"} // "") ne ($wh->{"content-type"} // "") ? "Content-Type" :
		    ($h->{"x-calmilter"} // "") ne ($wh->{"x-calmilter"} // "") ? "X-Calmilter" : "";
		if ($why ne "") { $bad++; print "differs ($why): $file (template $k)\n" if $bad <= 5 }
	}
	my $missing = grep { !$seen{$_} } 1 .. $n;
	printf "sink: %d messages, %d distinct ids, %d duplicates, %d missing, %d foreign, %d differ from calnorm\n",
	    scalar(@ARGV), scalar(keys %seen), $dup // 0, $missing, $other // 0, $bad // 0;
	exit(($dup || $missing || $other || $bad) ? 1 : 0);
' "$T/want" "$RUN" "$N" >"$T/verify.out" || fail "$(cat "$T/verify.out" | tr '\n' ';')"
say "load: $(tail -n 1 "$T/verify.out")"
say "load: $sessions SMTP sessions into the front, at most $peak at once"
((peak > 1)) || fail "sessions never ran in parallel"
changed=$(grep -c 'action=changed' "$T/calmilter.log" || true)
say "load: calmilter logged $changed changed messages"

if ((FAILS)); then
	say "load: $FAILS checks failed, $((SECONDS - T0)) s"
	exit 1
fi
say "load: passed: $N messages exactly once, bodies as calnorm's, RSS +$((rss1 - rss0)) kB, descriptors $fd0 = $fd1, $((SECONDS - T0)) s"
