#!/bin/bash
# lint.sh - the house rules a compiler does not check (aesthetics.md):
#   arrows one way: milter/ -> mime/ -> ical/, conf/ read by milter/ only;
#   only milter/ speaks libmilter, only mime/ GMime, ical/ no GLib at all;
#   no banned calls; calmilter never rejects or discards mail;
#   no function longer than 80 lines (40 is the aim: longer ones are listed).
set -u
cd "$(dirname "$0")/.."
fail=0
bad() { echo "lint: $*"; fail=1; }

# includes DIR PATTERN - lines of DIR's sources that include PATTERN
includes() { grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]$2" \
	"$1"/*.c "$1"/*.h 2>/dev/null; }

for p in 'libmilter' 'gmime' 'glib' '\.\./mime/' '\.\./milter/' '\.\./conf/'; do
	out=$(includes ical "$p") && bad "ical/ must not include $p:"$'\n'"$out"
done
for p in 'libmilter' '\.\./milter/' '\.\./conf/'; do
	out=$(includes mime "$p") && bad "mime/ must not include $p:"$'\n'"$out"
done
for p in 'libmilter' 'gmime' '\.\./ical/' '\.\./mime/' '\.\./milter/'; do
	out=$(includes conf "$p") && bad "conf/ must not include $p:"$'\n'"$out"
done
out=$(includes milter 'gmime') && bad "milter/ must reach GMime through mime/ only:"$'\n'"$out"

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atoll|alloca)\('
out=$(grep -nE "$banned" ical/*.[ch] mime/*.[ch] milter/*.[ch] conf/*.[ch]) &&
	bad "banned calls (use snprintf, strtol with endptr, ...):"$'\n'"$out"
out=$(grep -nE 'SMFIS_(REJECT|DISCARD)' milter/*.[ch]) &&
	bad "calmilter never rejects or discards mail:"$'\n'"$out"

if command -v ctags >/dev/null; then
	lens=$(ctags -R --languages=C --kinds-C=f --fields=+ne -x \
	    --_xformat='%{end} %{line} %N %F' ical mime milter conf 2>/dev/null |
	    awk '{ print $1 - $2 + 1, $3, $4 }' | sort -rn)
	out=$(awk '$1 > 80' <<<"$lens") && [ -n "$out" ] &&
		bad "functions over 80 lines:"$'\n'"$out"
	long=$(awk '$1 > 40' <<<"$lens")
	[ -n "$long" ] && echo "lint: over 40 lines (allowed, but split when you touch them):" &&
		sed 's/^/  /' <<<"$long"
else
	bad "ctags (universal-ctags) is needed for the function-length check"
fi
[ $fail -eq 0 ] && echo "lint: ok"
exit $fail
