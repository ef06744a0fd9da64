#!/bin/sh
# Proves the graders without the runner:
#   - every solution passes its grader (RUNS times, default 1),
#   - every correct alternative (graders/tests/NN-alt-*.patch, applied to the
#     solution) passes too, RUNS times,
#   - every untouched exercise fails its grader (RUNS times),
#   - every wrong variant (graders/tests/NN-wrong-*.patch, applied to the
#     solution) fails the test that graders/tests/wrong.tsv names, with the
#     message it names, RUNS times.
# wrong.tsv: variant, test, status, words.  Status fail|error is checked by
# the plain pass; "race" by RACE=1 (the test must stop with a TSan report);
# "memory" by ASAN=1 (the test must stop with an ASan/LSan/UBSan report).
#
# It builds each program the way the runner does (learner file with
# -Dmain=chanlings_learner_main, grader + graders/grader_main.c, libgoc,
# Check, and -Wl,--wrap=NAME for every name in the lesson's `wrap:` front
# matter) so a pass here means a pass in `chanlings check`.
#
#   sh graders/tests/run.sh            plain libgoc
#   RACE=1 sh graders/tests/run.sh     ThreadSanitizer: solutions and alternatives clean, races caught
#   ASAN=1 sh graders/tests/run.sh     AddressSanitizer + LeakSanitizer + UBSan (lessons with asan: true)
#   RUNS=20 sh graders/tests/run.sh    repeat every run
#   GRADERS_SCHED=mn sh graders/tests/run.sh   against the M:N scheduler (or thread), whichever is the default
#   ONLY=02 sh graders/tests/run.sh    one exercise (ONLY="01 fx": a list; fx is the schedule-point fixture)
# Last line: "N passed, N failed"; exit status non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 2
CC=${CC:-cc}
RUNS=${RUNS:-1}
ONLY=${ONLY:-}
flavour=plain
san=""
[ -n "$RACE" ] && { flavour=tsan; san="-fsanitize=thread"; }
[ -n "$ASAN" ] && { flavour=asan; san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"; }
# GRADERS_SCHED=mn or =thread: that scheduler's libgoc, whichever is the default.
case ${GRADERS_SCHED:-} in '' | mn | thread) ;; *) echo "GRADERS_SCHED=$GRADERS_SCHED: the schedulers are mn and thread"; echo "0 passed, 1 failed"; exit 1 ;; esac
flavour=$flavour${GRADERS_SCHED:+-$GRADERS_SCHED}
lib=build/lib/$flavour/libgoc.a
out=${GRADERS_TEST_DIR:-build/graders-test}/$flavour
mkdir -p "$out"

# Always asked (a no-op when up to date): a stale archive would test old code.
make --no-print-directory "$lib" >/dev/null || { echo "cannot build $lib"; echo "0 passed, 1 failed"; exit 1; }

# As the runner's (runner/src/build.c): stack probes where libgoc's M:N
# scheduler runs, so a large local array meets its goroutine's guard page.
probes=""
case $(uname -m) in x86_64 | aarch64) probes="-fstack-clash-protection" ;; esac
CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -pthread $probes -I${GOC_INCLUDE:-lib/include} $san"
WRAPS="-Wl,--wrap=exit,--wrap=_exit,--wrap=quick_exit,--wrap=tcase_fn_start,--wrap=check_get_clockid"
CHECK_CFLAGS=$(pkg-config --cflags check)
CHECK_LIBS=$(pkg-config --libs check)

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The grader's main is the same for every program: compile it once.
if ! $CC $CFLAGS $CHECK_CFLAGS -c graders/grader_main.c -o "$out/grader_main.o" 2>"$out/grader_main.cc"; then
    cat "$out/grader_main.cc"; echo "0 passed, 1 failed"; exit 1
fi

# selected NN: whether $ONLY (blank-separated, empty for all) names NN.
selected() {
    [ -z "$ONLY" ] && return 0
    case " $ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# front_matter LESSON KEY: the value of KEY in the lesson's front matter.
front_matter() {
    awk -v key="$2" 'NR == 1 && $0 == "---" { in_fm = 1; next }
        in_fm && $0 == "---" { exit }
        in_fm && index($0, key ":") == 1 { v = substr($0, length(key) + 2); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); print v }' "$1"
}

# build PROG LEARNER_SOURCE GRADER_OBJECT [-Werror]   (uses $lesson_wraps)
build() {
    prog=$1 learner=$2 grader_o=$3 strict=$4
    $CC $CFLAGS $strict -Dmain=chanlings_learner_main -c "$learner" -o "$prog.learner.o" 2>"$prog.cc" &&
        $CC $san -pthread "$prog.learner.o" "$grader_o" "$out/grader_main.o" $WRAPS $lesson_wraps "$lib" \
            $CHECK_LIBS -o "$prog" 2>>"$prog.cc"
}

# expectations_for VARIANT: its lines of wrong.tsv that this pass checks.
expectations_for() {
    if [ -n "$RACE" ]; then
        grep "^$1	[^	]*	race	" graders/tests/wrong.tsv
    elif [ -n "$ASAN" ]; then
        grep "^$1	[^	]*	memory	" graders/tests/wrong.tsv
    else
        grep "^$1	" graders/tests/wrong.tsv | grep -v "^$1	[^	]*	\(race\|memory\)	"
    fi
}

# grade PROG: runs it; results in $prog.results, outputs in $prog.d/
# (ASan with detect_stack_use_after_return, as the runner's memory pass:
# it moves frames to fake stacks, which the M:N scheduler must hand over.)
grade() {
    prog=$1
    rm -rf "$prog.d" && mkdir -p "$prog.d"
    CL_RESULTS="$prog.results" CL_OUTPUT_DIR="$prog.d" CL_TEST_TIMEOUT=${CL_TEST_TIMEOUT:-$lesson_timeout} \
        TSAN_OPTIONS="halt_on_error=1 exitcode=66 $TSAN_OPTIONS" \
        ASAN_OPTIONS="detect_leaks=1 detect_stack_use_after_return=1 $ASAN_OPTIONS" \
        "$prog" >"$prog.stdout" 2>&1
}

# must_pass LABEL PROG: passes every test, RUNS times.
must_pass() {
    label=$1 prog=$2
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        if ! grade "$prog" || grep -qv '^pass' "$prog.results" || [ ! -s "$prog.results" ]; then
            fail "$label failed its grader (run $i of $RUNS):"
            grep -v '^pass' "$prog.results" 2>/dev/null | head -n 5
            for f in "$prog.d"/*.out; do [ -s "$f" ] && { echo "--- $f"; head -n 30 "$f"; }; done
            return
        fi
    done
    pass
}

# must_fail_as NAME PROG EXPECTATIONS: each expectation line holds, RUNS times.
must_fail_as() {
    name=$1 prog=$2 expectations=$3
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        grade "$prog"
        rm -f "$prog.bad"
        printf '%s\n' "$expectations" | while IFS='	' read -r _ test status words; do
            case $status in race | memory) status=error ;; esac
            line=$(grep "	$test	" "$prog.results")
            if [ -z "$line" ]; then
                echo "FAIL: $name: no result for test $test (run $i)"; echo x >>"$prog.bad"
            elif [ "${line%%	*}" != "$status" ]; then
                echo "FAIL: $name: $test was '${line%%	*}', expected '$status' (run $i): $line"; echo x >>"$prog.bad"
            elif ! printf '%s' "$line" | grep -qF -- "$words" &&
                ! grep -qF -- "$words" "$prog.d/$test.out" 2>/dev/null; then
                echo "FAIL: $name: $test did not say \"$words\" (run $i): $line"; echo x >>"$prog.bad"
            fi
        done
        if [ -s "$prog.bad" ]; then failed=$((failed + 1)); rm -f "$prog.bad"; return; fi
    done
    pass
}

# prove SLUG GRADER SOLUTION EXERCISE LESSON PREFIX
#   PREFIX-alt-*.patch and PREFIX-wrong-*.patch (in graders/tests/) apply to SOLUTION.
prove() {
    slug=$1 grader=$2 solution=$3 exercise=$4 lesson=$5 prefix=$6
    lesson_wraps=""
    # Each test's bound, as the runner gives it: the lesson's `timeout:`, or 10 s.
    lesson_timeout=$(front_matter "$lesson" timeout)
    case $lesson_timeout in '' | *[!0-9]*) lesson_timeout=10 ;; esac
    for name in $(front_matter "$lesson" wrap); do
        lesson_wraps="$lesson_wraps,--wrap=$name"
    done
    [ -n "$lesson_wraps" ] && lesson_wraps="-Wl${lesson_wraps}"
    if [ -n "$ASAN" ] && [ "$(front_matter "$lesson" asan)" != true ]; then
        return # the memory pass runs where the lesson asks for it
    fi

    grader_o=$out/$slug.grader.o
    if ! $CC $CFLAGS -Werror $CHECK_CFLAGS -Igraders -c "$grader" -o "$grader_o" 2>"$grader_o.cc"; then
        fail "$slug: the grader does not build cleanly:"; cat "$grader_o.cc"; return
    fi

    # The reference solution passes every test, every time, warning-free.
    prog=$out/$slug.solution
    if ! build "$prog" "$solution" "$grader_o" -Werror; then
        fail "$slug: the solution does not build cleanly:"; cat "$prog.cc"
    else
        must_pass "$slug: solution" "$prog"
    fi

    # So does every correct alternative: the grader judges behaviour, not shape.
    for patchfile in graders/tests/"$prefix"-alt-*.patch; do
        [ -f "$patchfile" ] || continue
        name=$(basename "$patchfile" .patch)
        alt=$out/$name.c
        if ! patch -s -o "$alt" "$solution" <"$patchfile" >"$out/$name.patch.log" 2>&1; then
            fail "$name: does not apply to $solution:"; cat "$out/$name.patch.log"; continue
        fi
        if ! build "$out/$name" "$alt" "$grader_o" -Werror; then
            fail "$name: does not build cleanly:"; cat "$out/$name.cc"; continue
        fi
        must_pass "$name (a correct alternative)" "$out/$name"
    done

    # The untouched exercise builds without warnings and fails, every time.
    # (The sanitizer passes prove solutions and their own variants only.)
    if [ -z "$RACE$ASAN" ] && [ -n "$exercise" ]; then
        prog=$out/$slug.exercise
        if ! build "$prog" "$exercise" "$grader_o" -Werror; then
            fail "$slug: untouched exercise does not build cleanly:"; cat "$prog.cc"
        else
            i=0 ok=1
            while [ $i -lt "$RUNS" ]; do
                i=$((i + 1))
                grade "$prog"
                if [ ! -s "$prog.results" ] || ! grep -qv '^pass' "$prog.results"; then
                    ok=0; fail "$slug: the untouched exercise passed its grader (run $i)"; break
                fi
            done
            [ $ok = 1 ] && pass
        fi
    fi

    # Each wrong variant fails the named test with the named words, found in
    # the result message or in the test's output file (deadlock dumps,
    # sanitizer reports).  A variant is a patch on the solution: the one
    # mistake, nothing else.
    for patchfile in graders/tests/"$prefix"-wrong-*.patch; do
        [ -f "$patchfile" ] || continue
        name=$(basename "$patchfile" .patch)
        wrong=$out/$name.c
        if ! patch -s -o "$wrong" "$solution" <"$patchfile" >"$out/$name.patch.log" 2>&1; then
            fail "$name: does not apply to $solution:"; cat "$out/$name.patch.log"; continue
        fi
        expectations=$(expectations_for "$name")
        if [ -z "$expectations" ]; then
            # Checked by another pass (a race, a memory fault), or forgotten.
            grep -q "^$name	" graders/tests/wrong.tsv ||
                fail "$name: no expectation in graders/tests/wrong.tsv"
            continue
        fi
        if ! build "$out/$name" "$wrong" "$grader_o"; then
            fail "$name: does not build:"; cat "$out/$name.cc"; continue
        fi
        must_fail_as "$name" "$out/$name" "$expectations"
    done
}

for grader in graders/[0-9][0-9]-*.c; do
    slug=$(basename "$grader" .c)
    nn=${slug%%-*}
    selected "$nn" || continue
    # The untouched exercise as shipped (git HEAD, else the runner's pristine
    # copy), never a learner's work in exercises/.
    stub=exercises/$slug.c
    if git show "HEAD:exercises/$slug.c" > "$out/$slug.shipped.c" 2>/dev/null; then
        stub=$out/$slug.shipped.c
    elif [ -f ".chanlings/pristine/$slug.c" ]; then
        stub=.chanlings/pristine/$slug.c
    fi
    prove "$slug" "$grader" "solutions/$slug.c" "$stub" "lessons/$slug.md" "$nn"
done

# The schedule-point fixture: proves grader.h's wrap helpers on a tiny
# learner file of its own (graders/tests/fx/).
if selected fx; then
    prove fx-schedule-points graders/tests/fx/grader.c graders/tests/fx/solution.c "" \
        graders/tests/fx/lesson.md fx
fi

echo "graders ($flavour, $RUNS run(s) each): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
