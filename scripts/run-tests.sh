#!/bin/sh
# Runs Check test programs and prints their totals.
#   run-tests.sh LABEL PROGRAM...
# Each program prints Check's summary ("NN%: Checks: N, Failures: F,
# Errors: E"); a program that prints none, or exits non-zero, counts as a
# failure.  Totals are also added to $BUILD_TALLY (if set) so `make test` can
# print one closing line.
label=$1; shift
passed=0; failed=0; bad=""
for prog in "$@"; do
    out=$("$prog" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1)); bad="$bad $prog"
        printf '%s\n' "$out" | tail -n 40
        echo "FAIL: $prog printed no Check summary (exit $rc)"
        continue
    fi
    checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    errs=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    nbad=$((fails + errs))
    passed=$((passed + checks - nbad)); failed=$((failed + nbad))
    if [ "$nbad" -ne 0 ] || [ "$rc" -ne 0 ]; then
        [ "$nbad" -eq 0 ] && failed=$((failed + 1))
        bad="$bad $prog"
        printf '%s\n' "$out" | grep -vE '^[0-9]+%: Checks' | grep -E ':[EF]:|error|Error|WARNING|panic|fatal' | head -n 40
    fi
done
echo "$label: $passed passed, $failed failed"
[ -n "$BUILD_TALLY" ] && echo "$passed $failed" >> "$BUILD_TALLY"
[ -z "$bad" ] || { echo "failing:$bad"; exit 1; }
