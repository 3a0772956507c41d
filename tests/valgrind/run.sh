#!/bin/bash
# tests/valgrind/run.sh - the whole corpus through the pipeline under
# valgrind memcheck, in ONE process (build/tests/valgrind_batch): every
# file of ../shared/corpus (eml, ics, vcf) and of tests/fixtures (mime,
# ical, e2e). Passes with zero errors and zero definitely lost blocks.
#
# No suppression file is used: none is needed today. If a library's
# one-time allocation ever needs one, add tests/valgrind/calmilter.supp
# with a comment per entry saying why it is not ours, and pass it here.
#
# Environment: CORPUS (default ../shared/corpus), BATCH (the binary),
# VALGRIND_ARGS (more valgrind options, e.g. --track-origins=yes).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CORPUS:-$top/../shared/corpus}
batch=${BATCH:-$top/build/tests/valgrind_batch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$batch" ] || { echo "valgrind: missing $batch" >&2; exit 2; }
find "$corpus"/eml "$corpus"/ics "$corpus"/vcf "$top"/tests/fixtures/mime \
    "$top"/tests/fixtures/ical "$top"/tests/fixtures/e2e -type f |
    sort >"$tmp/list"
[ -s "$tmp/list" ] || { echo "valgrind: no input files" >&2; exit 2; }
t0=$SECONDS
valgrind --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --num-callers=30 ${VALGRIND_ARGS:-} \
    "$batch" <"$tmp/list" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
if [ $rc -ne 0 ]; then
	echo "valgrind: FAILED (exit $rc); first reports:"
	head -n 120 "$tmp/err"
	exit 1
fi
echo "valgrind: $(wc -l <"$tmp/list") files in one process, 0 errors, 0 definite leaks, $((SECONDS - t0)) s"
