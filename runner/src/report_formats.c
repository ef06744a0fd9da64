/* Reports for machines: TAP, JUnit XML, JSON, Gradescope results.json,
 * PrairieLearn's external-grader results.json.
 *
 * Learner output is arbitrary bytes; every format here must stay valid, so
 * all text goes through one escaper that decodes UTF-8, replaces invalid
 * sequences with U+FFFD and escapes per format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_buf.h"

typedef enum { ESC_JSON, ESC_XML, ESC_YAML } esc_kind;

/* Length of a valid UTF-8 sequence at s (up to end), or 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (s[0] >= 0xF5 || n == 0 || (size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static void put_text(FILE *out, const char *text, esc_kind kind)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    const unsigned char *end = s + strlen((const char *)s);
    while (s < end) {
        unsigned char c = *s;
        if (c >= 0x80) {
            size_t n = utf8_len(s, end);
            if (n) {
                fwrite(s, 1, n, out);
                s += n;
            } else {
                fputs(kind == ESC_JSON ? "\\ufffd" : "\xEF\xBF\xBD", out);
                s++;
            }
            continue;
        }
        s++;
        if (kind == ESC_XML) {
            static const char *const ents[128] = {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
                                                  ['"'] = "&quot;", ['\''] = "&apos;"};
            if (ents[c])
                fputs(ents[c], out);
            else if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r')
                fputc(c, out);
            else
                fputs("\xEF\xBF\xBD", out); /* not allowed in XML 1.0 at all */
            continue;
        }
        /* JSON and YAML double-quoted strings share JSON's escapes. */
        static const char *const esc[128] = {['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n",
                                             ['\t'] = "\\t", ['\r'] = "\\r", ['\b'] = "\\b",
                                             ['\f'] = "\\f"};
        if (esc[c])
            fputs(esc[c], out);
        else if (c < 0x20 || c == 0x7F)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

/* A JSON string value, or null. */
static void json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    put_text(out, s, ESC_JSON);
    fputc('"', out);
}

/* Everything a failing test says, as one text: message, detail, output. */
static char *verdict_text(const cl_test_verdict *v)
{
    cl_buf b = {0};
    cl_buf_printf(&b, "%s%s", cl_verdict_name(v->kind), v->race_pass ? " (ThreadSanitizer pass)" : "");
    if (v->message)
        cl_buf_printf(&b, ": %s", v->message);
    if (v->detail)
        cl_buf_printf(&b, "\n%s", v->detail);
    else if (v->output && v->kind != CL_VERDICT_PASSED)
        cl_buf_printf(&b, "\nWhat the test printed:\n%s", v->output);
    return cl_buf_take(&b);
}

/* The one-test stand-in for a report without tests (compile error, or a
 * grader that could not run). */
static char *report_problem(const cl_report *r)
{
    cl_buf b = {0};
    if (r->status == CL_STATUS_INTERNAL)
        cl_buf_printf(&b, "could not grade: %s", r->error ? r->error : "unknown error");
    else if (r->missing_function)
        cl_buf_printf(&b, "missing function %s (the grader calls it); was it renamed or deleted?",
                      r->missing_function);
    else if (!r->compiled)
        cl_buf_printf(&b, "compile error:\n%s", r->diagnostics ? r->diagnostics : "");
    else
        cl_buf_printf(&b, "%s: no test results (exit %d, signal %d)", cl_status_name(r->status),
                      r->exit_code, r->term_signal);
    return cl_buf_take(&b);
}

static size_t test_count(const cl_report *r)
{
    return r->ntests ? r->ntests : 1;
}

static int finish(FILE *out)
{
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- TAP 13 ---- */

/* A name on a TAP test line: one line, and nothing a TAP reader takes
 * for a directive ('#'), an escape, or the start of another line.
 * Directory names and test names are anybody's bytes. */
static void tap_name(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '#' || *p == '\\')
            fputc('\\', out), fputc(*p, out);
        else if (*p < 0x20 || *p == 0x7F)
            fputc('?', out);
        else
            fputc(*p, out);
    }
}

static void tap_yaml(FILE *out, const char *text)
{
    fputs("  ---\n  message: \"", out);
    put_text(out, text, ESC_YAML);
    fputs("\"\n  ...\n", out);
}

int cl_report_tap(FILE *out, const cl_graded *items, size_t n)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        total += test_count(items[i].report);
    fprintf(out, "TAP version 13\n1..%zu\n", total);
    for (size_t i = 0; i < n; i++) {
        const cl_report *r = items[i].report;
        if (!r->ntests) {
            char *why = report_problem(r);
            fprintf(out, "not ok %zu - ", ++k);
            tap_name(out, items[i].student);
            fputc(' ', out);
            tap_name(out, items[i].exercise);
            fprintf(out, " %s\n", cl_status_name(r->status));
            tap_yaml(out, why);
            free(why);
        }
        for (size_t t = 0; t < r->ntests; t++) {
            const cl_test_verdict *v = &r->tests[t];
            bool ok = v->kind == CL_VERDICT_PASSED;
            fprintf(out, "%s %zu - ", ok ? "ok" : "not ok", ++k);
            tap_name(out, items[i].student);
            fputc(' ', out);
            tap_name(out, items[i].exercise);
            fputs(": ", out);
            tap_name(out, v->name);
            fprintf(out, "%s\n", v->race_pass ? " (race)" : "");
            if (!ok) {
                char *text = verdict_text(v);
                tap_yaml(out, text);
                free(text);
            }
        }
    }
    return finish(out);
}

/* ---- JUnit XML ---- */

static void xml_attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    put_text(out, value, ESC_XML);
    fputc('"', out);
}

static void junit_case(FILE *out, const cl_graded *g, const char *name, bool ok, bool failure,
                       const char *type, const char *message, const char *body)
{
    fputs("    <testcase", out);
    cl_buf cls = {0};
    cl_buf_printf(&cls, "%s.%s", g->student, g->exercise);
    xml_attr(out, "classname", cls.s);
    free(cls.s);
    xml_attr(out, "name", name);
    if (ok) {
        fputs("/>\n", out);
        return;
    }
    fprintf(out, ">\n      <%s", failure ? "failure" : "error");
    xml_attr(out, "type", type);
    xml_attr(out, "message", message ? message : type);
    fputs(">", out);
    put_text(out, body, ESC_XML);
    fprintf(out, "</%s>\n    </testcase>\n", failure ? "failure" : "error");
}

int cl_report_junit(FILE *out, const cl_graded *items, size_t n)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", out);
    for (size_t i = 0; i < n; i++) {
        const cl_graded *g = &items[i];
        const cl_report *r = g->report;
        size_t failures = 0, errors = 0;
        for (size_t t = 0; t < r->ntests; t++) {
            failures += r->tests[t].kind == CL_VERDICT_FAILED || r->tests[t].kind == CL_VERDICT_LEAKED;
            errors += r->tests[t].kind > CL_VERDICT_LEAKED;
        }
        errors += r->ntests == 0;
        cl_buf name = {0};
        cl_buf_printf(&name, "%s/%s", g->student, g->exercise);
        fputs("  <testsuite", out);
        xml_attr(out, "name", name.s);
        free(name.s);
        fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
                test_count(r), failures, errors, r->seconds);
        if (!r->ntests) {
            char *why = report_problem(r);
            junit_case(out, g, r->compiled ? "grader" : "compile", false, false,
                       cl_status_name(r->status), NULL, why);
            free(why);
        }
        for (size_t t = 0; t < r->ntests; t++) {
            const cl_test_verdict *v = &r->tests[t];
            char *text = verdict_text(v);
            cl_buf tn = {0};
            cl_buf_printf(&tn, "%s%s", v->name, v->race_pass ? " (race)" : "");
            junit_case(out, g, tn.s, v->kind == CL_VERDICT_PASSED,
                       v->kind == CL_VERDICT_FAILED || v->kind == CL_VERDICT_LEAKED,
                       cl_verdict_name(v->kind), v->message, text);
            free(tn.s);
            free(text);
        }
        if (r->output && *r->output) {
            fputs("    <system-out>", out);
            put_text(out, r->output, ESC_XML);
            fputs("</system-out>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    return finish(out);
}

/* ---- JSON ---- */

static void json_report(FILE *out, const cl_graded *g)
{
    const cl_report *r = g->report;
    fputs("{\"student\": ", out);
    json_str(out, g->student);
    fputs(", \"exercise\": ", out);
    json_str(out, g->exercise);
    fputs(", \"status\": ", out);
    json_str(out, cl_status_name(r->status));
    fprintf(out, ", \"compiled\": %s, \"race_checked\": %s, \"passed\": %zu, \"total\": %zu, "
                 "\"seconds\": %.3f",
            r->compiled ? "true" : "false", r->race_checked ? "true" : "false", cl_report_passed(r),
            r->ntests, r->seconds);
    fputs(", \"diagnostics\": ", out);
    json_str(out, r->diagnostics);
    fputs(", \"missing_function\": ", out);
    json_str(out, r->missing_function);
    fputs(", \"error\": ", out);
    json_str(out, r->error);
    fputs(", \"output\": ", out);
    json_str(out, r->output);
    fputs(", \"tests\": [", out);
    for (size_t t = 0; t < r->ntests; t++) {
        const cl_test_verdict *v = &r->tests[t];
        fputs(t ? ", {\"name\": " : "{\"name\": ", out);
        json_str(out, v->name);
        fputs(", \"verdict\": ", out);
        json_str(out, cl_verdict_name(v->kind));
        fprintf(out, ", \"race_pass\": %s, \"where\": ", v->race_pass ? "true" : "false");
        json_str(out, v->where);
        fputs(", \"message\": ", out);
        json_str(out, v->message);
        fputs(", \"detail\": ", out);
        json_str(out, v->detail);
        fputs(", \"output\": ", out);
        json_str(out, v->output);
        fputc('}', out);
    }
    fputs("]}", out);
}

int cl_report_json(FILE *out, const cl_graded *items, size_t n)
{
    fputs("{\"submissions\": [", out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        json_report(out, &items[i]);
    }
    fputs("\n]}\n", out);
    return finish(out);
}

/* ---- Gradescope results.json ---- */

static void gs_test(FILE *out, bool first, const char *exercise, const char *name, bool ok,
                    const char *text)
{
    cl_buf full = {0};
    cl_buf_printf(&full, "%s: %s", exercise, name);
    fputs(first ? "\n    {\"name\": " : ",\n    {\"name\": ", out);
    json_str(out, full.s);
    free(full.s);
    fprintf(out, ", \"score\": %d, \"max_score\": 1, \"status\": \"%s\", \"visibility\": "
                 "\"visible\", \"output\": ", ok ? 1 : 0, ok ? "passed" : "failed");
    json_str(out, text ? text : "");
    fputc('}', out);
}

int cl_report_gradescope(FILE *out, const cl_graded *items, size_t n)
{
    /* Each listed test is worth 1: the score can never pass their count,
     * whatever a report holds. */
    size_t score = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        size_t tests = test_count(items[i].report), passed = cl_report_passed(items[i].report);
        score += passed < tests ? passed : tests;
        max += tests;
    }
    if (score > max)
        score = max;
    /* The tests say everything a student needs; the autograder's own
     * stdout (which files were graded) is for the instructor. */
    fprintf(out, "{\"score\": %zu, \"visibility\": \"visible\", \"stdout_visibility\": "
                 "\"hidden\", \"tests\": [", score);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const cl_report *r = items[i].report;
        if (!r->ntests) {
            char *why = report_problem(r);
            gs_test(out, first, items[i].exercise, r->compiled ? "grader" : "compiles", false, why);
            free(why);
            first = false;
        }
        for (size_t t = 0; t < r->ntests; t++) {
            const cl_test_verdict *v = &r->tests[t];
            bool ok = v->kind == CL_VERDICT_PASSED;
            char *text = ok ? NULL : verdict_text(v);
            cl_buf tn = {0};
            cl_buf_printf(&tn, "%s%s", v->name, v->race_pass ? " (race)" : "");
            gs_test(out, first, items[i].exercise, tn.s, ok, text);
            free(tn.s);
            free(text);
            first = false;
        }
    }
    fputs("\n]}\n", out);
    return finish(out);
}

/* ---- PrairieLearn external grader results.json ---- */

int cl_report_prairielearn(FILE *out, const cl_graded *items, size_t n)
{
    /* One point per test, as Gradescope's; score is PrairieLearn's fraction. */
    size_t points = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        size_t tests = test_count(items[i].report), passed = cl_report_passed(items[i].report);
        points += passed < tests ? passed : tests;
        max += tests;
    }
    fprintf(out, "{\"gradable\": true, \"score\": %.6f, \"points\": %zu, \"max_points\": %zu, "
                 "\"message\": \"%zu of %zu tests passed\", \"tests\": [",
            max ? (double)points / (double)max : 0.0, points, max, points, max);
    const char *sep = "\n    ";
    for (size_t i = 0; i < n; i++) {
        const cl_report *r = items[i].report;
        for (size_t t = 0; t < test_count(r); t++) {
            const cl_test_verdict *v = r->ntests ? &r->tests[t] : NULL;
            bool ok = v && v->kind == CL_VERDICT_PASSED;
            char *text = !v ? report_problem(r) : ok ? NULL : verdict_text(v);
            cl_buf name = {0};
            cl_buf_printf(&name, "%s: %s%s", items[i].exercise,
                          v ? v->name : r->compiled ? "grader" : "compiles",
                          v && v->race_pass ? " (race)" : "");
            fprintf(out, "%s{\"name\": ", sep);
            json_str(out, name.s);
            fprintf(out, ", \"points\": %d, \"max_points\": 1, \"message\": ", ok ? 1 : 0);
            json_str(out, ok ? "passed" : v ? cl_verdict_name(v->kind) : cl_status_name(r->status));
            fputs(", \"output\": ", out);
            json_str(out, text ? text : "");
            fputc('}', out);
            free(name.s);
            free(text);
            sep = ",\n    ";
        }
    }
    fputs("\n]}\n", out);
    return finish(out);
}
