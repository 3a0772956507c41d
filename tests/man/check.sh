#!/bin/bash
# tests/man/check.sh - the man pages are clean and name everything there is
#
#   * mandoc -T lint finds nothing in calmilter(8), calnorm(1) and
#     calmilter.conf(5), style included. Only "referenced manual not found"
#     is let through: whether postconf(5) or sendmail(8) is installed says
#     nothing about the pages.
#   * every key the parser accepts (build/calmilter -n prints them all)
#     has its item in calmilter.conf(5);
#   * every finding id the sources can emit (a string literal "R-..." or
#     "N-...") and the ids that are not rules have their item in the RULES
#     section of calmilter(8) -- other helpers add rules: this fails when
#     one is not documented;
#   * every option of the usage lines of calmilter -h and calnorm --help
#     appears in its page.
# tests/unit/test_man.c checks the key list against the table itself and
# every rule id of ical/rules.c's table.
set -u
cd "$(dirname "$0")/../.."
CALMILTER=${CALMILTER:-build/calmilter}
CALNORM=${CALNORM:-build/calnorm}
D8=milter/calmilter.8
D1=milter/calnorm.1
D5=conf/calmilter.conf.5
fail=0
bad() { echo "man: $*"; fail=1; }

command -v mandoc >/dev/null || { echo "man: missing mandoc (apt-get install mandoc)"; exit 2; }
out=$(mandoc -T lint -W style "$D8" "$D1" "$D5" 2>&1 |
    grep -v -e 'STYLE: referenced manual not found' -e 'mandoc.db lacks')
[ -z "$out" ] || bad "mandoc -T lint:"$'\n'"$out"

keys=$("$CALMILTER" -n -c /dev/null | awk '{ print $1 }')
[ -n "$keys" ] || bad "$CALMILTER -n printed no keys"
for k in $keys; do
	grep -qF ".It Ic $k " "$D5" || bad "key $k is not in $D5 (make conf-example)"
done

rules=$(sed -n '/^\.Sh RULES$/,/^\.Sh /p' "$D8")
ids=$(grep -ohE '"(R-[A-Z0-9]+-[0-9]+|N-[0-9]+)[":]' ical/*.[ch] mime/*.[ch] milter/*.[ch] |
    tr -d '":' | sort -u)
for id in $ids LIMIT PARSE CHECK ERROR; do
	grep -qx "\.It $id" <<<"$rules" || bad "finding id $id has no item in the RULES of $D8"
done

# options: "-abc" clusters and "--long" words of a usage line
opts() {
	grep -oE '\[-[A-Za-z]+|--[a-z][a-z-]*|\[-[A-Za-z] ' <<<"$1" | tr -d '[ ' |
	    while read -r o; do
		case $o in
		--*) echo "${o#-}" ;;
		*) o=${o#-}; for ((i = 0; i < ${#o}; i++)); do echo "${o:i:1}"; done ;;
		esac
	    done
}
u8=$("$CALMILTER" -h)
u1=$("$CALNORM" --help)
[[ $u8 == usage:* && $u1 == usage:* ]] || bad "no usage line from -h / --help"
for o in $(opts "$u8"); do
	grep -qE "^\.(It|Op) Fl $o( |$)" "$D8" || bad "calmilter -$o is not described in $D8"
done
for o in $(opts "$u1") -help -version; do
	grep -qE "^\.It Fl $o( |$)" "$D1" || bad "calnorm -$o is not described in $D1"
done
[ $fail -eq 0 ] && echo "man: ok (3 pages, $(wc -w <<<"$keys") keys, $(wc -w <<<"$ids") finding ids)"
exit $fail
