#!/bin/sh
# Fails when the modules of a source directory include each other in a
# circle.  A module is a file's name without .c/.h (tui.c and tui.h are
# module "tui"); module A depends on B when A.c or A.h has
# `#include "B.h"`.  Prints the cycle it found, as a path of modules.
#
# usage: scripts/check-includes.sh DIR...   (default: runner/src)
set -eu
[ $# -gt 0 ] || set -- runner/src
status=0
for dir in "$@"; do
    # Edges "from to", one a line, from every #include "x.h" of the directory.
    edges=$(for f in "$dir"/*.c "$dir"/*.h; do
        [ -f "$f" ] || continue
        from=$(basename "$f"); from=${from%.*}
        sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"/]*\)\.h".*/\1/p' "$f" |
            while read -r to; do
                [ "$to" = "$from" ] || [ ! -f "$dir/$to.h" ] || echo "$from $to"
            done
    done | sort -u)
    cycle=$(printf '%s\n' "$edges" | awk '
        NF == 2 { out[$1] = out[$1] " " $2; node[$1] = 1; node[$2] = 1 }
        function visit(n, path,    k, m, list, i) {
            state[n] = 1; stack[n] = path
            split(out[n], list, " ")
            for (i in list) {
                m = list[i]
                if (m == "") continue
                if (state[m] == 1) { found = path " -> " m; return 1 }
                if (!state[m] && visit(m, path " -> " m)) return 1
            }
            state[n] = 2
            return 0
        }
        END {
            for (n in node)
                if (!state[n] && visit(n, n)) { print found; exit }
        }')
    nmod=$(printf '%s\n' "$edges" | awk 'NF == 2 { m[$1]; m[$2] } END { print length(m) }')
    if [ -n "$cycle" ]; then
        echo "check-includes: $dir: modules include each other in a circle: $cycle"
        echo "  (break it: move what both need into a lower module, or pass data instead of the"
        echo "   caller's type; docs/ARCHITECTURE.md shows the intended layers)"
        status=1
    else
        echo "check-includes: $dir: $nmod modules, no include cycle"
    fi
done
exit $status
