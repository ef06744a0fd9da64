/* The grader of exercise 11: lazy_get and conn_get.  Exactly-once is made
 * certain, not probable: the grader's own build (and dial) waits at a gate
 * while 16 goroutines released from one barrier call the learner's
 * function, and the test looks when everything has settled.  A hand-made
 * `if (t == NULL)` check lets every caller through while the first build
 * is held, so it builds 16 times on every run, not one run in a hundred. */
#include "grader.h"

typedef struct table {
    int size;
    int *squares;
} table;
typedef struct lazy_table {
    goc_once once;
    table *t;
    table *(*build)(void *arg);
    void *arg;
} lazy_table;
typedef struct conn {
    int port;
} conn;
typedef struct lazy_conn {
    goc_once once;
    conn *c;
    goc_error *err;
    conn *(*dial)(void *arg, goc_error **err);
    void *arg;
} lazy_conn;

const table *lazy_get(lazy_table *lt);
goc_error *conn_get(lazy_conn *lc, conn **out);

#define EX "exercises/11-once.c"

/* ---- the grader's build and dial: counted, and held when the test asks ---- */

typedef struct maker {
    _Atomic(int) calls;
    _Atomic(int) finished;
    bool hold;       /* wait at `gate` before returning */
    cl_gate gate;
    table made;      /* what build returns */
    conn dialled;    /* what a successful dial returns */
    goc_error *fail; /* what a failing dial reports (NULL: succeed) */
} maker;

static maker *new_maker(bool hold)
{
    maker *m = cl_alloc(1, sizeof *m);
    m->hold = hold;
    if (hold)
        cl_gate_init(&m->gate);
    m->made.size = 4;
    m->dialled.port = 5432;
    return m;
}

static table *grader_build(void *arg)
{
    maker *m = arg;
    atomic_fetch_add(&m->calls, 1);
    if (m->hold)
        cl_gate_pass(&m->gate);
    atomic_fetch_add(&m->finished, 1);
    return &m->made;
}

static conn *grader_dial(void *arg, goc_error **err)
{
    maker *m = arg;
    atomic_fetch_add(&m->calls, 1);
    if (m->hold)
        cl_gate_pass(&m->gate);
    atomic_fetch_add(&m->finished, 1);
    if (m->fail) {
        *err = m->fail;
        return NULL;
    }
    return &m->dialled;
}

static lazy_table *new_lazy_table(maker *m)
{
    lazy_table *lt = cl_alloc(1, sizeof *lt);
    lt->build = grader_build;
    lt->arg = m;
    return lt;
}

static lazy_conn *new_lazy_conn(maker *m)
{
    lazy_conn *lc = cl_alloc(1, sizeof *lc);
    lc->dial = grader_dial;
    lc->arg = m;
    return lc;
}

/* ---- sixteen callers at once -------------------------------------------------- */

enum { CALLERS = 16 };

typedef struct table_crowd {
    lazy_table *lt;
    const table *got[CALLERS];
} table_crowd;

static void get_table(int caller, void *arg)
{
    table_crowd *tc = arg;
    tc->got[caller] = lazy_get(tc->lt);
}

/* The build is held; 16 callers arrive together.  Exactly one build may
 * have started, and nobody may have returned, while it is held. */
CL_TEST(lazy_get_builds_once_for_sixteen_callers)
{
    maker *m = new_maker(true);
    table_crowd *tc = cl_alloc(1, sizeof *tc);
    tc->lt = new_lazy_table(m);
    cl_crowd *crowd = cl_alloc(1, sizeof *crowd);
    cl_crowd_start(crowd, CALLERS, get_table, tc);
    cl_settle();
    int started = atomic_load(&m->calls);
    int returned = cl_crowd_returned(crowd);
    cl_gate_open(&m->gate);
    bool all = cl_crowd_await(crowd, 5);
    cl_expect(started == 1,
              "build to start exactly once while 16 goroutines call lazy_get at the same time",
              "goc_once_do(&lt->once, run_build, lt) runs the build once and makes every other "
              "caller wait until it has finished; a hand-made `if (lt->t == NULL)` lets "
              "everyone through while the first build is still running",
              "build ran %d times: %d goroutines found the table missing at once and each built "
              "one (" EX ", lazy_get).",
              started, started);
    cl_expect(returned == 0, "no lazy_get to return while the table was still being built",
              "the Once's guarantee: goc_once_do returns only after the function has finished "
              "(for every caller, not only the first)",
              "%d of 16 calls returned while build was still running: they found a flag set "
              "before the table was ready (" EX ", lazy_get).",
              returned);
    cl_expect(all, "every lazy_get to return once the build finished",
              "nothing else to wait for after goc_once_do",
              "some calls were still waiting (" EX ", lazy_get).");
    for (int i = 0; i < CALLERS; i++)
        cl_expect(tc->got[i] == &m->made, "every caller to get the table build returned",
                  "return lt->t after goc_once_do: the Once makes the build's write visible",
                  "caller %d got %p, build returned %p (" EX ", lazy_get).", i,
                  (void *)tc->got[i], (void *)&m->made);
}
CL_END_TEST

/* A second caller, arriving while the first one's build is held, must wait
 * for it (the early-flag mistake returns at once, with no table). */
static void call_lazy_get(void *arg)
{
    table_crowd *tc = arg;
    tc->got[0] = lazy_get(tc->lt);
}

static void call_lazy_get_second(void *arg)
{
    table_crowd *tc = arg;
    tc->got[1] = lazy_get(tc->lt);
}

CL_TEST(lazy_get_waits_for_a_build_under_way)
{
    maker *m = new_maker(true);
    table_crowd *tc = cl_alloc(1, sizeof *tc);
    tc->lt = new_lazy_table(m);
    cl_call first, second;
    cl_spawn_call(&first, call_lazy_get, tc);
    cl_settle();
    cl_spawn_call(&second, call_lazy_get_second, tc);
    cl_settle();
    bool second_back = cl_call_returned(&second);
    const table *early = tc->got[1];
    int builds = atomic_load(&m->calls);
    cl_gate_open(&m->gate);
    cl_expect(cl_call_await(&first, 5) && cl_call_await(&second, 5),
              "both calls to return after the build", "nothing to wait for after goc_once_do",
              "one was still waiting (" EX ", lazy_get).");
    cl_expect(!second_back,
              "a lazy_get that arrives during the build to wait for it",
              "goc_once_do: one caller runs the function and the others wait for it to finish; "
              "a \"started\" flag set before the build lets the others return too early",
              "the second lazy_get returned %p while the first one's build was still running: "
              "it returned while the table was still being built (" EX ", lazy_get).",
              (void *)early);
    cl_expect(builds == 1, "a lazy_get that arrives during the build not to build again",
              "goc_once_do runs the function once per Once",
              "build ran %d times (" EX ", lazy_get).", builds);
    cl_expect(tc->got[0] == &m->made && tc->got[1] == &m->made,
              "both to get the built table", "return lt->t after goc_once_do",
              "they got %p and %p (" EX ", lazy_get).", (void *)tc->got[0], (void *)tc->got[1]);
}
CL_END_TEST

/* After the first build, calls never build again. */
CL_TEST(lazy_get_never_builds_again)
{
    maker *m = new_maker(false);
    lazy_table *lt = new_lazy_table(m);
    const table *first = lazy_get(lt);
    for (int i = 0; i < 99; i++)
        lazy_get(lt);
    int builds = atomic_load(&m->calls);
    cl_expect(builds == 1, "build to run once in 100 calls of lazy_get on one lazy_table",
              "the Once must live as long as the table it guards: lt->once, not a goc_once "
              "local to lazy_get (a fresh one on every call has never run)",
              "build ran %d times: it ran on every call (" EX ", lazy_get).", builds);
    cl_expect(first == &m->made && lt->t == &m->made,
              "lazy_get to return build's table and keep it in lt->t",
              "run_build stores the result in lt->t", "it returned %p (" EX ", lazy_get).",
              (void *)first);
}
CL_END_TEST

/* Two lazy tables: each has its own Once, so each is built, once. */
CL_TEST(lazy_get_builds_each_table_once)
{
    maker *m1 = new_maker(false), *m2 = new_maker(false);
    lazy_table *lt1 = new_lazy_table(m1), *lt2 = new_lazy_table(m2);
    const table *t1 = lazy_get(lt1), *t2 = lazy_get(lt2);
    lazy_get(lt1);
    lazy_get(lt2);
    int b1 = atomic_load(&m1->calls), b2 = atomic_load(&m2->calls);
    cl_expect(b1 == 1 && b2 == 1 && t1 == &m1->made && t2 == &m2->made,
              "two lazy_tables each built exactly once, each returning its own table",
              "one Once per lazy_table (lt->once): a `static goc_once` inside lazy_get is one "
              "Once for the whole program, shared by every lazy_table",
              "the first was built %d time(s) and the second %d time(s)%s (" EX ", lazy_get).",
              b1, b2, b2 == 0 ? ": the second lazy_table was never built, its Once was the "
                                "first one's" : "");
}
CL_END_TEST

/* A caller that arrives while the first caller is finishing the build,
 * with nothing ordering the two: the build itself starts it, just before
 * returning, so its lazy_get runs while run_build stores lt->t.  Through
 * goc_once_do (or an acquire load, when lt->t is published with a release
 * store) it waits for the store or sees it properly; a fast path that reads
 * lt->t with a plain load, `if (lt->t) return lt->t;`, reads it unordered
 * with that store.  Its answer is still right in the plain pass; the race
 * pass reports the data race on lt->t whichever goroutine gets there first. */
typedef struct late_caller {
    lazy_table *lt;
    cl_call call;
    const table *got;
    bool started;
    table made; /* what build returns */
} late_caller;

static void call_lazy_get_late(void *arg)
{
    late_caller *lc = arg;
    lc->got = lazy_get(lc->lt);
}

static table *build_and_start_a_late_caller(void *arg)
{
    late_caller *late = arg;
    late->started = true;
    cl_spawn_call(&late->call, call_lazy_get_late, late);
    return &late->made;
}

CL_TEST(lazy_get_reads_the_table_only_through_the_once)
{
    late_caller *late = cl_alloc(1, sizeof *late);
    late->lt = cl_alloc(1, sizeof *late->lt);
    late->lt->build = build_and_start_a_late_caller;
    late->lt->arg = late;
    const table *built = &late->made;
    const table *first = lazy_get(late->lt);
    cl_expect(late->started && cl_call_await(&late->call, 5),
              "a lazy_get that starts while the build is finishing to return",
              "goc_once_do returns as soon as the build has finished",
              "it was still waiting (" EX ", lazy_get).");
    cl_expect(first == built && late->got == built,
              "both callers to get the table build returned",
              "return lt->t after goc_once_do",
              "they got %p and %p, build returned %p (" EX ", lazy_get).", (void *)first,
              (void *)late->got, (void *)built);
}
CL_END_TEST

/* ---- conn_get --------------------------------------------------------------------- */

typedef struct conn_crowd {
    lazy_conn *lc;
    conn *got[CALLERS];
    goc_error *err[CALLERS];
} conn_crowd;

static void get_conn(int caller, void *arg)
{
    conn_crowd *cc = arg;
    cc->err[caller] = conn_get(cc->lc, &cc->got[caller]);
}

CL_TEST(conn_get_dials_once_for_sixteen_callers)
{
    maker *m = new_maker(true);
    conn_crowd *cc = cl_alloc(1, sizeof *cc);
    cc->lc = new_lazy_conn(m);
    cl_crowd *crowd = cl_alloc(1, sizeof *crowd);
    cl_crowd_start(crowd, CALLERS, get_conn, cc);
    cl_settle();
    int dials = atomic_load(&m->calls);
    int returned = cl_crowd_returned(crowd);
    cl_gate_open(&m->gate);
    bool all = cl_crowd_await(crowd, 5);
    cl_expect(dials == 1 && returned == 0,
              "one dial, and nobody returning, while 16 goroutines call conn_get during it",
              "goc_once_do(&lc->once, run_dial, lc): one caller dials, the others wait for it",
              "dial ran %d times and %d calls returned during the dial (" EX ", conn_get).", dials,
              returned);
    cl_expect(all, "every conn_get to return after the dial", "nothing to wait for after the Once",
              "some were still waiting (" EX ", conn_get).");
    for (int i = 0; i < CALLERS; i++)
        cl_expect(cc->got[i] == &m->dialled && cc->err[i] == NULL,
                  "every caller to get the dialled connection and no error",
                  "*out = lc->c; return lc->err;",
                  "caller %d got %p and error %p (" EX ", conn_get).", i, (void *)cc->got[i],
                  (void *)cc->err[i]);
}
CL_END_TEST

/* A dial that fails is not retried, and every caller gets the SAME error
 * (by identity: the one dial reported), with no connection. */
CL_TEST(conn_get_keeps_the_first_error)
{
    maker *m = new_maker(false);
    static goc_error refused = GOC_ERROR_SENTINEL("dial 10.0.0.1:5432: connection refused");
    m->fail = &refused;
    lazy_conn *lc = new_lazy_conn(m);
    goc_error *errs[3];
    conn *got[3];
    for (int i = 0; i < 3; i++) {
        got[i] = (conn *)&refused; /* anything but NULL: conn_get must set it */
        errs[i] = conn_get(lc, &got[i]);
    }
    int dials = atomic_load(&m->calls);
    cl_expect(dials == 1, "dial to run once in 3 calls, although it failed",
              "a Once never runs again, failure or not: record the error with the result and "
              "return it every time (Go 1.21's OnceValues); retrying needs a mutex and a flag, "
              "not a Once",
              "dial ran %d times: a failed dial was tried again (" EX ", conn_get).", dials);
    for (int i = 0; i < 3; i++)
        cl_expect(errs[i] == &refused && got[i] == NULL,
                  "every call to return the first dial's error, and *out == NULL",
                  "keep the error in lc->err inside the Once; return it, set *out = lc->c",
                  "call %d returned error %p (the dial's was %p) and connection %p (" EX
                  ", conn_get).",
                  i + 1, (void *)errs[i], (void *)&refused, (void *)got[i]);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("11-once", lazy_get_builds_once_for_sixteen_callers,
                    lazy_get_waits_for_a_build_under_way, lazy_get_never_builds_again,
                    lazy_get_builds_each_table_once,
                    lazy_get_reads_the_table_only_through_the_once,
                    conn_get_dials_once_for_sixteen_callers,
                    conn_get_keeps_the_first_error);
}
