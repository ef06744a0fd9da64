/* Grader for exercise 07 — select.
 *
 * Every check is a state the grader waits for, never a timing:
 *  - "merge2 waits on both inputs at once": one input idle, the other
 *    holding values; after settling, the values are in `out` or they are
 *    not;
 *  - "a closed input is switched off": the closed input is always ready,
 *    so code that keeps selecting on it either spins (settle fails),
 *    forwards zeros nobody sent, or counts the close twice and closes
 *    `out` early; each is seen after settling;
 *  - fairness is statistical (see merge2_chooses_fairly_between_ready_inputs);
 *  - timeouts run on the fake clock (goc/fakeclock.h): time moves only
 *    when the grader advances it or everything is parked, so "returned
 *    before d", "still waiting after d" and "returned at 10 minutes, not
 *    at the hour" are exact facts, and goc_pending_timers() names a
 *    goc_after the learner forgot to free.
 * The memory pass (asan: true) catches goc_after channels never freed. */
#include "grader.h"

int merge2(goc_recvch a, goc_recvch b, goc_sendch out);
int drain_ready(goc_recvch in, int *buf, int max);
goc_try_result recv_timeout(goc_recvch in, int *v, goc_duration d);

#define EX "exercises/07-select.c"

/* A channel of int the test end frees (after the leak check). */
static goc_chan *chan_int(size_t cap)
{
    goc_chan *ch = goc_chan_make(int, cap);
    cl__own(cl__owned.chans, ch);
    return ch;
}

static void fill(goc_chan *ch, int first, int count)
{
    for (int i = 0; i < count; i++)
        goc_send(ch, &(int){first + i});
}

/* Receives everything `out` holds now, then says whether it is closed. */
static int take_all(goc_chan *out, int *vals, int max, bool *closed)
{
    int n = 0, v;
    goc_try_result r;
    while ((r = goc_try_recv(out, &v)) == GOC_RECEIVED)
        if (n < max)
            vals[n++] = v;
    *closed = r == GOC_CLOSED;
    return n;
}

/* ---- merge2 -------------------------------------------------------------------- */

typedef struct merge_call {
    goc_chan *a, *b, *out;
    int n;
    cl_call call;
} merge_call;

static void call_merge2(void *arg)
{
    merge_call *m = arg;
    m->n = merge2(goc_recv_only(m->a), goc_recv_only(m->b), goc_send_only(m->out));
}

static merge_call *start_merge2(goc_chan *a, goc_chan *b, goc_chan *out)
{
    merge_call *m = cl_alloc(1, sizeof *m);
    *m = (merge_call){.a = a, .b = b, .out = out, .n = -1};
    cl_spawn_call(&m->call, call_merge2, m);
    return m;
}

/* A grader goroutine that sends count values from `first` on ch, then
 * closes it: the only sender, so it is the one that closes. */
typedef struct source {
    goc_chan *ch;
    int first, count;
} source;

static void source_main(void *arg)
{
    source *s = arg;
    fill(s->ch, s->first, s->count);
    goc_close(s->ch);
}

static void start_source(goc_chan *ch, int first, int count)
{
    source *s = cl_alloc(1, sizeof *s);
    *s = (source){ch, first, count};
    goc_go_named("grader source", source_main, s);
}

/* vals holds what out delivered: every value of a (a_first..+na-1) and of
 * b, each once, each source in its own order, and nothing else. */
static void expect_merged(const int *vals, int n, int a_first, int na, int b_first, int nb,
                          const char *call)
{
    int next_a = a_first, next_b = b_first;
    for (int i = 0; i < n; i++) {
        int v = vals[i];
        cl_expect(v != 0, "only values the inputs carried",
                  "a closed channel is always ready and yields the zero value with ok == "
                  "false; check ok and set that input's case to NULL (goc_recv_only(NULL)) so "
                  "select never chooses it again",
                  "%s: out received 0, a value nobody sent, as value number %d (" EX
                  ", merge2).", call, i + 1);
        bool from_a = v >= a_first && v < a_first + na, from_b = v >= b_first && v < b_first + nb;
        cl_expect(from_a || from_b, "only values the inputs carried", "forward what you received",
                  "%s: out received %d, which neither input sent (" EX ", merge2).", call, v);
        int *next = from_a ? &next_a : &next_b;
        cl_expect(v == *next, "each input's values in the order that input sent them",
                  "forward each value once, as soon as it is received",
                  "%s: out received %d where %d was due from the same input (" EX
                  ", merge2).", call, v, *next);
        (*next)++;
    }
    cl_expect(n == na + nb && next_a == a_first + na && next_b == b_first + nb,
              "every value of both inputs in out",
              "keep selecting until both inputs are closed; a value still in an input is lost "
              "if merge2 stops early",
              "%s: out received %d values (%d of %d from a, %d of %d from b) (" EX
              ", merge2).", call, n, next_a - a_first, na, next_b - b_first, nb);
}

CL_TEST(merge2_forwards_every_value_from_both)
{
    /* Two calls at once, each with its own channels: nothing may be shared. */
    merge_call *m[2];
    for (int k = 0; k < 2; k++) {
        goc_chan *a = chan_int(0), *b = chan_int(0), *out = chan_int(32);
        start_source(a, 100 * (k + 1), 5);
        start_source(b, 1000 * (k + 1), 4);
        m[k] = start_merge2(a, b, out);
    }
    for (int k = 0; k < 2; k++) {
        cl_expect(cl_call_await(&m[k]->call, 5), "merge2 to return once both inputs are closed",
                  "loop while at least one input is open; a closed input's case becomes NULL, "
                  "and when both are NULL the loop ends",
                  "merge2 was still running after both inputs had sent everything and closed "
                  "(" EX ", merge2).");
        int vals[32];
        bool closed;
        int n = take_all(m[k]->out, vals, 32, &closed);
        expect_merged(vals, n, 100 * (k + 1), 5, 1000 * (k + 1), 4, "merge2 of 5 and 4 values");
        cl_expect(m[k]->n == 9, "merge2 to return how many values it forwarded (9)",
                  "count each value you send on out",
                  "merge2 returned %d (" EX ", merge2).", m[k]->n);
        cl_expect(closed, "out closed after both inputs closed",
                  "merge2 is out's only sender: it closes out once both inputs are finished",
                  "merge2 returned without closing out; a receiver ranging over out waits for "
                  "ever (" EX ", merge2).");
    }
}
CL_END_TEST

CL_TEST(merge2_forwards_b_while_a_is_idle)
{
    goc_chan *a = chan_int(0), *b = chan_int(5), *out = chan_int(16);
    fill(b, 200, 5); /* b: 5 values ready; a: open, and nobody sends on it yet */
    merge_call *m = start_merge2(a, b, out);
    bool settled = cl_settle();
    cl_expect(settled, "merge2 to wait (parked) while a is idle",
              "a select parks until one of its cases is ready; a loop of goc_try_recv spins",
              "merge2 kept running for %d s with nothing to do (" EX ", merge2).",
              CL_SETTLE_SECONDS);
    size_t ready = goc_len(out);
    cl_expect(ready == 5, "b's 5 values in out while a is still open and idle",
              "select waits on several channels at once and takes whichever is ready; "
              "receiving from a first and then from b waits on a alone",
              "merge2 waited on a while b had 5 values ready: out holds %zu of them (" EX
              ", merge2).", ready);
    cl_expect(!cl_call_returned(&m->call), "merge2 to keep waiting while a is open",
              "a is open: more values may come", "merge2 returned while a was still open ("
              EX ", merge2).");
    goc_close(b);
    cl_settle();
    int vals[16];
    bool closed;
    int n = take_all(out, vals, 16, &closed);
    cl_expect(!closed && !cl_call_returned(&m->call),
              "out to stay open while a is open, even after b closed",
              "one closed input is not the end: switch its case off (NULL) and keep selecting "
              "on the other until it closes too",
              "out was closed while a was still open, when b closed (" EX ", merge2).");
    goc_send(a, &(int){100}); /* a wakes up late: its value must still come through */
    goc_close(a);
    cl_expect(cl_call_await(&m->call, 5), "merge2 to return once both inputs are closed",
              "when both cases are NULL the loop ends",
              "merge2 did not return after a and b were both closed (" EX ", merge2).");
    int more = take_all(out, vals + n, 16 - n, &closed);
    cl_expect(more == 1 && vals[n] == 100, "a's late value 100 forwarded",
              "keep selecting on a after b closed",
              "after b closed, a sent 100 and out received %d value%s (" EX ", merge2).", more,
              more == 1 ? "" : "s");
    cl_expect(closed, "out closed after both inputs closed", "merge2 closes out last",
              "merge2 returned without closing out (" EX ", merge2).");
}
CL_END_TEST

CL_TEST(merge2_stops_reading_a_closed_input)
{
    goc_chan *a = chan_int(0), *b = chan_int(0), *out = chan_int(64);
    goc_close(a); /* a is finished before merge2 starts; b delivers slowly */
    merge_call *m = start_merge2(a, b, out);
    int vals[64], n = 0;
    bool closed = false;
    for (int v = 201; v <= 203; v++) {
        bool settled = cl_settle();
        cl_expect(settled, "merge2 to park while b is idle, although a is closed",
                  "a closed channel is always ready: a select that still has a case on it "
                  "never waits, it spins. Once ok is false, set that input to the nil channel "
                  "(goc_recv_only(NULL)): a nil case is never chosen",
                  "merge2 kept running for %d s while a was closed and b idle (" EX
                  ", merge2).", CL_SETTLE_SECONDS);
        n += take_all(out, vals + n, 64 - n, &closed);
        for (int i = 0; i < n; i++)
            cl_expect(vals[i] != 0, "no value but those b sent",
                      "a closed channel yields the zero value with ok == false: check ok "
                      "before forwarding, and set the closed input's case to NULL",
                      "out received 0, a value nobody sent: a was closed and merge2 forwarded "
                      "its zero value (" EX ", merge2).");
        cl_expect(!closed && !cl_call_returned(&m->call), "out to stay open while b is open",
                  "count each input's close once: a closed case left in the select fires "
                  "again and again, so a counter of closes reaches 2 while b is still open",
                  "out was closed while b was still open (a closed, b had sent %d of 3 values) ("
                  EX ", merge2).", v - 201);
        cl_expect(cl_send_within(b, &v, 5, &m->call), "merge2 to receive from b",
                  "keep selecting on b while it is open",
                  "merge2 did not receive value %d from b (" EX ", merge2).", v);
    }
    goc_close(b);
    cl_expect(cl_call_await(&m->call, 5), "merge2 to return once both inputs are closed",
              "when both cases are NULL the loop ends",
              "merge2 did not return after b closed too (" EX ", merge2).");
    n += take_all(out, vals + n, 64 - n, &closed);
    expect_merged(vals, n, 1, 0, 201, 3, "merge2 with a closed at once and b sending 3 values");
    cl_expect(closed && m->n == 3, "out closed and 3 returned",
              "merge2 closes out after both inputs and returns its count",
              "out was %sclosed; merge2 returned %d (" EX ", merge2).", closed ? "" : "not ",
              m->n);
}
CL_END_TEST

/* Both inputs hold 200 values and are already closed, so for each of the
 * first 200 values merge2 forwards, both cases are ready (neither input can
 * run dry before 200 values have been taken in total).  libgoc's select
 * picks uniformly among ready cases, so the number taken from a among the
 * first 200 is Binomial(200, 1/2).  The test requires at least 40 from each
 * input: a correct solution fails it with probability
 * 2 * P(X <= 39) = 8.3e-19 (computed exactly: sum of C(200, i) / 2^200 for
 * i < 40, doubled), far below 1e-12.  A loop that tries a first
 * (goc_try_recv(a) before the select) takes all 200 from a, every time. */
enum { FAIR_N = 200, FAIR_MIN = 40 };

CL_TEST(merge2_chooses_fairly_between_ready_inputs)
{
    goc_chan *a = chan_int(FAIR_N), *b = chan_int(FAIR_N), *out = chan_int(2 * FAIR_N);
    fill(a, 10000, FAIR_N);
    fill(b, 20000, FAIR_N);
    goc_close(a);
    goc_close(b);
    merge_call *m = start_merge2(a, b, out);
    cl_expect(cl_call_await(&m->call, 5), "merge2 to return once both inputs are drained",
              "closed channels deliver their buffered values first, then ok == false",
              "merge2 did not return (" EX ", merge2).");
    int *vals = cl_alloc(2 * FAIR_N, sizeof *vals);
    bool closed;
    int n = take_all(out, vals, 2 * FAIR_N, &closed);
    expect_merged(vals, n, 10000, FAIR_N, 20000, FAIR_N, "merge2 of two full inputs");
    int from_a = 0;
    for (int i = 0; i < FAIR_N; i++)
        from_a += vals[i] < 20000;
    cl_expect(from_a >= FAIR_MIN && FAIR_N - from_a >= FAIR_MIN,
              "both inputs served about equally while both were ready (at least 40 of the "
              "first 200 from each)",
              "when several cases are ready, select picks one at random, so no input can "
              "starve the other. Trying one input first (goc_try_recv, or a default case) "
              "before the select gives it priority: put both in one select",
              "of the first 200 values, %d came from a and %d from b although both were "
              "always ready (" EX ", merge2).", from_a, FAIR_N - from_a);
}
CL_END_TEST

/* ---- drain_ready ------------------------------------------------------------------- */

typedef struct drain_call {
    goc_chan *in;
    int buf[16], max, n;
    cl_call call;
} drain_call;

static void call_drain_ready(void *arg)
{
    drain_call *d = arg;
    d->n = drain_ready(goc_recv_only(d->in), d->buf, d->max);
}

/* Runs drain_ready in its own goroutine; false if it did not return. */
static bool run_drain_ready(drain_call *d, goc_chan *in, int max)
{
    memset(d, 0, sizeof *d);
    d->in = in;
    d->max = max;
    d->n = -1;
    cl_spawn_call(&d->call, call_drain_ready, d);
    return cl_call_await(&d->call, 5);
}

CL_TEST(drain_ready_takes_what_is_waiting_without_blocking)
{
    goc_chan *in = chan_int(8);
    fill(in, 7, 3);
    drain_call *d = cl_alloc(1, sizeof *d);
    bool returned = run_drain_ready(d, in, 8);
    cl_expect(returned, "drain_ready to return once the 3 waiting values are taken",
              "a select with a default case never blocks: default runs when no case is ready "
              "at that instant (goc_select_default)",
              "drain_ready blocked waiting for a 4th value that nobody sends; add a default "
              "case (" EX ", drain_ready).");
    cl_expect(d->n == 3 && d->buf[0] == 7 && d->buf[1] == 8 && d->buf[2] == 9,
              "3 and the values 7, 8, 9 in buf",
              "receive in a loop until the default case fires, storing each value",
              "drain_ready returned %d with buf = {%d, %d, %d} (" EX ", drain_ready).", d->n,
              d->buf[0], d->buf[1], d->buf[2]);
    cl_expect_chan_untouched(in, 0, "in", "drain_ready", EX ", drain_ready");
}
CL_END_TEST

/* A grader goroutine blocked in a send on an unbuffered channel. */
static void blocked_sender(void *arg) { goc_send((goc_chan *)arg, &(int){55}); }

CL_TEST(drain_ready_stops_at_max_at_empty_and_at_close)
{
    drain_call *d = cl_alloc(1, sizeof *d);

    goc_chan *empty = chan_int(4);
    cl_expect(run_drain_ready(d, empty, 4) && d->n == 0, "0 from an empty channel, at once",
              "the default case fires when nothing is ready",
              "drain_ready on an empty channel %s (" EX ", drain_ready).",
              cl_call_returned(&d->call) ? "did not return 0" : "blocked");

    goc_chan *five = chan_int(8);
    fill(five, 1, 5);
    cl_expect(run_drain_ready(d, five, 2) && d->n == 2 && goc_len(five) == 3,
              "exactly max (2) values taken, 3 left in the channel",
              "stop at max: buf has room for max values only",
              "with 5 waiting and max 2, drain_ready returned %d and left %zu (" EX
              ", drain_ready).", d->n, goc_len(five));

    goc_chan *closed = chan_int(4);
    fill(closed, 31, 2);
    goc_close(closed);
    cl_expect(run_drain_ready(d, closed, 8) && d->n == 2,
              "2 from a closed channel holding 2 values",
              "a closed channel is always ready and yields zeros with ok == false: check ok "
              "(goc_case_recv_ok) and stop at the close",
              "drain_ready returned %d%s (" EX ", drain_ready).", d->n,
              d->n > 2 ? ": it stored the zero values of a closed channel as data" : "");

    goc_chan *unbuf = chan_int(0);
    goc_go_named("grader sender", blocked_sender, unbuf);
    cl_settle(); /* the sender is now parked in its send */
    cl_expect(run_drain_ready(d, unbuf, 4) && d->n == 1 && d->buf[0] == 55,
              "1 value (55) from an unbuffered channel whose sender is waiting",
              "a sender already blocked on an unbuffered channel makes its receive ready; "
              "goc_len says 0 there, so do not test the length, ask the channel",
              "drain_ready returned %d (" EX ", drain_ready).", d->n);
}
CL_END_TEST

/* ---- recv_timeout ----------------------------------------------------------------------- */

typedef struct timeout_call {
    goc_chan *in;
    goc_duration d;
    int v;
    goc_try_result r;
    cl_call call;
} timeout_call;

static void call_recv_timeout(void *arg)
{
    timeout_call *t = arg;
    t->r = recv_timeout(goc_recv_only(t->in), &t->v, t->d);
}

static timeout_call *start_recv_timeout(goc_chan *in, goc_duration d)
{
    timeout_call *t = cl_alloc(1, sizeof *t);
    *t = (timeout_call){.in = in, .d = d, .v = -1, .r = (goc_try_result)-1};
    cl_spawn_call(&t->call, call_recv_timeout, t);
    return t;
}

static const char *result_name(goc_try_result r)
{
    switch (r) {
    case GOC_RECEIVED: return "GOC_RECEIVED";
    case GOC_CLOSED: return "GOC_CLOSED";
    case GOC_WOULD_BLOCK: return "GOC_WOULD_BLOCK";
    }
    return "(not a goc_try_result)";
}

/* After recv_timeout returned, no timer it made may still be pending. */
static void expect_timer_freed(const char *call)
{
    cl_expect_no_pending_timers(call,
                                EX ", recv_timeout: free the goc_after channel on every path");
}

CL_TEST(recv_timeout_returns_a_waiting_value_at_once)
{
    goc_fakeclock_enable();
    goc_chan *in = chan_int(1);
    goc_send(in, &(int){42});
    goc_time start = goc_now();
    timeout_call *t = start_recv_timeout(in, GOC_HOUR);
    bool returned = cl_call_await(&t->call, 5);
    cl_expect(returned, "recv_timeout to return at once when a value is already waiting",
              "select on the channel and the timeout together: whichever is ready first wins, "
              "and a waiting value is ready now",
              "recv_timeout(in, 1 h) was still waiting although 42 was in the channel (" EX
              ", recv_timeout).");
    cl_expect(t->r == GOC_RECEIVED && t->v == 42, "GOC_RECEIVED with 42",
              "store the received value in *v and return GOC_RECEIVED",
              "recv_timeout returned %s with *v = %d (" EX ", recv_timeout).", result_name(t->r),
              t->v);
    cl_expect(goc_since(start) == 0, "no time to pass", "do not sleep: select",
              "recv_timeout let %lld ms of (fake) time pass first (" EX ", recv_timeout).",
              (long long)(goc_since(start) / GOC_MILLISECOND));
    expect_timer_freed("recv_timeout(in, 1 h) with a value waiting");
}
CL_END_TEST

/* d on the fake clock: not returned a moment before d, returned at d. */
static void expect_times_out_exactly(goc_chan *in, goc_duration d, const char *what)
{
    goc_time start = goc_now();
    timeout_call *t = start_recv_timeout(in, d);
    cl_settle();
    cl_expect(!cl_call_returned(&t->call), "recv_timeout to wait for d before giving up",
              "the timeout is a channel (goc_after(d)) that becomes ready after d; select on "
              "it together with the input",
              "recv_timeout(%s, %lld ms) returned %s before any time had passed (" EX
              ", recv_timeout).", what, (long long)(d / GOC_MILLISECOND), result_name(t->r));
    goc_fakeclock_advance(d - GOC_MILLISECOND);
    cl_expect(!cl_call_returned(&t->call), "recv_timeout to wait for the whole of d",
              "make the timeout once, with the whole d",
              "recv_timeout(%s, %lld ms) returned after %lld ms (" EX ", recv_timeout).", what,
              (long long)(d / GOC_MILLISECOND), (long long)(goc_since(start) / GOC_MILLISECOND));
    goc_fakeclock_advance(GOC_MILLISECOND);
    bool returned = cl_call_await(&t->call, 5);
    cl_expect(returned, "recv_timeout to give up when d has passed",
              "a receive alone waits for ever; select on the input and goc_after(d)",
              "recv_timeout(%s, %lld ms) was still waiting %lld ms later (" EX
              ", recv_timeout).", what, (long long)(d / GOC_MILLISECOND),
              (long long)(goc_since(start) / GOC_MILLISECOND));
    cl_expect(t->r == GOC_WOULD_BLOCK, "GOC_WOULD_BLOCK on a timeout",
              "the timeout case returns GOC_WOULD_BLOCK",
              "recv_timeout(%s, ...) timed out but returned %s (" EX ", recv_timeout).", what,
              result_name(t->r));
}

CL_TEST(recv_timeout_gives_up_exactly_after_d)
{
    goc_fakeclock_enable();
    expect_times_out_exactly(chan_int(0), 20 * GOC_MILLISECOND, "a silent channel");
    expect_timer_freed("recv_timeout that timed out");
    /* The nil channel: its case is never ready, so only the timeout fires. */
    expect_times_out_exactly(NULL, 5 * GOC_MILLISECOND, "the nil channel");
    expect_timer_freed("recv_timeout on the nil channel");
}
CL_END_TEST

CL_TEST(recv_timeout_returns_when_a_value_arrives)
{
    goc_fakeclock_enable();
    goc_chan *in = chan_int(1);
    goc_time start = goc_now();
    timeout_call *t = start_recv_timeout(in, GOC_HOUR);
    goc_fakeclock_advance(10 * GOC_MINUTE);
    cl_expect(!cl_call_returned(&t->call), "recv_timeout to keep waiting inside its hour",
              "the timeout fires after d, not before",
              "recv_timeout(in, 1 h) returned %s after 10 minutes with nothing sent (" EX
              ", recv_timeout).", result_name(t->r));
    goc_send(in, &(int){7});
    bool returned = cl_call_await(&t->call, 5);
    cl_expect(returned, "recv_timeout to return as soon as the value arrives",
              "select wakes on whichever case is ready first; a loop that sleeps and looks "
              "again answers late, and a sleep of d answers only at the end",
              "recv_timeout(in, 1 h) did not return when 7 was sent 10 minutes in (" EX
              ", recv_timeout).");
    cl_expect(t->r == GOC_RECEIVED && t->v == 7, "GOC_RECEIVED with 7",
              "store the value and return GOC_RECEIVED",
              "recv_timeout returned %s with *v = %d (" EX ", recv_timeout).", result_name(t->r),
              t->v);
    cl_expect(goc_since(start) == 10 * GOC_MINUTE, "to return at 10 minutes, when 7 arrived",
              "return as soon as the value arrives",
              "recv_timeout returned at %lld s (" EX ", recv_timeout).",
              (long long)(goc_since(start) / GOC_SECOND));
    expect_timer_freed("recv_timeout(in, 1 h) that received after 10 minutes");
}
CL_END_TEST

CL_TEST(recv_timeout_reports_a_closed_channel)
{
    goc_fakeclock_enable();
    goc_chan *in = chan_int(2);
    goc_send(in, &(int){5});
    goc_close(in);
    timeout_call *t = start_recv_timeout(in, GOC_HOUR);
    cl_expect(cl_call_await(&t->call, 5) && t->r == GOC_RECEIVED && t->v == 5,
              "GOC_RECEIVED 5: a closed channel still delivers what it holds",
              "buffered values come first, then the close",
              "recv_timeout returned %s with *v = %d (" EX ", recv_timeout).", result_name(t->r),
              t->v);
    t = start_recv_timeout(in, GOC_HOUR);
    bool returned = cl_call_await(&t->call, 5);
    cl_expect(returned, "recv_timeout to return at once on a closed channel",
              "a closed channel is ready at once",
              "recv_timeout on a closed channel was still waiting (" EX ", recv_timeout).");
    cl_expect(t->r == GOC_CLOSED, "GOC_CLOSED for a closed, drained channel",
              "goc_case_recv_ok sets ok to false when the channel is closed: that is "
              "GOC_CLOSED, not a value 0",
              "recv_timeout said %s%s for a closed channel (" EX ", recv_timeout).",
              result_name(t->r), t->r == GOC_RECEIVED ? " 0" : "");
    expect_timer_freed("recv_timeout on a closed channel");
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("07-select", merge2_forwards_every_value_from_both,
                    merge2_forwards_b_while_a_is_idle, merge2_stops_reading_a_closed_input,
                    merge2_chooses_fairly_between_ready_inputs,
                    drain_ready_takes_what_is_waiting_without_blocking,
                    drain_ready_stops_at_max_at_empty_and_at_close,
                    recv_timeout_returns_a_waiting_value_at_once,
                    recv_timeout_gives_up_exactly_after_d,
                    recv_timeout_returns_when_a_value_arrives,
                    recv_timeout_reports_a_closed_channel);
}
