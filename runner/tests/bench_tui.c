/* bench-tui: how long the view takes to show a 1,000-line lesson again
 * after a key.  Three cases, from cheapest to dearest:
 *   scroll  - draw the visible lines (curses diffing into /dev/null)
 *   resize  - re-wrap the parsed lesson to a new width, then draw
 *   open    - parse the Markdown, wrap, draw (switching exercise)
 * Prints the median and worst time of each; the aim is well under 16 ms
 * (one frame at 60 Hz). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "md_render.h"
#include "tui.h"

#define ROUNDS 200

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Roughly what a long lesson holds: prose, lists, quotes, tables, C code. */
static char *make_lesson(int lines)
{
    size_t cap = (size_t)lines * 120 + 64, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s + len, cap - len, "# A long lesson\n\n");
    for (int n = 2; n < lines;) {
        switch (n % 5) {
        case 4:
            len += (size_t)snprintf(s + len, cap - len,
                                    "| Go | C |\n|---|---|\n| `go f(x)` | `goc_go(f, &x)` %d |\n"
                                    "| `ch <- v` | `goc_send(ch, &v)` |\n\n", n);
            n += 5;
            break;
        case 0:
            len += (size_t)snprintf(s + len, cap - len,
                                    "A goroutine **blocks** on an *unbuffered* send until `recv` "
                                    "takes the value; see [the spec](https://go.dev/ref/spec) %d.\n\n", n);
            n += 2;
            break;
        case 1:
            len += (size_t)snprintf(s + len, cap - len, "- item %d with `code`\n  - nested %d\n\n", n, n);
            n += 3;
            break;
        case 2:
            len += (size_t)snprintf(s + len, cap - len,
                                    "```c\nstatic int worker(void *arg) { /* %d */\n"
                                    "    return goc_chan_send(ch, &v) == 0 ? 42 : -1; // done\n}\n```\n\n", n);
            n += 6;
            break;
        default:
            len += (size_t)snprintf(s + len, cap - len, "> A quoted remark number %d.\n\n", n);
            n += 2;
            break;
        }
    }
    return s;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void draw(const cl_md_doc *d, int top, int rows, int cols)
{
    erase();
    for (int r = 0; r < rows && top + r < d->count; r++)
        cl_tui_draw_line(&d->lines[top + r], r, 0, cols, NULL, 0);
    refresh();
}

static void report(const char *name, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp);
    /* The 95th percentile judges: the worst case on a shared machine is
     * mostly other processes. */
    double p95 = t[n * 95 / 100];
    printf("  %-8s median %7.3f ms   p95 %7.3f ms   worst %7.3f ms   %s\n", name, t[n / 2], p95,
           t[n - 1], p95 < 16.0 ? "(p95 under one 60 Hz frame)" : "(p95 SLOWER than one 60 Hz frame)");
}

int main(void)
{
    char *md = make_lesson(1000);
    int src_lines = 0;
    for (char *p = md; *p; p++)
        src_lines += *p == '\n';
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr) {
        printf("bench-tui: skipped (no xterm-256color terminfo)\n");
        return 0;
    }
    set_term(scr);
    resize_term(48, 160);
    cl_tui dummy;
    memset(&dummy, 0, sizeof dummy);
    cl_tui_term_colours(&dummy);

    static double scroll[ROUNDS], resize[ROUNDS], open[ROUNDS];
    cl_md_doc doc = {0};
    cl_md *parsed = cl_md_parse(md, strlen(md), NULL);
    cl_md_layout(parsed, 87, &doc);
    for (int i = 0; i < ROUNDS; i++) {
        double t0 = now_ms();
        draw(&doc, (i * 7) % (doc.count - 45), 45, 87);
        scroll[i] = now_ms() - t0;

        t0 = now_ms();
        cl_md_layout(parsed, i % 2 ? 87 : 49, &doc);
        draw(&doc, 0, 45, i % 2 ? 87 : 49);
        resize[i] = now_ms() - t0;

        t0 = now_ms();
        cl_md *p = cl_md_parse(md, strlen(md), NULL);
        cl_md_layout(p, 87, &doc);
        draw(&doc, 0, 45, 87);
        open[i] = now_ms() - t0;
        cl_md_free(p);
    }
    int wrapped = doc.count;
    endwin();
    delscreen(scr);
    printf("bench-tui: redraw after a key, %d-line lesson (%d lines wrapped at 87 columns), %d rounds\n",
           src_lines, wrapped, ROUNDS);
    report("scroll", scroll, ROUNDS);
    report("resize", resize, ROUNDS);
    report("open", open, ROUNDS);
    cl_md_doc_free(&doc);
    cl_md_free(parsed);
    free(md);
    fclose(out);
    fclose(in);
    return 0;
}
