/* report: the serialisers produce valid JSON, well-formed XML and
 * consistent TAP even from hostile output (quotes, control characters,
 * invalid UTF-8, markup); the human view marks, colours and ASCII
 * fallback; the names of verdicts and statuses. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "check_run.h"

/* Output a learner could print: everything an escaper can trip over. */
static const char NASTY[] = "quote \" backslash \\ tab \t bell \a nul-ish \x01 esc \x1b[31m "
                            "<tag attr='x'> & ]]> invalid \xff\xfe utf8 \xc3\xa9 \xe2\x9c\x93\n";

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static cl_report *sample(bool compiled)
{
    cl_report *r = calloc(1, sizeof *r);
    r->slug = dup("03-unbuffered");
    r->source = dup("exercises/03-unbuffered.c");
    r->compiled = compiled;
    r->seconds = 0.25;
    if (!compiled) {
        r->status = CL_STATUS_COMPILE_ERROR;
        r->diagnostics = dup("exercises/03-unbuffered.c:4:1: error: expected ';' <here> & \"there\"\n");
        return r;
    }
    r->status = CL_STATUS_FAILED;
    r->ntests = 3;
    r->tests = calloc(3, sizeof *r->tests);
    r->tests[0] = (cl_test_verdict){dup("sends_one"), CL_VERDICT_PASSED, dup("g.c:1"), NULL, NULL,
                                    dup(NASTY), false, false};
    r->tests[1] = (cl_test_verdict){dup("sum \"all\" <workers>"), CL_VERDICT_FAILED, dup("g.c:2"),
                                    dup(NASTY), NULL, dup(NASTY), false, false};
    r->tests[2] = (cl_test_verdict){dup("no_race"), CL_VERDICT_RACE, NULL, dup("data race"),
                                    dup(NASTY), NULL, true, false};
    r->output = dup(NASTY);
    return r;
}

/* ---- a strict little JSON checker (RFC 8259 grammar) ---- */

typedef struct jp {
    const char *p;
} jp;

static void ws(jp *j)
{
    while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
        j->p++;
}

static bool value(jp *j);

static bool string(jp *j)
{
    if (*j->p != '"')
        return false;
    j->p++;
    while (*j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        if (c < 0x20 || c == 0)
            return false;
        if (c == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
                        return false;
                j->p += 4;
            } else if (!strchr("\"\\/bfnrt", *j->p) || !*j->p) {
                return false;
            }
        } else if (c >= 0x80) {
            /* Must be valid UTF-8. */
            int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : -1;
            if (n < 0 || c > 0xF4)
                return false;
            for (int i = 1; i <= n; i++)
                if (((unsigned char)j->p[i] & 0xC0) != 0x80)
                    return false;
            j->p += n;
        }
        j->p++;
    }
    j->p++;
    return true;
}

static bool number(jp *j)
{
    const char *s = j->p;
    if (*j->p == '-')
        j->p++;
    while ((*j->p >= '0' && *j->p <= '9') || *j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
           *j->p == '+' || *j->p == '-')
        j->p++;
    return j->p > s;
}

static bool literal(jp *j, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(j->p, word, n))
        return false;
    j->p += n;
    return true;
}

static bool members(jp *j, char close, bool object)
{
    j->p++;
    ws(j);
    if (*j->p == close) {
        j->p++;
        return true;
    }
    for (;;) {
        ws(j);
        if (object) {
            if (!string(j))
                return false;
            ws(j);
            if (*j->p++ != ':')
                return false;
        }
        if (!value(j))
            return false;
        ws(j);
        if (*j->p == close) {
            j->p++;
            return true;
        }
        if (*j->p++ != ',')
            return false;
    }
}

static bool value(jp *j)
{
    ws(j);
    switch (*j->p) {
    case '{':
        return members(j, '}', true);
    case '[':
        return members(j, ']', false);
    case '"':
        return string(j);
    case 't':
        return literal(j, "true");
    case 'f':
        return literal(j, "false");
    case 'n':
        return literal(j, "null");
    default:
        return number(j);
    }
}

static bool valid_json(const char *text)
{
    jp j = {text};
    if (!value(&j))
        return false;
    ws(&j);
    return *j.p == '\0';
}

/* ---- a well-formedness checker for the XML we write ---- */

static bool valid_xml(const char *s)
{
    const char *stack[64];
    size_t depth = 0;
    if (strncmp(s, "<?xml", 5))
        return false;
    s = strstr(s, "?>") + 2;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
            return false;
        if (c == '&') {
            static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            bool ok = false;
            for (size_t i = 0; i < 5 && !ok; i++)
                ok = !strncmp(s, ents[i], strlen(ents[i]));
            if (!ok)
                return false;
        }
        if (c == '>')
            return false; /* only legal closing a tag, handled below */
        if (c != '<') {
            s++;
            continue;
        }
        const char *end = s + 1;
        char quote = 0;
        while (*end && (quote || *end != '>')) {
            if (quote && *end == '<')
                return false;
            if (*end == '"' || *end == '\'')
                quote = quote == *end ? 0 : quote ? quote : *end;
            end++;
        }
        if (!*end)
            return false;
        if (s[1] == '/') {
            if (!depth)
                return false;
            const char *open = stack[--depth];
            size_t n = strcspn(open, " />");
            if (strncmp(open, s + 2, n) || (s[2 + n] != '>'))
                return false;
        } else if (end[-1] != '/') {
            if (depth == 64)
                return false;
            stack[depth++] = s + 1;
        }
        s = end + 1;
    }
    return depth == 0;
}

typedef int (*serialiser)(FILE *, const cl_graded *, size_t);

static char *render(serialiser fn, const cl_graded *items, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(fn(f, items, n), 0);
    fclose(f);
    return buf;
}

static void with_samples(serialiser fn, char **out)
{
    cl_report *a = sample(true), *b = sample(false);
    cl_graded items[] = {{"alice \"the\" <best>", "03-unbuffered", a},
                         {"bob", "03-unbuffered", b}};
    *out = render(fn, items, 2);
    cl_report_free(a);
    cl_report_free(b);
}

START_TEST(json_is_valid)
{
    char *s;
    with_samples(cl_report_json, &s);
    ck_assert_msg(valid_json(s), "invalid JSON:\n%s", s);
    ck_assert_ptr_nonnull(strstr(s, "\"verdict\": \"data race\""));
    ck_assert_ptr_nonnull(strstr(s, "\"status\": \"compile error\""));
    ck_assert_ptr_nonnull(strstr(s, "\\ufffd")); /* the invalid bytes */
    free(s);
}
END_TEST

START_TEST(checker_rejects_bad_json)
{
    ck_assert(!valid_json("{\"a\": \"tab\there\"}"));
    ck_assert(!valid_json("{\"a\": \"\xff\"}"));
    ck_assert(!valid_json("{\"a\": 1,}"));
    ck_assert(valid_json("{\"a\": [1, true, null, \"\\u00e9\"]}"));
    ck_assert(!valid_xml("<?xml version=\"1.0\"?>\n<a><b></a></b>"));
    ck_assert(!valid_xml("<?xml version=\"1.0\"?>\n<a>x & y</a>"));
    ck_assert(valid_xml("<?xml version=\"1.0\"?>\n<a k=\"v\"><b/>x &amp; y</a>"));
}
END_TEST

START_TEST(gradescope_is_valid_and_scored)
{
    char *s;
    with_samples(cl_report_gradescope, &s);
    ck_assert_msg(valid_json(s), "invalid JSON:\n%s", s);
    ck_assert_msg(!strncmp(s, "{\"score\": 1,", 12), "score should be the one passed test:\n%s", s);
    ck_assert_ptr_nonnull(strstr(s, "\"name\": \"03-unbuffered: compiles\""));
    ck_assert_ptr_nonnull(strstr(s, "\"max_score\": 1"));
    free(s);
}
END_TEST

START_TEST(junit_is_well_formed)
{
    char *s;
    with_samples(cl_report_junit, &s);
    ck_assert_msg(valid_xml(s), "malformed XML:\n%s", s);
    ck_assert_ptr_nonnull(strstr(s, "tests=\"3\" failures=\"1\" errors=\"1\""));
    ck_assert_ptr_nonnull(strstr(s, "<error type=\"compile error\""));
    free(s);
}
END_TEST

START_TEST(tap_plan_matches_lines)
{
    char *s;
    with_samples(cl_report_tap, &s);
    ck_assert(!strncmp(s, "TAP version 13\n1..4\n", 20));
    int ok = 0, not_ok = 0;
    for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        ok += !strncmp(line, "ok ", 3);
        not_ok += !strncmp(line, "not ok ", 7);
    }
    ck_assert_int_eq(ok, 1);
    ck_assert_int_eq(not_ok, 3);
    /* YAML message strings stay on one line: no raw newline inside. */
    ck_assert_ptr_null(strstr(s, "message: \"quote \" "));
    free(s);
}
END_TEST

static char *print_report(const cl_report *r, bool color, const char *lang)
{
    setenv("LANG", lang, 1);
    unsetenv("LC_ALL");
    unsetenv("LC_CTYPE");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cl_report_print(f, r, color);
    fclose(f);
    return buf;
}

START_TEST(human_marks_and_colour)
{
    cl_report *r = sample(true);
    char *plain = print_report(r, false, "C");
    ck_assert_ptr_null(strchr(plain, '\033'));
    ck_assert_ptr_nonnull(strstr(plain, "  ok sends_one"));
    ck_assert_ptr_nonnull(strstr(plain, "  FAIL sum \"all\" <workers> — failed"));
    ck_assert_ptr_nonnull(strstr(plain, "1 of 3 tests passed"));
    ck_assert_ptr_nonnull(strstr(plain, "exercises/03-unbuffered.c"));
    ck_assert_ptr_nonnull(strstr(plain, "(under ThreadSanitizer)"));
    char *utf = print_report(r, true, "en_US.UTF-8");
    ck_assert_ptr_nonnull(strstr(utf, "✓"));
    ck_assert_ptr_nonnull(strstr(utf, "✗"));
    ck_assert_ptr_nonnull(strchr(utf, '\033'));
    free(plain);
    free(utf);
    cl_report_free(r);
}
END_TEST

START_TEST(human_compile_error_and_missing_function)
{
    cl_report *r = sample(false);
    char *s = print_report(r, false, "C");
    ck_assert_ptr_nonnull(strstr(s, "exercises/03-unbuffered.c does not compile"));
    ck_assert_ptr_nonnull(strstr(s, "exercises/03-unbuffered.c:4:1: error"));
    free(s);
    r->missing_function = strdup("ping_pong");
    s = print_report(r, false, "C");
    ck_assert_ptr_nonnull(strstr(s, "missing function ping_pong (the grader calls it); "
                                    "did you rename or delete it?"));
    free(s);
    cl_report_free(r);
}
END_TEST

START_TEST(human_run_report)
{
    cl_report *r = calloc(1, sizeof *r);
    r->source = strdup("exercises/01-goroutines.c");
    r->ran_main = r->compiled = true;
    r->status = CL_STATUS_CRASHED;
    r->exit_code = -1;
    r->term_signal = 11;
    r->output = strdup("hello from main");
    char *s = print_report(r, false, "C");
    ck_assert_ptr_nonnull(strstr(s, "hello from main\n"));
    ck_assert_ptr_nonnull(strstr(s, "exercises/01-goroutines.c: the program crashed with SIGSEGV"));
    free(s);
    /* `run` shows the bug warnings of its build too, after the outcome. */
    r->warnings = strdup("exercises/01-goroutines.c:9:5: warning: 'n' may be used uninitialized "
                         "[-Wmaybe-uninitialized]\n");
    s = print_report(r, false, "C");
    const char *crashed = strstr(s, "the program crashed"), *warned = strstr(s, "may be used");
    ck_assert_msg(crashed && warned && crashed < warned, "%s", s);
    free(s);
    cl_report_free(r);
}
END_TEST

/* The memory pass's verdicts say so, and compiler warnings come after the
 * headline, on a failing and on a passing check alike. */
START_TEST(human_memory_pass_and_warnings)
{
    cl_report *r = calloc(1, sizeof *r);
    r->slug = strdup("04-jobs");
    r->source = strdup("exercises/04-jobs.c");
    r->compiled = r->memory_checked = true;
    r->status = CL_STATUS_FAILED;
    r->ntests = 2;
    r->tests = calloc(2, sizeof *r->tests);
    r->tests[0] = (cl_test_verdict){.name = strdup("frees"), .kind = CL_VERDICT_PASSED};
    r->tests[1] = (cl_test_verdict){.name = strdup("frees"), .kind = CL_VERDICT_MEMLEAK,
                                    .message = strdup("memory leak: ... allocated at "
                                                      "exercises/04-jobs.c:14"),
                                    .detail = strdup("ERROR: LeakSanitizer: detected memory leaks"),
                                    .memory_pass = true};
    r->warnings = strdup("exercises/04-jobs.c:12:5: warning: pointer 'j' used after 'free' "
                         "[-Wuse-after-free]\n");
    char *s = print_report(r, false, "C");
    ck_assert_msg(strstr(s, "FAIL frees (under AddressSanitizer) — memory leak\n"), "%s", s);
    const char *headline = strstr(s, "04-jobs: 1 of 2 tests passed.");
    const char *warned = strstr(s, "The compiler warned about exercises/04-jobs.c");
    ck_assert_msg(headline && warned && headline < warned, "%s", s);
    ck_assert_ptr_nonnull(strstr(warned, "    exercises/04-jobs.c:12:5: warning: pointer 'j' used"));
    free(s);
    /* A sanitizer's report leads over a plain failure before it. */
    r->tests[0].kind = CL_VERDICT_FAILED;
    r->tests[1].kind = CL_VERDICT_MEMORY;
    ck_assert_ptr_eq(cl_report_lead(r), &r->tests[1]);
    r->tests[0].kind = CL_VERDICT_PASSED;
    r->status = CL_STATUS_PASSED;
    r->ntests = 1;
    s = print_report(r, false, "C");
    ck_assert_msg(strstr(s, "all 1 tests passed") && strstr(s, "-Wuse-after-free"), "%s", s);
    free(s);
    r->ntests = 2;
    cl_report_free(r);
}
END_TEST

START_TEST(names)
{
    for (int k = 0; k < CL_VERDICT_COUNT; k++)
        ck_assert_str_ne(cl_verdict_name((cl_verdict_kind)k), "unknown");
    for (int k = 0; k < CL_STATUS_COUNT; k++)
        ck_assert_str_ne(cl_status_name((cl_status)k), "unknown");
    ck_assert_str_eq(cl_verdict_name(CL_VERDICT_COUNT), "unknown");
    ck_assert_str_eq(cl_verdict_name(CL_VERDICT_TIMEOUT), "timed out");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, json_is_valid);
    tcase_add_test(tc, human_memory_pass_and_warnings);
    tcase_add_test(tc, checker_rejects_bad_json);
    tcase_add_test(tc, gradescope_is_valid_and_scored);
    tcase_add_test(tc, junit_is_well_formed);
    tcase_add_test(tc, tap_plan_matches_lines);
    tcase_add_test(tc, human_marks_and_colour);
    tcase_add_test(tc, human_compile_error_and_missing_function);
    tcase_add_test(tc, human_run_report);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
