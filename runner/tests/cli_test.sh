#!/bin/sh
# End to end: every command of build/chanlings on a scratch copy of the
# workbook (lessons, exercises, solutions, graders, libgoc's headers and
# built library in a mktemp directory, found through CHANLINGS_ROOT), so
# the real exercises and progress are never touched.  Background work
# (watch) is awaited by polling its output with a generous bound, never by
# a fixed sleep.  Last line: "N passed, M failed"; exit 1 on any failure.
#
#   sh runner/tests/cli_test.sh [path/to/chanlings]   (from anywhere)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/chanlings}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${out:-}" ] && printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

[ -x "$bin" ] || { echo "cli_test: $bin is missing: run 'make runner'"; fail=1; finish; }
for lib in build/lib/plain/libgoc.a build/lib/tsan/libgoc.a build/lib/asan/libgoc.a; do
    [ -f "$top/$lib" ] || { echo "cli_test: $top/$lib is missing: run 'make lib'"; fail=1; finish; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-cli.XXXXXX")
watch_pid=
cleanup() {
    [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "$top/runner/tests/shipped.sh"
scratch_workbook "$top" "$scratch" ||
    { echo "cli_test: cannot copy the workbook into $scratch"; fail=1; finish; }
export CHANLINGS_ROOT="$scratch" NO_COLOR=1
unset CL_RESULTS CL_OUTPUT_DIR
cd "$scratch" || exit 1

# run NAME WANT_RC ARGS...: runs chanlings with stdin from /dev/null, keeps
# stdout+stderr in $out, and counts the exit status.
run() {
    name=$1 want=$2; shift 2
    out=$("$bin" "$@" </dev/null 2>&1); rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name (exit $rc)"; else bad "$name: exit $rc, wanted $want"; fi
}
# has NAME TEXT: $out holds TEXT.  lacks NAME TEXT: it does not.
has() { if printf '%s\n' "$out" | grep -qF -- "$2"; then ok "$1"; else bad "$1: no \"$2\" in the output"; fi; }
lacks() { if printf '%s\n' "$out" | grep -qF -- "$2"; then bad "$1: \"$2\" in the output"; else ok "$1"; fi; }
state() { cat .chanlings/state 2>/dev/null; }

ex1=$(basename "$(ls exercises/01-*.c | head -n 1)" .c)
ex2=$(basename "$(ls exercises/02-*.c | head -n 1)" .c)
[ -n "$ex1" ] && [ -n "$ex2" ] || { echo "cli_test: the workbook needs exercises 01 and 02"; fail=1; finish; }
mkdir -p "$scratch/as-shipped" && cp "exercises/$ex1.c" "exercises/$ex2.c" "$scratch/as-shipped/"

# ---- help, version, usage errors, workbook errors
run "--help" 0 --help
for c in list lesson run check trace hint quiz next prev go reset solution progress watch verify new grade; do
    has "--help lists $c" "  $c "
done
has "--help documents exit codes" "2 usage"
run "--version" 0 --version
has "--version names the program" "chanlings 0."
run "unknown command is a usage error" 2 frobnicate
has "unknown command says where to look" "--help"
run "bad option is a usage error" 2 list --bogus
out=$(CHANLINGS_ROOT=/nonexistent "$bin" list 2>&1); rc=$?
[ "$rc" -eq 3 ] && ok "missing workbook exits 3" || bad "missing workbook: exit $rc, wanted 3"
has "missing workbook names CHANLINGS_ROOT" "CHANLINGS_ROOT=/nonexistent"

# ---- status and list before any work
run "no argument off a terminal prints the status" 0
has "status names the current exercise" "exercise 01 of"
has "status gives the next step" "chanlings check"
run "list" 0 list
has "list marks the current exercise" "> [ ] 01"
has "list counts" "0 of"

# ---- lesson
run "lesson" 0 lesson 1
lacks "lesson hides the hints" "## Hints"
lacks "lesson hides the quiz" "## Quiz"
has "lesson points at the exercise" "exercises/$ex1.c"
run "lesson of an unknown exercise" 2 lesson 99
has "unknown exercise says how to list" "chanlings list"

# ---- check: untouched fails, solution passes and marks done
run "check of the untouched exercise fails" 1 check 1
has "failed check names the file" "exercises/$ex1.c"
lacks "failed check does not mark done" "is done"
# A plain run that dies of a signal is explained by the memory pass: the
# solution with a use after free, then a certain segfault for the plain run.
sed 's|^    free(jobs);$|    free(jobs);\n    if (n > 0)\n        jobs[0].index = -1, *(volatile int *)0 = 0;|' "solutions/$ex1.c" >"exercises/$ex1.c"
grep -q 'jobs\[0\].index = -1' "exercises/$ex1.c" || bad "crash variant: the solution no longer has the line it edits"
run "a crash fails check" 1 check 1
has "a crash is explained by the memory pass" "use after free"
has "the explanation names the learner's line" "exercises/$ex1.c:"
lacks "no bare signal left for an explained crash" "crashed with SIGSEGV"
cp "solutions/$ex1.c" "exercises/$ex1.c"
run "check of the solution passes" 0 check 1
has "passing check marks done" "$ex1 is done"
state | grep -q "^done	$ex1\$" && ok "state records done" || bad "state lacks done $ex1: $(state)"
run "list after passing" 0 list
has "list marks done" "[x] 01"
run "run builds and runs main" 0 run 1
# A goroutine's large local array is a stack overflow with its name, not a
# silent write into another goroutine's stack (stack probes, build.c).
# M:N goroutines only (the default on x86-64 and aarch64): a thread's stack
# has room for it.
if [ -f "$top/build/lib/sched-mn" ]; then
cat >"exercises/$ex1.c" <<'EOF_BIG'
#include <stdio.h>
#include <string.h>
#include <goc/goroutine.h>
#include <goc/sync.h>
static void big_frame(void *arg)
{
    (void)arg;
    volatile char buf[70000];
    memset((char *)buf, 1, sizeof buf);
    printf("%d\n", buf[100]);
}
int main(void)
{
    goc_waitgroup wg = {0};
    goc_wg_go(&wg, big_frame, NULL);
    goc_wg_wait(&wg);
    return 0;
}
EOF_BIG
run "a goroutine's large array fails run" 1 run 1
has "the overflow names the goroutine" "stack overflow in goroutine 2 (big_frame)"
has "the overflow says what to look for" "large local array"
cp "solutions/$ex1.c" "exercises/$ex1.c"
fi

# ---- hints: one more each time, remembered
run "first hint" 0 hint 2
has "first hint is hint 1" "Hint 1 of"
lacks "first hint only" "Hint 2 of"
run "second hint" 0 hint 2
has "second hint shows hint 2" "Hint 2 of"
state | grep -q "^hints	$ex2	2\$" && ok "state remembers 2 hints" || bad "state: $(state)"

# ---- next, prev, go
run "next" 0 next
has "next moves to 02" "Now at 02"
state | grep -q "^current	$ex2\$" && ok "state current is 02" || bad "state: $(state)"
run "prev" 0 prev
has "prev moves back to 01" "Now at 01"
run "prev at the first" 0 prev
has "prev at the first says so" "first exercise"
run "go 2" 0 go 2
has "go moves to 02" "Now at 02"
run "go to nowhere" 2 go 99
run "go without a number" 2 go

# ---- progress
run "progress" 0 progress
has "progress shows the bar" "1/"
has "progress lists hints" "$ex2"

# ---- solution: gated until passed
run "solution before passing is refused off a terminal" 1 solution 2
lacks "refused solution shows no code" "#include"
has "refusal says how" "--yes"
run "solution --yes" 0 solution 2 --yes
has "solution --yes shows the code" "#include"
run "solution after passing" 0 solution 1
has "solution after passing shows the code" "solutions/$ex1.c"

# ---- reset: keeps a backup and restores
echo "/* my work $$ */" >> "exercises/$ex2.c"
run "reset --yes" 0 reset 2 --yes
has "reset names the backup" ".chanlings/backups/$ex2-"
if cmp -s "exercises/$ex2.c" "as-shipped/$ex2.c"; then ok "reset restored the shipped file"
else bad "reset did not restore exercises/$ex2.c"; fi
if grep -qs "my work $$" .chanlings/backups/"$ex2"-*.c; then ok "backup holds the learner's work"
else bad "no backup holds the learner's work"; fi
run "reset of an untouched file" 0 reset 2 --yes
has "reset of an untouched file changes nothing" "already as shipped"

# ---- damaged state is reported and recovered
printf 'chanlings-state 1\ncurrent\t%s\n\001garbage\n' "$ex2" > .chanlings/state
run "damaged state still works" 0 list
has "damaged state is reported with its line" "state:3:"
has "damaged state copy is named" "state.corrupt-"
run "damage is reported once" 0 list
lacks "second run is quiet" "damaged"

# ---- verify (02 is as shipped again after the reset), new
run "verify of a shipped exercise" 0 verify 2 -j 1
has "verify says ok" "ok"

# ---- the workbook's own tests never grade a learner's edits
cp "solutions/$ex2.c" "exercises/$ex2.c" # the learner solved 02
run "verify grades exercises/ as it is by default (authors)" 1 verify 2 -j 1
has "verify names the stub that passes" "exercises/$ex2.c: passes"
run "verify --shipped grades the stub as shipped, not the learner's work (make test)" 0 verify 2 -j 1 --shipped
cp "as-shipped/$ex2.c" "exercises/$ex2.c"
if command -v git >/dev/null 2>&1; then
    g=$scratch/as-shipped/git && mkdir -p "$g/wb/exercises" "$g/copy" &&
        echo shipped > "$g/wb/exercises/01-a.c" && git -C "$g/wb" init -q &&
        git -C "$g/wb" add exercises && git -C "$g/wb" -c user.name=t -c user.email=t@t commit -qm t &&
        echo edited > "$g/wb/exercises/01-a.c" && echo new > "$g/wb/exercises/02-b.c" &&
        shipped_exercises "$g/wb" "$g/copy"
    [ "$(cat "$g/copy/exercises/01-a.c" 2>/dev/null)" = shipped ] &&
        ok "the shell tests copy a tracked exercise from git HEAD, not the edited file" ||
        bad "shipped_exercises copied: $(cat "$g/copy/exercises/01-a.c" 2>/dev/null)"
    [ "$(cat "$g/copy/exercises/02-b.c" 2>/dev/null)" = new ] &&
        ok "the shell tests keep an exercise git does not know yet" || bad "shipped_exercises lost 02-b.c"
fi
run "new scaffolds" 0 new demo-thing
n=$(ls lessons/*-demo-thing.md exercises/*-demo-thing.c solutions/*-demo-thing.c graders/*-demo-thing.c 2>/dev/null | wc -l)
[ "$n" -eq 4 ] && ok "new wrote four files" || bad "new wrote $n files, wanted 4"
run "verify accepts the scaffold" 0 verify demo-thing -j 2
demo=$(basename "$(ls exercises/*-demo-thing.c)" .c)
cp "solutions/$demo.c" "exercises/$demo.c"
run "verify catches a stub that passes" 1 verify demo-thing
has "verify names the passing stub" "exercises/$demo.c: passes"
sed -i 's/^- \[x\]/- [ ]/' "lessons/$demo.md"
run "verify catches a quiz without a right answer" 1 verify demo-thing
has "verify names the quiz's file" "lessons/$demo.md:"
rm "graders/$demo.c"
run "verify catches a missing grader" 1 verify demo-thing
has "verify names the missing file" "graders/$demo.c: missing"
rm "lessons/$demo.md" "exercises/$demo.c" "solutions/$demo.c"

# ---- the headline names the failure that teaches most, whatever the order:
# a crash in the grader's first test and a failed assertion in its second
# start with the assertion (a crash can move between tests with timing).
run "new scaffolds another" 0 new lead-demo
lead=$(basename "$(ls exercises/*-lead-demo.c)" .c)
cat > "graders/$lead.c" <<'EOF'
#include "grader.h"
int lead_demo(void);
CL_TEST(a_crashes)
{
    volatile int *volatile p = NULL;
    *p = lead_demo();
}
CL_END_TEST
CL_TEST(b_asserts)
{
    int got = lead_demo();
    cl_expect(got == 42, "lead_demo() to return 42", "the lesson", "it returned %d", got);
}
CL_END_TEST
Suite *cl_grader_suite(void) { return CL_SUITE("lead", a_crashes, b_asserts); }
EOF
run "check with a crash and a failed assertion fails" 1 check lead-demo
has "the headline starts with the failed assertion, not the crash" "Start with b_asserts above"
rm "lessons/$lead.md" "exercises/$lead.c" "solutions/$lead.c" "graders/$lead.c"
"$bin" new demo-thing >/dev/null 2>&1
run "new refuses a duplicate" 2 new demo-thing
run "new refuses a bad name" 2 new Bad_Name

# ---- grade: one passing and one failing submission, four formats
mkdir -p subs/alice subs/bob
cp "solutions/$ex1.c" subs/alice/
cp "as-shipped/$ex1.c" subs/bob/
run "grade finds a failure" 1 grade subs --out results -j 2
has "grade lists alice" "alice"
for f in grade.tap grade.junit.xml grade.json results.json; do
    [ -s "results/$f" ] && ok "grade wrote $f" || bad "grade did not write $f"
done
if command -v python3 >/dev/null; then
    python3 -m json.tool results/grade.json >/dev/null && ok "grade.json is JSON" || bad "grade.json is not JSON"
    python3 -m json.tool results/results.json >/dev/null && ok "results.json is JSON" || bad "results.json is not JSON"
    python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" results/grade.junit.xml &&
        ok "JUnit XML is well-formed" || bad "JUnit XML is not well-formed"
fi
grep -q "^not ok" results/grade.tap && ok "TAP has bob's failures" || bad "TAP has no 'not ok'"
grep -q "^ok" results/grade.tap && ok "TAP has alice's passes" || bad "TAP has no 'ok'"

# ---- watch: one re-check after a save by rename; moves on only on `n`
"$bin" go 2 >/dev/null 2>&1
mkfifo keys && exec 3<>keys   # a keyboard the test types on
# Made before watch starts: the background job's own redirection may come
# after the first look at it.
: >watch.out
COLUMNS=100 timeout 120 "$bin" watch <keys >watch.out 2>&1 &
watch_pid=$!
seen() { c=$(grep -cF -- "$1" watch.out 2>/dev/null); echo "${c:-0}"; }
await() { # await TEXT COUNT: until watch.out holds TEXT COUNT times (bound: 90 s)
    i=0
    while [ "$(seen "$1")" -lt "$2" ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(seen "$1")" -ge "$2" ]
}
if await "waiting for a save" 1; then ok "watch checks once at start"; else out=$(cat watch.out); bad "watch never finished its first check"; fi
cp "solutions/$ex2.c" "exercises/.save.tmp" && mv "exercises/.save.tmp" "exercises/$ex2.c"
if await "passed: press n to check the next" 1; then ok "watch re-checked after a save by rename"; else out=$(cat watch.out); bad "watch missed the rename"; fi
n=$(grep -c "checking exercises/$ex2.c" watch.out)
[ "$n" -eq 2 ] && ok "watch checked exactly twice (start, one save)" || { out=$(cat watch.out); bad "watch checked $n times, wanted 2"; }
out=$(cat watch.out)
lacks "watch does not move on by itself" "now on"
state | grep -q "^current	$ex2\$" && ok "watch stays on 02 until n" || bad "state: $(state)"
printf n >&3
if await "now on" 1; then ok "n moves on after a pass"; else out=$(cat watch.out); bad "n did not move on"; fi
ex3=$(sed -n 's/^current	//p' .chanlings/state)
if await "checking exercises/$ex3.c" 1 && await "waiting for a save of" 2; then ok "n checks the next exercise at once"
else out=$(cat watch.out); bad "n did not check $ex3"; fi
state | grep -q "^current	$ex2\$" && bad "n did not save the new current exercise" || ok "n saved the new current exercise"
printf q >&3
i=0; while kill -0 "$watch_pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$watch_pid" 2>/dev/null; then bad "q did not stop watch"; else ok "q stops watch"; fi
wait "$watch_pid" 2>/dev/null; rc=$?; watch_pid=
exec 3>&-
out=$(cat watch.out)
[ "$rc" -eq 0 ] && ok "q exits 0 (quitting is no failure, even after a failing check)" || bad "q: watch exited $rc, wanted 0"
has "watch says it stopped" "[watch] stopped."
# columns, not bytes: the report's marks are one column each
long=$(sed 's/✗/x/g; s/✓/v/g; s/—/-/g; s/│/|/g' watch.out | awk 'length($0) > 99 && /[^ ] [^ ]/' | head -n 3)
[ -z "$long" ] && ok "watch wraps every line with a space in it to the terminal (COLUMNS=100), the report's too" || bad "watch lines past 100 columns: $long"
if grep -q '^        [^ ]' watch.out; then ok "watch's wrapped lines hang under the text"; else bad "no wrapped watch line"; fi
has "watch's checks say what to do in watch's words" "The quiz (\`chanlings quiz\` in another terminal)"

# ---- trace: prepared traces (--file), then runs through the sandbox
fx="$top/runner/tests/fixtures"
ascii() { out=$(LC_ALL=C "$bin" "$@" </dev/null 2>&1); rc=$?; }
for w in 80 160; do
    ascii trace --file "$fx/trace-pingpong.json" --width "$w"
    [ "$rc" -eq 0 ] && ok "trace --file ping-pong at $w columns (exit 0)" || bad "trace --file at $w: exit $rc"
    has "trace at $w: the header" "Timeline: 2 goroutines over 86us, on the thread scheduler."
    has "trace at $w: how it ended" "The program ended"
    widest=$(printf '%s\n' "$out" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
    [ "$widest" -le "$w" ] && ok "trace at $w: no line is wider" || bad "trace at $w: a line of $widest columns"
    rowlen=$(printf '%s\n' "$out" | grep '^g2 ponger ' | awk '{ print length($0) }')
    [ "$rowlen" = "$w" ] && ok "trace at $w: a row spans the width" || bad "trace at $w: the row is $rowlen wide"
    printf '%s\n' "$out" | grep -q '^g1 main .*v.*\*' && ok "trace at $w: main's row marks the wake-ups it made and got" ||
        bad "trace at $w: no v and * on main's row"
    has "trace at $w: the legend" "# running, - runnable (ready, waiting for a thread); blocked: r chan receive"
done
lacks "no colour off a terminal" "$(printf '\033')"
out=$(CHANLINGS_COLOR=always "$bin" trace --file "$fx/trace-pingpong.json" 2>&1)
has "colour when asked (the view's child)" "$(printf '\033[0;32m')"
ascii trace --file "$fx/trace-deadlock.json" --width 80
has "a deadlock's trace says so" "deadlocked"
has "... and where each goroutine stopped" "g1 main: blocked in chan send at exercises/03-unbuffered-channels.c:27"
ascii trace --file "$fx/trace-fanout.json" --width 160
n=$(printf '%s\n' "$out" | grep -c '^g[0-9]* worker [0-9]')
[ "$n" -eq 200 ] && ok "the fan-out's 200 workers get a row each" || bad "fan-out: $n worker rows, wanted 200"
head -c 3000 "$fx/trace-pingpong.json" > cut.json
run "a cut trace is refused" 1 trace --file cut.json
has "... saying it was cut short" "cut.json cannot be drawn: it stops in the middle"
lacks "... without a crash" "Segmentation"
printf 'not json at all' > bad.json
run "a file that is not JSON is refused" 1 trace --file bad.json
has "... saying where" "not valid JSON at byte"
run "a missing trace file is refused" 1 trace --file nowhere.json
has "... naming it" "nowhere.json"
run "trace --width under 30 is a usage error" 2 trace --width 5

. "$top/runner/tests/trace_fake.sh"
cp "exercises/$ex1.c" kept.c
fake_trace_program "$fx/trace-deadlock.json" "exercises/$ex1.c"
ascii trace 1 --width 100
[ "$rc" -eq 0 ] && ok "trace 1 builds and runs the exercise (exit 0)" || bad "trace 1: exit $rc"
has "trace 1 shows the program's output" "fake recorder: wrote the trace"
has "trace 1 draws what the program left in GOC_TRACE" "Where each goroutine stopped:"
has "trace 1 says where the file is" "The trace is in $scratch/.chanlings/traces/$ex1.json"
has "trace 1 says how to open it in Perfetto" "https://ui.perfetto.dev, then \"Open trace file\""
cmp -s "$fx/trace-deadlock.json" ".chanlings/traces/$ex1.json" && ok "the trace is kept as the program wrote it" ||
    bad "the kept trace differs from what the program wrote"
cp kept.c "exercises/$ex1.c"
# The shipped exercise with the real libgoc: its recorder's trace when it
# has one, else a message saying the library must be rebuilt.
ascii trace 1 --width 80
if printf '%s\n' "$out" | grep -q '^Timeline: '; then
    has "a real trace: main's row" "g1 "
    [ -s ".chanlings/traces/$ex1.json" ] && ok "a real trace is kept" || bad "no real trace kept"
else
    [ "$rc" -eq 1 ] && ok "no recorder in libgoc: exit 1" || bad "no recorder: exit $rc"
    has "no recorder in libgoc: says what to do" "wrote no trace"
    [ -e ".chanlings/traces/$ex1.json" ] && bad "an old trace is left as if it were this run's" ||
        ok "an earlier run's trace is not left behind"
fi

# ---- without the library, run and check say how to build it
rm build/lib/plain/libgoc.a
run "check without libgoc is an internal error" 4 check 1
has "check without libgoc says to run make" "make"

finish
