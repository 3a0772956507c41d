#!/bin/bash
# tests/bench/run.sh - make bench: the machine, the commit and the inputs,
# then the table of tests/bench/bench_core.c (parts 1 and 2: the core
# against libical, the whole message in-process) and of tests/bench/e2e.sh
# (parts 3 and 4: through Postfix against no milter, memory).
#
#   tests/bench/run.sh          the full run (several minutes)
#   tests/bench/run.sh tiny     make check: a few iterations of each part,
#                               only to keep the bench building and working
#
# Never fails on timing. Environment: see e2e.sh (BENCH_MSGS, BENCH_ROUNDS,
# BENCH_SESSIONS, BENCH_MEM_MB), BENCH_CORE ("SCALE ROUNDS", default "1 5").

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
export LC_ALL=C

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
commit=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
echo "calmilter bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem RAM, Linux $(uname -r)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $commit; Postfix $(postconf -d -h mail_version 2>/dev/null || echo '?');" \
    "libical $(pkg-config --modversion libical 2>/dev/null || echo '?');" \
    "GMime $(pkg-config --modversion gmime-3.0 2>/dev/null || echo '?')"
echo "inputs: ../shared/corpus (files named below), tests/fixtures/e2e/broken-invite.eml," \
    "and messages and calendars built by the bench (named 'built')"
echo ""
if [[ ${1:-} == tiny ]]; then
	"$ROOT/$B/tests/bench_core" 0 1
	BENCH_TINY=1 "$ROOT/tests/bench/e2e.sh"
else
	# shellcheck disable=SC2086
	"$ROOT/$B/tests/bench_core" ${BENCH_CORE:-1 5}
	"$ROOT/tests/bench/e2e.sh"
fi
