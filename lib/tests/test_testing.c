/* goc/testing.h: latches open at their n-th count-down and not before,
 * gates hold until opened, barriers release nobody before all arrive,
 * bounded waits give up, and settle tells parked from running.
 *
 * "Not before" is proved with goc_settle, never with a sleep: once every
 * goroutine is parked, a waiter that has not passed never will without the
 * test acting. */
#include <goc/testing.h>

#include "testing.h"
#include "tsan_options.h"

#define LIMIT (5 * GOC_SECOND) /* upper bound only: a correct run takes microseconds */

typedef struct waiter {
    goc_latch *latch;
    atomic_int *passed;
    goc_waitgroup *wg;
} waiter;

static void wait_then_count(void *arg)
{
    waiter *w = arg;
    goc_latch_wait(w->latch);
    atomic_fetch_add(w->passed, 1);
    goc_wg_done(w->wg);
}

START_TEST(latch_opens_at_the_nth_count_down_and_not_before)
{
    enum { N = 3, WAITERS = 4 };
    int64_t since = goc_last_id();
    goc_latch l;
    goc_latch_init(&l, N);
    atomic_int passed = 0;
    goc_waitgroup wg = {0};
    waiter w = {&l, &passed, &wg};
    goc_wg_add(&wg, WAITERS);
    for (int i = 0; i < WAITERS; i++)
        goc_go(wait_then_count, &w);
    for (int i = 0; i < N - 1; i++)
        goc_latch_count_down(&l);
    ck_assert(goc_settle(since, LIMIT));
    ck_assert(!goc_latch_is_open(&l));
    ck_assert_int_eq(atomic_load(&passed), 0);
    goc_latch_count_down(&l);
    goc_wg_wait(&wg);
    ck_assert(goc_latch_is_open(&l));
    ck_assert_int_eq(atomic_load(&passed), WAITERS);
    goc_latch_count_down(&l); /* one too many: still open, closed only once */
    goc_latch_wait(&l);       /* and waits after opening pass at once */
    goc_latch_free(&l);
}
END_TEST

START_TEST(latch_of_zero_is_open_at_once)
{
    goc_latch l;
    goc_latch_init(&l, 0);
    ck_assert(goc_latch_is_open(&l));
    ck_assert(goc_latch_wait_for(&l, 0));
    goc_latch_free(&l);
}
END_TEST

START_TEST(wait_for_gives_up_when_nobody_opens)
{
    goc_latch l;
    goc_latch_init(&l, 1);
    goc_time t0 = goc_now();
    ck_assert(!goc_latch_wait_for(&l, 20 * GOC_MILLISECOND));
    ck_assert_int_ge(goc_since(t0), 20 * GOC_MILLISECOND);
    goc_latch_free(&l);
}
END_TEST

static void open_gate(void *arg) { goc_gate_open(arg); }

START_TEST(wait_for_returns_when_another_goroutine_opens)
{
    goc_gate g;
    goc_gate_init(&g);
    goc_go(open_gate, &g);
    ck_assert(goc_latch_wait_for(&g, LIMIT));
    ck_assert(goc_settle(0, LIMIT));
    goc_gate_free(&g);
}
END_TEST

/* The latch's channel is closed when it opens: a select can wait for it
 * beside other events. */
START_TEST(latch_channel_works_in_select)
{
    goc_latch l;
    goc_latch_init(&l, 1);
    goc_chan *other = goc_chan_make(int, 0);
    goc_latch_count_down(&l);
    int chosen = goc_select(goc_case_recv_discard(l.open), goc_case_recv_discard(other));
    ck_assert_int_eq(chosen, 0);
    goc_chan_free(other);
    goc_latch_free(&l);
}
END_TEST

typedef struct party {
    goc_barrier *barrier;
    atomic_int *left;
    goc_waitgroup *wg;
} party;

static void arrive(void *arg)
{
    party *p = arg;
    goc_barrier_wait(p->barrier);
    atomic_fetch_add(p->left, 1);
    goc_wg_done(p->wg);
}

START_TEST(barrier_releases_nobody_before_all_arrived)
{
    enum { N = 5 };
    int64_t since = goc_last_id();
    goc_barrier b;
    goc_barrier_init(&b, N);
    atomic_int left = 0;
    goc_waitgroup wg = {0};
    party p = {&b, &left, &wg};
    goc_wg_add(&wg, N - 1);
    for (int i = 0; i < N - 1; i++)
        goc_go(arrive, &p);
    ck_assert(goc_settle(since, LIMIT));
    ck_assert_int_eq(atomic_load(&left), 0);
    goc_barrier_wait(&b); /* the last party: everyone leaves */
    goc_wg_wait(&wg);
    ck_assert_int_eq(atomic_load(&left), N - 1);
    goc_barrier_free(&b);
}
END_TEST

static void hold_at_gate(void *arg)
{
    waiter *w = arg;
    goc_gate_pass(w->latch);
    atomic_fetch_add(w->passed, 1);
    goc_wg_done(w->wg);
}

START_TEST(gate_holds_until_opened_and_a_dump_names_the_line)
{
    int64_t since = goc_last_id();
    goc_gate g;
    goc_gate_init(&g);
    atomic_int passed = 0;
    goc_waitgroup wg = {0};
    waiter w = {&g, &passed, &wg};
    goc_wg_add(&wg, 1);
    goc_go(hold_at_gate, &w);
    ck_assert(goc_settle(since, LIMIT));
    ck_assert_int_eq(atomic_load(&passed), 0);
    char dump[8192] = "";
    FILE *f = fmemopen(dump, sizeof dump - 1, "w");
    ck_assert_ptr_nonnull(f);
    goc_dump_goroutines(f);
    fclose(f);
    ck_assert_contains(dump, "test_testing.c:");
    ck_assert_contains(dump, "hold_at_gate");
    goc_gate_open(&g);
    goc_wg_wait(&wg);
    ck_assert(goc_gate_is_open(&g));
    goc_gate_free(&g);
}
END_TEST

static void spin_until(void *arg)
{
    atomic_int *stop = arg;
    while (!atomic_load(stop))
        ;
}

START_TEST(settle_is_false_while_a_goroutine_keeps_running)
{
    int64_t since = goc_last_id();
    atomic_int stop = 0;
    goc_go(spin_until, &stop);
    ck_assert(!goc_settle(since, 50 * GOC_MILLISECOND));
    atomic_store(&stop, 1);
    ck_assert(goc_settle(since, LIMIT)); /* exited counts as settled */
}
END_TEST

START_TEST(settle_ignores_goroutines_started_before_since)
{
    atomic_int stop = 0;
    goc_go(spin_until, &stop);
    int64_t since = goc_last_id();
    ck_assert(goc_settle(since, LIMIT));
    atomic_store(&stop, 1);
    ck_assert(goc_settle(0, LIMIT));
}
END_TEST

static void freed_latch_waited(void *arg)
{
    (void)arg;
    goc_latch l;
    goc_latch_init(&l, 1);
    goc_latch_free(&l);
    goc_latch_wait(&l);
}

START_TEST(waiting_on_a_freed_latch_is_a_fatal_error)
{
    dying_result r;
    run_dying(freed_latch_waited, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: goc_latch used after goc_latch_free");
}
END_TEST

static Suite *testing_suite(void)
{
    Suite *s = suite_create("testing");
    TCase *tc = tcase_create("testing");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, latch_opens_at_the_nth_count_down_and_not_before);
    tcase_add_test(tc, latch_of_zero_is_open_at_once);
    tcase_add_test(tc, wait_for_gives_up_when_nobody_opens);
    tcase_add_test(tc, wait_for_returns_when_another_goroutine_opens);
    tcase_add_test(tc, latch_channel_works_in_select);
    tcase_add_test(tc, barrier_releases_nobody_before_all_arrived);
    tcase_add_test(tc, gate_holds_until_opened_and_a_dump_names_the_line);
    tcase_add_test(tc, settle_is_false_while_a_goroutine_keeps_running);
    tcase_add_test(tc, settle_ignores_goroutines_started_before_since);
    tcase_add_test(tc, waiting_on_a_freed_latch_is_a_fatal_error);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(testing_suite)
