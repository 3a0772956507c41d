#!/bin/bash
# tests/fuzz/run.sh - run or replay the fuzz targets of calmilter
#
#   run.sh fuzz BDIR SECONDS TARGET...   fuzz each target for SECONDS with
#                                        libFuzzer (BDIR/fuzz/fuzz_TARGET)
#   run.sh replay BDIR TARGET...         run every stored crash fixture
#                                        (tests/fuzz/crashes/TARGET/*) and
#                                        the fixtures once through each
#                                        target (libFuzzer or standalone)
#
# Seeds come from ../shared/corpus and tests/fixtures, picked by kind; each
# target keeps what it learns in BDIR/corpus/TARGET (make fuzz resumes from
# it; the seeds are never written). A crash, leak, sanitizer report, broken
# contract (the targets abort) or an input slower than FUZZ_TIMEOUT seconds
# fails the run: the input is in BDIR/artifacts/TARGET/ and the log in
# BDIR/logs/TARGET.log. Keep the input as a regression fixture:
#   cp BDIR/artifacts/TARGET/crash-... tests/fuzz/crashes/TARGET/WHAT
# and fix the bug; every fixture there is replayed by make check.
#
# Environment: CORPUS (default ../shared/corpus), FUZZ_TIMEOUT (25),
# FUZZ_MAX_LEN (100000), FUZZ_ARGS (more libFuzzer options).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/fuzz
corpus=${CORPUS:-$top/../shared/corpus}
timeout=${FUZZ_TIMEOUT:-25}
max_len=${FUZZ_MAX_LEN:-100000}

die() { echo "fuzz: $*" >&2; exit 2; }

# is_vcal FILE: a vCalendar 1.0 object (VERSION:1.0 in its first lines)
is_vcal() { head -c 4096 "$1" | tr -d '\r' | grep -qix 'VERSION:1.0'; }

# seed_files TARGET: the seed inputs of a target, one path a line
seed_files() {
	local f
	case $1 in
	ical)
		for f in "$corpus"/ics/* "$top"/tests/fixtures/ical/*; do
			is_vcal "$f" || echo "$f"
		done ;;
	vcal)
		for f in "$corpus"/ics/* "$top"/tests/fixtures/ical/*; do
			is_vcal "$f" && echo "$f"
		done ;;
	vcard) ls -d "$corpus"/vcf/* ;;
	lex) ls -d "$corpus"/ics/* "$corpus"/vcf/* "$top"/tests/fixtures/ical/* ;;
	mime) ls -d "$corpus"/eml/* "$top"/tests/fixtures/mime/* \
	    "$top"/tests/fixtures/e2e/* "$top"/tests/milter/*.eml ;;
	*) die "unknown target $1" ;;
	esac
	[ -d "$here/crashes/$1" ] && find "$here/crashes/$1" -type f
	return 0
}

# fixture_files TARGET: the (small) fixtures replayed with the crashes
fixture_files() {
	case $1 in
	mime) ls -d "$top"/tests/fixtures/mime/* "$top"/tests/fixtures/e2e/* ;;
	*) ls -d "$top"/tests/fixtures/ical/* ;;
	esac
}

# dict TARGET: the dictionary file of a target
dict() {
	if [ "$1" = mime ]; then
		cat "$here/mime.dict" "$here/cal.dict" >"$bdir/mime.dict"
		echo "$bdir/mime.dict"
	else
		echo "$here/cal.dict"
	fi
}

# fuzz_one TARGET: returns non-zero when libFuzzer found something
fuzz_one() {
	local t=$1 bin=$bdir/fuzz/fuzz_$1 seeds=$bdir/seeds/$1 rc
	[ -x "$bin" ] || die "missing $bin (make fuzz-build)"
	rm -rf "$seeds"
	mkdir -p "$seeds" "$bdir/corpus/$t" "$bdir/artifacts/$t" "$bdir/logs"
	seed_files "$t" | while IFS= read -r f; do
		[ -f "$f" ] && ln -sf "$f" "$seeds/$(echo "$f" | md5sum | cut -c1-16)"
	done
	"$bin" -max_total_time="$seconds" -timeout="$timeout" \
	    -rss_limit_mb=2048 -max_len="$max_len" -dict="$(dict "$t")" \
	    -artifact_prefix="$bdir/artifacts/$t/" -print_final_stats=1 \
	    ${FUZZ_ARGS:-} "$bdir/corpus/$t" "$seeds" >"$bdir/logs/$t.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL fuzz_$t (exit $rc); log $bdir/logs/$t.log:"
		grep -E 'ERROR|SUMMARY|fuzz: |runtime error|Test unit written' \
		    "$bdir/logs/$t.log" | head -n 20 | sed 's/^/   /'
		tail -n 40 "$bdir/logs/$t.log" | sed 's/^/   | /'
		echo "   keep it: cp $bdir/artifacts/$t/<file> tests/fuzz/crashes/$t/<what>"
		return 1
	fi
	echo "ok   fuzz_$t: $(grep -m1 -o 'Done [0-9]* runs in [0-9]* second' \
	    "$bdir/logs/$t.log"); $(grep -o 'cov: [0-9]* ft: [0-9]*' \
	    "$bdir/logs/$t.log" | tail -n 1); corpus $(ls "$bdir/corpus/$t" | wc -l)"
}

# replay_one TARGET: every crash fixture and the fixtures, once each
replay_one() {
	local t=$1 bin=$bdir/fuzz/fuzz_$1 list n
	[ -x "$bin" ] || die "missing $bin"
	list=$(mktemp)
	{ fixture_files "$t"
	  [ -d "$here/crashes/$t" ] && find "$here/crashes/$t" -type f
	} | sort >"$list"
	n=$(wc -l <"$list")
	# one process for all files (a libFuzzer binary runs each file given)
	if ! xargs -d '\n' "$bin" <"$list" >"$list.log" 2>&1; then
		echo "FAIL replay fuzz_$t ($bin):"
		grep -E 'Running|ERROR|SUMMARY|fuzz: |runtime error' "$list.log" |
		    tail -n 20 | sed 's/^/   /'
		rm -f "$list" "$list.log"
		return 1
	fi
	echo "ok   replay fuzz_$t: $n inputs ($(find "$here/crashes/$t" -type f \
	    2>/dev/null | wc -l) crash fixtures)"
	rm -f "$list" "$list.log"
}

[ $# -ge 2 ] || die "usage: run.sh fuzz BDIR SECONDS TARGET... | replay BDIR TARGET..."
mode=$1 bdir=$2
shift 2
case $mode in
fuzz) seconds=$1; shift ;;
replay) ;;
*) die "unknown mode $mode" ;;
esac
[ -d "$corpus" ] || die "no corpus at $corpus"
failed=0 passed=0
for t in "$@"; do
	if "${mode}_one" "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz $mode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
