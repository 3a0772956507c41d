# tests/lib/postfix.sh - private Postfix instances on loopback for the
# tests that need real MTAs (tests/load/run.sh). Sourced, not run.
#
# The set-up is the one tests/e2e/postfix.sh found by trying (see its
# header for why each setting is there): `postfix -c DIR` as root, every
# service with chroot "n", maillog_file inside the test's directory,
# relayhost [127.0.0.1]:PORT, no DNS; and smtputf8_enable = no, so that a
# message with raw UTF-8 headers is not bounced by smtp-sink, which offers
# no SMTPUTF8. Everything lives under $T, which
# the caller creates (chmod 755) and removes; STARTED_INSTANCES lists what
# pf_stop_all must stop.
#
# Needs: T (the test's directory), die (prints and exits).

STARTED_INSTANCES=()

# pf_alive PID: the process exists and is not a zombie
pf_alive() {
	local st
	[[ -r /proc/$1/stat ]] || return 1
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[[ $st != Z ]]
}

# pf_stop_pid PID: TERM, wait up to 5 s, then KILL
pf_stop_pid() {
	local pid=$1 i
	pf_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		pf_alive "$pid" || break
		sleep 0.1
	done
	pf_alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# pf_instance_pids DIR: processes of the instance configured in DIR
pf_instance_pids() {
	local p
	for p in /proc/[0-9]*; do
		if grep -qzxF -e "MAIL_CONFIG=$1" "$p/environ" 2>/dev/null; then
			printf '%s\n' "${p#/proc/}"
		fi
	done
}

pf_stop_instance() {
	local dir=$1 pid
	timeout 20 postfix -c "$dir" stop >>"$T/postfix-ctl.log" 2>&1 || true
	for pid in $(pf_instance_pids "$dir"); do
		[[ $pid == "$$" ]] && continue
		pf_stop_pid "$pid"
	done
}

pf_stop_all() {
	local inst
	for inst in "${STARTED_INSTANCES[@]}"; do
		pf_stop_instance "$inst"
	done
	STARTED_INSTANCES=()
}

# pf_wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds
pf_wait_for() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	while ! "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

pf_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pf_pick_ports N: N distinct free loopback ports in PORTS
pf_pick_ports() {
	local n=$1 p tries=0
	PORTS=()
	p=$((20000 + RANDOM % 30000))
	while ((${#PORTS[@]} < n)); do
		((tries++ < 500)) || die "no free ports"
		p=$((p + 1))
		pf_listening "$p" && continue
		PORTS+=("$p")
	done
}

# pf_settle DIR: date main.cf/master.cf back (Postfix distrusts a table
# modified in the current second and re-reads it for up to 2 s)
pf_settle() { touch -d '-5 seconds' "$1/main.cf" "$1/master.cf"; }

# pf_make_instance NAME HOSTNAME SMTPD_PORT NEXTHOP_PORT [main.cf lines]
pf_make_instance() {
	local name=$1 host=$2 port=$3 next=$4 extra=${5:-}
	local d=$T/$name warn
	mkdir -p "$d/etc" "$d/queue"
	cat >"$d/etc/main.cf" <<-EOF2
	# private instance "$name" of a calmilter test
	compatibility_level = 3.6
	queue_directory = $d/queue
	data_directory = $d/data
	syslog_name = calmilter-test-$name
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
	smtputf8_enable = no
	biff = no
	in_flow_delay = 0
	minimal_backoff_time = 2s
	maximal_backoff_time = 4s
	queue_run_delay = 2s
	delay_warning_time = 0
	smtp_connect_timeout = 5s
	smtpd_timeout = 30s
	$extra
	EOF2
	cat >"$d/etc/master.cf" <<-EOF2
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
	EOF2
	pf_settle "$d/etc"
	warn=$(postconf -c "$d/etc" -n 2>&1 >/dev/null) || true
	[[ -z $warn ]] || die "postconf complains about $name's main.cf: $warn"
}

# pf_start_instances NAME PORT ...: start in parallel, wait for smtpd
pf_start_instances() {
	local -a pids=() names=() ports=()
	local i
	while (($#)); do
		names+=("$1"); ports+=("$2"); shift 2
		STARTED_INSTANCES+=("$T/${names[-1]}/etc")
		postfix -c "$T/${names[-1]}/etc" start >>"$T/postfix-ctl.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" || die "postfix start failed for ${names[i]} (see $T/postfix-ctl.log)"
	done
	for i in "${!ports[@]}"; do
		pf_wait_for 15 pf_listening "${ports[i]}" ||
		    die "Postfix ${names[i]} not listening on ${ports[i]}"
	done
}

# pf_queue_count DIR: messages in an instance's queue (any state)
pf_queue_count() {
	local q
	q=$(postconf -c "$1" -h queue_directory)
	find "$q/maildrop" "$q/incoming" "$q/active" "$q/deferred" "$q/hold" \
	    "$q/corrupt" -type f 2>/dev/null | wc -l
}

# pf_sink_message DUMP: an smtp-sink dump file as the message relayed (LF
# lines), without smtp-sink's envelope lines, its Received: header and the
# dump's trailing empty line
pf_sink_message() {
	awk 'state == 0 { if ($0 ~ /\(smtp-sink\) with /) state = 1; next }
	    state == 1 { state = 2; next }
	    { if (have) print prev; prev = $0; have = 1 }' "$1"
}
