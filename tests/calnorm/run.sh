#!/bin/bash
# tests/calnorm/run.sh - calnorm --diff, the "try it on your own mail" tool
#
#   a  the broken e2e invite: exit 1, one diff for part 1.2 whose old side
#      is the part as it stands in the file (labels, empty line, text) and
#      whose new side is the part of calnorm's own output, base64 undone
#   b  the same invite with its calendar in base64: the old side is the
#      decoded text, the new side the same text as in a
#   c  plain mail and a signed invite: exit 0, nothing written
#   d  a bare object: labelled "object"; one whose only change is its line
#      ends: nothing on stdout, a line on stderr, exit 1
#   e  Mode report in the configuration: the same diff as Mode rewrite
#   f  --check with --diff is a usage error
set -u
cd "$(dirname "$0")/../.."
CALNORM=${CALNORM:-build/calnorm}
FIX=tests/fixtures/e2e
T=$(mktemp -d /tmp/calnorm-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C
fail=0
bad() { echo "FAIL $1: $2"; fail=1; }
ok() { echo "PASS $1"; }

# side DIFF CHAR: the text of one side of a one-hunk diff (' ' and CHAR lines)
side() {
	awk -v c="$2" 'h && (substr($0, 1, 1) == " " || substr($0, 1, 1) == c) {
	    print substr($0, 2) } /^@@ / { h++ }' "$1"
}
hunks() { grep -c '^@@ ' "$1"; }
# text: what follows the labels and their empty line
text() { awk 'b { print } /^$/ { b = 1 }'; }

# the calendar part of the fixture as it stands: labels, empty line, text
awk '/^Content-Type: text\/calendar/ { p = 1 } p && /^------=_Part/ { exit }
    p { sub(/\r$/, ""); print }' "$FIX/broken-invite.eml" >"$T/old"
# drop the empty line before the boundary: it belongs to the delimiter
sed -i '$ { /^$/d }' "$T/old"

# a
"$CALNORM" --diff "$FIX/broken-invite.eml" >"$T/a.diff" 2>"$T/a.err"
rc=$?
"$CALNORM" "$FIX/broken-invite.eml" >"$T/a.out"
awk '/^Content-Type: text\/calendar/ { p = 1 } p && /^------=_Part/ { exit }
    p { sub(/\r$/, ""); print }' "$T/a.out" >"$T/a.part"
{
	awk '/^$/ { exit } { print }' "$T/a.part"
	echo
	awk 'b { print } /^$/ { b = 1 }' "$T/a.part" | base64 -d | sed 's/\r$//'
} >"$T/new"
if [[ $rc != 1 ]]; then
	bad a "exit $rc, want 1 ($(cat "$T/a.err"))"
elif [[ $(head -n 2 "$T/a.diff") != $'--- part 1.2, as received\n+++ part 1.2, as calmilter relays it' ]]; then
	bad a "labels: $(head -n 2 "$T/a.diff")"
elif [[ $(hunks "$T/a.diff") != 1 ]]; then
	bad a "$(hunks "$T/a.diff") hunks, want 1 covering the part"
elif ! cmp -s <(side "$T/a.diff" -) "$T/old"; then
	bad a "old side is not the part as received: diff $T/old"
elif ! cmp -s <(side "$T/a.diff" +) "$T/new"; then
	bad a "new side is not the part calnorm writes"
else
	ok "a (broken invite: $(grep -c '^[-+][^-+]' "$T/a.diff") lines changed)"
fi

# b
awk -v b64="$(awk 'b { print } /^$/ { b = 1 }' "$T/old" |
    sed 's/$/\r/' | base64 -w 76 | sed 's/$/\\r/' | tr -d '\n')" '
    /^Content-Transfer-Encoding: 8bit/ && !done {
	print "Content-Transfer-Encoding: base64\r"; print "\r"
	gsub(/\\r/, "\r\n", b64); printf "%s", b64; skip = 1; done = 1; next }
    skip && /^------=_Part/ { skip = 0; print "\r" }
    !skip { print }' "$FIX/broken-invite.eml" >"$T/b.eml"
"$CALNORM" --diff "$T/b.eml" >"$T/b.diff" 2>"$T/b.err"
rc=$?
if [[ $rc != 1 ]]; then
	bad b "exit $rc, want 1 ($(cat "$T/b.err"))"
elif ! cmp -s <(side "$T/b.diff" - | text) <(text <"$T/old"); then
	bad b "old side is not the decoded text: $(side "$T/b.diff" - | head -n 5)"
elif ! cmp -s <(side "$T/b.diff" + | text) <(text <"$T/new"); then
	bad b "new side is not the text calnorm writes"
else
	ok "b (base64 part decoded)"
fi

# c
for f in plain signed-invite; do
	"$CALNORM" --diff "$FIX/$f.eml" >"$T/c.diff" 2>"$T/c.err"
	rc=$?
	if [[ $rc != 0 || -s $T/c.diff ]]; then
		bad "c-$f" "exit $rc, $(wc -c <"$T/c.diff") bytes written"
	else
		ok "c-$f (nothing to show)"
	fi
done

# d
printf 'BEGIN:VCALENDAR\nPRODID:-//t//t//EN\nMETHOD:PUBLISH\nBEGIN:VEVENT\nUID:1@t\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nSUMMARY:t\nEND:VEVENT\nEND:VCALENDAR\n' >"$T/d1.ics"
"$CALNORM" --diff "$T/d1.ics" >"$T/d1.diff" 2>"$T/d1.err"
rc=$?
if [[ $rc != 1 ]] || ! grep -qx '+++ object, as calmilter relays it' "$T/d1.diff" ||
    ! grep -qx '+VERSION:2.0' "$T/d1.diff"; then
	bad d-object "exit $rc: $(head -n 8 "$T/d1.diff")"
else
	ok "d-object"
fi
sed '2i VERSION:2.0' "$T/d1.ics" >"$T/d2.ics"
"$CALNORM" --diff "$T/d2.ics" >"$T/d2.diff" 2>"$T/d2.err"
rc=$?
if [[ $rc != 1 || -s $T/d2.diff ]] ||
    ! grep -qx 'calnorm: object: only its line ends change' "$T/d2.err"; then
	bad d-eol "exit $rc; stdout $(wc -c <"$T/d2.diff") bytes; stderr: $(cat "$T/d2.err")"
else
	ok "d-eol (line ends only: named on stderr)"
fi

# e
printf 'Mode report\n' >"$T/report.conf"
"$CALNORM" -c "$T/report.conf" --diff "$FIX/broken-invite.eml" >"$T/e.diff"
rc=$?
if [[ $rc != 1 ]] || ! cmp -s "$T/e.diff" "$T/a.diff"; then
	bad e "exit $rc; diff under Mode report differs from Mode rewrite's"
else
	ok "e (Mode report: what rewrite would do)"
fi

# f
"$CALNORM" --check --diff "$FIX/plain.eml" >/dev/null 2>&1
rc=$?
if [[ $rc != 2 ]]; then bad f "exit $rc, want 2"; else ok "f (--check --diff: usage)"; fi

exit $fail
