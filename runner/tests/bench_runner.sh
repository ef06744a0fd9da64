#!/bin/sh
# bench-runner: median wall time of `chanlings check` on a passing
# exercise, plain, with the ThreadSanitizer pass, and with both sanitizer
# passes (race + memory), on a scratch copy of the workbook (the build
# cache warmed by one run first, as a learner's re-check would find it).
# Targets: 0.5 s plain, 1.5 s with the race pass, 2 s with both.
# The memory pass fails on a grader that leaks its own allocations; the
# bench then says so and times the runs anyway.
#   sh runner/tests/bench_runner.sh [path/to/chanlings]   (from the root)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/chanlings}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
runs=${BENCH_RUNS:-7}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
. "$top/runner/tests/shipped.sh"
scratch_workbook "$top" "$scratch" || exit 1
export CHANLINGS_ROOT="$scratch" NO_COLOR=1
ex=$(basename "$(ls "$scratch"/exercises/01-*.c | head -n 1)" .c)
cp "$scratch/solutions/$ex.c" "$scratch/exercises/$ex.c"
lesson="$scratch/lessons/$ex.md"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# median RACE ASAN: prints the median milliseconds of $runs checks
median() {
    grep -v '^race:' "$lesson" | grep -v '^asan:' | sed "1a race: $1\nasan: $2" > "$lesson.new" &&
        mv "$lesson.new" "$lesson"
    if ! "$bin" check "$ex" >"$scratch/first.txt" 2>&1; then
        echo "check of $ex did not pass (race: $1, asan: $2):" >&2
        grep -m 3 -A 1 '✗\|FAIL' "$scratch/first.txt" >&2
        [ "$2" = true ] || return 1
    fi
    i=0; times=""
    while [ $i -lt "$runs" ]; do
        t0=$(now_ms); "$bin" check "$ex" >/dev/null 2>&1; t1=$(now_ms)
        times="$times $((t1 - t0))"; i=$((i + 1))
    done
    echo $times | tr ' ' '\n' | sort -n | sed -n "$(((runs + 1) / 2))p"
}
plain=$(median false false) || exit 1
race=$(median true false) || exit 1
both=$(median true true) || exit 1
# The same plain check without the jail (bwrap, seccomp): what it costs.
unjailed=$(CHANLINGS_SANDBOX=off median false false) || exit 1
printf 'chanlings check %s, median of %d (cache warm):\n' "$ex" "$runs"
printf '  plain:                    %5d ms   (target 500 ms)\n' "$plain"
printf '  with race pass:           %5d ms   (target 1500 ms)\n' "$race"
printf '  with race + memory pass:  %5d ms   (target 2000 ms)\n' "$both"
printf '  plain, no sandbox (CHANLINGS_SANDBOX=off): %5d ms\n' "$unjailed"
