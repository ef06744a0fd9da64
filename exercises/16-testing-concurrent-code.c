/* Exercise 16 — testing concurrent code.
 *
 * This time the code is given and the tests are yours.  Below is a
 * bounded blocking queue that works.  Write tests for it, and list them
 * in the table TESTS (under "your tests"), one entry per test.
 *   chanlings run     runs your TESTS against this queue
 *   chanlings check   runs them against this queue up to 30 times (they must
 *                     pass every time), then against nine queues with one
 *                     bug each: every broken queue must make at least one
 *                     of your tests fail, and no test may sleep or hang
 * As shipped, TESTS holds one test that puts and gets in one goroutine:
 * it passes here and catches none of the broken queues. */
#include <goc.h>
#include <goc/testing.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- what a test receives (the grader declares the same types) --------------- */

typedef struct bq bq;

/* A queue is used only through these operations, so the same test can
 * run against any queue.  The contract every queue must keep: */
typedef struct bq_ops {
    bq *(*make)(int cap);       /* an open, empty queue that holds up to cap (>= 1) ints */
    bool (*put)(bq *q, int v);  /* waits while the queue is full; true once v is in,
                                   false (v not stored) if the queue is or gets closed */
    bool (*get)(bq *q, int *v); /* waits while the queue is empty and open; true with the
                                   oldest value, false once it is closed and empty */
    void (*close)(bq *q);       /* wakes every waiting put and get; values already in
                                   can still be got */
    int (*len)(bq *q);          /* how many values it holds now; safe at any time */
    void (*free)(bq *q);        /* only when no goroutine uses it any more */
} bq_ops;

/* The test's handle, like Go's *testing.T.  errorf records a failure
 * (printf-style: what happened, with the numbers) and returns: a test
 * goes on after it, so return when nothing more makes sense.  Any
 * goroutine of the test may call it. */
typedef struct t_ctx {
    void (*errorf)(struct t_ctx *t, const char *fmt, ...);
    void *impl; /* the harness's */
} t_ctx;

typedef void (*test_fn)(t_ctx *t, const bq_ops *q);

struct test_case {
    const char *name; /* what the test proves, in words */
    test_fn fn;
};

/* ---- the queue under test (correct; do not change it) -------------------------- */

struct bq {
    goc_mutex mu;        /* guards everything below */
    goc_cond not_full;   /* put waits here */
    goc_cond not_empty;  /* get waits here */
    int *buf;            /* a ring of cap slots */
    int cap, head, n;
    bool closed;
};

static bq *bq_make(int cap)
{
    bq *q = calloc(1, sizeof *q);
    q->buf = calloc((size_t)cap, sizeof *q->buf);
    q->cap = cap;
    q->not_full = goc_cond_make(&q->mu);
    q->not_empty = goc_cond_make(&q->mu);
    return q;
}

static bool bq_put(bq *q, int v)
{
    goc_mutex_lock(&q->mu);
    while (q->n == q->cap && !q->closed)
        goc_cond_wait(&q->not_full);
    bool ok = !q->closed;
    if (ok) {
        q->buf[(q->head + q->n) % q->cap] = v;
        q->n++;
        goc_cond_signal(&q->not_empty);
    }
    goc_mutex_unlock(&q->mu);
    return ok;
}

static bool bq_get(bq *q, int *v)
{
    goc_mutex_lock(&q->mu);
    while (q->n == 0 && !q->closed)
        goc_cond_wait(&q->not_empty);
    bool ok = q->n > 0;
    if (ok) {
        *v = q->buf[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        goc_cond_signal(&q->not_full);
    }
    goc_mutex_unlock(&q->mu);
    return ok;
}

static void bq_close(bq *q)
{
    goc_mutex_lock(&q->mu);
    q->closed = true;
    goc_cond_broadcast(&q->not_full);
    goc_cond_broadcast(&q->not_empty);
    goc_mutex_unlock(&q->mu);
}

static int bq_len(bq *q)
{
    goc_mutex_lock(&q->mu);
    int n = q->n;
    goc_mutex_unlock(&q->mu);
    return n;
}

static void bq_free(bq *q)
{
    free(q->buf);
    free(q);
}

static const bq_ops real_bq = {bq_make, bq_put, bq_get, bq_close, bq_len, bq_free};

/* ---- your tests ------------------------------------------------------------------ */

/* One goroutine puts a value and gets it back. */
static void test_put_then_get(t_ctx *t, const bq_ops *q)
{
    bq *b = q->make(2);
    int v = -1;
    if (!q->put(b, 7))
        t->errorf(t, "put(7) on an open queue with room returned false");
    else if (!q->get(b, &v) || v != 7)
        t->errorf(t, "get after put(7) gave %d", v);
    q->free(b);
}

/* TODO: tests that would catch a queue that
 *   - does not wait when it should (put on a full queue, get on an empty one),
 *   - holds more or fewer values than its capacity (try several capacities),
 *   - hands values back in another order, or loses some when several
 *     goroutines put at once,
 *   - wakes only some of its waiters on close, or accepts values after it,
 *   - gets stuck when several goroutines wait on it at once,
 *   - reads its state without the lock (ThreadSanitizer only sees that
 *     when two goroutines really touch the queue at the same time: more
 *     puts than the capacity keep puts running while len is called).
 * Prove "still waiting" with goc_settle, never with a sleep (a 20 ms
 * goc_latch_wait_for or goc_after that runs out is one); bound every
 * wait (a broken queue must give your message, not a hang); leave no
 * goroutine behind.  goc/testing.h has gates, latches and barriers. */

/* GRADED: TESTS, NTESTS
 * The table of tests the grader runs, each against a fresh queue of every
 * kind: each must pass against the queue above, every time. */
const struct test_case TESTS[] = {
    {"put then get", test_put_then_get},
};
const int NTESTS = sizeof TESTS / sizeof TESTS[0];

/* ---- the harness: `chanlings run` (no need to change it) ------------------------- */

struct run {
    const struct test_case *tc;
    t_ctx t;
    atomic_int failures;
    goc_latch done;
};

static void run_errorf(t_ctx *t, const char *fmt, ...)
{
    struct run *r = t->impl;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    atomic_fetch_add(&r->failures, 1);
    printf("    %s\n", msg);
}

static void run_test(void *arg)
{
    struct run *r = arg;
    r->tc->fn(&r->t, &real_bq);
    goc_latch_count_down(&r->done);
}

/* Go's `go test -v`, in small: each test in its own goroutine, at most
 * 5 s, then the goroutines it left behind. */
int main(void)
{
    goc_num_goroutine(); /* main is goroutine 1 before any test starts */
    int failed = 0;
    for (int i = 0; i < NTESTS; i++) {
        struct run *r = calloc(1, sizeof *r);
        r->tc = &TESTS[i];
        r->t = (t_ctx){run_errorf, r};
        goc_latch_init(&r->done, 1);
        printf("=== RUN   %s\n", r->tc->name);
        fflush(stdout);
        int64_t since = goc_last_id();
        goc_go(run_test, r);
        if (!goc_latch_wait_for(&r->done, 5 * GOC_SECOND)) {
            printf("--- HUNG: %s is still running after 5 s: a wait without a bound; a broken "
                   "queue would hang it the same way\n", r->tc->name);
            goc_dump_goroutines(stdout);
            return 1; /* its goroutines are stuck: nothing else can run safely */
        }
        int left = goc_leak_check(since, GOC_SECOND, NULL);
        if (left) {
            printf("    left %d goroutine%s behind:\n", left, left == 1 ? "" : "s");
            goc_leak_check(since, 0, stdout);
        }
        bool ok = atomic_load(&r->failures) == 0 && left == 0;
        printf("--- %s: %s\n", ok ? "PASS" : "FAIL", r->tc->name);
        failed += !ok;
        if (!left) { /* a goroutine left behind may still use them */
            goc_latch_free(&r->done);
            free(r);
        }
    }
    printf("%s: %d of %d tests passed against the real queue\n", failed ? "FAIL" : "PASS",
           NTESTS - failed, NTESTS);
    return failed != 0;
}
