/* Exercise 16 — testing concurrent code: the reference solution.
 *
 * Seven tests, each the situation one kind of queue bug needs: puts held
 * on a full queue, gets held on an empty one, several waiters at close,
 * capacity 1 with two waiting puts, many goroutines released at once.
 * "Still waiting" is proved with goc_settle, never with a sleep.
 *
 * Build and run it on its own:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include solutions/16-testing-concurrent-code.c \
 *      build/lib/plain/libgoc.a && ./a.out */
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

/* Only a broken queue (or a goroutine that never stops) gets near this:
 * a correct one settles in microseconds. */
#define BOUND (3 * GOC_SECOND)

/* A test's stage: the queue, the goroutines it started, and the id mark
 * that tells goc_settle which goroutines are the test's. */
typedef struct scene scene;

/* One goroutine doing put or get `count` times, so the test can look at
 * whether it has returned yet.  Its results are read only once `done` is
 * open: the latch orders them after the goroutine's writes. */
typedef struct op {
    scene *s;
    int first, count; /* put: first, first+1, ...; get: count values */
    int got[8], ngot; /* get: what came, in order */
    bool ok;          /* every put/get returned true */
    goc_latch done;
} op;

struct scene {
    t_ctx *t;
    const bq_ops *q;
    bq *b;
    int cap;
    int64_t since;
    op ops[8];
    int nops;
};

static scene *scene_new(t_ctx *t, const bq_ops *q, int cap)
{
    scene *s = calloc(1, sizeof *s);
    *s = (scene){.t = t, .q = q, .b = q->make(cap), .cap = cap, .since = goc_last_id()};
    return s;
}

static void put_main(void *arg)
{
    op *o = arg;
    o->ok = true;
    for (int k = 0; k < o->count && o->ok; k++)
        o->ok = o->s->q->put(o->s->b, o->first + k);
    goc_latch_count_down(&o->done);
}

static void get_main(void *arg)
{
    op *o = arg;
    o->ok = true;
    for (int k = 0; k < o->count && o->ok; k++)
        if ((o->ok = o->s->q->get(o->s->b, &o->got[o->ngot])))
            o->ngot++;
    goc_latch_count_down(&o->done);
}

static op *start(scene *s, void (*body)(void *), int first, int count)
{
    op *o = &s->ops[s->nops++];
    *o = (op){.s = s, .first = first, .count = count};
    goc_latch_init(&o->done, 1);
    goc_go(body, o);
    return o;
}

static bool returned(op *o) { return goc_latch_is_open(&o->done); }

/* Waits until every goroutine of the test is parked or gone: from then
 * on nothing changes unless the test acts, so "still waiting" is a fact. */
static bool settle(scene *s)
{
    if (goc_settle(s->since, BOUND))
        return true;
    s->t->errorf(s->t, "capacity %d: the queue's goroutines were still running after 3 s "
                       "instead of waiting or returning", s->cap);
    return false;
}

/* Closes the queue, which must release every waiting put and get, and
 * frees the scene when everything returned.  A broken queue may keep a
 * goroutine waiting: then the scene stays, as that goroutine uses it. */
static void scene_end(scene *s)
{
    s->q->close(s->b);
    settle(s);
    for (int i = 0; i < s->nops; i++)
        if (!returned(&s->ops[i]))
            return;
    for (int i = 0; i < s->nops; i++)
        goc_latch_free(&s->ops[i].done);
    s->q->free(s->b);
    free(s);
}

static const int CAPACITIES[] = {1, 2, 3};
#define NCAPACITIES ((int)(sizeof CAPACITIES / sizeof CAPACITIES[0]))

/* A queue takes exactly cap values without waiting; the next put waits
 * until a get makes room; values come out oldest first. */
static void test_fill_then_put_waits(t_ctx *t, const bq_ops *q)
{
    for (int c = 0; c < NCAPACITIES; c++) {
        scene *s = scene_new(t, q, CAPACITIES[c]);
        int cap = s->cap;
        op *fill = start(s, put_main, 0, cap);
        if (!settle(s) || !returned(fill) || !fill->ok) {
            t->errorf(t, "capacity %d: %d puts into an empty queue %s", cap, cap,
                      returned(fill) ? "did not all return true" : "did not all return");
            scene_end(s);
            return;
        }
        if (q->len(s->b) != cap)
            t->errorf(t, "capacity %d: len() is %d after %d puts", cap, q->len(s->b), cap);
        op *extra = start(s, put_main, cap, 1);
        settle(s);
        if (returned(extra)) {
            t->errorf(t, "capacity %d: a put on the full queue returned %s instead of waiting",
                      cap, extra->ok ? "true" : "false");
            scene_end(s);
            return;
        }
        if (q->len(s->b) != cap) /* while that put waits in another goroutine */
            t->errorf(t, "capacity %d: len() is %d while a put waits", cap, q->len(s->b));
        op *drain = start(s, get_main, 0, cap + 1);
        settle(s);
        if (!returned(drain) || !returned(extra) || !extra->ok)
            t->errorf(t, "capacity %d: after gets made room, %s", cap,
                      !returned(drain) ? "the gets did not all return" : "the waiting put did not return true");
        else
            for (int k = 0; k <= cap; k++)
                if (drain->got[k] != k) {
                    t->errorf(t, "capacity %d: value %d out was %d; puts of 0..%d should come "
                                 "out in that order", cap, k, drain->got[k], cap);
                    break;
                }
        scene_end(s);
    }
}

/* A get on an empty queue waits, and takes the value a later put brings. */
static void test_get_waits_for_a_put(t_ctx *t, const bq_ops *q)
{
    scene *s = scene_new(t, q, 2);
    op *get = start(s, get_main, 0, 1);
    settle(s);
    if (returned(get)) {
        t->errorf(t, "a get on an empty queue returned %s instead of waiting", get->ok ? "true" : "false");
        scene_end(s);
        return;
    }
    op *put = start(s, put_main, 42, 1);
    settle(s);
    if (!returned(get) || !get->ok || get->got[0] != 42 || !returned(put) || !put->ok)
        t->errorf(t, "a put of 42 did not reach the waiting get (%s)",
                  returned(get) ? "get returned without it" : "get is still waiting");
    scene_end(s);
}

/* Close releases every goroutine waiting on the queue: gets on an empty
 * queue return false, puts on a full one return false. */
static void test_close_wakes_every_waiter(t_ctx *t, const bq_ops *q)
{
    enum { WAITERS = 3 };
    for (int c = 0; c < 2; c++) {
        scene *s = scene_new(t, q, CAPACITIES[c]);
        op *gets[WAITERS];
        for (int i = 0; i < WAITERS; i++)
            gets[i] = start(s, get_main, 0, 1);
        settle(s);
        q->close(s->b);
        settle(s);
        int waiting = 0;
        for (int i = 0; i < WAITERS; i++)
            waiting += !returned(gets[i]) || gets[i]->ok;
        if (waiting)
            t->errorf(t, "capacity %d: after close, %d of %d gets that waited on the empty queue "
                         "were still waiting or returned true", s->cap, waiting, WAITERS);
        scene_end(s);

        s = scene_new(t, q, CAPACITIES[c]);
        op *fill = start(s, put_main, 0, s->cap);
        op *puts[WAITERS];
        for (int i = 0; i < WAITERS; i++)
            puts[i] = start(s, put_main, 100 + i, 1);
        settle(s);
        q->close(s->b);
        settle(s);
        waiting = !returned(fill);
        for (int i = 0; i < WAITERS; i++)
            waiting += !returned(puts[i]);
        if (waiting)
            t->errorf(t, "capacity %d: after close, %d puts were still waiting on the full queue",
                      s->cap, waiting);
        scene_end(s);
    }
}

/* After close, put refuses; what was put before can still be got. */
static void test_put_after_close_fails(t_ctx *t, const bq_ops *q)
{
    scene *s = scene_new(t, q, 2);
    op *before = start(s, put_main, 5, 1);
    settle(s);
    q->close(s->b);
    op *after = start(s, put_main, 6, 1);
    op *get = start(s, get_main, 0, 2);
    settle(s);
    if (!returned(after) || after->ok)
        t->errorf(t, "a put after close %s", returned(after) ? "returned true" : "is still waiting");
    if (!returned(before) || !before->ok || !returned(get) || get->ngot != 1 || get->got[0] != 5)
        t->errorf(t, "after close, the value put before should come out once, then get should "
                     "return false; got %d value(s)", get->ngot);
    scene_end(s);
}

/* With puts waiting on a full queue, gets drain everything: the values
 * in the queue and then each waiting put's. */
static void test_gets_drain_waiting_puts(t_ctx *t, const bq_ops *q)
{
    static const struct {
        int cap, putters;
    } cases[] = {{1, 2}, {1, 3}, {2, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        scene *s = scene_new(t, q, cases[c].cap);
        start(s, put_main, 0, s->cap);
        settle(s);
        for (int i = 0; i < cases[c].putters; i++)
            start(s, put_main, 100 + i, 1);
        settle(s);
        int total = s->cap + cases[c].putters;
        op *drain = start(s, get_main, 0, total);
        settle(s);
        int stuck = 0;
        for (int i = 0; i < s->nops; i++)
            stuck += !returned(&s->ops[i]);
        if (stuck)
            t->errorf(t, "capacity %d with %d puts waiting: %d gets were asked for, %d values "
                         "came out, and %d goroutines are stuck", s->cap, cases[c].putters, total,
                      drain->ngot, stuck);
        scene_end(s);
    }
}

/* Many goroutines at once: every value put comes out exactly once, and
 * len stays within 0..cap while it all happens. */
enum { PUTTERS = 4, EACH = 25, GETTERS = 2, CAP = 4 };

struct crowd {
    const bq_ops *q;
    bq *b;
    goc_barrier start;      /* putters and the len watcher leave together */
    goc_latch puts_done;    /* every putter finished */
    goc_latch gets_done;    /* every getter saw the queue closed */
    goc_latch watcher_done;
    atomic_int seen[PUTTERS * EACH];
    atomic_int strange;     /* values nobody put, put failures, len out of range */
    atomic_int next_putter;
};

static void crowd_put(void *arg)
{
    struct crowd *c = arg;
    int p = atomic_fetch_add(&c->next_putter, 1);
    goc_barrier_wait(&c->start);
    for (int k = 0; k < EACH; k++)
        if (!c->q->put(c->b, p * EACH + k))
            atomic_fetch_add(&c->strange, 1);
    goc_latch_count_down(&c->puts_done);
}

static void crowd_get(void *arg)
{
    struct crowd *c = arg;
    int v;
    while (c->q->get(c->b, &v)) {
        if (v >= 0 && v < PUTTERS * EACH)
            atomic_fetch_add(&c->seen[v], 1);
        else
            atomic_fetch_add(&c->strange, 1);
    }
    goc_latch_count_down(&c->gets_done);
}

/* Calls len over and over while the puts run, so that a len that reads
 * without the lock really overlaps them (ThreadSanitizer sees that). */
static void crowd_len(void *arg)
{
    struct crowd *c = arg;
    goc_barrier_wait(&c->start);
    while (!goc_latch_is_open(&c->puts_done)) {
        int n = c->q->len(c->b);
        if (n < 0 || n > CAP)
            atomic_fetch_add(&c->strange, 1);
        goc_yield();
    }
    goc_latch_count_down(&c->watcher_done);
}

static void test_many_goroutines_every_value_once(t_ctx *t, const bq_ops *q)
{
    int64_t since = goc_last_id();
    struct crowd *c = calloc(1, sizeof *c);
    c->q = q;
    c->b = q->make(CAP);
    goc_barrier_init(&c->start, PUTTERS + 1);
    goc_latch_init(&c->puts_done, PUTTERS);
    goc_latch_init(&c->gets_done, GETTERS);
    goc_latch_init(&c->watcher_done, 1);
    for (int i = 0; i < GETTERS; i++)
        goc_go(crowd_get, c);
    for (int i = 0; i < PUTTERS; i++)
        goc_go(crowd_put, c);
    goc_go(crowd_len, c);
    bool settled = goc_settle(since, BOUND);
    bool puts_done = goc_latch_is_open(&c->puts_done);
    q->close(c->b);
    settled = goc_settle(since, BOUND) && settled;
    if (!settled || !puts_done || !goc_latch_is_open(&c->gets_done) ||
        !goc_latch_is_open(&c->watcher_done)) {
        t->errorf(t, "%d putters and %d getters at once: %s", PUTTERS, GETTERS,
                  !puts_done ? "the puts did not all return while getters were draining"
                             : "the goroutines did not all return after close");
        return; /* they still use the crowd */
    }
    int lost = 0, twice = 0;
    for (int v = 0; v < PUTTERS * EACH; v++) {
        int n = atomic_load(&c->seen[v]);
        lost += n == 0;
        twice += n > 1;
    }
    if (lost || twice || atomic_load(&c->strange))
        t->errorf(t, "%d putters and %d getters at once: %d of %d values never came out, %d came "
                     "out more than once, %d other oddities (unknown values, failed puts, len "
                     "outside 0..%d)", PUTTERS, GETTERS, lost, PUTTERS * EACH, twice,
                  atomic_load(&c->strange), CAP);
    goc_latch_free(&c->start);
    goc_latch_free(&c->puts_done);
    goc_latch_free(&c->gets_done);
    goc_latch_free(&c->watcher_done);
    q->free(c->b);
    free(c);
}

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

/* GRADED: TESTS, NTESTS
 * The table of tests the grader runs, each against a fresh queue of every
 * kind: each must pass against the queue above, every time. */
const struct test_case TESTS[] = {
    {"put then get", test_put_then_get},
    {"fills to capacity, then put waits", test_fill_then_put_waits},
    {"get waits for a put", test_get_waits_for_a_put},
    {"close wakes every waiter", test_close_wakes_every_waiter},
    {"put after close fails", test_put_after_close_fails},
    {"gets drain waiting puts", test_gets_drain_waiting_puts},
    {"many goroutines, every value once", test_many_goroutines_every_value_once},
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
