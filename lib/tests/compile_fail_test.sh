#!/bin/sh
# Directional channel handles turn misuse into compile errors, as in Go.
# Each file in compile_fail/ must fail to compile with a message naming the
# mistake, except ok_*.c, which must compile cleanly.
cc=${CC:-cc}
dir=$(dirname "$0")/compile_fail
passed=0; failed=0
for f in "$dir"/*.c; do
    out=$($cc -std=c11 -Wall -Wextra -Werror -Ilib/include -c "$f" -o /dev/null 2>&1); rc=$?
    case $(basename "$f") in
    ok_*)
        if [ $rc -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $f should compile:"; echo "$out"; fi ;;
    *)
        if [ $rc -ne 0 ] && echo "$out" | grep -q "only channel"; then passed=$((passed + 1));
        else failed=$((failed + 1)); echo "FAIL: $f should be rejected naming the channel direction:"; echo "$out" | head -5; fi ;;
    esac
done
echo "compile-time channel directions: $passed passed, $failed failed"
[ -n "$BUILD_TALLY" ] && echo "$passed $failed" >> "$BUILD_TALLY"
[ $failed -eq 0 ]
