/* Goroutines, the deadlock report, dumps, the leak check and fork safety. */
#include <signal.h>

#include "testing.h"

static void add_one(void *p)
{
    atomic_int *n = p;
    atomic_fetch_add(n, 1);
}

START_TEST(goroutines_run_and_are_counted)
{
    ck_assert_int_eq(goc_id(), 1); /* the test's thread is goroutine 1, like main */
    ck_assert_int_eq(goc_num_goroutine(), 1);
    atomic_int n = 0;
    int64_t first = goc_go(add_one, &n);
    int64_t second = goc_go(add_one, &n);
    ck_assert_int_gt(first, 1);
    ck_assert_int_gt(second, first);
    ck_assert_int_eq(goc_leak_check(0, 10 * GOC_SECOND, NULL), 0);
    ck_assert_int_eq(atomic_load(&n), 2);
    ck_assert_int_eq(goc_num_goroutine(), 1);
}
END_TEST

/* Threads are reused: many short goroutines one after another. */
START_TEST(many_sequential_goroutines)
{
    atomic_int n = 0;
    for (int i = 0; i < 2000; i++) {
        goc_go(add_one, &n);
        if (i % 100 == 99)
            goc_leak_check(0, 10 * GOC_SECOND, NULL);
    }
    goc_leak_check(0, 10 * GOC_SECOND, NULL);
    ck_assert_int_eq(atomic_load(&n), 2000);
}
END_TEST

typedef struct gate {
    goc_chan *in, *out;
} gate;

static void echo(void *p)
{
    gate *g = p;
    int v;
    goc_recv(g->in, &v);
    goc_send(g->out, &v);
}

START_TEST(each_goroutine_gets_its_own_argument)
{
    enum { N = 50 };
    int ids[N];
    goc_chan *out = goc_chan_make(int, N);
    gate gates[N];
    for (int i = 0; i < N; i++) {
        ids[i] = i;
        gates[i] = (gate){goc_chan_make(int, 1), out};
        goc_send(gates[i].in, &ids[i]);
        goc_go(echo, &gates[i]);
    }
    long sum = 0;
    for (int i = 0; i < N; i++) {
        int v;
        goc_recv(out, &v);
        sum += v;
    }
    ck_assert_int_eq(sum, N * (N - 1) / 2);
    for (int i = 0; i < N; i++)
        goc_chan_free(gates[i].in);
    goc_chan_free(out);
}
END_TEST

/* ---- the deadlock report ------------------------------------------------------- */

static void stuck_sender(void *p)
{
    goc_chan *ch = p;
    goc_send(ch, &(int){1});
}

static void do_deadlock(void *p)
{
    (void)p;
    goc_chan *a = goc_chan_make(int, 0);
    goc_chan *b = goc_chan_make(int, 0);
    goc_go(stuck_sender, a);
    int v;
    goc_recv(b, &v); /* nobody sends on b */
}

START_TEST(deadlock_is_reported_like_go)
{
    dying_result r;
    run_dying(do_deadlock, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
    ck_assert_contains(r.out, "goroutine 1 [chan receive]:");
    ck_assert_contains(r.out, "[chan send]:");
    ck_assert_contains(r.out, "stuck_sender(...)");
    ck_assert_contains(r.out, "created by do_deadlock in goroutine 1");
    ck_assert_contains(r.out, "test_goroutine.c:");
}
END_TEST

static void do_nil_receive(void *p)
{
    (void)p;
    goc_chan *nil = NULL;
    int v;
    goc_recv(nil, &v);
}

START_TEST(nil_channel_blocks_forever)
{
    dying_result r;
    run_dying(do_nil_receive, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "deadlock!");
    ck_assert_contains(r.out, "[chan receive (nil chan)]");
}
END_TEST

static void do_panic(void *p)
{
    (void)p;
    goc_panic("bad input %d", 42);
}

START_TEST(goc_panic_prints_and_exits_2)
{
    dying_result r;
    run_dying(do_panic, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: bad input 42");
    ck_assert_contains(r.out, "goroutine 1 [running]:");
}
END_TEST

static void do_sigquit(void *p)
{
    (void)p;
    goc_chan *a = goc_chan_make(int, 0);
    goc_go(stuck_sender, a);
    goc_leak_check(0, 10 * GOC_SECOND, NULL); /* the sender is parked */
    raise(SIGQUIT);
}

START_TEST(sigquit_dumps_every_goroutine)
{
    dying_result r;
    run_dying(do_sigquit, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "SIGQUIT: quit");
    ck_assert_contains(r.out, "goroutine 1 [running]:");
    ck_assert_contains(r.out, "[chan send]:");
}
END_TEST

/* ---- leak check -------------------------------------------------------------------- */

START_TEST(leak_check_names_blocked_goroutines)
{
    int64_t base = goc_last_id();
    goc_chan *a = goc_chan_make(int, 0);
    goc_go(stuck_sender, a);
    char *buf = NULL;
    size_t len = 0;
    FILE *report = open_memstream(&buf, &len);
    int leaked = goc_leak_check(base, 10 * GOC_SECOND, report);
    fclose(report);
    ck_assert_int_eq(leaked, 1);
    ck_assert_contains(buf, "[chan send]");
    ck_assert_contains(buf, "stuck_sender(...)");
    ck_assert_contains(buf, "created by leak_check_names_blocked_goroutines");
    free(buf);
    int v;
    goc_recv(a, &v); /* release it */
    ck_assert_int_eq(goc_leak_check(base, 10 * GOC_SECOND, NULL), 0);
    goc_chan_free(a);
}
END_TEST

/* ---- fork safety ---------------------------------------------------------------------- */

static void child_uses_library(void *p)
{
    (void)p;
    /* Goroutines of the parent are gone in the child. */
    if (goc_num_goroutine() != 1)
        _exit(10);
    goc_chan *c = goc_chan_make(int, 0);
    gate g = {goc_chan_make(int, 1), c};
    goc_send(g.in, &(int){5});
    goc_go(echo, &g);
    int v = 0;
    goc_recv(c, &v);
    _exit(v == 5 ? 0 : 11);
}

START_TEST(library_works_after_fork_in_a_used_parent)
{
    /* The parent has goroutines parked at fork time. */
    goc_chan *a = goc_chan_make(int, 0);
    goc_go(stuck_sender, a);
    goc_leak_check(0, 10 * GOC_SECOND, NULL);
    dying_result r;
    run_dying(child_uses_library, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 0, "child failed with %d: %s", r.exit_status, r.out);
    int v;
    goc_recv(a, &v);
    goc_leak_check(0, 10 * GOC_SECOND, NULL);
    goc_chan_free(a);
}
END_TEST

static Suite *goroutine_suite(void)
{
    Suite *s = suite_create("goroutine");
    TCase *tc = tcase_create("goroutine");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, goroutines_run_and_are_counted);
    tcase_add_test(tc, many_sequential_goroutines);
    tcase_add_test(tc, each_goroutine_gets_its_own_argument);
    tcase_add_test(tc, deadlock_is_reported_like_go);
    tcase_add_test(tc, nil_channel_blocks_forever);
    tcase_add_test(tc, goc_panic_prints_and_exits_2);
    tcase_add_test(tc, sigquit_dumps_every_goroutine);
    tcase_add_test(tc, leak_check_names_blocked_goroutines);
    tcase_add_test(tc, library_works_after_fork_in_a_used_parent);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(goroutine_suite)
