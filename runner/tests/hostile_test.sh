#!/bin/sh
# Hostile submissions against the grading pipeline (grade.h): each must get
# its own verdict within its deadline, the grader must carry on with the
# next test, the runner must stay healthy, nothing may be left running and
# the submission's file must be unchanged.  Every fixture is bounded itself
# (a fork bomb with a ceiling, output that stops at 100 MB), and every run
# is wrapped in timeout(1), so a protection that fails cannot take the
# machine down.
#
# Needs libgoc built (build/lib/plain, tsan and asan).  Last line:
# "N passed, M failed"; exit status 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
fx=runner/tests/fixtures/hostile
out=$root/build/hostile
cache=$out/cache
driver=$out/driver
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

for lib in build/lib/plain/libgoc.a build/lib/tsan/libgoc.a build/lib/asan/libgoc.a; do
    [ -f "$lib" ] || { bad "$lib is missing: run 'make lib' first"; finish; }
done
rm -rf "$out" && mkdir -p "$out" || { bad "cannot create $out"; finish; }
# shellcheck disable=SC2086
seccomp_cflags=$(pkg-config --exists libseccomp 2>/dev/null && echo -DCL_HAVE_SECCOMP)
seccomp_libs=$(pkg-config --libs libseccomp 2>/dev/null)
${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -O1 -g -Irunner/src -Igraders $seccomp_cflags \
    runner/src/fs.c runner/src/proc.c runner/src/sandbox.c runner/src/build.c runner/src/build_diag.c runner/src/wraps.c runner/src/objcheck.c \
    runner/src/grade.c runner/src/verdict.c runner/src/sanitizer.c runner/src/report.c runner/src/report_formats.c \
    runner/src/report_buf.c $fx/driver.c -o "$driver" $seccomp_libs -pthread \
    || { bad "the test driver did not build"; finish; }

# grade NAME FILE [GRADER [TEST_TIMEOUT [DEADLINE [race]]]]: JSON report in
# $out/NAME.json, the human view in .txt.  GRADER "-" runs the file's main.
grade() {
    name=$1 file=$2 grader=${3:-$fx/grader.c} per_test=${4:-2} deadline=${5:-60}
    shift 2
    shift $(($# < 3 ? $# : 3))
    before=$(cksum < "$file")
    timeout -k 5 120 "$driver" "$root" "$file" "$grader" "$cache" "$per_test" "$deadline" "$@" \
        > "$out/$name.json" 2> "$out/$name.txt"
    rc=$?
    [ "$rc" -eq 0 ] || bad "$name: the runner exited with status $rc (see $out/$name.txt)"
    [ "$(cksum < "$file")" = "$before" ] || bad "$name: $file was changed by grading it"
}

# expect NAME TEXT...: every TEXT appears in NAME's JSON report.
expect() {
    name=$1
    shift
    for want in "$@"; do
        if grep -qF -- "$want" "$out/$name.json"; then ok; else
            bad "$name: report lacks '$want':"; head -c 2000 "$out/$name.json"; echo
        fi
    done
}

# still_running NAME: how many live (not zombie) processes are called
# NAME, after giving a job killed at its deadline up to 3 s to be gone.
still_running() {
    for _ in $(seq 1 30); do
        n=$(ps -eo stat=,comm= | awk -v n="$1" '$2 == n && $1 !~ /^Z/' | wc -l)
        [ "$n" -eq 0 ] && break
        sleep 0.1
    done
    echo "$n"
}

# The grader's second test must still run and pass after the first.
CARRIES_ON='"passed": 1, "total": 2'

grade good $fx/good.c
expect good '"status": "passed"' '"passed": 2, "total": 2'

grade loop $fx/loop.c
expect loop '"verdict": "timed out"' "$CARRIES_ON"

grade deadlock $fx/deadlock.c
expect deadlock '"verdict": "deadlock"' 'goroutine 1 [chan send]' 'hostile/deadlock.c:8' "$CARRIES_ON"

grade segv $fx/segv.c
expect segv '"verdict": "crashed"' 'SIGSEGV' 'It happened at runner/tests/fixtures/hostile/segv.c:8, in hostile()' "$CARRIES_ON"

grade abort $fx/abort.c
expect abort '"verdict": "crashed"' 'SIGABRT' 'hostile/abort.c:7' "$CARRIES_ON"

grade exit $fx/exit.c
expect exit '"verdict": "exited"' 'exit(0)' "$CARRIES_ON"

grade forkbomb $fx/forkbomb.c
expect forkbomb '"verdict": "timed out"' "$CARRIES_ON"
n=$(still_running cl-forkbomb)
if [ "$n" -gt 0 ]; then
    bad "forkbomb: $n of its processes are still running"; pkill -KILL -x cl-forkbomb
else ok; fi

grade spawn $fx/spawn.c
expect spawn "$CARRIES_ON"
if grep -qF '"verdict": "passed", "race_pass": false, "where": "runner/tests/fixtures/hostile/grader.c:29"' "$out/spawn.json"; then
    bad "spawn: unbounded goroutines passed"
else ok; fi

grade flood $fx/flood.c
expect flood '"verdict": "crashed"' 'SIGXFSZ' "$CARRIES_ON"
size=$(wc -c < "$out/flood.json")
if [ "$size" -lt 1048576 ]; then ok; else bad "flood: the report is $size bytes; output was not capped"; fi

grade compile_error $fx/compile_error.c
expect compile_error '"status": "compile error"' 'hostile/compile_error.c:6' 'undeclared_name'

grade missing $fx/missing.c
expect missing '"status": "compile error"' '"missing_function": "hostile"'

grade race $fx/race.c $fx/grader.c 5 60 race
expect race '"race_checked": true' '"verdict": "data race"' 'hostile/race.c:' 'SUMMARY: ThreadSanitizer: data race'

# The memory pass (asan: true): a leak and a use after free that the plain
# pass cannot see fail with their own verdict naming the learner's lines;
# a clean program passes it, also beside the race pass.
mfx=runner/tests/fixtures/memory
grade mem_good $mfx/good.c $fx/grader.c 5 60 race asan
expect mem_good '"status": "passed"' '"race_checked": true' '"passed": 2, "total": 2'
grade mem_leak $mfx/leak.c $fx/grader.c 5 60 asan
# The plain pass passes both tests; the memory pass adds its one failure.
expect mem_leak '"verdict": "memory leak"' '"passed": 2, "total": 3' \
    'The memory was allocated at runner/tests/fixtures/memory/leak.c:14, in hostile() and never freed.' \
    '#1 hostile runner/tests/fixtures/memory/leak.c:14'
grade mem_uaf $mfx/use_after_free.c $fx/grader.c 5 60 asan
expect mem_uaf '"verdict": "memory error"' '"passed": 2, "total": 3' \
    'It happened at runner/tests/fixtures/memory/use_after_free.c:19, in work(). It was freed at runner/tests/fixtures/memory/use_after_free.c:29, in hostile().'
if grep -qF 'calls_hostile (under AddressSanitizer) — memory error' "$out/mem_uaf.txt"; then ok; else
    bad "mem_uaf: the human view does not name the memory pass:"; cat "$out/mem_uaf.txt"; fi
grade mem_dead_local $mfx/dead_local.c $fx/grader.c 5 60 asan
expect mem_dead_local '"verdict": "memory error"' 'use of a dead local' \
    'It happened at runner/tests/fixtures/memory/dead_local.c:12, in work().'
# ThreadSanitizer's own heap-use-after-free report is a memory error too,
# not the exit(66) TSan ends the test with.
grade race_uaf $mfx/use_after_free.c $fx/grader.c 5 60 race
expect race_uaf '"verdict": "memory error"' 'It was freed at runner/tests/fixtures/memory/use_after_free.c:29'
if grep -qF 'exited' "$out/race_uaf.json"; then bad "race_uaf: blamed on exit(66)"; else ok; fi
grade mem_plain_only $mfx/use_after_free.c
expect mem_plain_only '"status": "passed"'
# A build that succeeds still shows the warnings that point at bugs, after
# the headline, naming the learner's lines (and not the grader's).
grade warns $mfx/warns.c
# (gcc warns of the use after free, clang of the uninitialised variable)
if sed -n '/tests passed/,$p' "$out/warns.txt" | grep -qE "warns.c:1[46]:[0-9]+: warning: " &&
    ! grep -qF 'grader.c' "$out/warns.txt"; then ok; else
    bad "warns: no warning block after the headline:"; cat "$out/warns.txt"; fi
grade warns_again $mfx/warns.c
if grep -qE "warns.c:1[46]:[0-9]+: warning: " "$out/warns_again.txt"; then ok; else
    bad "warns_again: the warnings were lost when the object came from the cache"; fi

# A lesson's `wrap:` names reach the grader's link (the wrapper counts the
# learner's lock); without them the grader's __real_ call is named; names
# outside libgoc (but for the C library's sleeps and stdout writers) are
# refused before anything is built.
wfx=runner/tests/fixtures/wrap
grade wrap $wfx/locks.c $wfx/grader.c 5 60 wrap=goc_mutex_lock_at
expect wrap '"status": "passed"'
grade wrap_missing $wfx/locks.c $wfx/grader.c 5 60
expect wrap_missing '"status": "error"' 'calls __real_goc_mutex_lock_at, but the lesson'
grade wrap_libc $wfx/locks.c $wfx/grader.c 5 60 wrap=goc_mutex_lock_at,malloc
expect wrap_libc '"status": "error"' 'wrap `malloc`, but only libgoc functions'
grade wrap_watch $wfx/locks.c $wfx/grader.c 5 60 wrap=goc_mutex_lock_at,usleep
expect wrap_watch '"status": "passed"'

# Running the learner's own main is held to the same limits.
grade run_good $fx/good.c -
expect run_good '"status": "passed"' 'nothing hostile here'
grade run_segv $fx/segv.c -
expect run_segv '"status": "crashed"'
if grep -qF 'crashed with SIGSEGV (segmentation fault: a bad pointer, such as NULL, freed or out of bounds) at runner/tests/fixtures/hostile/segv.c:8, in hostile()' "$out/run_segv.txt"; then ok; else
    bad "run_segv: the crash site is not named:"; cat "$out/run_segv.txt"; fi
grade run_loop $fx/loop.c - 2 3
expect run_loop '"status": "timed out"'
grade run_flood $fx/flood.c -
expect run_flood '"status": "passed"' 'bytes of output here'
size=$(wc -c < "$out/run_flood.json")
if [ "$size" -lt 2097152 ]; then ok; else bad "run_flood: the report is $size bytes; output was not capped"; fi
grade run_forkbomb $fx/forkbomb.c - 2 3
expect run_forkbomb '"status": "timed out"'
n=$(still_running cl-forkbomb)
if [ "$n" -gt 0 ]; then
    bad "run_forkbomb: $n of its processes are still running"; pkill -KILL -x cl-forkbomb
else ok; fi

# ---- forged verdicts: nothing the submission does turns a failure into a pass ----

# refused NAME WHAT...: graded as a compile error whose diagnostics say
# "refused" and each WHAT (the symbol or section and the line).
refused() {
    name=$1
    shift
    grade "$name" "$fx/$name.c"
    expect "$name" '"status": "compile error"' 'refused: ' "$@"
    if grep -qF '"verdict": "passed"' "$out/$name.json"; then bad "$name: a test passed"; else ok; fi
}
refused fork_plain 'fork_plain.c:6: refused: calls fork()'
refused dtor 'dtor.c:16: refused: section .fini_array'
refused ctor 'ctor.c:4: refused: section .init_array'
refused exit_group 'exit_group.c:9: refused: calls syscall()'
refused real_exit 'real_exit.c:6: refused: uses __real_exit'
refused exec_true 'exec_true.c:6: refused: calls execl()'
refused define_fprintf 'define_fprintf.c:8: refused: defines fprintf'
refused define_waitpid 'define_waitpid.c:7: refused: defines waitpid'

# Past the object check (raw system calls): the test never reaches its
# end, so it has no token and Check's "exited 0" is not a pass.
for name in exit_group_raw exec_raw; do
    grade $name $fx/$name.c
    expect $name '"verdict": "exited"' "$CARRIES_ON"
done

# A daemon that outlives the crashed test and forges results everywhere.
grade setsid_forger $fx/setsid_forger.c
expect setsid_forger '"verdict": "crashed"' "$CARRIES_ON"
if [ "$(still_running cl-forger)" -gt 0 ]; then
    bad "setsid_forger: the daemon is still running"; pkill -KILL -x cl-forger
else ok; fi

# The output file replaced by a FIFO: read without waiting on it.
grade fifo_output $fx/fifo_output.c
expect fifo_output '"verdict": "crashed"' "$CARRIES_ON"

# A hundred thousand forged crash frames: one symboliser, a bounded report.
grade frame_flood $fx/frame_flood.c
expect frame_flood '"verdict": "crashed"' 'SIGABRT' "$CARRIES_ON"
secs=$(sed -n 's/.*"seconds": \([0-9]*\)\..*/\1/p' "$out/frame_flood.json" | head -1)
[ "${secs:-99}" -lt 30 ] && ok || bad "frame_flood: took ${secs}s"

# A macro bomb: the compiler stops at its memory limit.
grade macro_bomb $fx/macro_bomb.c
expect macro_bomb '"status": "compile error"'

# ---- the jail: what learner code (and its compiler) can reach ----

if "$driver" --sandbox 2> "$out/sandbox.txt"; then
    jailed=yes
else
    jailed=no
    echo "note: no sandbox here, so the jail cases are skipped: $(cat "$out/sandbox.txt")"
fi

if [ "$jailed" = yes ]; then
    # An #include of the answers, relative or absolute, or of /etc/shadow.
    grade include_rel $fx/include_rel.c
    expect include_rel '"status": "compile error"' 'No such file'
    printf '#include "%s/solutions/01-goroutines.c"\n' "$root" > "$out/include_abs.c"
    grade include_abs "$out/include_abs.c"
    expect include_abs '"status": "compile error"' 'No such file'
    grade include_shadow $fx/include_shadow.c
    expect include_shadow '"status": "compile error"' 'No such file'
    for name in include_rel include_abs; do
        if grep -qF 'reference solution' "$out/$name.json"; then bad "$name: the solution leaked"; else ok; fi
    done
    shadow_head=$(head -c 12 /etc/shadow 2>/dev/null)
    if [ -n "$shadow_head" ] && grep -qF -- "$shadow_head" "$out/include_shadow.json"; then
        bad "include_shadow: /etc/shadow leaked into the report"
    else ok; fi

    # At run time: answers, graders, another student, /etc/shadow, $HOME,
    # the network, and decoy files to overwrite or delete.
    decoy=$out/decoy
    mkdir -p "$decoy" "$out/students/bob"
    echo 'int secret_of_bob;' > "$out/students/bob/01-goroutines.c"
    echo 'lesson' > "$decoy/lesson.md"
    echo 'exercise' > "$decoy/exercise.c"
    home=${HOME:-/nonexistent}
    sed -e "s|@ROOT@|$root|g" -e "s|@DECOY@|$decoy|g" -e "s|@HOME@|$home|g" \
        -e "s|@OTHER@|$out/students/bob/01-goroutines.c|g" $fx/snoop.c.in > "$out/snoop.c"
    grade snoop "$out/snoop.c"
    expect snoop '"verdict": "crashed"' 'snoop done' "$CARRIES_ON"
    for word in LEAKED WROTE DELETED CONNECTED; do
        if grep -qF "$word" "$out/snoop.json"; then
            bad "snoop: $(grep -o "$word [^\\]*" "$out/snoop.json" | head -3 | tr '\n' ' ')"
        else ok; fi
    done
    [ "$(cat "$decoy/exercise.c")" = exercise ] && [ -f "$decoy/lesson.md" ] && ok ||
        bad "snoop: a decoy workbook file was changed"
    for f in "$home/.chanlings-hostile-pwned" "$root/.chanlings-hostile-pwned"; do
        if [ -e "$f" ]; then bad "snoop: wrote $f"; rm -f "$f"; else ok; fi
    done

    # The seccomp filter: ptrace, unshare and a clone into a new mount
    # namespace all fail with EPERM.
    grade seccomp_probe $fx/seccomp_probe.c
    expect seccomp_probe 'ptrace=-1 unshare=-1 clone-newns=-1' "$CARRIES_ON"

    # kill(-1): only its own job dies; the runner reports and carries on.
    grade kill_all $fx/kill_all.c
    expect kill_all '"status": "crashed"'
    if [ "$(still_running cl-killer)" -gt 0 ]; then
        bad "kill_all: the killer daemon is still running"; pkill -KILL -x cl-killer
    else ok; fi
    grade after_kill_all $fx/good.c
    expect after_kill_all '"status": "passed"'
fi

# ---- a runner killed mid-check: its job dies with it, and the next
# runner removes the scratch directory it left ----
if [ "$(id -u)" -eq 0 ]; then scratch_parent=/tmp scratch_prefix=chanlings-run; else
    scratch_parent=$cache scratch_prefix=run; fi
"$driver" "$root" $fx/loop.c $fx/grader.c "$cache" 30 60 > /dev/null 2>&1 &
victim=$!
left=""
for _ in $(seq 1 100); do
    left=$(ls -d "$scratch_parent/$scratch_prefix-$victim-"* 2>/dev/null | head -1)
    [ -n "$left" ] && break
    sleep 0.1
done
kill -KILL $victim
wait $victim 2> /dev/null
[ -n "$left" ] && [ -d "$left" ] && ok || bad "killed runner: no scratch directory $scratch_parent/$scratch_prefix-$victim-* to leave behind"
sleep 1
if pgrep -f "$cache/bin/" > /dev/null; then
    bad "killed runner: its grader is still running"; pkill -KILL -f "$cache/bin/"
else ok; fi
grade after_killed $fx/good.c
expect after_killed '"status": "passed"'
if [ -n "$left" ] && [ -e "$left" ]; then bad "killed runner: $left was not removed"; else ok; fi

# The cache: grading again compiles nothing; an edited copy outside the
# workbook recompiles only itself (grader and grader_main are reused).
count() { find "$cache/$1" -type f | wc -l; }
objs=$(count obj)
grade good_again $fx/good.c
expect good_again '"status": "passed"'
[ "$(count obj)" -eq "$objs" ] && ok || bad "cache: grading an unchanged file compiled again"
sed 's/nothing hostile here/still nothing hostile/' $fx/good.c > "$out/edited.c"
grade edited "$out/edited.c"
expect edited '"status": "passed"' 'still nothing hostile'
[ "$(count obj)" -eq $((objs + 1)) ] && ok || bad "cache: an edit compiled $(( $(count obj) - objs )) objects, not 1"

finish
