#!/bin/sh
# libgoc's private namespace: a learner's program may use any name that
# does not start with goc_.  For each flavour given as NAME:"CFLAGS":
#  1. every global symbol libgoc.a defines starts with goc_;
#  2. a program that defines every internal name of the library (read from
#     the objects with nm, so new internals are covered without editing
#     this file) links against libgoc.a, and runs with libgoc's own
#     internals, not the program's (each of the program's versions aborts).
cc=${CC:-cc}
build=${BUILD:-build}
here=$(dirname "$0")
passed=0; failed=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

for spec in "$@"; do
    flavour=${spec%%:*}
    flags=${spec#*:}
    lib=$build/lib/$flavour/libgoc.a
    internal=$build/lib/$flavour/libgoc-internal.a

    leaked=$(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | grep -v '^goc_')
    if [ -z "$leaked" ]; then pass; else fail "$lib exports names without the goc_ prefix:" $leaked; fi

    names=$(nm -g --defined-only "$internal" | awk 'NF == 3 { print $3 }' |
            grep -v '^goc_' | grep -E '^[A-Za-z_][A-Za-z0-9_]*$' | sort -u)
    count=$(printf '%s\n' "$names" | grep -c .)
    if [ "$count" -lt 10 ]; then
        fail "$internal: only $count internal names found; is nm reading the right objects?"
        continue
    fi
    {
        echo '#include <stdlib.h>'
        for n in $names; do echo "void $n(void); void $n(void) { abort(); }"; done
    } > "$tmp/defs_$flavour.c"
    out=$($cc -std=c11 -D_GNU_SOURCE -w $flags -Ilib/include -pthread "$here/namespace_main.c" \
          "$tmp/defs_$flavour.c" "$lib" -o "$tmp/prog_$flavour" 2>&1)
    if [ $? -ne 0 ]; then
        fail "[$flavour] a program defining libgoc's $count internal names does not link:"
        printf '%s\n' "$out" | head -n 8
        continue
    fi
    pass
    out=$(TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$tmp/prog_$flavour" 2>&1); rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "sum 4950" ]; then pass
    else fail "[$flavour] the program ran into its own definitions instead of libgoc's (exit $rc):"; printf '%s\n' "$out" | head -n 8; fi
done
echo "libgoc namespace: $passed passed, $failed failed"
[ -n "$BUILD_TALLY" ] && echo "$passed $failed" >> "$BUILD_TALLY"
[ $failed -eq 0 ]
