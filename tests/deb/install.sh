#!/bin/bash
# tests/deb/install.sh - install build/calmilter_*.deb, check, purge, check
#
# For a throwaway Debian 12 (it installs and purges a system package and a
# system user), e.g.
#   ../shared/tools/fresh bash -c 'make deb && tests/deb/install.sh'
# It refuses to run unless CI=true (fresh sets it) or DEB_TEST_FORCE=1.
#
# A chroot has no systemd, so "the unit brings the daemon up" is checked as
# far as it can be without one: the unit is installed and enabled (its
# multi-user.target.wants link), and its ExecStart, run as its User, reads
# the packaged configuration (calmilter -n) and serves milter connections
# on the packaged socket (inet:8895@127.0.0.1) until SIGTERM. Where
# systemd-analyze exists, the unit is verified too.
#
# Installed: binaries, /etc/calmilter/calmilter.conf as a conffile, the
# unit, the three man pages, the system user calmilter (no login, no home).
# Purged: every file of the package gone, /etc/calmilter gone, the enable
# link gone, the user and its group gone.
set -u
cd "$(dirname "$0")/../.."
[[ ${CI:-} == true || ${DEB_TEST_FORCE:-} == 1 ]] || {
	echo "install.sh: installs and purges a system package; run it on a" \
	    "throwaway machine (CI=true or DEB_TEST_FORCE=1)" >&2
	exit 2
}
[[ $(id -u) == 0 ]] || { echo "install.sh: run as root" >&2; exit 2; }
shopt -s nullglob
debs=(build/calmilter_*.deb)
((${#debs[@]} == 1)) || { echo "install.sh: want one build/calmilter_*.deb (make deb)" >&2; exit 2; }
DEB=${debs[0]}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
fail=0
bad() { echo "FAIL $*"; fail=1; }
ok() { echo "ok   $*"; }
UNIT=/lib/systemd/system/calmilter.service
WANTS=/etc/systemd/system/multi-user.target.wants/calmilter.service

# ---- install ------------------------------------------------------------------
getent passwd calmilter >/dev/null && bad "user calmilter exists before the install"
echo "installing $DEB"
apt-get install -y -qq "./$DEB" >/tmp/deb-install.log 2>&1 ||
    { cat /tmp/deb-install.log; bad "apt-get install"; exit 1; }
dpkg-query -W -f='${Status} ${Version}\n' calmilter | grep -q '^install ok installed' &&
    ok "installed: $(dpkg-query -W -f='${Package} ${Version}' calmilter)" || bad "dpkg status"
FILES=$(dpkg -L calmilter)

for f in /usr/sbin/calmilter /usr/bin/calnorm /etc/calmilter/calmilter.conf "$UNIT" \
    /usr/share/man/man8/calmilter.8.gz /usr/share/man/man1/calnorm.1.gz \
    /usr/share/man/man5/calmilter.conf.5.gz; do
	[[ -f $f ]] || bad "missing $f"
done
ok "files: binaries, configuration, unit, man pages"
grep -qx /etc/calmilter/calmilter.conf /var/lib/dpkg/info/calmilter.conffiles &&
    ok "conffile /etc/calmilter/calmilter.conf" || bad "calmilter.conf is not a conffile"

IFS=: read -r _ _ uid gid _ home shell < <(getent passwd calmilter) ||
    bad "no user calmilter"
if [[ -n ${uid:-} ]]; then
	((uid < 1000)) && [[ $shell == */nologin || $shell == /bin/false ]] &&
	    [[ ! -e $home || $home == /nonexistent ]] &&
	    [[ $(getent group calmilter | cut -d: -f3) == "$gid" ]] &&
	    ok "system user calmilter (uid $uid, group calmilter, $shell, $home)" ||
	    bad "user calmilter: uid $uid gid $gid home $home shell $shell"
fi

[[ -L $WANTS && $(readlink -f "$WANTS") == "$UNIT" ]] &&
    ok "unit enabled ($WANTS)" || bad "unit not enabled: no $WANTS"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$UNIT" && ok "systemd-analyze verify" ||
	    bad "systemd-analyze verify $UNIT"
fi

# the unit's ExecStart, as its User
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
user=$(sed -n 's/^User=//p' "$UNIT")
[[ $exec_start == "/usr/sbin/calmilter -f -c /etc/calmilter/calmilter.conf" && $user == calmilter ]] ||
    bad "unexpected unit: ExecStart=$exec_start User=$user"
read -r -a argv <<<"$exec_start"
# as systemd starts it: that user, its group and supplementary groups
as_unit() { setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; }
if as_unit "${argv[0]}" -n -c /etc/calmilter/calmilter.conf >/tmp/deb-n.out 2>&1 &&
    grep -qx 'Socket inet:8895@127.0.0.1' /tmp/deb-n.out; then
	ok "calmilter -n as $user: $(grep -c . /tmp/deb-n.out) settings, Socket inet:8895@127.0.0.1"
else
	bad "calmilter -n: $(cat /tmp/deb-n.out)"
fi
as_unit "${argv[@]}" >/tmp/deb-fg.log 2>&1 &
pid=$!
up=0
for ((i = 0; i < 50; i++)); do
	(exec 3<>/dev/tcp/127.0.0.1/8895) 2>/dev/null && { up=1; break; }
	sleep 0.2
done
if ((up)) && kill -0 "$pid" 2>/dev/null; then
	ok "ExecStart serves 127.0.0.1:8895, uid $(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
else
	bad "ExecStart did not listen on 8895: $(cat /tmp/deb-fg.log)"
fi
# a milter session: SMFIC_OPTNEG (version 6, all actions and protocol
# steps); calmilter answers with its own OPTNEG
if (exec 3<>/dev/tcp/127.0.0.1/8895 &&
    printf '\0\0\0\015O\0\0\0\006\0\0\001\377\0\037\377\377' >&3 &&
    head -c 5 <&3 | od -An -c | grep -q O) 2>/dev/null; then
	ok "milter negotiation answered"
else
	bad "no answer to a milter negotiation"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
st=$?
[[ $st == 0 ]] && ok "SIGTERM: exit 0" || bad "exit $st after SIGTERM: $(tail -n 3 /tmp/deb-fg.log)"

# ---- purge --------------------------------------------------------------------
apt-get purge -y -qq calmilter >/tmp/deb-purge.log 2>&1 ||
    { cat /tmp/deb-purge.log; bad "apt-get purge"; exit 1; }
dpkg-query -W -f='${Status}\n' calmilter 2>/dev/null | grep -q 'installed' &&
    bad "still installed after purge" || ok "purged"
left=""
for f in $FILES; do
	[[ $f == / || -d $f ]] && continue
	[[ -e $f || -L $f ]] && left+=" $f"
done
[[ -z $left ]] && ok "every file of the package gone" || bad "left behind:$left"
[[ ! -e /etc/calmilter ]] && ok "/etc/calmilter gone" || bad "/etc/calmilter remains"
[[ ! -e $WANTS && ! -L $WANTS ]] && ok "enable link gone" || bad "$WANTS remains"
! getent passwd calmilter >/dev/null && ! getent group calmilter >/dev/null &&
    ok "user and group calmilter gone" || bad "user or group calmilter remains"

((fail)) && echo "install.sh: FAILED" || echo "install.sh: all ok"
exit $fail
