/* Grader for exercise 05 — channel directions and closing.
 *
 * A close is an event the grader can wait for exactly: after settling,
 * a channel is either closed (goc_try_recv says GOC_CLOSED) or it is not
 * (GOC_WOULD_BLOCK), and nothing will change that without the grader.
 * The grader keeps the ownership rules of the lesson itself: it closes
 * the channels it sends on, so a learner function that closes a channel
 * it only receives from runs into libgoc's `close of closed channel`
 * panic at the learner's own line.  Direction mistakes are compile
 * errors, which the lesson shows; the grader cannot. */
#include "grader.h"

#include <limits.h>

goc_recvch generate(int from, int to);
long sum_all(goc_recvch in, int *count);
void split(goc_recvch in, goc_sendch evens, goc_sendch odds);
void broadcast_stop(goc_sendch stop);

#define EX "exercises/05-directions-and-closing.c"

/* After settling: is `ch` closed and drained?  Drains nothing: any value
 * found is put in *extra and reported by the caller. */
static goc_try_result settled_state(goc_chan *ch, int *extra)
{
    cl_settle();
    return goc_try_recv(ch, extra);
}

/* ---- generate ------------------------------------------------------------------ */

/* Receives from..to-1 from a generate channel, then requires the close. */
static void expect_generated(goc_recvch in, int from, int to)
{
    for (int want = from; want < to; want++) {
        int v = -1;
        goc_try_result r = cl_recv_within(in.ch, &v, 5, NULL);
        if (r != GOC_RECEIVED)
            cl_settle(); /* a sender that still tries lets libgoc's panic through first */
        cl_expect(r == GOC_RECEIVED, "the values from, from+1, ..., to-1, then the close",
                  "the generator goroutine sends every value first and closes only after its "
                  "last send",
                  "generate(%d, %d): receive number %d %s, expected %d (" EX ", generate).",
                  from, to, want - from + 1,
                  r == GOC_CLOSED ? "found the channel already closed" : "got nothing within 5 s",
                  want);
        cl_expect(v == want, "the values in order", "send from, from+1, ..., to-1 in a loop",
                  "generate(%d, %d): receive number %d got %d, expected %d (" EX ", generate).",
                  from, to, want - from + 1, v, want);
    }
    int extra = 0;
    goc_try_result r = settled_state(in.ch, &extra);
    cl_expect(r != GOC_RECEIVED, "nothing after the last value but the close",
              "send exactly to - from values",
              "generate(%d, %d) sent an extra value %d (" EX ", generate).", from, to, extra);
    cl_expect(r == GOC_CLOSED, "the channel closed after the last value",
              "the sender closes: goc_close(out) after its last send, so a receiver's "
              "goc_recv returns false instead of waiting forever",
              "generate(%d, %d) sent all %d values but never closed the channel; a receiver "
              "looping until ok == false waits for ever (" EX ", generate).",
              from, to, to - from);
}

CL_TEST(generate_sends_from_to_then_closes)
{
    goc_recvch a = generate(3, 9);
    cl_expect(a.ch != NULL, "generate to return the receiving side of a channel",
              "goc_recv_only(ch) turns the channel into a goc_recvch",
              "generate(3, 9) returned a handle to NULL (" EX ", generate).");
    cl_expect(goc_chan_elem_size(a.ch) == sizeof(int), "a channel of int", "goc_chan_make(int, ...)",
              "its element size is %zu (" EX ", generate).", goc_chan_elem_size(a.ch));
    goc_recvch b = generate(-2, 2); /* two generators at once: each its own channel */
    expect_generated(a, 3, 9);
    expect_generated(b, -2, 2);
    cl_expect_no_leaks();
    goc_chan_free(a);
    goc_chan_free(b);
}
CL_END_TEST

CL_TEST(generate_with_nothing_to_send_just_closes)
{
    goc_recvch in = generate(5, 5);
    cl_expect(in.ch != NULL, "generate(5, 5) to return a channel", "always make the channel",
              "it returned a handle to NULL (" EX ", generate).");
    expect_generated(in, 5, 5);
    cl_expect_no_leaks();
    goc_chan_free(in);
}
CL_END_TEST

/* ---- sum_all ----------------------------------------------------------------------- */

typedef struct sum_call {
    goc_recvch in;
    long sum;
    int count;
} sum_call;

static void call_sum_all(void *arg)
{
    sum_call *s = arg;
    s->count = -1;
    s->sum = sum_all(s->in, &s->count);
}

/* Zeros are data: only the close ends the loop.  The values wait in the
 * buffer of a channel that is already closed, which is also the case
 * "closed, but not yet drained". */
CL_TEST(sum_all_counts_zeros_as_values)
{
    goc_chan *ch = goc_chan_make(int, 8);
    static const int vs[] = {0, 0, 5, 0, -2, 0};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        goc_send(ch, &vs[i]);
    goc_close(ch);
    static sum_call s;
    s.in = goc_recv_only(ch);
    cl_call c;
    cl_spawn_call(&c, call_sum_all, &s);
    cl_expect(cl_call_await(&c, 5), "sum_all to return once the channel is closed and drained",
              "the comma-ok receive: goc_recv returns false once the channel is closed and "
              "empty",
              "sum_all was still waiting on a closed channel (" EX ", sum_all).");
    cl_expect(s.count == 6 && s.sum == 3, "count 6 and sum 3 for 0, 0, 5, 0, -2, 0 then close",
              "a zero is a value like any other; only ok == false (goc_recv returning false) "
              "means the channel is closed",
              "sum_all returned sum %ld with count %d%s (" EX ", sum_all).", s.sum, s.count,
              s.count < 6 ? ": it stopped early, as if a value ended the stream" : "");
    goc_chan_free(ch);
}
CL_END_TEST

/* sum_all returns a long because the sum of ints need not fit in an int:
 * three values near INT_MAX add up to more than 6 * 10^9. */
CL_TEST(sum_all_adds_up_in_a_long)
{
    goc_chan *ch = goc_chan_make(int, 4);
    static const int vs[] = {INT_MAX, INT_MAX, INT_MAX - 7};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        goc_send(ch, &vs[i]);
    goc_close(ch);
    static sum_call s;
    s.in = goc_recv_only(ch);
    cl_call c;
    cl_spawn_call(&c, call_sum_all, &s);
    cl_expect(cl_call_await(&c, 5), "sum_all to return once the channel is closed and drained",
              "the comma-ok receive: goc_recv returns false once the channel is closed and "
              "empty",
              "sum_all was still waiting on a closed channel (" EX ", sum_all).");
    long want = 3L * INT_MAX - 7;
    cl_expect(s.count == 3 && s.sum == want,
              "count 3 and sum 6442450934 for three values near INT_MAX (2147483647)",
              "add up in a long, the type sum_all returns: an int sum overflows past "
              "2147483647, and in C a signed overflow is undefined behaviour",
              "sum_all returned sum %ld with count %d (" EX ", sum_all).", s.sum, s.count);
    goc_chan_free(ch);
}
CL_END_TEST

/* The channel stays open and empty between values: sum_all must keep
 * waiting, and return exactly when the sender closes. */
CL_TEST(sum_all_waits_for_the_close)
{
    goc_chan *ch = goc_chan_make(int, 0);
    static sum_call s;
    s.in = goc_recv_only(ch);
    cl_call c;
    cl_spawn_call(&c, call_sum_all, &s);
    for (int v = 1; v <= 3; v++)
        cl_expect(cl_send_within(ch, &v, 5, &c), "sum_all to receive every value",
                  "an empty channel is not a finished one: goc_len(in) == 0 only says nothing "
                  "is waiting right now. Receive until goc_recv returns false (closed)",
                  "sum_all %s before value %d was sent (" EX ", sum_all).",
                  cl_call_returned(&c) ? "returned" : "stopped receiving", v);
    cl_settle();
    cl_expect(!cl_call_returned(&c), "sum_all to keep waiting while the channel is open",
              "an empty channel is not a finished one: goc_len(in) == 0 only says nothing is "
              "waiting right now. Only goc_recv returning false means closed",
              "sum_all returned (sum %ld, count %d) while the channel was still open and the "
              "sender could still send (" EX ", sum_all).",
              s.sum, s.count);
    goc_close(ch);
    cl_expect(cl_call_await(&c, 5), "sum_all to return once the channel is closed",
              "goc_recv returns false on a closed, drained channel",
              "sum_all was still waiting after the close (" EX ", sum_all).");
    cl_expect(s.sum == 6 && s.count == 3, "sum 6, count 3", "add every value received",
              "sum %ld, count %d (" EX ", sum_all).", s.sum, s.count);
    goc_chan_free(ch);
}
CL_END_TEST

/* Three sum_all calls share one channel, as several consumers would:
 * each value reaches exactly one of them. */
CL_TEST(sum_all_shares_a_channel_with_other_callers)
{
    goc_chan *ch = goc_chan_make(int, 0);
    static sum_call s[3];
    cl_call c[3];
    for (int i = 0; i < 3; i++) {
        s[i].in = goc_recv_only(ch);
        cl_spawn_call(&c[i], call_sum_all, &s[i]);
    }
    for (int v = 1; v <= 60; v++)
        cl_expect(cl_send_within(ch, &v, 5, &c[0]), "the sum_all calls to take every value",
                  "receive until the channel is closed",
                  "value %d of 60 was not taken: %s (" EX ", sum_all).", v,
                  cl_call_returned(&c[0]) ? "a sum_all had already returned" : "nobody received for 5 s");
    goc_close(ch);
    long sum = 0;
    int count = 0;
    for (int i = 0; i < 3; i++) {
        cl_expect(cl_call_await(&c[i], 5), "every sum_all to return once the channel closed",
                  "a close wakes every receiver", "call %d of 3 was still waiting (" EX
                  ", sum_all).", i + 1);
        sum += s[i].sum;
        count += s[i].count;
    }
    cl_expect(sum == 1830 && count == 60,
              "the three results to add up to count 60 and sum 1830",
              "keep the running sum and count in local variables: each call has its own, and "
              "each value goes to exactly one receiver",
              "together they returned count %d and sum %ld (" EX ", sum_all).", count, sum);
    goc_chan_free(ch);
}
CL_END_TEST

/* ---- split ------------------------------------------------------------------------------ */

typedef struct split_call {
    goc_chan *in, *evens, *odds;
} split_call;

static void call_split(void *arg)
{
    split_call *s = arg;
    split(goc_recv_only(s->in), goc_send_only(s->evens), goc_send_only(s->odds));
}

static void split_start(split_call *s, cl_call *c)
{
    s->in = goc_chan_make(int, 0);
    s->evens = goc_chan_make(int, 16);
    s->odds = goc_chan_make(int, 16);
    cl_spawn_call(c, call_split, s);
}

/* Drains `out` into want-order check: values, then exactly the close. */
static void expect_output(goc_chan *out, const char *name, const int *want, int n)
{
    for (int i = 0; i < n; i++) {
        int v = 0;
        goc_try_result r = goc_try_recv(out, &v);
        cl_expect(r == GOC_RECEIVED && v == want[i], "each value on its own output, in order",
                  "v % 2 != 0 means odd, negative numbers included (in C, -3 % 2 is -1, not 1)",
                  "%s: value number %d was %s%d, expected %d (" EX ", split).", name, i + 1,
                  r == GOC_RECEIVED ? "" : (r == GOC_CLOSED ? "missing (closed) " : "missing "),
                  r == GOC_RECEIVED ? v : 0, want[i]);
    }
    int extra = 0;
    goc_try_result r = goc_try_recv(out, &extra);
    cl_expect(r != GOC_RECEIVED, "no other values", "route each value to exactly one output",
              "%s also received %d (" EX ", split).", name, extra);
    cl_expect(r == GOC_CLOSED, "both outputs closed once the input is closed",
              "split is the only sender on evens and odds, so it closes both, after its loop",
              "%s was not closed after split returned (" EX ", split).", name);
}

CL_TEST(split_routes_evens_and_odds_in_order)
{
    static split_call s;
    cl_call c;
    split_start(&s, &c);
    static const int in[] = {4, -3, 0, 7, -8, 11, 2, -1};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        cl_expect(cl_send_within(s.in, &in[i], 5, &c), "split to receive every value",
                  "receive from in until it is closed",
                  "split %s before value %d was sent (" EX ", split).",
                  cl_call_returned(&c) ? "returned" : "stopped receiving", in[i]);
    goc_close(s.in); /* the grader is in's sender: it closes in */
    cl_expect(cl_call_await(&c, 5), "split to return once in is closed",
              "loop until goc_recv returns false, close both outputs, return",
              "split was still running after in was closed (" EX ", split).");
    static const int evens[] = {4, 0, -8, 2}, odds[] = {-3, 7, 11, -1};
    expect_output(s.evens, "evens", evens, 4);
    expect_output(s.odds, "odds", odds, 4);
    goc_chan_free(s.in);
    goc_chan_free(s.evens);
    goc_chan_free(s.odds);
}
CL_END_TEST

/* While in is open, the outputs must stay open: a close too early tells
 * the consumers a lie they cannot take back. */
CL_TEST(split_closes_its_outputs_only_after_in_closes)
{
    static split_call s;
    cl_call c;
    split_start(&s, &c);
    int v = 6;
    cl_send_within(s.in, &v, 5, &c);
    v = 9;
    cl_send_within(s.in, &v, 5, &c);
    int got = 0;
    cl_settle(); /* split has forwarded 9 (or is stuck trying) */
    goc_try_result e = goc_try_recv(s.evens, &got);
    goc_try_result o = goc_try_recv(s.odds, &got);
    cl_expect(e == GOC_RECEIVED && o == GOC_RECEIVED, "6 on evens and 9 on odds",
              "forward each value as it arrives", "evens gave %s, odds gave %s (" EX ", split).",
              e == GOC_RECEIVED ? "a value" : e == GOC_CLOSED ? "closed" : "nothing",
              o == GOC_RECEIVED ? "a value" : o == GOC_CLOSED ? "closed" : "nothing");
    e = settled_state(s.evens, &got);
    o = goc_try_recv(s.odds, &got);
    cl_expect(e == GOC_WOULD_BLOCK && o == GOC_WOULD_BLOCK && !cl_call_returned(&c),
              "split still waiting on in, with both outputs open",
              "an empty input is not a closed one: close the outputs only after goc_recv(in) "
              "returned false",
              "with in still open, split had %s (evens %s, odds %s) (" EX ", split).",
              cl_call_returned(&c) ? "returned" : "not returned",
              e == GOC_CLOSED ? "closed" : "open", o == GOC_CLOSED ? "closed" : "open");
    cl_expect_chan_untouched(s.in, 0, "in", "split(in, evens, odds)", EX ", split");
    goc_close(s.in);
    cl_expect(cl_call_await(&c, 5), "split to return once in is closed",
              "loop until goc_recv returns false", "split was still running (" EX ", split).");
    expect_output(s.evens, "evens", NULL, 0);
    expect_output(s.odds, "odds", NULL, 0);
    goc_chan_free(s.in);
    goc_chan_free(s.evens);
    goc_chan_free(s.odds);
}
CL_END_TEST

/* ---- broadcast_stop ----------------------------------------------------------------------- */

enum { WAITERS = 8 };

typedef struct stop_waiters {
    goc_chan *stop;
    cl_latch woke;
} stop_waiters;

static void wait_on_stop(void *arg)
{
    stop_waiters *w = arg;
    char c;
    goc_recv(w->stop, &c);
    cl_latch_count_down(&w->woke);
}

static void call_broadcast_stop(void *arg)
{
    broadcast_stop(goc_send_only(((stop_waiters *)arg)->stop));
}

/* Eight goroutines are parked receiving on stop: one call must wake all. */
CL_TEST(broadcast_stop_wakes_every_waiter)
{
    static stop_waiters w;
    w.stop = goc_chan_make(char, 0);
    cl_latch_init(&w.woke, WAITERS);
    for (int i = 0; i < WAITERS; i++)
        goc_go_named("waiter on stop", wait_on_stop, &w);
    cl_settle();
    cl_call c;
    cl_spawn_call(&c, call_broadcast_stop, &w);
    cl_expect(cl_call_await(&c, 5), "broadcast_stop to return", "goc_close never blocks",
              "broadcast_stop was still blocked (" EX ", broadcast_stop).");
    cl_settle();
    int woke = cl_latch_arrived(&w.woke, WAITERS);
    cl_expect(woke == WAITERS, "all 8 waiting goroutines to wake up",
              "a send wakes one receiver; a close wakes every receiver at once, which makes it "
              "the broadcast: goc_close(stop)",
              "%d of %d waiters woke up (" EX ", broadcast_stop).", woke, WAITERS);
    cl_expect_no_leaks();
    goc_chan_free(w.stop);
}
CL_END_TEST

/* Nobody waits yet: broadcast_stop must not block, and a receiver that
 * comes later must see the stop at once. */
CL_TEST(broadcast_stop_reaches_later_receivers)
{
    static stop_waiters w;
    w.stop = goc_chan_make(char, 0);
    cl_call c;
    cl_spawn_call(&c, call_broadcast_stop, &w);
    cl_expect(cl_call_await(&c, 5), "broadcast_stop to return with nobody receiving yet",
              "an unbuffered send waits for a receiver; a close never waits",
              "broadcast_stop blocked because nobody was receiving on stop (" EX
              ", broadcast_stop).");
    char got;
    for (int i = 0; i < 3; i++) {
        goc_try_result r = goc_try_recv(w.stop, &got);
        cl_expect(r == GOC_CLOSED, "every later receive on stop to return at once, closed",
                  "a closed channel stays closed: every receive, now or later, returns at once "
                  "with ok == false",
                  "receive number %d after broadcast_stop %s (" EX ", broadcast_stop).", i + 1,
                  r == GOC_RECEIVED ? "took a value, which the next receiver will not find"
                                    : "would have blocked");
    }
    goc_chan_free(w.stop);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("05-directions-and-closing", generate_sends_from_to_then_closes,
                    generate_with_nothing_to_send_just_closes, sum_all_counts_zeros_as_values,
                    sum_all_adds_up_in_a_long,
                    sum_all_waits_for_the_close, sum_all_shares_a_channel_with_other_callers,
                    split_routes_evens_and_odds_in_order,
                    split_closes_its_outputs_only_after_in_closes,
                    broadcast_stop_wakes_every_waiter, broadcast_stop_reaches_later_receivers);
}
