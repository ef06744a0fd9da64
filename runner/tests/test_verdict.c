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
#include "wraps.h"
#include "sanitizer.h"
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

/* Recorded from real runs (gcc 12, libgoc's tsan and asan builds), paths
 * renamed to a lesson's file. */
static const char *const TSAN_UAF_OUT =
    "==================\n"
    "WARNING: ThreadSanitizer: heap-use-after-free (pid=25604)\n"
    "  Read of size 4 at 0x7b0400000000 by thread T1:\n"
    "    #0 work exercises/10-mutex.c:4 (program+0x2658)\n"
    "    #1 worker_main lib/src/sched_thread.c:298 (program+0x5043)\n"
    "\n"
    "  Previous write of size 8 at 0x7b0400000000 by main thread:\n"
    "    #0 free ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:706 "
    "(libtsan.so.2+0x47e82)\n"
    "    #1 hostile exercises/10-mutex.c:10 (program+0x2808)\n"
    "    #2 test_fn graders/10-mutex.c:3 (program+0x293f)\n"
    "\n"
    "  Thread T1 (tid=25608, running) created by main thread at:\n"
    "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 "
    "(libtsan.so.2+0x5e686)\n"
    "    #1 sched_spawn lib/src/sched_thread.c:349 (program+0x5458)\n"
    "    #2 goc_go_at lib/src/sched_thread.c:368 (program+0x54bf)\n"
    "    #3 hostile exercises/10-mutex.c:9 (program+0x27f8)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: heap-use-after-free exercises/10-mutex.c:4 in work\n"
    "==================\n"
    "ThreadSanitizer: reported 1 warnings\n";

static const char *const ASAN_UAF_OUT =
    "=================================================================\n"
    "==25583==ERROR: AddressSanitizer: heap-use-after-free on address 0x604000000030 at pc "
    "0x55ef7e3986f9 bp 0x7f41bd3feda0 sp 0x7f41bd3fed98\n"
    "READ of size 4 at 0x604000000030 thread T1\n"
    "    #0 0x55ef7e3986f8 in work exercises/10-mutex.c:19\n"
    "    #1 0x55ef7e39dc03 in worker_main lib/src/sched_thread.c:298\n"
    "    #2 0x7f41bdca71f4 in start_thread nptl/pthread_create.c:442\n"
    "\n"
    "0x604000000030 is located 32 bytes inside of 40-byte region "
    "[0x604000000010,0x604000000038)\n"
    "freed by thread T0 here:\n"
    "    #0 0x7f41be6b76a8 in __interceptor_free "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52\n"
    "    #1 0x55ef7e3987fd in hostile exercises/10-mutex.c:29\n"
    "    #2 0x55ef7e3988bf in test_fn graders/10-mutex.c:3\n"
    "\n"
    "previously allocated by thread T0 here:\n"
    "    #0 0x7f41be6b83b7 in __interceptor_calloc "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:77\n"
    "    #1 0x55ef7e3987bb in hostile exercises/10-mutex.c:27\n"
    "\n"
    "Thread T1 created by T0 here:\n"
    "    #0 0x7f41be649726 in __interceptor_pthread_create "
    "../../../../src/libsanitizer/asan/asan_interceptors.cpp:207\n"
    "    #1 0x55ef7e39e7fa in sched_spawn lib/src/sched_thread.c:349\n"
    "    #3 0x55ef7e3987f1 in hostile exercises/10-mutex.c:28\n"
    "\n"
    "SUMMARY: AddressSanitizer: heap-use-after-free exercises/10-mutex.c:19 in work\n"
    "Shadow bytes around the buggy address:\n"
    "  0x0c087fff7fb0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
    "=>0x0c087fff8000: fa fa fd fd fd fd[fd]fa fa fa fa fa fa fa fa fa\n"
    "Shadow byte legend (one shadow byte represents 8 application bytes):\n"
    "  Addressable:           00\n"
    "==25583==ABORTING\n";

static const char *const ASAN_DOUBLE_FREE_OUT =
    "job 1\n"
    "=================================================================\n"
    "==25879==ERROR: AddressSanitizer: attempting double-free on 0x606000000020 in thread T0:\n"
    "    #0 0x7ff2288b76a8 in __interceptor_free "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52\n"
    "    #1 0x55b71f4af219 in release exercises/10-mutex.c:8\n"
    "    #2 0x55b71f4af219 in hostile exercises/10-mutex.c:17\n"
    "\n"
    "0x606000000020 is located 0 bytes inside of 64-byte region [0x606000000020,0x606000000060)\n"
    "freed by thread T0 here:\n"
    "    #0 0x7ff2288b76a8 in __interceptor_free "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52\n"
    "    #1 0x55b71f4af211 in release exercises/10-mutex.c:8\n"
    "    #2 0x55b71f4af211 in hostile exercises/10-mutex.c:16\n"
    "\n"
    "previously allocated by thread T0 here:\n"
    "    #0 0x7ff2288b89cf in __interceptor_malloc "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69\n"
    "    #1 0x55b71f4af1db in hostile exercises/10-mutex.c:13\n"
    "\n"
    "SUMMARY: AddressSanitizer: double-free "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52 in __interceptor_free\n"
    "==25879==ABORTING\n";

static const char *const LSAN_OUT =
    "\n"
    "=================================================================\n"
    "==25570==ERROR: LeakSanitizer: detected memory leaks\n"
    "\n"
    "Direct leak of 16 byte(s) in 1 object(s) allocated from:\n"
    "    #0 0x7ffb19eb89cf in __interceptor_malloc "
    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69\n"
    "    #1 0x561b297b81d6 in hostile exercises/10-mutex.c:14\n"
    "    #2 0x561b297b82fe in test_fn graders/10-mutex.c:3\n"
    "\n"
    "SUMMARY: AddressSanitizer: 16 byte(s) leaked in 1 allocation(s).\n";

static const char *const UBSAN_OUT =
    "exercises/10-mutex.c:3:31: runtime error: signed integer overflow: 2147483647 + 1 cannot "
    "be represented in type 'int'\n"
    "    #0 0x562e598af289 in add_one exercises/10-mutex.c:3\n"
    "    #1 0x562e598af289 in hostile exercises/10-mutex.c:4\n"
    "    #2 0x562e598af2ec in test_fn graders/10-mutex.c:3\n"
    "\n"
    "printed later by the test\n";

static const char *const LOCK_ORDER_OUT =
    "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=9)\n"
    "  Cycle in lock order graph: M1 (0x1) => M2 (0x2) => M1\n"
    "    #0 pthread_mutex_lock <null> (libtsan.so.2+0x1)\n"
    "    #1 transfer exercises/10-mutex.c:40 (program+0x1)\n"
    "SUMMARY: ThreadSanitizer: lock-order-inversion (potential deadlock) exercises/10-mutex.c:40\n";

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
    /* Every sanitizer report is a verdict of its own, ahead of how the
     * test ended (TSan's exit(66), ASan's 23, a failed assertion). */
    {"error\tuaf\tgraders/04.c:1\tEarly exit with return value 66", "__TSAN_UAF__",
     CL_VERDICT_MEMORY, "It happened at exercises/10-mutex.c:4, in work(). It was freed at "
     "exercises/10-mutex.c:10, in hostile().", "#1 hostile exercises/10-mutex.c:10"},
    {"error\tuaf\tgraders/04.c:1\tEarly exit with return value 23", "__ASAN_UAF__",
     CL_VERDICT_MEMORY, "use after free", "freed by thread T0 here:"},
    {"fail\tuaf\tgraders/04.c:1\texpected 2, got 1", "__ASAN_UAF__", CL_VERDICT_MEMORY,
     "It happened at exercises/10-mutex.c:19, in work(). It was freed at exercises/10-mutex.c:29, "
     "in hostile().", "#0 work exercises/10-mutex.c:19"},
    {"error\tdf\tgraders/04.c:1\tEarly exit with return value 23", "__ASAN_DOUBLE_FREE__",
     CL_VERDICT_MEMORY, "double free", "#2 hostile exercises/10-mutex.c:16"},
    {"error\tleak\tgraders/04.c:1\tEarly exit with return value 23", "__LSAN__",
     CL_VERDICT_MEMLEAK, "The memory was allocated at exercises/10-mutex.c:14, in hostile() and "
     "never freed.", "Direct leak of 16 byte(s) in 1 object(s) allocated from:"},
    /* A leak found after an assertion failed is a consequence of it. */
    {"fail\tleak\tgraders/04.c:1\texpected 4, got 3", "__LSAN__", CL_VERDICT_FAILED,
     "expected 4, got 3", NULL},
    {"error\tub\tgraders/04.c:1\tEarly exit with return value 1", "__UBSAN__",
     CL_VERDICT_UNDEFINED, "It happened at exercises/10-mutex.c:3, in add_one().",
     "signed integer overflow"},
    {"error\tlocks\tgraders/04.c:1\tEarly exit with return value 66", "__LOCK_ORDER__",
     CL_VERDICT_SANITIZER, "opposite orders", "#1 transfer exercises/10-mutex.c:40"},
    /* libgoc's deliberate exits are never leaks (they _exit, skipping the
     * check; were a report there anyway, the panic or deadlock leads). */
    {"error\tclosed\tgraders/04.c:1\tEarly exit with return value 2",
     "panic: close of closed channel\n\ngoroutine 1 [running]:\n"
     "==9==ERROR: LeakSanitizer: detected memory leaks\n", CL_VERDICT_PANIC,
     "panic: close of closed channel", NULL},
    {"error\tstuck\tgraders/04.c:1\tEarly exit with return value 2",
     "fatal error: all goroutines are asleep - deadlock!\n"
     "==9==ERROR: LeakSanitizer: detected memory leaks\n", CL_VERDICT_DEADLOCK, "deadlock", NULL},
    /* LeakSanitizer that cannot run is the machine's problem, said so. */
    {"error\tleak\tgraders/04.c:1\tEarly exit with return value 1",
     "==7==LeakSanitizer has encountered a fatal error.\n==7==HINT: For debugging, try "
     "setting environment variable LSAN_OPTIONS=verbosity=1:log_threads=1\n",
     CL_VERDICT_SANITIZER, "not a problem in your code", NULL},
    /* Even a test that passed does not pass with a report in its output. */
    {"pass\tuaf\tgraders/04.c:1\tPassed", "__TSAN_UAF__", CL_VERDICT_MEMORY, "use after free",
     NULL},
};

static const char *expand(const char *out)
{
    if (out && !strcmp(out, "__DEADLOCK__"))
        return DEADLOCK_OUT;
    static const struct {
        const char *name, *text;
    } recorded[] = {{"__RACE__", NULL}, {"__TSAN_UAF__", NULL}, {"__ASAN_UAF__", NULL},
                    {"__ASAN_DOUBLE_FREE__", NULL}, {"__LSAN__", NULL}, {"__UBSAN__", NULL},
                    {"__LOCK_ORDER__", NULL}};
    const char *texts[] = {RACE_OUT, TSAN_UAF_OUT, ASAN_UAF_OUT, ASAN_DOUBLE_FREE_OUT,
                           LSAN_OUT, UBSAN_OUT, LOCK_ORDER_OUT};
    for (size_t i = 0; out && i < sizeof recorded / sizeof recorded[0]; i++)
        if (!strcmp(out, recorded[i].name))
            return texts[i];
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

/* A test that printed a lot before ASan stopped it: the report at the end
 * of its output still decides the verdict. */
START_TEST(report_after_long_output_is_kept)
{
    char dir[] = "/tmp/cl-test-verdict-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/chatty.out", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "working on job %d\n", i);
    fputs(ASAN_UAF_OUT, f);
    fclose(f);
    cl_test_verdict *tests = NULL;
    size_t n = 0;
    cl_verdict_read_results("error\tchatty\tg.c:2\tEarly exit with return value 23\n", dir,
                            "exercises/10-mutex.c", CL_PASS_MEMORY, &tests, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_msg(tests[0].kind == CL_VERDICT_MEMORY, "got %s", cl_verdict_name(tests[0].kind));
    ck_assert(tests[0].memory_pass && !tests[0].race_pass);
    ck_assert_ptr_nonnull(strstr(tests[0].output, "working on job 0\n"));
    ck_assert_ptr_nonnull(strstr(tests[0].output, "bytes from the middle of this output"));
    ck_assert_uint_lt(strlen(tests[0].output), 70 * 1024);
    cl_test_verdict_clear(&tests[0]);
    free(tests);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(race_report_keeps_only_the_learners_lines)
{
    char *t = cl_sanitizer_trim(RACE_OUT, "exercises/10-mutex.c");
    static const char *const kept[] = {"WARNING: ThreadSanitizer: data race\n",
                                       "Write of size 8 by thread T2:",
                                       "#0 worker exercises/10-mutex.c:21\n",
                                       "#0 worker exercises/10-mutex.c:20\n",
                                       "Location is global 'total' of size 8\n",
                                       "#2 start_all exercises/10-mutex.c:33",
                                       "SUMMARY: ThreadSanitizer: data race"};
    static const char *const dropped[] = {"sched_thread.c", "pthread_create", "pid=", "0x",
                                          "/home/me",
                                          "graders/10-mutex.c",
                                          "tid=", "more output after", "=========="};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        ck_assert_msg(strstr(t, kept[i]), "lost '%s' in:\n%s", kept[i], t);
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        ck_assert_msg(!strstr(t, dropped[i]), "kept '%s' in:\n%s", dropped[i], t);
    free(t);
}
END_TEST

/* Each recorded report keeps its story and the learner's frames and loses
 * addresses, pids, other files' frames and the shadow-byte dump. */
static const struct trim_case {
    const char *const *report;
    const char *kept[6];
    const char *dropped[6];
} trims[] = {
    {&TSAN_UAF_OUT,
     {"WARNING: ThreadSanitizer: heap-use-after-free\n", "Read of size 4 by thread T1:",
      "#0 work exercises/10-mutex.c:4\n", "Previous write of size 8 by main thread:",
      "#3 hostile exercises/10-mutex.c:9\n", "SUMMARY: ThreadSanitizer: heap-use-after-free"},
     {"pid=", "0x", "sched_thread.c", "graders/10-mutex.c", "reported 1 warnings", "tid="}},
    {&ASAN_UAF_OUT,
     {"ERROR: AddressSanitizer: heap-use-after-free\n", "READ of size 4 thread T1\n",
      "the address is located 32 bytes inside of 40-byte region\n", "freed by thread T0 here:",
      "#1 hostile exercises/10-mutex.c:29\n", "T0 is the test itself"},
     {"==25583==", "0x", "Shadow byte", "ABORTING", "__interceptor_free", "sched_thread.c"}},
    {&ASAN_DOUBLE_FREE_OUT,
     {"ERROR: AddressSanitizer: attempting double-free\n", "#1 release exercises/10-mutex.c:8",
      "#2 hostile exercises/10-mutex.c:17", "#2 hostile exercises/10-mutex.c:16",
      "#1 hostile exercises/10-mutex.c:13", "SUMMARY: AddressSanitizer: double-free"},
     {"job 1", "0x", "asan_malloc_linux.cpp:52\n      ", "ABORTING", "=====", NULL}},
    {&LSAN_OUT,
     {"ERROR: LeakSanitizer: detected memory leaks\n", "Direct leak of 16 byte(s)",
      "#1 hostile exercises/10-mutex.c:14\n", "SUMMARY: AddressSanitizer: 16 byte(s) leaked",
      NULL, NULL},
     {"==25570==", "0x", "__interceptor_malloc", "graders/", "=====", NULL}},
    {&UBSAN_OUT,
     {"exercises/10-mutex.c:3:31: runtime error: signed integer overflow",
      "#0 add_one exercises/10-mutex.c:3\n", "#1 hostile exercises/10-mutex.c:4\n", NULL, NULL,
      NULL},
     {"0x", "graders/", "printed later by the test", NULL, NULL, NULL}},
};

START_TEST(sanitizer_reports_keep_only_the_learners_lines)
{
    const struct trim_case *c = &trims[_i];
    char *t = cl_sanitizer_trim(*c->report, "exercises/10-mutex.c");
    for (size_t i = 0; i < 6 && c->kept[i]; i++)
        ck_assert_msg(strstr(t, c->kept[i]), "case %d lost '%s' in:\n%s", _i, c->kept[i], t);
    for (size_t i = 0; i < 6 && c->dropped[i]; i++)
        ck_assert_msg(!strstr(t, c->dropped[i]), "case %d kept '%s' in:\n%s", _i, c->dropped[i], t);
    free(t);
}
END_TEST

START_TEST(sanitizer_report_outside_the_learners_file_says_so)
{
    cl_san_report rep;
    ck_assert(cl_sanitizer_find(LSAN_OUT, true, &rep));
    ck_assert(!cl_sanitizer_find(LSAN_OUT, false, &rep));
    ck_assert(cl_sanitizer_find(LSAN_OUT, true, &rep));
    char *m = cl_sanitizer_message(&rep, "exercises/09-other.c");
    ck_assert_msg(strstr(m, "No line of 09-other.c is in the report; it starts at "
                            "exercises/10-mutex.c:14, in hostile()."), "%s", m);
    free(m);
    char *t = cl_sanitizer_trim(LSAN_OUT, "exercises/09-other.c");
    ck_assert_msg(strstr(t, "no frame of this report is in 09-other.c"), "%s", t);
    free(t);
    /* Trimming starts from the report given, whatever follows it. */
    char both[2048];
    snprintf(both, sizeof both, "%s%s", LSAN_OUT, UBSAN_OUT);
    t = cl_sanitizer_trim(strstr(both, "==25570=="), "exercises/10-mutex.c");
    ck_assert_msg(strstr(t, "detected memory leaks") && !strstr(t, "runtime error"), "%s", t);
    free(t);
    ck_assert(!cl_sanitizer_find("panic: nothing a sanitizer said\n", false, &rep));
    ck_assert(!cl_sanitizer_find(NULL, false, &rep));
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
    /* The learner's own misspelt call, in a file whose base name is the
     * grader's too, and in `run` (no grader): not a missing function. */
    const char *typo = "/usr/bin/ld: exercises/07-select.c: in function `recv_timeout':\n"
                       "exercises/07-select.c:88: undefined reference to `goc_recv_ok'\n";
    ck_assert_ptr_null(cl_build_missing_function(typo, "graders/07-select.c"));
    ck_assert_ptr_null(cl_build_missing_function(typo, NULL));
    const char *no_main = "/usr/bin/ld: crt1.o: in function `_start':\n"
                          "(.text+0x1b): undefined reference to `main'\n";
    f = cl_build_missing_function(no_main, NULL);
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

/* Recorded: gcc 12 and clang 14, -Wall -Wextra -O1, on one file with a use
 * after free, a maybe-uninitialised value and a bad format, plus a
 * grader's warning that must not show. */
static const char GCC_WARNINGS[] =
    "graders/04-jobs.c:20:7: warning: unused variable 'g' [-Wunused-variable]\n"
    "graders/04-jobs.c:21:3: warning: pointer 'q' used after 'free' [-Wuse-after-free]\n"
    "exercises/04-jobs.c: In function 'use':\n"
    "exercises/04-jobs.c:11:14: warning: format '%s' expects argument of type 'char *', but "
    "argument 2 has type 'int' [-Wformat=]\n"
    "   11 |     printf(\"%s\\n\", x);\n"
    "      |             ~^     ~\n"
    "      |             %d\n"
    "exercises/04-jobs.c:3:13: warning: unused parameter 'unused' [-Wunused-parameter]\n"
    "    3 | int use(int unused)\n"
    "      |         ~~~~^~~~~~\n"
    "exercises/04-jobs.c:9:9: warning: pointer 'p' used after 'free' [-Wuse-after-free]\n"
    "    9 |     if (*p)\n"
    "      |         ^~\n"
    "exercises/04-jobs.c:7:5: note: call to 'free' here\n"
    "    7 |     free(p);\n"
    "      |     ^~~~~~~\n";

static const char CLANG_WARNINGS[] =
    "exercises/04-jobs.c:3:13: warning: unused parameter 'unused' [-Wunused-parameter]\n"
    "int use(int unused)\n"
    "            ^\n"
    "exercises/04-jobs.c:9:9: warning: variable 'x' is used uninitialized whenever 'if' "
    "condition is false [-Wsometimes-uninitialized]\n"
    "    if (*p)\n"
    "        ^~\n"
    "exercises/04-jobs.c:11:20: note: uninitialized use occurs here\n"
    "3 warnings generated.\n";

START_TEST(bug_warnings_are_picked)
{
    char *w = cl_build_bug_warnings(GCC_WARNINGS, "exercises/04-jobs.c");
    ck_assert_ptr_nonnull(w);
    static const char *const kept[] = {"exercises/04-jobs.c: In function 'use':\n",
                                       "[-Wformat=]\n   11 |", "|             %d\n",
                                       "exercises/04-jobs.c:9:9: warning: pointer 'p' used after",
                                       "note: call to 'free' here\n    7 |     free(p);"};
    static const char *const dropped[] = {"graders/", "unused parameter", "int use(int unused)"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        ck_assert_msg(strstr(w, kept[i]), "lost '%s' in:\n%s", kept[i], w);
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        ck_assert_msg(!strstr(w, dropped[i]), "kept '%s' in:\n%s", dropped[i], w);
    free(w);
    w = cl_build_bug_warnings(CLANG_WARNINGS, "exercises/04-jobs.c");
    ck_assert_msg(w && strstr(w, "[-Wsometimes-uninitialized]\n    if (*p)") &&
                      strstr(w, "uninitialized use occurs here") && !strstr(w, "unused") &&
                      !strstr(w, "generated"), "%s", w ? w : "(null)");
    free(w);
    /* Only style warnings, or another file's: nothing to show. */
    ck_assert_ptr_null(cl_build_bug_warnings(CLANG_WARNINGS, "exercises/05-other.c"));
    ck_assert_ptr_null(cl_build_bug_warnings("exercises/04-jobs.c:3:13: warning: unused "
                                             "parameter 'n' [-Wunused-parameter]\n",
                                             "exercises/04-jobs.c"));
    ck_assert_ptr_null(cl_build_bug_warnings(NULL, "exercises/04-jobs.c"));
}
END_TEST

START_TEST(only_libgoc_and_watchable_libc_may_be_wrapped)
{
    static const char *const ok[] = {"goc_mutex_lock_at", "goc_x", "goc_chan_send_at2",
                                     "usleep", "nanosleep", "printf", "fputs", "putc"};
    static const char *const refused[] = {"malloc", "exit", "_exit", "fork", "open", "free",
                                          "goc_", "gocx", "goc_a;b", "goc_a b", "__real_goc_x",
                                          "Goc_x", "", "sleeps", "put"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert_msg(cl_wrap_allowed(ok[i], strlen(ok[i])), "refused %s", ok[i]);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ck_assert_msg(!cl_wrap_allowed(refused[i], strlen(refused[i])), "allowed '%s'",
                      refused[i]);
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
    tcase_add_test(tc, report_after_long_output_is_kept);
    tcase_add_loop_test(tc, sanitizer_reports_keep_only_the_learners_lines, 0,
                        (int)(sizeof trims / sizeof trims[0]));
    tcase_add_test(tc, sanitizer_report_outside_the_learners_file_says_so);
    tcase_add_test(tc, signals_are_named);
    tcase_add_test(tc, first_error_comes_first);
    tcase_add_test(tc, missing_function_is_found);
    tcase_add_test(tc, crash_site_is_named);
    tcase_add_test(tc, relative_paths);
    tcase_add_test(tc, bug_warnings_are_picked);
    tcase_add_test(tc, only_libgoc_and_watchable_libc_may_be_wrapped);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
