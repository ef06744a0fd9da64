/* select: Go's rules, fairness, and that only one case ever fires. */
#include "testing.h"

START_TEST(default_fires_when_nothing_is_ready)
{
    goc_chan *a = goc_chan_make(int, 0), *b = goc_chan_make(int, 0);
    int x, y = 1;
    ck_assert_int_eq(goc_select_default(goc_case_recv(a, &x), goc_case_send(b, &y)), GOC_DEFAULT);
    goc_chan_free(a);
    goc_chan_free(b);
}
END_TEST

START_TEST(ready_receive_is_chosen)
{
    goc_chan *a = goc_chan_make(int, 1), *b = goc_chan_make(int, 1);
    goc_send(b, &(int){8});
    int x = 0, y = 0;
    int i = goc_select(goc_case_recv(a, &x), goc_case_recv(b, &y));
    ck_assert_int_eq(i, 1);
    ck_assert_int_eq(y, 8);
    goc_chan_free(a);
    goc_chan_free(b);
}
END_TEST

START_TEST(nil_cases_are_never_chosen)
{
    goc_chan *nil = NULL;
    goc_chan *ready = goc_chan_make(int, 1);
    for (int round = 0; round < 200; round++) {
        goc_send(ready, &round);
        int x, y;
        int i = goc_select(goc_case_recv(nil, &x), goc_case_send(nil, &round), goc_case_recv(ready, &y));
        ck_assert_int_eq(i, 2);
        ck_assert_int_eq(y, round);
    }
    int x;
    ck_assert_int_eq(goc_select_default(goc_case_recv(nil, &x)), GOC_DEFAULT);
    goc_chan_free(ready);
}
END_TEST

START_TEST(closed_channel_case_reports_not_ok)
{
    goc_chan *c = goc_chan_make(int, 0);
    goc_close(c);
    int v = 5;
    bool ok = true;
    ck_assert_int_eq(goc_select(goc_case_recv_ok(c, &v, &ok)), 0);
    ck_assert(!ok);
    ck_assert_int_eq(v, 0);
    goc_chan_free(c);
}
END_TEST

typedef struct partner {
    goc_chan *ch;
    int value;
} partner;

static void late_sender(void *p)
{
    partner *pt = p;
    goc_send(pt->ch, &pt->value);
}

START_TEST(blocking_select_wakes_on_a_later_send)
{
    goc_chan *a = goc_chan_make(int, 0), *b = goc_chan_make(int, 0);
    partner pt = {b, 77};
    goc_go(late_sender, &pt);
    int x = 0, y = 0;
    int i = goc_select(goc_case_recv(a, &x), goc_case_recv(b, &y));
    ck_assert_int_eq(i, 1);
    ck_assert_int_eq(y, 77);
    goc_chan_free(a);
    goc_chan_free(b);
}
END_TEST

static void late_receiver(void *p)
{
    partner *pt = p;
    goc_recv(pt->ch, &pt->value);
}

START_TEST(blocking_select_send_hands_off)
{
    goc_chan *a = goc_chan_make(int, 0);
    partner pt = {a, 0};
    goc_go(late_receiver, &pt);
    int v = 31, x;
    goc_chan *never = goc_chan_make(int, 0);
    ck_assert_int_eq(goc_select(goc_case_recv(never, &x), goc_case_send(a, &v)), 1);
    goc_leak_check(0, 10 * GOC_SECOND, NULL); /* receiver finished */
    ck_assert_int_eq(pt.value, 31);
    goc_chan_free(a);
    goc_chan_free(never);
}
END_TEST

/* Chi-square over many selects on equally ready channels: with four cases
 * and 40,000 rounds, a fair choice gives a statistic above 30.7 once in a
 * million runs (3 degrees of freedom), while "always the first" gives
 * about 120,000 and a 30/23/23/23 split about 270. */
START_TEST(ready_cases_are_chosen_uniformly)
{
    enum { K = 4, ROUNDS = 40000 };
    goc_chan *ch[K];
    for (int k = 0; k < K; k++)
        ch[k] = goc_chan_make(int, 1);
    long hits[K] = {0};
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < K; k++)
            if (goc_len(ch[k]) == 0)
                goc_send(ch[k], &k);
        int v;
        goc_case cases[K];
        for (int k = 0; k < K; k++)
            cases[k] = goc_case_recv(ch[k], &v);
        hits[goc_select_cases(cases, K)]++;
    }
    double expected = (double)ROUNDS / K, chi2 = 0;
    for (int k = 0; k < K; k++)
        chi2 += (hits[k] - expected) * (hits[k] - expected) / expected;
    ck_assert_msg(chi2 < 30.7, "select is not uniform: hits %ld %ld %ld %ld, chi2 %.1f", hits[0], hits[1],
                  hits[2], hits[3], chi2);
    for (int k = 0; k < K; k++)
        goc_chan_free(ch[k]);
}
END_TEST

/* Two selects race for the same values on two channels: every value is
 * taken by exactly one case of exactly one select. */
typedef struct racer {
    goc_chan *a, *b, *done;
    long sum;
    int count;
} racer;

static void select_consumer(void *p)
{
    racer *r = p;
    for (;;) {
        int v;
        bool ok;
        int i = goc_select(goc_case_recv_ok(r->a, &v, &ok), goc_case_recv_ok(r->b, &v, &ok));
        (void)i;
        if (!ok)
            break;
        r->sum += v;
        r->count++;
    }
    goc_send(r->done, &(int){1});
}

START_TEST(only_one_case_fires)
{
    enum { N = 20000, CONSUMERS = 4 };
    goc_chan *a = goc_chan_make(int, 0), *b = goc_chan_make(int, 0), *done = goc_chan_make(int, CONSUMERS);
    racer rs[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) {
        rs[i] = (racer){a, b, done, 0, 0};
        goc_go(select_consumer, &rs[i]);
    }
    long want = 0;
    for (int v = 1; v <= N; v++) {
        goc_send(v % 2 ? a : b, &v);
        want += v;
    }
    goc_close(a);
    /* A consumer stops at the first closed case it sees; keep b alive until
     * they all have, then close it too. */
    goc_close(b);
    long sum = 0;
    int count = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        int one;
        goc_recv(done, &one);
    }
    for (int i = 0; i < CONSUMERS; i++) {
        sum += rs[i].sum;
        count += rs[i].count;
    }
    ck_assert_int_eq(count, N);
    ck_assert_int_eq(sum, want);
    goc_chan_free(a);
    goc_chan_free(b);
    goc_chan_free(done);
}
END_TEST

static void do_select_send_on_closed(void *p)
{
    (void)p;
    goc_chan *c = goc_chan_make(int, 1);
    goc_close(c);
    int v = 1;
    goc_select(goc_case_send(c, &v));
}

START_TEST(select_send_on_closed_panics)
{
    dying_result r;
    run_dying(do_select_send_on_closed, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: send on closed channel");
}
END_TEST

static void do_empty_select(void *p)
{
    (void)p;
    goc_select_forever();
}

START_TEST(empty_select_blocks_forever)
{
    dying_result r;
    run_dying(do_empty_select, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
    ck_assert_contains(r.out, "[select (no cases)]");
}
END_TEST

static Suite *select_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("select");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, default_fires_when_nothing_is_ready);
    tcase_add_test(tc, ready_receive_is_chosen);
    tcase_add_test(tc, nil_cases_are_never_chosen);
    tcase_add_test(tc, closed_channel_case_reports_not_ok);
    tcase_add_test(tc, blocking_select_wakes_on_a_later_send);
    tcase_add_test(tc, blocking_select_send_hands_off);
    tcase_add_test(tc, ready_cases_are_chosen_uniformly);
    tcase_add_test(tc, only_one_case_fires);
    tcase_add_test(tc, select_send_on_closed_panics);
    tcase_add_test(tc, empty_select_blocks_forever);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(select_suite)
