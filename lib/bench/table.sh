#!/bin/sh
# Prints libgoc's benchmarks beside Go's as one table.
#   table.sh GOC_BENCH [GO_BENCH] [FILTER]
# Both programs print "key<TAB>value<TAB>unit<TAB>description" lines; the
# table joins them on the key.  Without a Go binary the Go and ratio
# columns are left out.
goc=$1; gobin=$2; filter=$3
tmp=${TMPDIR:-/tmp}/goc-bench.$$
trap 'rm -f "$tmp".c "$tmp".go' EXIT INT TERM

if ! "$goc" $filter > "$tmp".c; then
    echo "bench: $goc failed; its output is above. Run it alone to see which benchmark stopped." >&2
    exit 1
fi
: > "$tmp".go
if [ -n "$gobin" ] && [ -x "$gobin" ]; then
    "$gobin" $filter > "$tmp".go || echo "bench: the Go side ($gobin) failed; showing libgoc only" >&2
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "libgoc benchmarks on $(nproc 2>/dev/null || echo '?') CPUs${cpu:+ ($cpu)}"
if [ -s "$tmp".go ]; then
    echo "ratio = libgoc / Go (ns, us, KB: lower is better; goroutines: higher is better)"
else
    echo "Go column left out: no Go toolchain on PATH (install golang-go to compare)"
fi
echo

awk -F '\t' -v gofile="$tmp".go -v have_go="$([ -s "$tmp".go ] && echo 1 || echo 0)" '
    FILENAME == gofile { go[$1] = $2; next }
    {
        keys[++n] = $1; label[$1] = $4; val[$1] = $2; unit[$1] = $3
        if (length($4) > w) w = length($4)
    }
    END {
        if (have_go) {
            fmt = "%-" w "s  %14s  %14s  %7s\n"
            printf fmt, "operation", "libgoc", "Go", "ratio"
        } else {
            fmt = "%-" w "s  %14s\n"
            printf fmt, "operation", "libgoc"
        }
        for (i = 1; i <= n; i++) {
            k = keys[i]
            c = val[k] " " unit[k]
            if (!have_go) { printf fmt, label[k], c; continue }
            g = (k in go) ? go[k] " " unit[k] : "-"
            r = ((k in go) && go[k] > 0) ? sprintf("%.2f", val[k] / go[k]) : "-"
            printf fmt, label[k], c, g, r
        }
    }' "$tmp".go "$tmp".c
