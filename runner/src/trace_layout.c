/* chanlings — the swimlane timeline (trace_layout.h).
 *
 * Each row is cut into columns of equal time; a column shows the state
 * that covers most of its time among those the goroutine was in (so a
 * goroutine alive for a moment still shows), then the marks go on top:
 * wake-ups on the waker's row (an arrow towards the row it woke) and on
 * the woken row, panics.  Glyphs carry the meaning without colour; colour
 * only repeats it. */
#include "trace_layout.h"

#include <math.h> /* INFINITY, isfinite: macros, no libm */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_render.h"
#include "report_buf.h"

/* ---- states: glyphs, colours, legend ---- */

/* Arrays, not literals: `out` tells the colour in force by its address. */
static const char SGR_RESET[] = "\x1b[0m";
static const char SGR_RUNNING[] = "\x1b[0;32m";
static const char SGR_RUNNABLE[] = "\x1b[0;33m";
static const char SGR_BLOCKED[] = "\x1b[0;31m";
static const char SGR_MARK[] = "\x1b[0;1m";
static const char SGR_PANIC[] = "\x1b[0;1;31m";
static const char SGR_DIM[] = "\x1b[0;2m";

/* Blocked reasons (Go's wait reasons as libgoc names them), first match
 * wins, so the nil-channel forms come before their prefixes.  The last row
 * takes any reason not listed. */
static const struct {
    const char *reason; /* prefix of the span's name */
    const char *glyph;
    const char *words;  /* the legend's */
} blocked_kinds[] = {
    {"chan send (nil chan)", "n", "nil channel or empty select (forever)"},
    {"chan receive (nil chan)", "n", "nil channel or empty select (forever)"},
    {"select (no cases)", "n", "nil channel or empty select (forever)"},
    {"chan send", "s", "chan send"},
    {"chan receive", "r", "chan receive"},
    {"select", "x", "select"},
    {"sync.Mutex.Lock", "m", "Mutex/RWMutex lock"},
    {"sync.RWMutex", "m", "Mutex/RWMutex lock"},
    {"sync.WaitGroup.Wait", "w", "WaitGroup.Wait"},
    {"sync.Cond.Wait", "c", "Cond.Wait"},
    {"sleep", "z", "sleep"},
    {"", "b", "blocked, other reason"},
};
#define NKINDS (sizeof blocked_kinds / sizeof *blocked_kinds)
/* Classes of a cell: running, runnable, then one per blocked kind. */
enum { C_RUNNING, C_RUNNABLE, C_BLOCKED0, NCLASSES = C_BLOCKED0 + (int)NKINDS, C_NONE = -1 };

static int kind_of(const char *reason)
{
    for (size_t k = 0; k < NKINDS; k++)
        if (reason && strncmp(reason, blocked_kinds[k].reason, strlen(blocked_kinds[k].reason)) == 0)
            return (int)k;
    return (int)NKINDS - 1;
}

static int class_of(const cl_trace_span *s)
{
    return s->state == CL_TRACE_RUNNING    ? C_RUNNING
           : s->state == CL_TRACE_RUNNABLE ? C_RUNNABLE
                                           : C_BLOCKED0 + kind_of(s->reason);
}

char cl_trace_glyph(cl_trace_state state, const char *reason)
{
    cl_trace_span s = {.state = state, .reason = reason};
    int c = class_of(&s);
    return c == C_RUNNING ? '#' : c == C_RUNNABLE ? '-' : blocked_kinds[c - C_BLOCKED0].glyph[0];
}

/* Marks drawn over the states. */
enum { M_NONE, M_WAKE_DOWN, M_WAKE_UP, M_WOKEN, M_PANIC };

typedef struct {
    const char *ascii, *utf8, *sgr;
} glyph;

static glyph class_glyph(int c)
{
    if (c == C_RUNNING)
        return (glyph){"#", "\xE2\x96\x88", SGR_RUNNING}; /* █ */
    if (c == C_RUNNABLE)
        return (glyph){"-", "\xE2\x96\x91", SGR_RUNNABLE}; /* ░ */
    if (c == C_NONE)
        return (glyph){" ", " ", SGR_RESET};
    const char *l = blocked_kinds[c - C_BLOCKED0].glyph;
    return (glyph){l, l, SGR_BLOCKED};
}

static glyph mark_glyph(int m)
{
    static const glyph marks[] = {
        [M_WAKE_DOWN] = {"v", "\xE2\x86\x93", SGR_MARK}, /* ↓ */
        [M_WAKE_UP] = {"^", "\xE2\x86\x91", SGR_MARK},   /* ↑ */
        [M_WOKEN] = {"*", "\xE2\x97\x8F", SGR_MARK},     /* ● */
        [M_PANIC] = {"!", "!", SGR_PANIC},
    };
    return marks[m];
}

/* ---- text helpers ---- */

typedef struct {
    cl_buf b;
    const cl_trace_view *v;
    const char *sgr; /* the colour in force on this line */
} out;

static void colour(out *o, const char *sgr)
{
    if (!o->v->color || o->sgr == sgr)
        return;
    cl_buf_puts(&o->b, sgr);
    o->sgr = sgr;
}

static void put_glyph(out *o, glyph g)
{
    colour(o, g.sgr);
    cl_buf_puts(&o->b, o->v->utf8 ? g.utf8 : g.ascii);
}

static void end_line(out *o)
{
    if (o->v->color && o->sgr != SGR_RESET && o->sgr)
        cl_buf_puts(&o->b, SGR_RESET);
    o->sgr = NULL;
    cl_buf_puts(&o->b, "\n");
}

/* Glue between words wrap() must keep on one line; printed as a space. */
#define GLUE '\x1f'
#define GLUE_S "\x1f"

/* Display columns of a piece of text, its colour escapes counting none. */
static int text_cols(const char *s, size_t n)
{
    int cols = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] == 0x1B) {
            while (i < n && s[i] != 'm')
                i++;
            i++;
            continue;
        }
        if (s[i] == GLUE) {
            cols++, i++;
            continue;
        }
        size_t k = i;
        while (k < n && s[k] != 0x1B && s[k] != GLUE)
            k++;
        cols += cl_md_cols(s + i, k - i);
        i = k;
    }
    return cols;
}

/* Words wrapped to the width: the first line indented by `first`, the
 * others by `indent`. */
static void wrap_at(out *o, const char *text, int first, int indent)
{
    cl_buf_printf(&o->b, "%*s", first, "");
    int col = first;
    bool fresh = true; /* nothing on this line yet but the indent */
    for (const char *s = text;;) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t n = strcspn(s, " ");
        int w = text_cols(s, n);
        if (!fresh && col + 1 + w > o->v->width) {
            end_line(o);
            cl_buf_printf(&o->b, "%*s", indent, "");
            col = indent;
            fresh = true;
        }
        if (!fresh) {
            cl_buf_puts(&o->b, " ");
            col++;
        }
        for (size_t k = 0; k < n; k++)
            cl_buf_add(&o->b, s[k] == GLUE ? " " : s + k, 1);
        col += w;
        fresh = false;
        s += n;
    }
    end_line(o);
}

static void wrap(out *o, const char *text, int indent)
{
    wrap_at(o, text, 0, indent);
}

/* A name cut (ending in '~') or padded to exactly `cols` columns, then
 * the space before the cells; control bytes (the name is the learner's)
 * become '?'. */
static void put_name(out *o, const char *name, int cols)
{
    bool cut = text_cols(name, strlen(name)) > cols;
    int room = cut ? cols - 1 : cols, used = 0;
    for (const char *s = name; *s;) {
        size_t n = 1;
        while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        bool ctl = (unsigned char)*s < 0x20 || *s == 0x7F;
        int w = ctl ? 1 : cl_md_cols(s, n);
        if (used + w > room)
            break;
        if (ctl)
            cl_buf_puts(&o->b, "?");
        else
            cl_buf_add(&o->b, s, n);
        used += w;
        s += n;
    }
    if (cut) {
        cl_buf_puts(&o->b, "~");
        used++;
    }
    cl_buf_printf(&o->b, "%*s", cols - used + 1, "");
}

/* "0", "850ns", "12us", "1.5ms", "2s": times of the axis and the header. */
static void fmt_time(char *buf, size_t size, double us, int utf8)
{
    const char *micro = utf8 ? "\xC2\xB5s" : "us";
    if (us == 0)
        snprintf(buf, size, "0");
    else if (us < 1)
        snprintf(buf, size, "%.0fns", us * 1000);
    else if (us < 1000)
        snprintf(buf, size, "%.3g%s", us, micro);
    else if (us < 1e6)
        snprintf(buf, size, "%.3gms", us / 1000);
    else
        snprintf(buf, size, "%.3gs", us / 1e6);
}

/* ---- the window and the cells ---- */

/* Where the picture starts.  A program whose main runs alone for most of
 * the run (start-up, a long first computation) would squeeze every other
 * goroutine into the last columns, so then the picture starts when the
 * second goroutine appears (and the header says so). */
static double busy_from(const cl_trace *t)
{
    double first = INFINITY, second = INFINITY;
    for (size_t i = 0; i < t->ngs; i++) {
        if (!t->gs[i].nspans)
            continue;
        double s = t->gs[i].spans[0].ts;
        if (s < first) {
            second = first;
            first = s;
        } else if (s < second) {
            second = s;
        }
    }
    return isfinite(second) && second > t->duration / 4 ? second : 0;
}

static void window(const cl_trace *t, cl_trace_view *v)
{
    double base = busy_from(t);
    double dur = t->duration - base > 0 ? t->duration - base : 1;
    double zoom = v->zoom >= 1 ? v->zoom : 1;
    double span = dur / zoom;
    double center = v->center >= 0 && v->center <= 1 ? v->center : 0.5;
    double from = center * dur - span / 2;
    if (from > dur - span)
        from = dur - span;
    if (from < 0 || zoom == 1)
        from = 0;
    v->whole_from_us = base;
    v->from_us = base + from;
    v->span_us = span;
}

/* Column of time `us`, or -1 outside the window. */
static int column(const cl_trace_view *v, double us)
{
    double x = (us - v->from_us) / v->span_us * v->cells;
    if (x < 0 || x > v->cells)
        return -1;
    return x >= v->cells ? v->cells - 1 : (int)x;
}

static void fill_states(const cl_trace_g *g, const cl_trace_view *v, int *cls, double *cover)
{
    int n = v->cells;
    double colw = v->span_us / n;
    memset(cover, 0, sizeof *cover * (size_t)n * NCLASSES);
    for (size_t i = 0; i < g->nspans; i++) {
        const cl_trace_span *s = &g->spans[i];
        double a = s->ts - v->from_us, b = a + s->dur;
        if (b < 0 || a > v->span_us)
            continue;
        int c = class_of(s);
        int ca = a <= 0 ? 0 : (int)(a / colw), cb = (int)(b / colw);
        if (ca >= n)
            ca = n - 1;
        if (cb >= n)
            cb = n - 1;
        for (int k = ca; k <= cb; k++) {
            double lo = k * colw, hi = lo + colw;
            double part = (b < hi ? b : hi) - (a > lo ? a : lo);
            /* an instant-long span still counts, a little */
            cover[(size_t)k * NCLASSES + (size_t)c] += part > 0 ? part : 1e-9;
        }
    }
    for (int k = 0; k < n; k++) {
        cls[k] = C_NONE;
        double best = 0;
        for (int c = 0; c < NCLASSES; c++)
            if (cover[(size_t)k * NCLASSES + (size_t)c] > best) {
                best = cover[(size_t)k * NCLASSES + (size_t)c];
                cls[k] = c;
            }
    }
}

static int row_of(const cl_trace *t, long id)
{
    for (size_t i = 0; i < t->ngs; i++)
        if (t->gs[i].id == id)
            return (int)i;
    return -1;
}

/* Wake-ups and panics over the rows' cells: marks[row * cells + col]. */
static void fill_marks(const cl_trace *t, const cl_trace_view *v, unsigned char *marks)
{
    for (size_t i = 0; i < t->nflows; i++) {
        const cl_trace_flow *f = &t->flows[i];
        int from = row_of(t, f->from), to = row_of(t, f->to);
        if (from < 0 || to < 0 || from == to)
            continue;
        int cf = column(v, f->from_ts), ct = column(v, f->to_ts);
        if (cf >= 0)
            marks[(size_t)from * v->cells + cf] = to > from ? M_WAKE_DOWN : M_WAKE_UP;
        if (ct >= 0 && marks[(size_t)to * v->cells + ct] == M_NONE)
            marks[(size_t)to * v->cells + ct] = M_WOKEN;
    }
    for (size_t r = 0; r < t->ngs; r++)
        for (size_t k = 0; k < t->gs[r].nmarks; k++) {
            int c = column(v, t->gs[r].marks[k].ts);
            if (c >= 0 && t->gs[r].marks[k].kind != CL_TRACE_MARK_END)
                marks[r * v->cells + c] = M_PANIC;
        }
}

/* ---- the parts of the picture ---- */

static void header(out *o, const cl_trace *t)
{
    static const struct {
        const char *end, *words;
    } ends[] = {
        {"exit", "The program ended normally."},
        {"panic", "The program panicked: ! marks the panic; the rows end where every goroutine "
                  "was when it died."},
        {"deadlock", "The program deadlocked: at the end every goroutine was blocked, and the "
                     "right edge shows on what. Below: where each one stopped."},
        {"stop", "The trace was stopped by goc_trace_stop()."},
    };
    char total[32];
    fmt_time(total, sizeof total, t->duration, o->v->utf8);
    cl_buf line = {0};
    const char *sched = strcmp(t->scheduler, "thread") == 0 ? ", on the thread scheduler"
                        : strcmp(t->scheduler, "mn") == 0   ? ", on the M:N scheduler"
                                                            : "";
    cl_buf_printf(&line, "Timeline: %zu goroutine%s over %s%s.", t->ngs, t->ngs == 1 ? "" : "s",
                  total, sched);
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++)
        if (strcmp(t->end, ends[i].end) == 0)
            cl_buf_printf(&line, " %s", ends[i].words);
    if (o->v->whole_from_us > 0) {
        char a[32];
        fmt_time(a, sizeof a, o->v->whole_from_us, o->v->utf8);
        cl_buf_printf(&line, " Until %s only %s ran: the picture starts there (the trace file "
                      "has it all).", a, t->gs[0].name);
    }
    if (t->dropped > 0)
        cl_buf_printf(&line, " libgoc dropped %ld events (its buffers were full), so parts are "
                      "missing.", t->dropped);
    if (o->v->zoom > 1) {
        char a[32], b[32];
        fmt_time(a, sizeof a, o->v->from_us, o->v->utf8);
        fmt_time(b, sizeof b, o->v->from_us + o->v->span_us, o->v->utf8);
        cl_buf_printf(&line, " Showing" GLUE_S "%s" GLUE_S "to" GLUE_S "%s (zoom x%g).", a, b,
                      o->v->zoom);
    }
    if (!line.oom)
        wrap(o, line.s, 2);
    free(line.s);
}

/* Ticks at a round step, each labelled with its time from the start. */
static void axis(out *o)
{
    const cl_trace_view *v = o->v;
    double per_col = v->span_us / v->cells, step = 1e-3;
    static const double nice[] = {1, 2, 2.5, 5};
    for (double mag = 1e-3;; mag *= 10) {
        size_t k = 0;
        for (; k < sizeof nice / sizeof *nice && nice[k] * mag < per_col * 12; k++)
            ;
        if (k < sizeof nice / sizeof *nice) {
            step = nice[k] * mag;
            break;
        }
    }
    char line[1024];
    int n = v->cells < (int)sizeof line - 1 ? v->cells : (int)sizeof line - 1;
    memset(line, ' ', (size_t)n);
    line[n] = '\0';
    double first = (double)(long long)(v->from_us / step) * step;
    for (double tick = first < v->from_us ? first + step : first; tick <= v->from_us + v->span_us;
         tick += step) {
        int c = column(v, tick);
        char label[32];
        fmt_time(label, sizeof label, tick, 0);
        int len = (int)strlen(label);
        if (c < 0 || c + 1 + len > n)
            continue;
        line[c] = '|';
        memcpy(line + c + 1, label, (size_t)len);
    }
    colour(o, SGR_DIM);
    cl_buf_printf(&o->b, "%*s%s", v->name_cols + 1, "", line);
    end_line(o);
}

static void legend(out *o, const int *used, bool died)
{
    cl_buf l = {0};
    const char *sep = "";
    for (int c = 0; c < NCLASSES; c++) {
        bool always = c == C_RUNNING || c == C_RUNNABLE;
        if (!always && !used[c])
            continue;
        /* one entry per glyph: the nil-channel reasons share 'n' */
        bool dup = false;
        for (int p = C_BLOCKED0; p < c && c >= C_BLOCKED0; p++)
            dup |= used[p] && strcmp(blocked_kinds[p - C_BLOCKED0].glyph, blocked_kinds[c - C_BLOCKED0].glyph) == 0;
        if (dup)
            continue;
        glyph g = class_glyph(c);
        const char *words = c == C_RUNNING    ? "running"
                            : c == C_RUNNABLE ? "runnable (ready, waiting for a thread)"
                                              : blocked_kinds[c - C_BLOCKED0].words;
        const char *g_txt = o->v->utf8 ? g.utf8 : g.ascii;
        if (o->v->color)
            cl_buf_printf(&l, "%s%s%s%s", sep, g.sgr, g_txt, SGR_RESET);
        else
            cl_buf_printf(&l, "%s%s", sep, g_txt);
        /* an entry stays on one line */
        for (const char *w = words - 1; w == words - 1 || *w; w++)
            cl_buf_add(&l, w < words || *w == ' ' ? GLUE_S : w, 1);
        sep = ", ";
        if (c == C_RUNNABLE)
            sep = "; blocked: ";
    }
    /* the colour escapes count no columns: wrap() measures the plain words */
    if (!l.oom)
        wrap(o, l.s, 2);
    free(l.s);
    cl_buf m = {0};
    glyph d = mark_glyph(M_WAKE_DOWN), u = mark_glyph(M_WAKE_UP), w = mark_glyph(M_WOKEN);
    bool utf8 = o->v->utf8;
    cl_buf_printf(&m, "%s%s woke the goroutine below/above it (a send, close, unlock or Done), "
                      "%s where that goroutine was woken%s.",
                  utf8 ? d.utf8 : d.ascii, utf8 ? u.utf8 : u.ascii, utf8 ? w.utf8 : w.ascii,
                  died ? ", ! where the panic or the deadlock was reported" : "");
    if (!m.oom)
        wrap(o, m.s, 2);
    free(m.s);
}

/* The state a goroutine was caught in when the program ended, or NULL
 * when it had finished before.  libgoc closes every open span (and may
 * write an "end") at the moment the program dies or exits, so what counts
 * is a last span reaching the end.  After a normal exit only the blocked
 * and the runnable are news: main itself was running. */
static const cl_trace_span *stopped_in(const cl_trace *t, const cl_trace_g *g)
{
    if (!g->nspans)
        return NULL;
    const cl_trace_span *s = &g->spans[g->nspans - 1];
    bool died = strcmp(t->end, "deadlock") == 0 || strcmp(t->end, "panic") == 0;
    if (s->ts + s->dur < t->duration * 0.995 - 1)
        return NULL;
    return died || s->state != CL_TRACE_RUNNING ? s : NULL;
}

/* The goroutine's panic, or NULL. */
static const cl_trace_mark *panic_of(const cl_trace_g *g)
{
    for (size_t k = 0; k < g->nmarks; k++)
        if (g->marks[k].kind == CL_TRACE_MARK_PANIC)
            return &g->marks[k];
    return NULL;
}

static bool panicked(const cl_trace_g *g)
{
    return panic_of(g) != NULL;
}

/* Where every goroutine still there at the end stopped, those stopped at
 * the same place on one line. */
static void stopped(out *o, const cl_trace *t)
{
    bool deadlock = strcmp(t->end, "deadlock") == 0, panic = strcmp(t->end, "panic") == 0;
    size_t n = 0;
    for (size_t i = 0; i < t->ngs; i++)
        n += stopped_in(t, &t->gs[i]) != NULL;
    if (!n)
        return;
    wrap(o, deadlock ? "Where each goroutine stopped:"
         : panic     ? "Where each goroutine was when the program died:"
                     : "Still there when the program ended (not finished; they were stopped with it):", 2);
    bool *done = calloc(t->ngs, sizeof *done);
    if (!done)
        return;
    for (size_t i = 0; i < t->ngs; i++) {
        const cl_trace_span *s = stopped_in(t, &t->gs[i]);
        if (!s || done[i])
            continue;
        cl_buf line = {0};
        size_t same = 0;
        for (size_t j = i; j < t->ngs; j++) {
            const cl_trace_span *s2 = stopped_in(t, &t->gs[j]);
            if (done[j] || !s2 || s2->state != s->state || s2->reason != s->reason ||
                s2->site != s->site || panicked(&t->gs[j]) != panicked(&t->gs[i]))
                continue;
            done[j] = true;
            if (same < 3)
                cl_buf_printf(&line, "%s%s", same ? ", " : "", t->gs[j].name);
            same++;
        }
        if (same > 3)
            cl_buf_printf(&line, " and %zu more", same - 3);
        const cl_trace_mark *p = panic_of(&t->gs[i]);
        const char *site = s->site;
        if (p) {
            cl_buf_printf(&line, ": %s", p->message ? p->message : "panicked");
            site = p->site;
        } else if (s->state == CL_TRACE_BLOCKED) {
            cl_buf_printf(&line, ": blocked in %s", s->reason);
        } else {
            cl_buf_printf(&line, ": %s", s->state == CL_TRACE_RUNNING ? "running" : "runnable");
        }
        if (site)
            cl_buf_printf(&line, " at %s", site);
        if (!line.oom)
            wrap_at(o, line.s, 2, 4);
        free(line.s);
    }
    free(done);
}

char *cl_trace_layout(const cl_trace *t, cl_trace_view *v)
{
    if (v->width < 30)
        v->width = 30;
    int longest = 2;
    for (size_t i = 0; i < t->ngs; i++) {
        int w = cl_md_cols(t->gs[i].name, strlen(t->gs[i].name));
        longest = w > longest ? w : longest;
    }
    int cap = v->width / 4 > 8 ? v->width / 4 : 8;
    v->name_cols = longest < cap ? longest : cap;
    v->cells = v->width - v->name_cols - 1;
    window(t, v);
    out o = {.v = v};
    header(&o, t);
    axis(&o);
    int *cls = malloc(sizeof *cls * (size_t)v->cells);
    double *cover = malloc(sizeof *cover * (size_t)v->cells * NCLASSES);
    unsigned char *marks = calloc(t->ngs ? t->ngs : 1, (size_t)v->cells);
    int used[NCLASSES] = {0};
    bool died = false;
    if (!cls || !cover || !marks) {
        free(cls), free(cover), free(marks), free(o.b.s);
        return NULL;
    }
    fill_marks(t, v, marks);
    for (size_t r = 0; r < t->ngs; r++) {
        fill_states(&t->gs[r], v, cls, cover);
        put_name(&o, t->gs[r].name, v->name_cols);
        for (int c = 0; c < v->cells; c++) {
            int m = marks[r * (size_t)v->cells + c];
            if (cls[c] != C_NONE)
                used[cls[c]] = 1;
            died |= m == M_PANIC;
            put_glyph(&o, m ? mark_glyph(m) : class_glyph(cls[c]));
        }
        end_line(&o);
    }
    free(cls), free(cover), free(marks);
    if (!t->ngs)
        wrap(&o, "(the trace holds no goroutine)", 2);
    legend(&o, used, died);
    stopped(&o, t);
    if (o.b.oom) {
        free(o.b.s);
        return NULL;
    }
    return cl_buf_take(&o.b);
}
