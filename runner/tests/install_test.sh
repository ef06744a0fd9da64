#!/bin/sh
# make install into a scratch DESTDIR: the files land where dist/install.mk
# says, the installed libgoc.pc passes `pkg-config --validate`, a program
# outside the workbook builds with `cc $(pkg-config --cflags --libs libgoc)`
# and runs, the man pages render without a warning, and a learner's copy of
# the installed workbook grades an exercise with the installed chanlings.
# Last line: "N passed, M failed".
#
#   sh runner/tests/install_test.sh   (from anywhere; wants `make lib runner` done)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${out:-}" ] && printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
check() { name=$1; shift; if out=$("$@" 2>&1); then ok "$name"; else bad "$name"; fi; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-install.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP
dest=$scratch/dest
prefix=/opt/chanlings-test
root=$dest$prefix

# Only the install target: the build is the Makefile's business and done.
out=$(cd "$top" && env -u MAKEFLAGS -u MFLAGS make --no-print-directory install \
      DESTDIR="$dest" PREFIX="$prefix" 2>&1)
if [ $? -eq 0 ]; then ok "make install DESTDIR=... PREFIX=$prefix"; else bad "make install"; finish; fi

for f in bin/chanlings lib/libgoc.a include/goc.h include/goc/chan.h lib/pkgconfig/libgoc.pc \
         share/man/man1/chanlings.1 share/man/man3/libgoc.3 share/chanlings/graders/grader_main.c \
         share/chanlings/lib/include/goc.h share/chanlings/build/lib/tsan/libgoc.a; do
    if [ -f "$root/$f" ]; then ok "installed $f"; else bad "missing $prefix/$f"; fi
done
[ -x "$root/bin/chanlings" ] && ok "chanlings is executable" || bad "chanlings is not executable"
n_ex=$(ls "$top"/exercises/[0-9]*.c | wc -l)
for d in lessons exercises solutions graders; do
    n=$(ls "$root/share/chanlings/$d"/[0-9]*.[cm]* 2>/dev/null | wc -l)
    if [ "$n" -eq "$n_ex" ]; then ok "workbook $d: all $n"; else bad "workbook $d holds $n of $n_ex"; fi
done
grep -q "^prefix=$prefix\$" "$root/lib/pkgconfig/libgoc.pc" && ok "libgoc.pc names PREFIX, not DESTDIR" ||
    bad "libgoc.pc prefix line: $(grep ^prefix= "$root/lib/pkgconfig/libgoc.pc")"

# ---- pkg-config: the validator must refuse a broken file, or its yes means nothing
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
printf 'Name: broken\nLibs: -lnothing\n' > "$scratch/broken.pc"
if pkg-config --validate "$scratch/broken.pc" >/dev/null 2>&1; then
    bad "pkg-config --validate accepts a .pc without Version/Description (the check below proves nothing)"
else ok "pkg-config --validate refuses a broken .pc"; fi
check "pkg-config --validate libgoc" pkg-config --validate libgoc
check "pkg-config --modversion libgoc" pkg-config --modversion libgoc
cflags=$(pkg-config --define-prefix --cflags libgoc)
libs=$(pkg-config --define-prefix --libs libgoc)
case "$cflags $libs" in
*"-I$root/include"*"-L$root/lib "*) ok "--define-prefix resolves into DESTDIR: $cflags $libs" ;;
*) out="$cflags $libs"; bad "pkg-config --define-prefix paths" ;;
esac

# ---- a program outside the workbook, built only from what was installed
mkdir -p "$scratch/elsewhere"
cat > "$scratch/elsewhere/prog.c" <<'PROG'
#include <goc.h>
#include <stdio.h>

static void squares(void *arg)
{
    goc_chan *out = arg;
    for (int i = 1; i <= 4; i++) {
        int sq = i * i;
        goc_send(out, &sq);
    }
    goc_close(out);
}

int main(void)
{
    goc_chan *ch = goc_chan_make(int, 0);
    goc_go(squares, ch);
    int v, sum = 0;
    while (goc_recv(ch, &v))
        sum += v;
    goc_chan_free(ch);
    printf("sum %d\n", sum);
    return 0;
}
PROG
cd "$scratch/elsewhere" || finish
# shellcheck disable=SC2086  # the flags are meant to split
# Both orders: the flags first (as people type it) and the file first (as
# a static library usually needs).
check "cc \$(pkg-config --cflags --libs libgoc) prog.c" ${CC:-cc} -std=c11 $cflags $libs prog.c -o prog
out=$(./prog 2>&1)
[ "$out" = "sum 30" ] && ok "the program runs on the installed libgoc (goroutine, channel, close)" ||
    bad "installed program printed: $out"
check "cc prog.c \$(pkg-config --cflags --libs libgoc)" ${CC:-cc} -std=c11 prog.c $cflags $libs -o prog2
out=$(./prog2 2>&1)
[ "$out" = "sum 30" ] && ok "... and when built with the file first" || bad "prog2 printed: $out"

# ---- man pages: groff's strictest warnings, and man itself
for m in man1/chanlings.1 man3/libgoc.3; do
    out=$(groff -ww -man -z "$root/share/man/$m" 2>&1)
    [ -z "$out" ] && ok "groff -ww: $m renders without a warning" || bad "groff -ww $m"
    if command -v man >/dev/null 2>&1; then
        out=$(MANWIDTH=80 man -l "$root/share/man/$m" 2>&1 >/dev/null)
        [ -z "$out" ] && ok "man -l $m: no warning" || bad "man -l $m"
    fi
done

# ---- outside any workbook, the installed chanlings names the one to copy
mkdir -p "$scratch/empty" && cd "$scratch/empty" || finish
out=$(env -u CHANLINGS_ROOT "$root/bin/chanlings" list 2>&1); rc=$?
if [ $rc -eq 3 ] && printf '%s\n' "$out" | grep -qF "cp -R $(cd "$root/share/chanlings" && pwd -P) ~/chanlings"; then
    ok "no workbook here: exit 3, and says to copy the installed one"
else bad "installed chanlings outside a workbook (exit $rc)"; fi
out=$(CHANLINGS_ROOT="$root/share/chanlings" "$root/bin/chanlings" lesson 1 </dev/null 2>&1) &&
    ok "CHANLINGS_ROOT=<prefix>/share/chanlings reads the installed workbook (lesson 1)" ||
    bad "lesson 1 of the installed workbook"

# ---- a learner's copy of the installed workbook, graded by the installed chanlings
cp -R "$root/share/chanlings" "$scratch/mine" && cd "$scratch/mine" || finish
ex1=$(basename "$(ls exercises/01-*.c)" .c)
cp "solutions/$ex1.c" "exercises/$ex1.c"
out=$(env -u CHANLINGS_ROOT NO_COLOR=1 "$root/bin/chanlings" check 1 </dev/null 2>&1)
[ $? -eq 0 ] && ok "installed chanlings passes $ex1's solution in a copied workbook" ||
    bad "installed chanlings check 1 in the copy"
out=$(env -u CHANLINGS_ROOT NO_COLOR=1 "$root/bin/chanlings" check 2 </dev/null 2>&1)
[ $? -eq 1 ] && ok "... and fails exercise 2 as shipped" || bad "installed chanlings check 2 should fail"

# ---- uninstall leaves nothing of ours behind
cd "$top" && out=$(env -u MAKEFLAGS -u MFLAGS make --no-print-directory uninstall DESTDIR="$dest" PREFIX="$prefix" 2>&1)
left=$(find "$root" -type f | wc -l)
[ "$left" -eq 0 ] && ok "make uninstall removes every installed file" || { out=$(find "$root" -type f | head); bad "uninstall left $left files"; }
finish
