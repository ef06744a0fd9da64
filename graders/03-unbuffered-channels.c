/* Grader for exercise 03 — unbuffered channels.
 *
 * compute_in_goroutine is called on the test's own goroutine, so a send
 * nobody receives stops the whole test with libgoc's deadlock report: the
 * verdict the lesson teaches the learner to read.  The other functions run
 * beside the test, which talks to them with bounded channel operations so
 * that a stuck goroutine becomes a message that says what was awaited. */
#include "grader.h"

int compute_in_goroutine(int (*f)(int), int x);
void relay(goc_chan *in, goc_chan *out, int n);
void run_with_done(void (*task)(void *), void *ctx, goc_chan *done);
goc_chan *start_counter(int n);

#define EX "exercises/03-unbuffered-channels.c"

/* ---- compute_in_goroutine ------------------------------------------------ */

static _Atomic(int64_t) f_goroutine;
static _Atomic(int) f_calls;
static cl_gate f_gate;
static _Atomic(int) f_hold;

static int probe_square(int x)
{
    atomic_store(&f_goroutine, goc_id());
    atomic_fetch_add(&f_calls, 1);
    if (atomic_load(&f_hold))
        cl_gate_pass(&f_gate);
    return x * x;
}

CL_TEST(compute_in_goroutine_returns_f_of_x)
{
    static const int xs[] = {7, 0, -4, 12};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        int got = compute_in_goroutine(probe_square, xs[i]);
        cl_expect(got == xs[i] * xs[i], "compute_in_goroutine(square, x) to return x*x",
                  "the receive returns the value the other goroutine sent: goc_recv(ch, &r)",
                  "compute_in_goroutine(square, %d) returned %d, expected %d (" EX
                  ", compute_in_goroutine).",
                  xs[i], got, xs[i] * xs[i]);
    }
}
CL_END_TEST

CL_TEST(compute_in_goroutine_runs_f_in_another_goroutine)
{
    atomic_store(&f_goroutine, 0);
    compute_in_goroutine(probe_square, 3);
    int64_t me = goc_id(), ran = atomic_load(&f_goroutine);
    cl_expect(ran != 0, "f to be called", "start a goroutine that calls f(x)",
              "compute_in_goroutine never called f (" EX ", compute_in_goroutine).");
    cl_expect(ran != me, "f to run in a new goroutine",
              "goc_go(fn, arg) runs fn in a new goroutine; the channel brings its result back",
              "f ran in the caller's own goroutine %lld (" EX ", compute_in_goroutine).",
              (long long)me);
}
CL_END_TEST

static _Atomic(int) computed;
static void call_compute(void *arg)
{
    (void)arg;
    atomic_store(&computed, compute_in_goroutine(probe_square, 9));
}

/* f is held on a gate: the caller must be blocked receiving, not gone. */
CL_TEST(compute_in_goroutine_waits_for_the_result)
{
    cl_gate_init(&f_gate);
    atomic_store(&f_hold, 1);
    cl_call c;
    cl_spawn_call(&c, call_compute, NULL);
    bool settled = cl_settle();
    cl_expect(atomic_load(&f_calls) > 0, "f to be called in a new goroutine",
              "start a goroutine that calls f(x) and sends the result",
              "compute_in_goroutine never called f (" EX ", compute_in_goroutine).");
    cl_expect(!cl_call_returned(&c), "compute_in_goroutine to wait for f's result",
              "a receive on an unbuffered channel blocks until a sender hands over a value: "
              "that is what makes the caller wait",
              "it returned %d while f was still running (the grader held it) (" EX
              ", compute_in_goroutine).",
              atomic_load(&computed));
    cl_expect(settled, "compute_in_goroutine to block in its receive, not to poll",
              "goc_recv blocks without using the CPU until the value comes; a loop of "
              "goc_try_recv (with or without goc_yield) keeps a CPU busy the whole time",
              "compute_in_goroutine kept running for %d s while f was held: it checks the "
              "channel over and over instead of blocking in goc_recv (" EX
              ", compute_in_goroutine).",
              CL_SETTLE_SECONDS);
    cl_gate_open(&f_gate);
    cl_expect(cl_call_await(&c, 5), "compute_in_goroutine to return once f returned",
              "the goroutine sends f's result; the caller receives it",
              "still blocked after f returned (" EX ", compute_in_goroutine).");
    cl_expect(atomic_load(&computed) == 81, "the result 81 for x = 9", "send f(x), receive it",
              "it returned %d (" EX ", compute_in_goroutine).", atomic_load(&computed));
}
CL_END_TEST

/* Eight callers at once, and all eight f's wait at a barrier for each
 * other before returning: every caller must get its own x*x back.  A
 * channel shared by the calls (a global, or a static made once) hands
 * results to the wrong caller, and the race pass sees the shared
 * variable written by all eight at once. */
static cl_barrier f_barrier;
static int barrier_square(int x)
{
    cl_barrier_arrive_and_wait(&f_barrier);
    return x * x;
}

static _Atomic(int) crowd_got[8];
static void compute_from_crowd(int caller, void *arg)
{
    (void)arg;
    atomic_store(&crowd_got[caller], compute_in_goroutine(barrier_square, caller + 2));
}

CL_TEST(compute_in_goroutine_from_eight_goroutines_at_once)
{
    cl_barrier_init(&f_barrier, 8);
    cl_expect(cl_call_concurrently(8, compute_from_crowd, NULL),
              "eight calls made at once to all return",
              "each call makes its own channel, receives once, and frees it",
              "some were still waiting once nothing else could run (" EX
              ", compute_in_goroutine).");
    for (int i = 0; i < 8; i++) {
        int x = i + 2, got = atomic_load(&crowd_got[i]);
        cl_expect(got == x * x, "each of eight simultaneous calls to get its own f(x)",
                  "a channel per call: one made in the call and freed by it. A global or "
                  "static channel is shared by every call running at the same time, so the "
                  "results go to whichever caller receives first",
                  "compute_in_goroutine(square, %d) returned %d while 7 other calls ran at the "
                  "same time (" EX ", compute_in_goroutine).",
                  x, got);
    }
}
CL_END_TEST

/* ---- relay --------------------------------------------------------------- */

typedef struct relay_args {
    goc_chan *in, *out;
    int n;
} relay_args;

static void call_relay(void *arg)
{
    relay_args *r = arg;
    relay(r->in, r->out, r->n);
}

/* Sends value `v` into the relay and expects v + 1 back, both within 5 s. */
static void expect_round_trip(relay_args *r, cl_call *c, int round, int v)
{
    cl_expect(cl_send_within(r->in, &v, 5, c), "relay to receive the next value from in",
              "the relay receives one value (goc_recv(in, &v)), sends one (goc_send(out, &v)), "
              "and repeats n times",
              "relay(in, out, %d) did not take value %d (round %d of %d): %s (" EX ", relay).",
              r->n, v, round, r->n,
              cl_call_returned(c) ? "it had already returned" : "nothing received from in for 5 s");
    int back = -1;
    goc_try_result got = cl_recv_within(r->out, &back, 5, c);
    cl_expect(got == GOC_RECEIVED, "relay to send the value plus one on out",
              "after each receive comes one send on out; the send waits for the grader",
              "after taking %d (round %d of %d) relay sent nothing on out within 5 s (" EX
              ", relay).",
              v, round, r->n);
    cl_expect(back == v + 1, "each value to come back plus one, in order",
              "one receive, one send, one value at a time: an unbuffered channel is a "
              "handshake, so order is kept",
              "round %d: sent %d, got back %d (expected %d) (" EX ", relay).", round, v, back,
              v + 1);
}

CL_TEST(relay_answers_each_value_in_order)
{
    static relay_args r;
    r = (relay_args){goc_chan_make(int, 0), goc_chan_make(int, 0), 5};
    cl_call c;
    cl_spawn_call(&c, call_relay, &r);
    for (int round = 1; round <= 5; round++)
        expect_round_trip(&r, &c, round, round * 100);
    cl_expect(cl_call_await(&c, 5), "relay to return after its 5th send", "loop exactly n times",
              "relay(in, out, 5) was still running after the 5th value (" EX ", relay).");
    cl_expect_no_leaks();
    goc_chan_free(r.in);
    goc_chan_free(r.out);
}
CL_END_TEST

/* The channels are the caller's: after relay returns they are open, and
 * nothing more is sent on them or taken from them. */
CL_TEST(relay_leaves_the_callers_channels_open)
{
    static relay_args r;
    r = (relay_args){goc_chan_make(int, 0), goc_chan_make(int, 0), 2};
    cl_call c;
    cl_spawn_call(&c, call_relay, &r);
    for (int round = 1; round <= 2; round++)
        expect_round_trip(&r, &c, round, round);
    cl_expect(cl_call_await(&c, 5), "relay to return after its 2nd send", "loop exactly n times",
              "relay(in, out, 2) was still running after the 2nd value (" EX ", relay).");
    cl_settle();
    cl_expect_chan_untouched(r.out, 0, "out", "relay(in, out, 2)", EX ", relay");
    cl_expect_chan_untouched(r.in, 0, "in", "relay(in, out, 2)", EX ", relay");
    cl_expect_no_leaks();
    goc_chan_free(r.in);
    goc_chan_free(r.out);
}
CL_END_TEST

/* One value in flight at a time: the relay may not take a second value
 * before its answer to the first has been received. */
CL_TEST(relay_waits_for_each_answer_to_be_taken)
{
    static relay_args r;
    r = (relay_args){goc_chan_make(int, 0), goc_chan_make(int, 0), 2};
    cl_call c;
    cl_spawn_call(&c, call_relay, &r);
    int first = 1;
    cl_expect(cl_send_within(r.in, &first, 5, &c), "relay to receive from in",
              "goc_recv(in, &v) first", "relay(in, out, 2) took nothing from in (" EX ", relay).");
    cl_settle();
    int second = 2;
    cl_expect(!goc_try_send(r.in, &second),
              "relay to be blocked sending its answer until the grader receives it",
              "an unbuffered send completes only when a receiver takes the value; the relay "
              "sends each answer before it receives again",
              "relay received a second value while its answer to the first was not taken yet "
              "(" EX ", relay).");
    int back;
    cl_expect(cl_recv_within(r.out, &back, 5, &c) == GOC_RECEIVED && back == 2,
              "the answer 2 to the value 1", "send v + 1 on out",
              "no answer, or the wrong one (" EX ", relay).");
    expect_round_trip(&r, &c, 2, 2);
    cl_expect(cl_call_await(&c, 5), "relay to return after 2 rounds", "loop exactly n times",
              "relay(in, out, 2) was still running after its 2nd answer (" EX ", relay).");
    goc_chan_free(r.in);
    goc_chan_free(r.out);
}
CL_END_TEST

/* ---- run_with_done --------------------------------------------------------- */

typedef struct held_task {
    cl_gate gate;
    _Atomic(int) started, finished;
} held_task;

static void probe_held_task(void *ctx)
{
    held_task *t = ctx;
    atomic_store(&t->started, 1);
    cl_gate_pass(&t->gate);
    atomic_store(&t->finished, 1);
}

typedef struct done_args {
    held_task t;
    goc_chan *done;
} done_args;

static void call_run_with_done(void *arg)
{
    done_args *d = arg;
    run_with_done(probe_held_task, &d->t, d->done);
}

/* Nothing may wait on done while the task is held: the signal would claim
 * a finish that has not happened. */
static void expect_no_early_signal(done_args *d)
{
    bool early = false;
    int started = atomic_load(&d->t.started); /* before the receive frees the sender */
    goc_try_result r = goc_try_recv(d->done, &early);
    cl_expect(r == GOC_WOULD_BLOCK, "no signal on done while the task has not finished",
              "a channel used as a signal means \"finished\" only if the send comes after the "
              "work: send on done as the goroutine's last step",
              "a value (%s) was waiting on done before the task finished (the grader held the "
              "task; it had %s) (" EX ", run_with_done).",
              early ? "true" : "false", started ? "started" : "not even started");
}

static void start_run_with_done(done_args *d, cl_call *c)
{
    memset(d, 0, sizeof *d);
    cl_gate_init(&d->t.gate);
    d->done = goc_chan_make(bool, 0);
    cl_spawn_call(c, call_run_with_done, d);
    cl_settle();
    if (!atomic_load(&d->t.started))
        expect_no_early_signal(d);
    cl_expect(atomic_load(&d->t.started), "the task to be started in a new goroutine",
              "goc_go(fn, arg) where fn calls task(ctx) and then sends on done",
              "run_with_done never called the task (" EX ", run_with_done).");
}

CL_TEST(run_with_done_returns_at_once)
{
    static done_args d;
    cl_call c;
    start_run_with_done(&d, &c);
    cl_expect(cl_call_returned(&c), "run_with_done to return while the task still runs",
              "the caller learns about the end from the done channel, whenever it chooses to "
              "receive; run_with_done itself only starts the goroutine",
              "run_with_done was still blocked while its task was held: it waited for the "
              "task (" EX ", run_with_done).");
    cl_gate_open(&d.t.gate);
    bool ok = false;
    cl_expect(cl_recv_within(d.done, &ok, 5, NULL) == GOC_RECEIVED, "true on done once the task finished",
              "send on done after the task returns",
              "nothing arrived on done within 5 s of the task finishing (" EX ", run_with_done).");
}
CL_END_TEST

CL_TEST(run_with_done_signals_after_the_task)
{
    static done_args d;
    cl_call c;
    start_run_with_done(&d, &c);
    expect_no_early_signal(&d);
    cl_gate_open(&d.t.gate);
    bool ok = false;
    cl_expect(cl_recv_within(d.done, &ok, 5, NULL) == GOC_RECEIVED, "a signal on done after the task",
              "the goroutine sends true on done after task(ctx) returns",
              "nothing arrived on done within after the task finished (" EX
              ", run_with_done).");
    cl_expect(ok && atomic_load(&d.t.finished), "true on done, after the task finished",
              "send true, and only after the task", "received %s with the task %s (" EX
              ", run_with_done).",
              ok ? "true" : "false", atomic_load(&d.t.finished) ? "finished" : "not finished");
    cl_expect_no_leaks();
    goc_chan_free(d.done);
}
CL_END_TEST

/* done is the caller's: after the signal it is still open, so the caller
 * may free it at once.  (Go code often closes a done channel instead of
 * sending on it; here the contract is one send, and a close that comes
 * after the caller's receive may land on a channel already freed.) */
CL_TEST(run_with_done_leaves_done_to_the_caller)
{
    static done_args d;
    cl_call c;
    start_run_with_done(&d, &c);
    cl_gate_open(&d.t.gate);
    bool ok = false;
    cl_expect(cl_recv_within(d.done, &ok, 5, NULL) == GOC_RECEIVED, "a signal on done",
              "send true on done after the task", "nothing came (" EX ", run_with_done).");
    cl_settle();
    cl_expect_chan_untouched(d.done, 0, "done", "run_with_done(task, ctx, done)",
                             EX ", background_main");
    cl_expect_no_leaks();
    goc_chan_free(d.done);
}
CL_END_TEST

/* ---- start_counter --------------------------------------------------------- */

/* What to revisit when the counter sends nothing.  A first value that
 * never comes is most often a goroutine that lost its arguments: a
 * struct counter in start_counter's own frame is gone once start_counter
 * returns (at once, by contract), and count_up reads whatever is left. */
static const char *counter_revisit(int received, const char *otherwise)
{
    if (received == 0)
        return "the goroutine sends 0, 1, ..., n-1 and returns. If it sent nothing at all, "
               "look at what it was given: a struct counter that is a local of start_counter "
               "is gone once start_counter returns, and count_up copies whatever is left "
               "there. malloc it in start_counter; count_up frees it after copying";
    return otherwise;
}

CL_TEST(start_counter_sends_0_to_n_minus_1_then_stops)
{
    goc_chan *ch = start_counter(6);
    cl_expect(ch != NULL, "start_counter to return the channel it made",
              "goc_chan_make(int, 0) makes an unbuffered channel of int",
              "start_counter(6) returned NULL (" EX ", start_counter).");
    cl_expect(goc_chan_elem_size(ch) == sizeof(int), "a channel of int",
              "goc_chan_make(int, 0)", "its element size is %zu bytes (" EX ", start_counter).",
              goc_chan_elem_size(ch));
    for (int i = 0; i < 6; i++) {
        int v = -1;
        goc_try_result r = cl_recv_within(ch, &v, 5, NULL);
        cl_expect(r == GOC_RECEIVED, "the values 0 to 5, one per receive",
                  counter_revisit(r == GOC_CLOSED ? -1 : i,
                                  "the goroutine sends 0, 1, ..., n-1 (goc_send(ch, &i)) and "
                                  "then returns"),
                  "receive number %d %s (" EX ", start_counter).", i + 1,
                  r == GOC_CLOSED ? "found the channel closed" : "got nothing within 5 s");
        cl_expect(v == i, "the values 0 to 5 in order", "send i for i from 0 to n-1",
                  "receive number %d got %d, expected %d (" EX ", start_counter).", i + 1, v, i);
    }
    /* Before freeing: a sender stuck on a seventh value is a leak to name. */
    cl_expect_no_leaks();
    goc_chan_free(ch);
}
CL_END_TEST

/* After the n values the caller frees the channel: the goroutine must be
 * done with it by then, so it may not close it after its last send. */
CL_TEST(start_counter_leaves_the_channel_to_its_caller)
{
    goc_chan *ch = start_counter(2);
    cl_expect(ch != NULL, "start_counter to return the channel it made",
              "goc_chan_make(int, 0)", "start_counter(2) returned NULL (" EX ", start_counter).");
    for (int i = 0; i < 2; i++) {
        int v;
        cl_expect(cl_recv_within(ch, &v, 5, NULL) == GOC_RECEIVED, "2 values",
                  counter_revisit(i, "send n values"),
                  "receive number %d got nothing within 5 s (" EX ", start_counter).", i + 1);
    }
    cl_settle();
    cl_expect_chan_untouched(ch, 0, "the counter's channel", "receiving 2 values from start_counter(2)",
                             EX ", count_up");
    cl_expect_no_leaks();
    goc_chan_free(ch);
}
CL_END_TEST

CL_TEST(start_counter_uses_an_unbuffered_channel)
{
    goc_chan *ch = start_counter(3);
    cl_expect(ch != NULL, "start_counter to return the channel it made",
              "goc_chan_make(int, 0)", "start_counter(3) returned NULL (" EX ", start_counter).");
    cl_expect(goc_chan_cap(ch) == 0, "an unbuffered channel (capacity 0)",
              "goc_chan_make(int, 0): with capacity 0 every send waits for its receive",
              "its capacity is %zu (" EX ", start_counter).", goc_chan_cap(ch));
    for (int i = 0; i < 3; i++) {
        int v;
        cl_expect(cl_recv_within(ch, &v, 5, NULL) == GOC_RECEIVED, "3 values",
                  counter_revisit(i, "send n values"),
                  "receive number %d got nothing within 5 s (" EX ", start_counter).", i + 1);
    }
    cl_expect_no_leaks();
    goc_chan_free(ch);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("03-unbuffered-channels", compute_in_goroutine_returns_f_of_x,
                    compute_in_goroutine_runs_f_in_another_goroutine,
                    compute_in_goroutine_waits_for_the_result,
                    compute_in_goroutine_from_eight_goroutines_at_once,
                    relay_answers_each_value_in_order, relay_waits_for_each_answer_to_be_taken,
                    relay_leaves_the_callers_channels_open, run_with_done_returns_at_once,
                    run_with_done_signals_after_the_task, run_with_done_leaves_done_to_the_caller,
                    start_counter_sends_0_to_n_minus_1_then_stops,
                    start_counter_uses_an_unbuffered_channel,
                    start_counter_leaves_the_channel_to_its_caller);
}
