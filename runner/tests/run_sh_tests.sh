#!/bin/sh
# Runs shell tests and adds their totals to $BUILD_TALLY.
#   run_sh_tests.sh SCRIPT...
# Each script's last line says "N passed, M failed"; a script that exits
# non-zero without counting a failure, or prints no totals, counts one.
rc=0
for t in "$@"; do
    echo "== $t"
    out=$(sh "$t" 2>&1); s=$?
    printf '%s\n' "$out"
    totals=$(printf '%s\n' "$out" | tail -n 1 | awk '{
        for (i = 1; i < NF; i++) {
            if ($(i + 1) ~ /^passed,?$/) p = $i
            if ($(i + 1) ~ /^failed/) f = $i
        }
        if (p == "" || f == "") print "none"; else print p + 0, f + 0 }')
    if [ "$totals" = none ]; then
        echo "FAIL: $t printed no 'N passed, M failed' line"; totals="0 1"; rc=1
    fi
    set -- $totals "$@"; p=$1; f=$2; shift 2
    if [ "$s" -ne 0 ]; then
        rc=1; [ "$f" -gt 0 ] || f=1
    fi
    [ -n "$BUILD_TALLY" ] && echo "$p $f" >> "$BUILD_TALLY"
done
exit $rc
