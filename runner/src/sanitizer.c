/* Sanitizer reports: recognise, trim, sum up (see sanitizer.h).  The
 * tables below are the "sanitizer reports" part of the verdict table in
 * docs/ARCHITECTURE.md; keep the two in step. */
#include "sanitizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_buf.h"

/* ---- who wrote it ---- */

enum { FAM_TSAN, FAM_ASAN, FAM_LSAN, FAM_LSAN_BROKEN, FAM_UBSAN };

static const struct family {
    const char *mark;   /* in the report's first line */
    bool at_exit;       /* LeakSanitizer: made when the process exits */
    bool summary_ends;  /* the report ends with its SUMMARY line; else
                           (UBSan) after its frames */
    const char *threads; /* how its thread names map to goroutines */
} families[] = {
    [FAM_TSAN] = {"WARNING: ThreadSanitizer:", false, true,
                  "Threads T1, T2... are goroutines; \"main thread\" is the test itself."},
    [FAM_ASAN] = {"ERROR: AddressSanitizer:", false, true,
                  "Threads T1, T2... are the threads libgoc runs goroutines on (one may run many in turn); T0 is the test itself."},
    [FAM_LSAN] = {"ERROR: LeakSanitizer:", true, true, NULL},
    /* It stops the process with ptrace; some containers forbid that. */
    [FAM_LSAN_BROKEN] = {"LeakSanitizer has encountered a fatal error", true, false, NULL},
    [FAM_UBSAN] = {": runtime error: ", false, false, NULL},
};
#define NFAMILIES (sizeof families / sizeof families[0])

/* ---- what it found: first matching row wins ---- */

static const char USE_AFTER_FREE[] =
    "use after free: memory was read or written after free() had given it back. Often a "
    "goroutine still uses a job, buffer or channel that its caller has already freed: free "
    "only after every goroutine using it is done (wait for them first).";

static const char DEAD_LOCAL[] =
    "use of a dead local: a pointer to a local variable was used after the function or block "
    "it lives in had ended. A goroutine given &local must be done with it before then (wait "
    "for it), or get its own copy (a value argument, or malloc and let it free).";

static const struct kind_row {
    int family;
    const char *what;   /* follows the family's mark; NULL: anything */
    cl_verdict_kind kind;
    const char *explain;
} kinds[] = {
    {FAM_TSAN, "data race", CL_VERDICT_RACE,
     "data race: two goroutines used the same memory at the same time and at least one "
     "wrote it, with nothing ordering them. Protect it with a mutex, an atomic, or hand it "
     "over through a channel (volatile is not one of them: in C it orders nothing between "
     "threads)."},
    {FAM_TSAN, "heap-use-after-free", CL_VERDICT_MEMORY, USE_AFTER_FREE},
    {FAM_TSAN, "lock-order-inversion", CL_VERDICT_SANITIZER,
     "lock-order inversion: goroutines take the same mutexes in opposite orders, so each can "
     "end up waiting for the other forever. Always take them in one fixed order."},
    {FAM_TSAN, "unlock of an unlocked mutex", CL_VERDICT_SANITIZER,
     "a mutex was unlocked that nobody held: unlock only what you locked, exactly once."},
    {FAM_TSAN, "double lock of a mutex", CL_VERDICT_SANITIZER,
     "a goroutine locked a mutex it already holds, so it waits for itself forever."},
    {FAM_TSAN, "destroy of a locked mutex", CL_VERDICT_SANITIZER,
     "a mutex was destroyed or freed while still locked: unlock it first."},
    {FAM_TSAN, "thread leak", CL_VERDICT_SANITIZER,
     "thread leak: a thread was started and never joined: wait for everything you start."},
    {FAM_TSAN, "signal-unsafe call inside of a signal", CL_VERDICT_SANITIZER,
     "a signal handler called a function that is not async-signal-safe (malloc, printf...): "
     "set a volatile sig_atomic_t flag in the handler and do the work outside it."},
    {FAM_TSAN, NULL, CL_VERDICT_SANITIZER,
     "ThreadSanitizer warned about this code; the report below says what and where."},
    {FAM_ASAN, "heap-use-after-free", CL_VERDICT_MEMORY, USE_AFTER_FREE},
    {FAM_ASAN, "attempting double-free", CL_VERDICT_MEMORY,
     "double free: the same memory was freed twice. Decide which one piece of code owns it, "
     "and free it there, once."},
    {FAM_ASAN, "heap-buffer-overflow", CL_VERDICT_MEMORY,
     "buffer overflow: code read or wrote past the end (or before the start) of a block from "
     "malloc or calloc. Check the size you allocated and every index against it."},
    {FAM_ASAN, "stack-buffer-overflow", CL_VERDICT_MEMORY,
     "buffer overflow: code read or wrote past the end (or before the start) of a local "
     "array. Check every index against the array's length."},
    {FAM_ASAN, "global-buffer-overflow", CL_VERDICT_MEMORY,
     "buffer overflow: code read or wrote past the end of a global or static array. Check "
     "every index against the array's length."},
    {FAM_ASAN, "stack-use-after-return", CL_VERDICT_MEMORY, DEAD_LOCAL},
    {FAM_ASAN, "stack-use-after-scope", CL_VERDICT_MEMORY, DEAD_LOCAL},
    {FAM_ASAN, "requested allocation size", CL_VERDICT_MEMORY,
     "impossible allocation: malloc was asked for more memory than can exist; is the size "
     "negative, uninitialised, or a count multiplied twice?"},
    {FAM_ASAN, "attempting free on address which was not malloc", CL_VERDICT_MEMORY,
     "bad free: free() was given memory malloc did not hand out (a local or global "
     "variable, or a pointer into the middle of a block)."},
    {FAM_ASAN, "SEGV", CL_VERDICT_MEMORY,
     "bad pointer: the code used an address where no memory lives (NULL, freed, or never "
     "set)."},
    {FAM_ASAN, NULL, CL_VERDICT_MEMORY,
     "AddressSanitizer found a memory error; the report below says what and where."},
    {FAM_LSAN, NULL, CL_VERDICT_MEMLEAK,
     "memory leak: memory allocated during the test was never freed. Free every block, "
     "channel (goc_chan_free) and object once nothing uses it any more."},
    {FAM_LSAN_BROKEN, NULL, CL_VERDICT_SANITIZER,
     "the leak check could not run on this machine (LeakSanitizer needs ptrace, which this "
     "system or container forbids): not a problem in your code. Whoever runs the workbook "
     "can allow ptrace, or grade this lesson without `asan: true`."},
    {FAM_UBSAN, NULL, CL_VERDICT_UNDEFINED,
     "undefined behaviour: C gives this operation no meaning (signed overflow, a shift too "
     "far, division by zero, a misaligned or NULL pointer...), so the program may do "
     "anything. The report says which operation."},
};

/* The start of the line holding p. */
static const char *line_start(const char *text, const char *p)
{
    while (p > text && p[-1] != '\n')
        p--;
    return p;
}

bool cl_sanitizer_find(const char *output, bool at_exit, cl_san_report *rep)
{
    const char *first = NULL;
    int fam = -1;
    for (size_t f = 0; output && f < NFAMILIES; f++) {
        if (families[f].at_exit != at_exit)
            continue;
        const char *hit = strstr(output, families[f].mark);
        if (hit && (!first || hit < first)) {
            first = hit;
            fam = (int)f;
        }
    }
    if (!first)
        return false;
    const char *what = first + strlen(families[fam].mark);
    while (*what == ' ')
        what++;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (kinds[k].family != fam ||
            (kinds[k].what && strncmp(what, kinds[k].what, strlen(kinds[k].what))))
            continue;
        *rep = (cl_san_report){kinds[k].kind, kinds[k].explain, line_start(output, first), fam};
        return true;
    }
    return false; /* every family ends with a catch-all row */
}

/* ---- frames ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool cl_frame_in_file(const char *line, size_t len, const char *file)
{
    size_t fl = strlen(file);
    for (const char *p = line; p + fl < line + len; p++) {
        bool starts = p == line || p[-1] == '/' || p[-1] == ' ';
        if (starts && strncmp(p, file, fl) == 0 && p[fl] == ':')
            return true;
    }
    return false;
}

/* One stack frame, as TSan ("#0 func file:line (module+0x1)") and ASan
 * ("#0 0x55d in func file:line") print it. */
typedef struct frame {
    const char *func, *loc;
    size_t func_len, loc_len;
} frame;

static const char *next_word(const char *p, const char *end, size_t *len)
{
    while (p < end && *p == ' ')
        p++;
    const char *w = p;
    while (p < end && *p != ' ')
        p++;
    *len = (size_t)(p - w);
    return w;
}

/* Splits a frame line (starting at '#'); false when it has no location. */
static bool frame_parse(const char *t, size_t tl, frame *f)
{
    const char *end = t + tl, *w;
    size_t wl;
    next_word(t, end, &wl); /* "#3" */
    w = next_word(t + wl, end, &wl);
    if (wl > 2 && strncmp(w, "0x", 2) == 0)
        w = next_word(w + wl, end, &wl);
    if (wl == 2 && strncmp(w, "in", 2) == 0)
        w = next_word(w + wl, end, &wl);
    f->func = w;
    f->func_len = wl;
    f->loc = next_word(w + wl, end, &f->loc_len);
    return f->func_len && f->loc_len && f->loc[0] != '(';
}

/* "FILE:LINE, in FUNC()" for a frame in the learner's file: the path as the
 * learner knows it, no column. */
static void put_site(cl_buf *b, const frame *f, const char *learner_file)
{
    size_t fl = strlen(learner_file);
    const char *at = memmem(f->loc, f->loc_len, learner_file, fl);
    const char *loc = at ? at : f->loc;
    size_t len = f->loc_len - (size_t)(loc - f->loc);
    /* FILE:LINE[:COLUMN]: cut at the second colon after the file name. */
    const char *line = at ? memchr(loc + fl, ':', len - fl) : NULL;
    const char *col = line ? memchr(line + 1, ':', len - (size_t)(line + 1 - loc)) : NULL;
    if (col)
        len = (size_t)(col - loc);
    cl_buf_printf(b, "%.*s, in %.*s()", (int)len, loc, (int)f->func_len, f->func);
}

/* ---- trimming ---- */

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t pl = strlen(prefix);
    return len >= pl && strncmp(s, prefix, pl) == 0;
}

/* Addresses, thread ids and module offsets change every run and tell a
 * learner nothing: " at 0x7b04...", " (tid=123, running)", " (prog+0x1a)". */
static void add_without_noise(cl_buf *b, const char *s, size_t len)
{
    static const struct {
        const char *open;
        char close;
    } noise[] = {{" at 0x", ' '}, {" (tid=", ')'}, {" (program+0x", ')'}, {" [0x", ')'}};
    size_t i = 0;
    while (i < len) {
        bool skipped = false;
        for (size_t k = 0; k < sizeof noise / sizeof noise[0] && !skipped; k++) {
            size_t ol = strlen(noise[k].open);
            if (i + ol > len || strncmp(s + i, noise[k].open, ol))
                continue;
            size_t j = i + ol;
            while (j < len && s[j] != noise[k].close)
                j++;
            i = noise[k].close == ')' && j < len ? j + 1 : j;
            skipped = true;
        }
        if (!skipped)
            cl_buf_add(b, s + i++, 1);
    }
}

/* The first line, from the sanitizer's name on, without what changes every
 * run: "==42==", " (pid=42)", " on address 0x... at pc ...". UBSan's line
 * starts with the location, so it is kept whole. */
static void add_headline(cl_buf *b, const char *t, size_t tl, int fam)
{
    if (fam != FAM_UBSAN) {
        const char *mark = memmem(t, tl, families[fam].mark, strlen(families[fam].mark));
        tl -= (size_t)(mark - t);
        t = mark;
        static const char *const cuts[] = {" (pid=", " on address ", " on 0x", " at pc "};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            const char *cut = memmem(t, tl, cuts[c], strlen(cuts[c]));
            if (cut)
                tl = (size_t)(cut - t);
        }
    }
    cl_buf_add(b, t, tl);
    cl_buf_puts(b, "\n");
}

/* Reports can be long (one block per leak); a terminal gets this many. */
#define TRIM_MAX_LINES 2000

char *cl_sanitizer_trim(const char *report, const char *learner_file)
{
    cl_buf b = {0};
    /* The report that starts first: the one `report` points at. */
    cl_san_report rep, at_exit;
    bool now = cl_sanitizer_find(report, false, &rep);
    if (cl_sanitizer_find(report, true, &at_exit) && (!now || at_exit.start < rep.start))
        rep = at_exit;
    else if (!now)
        return strdup("");
    const struct family *fam = &families[rep.family];
    bool learner_frames_seen = false, frames_seen = false;
    const char *p = rep.start;
    for (int n = 0; p && *p && n < TRIM_MAX_LINES; n++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *t = p;
        while (t < p + len && *t == ' ')
            t++;
        size_t tl = len - (size_t)(t - p);
        frame f;
        if (n == 0) {
            add_headline(&b, t, tl, rep.family);
        } else if (t[0] == '#') {
            frames_seen = true;
            if (learner_file && cl_frame_in_file(t, tl, learner_file) && frame_parse(t, tl, &f)) {
                /* The path as the learner knows it, whatever the
                 * symboliser made of it (clang's are absolute). */
                size_t num;
                const char *hash = next_word(t, t + tl, &num);
                const char *at = memmem(f.loc, f.loc_len, learner_file, strlen(learner_file));
                size_t loc_len = at ? f.loc_len - (size_t)(at - f.loc) : f.loc_len;
                cl_buf_printf(&b, "      %.*s %.*s %.*s\n", (int)num, hash, (int)f.func_len,
                              f.func, (int)loc_len, at ? at : f.loc);
                learner_frames_seen = true;
            }
        } else if (!fam->summary_ends) {
            break; /* UBSan: the headline and its frames are the report */
        } else if (starts_with(t, tl, "SUMMARY:")) {
            cl_buf_add(&b, t, tl);
            cl_buf_puts(&b, "\n");
            break;
        } else if (starts_with(t, tl, "0x")) {
            /* "0x6040 is located 32 bytes inside of 40-byte region [0x..)" */
            const char *sp = memchr(t, ' ', tl);
            cl_buf_puts(&b, "  the address");
            if (sp)
                add_without_noise(&b, sp, tl - (size_t)(sp - t));
            cl_buf_puts(&b, "\n");
        } else if (tl > 0 && t[0] != '=' && t[0] != '-' && !starts_with(t, tl, "HINT:")) {
            /* Accesses, frees, allocations, locations, threads: the story. */
            cl_buf_puts(&b, "  ");
            add_without_noise(&b, t, tl);
            cl_buf_puts(&b, "\n");
        }
        p = nl ? nl + 1 : NULL;
    }
    if (!learner_frames_seen && frames_seen && learner_file)
        cl_buf_printf(&b, "  (no frame of this report is in %s; the code involved is called"
                          " from there)\n", base_name(learner_file));
    if (fam->threads)
        cl_buf_printf(&b, "  %s\n", fam->threads);
    return cl_buf_take(&b);
}

/* ---- the headline ---- */

/* Where the report's sections point into the learner's file: the first
 * learner frame of the report (where it happened, or where leaked memory
 * was allocated) and of a section that frees (where the memory went). */
typedef struct sites {
    frame first, freed, other;
    bool has_first, has_freed, has_other;
} sites;

/* Frames of the sanitizer's runtime, the C library and libgoc: not where
 * a grader's or learner's bug is.  Paths are relative to the workbook
 * (gcc) or absolute (clang's symboliser). */
static bool is_runtime_frame(const frame *f)
{
    static const char *const starts[] = {"lib/src/", "../", "nptl/", "/usr/"};
    static const char *const inside[] = {"/lib/src/", "libsanitizer", "compiler-rt"};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (f->loc_len >= strlen(starts[i]) && !strncmp(f->loc, starts[i], strlen(starts[i])))
            return true;
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
        if (memmem(f->loc, f->loc_len, inside[i], strlen(inside[i])))
            return true;
    return false;
}

static void find_sites(const cl_san_report *rep, const char *learner_file, sites *s)
{
    memset(s, 0, sizeof *s);
    bool freeing = false, section_start = true;
    const struct family *fam = &families[rep->family];
    const char *p = rep->start;
    for (int n = 0; p && *p && n < TRIM_MAX_LINES; n++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *t = p;
        while (t < p + len && *t == ' ')
            t++;
        size_t tl = len - (size_t)(t - p);
        frame f;
        if (n > 0 && t[0] == '#' && frame_parse(t, tl, &f)) {
            /* TSan shows a free as a write whose first frame is free(). */
            if (section_start && f.func_len >= 4 && !strncmp(f.func + f.func_len - 4, "free", 4))
                freeing = true;
            section_start = false;
            if (!s->has_other && !is_runtime_frame(&f))
                s->other = f, s->has_other = true;
            if (cl_frame_in_file(t, tl, learner_file)) {
                if (!s->has_first)
                    s->first = f, s->has_first = true;
                else if (freeing && !s->has_freed)
                    s->freed = f, s->has_freed = true;
            }
        } else if (n > 0 && (starts_with(t, tl, "SUMMARY:") || (!fam->summary_ends && t[0] != '#'))) {
            break;
        } else if (n > 0 && tl > 0 && t[0] != '#') {
            section_start = true;
            freeing = starts_with(t, tl, "freed by");
        }
        p = nl ? nl + 1 : NULL;
    }
}

char *cl_sanitizer_message(const cl_san_report *rep, const char *learner_file)
{
    cl_buf b = {0};
    cl_buf_puts(&b, rep->explain);
    sites s;
    if (learner_file)
        find_sites(rep, learner_file, &s);
    if (!learner_file) {
        /* nothing to point at */
    } else if (s.has_first) {
        cl_buf_puts(&b, rep->kind == CL_VERDICT_MEMLEAK ? " The memory was allocated at "
                                                        : " It happened at ");
        put_site(&b, &s.first, learner_file);
        cl_buf_puts(&b, rep->kind == CL_VERDICT_MEMLEAK ? " and never freed." : ".");
        if (s.has_freed && rep->kind == CL_VERDICT_MEMORY) {
            cl_buf_puts(&b, " It was freed at ");
            put_site(&b, &s.freed, learner_file);
            cl_buf_puts(&b, ".");
        }
    } else if (s.has_other) {
        /* Often the grader's own allocation or call: say whose. */
        cl_buf_printf(&b, " No line of %s is in the report; it starts at %.*s, in %.*s().",
                      base_name(learner_file), (int)s.other.loc_len, s.other.loc,
                      (int)s.other.func_len, s.other.func);
    } else {
        cl_buf_printf(&b, " No line of %s is in the report: the code involved is called from"
                          " there.", base_name(learner_file));
    }
    return cl_buf_take(&b);
}
