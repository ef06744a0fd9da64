/* trace.c and trace_layout.c: libgoc's trace is read as the contract says,
 * a damaged one is refused with a message, and the timeline puts every
 * state and wake-up in the column of its time, at 80 and 160 columns. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_run.h"
#include "md_render.h"
#include "testdir.h"
#include "trace_layout.h"

/* The fixtures, from the workbook root (where the tests run). */
#define FIXTURE(name) "runner/tests/fixtures/trace-" name ".json"

static cl_trace *parse_ok(const char *json)
{
    char err[512];
    cl_trace *t = cl_trace_parse(json, strlen(json), err, sizeof err);
    ck_assert_msg(t != NULL, "refused: %s", err);
    return t;
}

/* What a damaged trace is told: NULL, and err holds `want`. */
static void refused(const char *json, const char *want)
{
    char err[512];
    cl_trace *t = cl_trace_parse(json, strlen(json), err, sizeof err);
    ck_assert_msg(t == NULL, "accepted: %s", json);
    ck_assert_msg(strstr(err, want), "\"%s\" not in \"%s\"", want, err);
}

static cl_trace *load_ok(const char *path)
{
    char err[512];
    cl_trace *t = cl_trace_load(path, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    return t;
}

/* The row of goroutine `name` in a layout (a pointer into text), or NULL. */
static const char *row(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
        if (strncmp(l, name, n) == 0 && l[n] == ' ')
            return l;
        if (!strchr(l, '\n'))
            break;
    }
    return NULL;
}

/* The ASCII glyph of a row at time `us` (layouts here are ASCII). */
static char at(const char *text, const cl_trace_view *v, const char *name, double us)
{
    const char *r = row(text, name);
    ck_assert_msg(r != NULL, "no row %s in\n%s", name, text);
    int col = (int)((us - v->from_us) / v->span_us * v->cells);
    return r[v->name_cols + 1 + col];
}

/* Every line of text is at most `width` display columns. */
static void fits(const char *text, int width)
{
    int lines = 0;
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        ck_assert_ptr_nonnull(e);
        int cols = cl_md_cols(l, (size_t)(e - l));
        ck_assert_msg(cols <= width, "line %d is %d columns wide, over %d: %.*s", lines, cols,
                      width, (int)(e - l), l);
        lines++;
        l = e + 1;
    }
    ck_assert_int_gt(lines, 3);
}

static const char two[] =
    "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"libgoc\",\"format\":1,"
    "\"scheduler\":\"thread\",\"end\":\"exit\"},\"traceEvents\":["
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"g1 main\"}},"
    "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"g2 worker\"}},"
    "{\"ph\":\"X\",\"name\":\"running\",\"cat\":\"state\",\"ts\":500,\"dur\":50,\"pid\":1,\"tid\":1,\"args\":{}},"
    "{\"ph\":\"X\",\"name\":\"runnable\",\"cat\":\"state\",\"ts\":500,\"dur\":25,\"pid\":1,\"tid\":2,\"args\":{}},"
    "{\"ph\":\"X\",\"name\":\"running\",\"cat\":\"state\",\"ts\":525,\"dur\":35,\"pid\":1,\"tid\":2,\"args\":{}},"
    "{\"ph\":\"X\",\"name\":\"chan send\",\"cat\":\"blocked\",\"ts\":550,\"dur\":50,\"pid\":1,\"tid\":1,"
    "\"args\":{\"site\":\"exercises/03-x.c:42\",\"woken_by\":2}},"
    "{\"ph\":\"s\",\"id\":7,\"cat\":\"wake\",\"name\":\"wake\",\"ts\":550,\"pid\":1,\"tid\":1},"
    "{\"ph\":\"f\",\"bp\":\"e\",\"id\":7,\"cat\":\"wake\",\"name\":\"wake\",\"ts\":560,\"pid\":1,\"tid\":2},"
    "{\"ph\":\"X\",\"name\":\"sync.WaitGroup.Wait\",\"cat\":\"blocked\",\"ts\":560,\"dur\":30,\"pid\":1,\"tid\":2,\"args\":{}},"
    "{\"ph\":\"s\",\"id\":8,\"cat\":\"wake\",\"name\":\"wake\",\"ts\":590,\"pid\":1,\"tid\":2},"
    "{\"ph\":\"f\",\"bp\":\"e\",\"id\":8,\"cat\":\"wake\",\"name\":\"wake\",\"ts\":595,\"pid\":1,\"tid\":1},"
    "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"end\",\"cat\":\"sched\",\"ts\":590,\"pid\":1,\"tid\":2,\"args\":{}},"
    "{\"ph\":\"C\",\"name\":\"something newer\",\"ts\":600,\"pid\":1,\"tid\":1}"
    "]}";

START_TEST(parses_the_contract)
{
    cl_trace *t = parse_ok(two);
    ck_assert_uint_eq(t->ngs, 2);
    ck_assert_str_eq(t->gs[0].name, "g1 main");
    ck_assert_str_eq(t->gs[1].name, "g2 worker");
    ck_assert_str_eq(t->end, "exit");
    ck_assert_str_eq(t->scheduler, "thread");
    ck_assert_double_eq_tol(t->duration, 100, 1e-9); /* from the first event, at 500 */
    ck_assert_uint_eq(t->gs[0].nspans, 2);
    ck_assert_int_eq(t->gs[0].spans[1].state, CL_TRACE_BLOCKED);
    ck_assert_str_eq(t->gs[0].spans[1].reason, "chan send");
    ck_assert_str_eq(t->gs[0].spans[1].site, "exercises/03-x.c:42");
    ck_assert_double_eq_tol(t->gs[0].spans[1].ts, 50, 1e-9);
    ck_assert_uint_eq(t->nflows, 2);
    ck_assert_int_eq(t->flows[0].from, 1);
    ck_assert_int_eq(t->flows[0].to, 2);
    ck_assert_double_eq_tol(t->flows[0].to_ts, 60, 1e-9);
    ck_assert_uint_eq(t->gs[1].nmarks, 1);
    ck_assert_int_eq(t->gs[1].marks[0].kind, CL_TRACE_MARK_END);
    cl_trace_free(t);
}
END_TEST

START_TEST(reads_the_fixtures)
{
    cl_trace *t = load_ok(FIXTURE("pingpong"));
    ck_assert_uint_eq(t->ngs, 2);
    ck_assert_uint_eq(t->nflows, 7); /* three pings, three pongs, the close */
    ck_assert_double_eq_tol(t->duration, 86, 1e-6);
    cl_trace_free(t);
    t = load_ok(FIXTURE("deadlock"));
    ck_assert_str_eq(t->end, "deadlock");
    cl_trace_free(t);
    t = load_ok(FIXTURE("fanout"));
    ck_assert_uint_eq(t->ngs, 201);
    ck_assert_uint_eq(t->nflows, 200);
    ck_assert_str_eq(t->gs[200].name, "g201 worker 200"); /* sorted by sort_index */
    cl_trace_free(t);
}
END_TEST

START_TEST(damage_is_a_message)
{
    refused("", "empty");
    refused("{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"running\",\"ts\":1,", "cut short");
    refused("{\"traceEvents\":[} ", "not valid JSON at byte");
    refused("[1,2,3]", "not a trace");
    refused("{\"events\":[]}", "no \"traceEvents\" list");
    refused("{\"traceEvents\":[]} trailing", "more after the JSON ends");
    refused("{\"traceEvents\":[7]}", "event 0 of \"traceEvents\" is not an object");
    refused("{\"traceEvents\":[{\"name\":\"x\"}]}", "event 0 has no phase");
    refused("{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"running\",\"ts\":\"soon\",\"dur\":1,\"tid\":1}]}",
            "event 0 has no time");
    refused("{\"traceEvents\":[{\"ph\":\"M\",\"name\":\"thread_name\",\"tid\":1},"
            "{\"ph\":\"X\",\"name\":\"running\",\"ts\":1,\"dur\":-4,\"tid\":1}]}",
            "event 1 (a \"running\" span) has no length");
    refused("{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"running\",\"ts\":1,\"dur\":1,\"tid\":1.5}]}",
            "no goroutine id");
    refused("{\"traceEvents\":[{\"ph\":\"s\",\"ts\":1,\"tid\":1}]}", "no \"id\"");
    /* every prefix of a real trace is refused or read, never a crash */
    size_t n = strlen(two);
    for (size_t k = 0; k < n; k++) {
        char err[512];
        cl_trace *t = cl_trace_parse(two, k, err, sizeof err);
        ck_assert_msg(t == NULL && err[0], "a trace cut at %zu bytes was accepted", k);
    }
    /* a file: named in the message; a directory or a symlink is not read */
    char err[512];
    ck_assert_ptr_null(cl_trace_load("/nonexistent/trace.json", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/trace.json"));
    char *dir = td_make();
    ck_assert_ptr_null(cl_trace_load(dir, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    char link[PATH_MAX], cut[PATH_MAX];
    snprintf(link, sizeof link, "%s/link.json", dir);
    snprintf(cut, sizeof cut, "%s/cut.json", dir);
    char *abs = realpath(FIXTURE("pingpong"), NULL);
    ck_assert_int_eq(symlink(abs, link), 0);
    free(abs);
    ck_assert_ptr_null(cl_trace_load(link, err, sizeof err));
    td_write(dir, "cut.json", "{\"traceEvents\":[{\"ph\":\"X\"");
    ck_assert_ptr_null(cl_trace_load(cut, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "cut.json cannot be drawn: it stops in the middle"));
    td_remove(dir);
}
END_TEST

/* States in the columns of their times, at both widths. */
START_TEST(states_at_their_columns)
{
    cl_trace *t = parse_ok(two);
    static const int widths[] = {80, 160};
    for (size_t w = 0; w < 2; w++) {
        cl_trace_view v = {.width = widths[w], .zoom = 1};
        char *text = cl_trace_layout(t, &v);
        ck_assert_ptr_nonnull(text);
        fits(text, widths[w]);
        ck_assert_int_eq(v.name_cols, 9); /* "g2 worker" */
        ck_assert_int_eq(v.cells, widths[w] - 10);
        ck_assert_int_eq(at(text, &v, "g1 main", 10), '#');
        ck_assert_int_eq(at(text, &v, "g1 main", 75), 's');
        ck_assert_int_eq(at(text, &v, "g2 worker", 10), '-');
        ck_assert_int_eq(at(text, &v, "g2 worker", 40), '#');
        ck_assert_int_eq(at(text, &v, "g2 worker", 75), 'w');
        ck_assert_int_eq(at(text, &v, "g2 worker", 97), ' '); /* it ended at 90 */
        ck_assert_int_eq(cl_trace_glyph(CL_TRACE_BLOCKED, "sync.WaitGroup.Wait"), 'w');
        ck_assert_ptr_nonnull(strstr(text, "s chan send"));  /* the legend names */
        ck_assert_ptr_nonnull(strstr(text, "w WaitGroup.Wait")); /* what is drawn */
        ck_assert_ptr_null(strstr(text, "x select"));        /* and nothing else */
        ck_assert_ptr_null(strchr(text, '\x1b'));            /* no colour asked */
        free(text);
    }
    cl_trace_free(t);
}
END_TEST

START_TEST(wakeups_marked_on_both_rows)
{
    cl_trace *t = parse_ok(two);
    cl_trace_view v = {.width = 80, .zoom = 1};
    char *text = cl_trace_layout(t, &v);
    ck_assert_int_eq(at(text, &v, "g1 main", 50), 'v');   /* woke the row below */
    ck_assert_int_eq(at(text, &v, "g2 worker", 60), '*'); /* woken */
    ck_assert_int_eq(at(text, &v, "g2 worker", 90), '^'); /* woke the row above */
    ck_assert_int_eq(at(text, &v, "g1 main", 95), '*');
    free(text);
    v = (cl_trace_view){.width = 80, .zoom = 1, .utf8 = 1};
    text = cl_trace_layout(t, &v);
    ck_assert_ptr_nonnull(strstr(text, "\xE2\x86\x93")); /* ↓ */
    ck_assert_ptr_nonnull(strstr(text, "\xE2\x86\x91")); /* ↑ */
    ck_assert_ptr_nonnull(strstr(text, "\xE2\x96\x88")); /* █ */
    fits(text, 80);
    free(text);
    cl_trace_free(t);
}
END_TEST

START_TEST(zoom_shows_part_of_the_run)
{
    cl_trace *t = parse_ok(two);
    cl_trace_view v = {.width = 80, .zoom = 4, .center = 0.5};
    char *text = cl_trace_layout(t, &v);
    ck_assert_double_eq_tol(v.from_us, 37.5, 1e-9);
    ck_assert_double_eq_tol(v.span_us, 25, 1e-9);
    ck_assert_ptr_nonnull(strstr(text, "zoom x4"));
    ck_assert_int_eq(at(text, &v, "g1 main", 45), '#');
    ck_assert_int_eq(at(text, &v, "g1 main", 55), 's');
    free(text);
    v = (cl_trace_view){.width = 80, .zoom = 4, .center = 1};
    text = cl_trace_layout(t, &v); /* the end, not past it */
    ck_assert_double_eq_tol(v.from_us, 75, 1e-9);
    free(text);
    cl_trace_free(t);
}
END_TEST

/* main alone for most of the run: the picture starts with the second
 * goroutine, and says so; a recorder that lost events says that too. */
START_TEST(long_solo_start_is_skipped)
{
    cl_trace *t = parse_ok(
        "{\"otherData\":{\"dropped\":12},\"traceEvents\":["
        "{\"ph\":\"M\",\"name\":\"thread_name\",\"tid\":1,\"args\":{\"name\":\"g1 main\"}},"
        "{\"ph\":\"X\",\"name\":\"running\",\"ts\":0,\"dur\":100,\"tid\":1},"
        "{\"ph\":\"X\",\"name\":\"running\",\"ts\":90,\"dur\":5,\"tid\":2}]}");
    cl_trace_view v = {.width = 80, .zoom = 1};
    char *text = cl_trace_layout(t, &v);
    ck_assert_double_eq_tol(v.whole_from_us, 90, 1e-9);
    ck_assert_double_eq_tol(v.from_us, 90, 1e-9);
    ck_assert_double_eq_tol(v.span_us, 10, 1e-9);
    ck_assert_ptr_nonnull(strstr(text, "Until 90us only g1 main ran"));
    ck_assert_ptr_nonnull(strstr(text, "libgoc dropped 12 events"));
    ck_assert_int_eq(at(text, &v, "g2", 92), '#');
    ck_assert_int_eq(at(text, &v, "g2", 97), ' ');
    free(text);
    cl_trace_free(t);
    /* a short solo start stays in the picture */
    t = parse_ok(two);
    v = (cl_trace_view){.width = 80, .zoom = 1};
    free(cl_trace_layout(t, &v));
    ck_assert_double_eq_tol(v.from_us, 0, 1e-9);
    cl_trace_free(t);
}
END_TEST

START_TEST(deadlock_says_where_everyone_stopped)
{
    cl_trace *t = load_ok(FIXTURE("deadlock"));
    static const int widths[] = {80, 160};
    for (size_t w = 0; w < 2; w++) {
        cl_trace_view v = {.width = widths[w], .zoom = 1, .utf8 = 1};
        char *text = cl_trace_layout(t, &v);
        fits(text, widths[w]);
        ck_assert_ptr_nonnull(strstr(text, "deadlocked"));
        ck_assert_ptr_nonnull(strstr(text, "g1 main: blocked in chan send at "
                                           "exercises/03-unbuffered-channels.c:27"));
        ck_assert_ptr_nonnull(strstr(text, "g2 worker: blocked in chan receive at "
                                           "exercises/03-unbuffered-channels.c:14"));
        /* the deadlock is marked at the right edge of main's row */
        const char *r = row(text, "g1 main");
        const char *nl = strchr(r, '\n');
        ck_assert_int_eq(nl[-1], '!');
        free(text);
    }
    cl_trace_free(t);
}
END_TEST

START_TEST(panic_says_what_and_where)
{
    cl_trace *t = load_ok(FIXTURE("panic"));
    cl_trace_view v = {.width = 160, .zoom = 1};
    char *text = cl_trace_layout(t, &v);
    ck_assert_ptr_nonnull(strstr(text, "The program panicked"));
    ck_assert_ptr_nonnull(strstr(text, "g1 main: panic: send on closed channel at "
                                       "exercises/03-unbuffered-channels.c:29"));
    ck_assert_ptr_nonnull(strstr(text, "g2 worker: blocked in chan receive at "
                                       "exercises/03-unbuffered-channels.c:14"));
    ck_assert_int_eq(at(text, &v, "g1 main", 30.1), '!');
    free(text);
    cl_trace_free(t);
}
END_TEST

START_TEST(two_hundred_rows_fit)
{
    cl_trace *t = load_ok(FIXTURE("fanout"));
    static const int widths[] = {80, 160};
    for (size_t w = 0; w < 2; w++) {
        cl_trace_view v = {.width = widths[w], .zoom = 1, .utf8 = 1, .color = 1};
        char *text = cl_trace_layout(t, &v);
        ck_assert_ptr_nonnull(text);
        ck_assert_ptr_nonnull(strstr(text, "\x1b[0;32m")); /* running in green */
        ck_assert_ptr_nonnull(row(text, "g2 worker 1"));
        ck_assert_ptr_nonnull(row(text, "g201 worker 200"));
        /* measured as the view does: colours take no columns */
        cl_md_doc doc = {0};
        ck_assert_int_eq(cl_md_text_layout(text, strlen(text), widths[w], &doc), 0);
        int rows = 0;
        for (int i = 0; i < doc.count; i++)
            rows += strncmp(doc.lines[i].text, "g", 1) == 0;
        ck_assert_int_eq(rows, 201); /* no row wrapped into two */
        cl_md_doc_free(&doc);
        free(text);
    }
    cl_trace_free(t);
}
END_TEST

START_TEST(names_are_cut_and_cleaned)
{
    cl_trace *t = parse_ok(
        "{\"traceEvents\":["
        "{\"ph\":\"M\",\"name\":\"thread_name\",\"tid\":1,\"args\":{\"name\":\"g1 a\\u001b[31mb\"}},"
        "{\"ph\":\"M\",\"name\":\"thread_name\",\"tid\":2,\"args\":{\"name\":"
        "\"g2 a goroutine with a name far longer than any column should give it\"}},"
        "{\"ph\":\"X\",\"name\":\"running\",\"ts\":0,\"dur\":10,\"tid\":1},"
        "{\"ph\":\"X\",\"name\":\"no such state\",\"cat\":\"blocked\",\"ts\":0,\"dur\":10,\"tid\":2}]}");
    cl_trace_view v = {.width = 80, .zoom = 1};
    char *text = cl_trace_layout(t, &v);
    fits(text, 80);
    ck_assert_int_eq(v.name_cols, 20);
    ck_assert_ptr_nonnull(strstr(text, "g1 a?[31mb"));
    ck_assert_ptr_nonnull(strstr(text, "g2 a goroutine with~ b"));
    ck_assert_ptr_nonnull(strstr(text, "b blocked, other reason"));
    free(text);
    cl_trace_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, parses_the_contract);
    tcase_add_test(tc, reads_the_fixtures);
    tcase_add_test(tc, damage_is_a_message);
    tcase_add_test(tc, states_at_their_columns);
    tcase_add_test(tc, wakeups_marked_on_both_rows);
    tcase_add_test(tc, zoom_shows_part_of_the_run);
    tcase_add_test(tc, long_solo_start_is_skipped);
    tcase_add_test(tc, deadlock_says_where_everyone_stopped);
    tcase_add_test(tc, panic_says_what_and_where);
    tcase_add_test(tc, two_hundred_rows_fit);
    tcase_add_test(tc, names_are_cut_and_cleaned);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
