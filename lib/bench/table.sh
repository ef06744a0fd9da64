#!/bin/sh
# Prints libgoc's benchmarks, one column per scheduler, beside Go's.
#   table.sh GO_BENCH FILTER NAME=GOC_BENCH...
# Every program prints "key<TAB>value<TAB>unit<TAB>description" lines; the
# table joins them on the key.  Without a Go binary (GO_BENCH empty or not
# executable) the Go and ratio columns are left out.  The Go side runs
# last so the libgoc runs do not share the machine with its garbage.
gobin=$1; filter=$2; shift 2
tmp=${TMPDIR:-/tmp}/goc-bench.$$
trap 'rm -f "$tmp".*' EXIT INT TERM

names=
for spec in "$@"; do
    name=${spec%%=*}; bin=${spec#*=}
    if ! "$bin" $filter > "$tmp.c.$name"; then
        echo "bench: $bin failed; its output is above. Run it alone to see which benchmark stopped." >&2
        exit 1
    fi
    names="$names $name"
done
: > "$tmp".go
if [ -n "$gobin" ] && [ -x "$gobin" ]; then
    "$gobin" $filter > "$tmp".go || echo "bench: the Go side ($gobin) failed; showing libgoc only" >&2
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "libgoc benchmarks on $(nproc 2>/dev/null || echo '?') CPUs${cpu:+ ($cpu)}; columns: libgoc with each scheduler"
if [ -s "$tmp".go ]; then
    echo "x Go = libgoc / Go (ns, us, KB: lower is better; goroutines: higher is better)"
else
    echo "Go column left out: no Go toolchain on PATH (install golang-go to compare)"
fi
echo

awk -F '\t' -v names="$names" -v prefix="$tmp.c." -v gofile="$tmp".go -v have_go="$([ -s "$tmp".go ] && echo 1 || echo 0)" '
    BEGIN {
        ns = split(names, sched, " ")
        for (s = 1; s <= ns; s++) {
            file = prefix sched[s]
            while ((getline line < file) > 0) {
                split(line, f, "\t")
                if (!(f[1] in label)) { keys[++n] = f[1]; label[f[1]] = f[4]; unit[f[1]] = f[3] }
                val[s, f[1]] = f[2]
                if (length(f[4]) > w) w = length(f[4])
            }
        }
        if (have_go)
            while ((getline line < gofile) > 0) { split(line, f, "\t"); go[f[1]] = f[2] }
        printf "%-" w "s", "operation"
        for (s = 1; s <= ns; s++) printf "  %16s", sched[s]
        if (have_go) {
            printf "  %16s", "Go"
            for (s = 1; s <= ns; s++) printf "  %9s", sched[s] " x Go"
        }
        printf "\n"
        for (i = 1; i <= n; i++) {
            k = keys[i]
            printf "%-" w "s", label[k]
            for (s = 1; s <= ns; s++) printf "  %16s", ((s, k) in val) ? val[s, k] " " unit[k] : "-"
            if (have_go) {
                printf "  %16s", (k in go) ? go[k] " " unit[k] : "-"
                for (s = 1; s <= ns; s++)
                    printf "  %9s", ((s, k) in val && (k in go) && go[k] > 0) ? sprintf("%.2f", val[s, k] / go[k]) : "-"
            }
            printf "\n"
        }
    }'
