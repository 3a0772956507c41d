#!/bin/bash
# run.sh - every file of the shared corpus through calnorm:
#   no crash (exit 0 within 30 s), the output re-parses and keeps every
#   other part (corpus_check), and normalizing the output changes nothing
#   (idempotence). Prints a summary of what changed and which rules fired.
#   Files are spread over all cores.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CORPUS:-$top/../shared/corpus}
export CALNORM=$top/build/calnorm CHECK=$top/build/tests/corpus_check
export TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT

# one FILE: prints "ok NAME", "changed NAME" or "FAIL NAME: why"; rule ids
# of the findings go to $TMPD/rules.$$
one() {
	local f=$1 name=${1##*/corpus/} out=$TMPD/out.$$ rc
	timeout 30 "$CALNORM" --report "$f" > "$out" 2> "$out.rep"
	rc=$?
	cut -d: -f1 "$out.rep" >> "$TMPD/rules.$$"
	if [ $rc -ne 0 ]; then echo "FAIL $name: calnorm exit $rc"; return; fi
	if ! "$CHECK" "$f" "$out" 2> "$out.why"; then
		echo "FAIL $name: $(cat "$out.why")"; return
	fi
	timeout 30 "$CALNORM" "$out" > "$out.2" 2>/dev/null
	if ! cmp -s "$out" "$out.2"; then echo "FAIL $name: not idempotent"; return; fi
	if cmp -s "$f" "$out"; then echo "ok $name"; else echo "changed $name"; fi
}
export -f one

# selftest: corpus_check accepts the one addition R-MIME-4 makes and
# nothing like it: the same output, tampered with, must be refused
selftest() {
	local fix=$top/tests/fixtures/mime/promote-plain.eml good=$TMPD/st.good
	local bad=0 name edit
	"$CALNORM" "$fix" > "$good" || return 1
	"$CHECK" "$fix" "$good" || { echo "FAIL selftest: the promoted message is refused"; return 1; }
	while IFS='|' read -r name edit; do
		sed -e "$edit" "$good" > "$TMPD/st.$name"
		cmp -s "$good" "$TMPD/st.$name" && { echo "FAIL selftest $name: no edit"; bad=1; continue; }
		if "$CHECK" "$fix" "$TMPD/st.$name" 2>/dev/null; then
			echo "FAIL selftest $name: corpus_check accepted it"; bad=1
		fi
	done <<-'EOF'
	text-changed|s/Please find the/Please FIND the/
	copy-differs|0,/^SUMMARY:Review/s//SUMMARY:Other/
	copy-is-attachment|s/^\(Content-Type: text\/calendar; charset=utf-8; method=REQUEST\)\r$/\1\r\nContent-Disposition: attachment\r/
	copy-is-publish|s/^Content-Type: text\/calendar; charset=utf-8; method=REQUEST/Content-Type: text\/calendar; charset=utf-8; method=PUBLISH/
	copy-is-text|s/^Content-Type: text\/calendar; charset=utf-8; method=REQUEST/Content-Type: text\/plain; charset=utf-8/
	EOF
	return $bad
}
if ! selftest; then echo "corpus: corpus_check self-test failed"; exit 1; fi

find "$corpus"/eml "$corpus"/ics "$corpus"/vcf -type f -print0 | sort -z |
    xargs -0 -n 8 -P "$(nproc)" bash -c 'for f; do one "$f"; done' _ \
    > "$TMPD/results"
total=$(wc -l < "$TMPD/results")
changed=$(grep -c '^changed ' "$TMPD/results")
failed=$(grep -c '^FAIL ' "$TMPD/results")
grep '^FAIL ' "$TMPD/results"
echo "corpus: $total files, $changed changed, $failed failed"
echo "findings by rule id:"
cat "$TMPD"/rules.* | sort | uniq -c | sort -rn | sed 's/^/  /'
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
