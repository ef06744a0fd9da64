#!/bin/sh
# Go programs ported line by line to libgoc must behave as Go did: the
# same stdout, the same first line on stderr and the same exit status.
# Go's output was recorded once by goports/record.sh into NAME.expected
# (exit status, stderr's first line, the Go version, then stdout); this
# test needs no Go.  Each port is built against libgoc.a of every flavour
# given (NAME:"CFLAGS") with -Werror, and run with a time limit.
cc=${CC:-cc}
build=${BUILD:-build}
dir=$(dirname "$0")/goports
passed=0; failed=0; unrecorded=""
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

for spec in "$@"; do
    flavour=${spec%%:*}
    flags=${spec#*:}
    lib=$build/lib/$flavour/libgoc.a
    for src in "$dir"/*.c; do
        name=$(basename "$src" .c)
        exp="$dir/$name.expected"
        if [ ! -f "$exp" ]; then
            case " $unrecorded " in *" $name "*) ;; *) unrecorded="$unrecorded $name" ;; esac
            continue
        fi
        bin="$tmp/$name-$flavour"
        if ! out=$($cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $flags -Ilib/include -pthread "$src" "$lib" -o "$bin" 2>&1); then
            failed=$((failed + 1)); echo "FAIL [$flavour] $name does not build:"; printf '%s\n' "$out" | head -n 8
            continue
        fi
        TSAN_OPTIONS="halt_on_error=1 exitcode=66 $TSAN_OPTIONS" timeout 30 "$bin" > "$tmp/out" 2> "$tmp/err"
        status=$?
        want_status=$(sed -n '1s/^exit: //p' "$exp")
        want_err=$(sed -n '2s/^stderr: //p' "$exp")
        sed '1,3d' "$exp" > "$tmp/want_out"
        got_err=$(head -n 1 "$tmp/err")
        why=""
        [ "$status" = "$want_status" ] || why="exit status $status, Go's was $want_status"
        [ "$got_err" = "$want_err" ] || why="${why:+$why; }stderr starts \"$got_err\", Go's \"$want_err\""
        cmp -s "$tmp/out" "$tmp/want_out" || why="${why:+$why; }stdout differs"
        if [ -z "$why" ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL [$flavour] $name: $why"
            diff "$tmp/want_out" "$tmp/out" | head -n 10
            head -n 5 "$tmp/err"
        fi
    done
done
[ -z "$unrecorded" ] || echo "not recorded yet (needs a newer Go to record):$unrecorded"
echo "Go ports: $passed passed, $failed failed"
[ -n "$BUILD_TALLY" ] && echo "$passed $failed" >> "$BUILD_TALLY"
[ $failed -eq 0 ]
