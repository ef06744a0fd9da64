/* Grader for exercise 06 — range over channels.
 *
 * A range ends on the close and on nothing else, so every check here is
 * "with the channel still open, after everything settled, the learner's
 * loop is still waiting; after the close, it returns".  Producers and
 * sinks are the grader's: they record every value in a bitmap, can be
 * held on a gate or a barrier, and say when they finished, so "a value
 * was lost", "delivered twice", "the consumers did not run at once" and
 * "a producer is stuck" are facts, not timings.  The race pass (race:
 * true) catches consumers that share a counter without synchronisation. */
#include "grader.h"

typedef void (*sink_fn)(int value, void *ctx);
int drain(goc_recvch in, sink_fn sink, void *ctx);
goc_recvch squares(goc_recvch in);
int produce_consume(int producers, int per, int consumers, sink_fn sink, void *ctx);
int take(goc_recvch in, int k, int *out);

#define EX "exercises/06-range-over-channels.c"

/* ---- the grader's sink --------------------------------------------------------- */

enum { MAX_VALUES = 256 };

typedef struct sink_probe {
    _Atomic(int) seen[MAX_VALUES];
    _Atomic(int) order[MAX_VALUES]; /* value of the i-th call */
    _Atomic(int) calls, in_sink, bad, after_return;
    _Atomic(int) returned; /* set by the test once the graded call returned */
    bool hold;
    cl_gate gate;
    int meet;
    cl_barrier barrier;
} sink_probe;

static void sink_init(sink_probe *s, bool hold, int meet)
{
    memset(s, 0, sizeof *s);
    s->hold = hold;
    s->meet = meet;
    cl_gate_init(&s->gate);
    cl_barrier_init(&s->barrier, meet);
}

static void probe_sink(int value, void *ctx)
{
    sink_probe *s = ctx;
    int i = atomic_fetch_add(&s->calls, 1);
    if (atomic_load(&s->returned))
        atomic_fetch_add(&s->after_return, 1);
    if (i < MAX_VALUES)
        atomic_store(&s->order[i], value);
    if (value >= 0 && value < MAX_VALUES)
        atomic_fetch_add(&s->seen[value], 1);
    else
        atomic_fetch_add(&s->bad, 1);
    atomic_fetch_add(&s->in_sink, 1);
    if (s->meet > 0)
        cl_barrier_arrive_and_wait(&s->barrier);
    if (s->hold)
        cl_gate_pass(&s->gate);
    atomic_fetch_sub(&s->in_sink, 1);
}

/* ---- drain ------------------------------------------------------------------------ */

typedef struct drain_call {
    goc_chan *in;
    sink_probe s;
    int n;
} drain_call;

static void call_drain(void *arg)
{
    drain_call *d = arg;
    d->n = drain(goc_recv_only(d->in), probe_sink, &d->s);
    atomic_store(&d->s.returned, 1);
}

CL_TEST(drain_passes_every_value_in_order)
{
    static drain_call d;
    sink_init(&d.s, false, 0);
    d.in = goc_chan_make(int, 8);
    static const int vs[] = {3, 0, 7, 0, 1};
    for (int i = 0; i < 5; i++)
        goc_send(d.in, &vs[i]);
    goc_close(d.in); /* closed, but its five values are still to be received */
    d.n = -1;
    cl_call c;
    cl_spawn_call(&c, call_drain, &d);
    cl_expect(cl_call_await(&c, 5), "drain to return once the channel is closed and drained",
              "goc_range(int, v, in) { ... } ends by itself when in is closed and empty",
              "drain was still running on a closed channel (" EX ", drain).");
    int calls = atomic_load(&d.s.calls);
    cl_expect(calls == 5 && d.n == 5, "5 sink calls and the count 5",
              "a close does not drop the values already in the buffer: the range delivers "
              "every one of them, then ends",
              "sink was called %d times and drain returned %d for 5 values sent before the "
              "close (" EX ", drain).",
              calls, d.n);
    for (int i = 0; i < 5; i++)
        cl_expect(atomic_load(&d.s.order[i]) == vs[i], "the values in the order they were sent",
                  "call sink(v, ctx) inside the range, one value at a time",
                  "sink call %d got %d, expected %d (" EX ", drain).", i + 1,
                  atomic_load(&d.s.order[i]), vs[i]);
    goc_chan_free(d.in);
}
CL_END_TEST

/* The channel is open and empty between values: drain must wait, and
 * return exactly when it is closed. */
CL_TEST(drain_returns_exactly_at_the_close)
{
    static drain_call d;
    sink_init(&d.s, false, 0);
    d.in = goc_chan_make(int, 0);
    cl_call c;
    cl_spawn_call(&c, call_drain, &d);
    for (int v = 10; v < 13; v++)
        cl_expect(cl_send_within(d.in, &v, 5, &c), "drain to receive every value",
                  "range over the channel: an empty channel is not a closed one",
                  "drain %s before value %d was sent (" EX ", drain).",
                  cl_call_returned(&c) ? "returned" : "stopped receiving", v);
    cl_settle();
    cl_expect(!cl_call_returned(&c), "drain to keep waiting while the channel is open",
              "a range ends only on the close; between values it waits",
              "drain returned %d while the channel was still open (" EX ", drain).", d.n);
    goc_close(d.in);
    cl_expect(cl_call_await(&c, 5), "drain to return once the channel is closed",
              "goc_range ends on the close", "drain was still running after the close (" EX
              ", drain).");
    cl_expect(d.n == 3, "drain to return 3", "count one per value",
              "drain returned %d (" EX ", drain).", d.n);
    goc_chan_free(d.in);
}
CL_END_TEST

/* ---- squares ------------------------------------------------------------------------ */

typedef struct stage_call {
    goc_chan *in;
    goc_recvch out;
} stage_call;

static void call_squares(void *arg)
{
    stage_call *s = arg;
    s->out = squares(goc_recv_only(s->in));
}

static void expect_square_of(stage_call *s, int v, const char *who)
{
    cl_expect(cl_send_within(s->in, &v, 5, NULL), "the stage to receive every value",
              "the stage's goroutine ranges over its input", "%s did not take %d within 5 s (" EX
              ", squares).", who, v);
    int got = 0;
    goc_try_result r = cl_recv_within(s->out.ch, &got, 5, NULL);
    cl_expect(r == GOC_RECEIVED && got == v * v, "v * v on the output for each v, in order",
              "for each value received, send v * v on the output",
              "%s: after sending %d the output %s (expected %d) (" EX ", squares).", who, v,
              r == GOC_RECEIVED ? "gave a different value"
                                : (r == GOC_CLOSED ? "was closed" : "gave nothing for 5 s"),
              v * v);
}

/* squares returns at once; its output stays open while its input is
 * open, and closes once the input is closed. */
CL_TEST(squares_closes_its_output_after_its_input)
{
    static stage_call s;
    s.in = goc_chan_make(int, 0);
    cl_call c;
    cl_spawn_call(&c, call_squares, &s);
    cl_settle();
    cl_expect(cl_call_returned(&c), "squares to return at once",
              "the stage's work happens in its own goroutine; squares only starts it",
              "squares was still inside, blocked, with nothing sent yet (" EX ", squares).");
    cl_expect(s.out.ch != NULL && s.out.ch != s.in, "a new channel for the output",
              "make the output with goc_chan_make and return goc_recv_only(out)",
              "squares returned %s (" EX ", squares).",
              s.out.ch ? "its own input" : "a handle to NULL");
    cl_expect_chan_untouched(s.in, 0, "in", "squares(in)", EX ", squares");
    int got;
    goc_try_result r = goc_try_recv(s.out.ch, &got);
    cl_expect(r != GOC_CLOSED, "the output to stay open while the input is open",
              "close the output only after the range over the input has ended",
              "the output was closed while its input was still open and empty (" EX
              ", squares).");
    expect_square_of(&s, -3, "squares");
    expect_square_of(&s, 5, "squares");
    goc_close(s.in); /* the grader sent on in, so the grader closes it */
    cl_settle();
    r = goc_try_recv(s.out.ch, &got);
    cl_expect(r == GOC_CLOSED, "the output closed once the input was closed and drained",
              "after the range loop ends, goc_close(out): the stage is the only sender on its "
              "output, so it is the one that closes",
              "the output %s after the input was closed (" EX ", squares).",
              r == GOC_RECEIVED ? "gave an extra value" : "was still open");
    cl_expect_no_leaks();
    goc_chan_free(s.out); /* the caller owns the output, as a goc_recvch */
    goc_chan_free(s.in);
}
CL_END_TEST

/* Two stages in a row: the output of one is the input of the next. */
CL_TEST(squares_chains_into_a_pipeline)
{
    goc_chan *in = goc_chan_make(int, 4);
    goc_recvch sq = squares(goc_recv_only(in));
    goc_recvch fourth = squares(sq);
    static const int vs[] = {1, 2, 3, -2};
    for (int i = 0; i < 4; i++)
        goc_send(in, &vs[i]);
    goc_close(in);
    for (int i = 0; i < 4; i++) {
        int got = 0;
        goc_try_result r = cl_recv_within(fourth.ch, &got, 5, NULL);
        int want = vs[i] * vs[i] * vs[i] * vs[i];
        cl_expect(r == GOC_RECEIVED && got == want, "squares(squares(in)) to give v^4 in order",
                  "each stage ranges over its input and closes its own output",
                  "value %d of the pipeline was %s%d, expected %d (" EX ", squares).", i + 1,
                  r == GOC_RECEIVED ? "" : "missing: ", r == GOC_RECEIVED ? got : 0, want);
    }
    int extra;
    cl_settle();
    cl_expect(goc_try_recv(fourth, &extra) == GOC_CLOSED, "the pipeline's end closed",
              "the close travels down the pipeline: each stage closes its output when its input "
              "is closed",
              "the second stage's output was not closed (" EX ", squares).");
    cl_expect_no_leaks();
    goc_chan_free(fourth);
    goc_chan_free(sq);
    goc_chan_free(in);
}
CL_END_TEST

/* ---- produce_consume ----------------------------------------------------------------- */

typedef struct pc_call {
    int producers, per, consumers;
    sink_probe s;
    int total;
} pc_call;

static void call_produce_consume(void *arg)
{
    pc_call *p = arg;
    p->total = produce_consume(p->producers, p->per, p->consumers, probe_sink, &p->s);
    atomic_store(&p->s.returned, 1);
}

static void expect_every_value_once(pc_call *p)
{
    int n = p->producers * p->per;
    cl_expect(atomic_load(&p->s.bad) == 0, "only the values 0 .. producers*per-1",
              "producer p sends p*per, p*per+1, ..., p*per+per-1",
              "the sink received values outside 0..%d (" EX ", produce_consume).", n - 1);
    for (int v = 0; v < n; v++) {
        int k = atomic_load(&p->s.seen[v]);
        cl_expect(k == 1, "every value to reach the sink exactly once",
                  "one channel shared by all: each value sent is received by exactly one "
                  "consumer",
                  "value %d reached the sink %d times (" EX ", produce_consume).", v, k);
    }
}

static void expect_returned(pc_call *p, cl_call *c)
{
    int n = p->producers * p->per;
    bool back = cl_call_await(c, 5);
    int calls = atomic_load(&p->s.calls);
    cl_expect(calls > 0, "the values to reach the sink",
              "consumers range over the shared channel and call sink(v, ctx) for each value",
              "no value reached the sink; produce_consume %s (" EX ", produce_consume).",
              back ? "returned" : "never returned");
    cl_expect(back, "produce_consume to return once everything was consumed",
              "exactly one goroutine closes the channel, after goc_wg_wait on the producers' "
              "WaitGroup; the consumers' ranges end on that close",
              "produce_consume(%d, %d, %d, ...) was still waiting with nothing running; the "
              "sink had %s: the consumers are still in goc_range on a channel nobody closed "
              "(" EX ", produce_consume).",
              p->producers, p->per, p->consumers,
              calls == n ? "received every value" : "not received every value");
    cl_expect(p->total == n, "produce_consume to return how many values were consumed",
              "each consumer counts its own values (a field of its own struct), and "
              "produce_consume adds them up after the consumers' wait",
              "it returned %d for %d values (" EX ", produce_consume).", p->total, n);
}

CL_TEST(produce_consume_delivers_every_value_once)
{
    static pc_call p = {.producers = 4, .per = 25, .consumers = 3};
    sink_init(&p.s, false, 0);
    cl_call c;
    cl_spawn_call(&c, call_produce_consume, &p);
    expect_returned(&p, &c);
    expect_every_value_once(&p);
    cl_settle();
    cl_expect(atomic_load(&p.s.after_return) == 0, "no sink call after produce_consume returned",
              "wait for the consumers (their WaitGroup), not only for the producers",
              "sink was called %d times after produce_consume returned (" EX
              ", produce_consume).",
              atomic_load(&p.s.after_return));
}
CL_END_TEST

/* The first `consumers` sink calls meet at a barrier: it opens only if
 * that many consumers are receiving at the same time. */
CL_TEST(produce_consume_runs_every_consumer_at_once)
{
    static pc_call p = {.producers = 2, .per = 10, .consumers = 4};
    sink_init(&p.s, false, 4);
    cl_call c;
    cl_spawn_call(&c, call_produce_consume, &p);
    cl_settle();
    cl_expect(cl_latch_is_open(&p.s.barrier), "4 consumers inside the sink at the same time",
              "start `consumers` goroutines, each ranging over the same channel",
              "the sink waited for 4 calls at once, but only %d came and everything stopped: "
              "fewer consumers than asked are receiving (" EX ", produce_consume).",
              atomic_load(&p.s.calls));
    expect_returned(&p, &c);
    expect_every_value_once(&p);
}
CL_END_TEST

/* One producer with two values, two consumers, each held in the sink with
 * one value: the producer has finished and the channel can be closed,
 * but produce_consume must still be waiting for its consumers. */
CL_TEST(produce_consume_waits_for_the_consumers)
{
    static pc_call p = {.producers = 1, .per = 2, .consumers = 2};
    sink_init(&p.s, true, 0);
    cl_call c;
    cl_spawn_call(&c, call_produce_consume, &p);
    cl_settle();
    int held = atomic_load(&p.s.in_sink);
    cl_expect(held > 0, "the consumers to call the sink", "range over the channel, call sink",
              "no consumer called the sink (" EX ", produce_consume).");
    cl_expect(!cl_call_returned(&c), "produce_consume to wait while consumers are working",
              "the producers being done is not the end: wait for the consumers too",
              "produce_consume returned while %d sink calls were still running (the grader "
              "held them) (" EX ", produce_consume).",
              held);
    cl_gate_open(&p.s.gate);
    expect_returned(&p, &c);
    expect_every_value_once(&p);
}
CL_END_TEST

/* Three producers of one value each, one consumer held in its first sink
 * call: the producer whose value it took is done at once, while the two
 * others cannot be (nobody receives their values until the grader opens
 * the gate).  A producer that closes when it is done therefore always
 * closes under the others, before the gate opens: their sends stop with
 * "send on closed channel" (or, with a buffer large enough for every
 * value, the second close with "close of closed channel").  The correct
 * program closes once, from the closer, after all producers. */
CL_TEST(produce_consume_closes_once_after_every_producer)
{
    static pc_call p = {.producers = 3, .per = 1, .consumers = 1};
    sink_init(&p.s, true, 0);
    cl_call c;
    cl_spawn_call(&c, call_produce_consume, &p);
    cl_settle();
    cl_gate_open(&p.s.gate);
    expect_returned(&p, &c);
    expect_every_value_once(&p);
}
CL_END_TEST

/* The lesson wraps goc_chan_send_at and goc_chan_close_at too: while a
 * test watches (`watching`), every send from the learner's file is
 * counted, and the first close records how many had been made by then. */
void __real_goc_chan_send_at(goc_chan *c, const void *elem, size_t elem_size, goc_site site)
    CL__WEAK;
void __real_goc_chan_close_at(goc_chan *c, goc_site site) CL__WEAK;
static _Atomic(bool) watching;
static _Atomic(int) learner_sends;
static _Atomic(int) sends_at_close = -1;

void __wrap_goc_chan_send_at(goc_chan *c, const void *elem, size_t elem_size, goc_site site)
{
    __real_goc_chan_send_at(c, elem, elem_size, site);
    if (atomic_load(&watching) && cl_is_learner_file(site.file))
        atomic_fetch_add(&learner_sends, 1);
}

void __wrap_goc_chan_close_at(goc_chan *c, goc_site site)
{
    if (atomic_load(&watching) && cl_is_learner_file(site.file)) {
        int none = -1;
        atomic_compare_exchange_strong(&sends_at_close, &none, atomic_load(&learner_sends));
    }
    __real_goc_chan_close_at(c, site);
}

/* Every goc_wg_add from the learner's file waits (a schedule point: the
 * lesson wraps goc_wg_add_at) until nothing else can move.  A closer
 * started before the producers were counted then always runs first: its
 * goc_wg_wait sees a count of 0, returns at once, and it closes the
 * channel before any value was sent, on every run.  The test sees that
 * close at the next stop and fails there, while the Add that came too
 * late is still held: no producer has started, so nothing sends on the
 * closed (or freed) channel.  Counted first, the closer waits for them. */
CL_TEST(produce_consume_counts_the_producers_before_the_closer_waits)
{
    static pc_call p = {.producers = 3, .per = 4, .consumers = 2};
    sink_init(&p.s, false, 0);
    atomic_store(&learner_sends, 0);
    atomic_store(&sends_at_close, -1);
    atomic_store(&watching, true);
    cl_point_hold_every(CL_BEFORE_WG_ADD);
    cl_call c;
    cl_spawn_call(&c, call_produce_consume, &p);
    for (;;) {
        cl_settle();
        int early = atomic_load(&sends_at_close);
        cl_expect(early < 0 || early == 12 || cl_point_waiting(CL_BEFORE_WG_ADD) == 0,
                  "the channel to be closed once, after all 12 values were sent",
                  "count the producers (goc_wg_add(&producing, ...)) before you start the "
                  "closer. Started first, its goc_wg_wait finds nothing to wait for, returns "
                  "at once and closes, and the producers' first sends stop the program with "
                  "\"send on closed channel\" in producer_main",
                  "the channel was closed after %d of 12 sends, while a goc_wg_add was still "
                  "to come (the grader held it until everything else had stopped) (" EX
                  ", produce_consume and closer_main).",
                  early);
        if (cl_point_waiting(CL_BEFORE_WG_ADD) == 0 || cl_call_returned(&c))
            break;
        cl_point_step(CL_BEFORE_WG_ADD);
    }
    cl_point_release(CL_BEFORE_WG_ADD);
    expect_returned(&p, &c);
    atomic_store(&watching, false);
    expect_every_value_once(&p);
}
CL_END_TEST

/* Two calls at once, each with its own sink: shared static state (one
 * WaitGroup or one channel for every call) mixes their values or makes
 * one call wait for the other's consumers. */
static pc_call twins[2];

static void call_one_twin(int caller, void *arg)
{
    (void)arg;
    call_produce_consume(&twins[caller]);
}

CL_TEST(produce_consume_calls_do_not_share_anything)
{
    for (int i = 0; i < 2; i++) {
        twins[i] = (pc_call){.producers = 2, .per = 10 + 5 * i, .consumers = 2};
        sink_init(&twins[i].s, false, 0);
    }
    cl_expect(cl_call_concurrently(2, call_one_twin, NULL),
              "two produce_consume calls at once to both return",
              "everything a call uses (channel, WaitGroups, arrays) is made inside it, never "
              "static: two callers must not share them",
              "a call was still waiting with nothing running (" EX ", produce_consume).");
    for (int i = 0; i < 2; i++) {
        int n = twins[i].producers * twins[i].per;
        cl_expect(twins[i].total == n && atomic_load(&twins[i].s.calls) == n,
                  "each call to consume exactly its own values",
                  "one channel per call, made inside produce_consume",
                  "call %d of 2 (%d values) returned %d and its sink got %d values (" EX
                  ", produce_consume).",
                  i + 1, n, twins[i].total, atomic_load(&twins[i].s.calls));
        expect_every_value_once(&twins[i]);
    }
}
CL_END_TEST

/* ---- take ------------------------------------------------------------------------------ */

typedef struct feeder {
    goc_chan *ch;
    int n;
    _Atomic(int) sent;
    cl_latch finished;
} feeder;

static void feed(void *arg)
{
    feeder *f = arg;
    for (int v = 1; v <= f->n; v++) {
        goc_send(f->ch, &v);
        atomic_store(&f->sent, v);
    }
    goc_close(f->ch);
    cl_latch_count_down(&f->finished);
}

static void feeder_start(feeder *f, int n)
{
    f->ch = goc_chan_make(int, 0);
    f->n = n;
    atomic_init(&f->sent, 0);
    cl_latch_init(&f->finished, 1);
    goc_go_named("the grader's producer", feed, f);
}

typedef struct take_call {
    feeder f;
    int k, got;
    int out[32];
} take_call;

static void call_take(void *arg)
{
    take_call *t = arg;
    t->got = take(goc_recv_only(t->f.ch), t->k, t->out);
}

static void run_take(take_call *t, int n, int k)
{
    memset(t->out, 0, sizeof t->out);
    t->k = k;
    t->got = -1;
    feeder_start(&t->f, n);
    cl_call c;
    cl_spawn_call(&c, call_take, t);
    bool back = cl_call_await(&c, 5);
    cl_settle();
    int want = k < n ? k : n;
    cl_expect(back && t->got == want, "take to return how many values it kept",
              "keep the first k values; the return value is how many were kept (fewer if the "
              "channel closed first)",
              "take(in, %d, out) with %d values sent %s %d, expected %d (" EX ", take).", k, n,
              back ? "returned" : "never returned; got so far", t->got, want);
    for (int i = 0; i < want; i++)
        cl_expect(t->out[i] == i + 1, "out[i] = the i-th value received",
                  "store the first k values in order", "out[%d] was %d, expected %d (" EX
                  ", take).", i, t->out[i], i + 1);
    cl_expect(cl_latch_is_open(&t->f.finished), "the producer to finish sending all its values",
              "after the k-th value keep receiving (and discarding) until the channel is "
              "closed: a break leaves the producer blocked in its send for good, a leaked "
              "goroutine. (Lesson 12 shows how to tell a producer to stop instead.)",
              "take(in, %d, out) returned after the producer had sent %d of %d values; the "
              "producer is stuck sending value %d, which nobody will ever receive (" EX
              ", take).",
              k, atomic_load(&t->f.sent), n, atomic_load(&t->f.sent) + 1);
    goc_chan_free(t->f.ch);
}

CL_TEST(take_keeps_the_first_k_and_lets_the_producer_finish)
{
    static take_call t;
    run_take(&t, 20, 5);
}
CL_END_TEST

CL_TEST(take_with_fewer_values_than_k)
{
    static take_call t;
    run_take(&t, 3, 5);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("06-range-over-channels", drain_passes_every_value_in_order,
                    drain_returns_exactly_at_the_close, squares_closes_its_output_after_its_input,
                    squares_chains_into_a_pipeline, produce_consume_delivers_every_value_once,
                    produce_consume_runs_every_consumer_at_once,
                    produce_consume_waits_for_the_consumers,
                    produce_consume_closes_once_after_every_producer,
                    produce_consume_counts_the_producers_before_the_closer_waits,
                    produce_consume_calls_do_not_share_anything,
                    take_keeps_the_first_k_and_lets_the_producer_finish,
                    take_with_fewer_values_than_k);
}
