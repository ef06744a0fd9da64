/* Result lines + test output -> verdicts.  The rule table below is the
 * verdict table of docs/ARCHITECTURE.md; keep the two in step. */
#include "verdict.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grader_protocol.h"
#include "report_buf.h"
#include "sanitizer.h"

/* ---- result lines ---- */

static char *unescape(const char *s, size_t n)
{
    cl_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            char e = s[++i];
            c = e == 't' ? '\t' : e == 'n' ? '\n' : e;
        }
        cl_buf_add(&b, &c, 1);
    }
    return cl_buf_take(&b);
}

int cl_result_line_parse(const char *line, cl_result_line *out)
{
    memset(out, 0, sizeof *out);
    char **fields[4] = {&out->rtype, &out->name, &out->where, &out->message};
    const char *p = line;
    for (int i = 0; i < 4; i++) {
        /* The message is the rest of the line; it has no raw tabs. */
        const char *end = i < 3 ? strchr(p, '\t') : p + strlen(p);
        if (!end) {
            cl_result_line_free(out);
            return -1;
        }
        *fields[i] = unescape(p, (size_t)(end - p));
        p = end + (i < 3);
    }
    if (strcmp(out->rtype, "pass") && strcmp(out->rtype, "fail") && strcmp(out->rtype, "error")) {
        cl_result_line_free(out);
        return -1;
    }
    return 0;
}

void cl_result_line_free(cl_result_line *l)
{
    free(l->rtype);
    free(l->name);
    free(l->where);
    free(l->message);
    memset(l, 0, sizeof *l);
}

/* ---- signals ---- */

static const struct {
    int sig;
    const char *name;
    const char *why;
} signals[] = {
    {SIGSEGV, "SIGSEGV", "segmentation fault: a bad pointer, such as NULL, freed or out of bounds"},
    {SIGBUS, "SIGBUS", "bus error: a bad or misaligned pointer"},
    {SIGABRT, "SIGABRT", "abort() was called, often by a failed assert() or a corrupted heap"},
    {SIGFPE, "SIGFPE", "arithmetic error, such as an integer division by zero"},
    {SIGILL, "SIGILL", "illegal instruction, often a call through a bad function pointer"},
    {SIGKILL, "SIGKILL", "killed, usually for running past the time or memory limit"},
    {SIGXCPU, "SIGXCPU", "used more CPU time than allowed: a loop that never ends?"},
    {SIGXFSZ, "SIGXFSZ", "wrote more output than allowed: printing in a loop that never ends?"},
    {SIGTERM, "SIGTERM", "stopped by the runner at its deadline"},
    {SIGPIPE, "SIGPIPE", "wrote to a pipe nobody reads"},
    {SIGTRAP, "SIGTRAP", "trap, often __builtin_trap() or a sanitizer stop"},
};

const char *cl_signal_describe(int sig, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (signals[i].sig == sig) {
            snprintf(buf, size, "%s (%s)", signals[i].name, signals[i].why);
            return buf;
        }
    }
    snprintf(buf, size, "signal %d", sig);
    return buf;
}

/* ---- the verdict table ---- */

/* IN_REPORT: the output holds a sanitizer report made while the test
 * ran; IN_REPORT_AT_EXIT: one made when its process exited (a leak). */
typedef enum { IN_NONE, IN_MESSAGE, IN_OUTPUT, IN_REPORT, IN_REPORT_AT_EXIT } rule_place;

/* First matching rule wins.  A NULL rtype or needle matches anything; an
 * IN_REPORT rule's kind comes from the report (sanitizer.c's table). */
static const struct rule {
    const char *rtype;
    rule_place place;
    const char *needle;
    cl_verdict_kind kind;
} rules[] = {
    {NULL, IN_REPORT, NULL, CL_VERDICT_COUNT},
    {"pass", IN_NONE, NULL, CL_VERDICT_PASSED},
    {"fail", IN_MESSAGE, CL_MARK_LEAKED, CL_VERDICT_LEAKED},
    {"fail", IN_NONE, NULL, CL_VERDICT_FAILED},
    {"error", IN_MESSAGE, "Test timeout expired", CL_VERDICT_TIMEOUT},
    {"error", IN_OUTPUT, "all goroutines are asleep - deadlock!", CL_VERDICT_DEADLOCK},
    {"error", IN_OUTPUT, "panic: ", CL_VERDICT_PANIC},
    {"error", IN_OUTPUT, "fatal error: ", CL_VERDICT_PANIC},
    {"error", IN_MESSAGE, "Received signal", CL_VERDICT_CRASHED},
    {"error", IN_OUTPUT, CL_MARK_EXIT, CL_VERDICT_EXITED},
    {"error", IN_REPORT_AT_EXIT, NULL, CL_VERDICT_COUNT},
    {"error", IN_MESSAGE, "Early exit with return value", CL_VERDICT_EXITED},
    {"error", IN_NONE, NULL, CL_VERDICT_CRASHED},
};

static bool rule_matches(const struct rule *r, const cl_result_line *l, const char *output,
                         cl_san_report *rep)
{
    if (r->rtype && strcmp(r->rtype, l->rtype))
        return false;
    switch (r->place) {
    case IN_NONE:
        return true;
    case IN_MESSAGE:
        return l->message && strncmp(l->message, r->needle, strlen(r->needle)) == 0;
    case IN_OUTPUT:
        return output && strstr(output, r->needle);
    case IN_REPORT:
    case IN_REPORT_AT_EXIT:
        return cl_sanitizer_find(output, r->place == IN_REPORT_AT_EXIT, rep);
    }
    return false;
}

/* The line of `text` holding `needle`, to the end of the line. */
static char *line_with(const char *text, const char *needle)
{
    const char *p = text ? strstr(text, needle) : NULL;
    if (!p)
        return NULL;
    const char *nl = strchr(p, '\n');
    return strndup(p, nl ? (size_t)(nl - p) : strlen(p));
}

static char *from_line_with(const char *text, const char *needle)
{
    const char *p = text ? strstr(text, needle) : NULL;
    return p ? strdup(p) : NULL;
}

/* Writes the learner-facing message and detail for a decided kind. */
static void explain(cl_test_verdict *v, const cl_result_line *l, const char *output,
                    const char *learner_file, const cl_san_report *rep)
{
    cl_buf b = {0};
    switch (v->kind) {
    case CL_VERDICT_PASSED:
        break;
    case CL_VERDICT_FAILED:
    case CL_VERDICT_LEAKED:
        cl_buf_puts(&b, l->message);
        break;
    case CL_VERDICT_TIMEOUT:
        cl_buf_puts(&b, "did not finish in time: something is blocked or loops forever. "
                        "Look for a receive nobody sends to, a send nobody receives, a "
                        "WaitGroup that never reaches zero, or a loop that never ends.");
        break;
    case CL_VERDICT_DEADLOCK:
        cl_buf_puts(&b, "deadlock: every goroutine was blocked, so none could ever wake "
                        "the others. The dump below shows where each one waits (file:line).");
        v->detail = from_line_with(output, "fatal error: all goroutines are asleep");
        break;
    case CL_VERDICT_RACE:
    case CL_VERDICT_MEMORY:
    case CL_VERDICT_MEMLEAK:
    case CL_VERDICT_UNDEFINED:
    case CL_VERDICT_SANITIZER:
        if (rep) {
            char *headline = cl_sanitizer_message(rep, learner_file);
            cl_buf_puts(&b, headline);
            free(headline);
            v->detail = cl_sanitizer_trim(rep->start, learner_file);
        }
        break;
    case CL_VERDICT_PANIC: {
        const char *needle = strstr(output, "panic: ") ? "panic: " : "fatal error: ";
        char *first = line_with(output, needle);
        cl_buf_printf(&b, "%s — the program stopped here; the dump below shows where "
                          "each goroutine was.", first ? first : needle);
        free(first);
        v->detail = from_line_with(output, needle);
        break;
    }
    case CL_VERDICT_CRASHED: {
        int sig = 0;
        char desc[160];
        if (sscanf(l->message, "Received signal %d", &sig) == 1)
            cl_buf_printf(&b, "crashed with %s.", cl_signal_describe(sig, desc, sizeof desc));
        else
            cl_buf_printf(&b, "the test stopped abnormally: %s", l->message);
        break;
    }
    case CL_VERDICT_EXITED: {
        char *mark = line_with(output, CL_MARK_EXIT);
        int code = -1;
        if (!mark || sscanf(mark, CL_MARK_EXIT "%d)", &code) != 1)
            sscanf(l->message, "Early exit with return value %d", &code);
        free(mark);
        cl_buf_printf(&b, "your code called exit(%d) inside a graded function, which ends "
                          "the whole test program. Return from the function instead.", code);
        break;
    }
    case CL_VERDICT_COUNT:
        break;
    }
    v->message = b.len ? cl_buf_take(&b) : NULL;
    free(b.s);
}

void cl_verdict_decide(const cl_result_line *l, const char *output,
                       const char *learner_file, cl_pass pass, cl_test_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->name = strdup(l->name ? l->name : "?");
    v->where = l->where && *l->where && strcmp(l->where, ":0") ? strdup(l->where) : NULL;
    v->race_pass = pass == CL_PASS_RACE;
    v->memory_pass = pass == CL_PASS_MEMORY;
    v->kind = CL_VERDICT_CRASHED;
    cl_san_report rep;
    bool from_report = false;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (rule_matches(&rules[i], l, output, &rep)) {
            from_report = rules[i].place == IN_REPORT || rules[i].place == IN_REPORT_AT_EXIT;
            v->kind = from_report ? rep.kind : rules[i].kind;
            break;
        }
    }
    explain(v, l, output ? output : "", learner_file, from_report ? &rep : NULL);
    v->output = output && *output ? strdup(output) : NULL;
}

/* ---- where a crash happened ---- */

#define FRAME_MARK CL_MARK_FRAME

size_t cl_verdict_crash_frames(const char *output, unsigned long *offsets, size_t max)
{
    size_t n = 0;
    for (const char *p = output ? strstr(output, FRAME_MARK) : NULL; p && n < max;
         p = strstr(p + 1, FRAME_MARK)) {
        if (sscanf(p + strlen(FRAME_MARK), "%lx", &offsets[n]) == 1)
            n++;
    }
    return n;
}

char *cl_verdict_crash_site(const char *a2l, const char *learner_file)
{
    /* addr2line -f: a function line, then a "file:line" line, per frame. */
    for (const char *p = a2l; p && *p && learner_file;) {
        const char *fn_end = strchr(p, '\n');
        if (!fn_end)
            break;
        const char *loc = fn_end + 1;
        const char *loc_end = strchr(loc, '\n');
        size_t loc_len = loc_end ? (size_t)(loc_end - loc) : strlen(loc);
        /* " (discriminator 2)" tells a learner nothing. */
        const char *disc = memmem(loc, loc_len, " (discriminator", 15);
        if (disc)
            loc_len = (size_t)(disc - loc);
        if (cl_frame_in_file(loc, loc_len, learner_file)) {
            /* Name the file as the learner knows it, not as DWARF spells it. */
            const char *at = memmem(loc, loc_len, learner_file, strlen(learner_file));
            size_t at_len = at ? loc_len - (size_t)(at - loc) : loc_len;
            cl_buf b = {0};
            cl_buf_printf(&b, "%.*s, in %.*s()", (int)at_len, at ? at : loc, (int)(fn_end - p), p);
            return cl_buf_take(&b);
        }
        p = loc_end ? loc_end + 1 : NULL;
    }
    return NULL;
}

char *cl_verdict_strip_frames(const char *output)
{
    cl_buf kept = {0};
    for (const char *line = output; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (strncmp(line, FRAME_MARK, strlen(FRAME_MARK)))
            cl_buf_add(&kept, line, len);
        line += len;
    }
    if (kept.len)
        return cl_buf_take(&kept);
    free(kept.s);
    return NULL;
}

void cl_verdict_place_crash(cl_test_verdict *v, const char *a2l, const char *learner_file)
{
    char *site = cl_verdict_crash_site(a2l, learner_file);
    if (site) {
        cl_buf b = {0};
        cl_buf_printf(&b, "%s It happened at %s.", v->message ? v->message : "", site);
        free(v->message);
        v->message = cl_buf_take(&b);
        free(site);
    }
    char *kept = cl_verdict_strip_frames(v->output);
    free(v->output);
    v->output = kept;
}

void cl_test_verdict_clear(cl_test_verdict *v)
{
    free(v->name);
    free(v->where);
    free(v->message);
    free(v->detail);
    free(v->output);
    memset(v, 0, sizeof *v);
}

int cl_verdict_read_results(const char *text, const char *output_dir,
                            const char *learner_file, cl_pass pass,
                            cl_test_verdict **tests, size_t *n)
{
    int bad = 0;
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        char *line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
        cl_result_line l;
        if (line && *line && cl_result_line_parse(line, &l) == 0) {
            cl_test_verdict *grown = realloc(*tests, (*n + 1) * sizeof **tests);
            if (grown) {
                *tests = grown;
                char *output = NULL;
                if (output_dir) {
                    cl_buf path = {0};
                    cl_buf_printf(&path, "%s/%s.out", output_dir, l.name);
                    /* A sanitizer's report ends the output: keep the tail. */
                    output = cl_read_text_ends(path.s, 64 * 1024);
                    free(path.s);
                }
                cl_verdict_decide(&l, output, learner_file, pass, &(*tests)[(*n)++]);
                free(output);
            }
            cl_result_line_free(&l);
        } else if (line && *line) {
            bad++;
        }
        free(line);
        p = nl ? nl + 1 : NULL;
    }
    return bad;
}
