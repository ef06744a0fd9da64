/* Report data, names and the human-readable view.  The machine formats
 * are in report_formats.c. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "report_buf.h"

static const char *const verdict_names[CL_VERDICT_COUNT] = {
    [CL_VERDICT_PASSED] = "passed",
    [CL_VERDICT_FAILED] = "failed",
    [CL_VERDICT_LEAKED] = "leaked goroutines",
    [CL_VERDICT_TIMEOUT] = "timed out",
    [CL_VERDICT_DEADLOCK] = "deadlock",
    [CL_VERDICT_RACE] = "data race",
    [CL_VERDICT_PANIC] = "panicked",
    [CL_VERDICT_CRASHED] = "crashed",
    [CL_VERDICT_EXITED] = "exited",
    [CL_VERDICT_MEMORY] = "memory error",
    [CL_VERDICT_MEMLEAK] = "memory leak",
    [CL_VERDICT_UNDEFINED] = "undefined behaviour",
    [CL_VERDICT_SANITIZER] = "sanitizer warning",
};

static const char *const status_names[CL_STATUS_COUNT] = {
    [CL_STATUS_PASSED] = "passed",
    [CL_STATUS_FAILED] = "failed",
    [CL_STATUS_COMPILE_ERROR] = "compile error",
    [CL_STATUS_TIMEOUT] = "timed out",
    [CL_STATUS_CRASHED] = "crashed",
    [CL_STATUS_INTERNAL] = "error",
};

const char *cl_verdict_name(cl_verdict_kind kind)
{
    return (unsigned)kind < CL_VERDICT_COUNT ? verdict_names[kind] : "unknown";
}

const char *cl_status_name(cl_status status)
{
    return (unsigned)status < CL_STATUS_COUNT ? status_names[status] : "unknown";
}

void cl_report_free(cl_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntests; i++)
        cl_test_verdict_clear(&r->tests[i]);
    free(r->tests);
    free(r->slug);
    free(r->source);
    free(r->diagnostics);
    free(r->missing_function);
    free(r->output);
    free(r->error);
    free(r->crash_site);
    free(r->warnings);
    free(r);
}

size_t cl_report_passed(const cl_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ntests; i++)
        n += r->tests[i].kind == CL_VERDICT_PASSED;
    return n;
}

/* ---- for people ---- */

typedef struct style {
    bool color, utf8;
} style;

static bool locale_is_utf8(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return false;
}

static const char *paint(const style *st, const char *code)
{
    return st->color ? code : "";
}
#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static void mark(FILE *out, const style *st, bool ok)
{
    const char *sym = st->utf8 ? (ok ? "✓" : "✗") : (ok ? "ok" : "FAIL");
    fprintf(out, "%s%s%s", paint(st, ok ? GREEN : RED), sym, paint(st, RESET));
}

/* Prints text with every line indented, at most `max_lines` lines and
 * about `max_bytes` bytes of it: a terminal is no place for 100 MB. */
static void indented_capped(FILE *out, const char *text, const char *pad, int max_lines,
                            size_t max_bytes)
{
    const char *p = text;
    int lines = 0;
    size_t bytes = 0;
    while (p && *p) {
        if (lines == max_lines || bytes >= max_bytes) {
            fprintf(out, "%s[... %zu more bytes not shown ...]\n", pad, strlen(p));
            return;
        }
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t show = len < max_bytes - bytes ? len : max_bytes - bytes;
        fputs(pad, out);
        /* Control bytes from learner output could restyle or clear the
         * terminal; show them as '?'. */
        for (size_t i = 0; i < show; i++)
            fputc((unsigned char)p[i] < 0x20 && p[i] != '\t' ? '?' : p[i] == 0x7f ? '?' : p[i], out);
        fputs(show < len ? " [...]\n" : "\n", out);
        lines++;
        bytes += show;
        p = nl ? nl + 1 : NULL;
    }
}

static void indented(FILE *out, const char *text, const char *pad)
{
    indented_capped(out, text, pad, 200, 32 * 1024);
}

static void print_test(FILE *out, const style *st, const cl_test_verdict *v)
{
    bool ok = v->kind == CL_VERDICT_PASSED;
    fputs("  ", out);
    mark(out, st, ok);
    fprintf(out, " %s%s%s", paint(st, BOLD), v->name, paint(st, RESET));
    if (v->race_pass)
        fputs(" (under ThreadSanitizer)", out);
    if (v->memory_pass)
        fputs(" (under AddressSanitizer)", out);
    if (!ok)
        fprintf(out, " — %s%s%s", paint(st, v->kind == CL_VERDICT_FAILED ? RED : YELLOW),
                cl_verdict_name(v->kind), paint(st, RESET));
    fputc('\n', out);
    if (ok)
        return;
    if (v->message)
        indented(out, v->message, "      ");
    if (v->detail)
        indented(out, v->detail, st->utf8 ? "      │ " : "      | ");
    else if (v->output && v->kind != CL_VERDICT_LEAKED) {
        fprintf(out, "      %swhat the test printed:%s\n", paint(st, DIM), paint(st, RESET));
        indented_capped(out, v->output, "      | ", 20, 2048);
    }
}

/* Compile errors: the diagnostics, first error first, and what to do. */
static void print_build_failure(FILE *out, const style *st, const cl_report *r)
{
    fputs("  ", out);
    mark(out, st, false);
    if (r->missing_function) {
        fprintf(out, " %s: your file is missing function %s%s%s (the grader calls it); "
                     "did you rename or delete it?\n",
                r->source, paint(st, BOLD), r->missing_function, paint(st, RESET));
        fputs("    Put it back with the exact name and signature from the original exercise"
              " (`chanlings reset` keeps a backup of your work).\n", out);
        return;
    }
    fprintf(out, " %s does not compile. The compiler says (first error first):\n", r->source);
    if (r->diagnostics)
        indented(out, r->diagnostics, "    ");
    fputs("    Fix the first error first: the ones after it are often caused by it.\n", out);
}

/* Warnings of a build that succeeded, after the headline: on a failing
 * check they often name the very line at fault. */
static void print_warnings(FILE *out, const style *st, const cl_report *r)
{
    if (!r->warnings || !*r->warnings)
        return;
    fprintf(out, "%sThe compiler warned about %s%s (warnings like these often point at the "
                 "bug):\n", paint(st, YELLOW), r->source, paint(st, RESET));
    indented_capped(out, r->warnings, "    ", 40, 8192);
}

static void print_run(FILE *out, const style *st, const cl_report *r)
{
    if (r->output && *r->output) {
        fputs(r->output, out);
        if (r->output[strlen(r->output) - 1] != '\n')
            fputc('\n', out);
    }
    fputs("  ", out);
    mark(out, st, r->status == CL_STATUS_PASSED);
    if (r->status == CL_STATUS_TIMEOUT)
        fprintf(out, " %s: the program was still running after its time limit and was "
                     "stopped. Is something blocked, or a loop endless?\n", r->source);
    else if (r->term_signal) {
        char desc[160];
        fprintf(out, " %s: the program crashed with %s", r->source,
                cl_signal_describe(r->term_signal, desc, sizeof desc));
        if (r->crash_site)
            fprintf(out, " at %s", r->crash_site);
        fputs(".\n", out);
    } else
        fprintf(out, " %s: the program exited with status %d (%.2f s).\n", r->source,
                r->exit_code, r->seconds);
    if (r->output_cut)
        fprintf(out, "    (%zu bytes of output were cut from the middle)\n", r->output_cut);
    print_warnings(out, st, r);
}

/* Failures by what they teach, most first: a sanitizer's report (memory
 * error, race, undefined behaviour) names the bug itself and its line, a
 * deadlock dump or a panic names the learner's line; an assertion says
 * what was wrong; a crash or a timeout is often only a consequence, and
 * which test hits it can depend on scheduling.  Kinds not listed rank
 * with FAILED. */
static const cl_verdict_kind teaching_order[] = {
    CL_VERDICT_MEMORY,   CL_VERDICT_RACE,    CL_VERDICT_UNDEFINED, CL_VERDICT_SANITIZER,
    CL_VERDICT_DEADLOCK, CL_VERDICT_PANIC,   CL_VERDICT_LEAKED,    CL_VERDICT_MEMLEAK,
    CL_VERDICT_FAILED,   CL_VERDICT_EXITED,  CL_VERDICT_TIMEOUT,   CL_VERDICT_CRASHED,
};

static size_t teaching_rank(cl_verdict_kind kind)
{
    size_t n = sizeof teaching_order / sizeof *teaching_order, failed = n;
    for (size_t i = 0; i < n; i++) {
        if (teaching_order[i] == kind)
            return i;
        if (teaching_order[i] == CL_VERDICT_FAILED)
            failed = i;
    }
    return failed;
}

const cl_test_verdict *cl_report_lead(const cl_report *r)
{
    const cl_test_verdict *lead = NULL;
    for (size_t i = 0; i < r->ntests; i++)
        if (r->tests[i].kind != CL_VERDICT_PASSED &&
            (!lead || teaching_rank(r->tests[i].kind) < teaching_rank(lead->kind)))
            lead = &r->tests[i];
    return lead;
}

static void print_grade(FILE *out, const style *st, const cl_report *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        print_test(out, st, &r->tests[i]);
    size_t passed = cl_report_passed(r);
    const cl_test_verdict *bad = cl_report_lead(r);
    fputc('\n', out);
    if (r->status == CL_STATUS_PASSED) {
        fprintf(out, "%s%s: all %zu tests passed%s (%.2f s).\n", paint(st, GREEN),
                r->slug ? r->slug : r->source, r->ntests, paint(st, RESET), r->seconds);
        print_warnings(out, st, r);
        return;
    }
    fprintf(out, "%s%s: %zu of %zu tests passed.%s", paint(st, RED), r->slug ? r->slug : r->source,
            passed, r->ntests, paint(st, RESET));
    if (bad)
        fprintf(out, " Start with %s%s%s above, in %s.\n", paint(st, BOLD), bad->name,
                paint(st, RESET), r->source);
    else
        fputc('\n', out);
    print_warnings(out, st, r);
    if (r->status == CL_STATUS_TIMEOUT)
        fprintf(out, "The grader ran past its overall time limit and was stopped; tests not "
                     "listed did not get to run. Look for code in %s that never returns.\n",
                r->source);
    else if (r->status == CL_STATUS_CRASHED)
        fprintf(out, "The grader program itself stopped early (exit %d, signal %d); tests not "
                     "listed did not get to run.\n", r->exit_code, r->term_signal);
    if (r->output && *r->output) {
        fputs("Printed outside any test:\n", out);
        indented_capped(out, r->output, "  | ", 20, 2048);
    }
}

void cl_report_print(FILE *out, const cl_report *r, bool color)
{
    style st = {color, locale_is_utf8()};
    if (r->status == CL_STATUS_INTERNAL) {
        fprintf(out, "chanlings: could not check %s: %s\n", r->source ? r->source : "?",
                r->error ? r->error : "unknown error");
        return;
    }
    if (!r->compiled) {
        print_build_failure(out, &st, r);
        return;
    }
    if (r->ran_main)
        print_run(out, &st, r);
    else
        print_grade(out, &st, r);
}
