/* errgroup: wait for all, the first error wins (and every wait returns
 * it, as Go's does), the group's context is cancelled on the first error, the
 * concurrency limit holds, try_go refuses when full, misuse of set_limit.
 *
 * "First" is made deterministic with latches: the losers only fail after
 * the winner's error was recorded (they wait on the group's context). */
#include "testing.h"
#include "tsan_options.h"

static goc_error err_fetch = GOC_ERROR_SENTINEL("fetch failed");

typedef struct job {
    int id;
    atomic_int *ran;
} job;

static goc_error *succeed(void *arg)
{
    job *j = arg;
    atomic_fetch_add(j->ran, 1);
    return NULL;
}

START_TEST(wait_waits_for_all_and_returns_null_on_success)
{
    enum { N = 40 };
    atomic_int ran = 0;
    job jobs[N];
    goc_errgroup *g = goc_errgroup_new();
    for (int i = 0; i < N; i++) {
        jobs[i] = (job){i, &ran};
        goc_errgroup_go(g, succeed, &jobs[i]);
    }
    ck_assert_ptr_null(goc_errgroup_wait(g));
    int ran_now = atomic_load(&ran);
    ck_assert_int_eq(ran_now, N);
    goc_errgroup_free(g);
}
END_TEST

typedef struct racer {
    int id;
    goc_ctx *ctx;       /* the group's context */
    atomic_int *losers; /* failures reported after the winner */
} racer;

/* Racer 0 fails at once; the others fail only after they saw the group's
 * context cancelled, i.e. after racer 0's error was recorded. */
static goc_error *race(void *arg)
{
    racer *r = arg;
    if (r->id == 0)
        return goc_error_wrap(&err_fetch, "racer %d", r->id);
    goc_recv_discard(goc_ctx_done(r->ctx));
    atomic_fetch_add(r->losers, 1);
    return goc_error_new("racer %d gave up: %s", r->id, goc_error_message(goc_ctx_err(r->ctx)));
}

START_TEST(first_error_wins_and_cancels_the_context)
{
    enum { N = 12 };
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *ctx;
    goc_errgroup *g = goc_errgroup_with_context(parent, &ctx);
    ck_assert_ptr_null(goc_ctx_err(ctx));
    atomic_int losers = 0;
    racer rs[N];
    for (int i = N - 1; i >= 0; i--) { /* the winner starts last */
        rs[i] = (racer){i, ctx, &losers};
        goc_errgroup_go(g, race, &rs[i]);
    }
    goc_error *err = goc_errgroup_wait(g);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(goc_error_message(err), "racer 0: fetch failed");
    ck_assert(goc_error_is(err, &err_fetch));
    int losers_now = atomic_load(&losers);
    ck_assert_int_eq(losers_now, N - 1); /* their errors were freed (ASan checks) */
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_canceled);
    ck_assert_ptr_null(goc_ctx_err(parent)); /* never upward */
    ck_assert_ptr_eq(goc_errgroup_wait(g), err); /* Go: every Wait returns the first error */
    goc_errgroup_free(g);                        /* frees err */
    goc_ctx_release(parent);
}
END_TEST

START_TEST(wait_cancels_the_context_even_on_success)
{
    atomic_int ran = 0;
    job j = {0, &ran};
    goc_ctx *ctx;
    goc_errgroup *g = goc_errgroup_with_context(goc_ctx_background(), &ctx);
    goc_errgroup_go(g, succeed, &j);
    ck_assert_ptr_null(goc_errgroup_wait(g));
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_canceled);
    goc_errgroup_free(g);
}
END_TEST

START_TEST(parent_cancel_reaches_the_group_context)
{
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *ctx;
    goc_errgroup *g = goc_errgroup_with_context(parent, &ctx);
    atomic_int losers = 0;
    racer r = {1, ctx, &losers}; /* waits for ctx, then fails */
    goc_errgroup_go(g, race, &r);
    goc_ctx_cancel(parent);
    goc_error *err = goc_errgroup_wait(g);
    ck_assert_str_eq(goc_error_message(err), "racer 1 gave up: context canceled");
    goc_errgroup_free(g); /* the group owns err */
    goc_ctx_release(parent);
}
END_TEST

/* ---- limit ---------------------------------------------------------------------- */

typedef struct limited {
    atomic_int *active, *peak, *ran;
    goc_chan *gate; /* each worker takes one token to finish */
} limited;

static goc_error *hold_a_slot(void *arg)
{
    limited *l = arg;
    int now = atomic_fetch_add(l->active, 1) + 1;
    int peak = atomic_load(l->peak);
    while (now > peak && !atomic_compare_exchange_weak(l->peak, &peak, now))
        ;
    goc_recv_discard(l->gate);
    atomic_fetch_sub(l->active, 1);
    atomic_fetch_add(l->ran, 1);
    return NULL;
}

typedef struct spawner {
    goc_errgroup *g;
    limited *l;
    int n;
    atomic_int *started;
    goc_chan *finished; /* the spawner is no group member: wait for it too */
} spawner;

static void spawn_all(void *arg)
{
    spawner *s = arg;
    for (int i = 0; i < s->n; i++) {
        goc_errgroup_go(s->g, hold_a_slot, s->l);
        atomic_fetch_add(s->started, 1);
    }
    goc_close(s->finished);
}

START_TEST(limit_bounds_goroutines_in_flight)
{
    enum { LIMIT = 3, N = 20 };
    atomic_int active = 0, peak = 0, ran = 0, started = 0;
    limited l = {&active, &peak, &ran, goc_chan_make(int, 0)};
    goc_errgroup *g = goc_errgroup_new();
    goc_errgroup_set_limit(g, LIMIT);
    spawner s = {g, &l, N, &started, goc_chan_make(int, 0)};
    goc_go(spawn_all, &s);
    for (int i = 0; i < N; i++) {
        /* Before each token, the group is full: exactly LIMIT running and
         * the spawner stuck in go until a slot frees. */
        while (atomic_load(&active) < (N - i < LIMIT ? N - i : LIMIT))
            goc_yield();
        int started_now = atomic_load(&started);
        ck_assert_int_le(started_now, i + LIMIT);
        goc_send(l.gate, &(int){1});
    }
    ck_assert_ptr_null(goc_errgroup_wait(g));
    goc_recv_discard(s.finished);
    int ran_now = atomic_load(&ran), peak_now = atomic_load(&peak);
    ck_assert_int_eq(ran_now, N);
    ck_assert_int_eq(peak_now, LIMIT);
    goc_errgroup_free(g);
    goc_chan_free(l.gate);
    goc_chan_free(s.finished);
}
END_TEST

START_TEST(try_go_refuses_when_the_limit_is_reached)
{
    atomic_int active = 0, peak = 0, ran = 0;
    limited l = {&active, &peak, &ran, goc_chan_make(int, 0)};
    goc_errgroup *g = goc_errgroup_new();
    goc_errgroup_set_limit(g, 2);
    ck_assert(goc_errgroup_try_go(g, hold_a_slot, &l));
    ck_assert(goc_errgroup_try_go(g, hold_a_slot, &l));
    ck_assert(!goc_errgroup_try_go(g, hold_a_slot, &l)); /* full: nothing started */
    while (atomic_load(&active) < 2)
        goc_yield();
    goc_send(l.gate, &(int){1});
    /* The slot comes back once the worker has returned. */
    while (!goc_errgroup_try_go(g, hold_a_slot, &l))
        goc_yield();
    goc_send(l.gate, &(int){1});
    goc_send(l.gate, &(int){1});
    ck_assert_ptr_null(goc_errgroup_wait(g));
    int ran_now = atomic_load(&ran), peak_now = atomic_load(&peak);
    ck_assert_int_eq(ran_now, 3);
    ck_assert_int_eq(peak_now, 2);
    goc_errgroup_set_limit(g, -1); /* idle again: may change; no limit now */
    ck_assert(goc_errgroup_try_go(g, hold_a_slot, &l));
    goc_send(l.gate, &(int){1});
    ck_assert_ptr_null(goc_errgroup_wait(g));
    goc_errgroup_free(g);
    goc_chan_free(l.gate);
}
END_TEST

static goc_error *fail_with_id(void *arg)
{
    job *j = arg;
    atomic_fetch_add(j->ran, 1);
    return goc_error_new("job %d failed", j->id);
}

/* Go: Wait returns g.err every time; it is set once for the group's life. */
START_TEST(a_second_wait_returns_the_first_error_again)
{
    atomic_int ran = 0;
    job j = {7, &ran};
    goc_errgroup *g = goc_errgroup_new();
    goc_errgroup_go(g, fail_with_id, &j);
    goc_error *first = goc_errgroup_wait(g);
    ck_assert_ptr_nonnull(first);
    ck_assert_str_eq(goc_error_message(first), "job 7 failed");
    ck_assert_ptr_eq(goc_errgroup_wait(g), first);
    /* Used again: a later failure is dropped (freed), the first stays. */
    job k = {8, &ran};
    goc_errgroup_go(g, fail_with_id, &k);
    ck_assert_ptr_eq(goc_errgroup_wait(g), first);
    ck_assert_str_eq(goc_error_message(first), "job 7 failed");
    goc_errgroup_free(g); /* frees first; ASan and valgrind check the rest */
}
END_TEST

/* A group that ended without error and is used again reports the next
 * failure instead of dropping it unseen. */
START_TEST(a_group_used_again_after_wait_keeps_its_next_error)
{
    atomic_int ran = 0;
    job ok = {1, &ran}, bad = {2, &ran};
    goc_ctx *ctx;
    goc_errgroup *g = goc_errgroup_with_context(goc_ctx_background(), &ctx);
    goc_errgroup_go(g, succeed, &ok);
    ck_assert_ptr_null(goc_errgroup_wait(g));
    goc_errgroup_go(g, fail_with_id, &bad);
    goc_error *err = goc_errgroup_wait(g);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(goc_error_message(err), "job 2 failed");
    ck_assert_int_eq(atomic_load(&ran), 2);
    goc_errgroup_free(g);
}
END_TEST

static goc_chan *held_gate;

static goc_error *block_on_gate(void *arg)
{
    (void)arg;
    goc_recv_discard(held_gate);
    return NULL;
}

static void change_limit_while_busy(void *arg)
{
    (void)arg;
    held_gate = goc_chan_make(int, 0);
    goc_errgroup *g = goc_errgroup_new();
    goc_errgroup_set_limit(g, 4);
    goc_errgroup_go(g, block_on_gate, NULL);
    goc_errgroup_set_limit(g, 8);
}

START_TEST(set_limit_while_busy_panics)
{
    dying_result r;
    run_dying(change_limit_while_busy, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: errgroup: modify limit while 1 goroutines");
    ck_assert_contains(r.out, "test_errgroup.c:");
}
END_TEST

static Suite *errgroup_suite(void)
{
    Suite *s = suite_create("errgroup");
    TCase *tc = tcase_create("errgroup");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, wait_waits_for_all_and_returns_null_on_success);
    tcase_add_test(tc, first_error_wins_and_cancels_the_context);
    tcase_add_test(tc, wait_cancels_the_context_even_on_success);
    tcase_add_test(tc, parent_cancel_reaches_the_group_context);
    tcase_add_test(tc, a_second_wait_returns_the_first_error_again);
    tcase_add_test(tc, a_group_used_again_after_wait_keeps_its_next_error);
    tcase_add_test(tc, limit_bounds_goroutines_in_flight);
    tcase_add_test(tc, try_go_refuses_when_the_limit_is_reached);
    tcase_add_test(tc, set_limit_while_busy_panics);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(errgroup_suite)
