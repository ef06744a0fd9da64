#!/bin/sh
# Faults of the workbook and of a class's submissions, end to end on a
# scratch copy of the workbook (found through CHANLINGS_ROOT):
#   - .chanlings/state as a FIFO, a directory, a huge file: reported and
#     moved aside like a damaged file, never waited on; a big state of
#     distinct slugs reads in linear time;
#   - a full disk under the build cache is reported as such (root only:
#     it mounts a tiny tmpfs);
#   - `grade`: a student's dangling symlink, symlink to /etc/shadow,
#     FIFO, symlinked directory and a directory name that tries TAP
#     injection are that student's verdicts, never the batch's; the
#     Gradescope score never exceeds its tests.
# Every command runs under timeout(1), so a hang is a failure, not a stuck
# suite.  Last line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/chanlings}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${out:-}" ] && printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

[ -x "$bin" ] || { echo "faults_test: $bin is missing: run 'make runner'"; fail=1; finish; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-faults.XXXXXX")
mounted=
cleanup() {
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
. "$top/runner/tests/shipped.sh"
scratch_workbook "$top" "$scratch" ||
    { echo "faults_test: cannot copy the workbook into $scratch"; fail=1; finish; }
export CHANLINGS_ROOT="$scratch" NO_COLOR=1
cd "$scratch" || exit 1

# run NAME SECONDS ARGS...: chanlings under timeout; output in $out, status in $rc.
run() {
    name=$1 secs=$2; shift 2
    out=$(timeout -k 2 "$secs" "$bin" "$@" </dev/null 2>&1); rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then bad "$name: still running after ${secs}s"; fi
}
has() { if printf '%s\n' "$out" | grep -qF -- "$2"; then ok "$1"; else bad "$1: no \"$2\" in the output"; fi; }
lacks() { if printf '%s\n' "$out" | grep -qF -- "$2"; then bad "$1: \"$2\" in the output"; else ok "$1"; fi; }
regular_state() { if [ -f .chanlings/state ] && [ ! -p .chanlings/state ]; then ok "$1: state is a file again"; else bad "$1: state is still not a file"; fi; }

# ---- the state file ----
mkdir -p .chanlings
for kind in fifo directory; do
    rm -rf .chanlings/state .chanlings/state.corrupt-*
    if [ $kind = fifo ]; then mkfifo .chanlings/state; else mkdir .chanlings/state; touch .chanlings/state/x; fi
    run "state as a $kind: list" 10 list
    [ "$rc" -eq 0 ] && ok "state as a $kind: list exits 0" || bad "state as a $kind: list exit $rc"
    has "state as a $kind: says so" "progress file damaged"
    has "state as a $kind: says what it is" "$( [ $kind = fifo ] && echo 'a FIFO' || echo 'a directory')"
    ls -d .chanlings/state.corrupt-* > /dev/null 2>&1 && ok "state as a $kind: moved aside" || bad "state as a $kind: not moved aside"
    run "state as a $kind: hint after" 10 hint 1
    regular_state "state as a $kind"
done

rm -rf .chanlings/state .chanlings/state.corrupt-*
# 6 MiB of distinct slugs: more than any state holds.
awk 'BEGIN { print "chanlings-state 1"; for (i = 0; i < 400000; i++) printf "done\t%d-s\n", i }' > .chanlings/state
t0=$(date +%s)
run "huge state: list" 20 list
t1=$(date +%s)
has "huge state: says so" "more than any progress file holds"
[ $((t1 - t0)) -lt 10 ] && ok "huge state: read in $((t1 - t0))s" || bad "huge state: took $((t1 - t0))s"
regular_state "huge state"

# 3 MiB of distinct slugs, under the cap: read in linear time.
awk 'BEGIN { print "chanlings-state 1"; for (i = 0; i < 200000; i++) printf "done\t%d-s\n", i }' > .chanlings/state
t0=$(date +%s)
run "many slugs: hint" 30 hint 1
t1=$(date +%s)
[ $((t1 - t0)) -lt 10 ] && ok "many slugs: read and rewritten in $((t1 - t0))s" || bad "many slugs: took $((t1 - t0))s (quadratic?)"
lacks "many slugs: not damage" "damaged"
grep -q "^done	199999-s$" .chanlings/state && ok "many slugs: nothing lost" || bad "many slugs: entries lost"
rm -f .chanlings/state

# ---- a full disk under the cache ----
if [ "$(id -u)" -eq 0 ] && mkdir -p .chanlings/cache && mount -t tmpfs -o size=48k tmpfs .chanlings/cache 2>/dev/null; then
    mounted=$scratch/.chanlings/cache
    run "full disk: check" 60 check 1
    has "full disk: reported as such" "is full"
    lacks "full disk: not a compile error" "compile error"
    umount "$mounted" && mounted=
else
    echo "note: the full-disk case needs root and tmpfs mounts; skipped"
fi

# ---- no jail here: said once, and checking still works ----
# Three exercises show "once" across several checks; the whole workbook
# (18 exercises, three passes each) is verify's own test, not this one's.
out=$(CHANLINGS_BWRAP=/nonexistent/bwrap timeout -k 2 120 "$bin" verify 1 2 3 2>&1); rc=$?
n=$(printf '%s\n' "$out" | grep -c "WITHOUT a sandbox")
[ "$n" -eq 1 ] && ok "no bwrap: said once" || bad "no bwrap: said $n times"
has "no bwrap: says what to install" "apt-get install bubblewrap"
[ "$rc" -eq 0 ] && ok "no bwrap: verify still passes" || bad "no bwrap: verify exit $rc"

# ---- grade: one student's bad file is that student's verdict ----
subs=$scratch/submissions
mkdir -p "$subs/alice" "$subs/bob" "$subs/carol" "$subs/dave" "$subs/frank"
cp solutions/01-goroutines.c "$subs/alice/01-goroutines.c"
ln -s /nonexistent/01.c "$subs/bob/01-goroutines.c"
ln -s /etc/shadow "$subs/carol/01-goroutines.c"
mkfifo "$subs/dave/01-goroutines.c"
ln -s "$top/solutions" "$subs/eve"
evil_name=$(printf 'mallory\nok 99 - forged # SKIP')
mkdir -p "$subs/$evil_name"
cp exercises/01-goroutines.c "$subs/$evil_name/01-goroutines.c"
cp exercises/01-goroutines.c "$subs/frank/01-goroutines.c"
# A student whose code signals every process it may (raw system calls, past
# the object check), graded beside alice (aaron sorts first, so with -j 2
# they run at the same time): in a jail it reaches only its
# own job.  Without one it would reach the runner too, so only in a jail.
jailed=no
if command -v bwrap > /dev/null && bwrap --unshare-all --ro-bind / / true 2> /dev/null; then
    jailed=yes
    mkdir -p "$subs/aaron"
    cp "$top/runner/tests/fixtures/hostile/rawsys.h" "$subs/aaron/"
    cat > "$subs/aaron/01-goroutines.c" <<'KILLER'
#include <signal.h>
#include <time.h>
#include "rawsys.h"
typedef void (*task_fn)(int index, void *ctx);
void launch_all(int n, task_fn task, void *ctx)
{
    (void)n, (void)task, (void)ctx;
    for (int i = 0; i < 300; i++) {
        raw(SYS_kill, -1, SIGKILL);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, 0);
    }
}
void greet_all(const char *const names[], int n) { launch_all(n, 0, (void *)names); }
KILLER
fi
run "grade: a class with bad files" 300 grade "$subs" --out "$scratch/results" -j 2
[ "$rc" -eq 1 ] && ok "grade: exit 1 (some failed), not an internal error" || bad "grade: exit $rc, wanted 1"
has "grade: alice graded" "alice"
for who in bob carol dave eve; do
    grep -q "\"student\": \"$who\".*refused" "$scratch/results/grade.json" && ok "grade: $who refused" ||
        bad "grade: $who has no refusal in grade.json"
done
if grep -q '^ok 99' "$scratch/results/grade.tap"; then bad "grade: a directory name injected a TAP line"; else ok "grade: no TAP injection"; fi
grep -q '"student": "alice", "exercise": "01-goroutines", "status": "passed"' "$scratch/results/grade.json" &&
    ok "grade: alice passed" || bad "grade: alice did not pass"
if [ "$jailed" = yes ]; then
    grep -qE '"student": "aaron", "exercise": "01-goroutines", "status": "(crashed|failed)"' "$scratch/results/grade.json" &&
        ok "grade: aaron's kill(-1) failed only aaron" || bad "grade: aaron was not graded as crashed or failed"
fi
shadow_head=$(head -c 12 /etc/shadow 2>/dev/null)
if [ -n "$shadow_head" ] && grep -rqF -- "$shadow_head" "$scratch/results"; then bad "grade: /etc/shadow leaked"; else ok "grade: nothing of /etc/shadow"; fi
score=$(sed -n 's/^{"score": \([0-9]*\),.*/\1/p' "$scratch/results/results.json")
tests=$(grep -o '"max_score": 1' "$scratch/results/results.json" | wc -l)
[ -n "$score" ] && [ "$score" -le "$tests" ] && ok "grade: score $score of $tests" || bad "grade: score ${score:-?} of $tests"
finish
