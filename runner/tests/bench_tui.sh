#!/bin/sh
# bench-tui: builds runner/tests/bench_tui.c with the view's drawing and
# Markdown code and prints how long a redraw after a key takes for a
# 1,000-line lesson.  Run from the workbook root (make bench-runner does).
set -e
CC=${CC:-cc}
out=${BUILD:-build}/bench_tui
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046
$CC -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Irunner/src $(pkg-config --cflags ncursesw) \
    runner/tests/bench_tui.c runner/src/md_render.c runner/src/tui_syntax.c \
    runner/src/tui_spans.c runner/src/tui_term.c \
    -o "$out" $(pkg-config --libs ncursesw) -lcmark
"$out"
