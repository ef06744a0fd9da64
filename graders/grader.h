/* Helpers every grader shares.  Header-only on purpose: a grader is one
 * file the runner compiles beside grader_main.c, with nothing else to link.
 *
 *   CL_TEST(name) { ... } CL_END_TEST    a test; its stdout/stderr go to
 *                                        $CL_OUTPUT_DIR/<name>.out and it
 *                                        ends with libgoc's leak check
 *   CL_SUITE("01-goroutines", t1, t2...) one TCase per test, named after it
 *   cl_latch / cl_barrier / cl_gate      synchronisation built on libgoc
 *                                        channels, so the deadlock detector
 *                                        and the leak check can see them
 *   cl_settle()                          wait until every goroutine the test
 *                                        started is parked or gone
 *   cl_spawn_call()                      run the learner's function in its
 *                                        own goroutine and watch it return
 *   cl_capture_*                         what the learner printed
 *   cl_expect(cond, expected, revisit, happened...)   a teaching failure
 *
 * Why settle instead of sleeping: a test that wants to know "did the
 * learner's function return before the tasks finished?" holds the tasks
 * on a gate and waits until nothing can move any more.  At that point the
 * answer is final, whatever the machine's load, so the test is
 * deterministic; time is only the upper bound for code that never stops
 * running (a busy loop). */
#ifndef CL_GRADER_H
#define CL_GRADER_H

#include <check.h>
#include <fcntl.h>
#include <goc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grader_protocol.h"

/* Upper bound for "wait until things stop moving" and for the end-of-test
 * leak check.  Generous: a correct solution reaches the state in
 * microseconds; only code that never stops running uses the whole bound. */
#ifndef CL_SETTLE_SECONDS
#define CL_SETTLE_SECONDS 3
#endif

/* ---- teaching failures ---------------------------------------------------- */

/* Fails the test with a message in three parts: what the grader expected,
 * what happened, and which idea to revisit.  `...` is printf-style and
 * describes what happened. */
#define cl_expect(cond, expected, revisit, ...)                                      \
    do {                                                                             \
        if (!(cond)) {                                                               \
            char cl_happened_[1024];                                                 \
            snprintf(cl_happened_, sizeof cl_happened_, __VA_ARGS__);                 \
            ck_abort_msg("expected: %s\nhappened: %s\nrevisit:  %s", (expected),       \
                         cl_happened_, (revisit));                                   \
        }                                                                            \
    } while (0)

/* ---- small waits ------------------------------------------------------------ */

static inline void cl_pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- latches, gates, barriers ------------------------------------------------ */

/* A count-down latch: waiters pass once count_down has been called `n`
 * times.  The "open" signal is closing a channel, which wakes every
 * receiver at once, now and later. */
typedef struct cl_latch {
    _Atomic(int) left;
    goc_chan *open;
} cl_latch;

static inline void cl_latch_init(cl_latch *l, int n)
{
    atomic_init(&l->left, n);
    l->open = goc_chan_make(char, 0);
    if (n <= 0)
        goc_close(l->open);
}

static inline void cl_latch_count_down(cl_latch *l)
{
    if (atomic_fetch_sub(&l->left, 1) == 1)
        goc_close(l->open);
}

/* Blocks (parks, visible to libgoc) until the latch opens. */
static inline void cl_latch_wait(cl_latch *l) { goc_recv_discard(l->open); }

/* Asks the channel, not the counter: the counter drops just before the
 * close, and a test that went on at that moment could reuse the latch
 * while the last goroutine is still closing it. */
static inline bool cl_latch_is_open(cl_latch *l)
{
    return goc_chan_try_recv_at(l->open, NULL, (size_t)-1, GOC_SITE) == GOC_CLOSED;
}

/* How many count_downs have happened so far, given the initial n. */
static inline int cl_latch_arrived(cl_latch *l, int n) { return n - atomic_load(&l->left); }

/* The test thread's wait: polls so that a learner deadlock among their own
 * goroutines becomes a teaching failure instead of killing the test.
 * Returns false if the latch is still closed after `seconds`. */
static inline bool cl_latch_await(cl_latch *l, int seconds)
{
    goc_time end = goc_now() + seconds * GOC_SECOND;
    while (!cl_latch_is_open(l)) {
        if (goc_now() >= end)
            return false;
        cl_pause_ms(1);
    }
    return true;
}

/* Frees the channel; only when no goroutine can still be waiting on it. */
static inline void cl_latch_destroy(cl_latch *l) { goc_chan_free(l->open); }

/* A gate is a latch of one: closed until the test opens it. */
typedef cl_latch cl_gate;
static inline void cl_gate_init(cl_gate *g) { cl_latch_init(g, 1); }
static inline void cl_gate_open(cl_gate *g) { cl_latch_count_down(g); }
static inline void cl_gate_pass(cl_gate *g) { cl_latch_wait(g); }

/* A single-use barrier for n parties: nobody leaves until all n arrived,
 * which proves that n goroutines were running at the same time. */
typedef cl_latch cl_barrier;
static inline void cl_barrier_init(cl_barrier *b, int n) { cl_latch_init(b, n); }
static inline void cl_barrier_arrive_and_wait(cl_barrier *b)
{
    cl_latch_count_down(b);
    cl_latch_wait(b);
}

/* ---- the test's own goroutines ---------------------------------------------- */

/* Goroutines with an id above this were started by the current test. */
static int64_t cl_since_id;

/* Waits until every goroutine the test started is parked on a channel,
 * lock or WaitGroup, or has exited, with no timer pending: nothing can
 * change after that without the test acting.  Returns false if something
 * was still running after CL_SETTLE_SECONDS (a busy loop, or a sleep that
 * outlasts it). */
static inline bool cl_settle(void)
{
    goc_time start = goc_now();
    goc_leak_check(cl_since_id, CL_SETTLE_SECONDS * GOC_SECOND, NULL);
    return goc_since(start) < CL_SETTLE_SECONDS * GOC_SECOND;
}

/* A learner function running in its own goroutine, so the test can watch
 * whether (and when) it returns.  `body` calls the learner's function
 * with whatever arguments it keeps in `arg`. */
typedef struct cl_call {
    void (*body)(void *arg);
    void *arg;
    _Atomic(int) returned;
    cl_latch done;
} cl_call;

static inline void cl__call_main(void *p)
{
    cl_call *c = p;
    c->body(c->arg);
    atomic_store(&c->returned, 1);
    cl_latch_count_down(&c->done);
}

static inline void cl_spawn_call(cl_call *c, void (*body)(void *), void *arg)
{
    c->body = body;
    c->arg = arg;
    atomic_init(&c->returned, 0);
    cl_latch_init(&c->done, 1);
    goc_go_named("graded call", cl__call_main, c);
}

static inline bool cl_call_returned(cl_call *c) { return atomic_load(&c->returned) != 0; }

/* Waits until the call has returned or nothing is moving any more (so it
 * never will without the test acting); true if it returned.  `seconds`
 * bounds code that keeps running (a busy loop). */
static inline bool cl_call_await(cl_call *c, int seconds)
{
    if (!cl_latch_is_open(&c->done))
        goc_leak_check(cl_since_id, seconds * GOC_SECOND, NULL);
    return cl_latch_is_open(&c->done);
}

/* Writes every goroutine's state into buf (for failure messages that show
 * where the learner's goroutines are stuck). */
static inline void cl_dump(char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fmemopen(buf, size, "w");
    if (!f)
        return;
    goc_dump_goroutines(f);
    fclose(f);
    buf[size - 1] = '\0';
}

/* ---- channel operations with an upper bound ----------------------------- */

/* Sends *val on ch, waiting at most `seconds` for a receiver, or less when
 * `peer` (the learner's call expected to receive; may be NULL) has
 * returned and so will never receive.  It polls the non-blocking send, so
 * a learner goroutine that never receives turns into a failure message
 * instead of a deadlock of the whole test. */
static inline bool cl__send_within(goc_chan *ch, const void *val, size_t size, int seconds,
                                   cl_call *peer)
{
    goc_time end = goc_now() + seconds * GOC_SECOND;
    for (;;) {
        bool gone = peer && cl_call_returned(peer);
        if (goc_chan_try_send_at(ch, val, size, GOC_SITE))
            return true;
        if (gone || goc_now() >= end)
            return false;
        cl_pause_ms(1);
    }
}
#define cl_send_within(ch, valptr, seconds, peer) \
    cl__send_within((ch), (valptr), sizeof *(valptr), (seconds), (peer))

/* Receives into *val within `seconds` (or until `peer` has returned):
 * GOC_RECEIVED, GOC_CLOSED, or GOC_WOULD_BLOCK when nothing came. */
static inline goc_try_result cl__recv_within(goc_chan *ch, void *val, size_t size, int seconds,
                                             cl_call *peer)
{
    goc_time end = goc_now() + seconds * GOC_SECOND;
    for (;;) {
        bool gone = peer && cl_call_returned(peer);
        goc_try_result r = goc_chan_try_recv_at(ch, val, size, GOC_SITE);
        if (r != GOC_WOULD_BLOCK || gone || goc_now() >= end)
            return r;
        cl_pause_ms(1);
    }
}
#define cl_recv_within(ch, valptr, seconds, peer) \
    cl__recv_within((ch), (valptr), sizeof *(valptr), (seconds), (peer))

/* ---- a probe task: the work graders hand to the learner's code ------------ */

/* Records which index each call saw and in which goroutine, and can hold
 * the calls on a gate (until the test opens it) or a barrier (until all n
 * are inside at once).  Its signature, void (int index, void *ctx), is the
 * task/work type of the early exercises; ctx is the probe. */
typedef enum cl_hold { CL_HOLD_NONE, CL_HOLD_GATE, CL_HOLD_BARRIER } cl_hold;

#define CL_PROBE_MAX 64

typedef struct cl_probe {
    int n;
    cl_hold hold;
    _Atomic(int) runs[CL_PROBE_MAX];
    _Atomic(int64_t) gid[CL_PROBE_MAX];
    _Atomic(int) bad_calls, bad_index;
    _Atomic(int) started, finished, finished_at_return;
    cl_gate gate;
    cl_barrier barrier;
} cl_probe;

static inline void cl_probe_init(cl_probe *p, int n, cl_hold hold)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->hold = hold;
    cl_gate_init(&p->gate);
    cl_barrier_init(&p->barrier, n);
}

static inline void cl_probe_destroy(cl_probe *p)
{
    cl_latch_destroy(&p->gate);
    cl_latch_destroy(&p->barrier);
}

static inline void cl_probe_task(int index, void *ctx)
{
    cl_probe *p = ctx;
    if (index < 0 || index >= p->n) {
        atomic_fetch_add(&p->bad_calls, 1);
        atomic_store(&p->bad_index, index);
    } else {
        atomic_fetch_add(&p->runs[index], 1);
        atomic_store(&p->gid[index], goc_id());
    }
    atomic_fetch_add(&p->started, 1);
    if (p->hold == CL_HOLD_BARRIER)
        cl_barrier_arrive_and_wait(&p->barrier);
    else if (p->hold == CL_HOLD_GATE)
        cl_gate_pass(&p->gate);
    atomic_fetch_add(&p->finished, 1);
}

static inline int cl_probe_running(cl_probe *p)
{
    return atomic_load(&p->started) - atomic_load(&p->finished);
}

/* A call that ran nothing says so first: other messages assume it tried.
 * `call` shows the call ("launch_all(6, ...)"), `where` the learner's file
 * and function. */
static inline void cl_probe_expect_started(cl_probe *p, const char *call, const char *where)
{
    cl_expect(atomic_load(&p->started) > 0, "the tasks to be started, each in its own goroutine",
              "the go statement: goc_go(fn, arg) starts fn(arg) in a new goroutine",
              "%s ran none of its %d tasks (%s).", call, p->n, where);
}

/* Each index 0..n-1 ran exactly once; nothing outside that range. */
static inline void cl_probe_expect_each_index_once(cl_probe *p, const char *call, const char *where)
{
    int bad = atomic_load(&p->bad_calls);
    cl_expect(bad == 0, "every task to receive its own index, from 0 to n-1",
              "each goroutine needs its own copy of its index (its own struct), because &i is "
              "one variable shared by every goroutine and by the loop",
              "%s called the task with index %d, outside 0..%d (%d such calls): the goroutine "
              "read its index from a variable that the loop had already moved on. Passing &i "
              "of the loop variable gives every goroutine the same int (%s).",
              call, atomic_load(&p->bad_index), p->n - 1, bad, where);
    for (int i = 0; i < p->n; i++) {
        int runs = atomic_load(&p->runs[i]);
        cl_expect(runs <= 1, "each index to be run exactly once",
                  "give each goroutine its own struct; never a pointer to the loop counter",
                  "%s ran index %d %d times: several goroutines saw the same index, which "
                  "happens when they all read one shared variable (%s).",
                  call, i, runs, where);
    }
    int ran = 0;
    for (int i = 0; i < p->n; i++)
        ran += atomic_load(&p->runs[i]) > 0;
    for (int i = 0; i < p->n; i++)
        cl_expect(atomic_load(&p->runs[i]) == 1, "the task to run once for every index 0..n-1",
                  "the go statement: goc_go(fn, arg) starts one goroutine per call",
                  "%s never ran the task for index %d (it ran %d of %d). Start one goroutine "
                  "per index (%s).",
                  call, i, ran, p->n, where);
}

/* ---- capturing what the learner prints ------------------------------------- */

typedef struct cl_capture {
    int saved_fd;
    FILE *tmp;
} cl_capture;

/* From here until cl_capture_end, stdout goes to a temporary file. */
static inline void cl_capture_begin(cl_capture *c)
{
    fflush(stdout);
    c->tmp = tmpfile();
    ck_assert_msg(c->tmp != NULL, "grader: cannot create a temporary file for capturing output");
    c->saved_fd = dup(STDOUT_FILENO);
    dup2(fileno(c->tmp), STDOUT_FILENO);
}

/* Restores stdout and returns what was printed (malloc'd, NUL-terminated). */
static inline char *cl_capture_end(cl_capture *c)
{
    fflush(stdout);
    dup2(c->saved_fd, STDOUT_FILENO);
    close(c->saved_fd);
    /* The learner wrote through fd 1, not through c->tmp's stdio buffer:
     * the file's real size is the truth. */
    off_t size = lseek(fileno(c->tmp), 0, SEEK_END);
    if (size < 0)
        size = 0;
    char *text = malloc((size_t)size + 1);
    ck_assert_msg(text != NULL, "grader: out of memory reading captured output");
    size_t got = (size_t)pread(fileno(c->tmp), text, (size_t)size, 0);
    text[got <= (size_t)size ? got : 0] = '\0';
    fclose(c->tmp);
    return text;
}

/* How many lines of `text` are exactly `line`. */
static inline int cl_count_lines(const char *text, const char *line)
{
    int n = 0;
    size_t len = strlen(line);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l == len && strncmp(p, line, len) == 0)
            n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

/* ---- per-test setup, leak check and registration -------------------------- */

/* Sends this test's stdout and stderr to $CL_OUTPUT_DIR/<name>.out, so a
 * panic, a deadlock dump or a TSan report lands beside its test. */
static inline void cl__redirect_output(const char *name)
{
    const char *dir = getenv(CL_ENV_OUTPUT_DIR);
    if (!dir || !*dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.out", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    fflush(stdout);
    fflush(stderr);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    /* Line-buffered, so what the learner printed before a crash is kept. */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void cl__test_begin(const char *name)
{
    cl__redirect_output(name);
    (void)goc_id(); /* the test thread becomes a goroutine before we count */
    cl_since_id = goc_last_id();
}

/* Fails with "leaked goroutines: ..." naming each goroutine the test's code
 * left behind.  A goroutine that was just woken can still look parked for
 * a moment, so a report is confirmed by a second look before it counts.
 * Tests call it themselves before freeing a channel the learner's
 * goroutines might still block on; CL_END_TEST calls it last. */
static inline void cl_expect_no_leaks(void)
{
    static char report[8192];
    int leaked = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0)
            cl_pause_ms(20);
        memset(report, 0, sizeof report);
        FILE *f = fmemopen(report, sizeof report - 1, "w");
        leaked = goc_leak_check(cl_since_id, CL_SETTLE_SECONDS * GOC_SECOND, f);
        if (f)
            fclose(f);
        if (leaked == 0)
            return;
    }
    ck_abort_msg(CL_MARK_LEAKED " %d still alive after the graded function returned; each "
                 "one below is stuck where it waits (a send nobody receives, a receive nobody "
                 "sends to, a wait nobody ends):\n%s",
                 leaked, report);
}

static inline void cl__test_end(void) { cl_expect_no_leaks(); }

#define CL_TEST(name)                                                                \
    START_TEST(name)                                                                 \
    {                                                                                \
        cl__test_begin(#name);

#define CL_END_TEST                                                                  \
        cl__test_end();                                                              \
    }                                                                                \
    END_TEST

/* Per-test timeout in seconds: $CL_TEST_TIMEOUT, default 10. */
static inline double cl__timeout(void)
{
    const char *t = getenv(CL_ENV_TEST_TIMEOUT);
    double v = t ? atof(t) : 0;
    return v > 0 ? v : 10;
}

/* One TCase per test, named after the test, so every result line carries
 * the test's own name. */
static inline Suite *cl_suite_of(const char *name, const TTest *const *tests, size_t n)
{
    Suite *s = suite_create(name);
    for (size_t i = 0; i < n; i++) {
        TCase *tc = tcase_create(tests[i]->name);
        tcase_set_timeout(tc, cl__timeout());
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}

#define CL_SUITE(name, ...)                                                          \
    cl_suite_of((name), (const TTest *const[]){__VA_ARGS__},                         \
                sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(const TTest *))

#endif
