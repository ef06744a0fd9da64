#!/bin/sh
# Proves the graders of exercises 01-03 without the runner:
#   - every solution passes its grader (RUNS times, default 1),
#   - every untouched exercise fails its grader (RUNS times),
#   - every correct alternative (graders/tests/NN-alt-*.patch) passes,
#   - every wrong variant (graders/tests/NN-wrong-*.patch, applied to the
#     solution) fails the test that
#     graders/tests/wrong.tsv names, with the message it names
#     (wrong.tsv: variant, test, fail|error|race, words; "race" lines are
#     checked under RACE=1: the test must stop with a ThreadSanitizer report).
# It builds each program the way the runner does (learner file with
# -Dmain=chanlings_learner_main, grader + graders/grader_main.c, libgoc,
# Check) so a pass here means a pass in `chanlings check`.
#
#   sh graders/tests/run.sh            plain libgoc
#   RACE=1 sh graders/tests/run.sh     ThreadSanitizer build: solutions clean, races caught
#   RUNS=20 sh graders/tests/run.sh    repeat each solution/stub run
#   ONLY=02 sh graders/tests/run.sh    one exercise
# Last line: "N passed, N failed"; exit status non-zero on any failure.
cd "$(dirname "$0")/../.." || exit 2
CC=${CC:-cc}
RUNS=${RUNS:-1}
ONLY=${ONLY:-}
flavour=plain
san=""
[ -n "$RACE" ] && { flavour=tsan; san="-fsanitize=thread"; }
lib=build/lib/$flavour/libgoc.a
out=build/graders-test/$flavour
mkdir -p "$out"

if [ ! -f "$lib" ]; then
    make --no-print-directory "$lib" >/dev/null || { echo "cannot build $lib"; echo "0 passed, 1 failed"; exit 1; }
fi

CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -pthread -I${GOC_INCLUDE:-lib/include} $san"
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

# build PROG LEARNER_SOURCE GRADER_OBJECT [-Werror]
build() {
    prog=$1 learner=$2 grader_o=$3 strict=$4
    $CC $CFLAGS $strict -Dmain=chanlings_learner_main -c "$learner" -o "$prog.learner.o" 2>"$prog.cc" &&
        $CC $san -pthread "$prog.learner.o" "$grader_o" "$out/grader_main.o" $WRAPS "$lib" \
            $CHECK_LIBS -o "$prog" 2>>"$prog.cc"
}

# expectations_for VARIANT: its lines of wrong.tsv that this pass checks.
expectations_for() {
    if [ -n "$RACE" ]; then
        grep "^$1	[^	]*	race	" graders/tests/wrong.tsv
    else
        grep "^$1	" graders/tests/wrong.tsv | grep -v "^$1	[^	]*	race	"
    fi
}

# grade PROG: runs it; results in $prog.results, outputs in $prog.d/
grade() {
    prog=$1
    rm -rf "$prog.d" && mkdir -p "$prog.d"
    CL_RESULTS="$prog.results" CL_OUTPUT_DIR="$prog.d" CL_TEST_TIMEOUT=${CL_TEST_TIMEOUT:-10} \
        TSAN_OPTIONS="halt_on_error=1 exitcode=66 $TSAN_OPTIONS" "$prog" >"$prog.stdout" 2>&1
}

for grader in graders/[0-9][0-9]-*.c; do
    slug=$(basename "$grader" .c)
    nn=${slug%%-*}
    [ -n "$ONLY" ] && [ "$ONLY" != "$nn" ] && continue

    grader_o=$out/$slug.grader.o
    if ! $CC $CFLAGS -Werror $CHECK_CFLAGS -Igraders -c "$grader" -o "$grader_o" 2>"$grader_o.cc"; then
        fail "$slug: the grader does not build cleanly:"; cat "$grader_o.cc"; continue
    fi

    # The reference solution passes every test, every time, warning-free.
    prog=$out/$slug.solution
    if ! build "$prog" "solutions/$slug.c" "$grader_o" -Werror; then
        fail "$slug: the solution does not build cleanly:"; cat "$prog.cc"
    else
        i=0 ok=1
        while [ $i -lt "$RUNS" ]; do
            i=$((i + 1))
            if ! grade "$prog" || grep -qv '^pass' "$prog.results" || [ ! -s "$prog.results" ]; then
                ok=0
                fail "$slug: solution failed its grader (run $i of $RUNS):"
                grep -v '^pass' "$prog.results" 2>/dev/null | head -n 5
                for f in "$prog.d"/*.out; do [ -s "$f" ] && { echo "--- $f"; head -n 30 "$f"; }; done
                break
            fi
        done
        [ $ok = 1 ] && pass
    fi
    # Each unusual correct alternative (graders/tests/NN-alt-*.patch, applied
    # to the solution) builds warning-free and passes, RUNS times, in both
    # passes: a grader that rejects correct code is as wrong as one that
    # accepts a mistake.
    for patchfile in graders/tests/"$nn"-alt-*.patch; do
        [ -f "$patchfile" ] || continue
        name=$(basename "$patchfile" .patch)
        alt=$out/$name.c
        if ! patch -s -o "$alt" "solutions/$slug.c" <"$patchfile" >"$out/$name.patch.log" 2>&1; then
            fail "$name: does not apply to solutions/$slug.c:"; cat "$out/$name.patch.log"; continue
        fi
        prog=$out/$name
        if ! build "$prog" "$alt" "$grader_o" -Werror; then
            fail "$name: does not build cleanly:"; cat "$prog.cc"; continue
        fi
        i=0 ok=1
        while [ $i -lt "$RUNS" ]; do
            i=$((i + 1))
            if ! grade "$prog" || grep -qv '^pass' "$prog.results" || [ ! -s "$prog.results" ]; then
                ok=0
                fail "$name: a correct alternative failed the grader (run $i of $RUNS):"
                grep -v '^pass' "$prog.results" 2>/dev/null | head -n 5
                break
            fi
        done
        [ $ok = 1 ] && pass
    done
    # The untouched exercise builds without warnings and fails, every time.
    prog=$out/$slug.exercise
    if [ -n "$RACE" ]; then
        : # the race pass proves the solutions and the race-only variants
    elif ! build "$prog" "exercises/$slug.c" "$grader_o" -Werror; then
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

    # Each wrong variant fails the named test with the named words, found in
    # the result message or in the test's output file (deadlock dumps, TSan
    # reports).  Lines with status "race" are checked by the RACE=1 pass
    # (the test must end in error with a ThreadSanitizer report), the others
    # by the plain pass.
    # A variant is a patch on the solution (the one mistake, nothing else).
    for patchfile in graders/tests/"$nn"-wrong-*.patch; do
        [ -f "$patchfile" ] || continue
        name=$(basename "$patchfile" .patch)
        wrong=$out/$name.c
        if ! patch -s -o "$wrong" "solutions/$slug.c" <"$patchfile" >"$out/$name.patch.log" 2>&1; then
            fail "$name: does not apply to solutions/$slug.c:"; cat "$out/$name.patch.log"; continue
        fi
        expectations=$(expectations_for "$name")
        if [ -z "$expectations" ]; then
            # A race that only ThreadSanitizer sees reliably has only "race"
            # lines: the plain pass has nothing to check for it.
            [ -z "$RACE" ] && ! grep -q "^$name	[^	]*	race	" graders/tests/wrong.tsv &&
                fail "$name: no expectation in graders/tests/wrong.tsv"
            continue
        fi
        prog=$out/$name
        if ! build "$prog" "$wrong" "$grader_o"; then
            fail "$name: does not build:"; cat "$prog.cc"; continue
        fi
        grade "$prog"
        rm -f "$prog.bad"
        printf '%s\n' "$expectations" | while IFS='	' read -r _ test status words; do
            [ "$status" = race ] && status=error
            line=$(grep "	$test	" "$prog.results")
            if [ -z "$line" ]; then
                echo "FAIL: $name: no result for test $test"; echo x >>"$prog.bad"
            elif [ "${line%%	*}" != "$status" ]; then
                echo "FAIL: $name: $test was '${line%%	*}', expected '$status': $line"; echo x >>"$prog.bad"
            elif ! printf '%s' "$line" | grep -qF -- "$words" &&
                ! grep -qF -- "$words" "$prog.d/$test.out" 2>/dev/null; then
                echo "FAIL: $name: $test did not say \"$words\": $line"; echo x >>"$prog.bad"
            fi
        done
        if [ -s "$prog.bad" ]; then failed=$((failed + 1)); rm -f "$prog.bad"; else pass; fi
    done
done

echo "graders ($flavour, $RUNS run(s) each): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
