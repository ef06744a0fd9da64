/* verdict: the verdict table over sample result lines and outputs, line
 * parsing and escapes, reading a results directory, race report trimming;
 * and the compile-side verdict helpers of build (first error first, the
 * missing function). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "verdict.h"
#include "check_run.h"

static const char *const DEADLOCK_OUT =
    "before\nfatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan send]:\n"
    "main(...)\n\texercises/03-unbuffered.c:14\n";

static const char *const RACE_OUT =
    "==================\n"
    "WARNING: ThreadSanitizer: data race (pid=4242)\n"
    "  Write of size 8 at 0x55d0c0a0 by thread T2:\n"
    "    #0 worker exercises/10-mutex.c:21 (program+0x1234)\n"
    "    #1 goroutine_main lib/src/sched_thread.c:300 (program+0x5678)\n"
    "\n"
    "  Previous read of size 8 at 0x55d0c0a0 by thread T1:\n"
    "    #0 worker /home/me/chanlings/exercises/10-mutex.c:20 (program+0x1200)\n"
    "\n"
    "  Location is global 'total' of size 8 at 0x55d0c0a0 (program+0x9999)\n"
    "\n"
    "  Thread T2 (tid=77, running) created by main thread at:\n"
    "    #0 pthread_create <null> (libtsan.so.0+0x1)\n"
    "    #1 sched_spawn lib/src/sched_thread.c:340 (program+0x2)\n"
    "    #2 start_all exercises/10-mutex.c:33 (program+0x3)\n"
    "    #3 test_fn graders/10-mutex.c:50 (program+0x4)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race exercises/10-mutex.c:21 in worker\n"
    "==================\n"
    "more output after\n";

typedef struct row {
    const char *line;
    const char *output;
    cl_verdict_kind kind;
    const char *in_message; /* must appear in the message, or NULL */
    const char *in_detail;  /* must appear in the detail, or NULL */
} row;

static const row rows[] = {
    {"pass\tsends\tgraders/03.c:10\tPassed", NULL, CL_VERDICT_PASSED, NULL, NULL},
    {"fail\tsum\tgraders/03.c:12\texpected 10, got 7: did every worker add?", NULL,
     CL_VERDICT_FAILED, "expected 10, got 7", NULL},
    {"fail\tleaks\tgraders/03.c:12\tleaked goroutines: goroutine 4 [chan receive]", NULL,
     CL_VERDICT_LEAKED, "goroutine 4", NULL},
    {"error\tslow\tgraders/03.c:1\tTest timeout expired", "partial", CL_VERDICT_TIMEOUT,
     "did not finish in time", NULL},
    {"error\tstuck\tgraders/03.c:1\tEarly exit with return value 2", NULL, CL_VERDICT_EXITED,
     "exit(2)", NULL},
    {"error\tstuck\tgraders/03.c:1\tEarly exit with return value 2", "__DEADLOCK__",
     CL_VERDICT_DEADLOCK, "deadlock", "goroutine 1 [chan send]"},
    {"error\tracy\tgraders/10.c:1\tEarly exit with return value 66", "__RACE__", CL_VERDICT_RACE,
     "data race", "exercises/10-mutex.c:21"},
    {"fail\tracy\tgraders/10.c:1\texpected 2000, got 1999", "__RACE__", CL_VERDICT_RACE, NULL,
     "Location is global 'total'"},
    {"error\tclosed\tgraders/04.c:1\tEarly exit with return value 2",
     "panic: send on closed channel\n\ngoroutine 1 [running]:\n", CL_VERDICT_PANIC,
     "panic: send on closed channel", "goroutine 1 [running]"},
    {"error\tunlock\tgraders/09.c:1\tEarly exit with return value 2",
     "fatal error: sync: unlock of unlocked mutex\n", CL_VERDICT_PANIC, "unlock of unlocked mutex",
     NULL},
    {"error\tsegv\tgraders/01.c:1\tReceived signal 11 (Segmentation fault)", NULL,
     CL_VERDICT_CRASHED, "SIGSEGV", NULL},
    {"error\tabrt\tgraders/01.c:1\tReceived signal 6 (Aborted)", NULL, CL_VERDICT_CRASHED,
     "SIGABRT", NULL},
    {"error\tquit\tgraders/01.c:1\tEarly exit with return value 86",
     "\nchanlings: exit(0) was called inside a graded function\n", CL_VERDICT_EXITED, "exit(0)",
     NULL},
    {"error\tquit\tgraders/01.c:1\tEarly exit with return value 3", NULL, CL_VERDICT_EXITED,
     "exit(3)", NULL},
    {"error\todd\tgraders/01.c:1\tsomething Check never says", NULL, CL_VERDICT_CRASHED,
     "something Check never says", NULL},
};

static const char *expand(const char *out)
{
    if (out && !strcmp(out, "__DEADLOCK__"))
        return DEADLOCK_OUT;
    if (out && !strcmp(out, "__RACE__"))
        return RACE_OUT;
    return out;
}

START_TEST(table_row)
{
    const row *r = &rows[_i];
    cl_result_line l;
    ck_assert_int_eq(cl_result_line_parse(r->line, &l), 0);
    cl_test_verdict v;
    cl_verdict_decide(&l, expand(r->output), "exercises/10-mutex.c", false, &v);
    ck_assert_msg(v.kind == r->kind, "row %d (%s): got %s, want %s", _i, r->line,
                  cl_verdict_name(v.kind), cl_verdict_name(r->kind));
    ck_assert_str_eq(v.name, l.name);
    if (r->in_message)
        ck_assert_msg(v.message && strstr(v.message, r->in_message), "row %d: message '%s' lacks '%s'",
                      _i, v.message ? v.message : "(null)", r->in_message);
    if (r->in_detail)
        ck_assert_msg(v.detail && strstr(v.detail, r->in_detail), "row %d: detail '%s' lacks '%s'",
                      _i, v.detail ? v.detail : "(null)", r->in_detail);
    if (r->kind == CL_VERDICT_PASSED)
        ck_assert_ptr_null(v.message);
    cl_test_verdict_clear(&v);
    cl_result_line_free(&l);
}
END_TEST

START_TEST(escapes_are_undone)
{
    cl_result_line l;
    ck_assert_int_eq(cl_result_line_parse("fail\tt\tg.c:3\ta\\tb\\nc\\\\d", &l), 0);
    ck_assert_str_eq(l.rtype, "fail");
    ck_assert_str_eq(l.where, "g.c:3");
    ck_assert_str_eq(l.message, "a\tb\nc\\d");
    cl_result_line_free(&l);
}
END_TEST

START_TEST(malformed_lines_are_rejected)
{
    static const char *const bad[] = {"", "pass", "pass\tname", "pass\tname\tg.c:1",
                                      "maybe\tname\tg.c:1\tmsg"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cl_result_line l;
        ck_assert_msg(cl_result_line_parse(bad[i], &l) == -1, "accepted '%s'", bad[i]);
    }
}
END_TEST

START_TEST(results_directory_is_read)
{
    char dir[] = "/tmp/cl-test-verdict-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/stuck.out", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(DEADLOCK_OUT, f);
    fclose(f);
    const char *results = "pass\tfirst\tg.c:1\tPassed\n"
                          "garbage line\n"
                          "error\tstuck\tg.c:2\tEarly exit with return value 2\n";
    cl_test_verdict *tests = NULL;
    size_t n = 0;
    ck_assert_int_eq(cl_verdict_read_results(results, dir, NULL, true, &tests, &n), 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(tests[0].kind, CL_VERDICT_PASSED);
    ck_assert_int_eq(tests[1].kind, CL_VERDICT_DEADLOCK);
    ck_assert(tests[1].race_pass);
    ck_assert_ptr_nonnull(strstr(tests[1].output, "before"));
    for (size_t i = 0; i < n; i++)
        cl_test_verdict_clear(&tests[i]);
    free(tests);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(race_report_keeps_only_the_learners_lines)
{
    char *t = cl_verdict_trim_race(RACE_OUT, "exercises/10-mutex.c");
    static const char *const kept[] = {"WARNING: ThreadSanitizer: data race\n",
                                       "Write of size 8 by thread T2:",
                                       "#0 worker exercises/10-mutex.c:21\n",
                                       "#0 worker /home/me/chanlings/exercises/10-mutex.c:20\n",
                                       "Location is global 'total' of size 8\n",
                                       "#2 start_all exercises/10-mutex.c:33",
                                       "SUMMARY: ThreadSanitizer: data race"};
    static const char *const dropped[] = {"sched_thread.c", "pthread_create", "pid=", "0x",
                                          "graders/10-mutex.c",
                                          "tid=", "more output after", "=========="};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        ck_assert_msg(strstr(t, kept[i]), "lost '%s' in:\n%s", kept[i], t);
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        ck_assert_msg(!strstr(t, dropped[i]), "kept '%s' in:\n%s", dropped[i], t);
    free(t);
}
END_TEST

START_TEST(signals_are_named)
{
    char buf[160];
    ck_assert_ptr_nonnull(strstr(cl_signal_describe(11, buf, sizeof buf), "SIGSEGV"));
    ck_assert_ptr_nonnull(strstr(cl_signal_describe(25, buf, sizeof buf), "SIGXFSZ"));
    ck_assert_str_eq(cl_signal_describe(63, buf, sizeof buf), "signal 63");
}
END_TEST

START_TEST(first_error_comes_first)
{
    const char *d = "ex.c:3:5: warning: unused variable 'x' [-Wunused-variable]\n"
                    "    3 |     int x;\n"
                    "ex.c: In function 'f':\n"
                    "ex.c:9:1: error: expected ';' before '}' token\n"
                    "ex.c:12:1: error: second\n";
    char *s = cl_build_first_error_first(d);
    ck_assert_msg(strncmp(s, "ex.c: In function 'f':\nex.c:9:1: error", 38) == 0, "got:\n%s", s);
    ck_assert_ptr_nonnull(strstr(s, "unused variable"));
    ck_assert(strstr(s, "second") < strstr(s, "unused variable"));
    free(s);
    /* Already first: unchanged. */
    s = cl_build_first_error_first("ex.c:1:1: error: a\nex.c:2:1: warning: b\n");
    ck_assert_str_eq(s, "ex.c:1:1: error: a\nex.c:2:1: warning: b\n");
    free(s);
}
END_TEST

START_TEST(missing_function_is_found)
{
    const char *gnu = "/usr/bin/ld: graders/03-unbuffered.c: in function `sends_fn':\n"
                      "graders/03-unbuffered.c:40: undefined reference to `ping_pong'\n"
                      "collect2: error: ld returned 1 exit status\n";
    char *f = cl_build_missing_function(gnu, "graders/03-unbuffered.c");
    ck_assert_str_eq(f, "ping_pong");
    free(f);
    const char *learner = "/usr/bin/ld: exercises/03.c: in function `go':\n"
                          "exercises/03.c:12: undefined reference to `goc_chan_mak'\n";
    ck_assert_ptr_null(cl_build_missing_function(learner, "graders/03-unbuffered.c"));
    const char *lld = "ld.lld: error: undefined symbol: ping_pong\n"
                      ">>> referenced by 03-unbuffered.c:40 (graders/03-unbuffered.c:40)\n";
    f = cl_build_missing_function(lld, "graders/03-unbuffered.c");
    ck_assert_str_eq(f, "ping_pong");
    free(f);
    const char *main_gone = "/usr/bin/ld: graders/01.c: in function `demo_fn':\n"
                            "graders/01.c:9: undefined reference to `chanlings_learner_main'\n";
    f = cl_build_missing_function(main_gone, "graders/01.c");
    ck_assert_str_eq(f, "main");
    free(f);
}
END_TEST

START_TEST(crash_site_is_named)
{
    const char *out = "learner said hi\nchanlings-frame: 0x25e9\nchanlings-frame: 0x26c3\n";
    unsigned long off[4];
    ck_assert_uint_eq(cl_verdict_crash_frames(out, off, 4), 2);
    ck_assert_uint_eq(off[0], 0x25e9);
    ck_assert_uint_eq(off[1], 0x26c3);
    cl_test_verdict v = {.name = strdup("t"), .kind = CL_VERDICT_CRASHED,
                         .message = strdup("crashed with SIGSEGV."), .output = strdup(out)};
    const char *a2l = "cl_helper\n/work/graders/grader.h:12\n"
                      "fill\n/home/me/wb/exercises/05-buffered.c:31 (discriminator 2)\n"
                      "test_fn\n/work/graders/05-buffered.c:40\n";
    cl_verdict_place_crash(&v, a2l, "exercises/05-buffered.c");
    ck_assert_str_eq(v.message, "crashed with SIGSEGV. It happened at exercises/05-buffered.c:31, "
                                "in fill().");
    ck_assert_str_eq(v.output, "learner said hi\n");
    cl_test_verdict_clear(&v);
    /* No learner frame: the message stays, the frame lines still go. */
    v = (cl_test_verdict){.name = strdup("t"), .message = strdup("m"),
                          .output = strdup("chanlings-frame: 0x1\n")};
    cl_verdict_place_crash(&v, "f\n??:0\n", "exercises/05-buffered.c");
    ck_assert_str_eq(v.message, "m");
    ck_assert_ptr_null(v.output);
    cl_test_verdict_clear(&v);
}
END_TEST

START_TEST(relative_paths)
{
    char *r = cl_build_relative("/", "/etc/hostname");
    ck_assert_str_eq(r, "etc/hostname");
    free(r);
    r = cl_build_relative("/proc/self", "/etc/hostname");
    ck_assert_str_eq(r, "/etc/hostname");
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("verdict");
    TCase *tc = tcase_create("verdict");
    tcase_add_loop_test(tc, table_row, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, escapes_are_undone);
    tcase_add_test(tc, malformed_lines_are_rejected);
    tcase_add_test(tc, results_directory_is_read);
    tcase_add_test(tc, race_report_keeps_only_the_learners_lines);
    tcase_add_test(tc, signals_are_named);
    tcase_add_test(tc, first_error_comes_first);
    tcase_add_test(tc, missing_function_is_found);
    tcase_add_test(tc, crash_site_is_named);
    tcase_add_test(tc, relative_paths);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
