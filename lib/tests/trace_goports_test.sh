#!/bin/sh
# Every Go port (goports/) run with GOC_TRACE=FILE, against libgoc.a of
# each flavour given (NAME:"CFLAGS"): it behaves as without tracing (the
# exit status Go recorded), and leaves a trace that trace_validate.py
# accepts, ended the way the program ended: "exit", "panic" (a panic or
# a fatal error) or "deadlock".  This is where GOC_TRACE's own path is
# tested (test_trace.c calls goc_trace_start); the validator's self-test
# runs first, so a validator that accepts anything fails here.
cc=${CC:-cc}
build=${BUILD:-build}
here=$(dirname "$0")
passed=0; failed=0
if ! command -v python3 >/dev/null; then
    echo "trace ports: python3 not installed: skipped"
    exit 0
fi
python3 "$here/trace_validate.py" --self-test || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for spec in "$@"; do
    flavour=${spec%%:*}
    flags=${spec#*:}
    for src in "$here"/goports/*.c; do
        name=$(basename "$src" .c)
        exp="$here/goports/$name.expected"
        [ -f "$exp" ] || continue
        bin="$tmp/$name-$flavour"
        if ! $cc -std=c11 -D_GNU_SOURCE $flags -Ilib/include -pthread "$src" "$build/lib/$flavour/libgoc.a" -o "$bin" 2> "$tmp/cc"; then
            failed=$((failed + 1)); echo "FAIL [$flavour] $name does not build:"; head -n 8 "$tmp/cc"
            continue
        fi
        GOC_TRACE="$tmp/$name.json" timeout 30 "$bin" > /dev/null 2> "$tmp/err"
        status=$?
        want_status=$(sed -n '1s/^exit: //p' "$exp")
        case $(sed -n '2s/^stderr: //p' "$exp") in
            *deadlock*) end=deadlock ;;
            "") end=exit ;;
            *) end=panic ;;
        esac
        if [ "$status" != "$want_status" ]; then
            failed=$((failed + 1)); echo "FAIL [$flavour] $name: exit status $status with GOC_TRACE, Go's was $want_status"
            head -n 5 "$tmp/err"
        elif ! python3 "$here/trace_validate.py" --end "$end" "$tmp/$name.json" > "$tmp/why"; then
            failed=$((failed + 1)); echo "FAIL [$flavour] $name: its trace is not valid:"; head -n 10 "$tmp/why"
        else
            passed=$((passed + 1))
        fi
    done
done
echo "trace ports: $passed passed, $failed failed"
[ -n "$BUILD_TALLY" ] && echo "$passed $failed" >> "$BUILD_TALLY"
[ $failed -eq 0 ]
