/* goc_chan_free through directional handles, and goc_range's one
 * evaluation of its channel expression (Go's range evaluates it once). */
#include "testing.h"

/* A stage that hands its output to the caller as a receive-only handle:
 * the caller is the owner and must be able to free it as it holds it. */
static void send_three_and_close(void *arg)
{
    goc_sendch out = goc_send_only(arg);
    for (int i = 1; i <= 3; i++)
        goc_send(out, &i);
    goc_close(out);
}

static goc_recvch start_three(void)
{
    goc_chan *ch = goc_chan_make(int, 0);
    goc_go(send_three_and_close, ch);
    return goc_recv_only(ch);
}

START_TEST(free_accepts_every_handle_and_nil)
{
    goc_recvch in = start_three();
    int sum = 0;
    goc_range(int, v, in) sum += v;
    ck_assert_int_eq(sum, 6);
    goc_chan_free(in); /* no .ch: the handle itself */

    goc_sendch out = goc_send_only(goc_chan_make(int, 1));
    goc_send(out, &(int){7});
    goc_chan_free(out); /* a buffered value left inside is freed with it */

    goc_chan_free(goc_chan_make(char, 0));
    goc_chan_free(NULL); /* like free(NULL) */
    /* The ASan pass (test-lib-asan, detect_leaks) proves all three were
     * really released. */
}
END_TEST

/* A receiver parked on the channel: freeing it is a panic that names the
 * caller's own line, whichever handle the caller holds. */
static void receive_forever(void *arg)
{
    int v;
    goc_recv((goc_chan *)arg, &v);
}

static void free_under_a_receiver(void *arg)
{
    (void)arg;
    goc_chan *ch = goc_chan_make(int, 0);
    goc_go(receive_forever, ch);
    while (goc_num_goroutine() < 2)
        goc_yield();
    goc_leak_check(goc_last_id() - 1, GOC_SECOND, NULL); /* the receiver is parked */
    goc_recvch in = goc_recv_only(ch);
    goc_chan_free(in); /* FREE_LINE */
}

START_TEST(free_under_a_waiter_panics_at_the_callers_line)
{
    dying_result r;
    run_dying(free_under_a_receiver, NULL, 20, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: goc_chan_free of the channel made at");
    ck_assert_contains(r.out, "while goroutines are still blocked on it");
    ck_assert_contains(r.out, "test_chan_handles.c");
    ck_assert_contains(r.out, "in free_under_a_receiver");
}
END_TEST

static int stage_calls;

static goc_recvch counted_stage(void)
{
    stage_calls++;
    return start_three();
}

START_TEST(range_evaluates_its_channel_once)
{
    stage_calls = 0;
    goc_recvch kept = {NULL};
    int got[3], n = 0;
    /* If the expression were evaluated per receive, each iteration would
     * start a new stage: 1, 1, 1... and never end. */
    for (goc_recvch *keep = &kept; keep; keep = NULL) {
        goc_range(int, v, (*keep = counted_stage())) {
            ck_assert_int_lt(n, 3);
            got[n++] = v;
        }
    }
    ck_assert_int_eq(stage_calls, 1);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(got[0], 1);
    ck_assert_int_eq(got[2], 3);
    goc_chan_free(kept);
}
END_TEST

START_TEST(range_break_and_continue_act_on_the_range)
{
    goc_chan *ch = goc_chan_make(int, 8);
    for (int i = 0; i < 8; i++)
        goc_send(ch, &i);
    goc_close(ch);
    int seen = 0, odd = 0, after_break = 0;
    goc_range(int, v, ch) {
        seen++;
        if (v % 2 == 0)
            continue; /* next value, not a re-evaluation */
        odd++;
        if (v == 5)
            break; /* leaves the whole range */
    }
    after_break = 1;
    ck_assert_int_eq(seen, 6); /* 0..5 */
    ck_assert_int_eq(odd, 3);
    ck_assert_int_eq(after_break, 1);
    /* The range stopped at 5: 6 and 7 are still buffered. */
    ck_assert_int_eq((int)goc_len(ch), 2);
    int rest = 0;
    goc_range(int, v, ch) rest += v; /* a second range drains the rest */
    ck_assert_int_eq(rest, 13);
    goc_chan_free(ch);
}
END_TEST

START_TEST(nested_ranges_keep_their_own_channels)
{
    goc_chan *outer = goc_chan_make(int, 2), *inner = goc_chan_make(int, 4);
    goc_send(outer, &(int){10});
    goc_send(outer, &(int){20});
    goc_close(outer);
    int total = 0;
    goc_range(int, a, outer) {
        goc_send(inner, &(int){a});
        goc_send(inner, &(int){1});
        goc_close(inner);
        goc_range(int, b, inner) total += b;
        goc_chan_free(inner);
        inner = goc_chan_make(int, 4); /* the outer range keeps `outer` */
    }
    ck_assert_int_eq(total, 32);
    goc_chan_free(outer);
    goc_chan_free(inner);
}
END_TEST

static Suite *chan_handles_suite(void)
{
    Suite *s = suite_create("chan handles");
    TCase *tc = tcase_create("free and range");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, free_accepts_every_handle_and_nil);
    tcase_add_test(tc, free_under_a_waiter_panics_at_the_callers_line);
    tcase_add_test(tc, range_evaluates_its_channel_once);
    tcase_add_test(tc, range_break_and_continue_act_on_the_range);
    tcase_add_test(tc, nested_ranges_keep_their_own_channels);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(chan_handles_suite)
