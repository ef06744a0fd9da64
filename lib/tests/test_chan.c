/* Channel semantics, written from the Go specification's rules. */
#include "../src/chan_internal.h"
#include "testing.h"

/* ---- unbuffered send blocks until a receiver takes the value ----------- */

typedef struct handoff {
    goc_chan *ch;
    goc_chan *sent; /* the sender reports here once its send returned */
} handoff;

static void send_then_report(void *p)
{
    handoff *h = p;
    int v = 42;
    goc_send(h->ch, &v);
    goc_send(h->sent, &(int){1});
}

START_TEST(unbuffered_send_blocks_until_received)
{
    handoff h = {goc_chan_make(int, 0), goc_chan_make(int, 1)};
    goc_go(send_then_report, &h);
    /* However long we wait, the sender cannot finish before we receive:
     * give it many chances to run. */
    for (int i = 0; i < 1000; i++) {
        goc_yield();
        int dummy;
        ck_assert_int_eq(goc_try_recv(h.sent, &dummy), GOC_WOULD_BLOCK);
    }
    int v = 0;
    ck_assert(goc_recv(h.ch, &v));
    ck_assert_int_eq(v, 42);
    int one;
    ck_assert(goc_recv(h.sent, &one)); /* and now it does finish */
    goc_chan_free(h.ch);
    goc_chan_free(h.sent);
}
END_TEST

static void recv_one(void *p)
{
    handoff *h = p;
    int v;
    goc_recv(h->ch, &v);
    goc_send(h->sent, &v);
}

START_TEST(unbuffered_receive_blocks_until_sent)
{
    handoff h = {goc_chan_make(int, 0), goc_chan_make(int, 1)};
    goc_go(recv_one, &h);
    for (int i = 0; i < 1000; i++) {
        goc_yield();
        int dummy;
        ck_assert_int_eq(goc_try_recv(h.sent, &dummy), GOC_WOULD_BLOCK);
    }
    goc_send(h.ch, &(int){7});
    int got;
    goc_recv(h.sent, &got);
    ck_assert_int_eq(got, 7);
    goc_chan_free(h.ch);
    goc_chan_free(h.sent);
}
END_TEST

/* ---- buffered channels ---------------------------------------------------- */

START_TEST(buffered_is_fifo_and_blocks_only_when_full)
{
    goc_chan *ch = goc_chan_make(int, 3);
    ck_assert_uint_eq(goc_cap(ch), 3);
    for (int i = 1; i <= 3; i++)
        ck_assert(goc_try_send(ch, &i));
    ck_assert_uint_eq(goc_len(ch), 3);
    ck_assert(!goc_try_send(ch, &(int){4})); /* full: a send would block */
    for (int i = 1; i <= 3; i++) {
        int v;
        ck_assert(goc_recv(ch, &v));
        ck_assert_int_eq(v, i);
    }
    ck_assert_uint_eq(goc_len(ch), 0);
    goc_chan_free(ch);
}
END_TEST

static void send_range(void *p)
{
    goc_chan *ch = p;
    for (int i = 0; i < 1000; i++)
        goc_send(ch, &i);
    goc_close(ch);
}

START_TEST(fifo_holds_across_a_blocked_sender)
{
    /* A full buffer with a waiting sender: receiving must still give values
     * in the order they were sent. */
    goc_chan *ch = goc_chan_make(int, 4);
    goc_go(send_range, ch);
    int expect = 0;
    goc_range(int, v, ch) {
        ck_assert_int_eq(v, expect);
        expect++;
    }
    ck_assert_int_eq(expect, 1000);
    goc_chan_free(ch);
}
END_TEST

typedef struct point { double x, y, z; } point;

START_TEST(values_of_any_type_are_copied)
{
    goc_chan *ch = goc_chan_make(point, 1);
    point p = {1, 2, 3};
    goc_send(ch, &p);
    p.x = 99; /* the channel holds a copy */
    point q;
    goc_recv(ch, &q);
    ck_assert(q.x == 1 && q.y == 2 && q.z == 3);
    goc_chan_free(ch);
}
END_TEST

/* ---- close ------------------------------------------------------------------------ */

START_TEST(receive_after_close_drains_then_gives_zero)
{
    goc_chan *ch = goc_chan_make(int, 2);
    goc_send(ch, &(int){5});
    goc_close(ch);
    int v = -1;
    ck_assert(goc_recv(ch, &v));
    ck_assert_int_eq(v, 5);
    v = -1;
    ck_assert(!goc_recv(ch, &v)); /* ok == false */
    ck_assert_int_eq(v, 0);       /* zero value */
    ck_assert_int_eq(goc_try_recv(ch, &v), GOC_CLOSED);
    goc_chan_free(ch);
}
END_TEST

typedef struct waker {
    goc_chan *ch;
    goc_waitgroup *ready;
    goc_chan *results;
} waker;

static void wait_for_close(void *p)
{
    waker *w = p;
    int v = -1;
    goc_wg_done(w->ready);
    bool ok = goc_recv(w->ch, &v);
    goc_send(w->results, &(int){ok ? 1 : 0});
}

START_TEST(close_wakes_every_waiter)
{
    enum { N = 8 };
    goc_waitgroup ready = {0};
    waker w = {goc_chan_make(int, 0), &ready, goc_chan_make(int, N)};
    goc_wg_add(&ready, N);
    for (int i = 0; i < N; i++)
        goc_go(wait_for_close, &w);
    goc_wg_wait(&ready);
    goc_close(w.ch);
    for (int i = 0; i < N; i++) {
        int ok;
        goc_recv(w.results, &ok);
        ck_assert_int_eq(ok, 0);
    }
    goc_chan_free(w.ch);
    goc_chan_free(w.results);
}
END_TEST

/* ---- non-blocking forms and nil channels ------------------------------------------- */

START_TEST(try_operations_never_block)
{
    goc_chan *ch = goc_chan_make(int, 0);
    int v;
    ck_assert(!goc_try_send(ch, &(int){1})); /* nobody receiving */
    ck_assert_int_eq(goc_try_recv(ch, &v), GOC_WOULD_BLOCK);
    goc_chan *nil = NULL;
    ck_assert(!goc_try_send(nil, &(int){1}));
    ck_assert_int_eq(goc_try_recv(nil, &v), GOC_WOULD_BLOCK);
    ck_assert_uint_eq(goc_len(nil), 0);
    ck_assert_uint_eq(goc_cap(nil), 0);
    goc_chan_free(ch);
}
END_TEST

START_TEST(directional_handles_reach_the_same_channel)
{
    goc_chan *ch = goc_chan_make(int, 1);
    goc_sendch out = goc_send_only(ch);
    goc_recvch in = goc_recv_only(ch);
    goc_send(out, &(int){3});
    ck_assert_uint_eq(goc_len(in), 1);
    int v;
    goc_recv(in, &v);
    ck_assert_int_eq(v, 3);
    goc_close(out);
    ck_assert(!goc_recv(in, &v));
    goc_chan_free(ch);
}
END_TEST

START_TEST(recv_discard_takes_a_value)
{
    goc_chan *ch = goc_chan_make(long, 1);
    goc_send(ch, &(long){9});
    ck_assert(goc_recv_discard(ch));
    ck_assert_uint_eq(goc_len(ch), 0);
    goc_chan_free(ch);
}
END_TEST

/* ---- panics, with Go's words ---------------------------------------------------------- */

static void do_send_on_closed(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    goc_close(ch);
    goc_send(ch, &(int){1});
}

static void do_close_closed(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 0);
    goc_close(ch);
    goc_close(ch);
}

static void do_close_nil(void *p)
{
    (void)p;
    goc_chan *ch = NULL;
    goc_close(ch);
}

static void do_wrong_size(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    double d = 1.5;
    goc_send(ch, &d);
}

static void do_double_free(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    goc_chan_free(ch);
    goc_chan_free(ch);
}

static void do_send_after_free(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    goc_chan_free(ch);
    goc_send(ch, &(int){1});
}

static void do_close_after_free(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    goc_chan_free(ch);
    goc_close(ch);
}

static void do_never_made(void *p)
{
    (void)p;
    union {
        long words[32];
        goc_chan *ch;
    } junk;
    memset(junk.words, 0x5a, sizeof junk.words);
    junk.ch = (goc_chan *)&junk.words[1];
    goc_close(junk.ch);
}

static void do_wrong_size_one_byte(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(char, 1);
    goc_send(ch, &(int){1});
}

/* The learner meant "receive and drop": sizeof *(NULL) is 1 in GNU C. */
static void do_receive_into_null(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    goc_send(ch, &(int){1});
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpointer-arith"
#endif
    goc_recv(ch, NULL);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
}

typedef struct death_case {
    void (*fn)(void *);
    const char *expect;
} death_case;

static const death_case deaths[] = {
    {do_send_on_closed, "panic: send on closed channel"},
    {do_close_closed, "panic: close of closed channel"},
    {do_close_nil, "panic: close of nil channel"},
    {do_wrong_size, "8-byte value on a channel of int (4 bytes)"},
    {do_wrong_size_one_byte, "4-byte value on a channel of char (1 byte), made at "},
    {do_receive_into_null, "write goc_recv_discard(ch)"},
    {do_double_free, "panic: goc_chan_free on a channel that was already freed (made at "},
    {do_double_free, "It is freed twice"},
    {do_send_after_free, "panic: send on a channel that was already freed"},
    {do_send_after_free, "It was freed too early"},
    {do_close_after_free, "freed by goc_chan_free at "},
    {do_never_made, "panic: close on something that is not a live channel: never made"},
};

START_TEST(misuse_panics_like_go)
{
    dying_result r;
    run_dying(deaths[_i].fn, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, deaths[_i].expect);
    ck_assert_contains(r.out, "goroutine 1 [running]:");
    ck_assert_contains(r.out, "test_chan.c:");
    /* The learner's line, not libgoc's. */
    ck_assert_msg(strstr(r.out, "(at ") && strstr(strstr(r.out, "(at "), "test_chan.c:"),
                  "the panic must name the caller's file:line:\n%s", r.out);
}
END_TEST

static void send_on_closed_while_blocked(void *p)
{
    goc_chan *ch = p;
    goc_send(ch, &(int){1});
}

static void do_close_under_blocked_sender(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 0);
    goc_go(send_on_closed_while_blocked, ch);
    while (goc_num_goroutine() < 2)
        goc_yield();
    /* Wait until the sender is parked: a leak check with no timeout returns
     * once every other goroutine is blocked. */
    goc_leak_check(0, 10 * GOC_SECOND, NULL);
    goc_close(ch);
    goc_sleep(10 * GOC_SECOND); /* the sender panics first */
}

START_TEST(close_under_a_blocked_sender_panics_the_sender)
{
    dying_result r;
    run_dying(do_close_under_blocked_sender, NULL, 20, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: send on closed channel");
}
END_TEST

/* ---- invariants (white-box: these break libgoc's rules on purpose) -------- */

static goc_g *_Atomic parked_g;

static void park_in_receive(void *p)
{
    atomic_store(&parked_g, sched_current());
    int v;
    goc_recv((goc_chan *)p, &v);
}

static void park_in_select(void *p)
{
    atomic_store(&parked_g, sched_current());
    int v;
    goc_select(goc_case_recv((goc_chan *)p, &v), goc_case_recv((goc_chan *)p, &v));
}

/* Readies a goroutine parked on a channel that nobody completed. */
static void stray_wake(goc_func park, bool twice)
{
    goc_chan *ch = goc_chan_make(int, 0);
    goc_go(park, ch);
    goc_leak_check(goc_id(), 10 * GOC_SECOND, NULL); /* parked now */
    goc_g *g = atomic_load(&parked_g);
    sched_ready(g);
    if (twice)
        sched_ready(g);
    goc_sleep(10 * GOC_SECOND); /* the woken goroutine stops the program first */
}

static void do_spurious_receive(void *p) { (void)p; stray_wake(park_in_receive, false); }
static void do_spurious_select(void *p) { (void)p; stray_wake(park_in_select, false); }
static void do_double_ready(void *p) { (void)p; stray_wake(park_in_receive, true); }

static void do_queue_twice(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 0);
    chan_waiter w = {.g = sched_current(), .c = ch};
    chan_lock(ch);
    waitq_enqueue(&ch->recvq, &w);
    waitq_enqueue(&ch->recvq, &w);
}

static void do_unlocked_buffer_put(void *p)
{
    (void)p;
    goc_chan *ch = goc_chan_make(int, 1);
    /* 8 bytes: chan_copy's inlined 8-byte case would read past an int in
     * gcc's eyes (-Warray-bounds); the invariant stops it first anyway. */
    chan_buf_put(ch, &(int64_t){1});
}

static const death_case broken[] = {
    {do_spurious_receive, "spurious wakeup of a goroutine blocked in receive"},
    {do_spurious_select, "spurious wakeup of a goroutine blocked in select"},
    /* whichever check sees it first: the second ready, or the stray wake */
    {do_double_ready, "internal invariant broken: "},
    {do_queue_twice, "a waiter was queued twice on a channel"},
    {do_unlocked_buffer_put, "without holding the channel's lock"},
};

START_TEST(broken_invariants_stop_the_program)
{
    dying_result r;
    run_dying(broken[_i].fn, NULL, 20, &r);
    ck_assert_msg(r.exit_status == 2, "exit %d:\n%s", r.exit_status, r.out);
    ck_assert_contains(r.out, "fatal error: libgoc: internal invariant broken: ");
    ck_assert_contains(r.out, broken[_i].expect);
}
END_TEST

static Suite *chan_suite(void)
{
    Suite *s = suite_create("chan");
    TCase *tc = tcase_create("semantics");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, unbuffered_send_blocks_until_received);
    tcase_add_test(tc, unbuffered_receive_blocks_until_sent);
    tcase_add_test(tc, buffered_is_fifo_and_blocks_only_when_full);
    tcase_add_test(tc, fifo_holds_across_a_blocked_sender);
    tcase_add_test(tc, values_of_any_type_are_copied);
    tcase_add_test(tc, receive_after_close_drains_then_gives_zero);
    tcase_add_test(tc, close_wakes_every_waiter);
    tcase_add_test(tc, try_operations_never_block);
    tcase_add_test(tc, directional_handles_reach_the_same_channel);
    tcase_add_test(tc, recv_discard_takes_a_value);
    tcase_add_loop_test(tc, misuse_panics_like_go, 0, (int)(sizeof deaths / sizeof deaths[0]));
    tcase_add_test(tc, close_under_a_blocked_sender_panics_the_sender);
    tcase_add_loop_test(tc, broken_invariants_stop_the_program, 0, (int)(sizeof broken / sizeof broken[0]));
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(chan_suite)
