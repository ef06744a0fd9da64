/* Grader for exercise 14 — fan-in and fan-out.
 *
 * Stages are proved by what they do while something else is held: merge
 * must forward input 1 while input 0 is open and idle; fan_out must have
 * `workers` calls of f at once (a barrier of that many); after a cancel,
 * every stage must be gone (the leak check) while nobody receives; and
 * pipeline_sum must return the error that caused the cancel, not the
 * cancellations it caused.  Nothing is timed. */
#include "grader.h"

typedef int (*map_fn)(int v, void *fctx);
typedef goc_error *(*step_fn)(goc_ctx *ctx, int in, int *out, void *fctx);
goc_recvch gen(goc_ctx *ctx, const int *vals, int n);
goc_recvch fan_out(goc_ctx *ctx, goc_recvch in, int workers, map_fn f, void *fctx);
goc_recvch merge(goc_ctx *ctx, goc_recvch *ins, int n);
goc_error *pipeline_sum(goc_ctx *parent, const int *vals, int n, int workers, step_fn f,
                        void *fctx, long *sum);

#define EX "exercises/14-fan-in-fan-out.c"
#define MAXV 64

static const char SELECT_SENDS[] =
    "every send of every stage is a goc_select between the send and "
    "goc_ctx_done(ctx): once the consumer has stopped reading, a plain goc_send waits "
    "forever";

static void expect_no_leaks_after(const char *call, const char *revisit)
{
    const char *report;
    int leaked = cl_leaked(&report);
    if (leaked == 0)
        return;
    ck_abort_msg("expected: every stage's goroutines to finish\n"
                 "happened: leaked goroutines: %d still blocked after %s (" EX ")\n"
                 "revisit:  %s\n%s",
                 leaked, call, revisit, report);
}

static goc_chan *ch_of(goc_recvch r) { return r.ch; }

/* Receives everything until the close (5 s bound per value); returns the
 * count and fills seen[v] for values below MAXV * 4. */
static int drain_all(goc_recvch out, int *got, int max, const char *call)
{
    int n = 0;
    for (;;) {
        int v;
        goc_try_result r = cl_recv_within(ch_of(out), &v, 5, NULL);
        if (r == GOC_CLOSED) {
            /* Let every stage finish what it does after the close before the
             * count is judged: a second close (every worker closing) then
             * panics with its own message every time, not only when it
             * happens to beat the count. */
            cl_settle();
            return n;
        }
        cl_expect(r == GOC_RECEIVED, "the output to be closed after the last value",
                  "a stage closes its output once it is done (fan_out and merge: one closer "
                  "goroutine that waits for all workers, then goc_close)",
                  "after %d values from %s, nothing came and the channel was not closed "
                  "(" EX ").",
                  n, call);
        cl_expect(n < max, "no more values than went in",
                  "each input value is forwarded once", "%s sent more than %d values (" EX ").",
                  call, max);
        got[n++] = v;
    }
}

/* got[0..n) is a permutation of want[0..n). */
static void expect_same_values(const int *got, int ngot, const int *want, int n, const char *call)
{
    cl_expect(ngot == n, "every value exactly once", "forward every value; drop none",
              "%s delivered %d values, expected %d (" EX ").", call, ngot, n);
    static bool used[MAXV * 2];
    memset(used, 0, sizeof used);
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < n && (used[j] || want[j] != got[i]))
            j++;
        cl_expect(j < n, "every value exactly once", "forward every value once",
                  "%s delivered %d, which was not expected (or came twice) (" EX ").", call,
                  got[i]);
        used[j] = true;
    }
}

/* ---- gen ----------------------------------------------------------------------- */

CL_TEST(gen_sends_each_value_in_order_then_closes)
{
    static const int vals[] = {5, 3, 9, 1, 7};
    goc_recvch out = gen(goc_ctx_background(), vals, 5);
    for (int i = 0; i < 5; i++) {
        int v = -1;
        goc_try_result r = cl_recv_within(ch_of(out), &v, 5, NULL);
        cl_expect(r == GOC_RECEIVED && v == vals[i], "vals[0..n-1] in order",
                  "gen's goroutine sends vals[i] for i from 0 to n-1",
                  "receive %d got %s %d, expected %d (" EX ", gen).", i + 1,
                  r == GOC_RECEIVED ? "the value" : "no value", v, vals[i]);
    }
    int dummy;
    cl_expect(cl_recv_within(ch_of(out), &dummy, 5, NULL) == GOC_CLOSED,
              "the channel closed after the last value", "goc_close(out) after the loop",
              "it was not closed after 5 values (" EX ", gen).");
    expect_no_leaks_after("gen(ctx, 5 values) was drained", "gen's goroutine closes and returns");
    goc_chan_free(out);
}
CL_END_TEST

/* 3 of 50 values taken, then cancel, and nobody receives: gen must close
 * and end anyway. */
CL_TEST(gen_stops_sending_when_cancelled)
{
    static int vals[50];
    for (int i = 0; i < 50; i++)
        vals[i] = i;
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    goc_recvch out = gen(ctx, vals, 50);
    for (int i = 0; i < 3; i++) {
        int v;
        cl_expect(cl_recv_within(ch_of(out), &v, 5, NULL) == GOC_RECEIVED, "a value",
                  "gen sends the values", "receive %d got nothing (" EX ", gen).", i + 1);
    }
    goc_ctx_cancel(ctx);
    cl_settle();
    expect_no_leaks_after("the consumer took 3 values and cancelled",
                          "gen is stuck sending after the context was cancelled: "
                          "select on goc_ctx_done(ctx) around every send");
    /* Values already buffered may still be there; then the close. */
    int v, left = 0;
    goc_try_result r;
    while ((r = goc_try_recv(ch_of(out), &v)) == GOC_RECEIVED && left < 50)
        left++;
    cl_expect(r == GOC_CLOSED, "gen's channel closed after a cancel",
              "close the output on every path out of gen, cancelled or not",
              "gen ended without closing its channel (" EX ", gen).");
    goc_chan_free(out);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* ---- merge --------------------------------------------------------------------- */

typedef struct merge_call {
    goc_ctx *ctx;
    goc_recvch *ins;
    int n;
    goc_recvch out;
} merge_call;

static void call_merge(void *arg)
{
    merge_call *m = arg;
    m->out = merge(m->ctx, m->ins, m->n);
}

/* Input 0 is open and idle; input 1 holds 5 values.  All 5 must come
 * through while input 0 says nothing. */
CL_TEST(merge_reads_every_input_at_once)
{
    goc_chan *idle = goc_chan_make(int, 0);
    goc_chan *busy = goc_chan_make(int, 5);
    for (int i = 0; i < 5; i++)
        goc_send(busy, &(int){100 + i});
    goc_close(busy);
    goc_recvch ins[2] = {goc_recv_only(idle), goc_recv_only(busy)};
    goc_recvch out = merge(goc_ctx_background(), ins, 2);
    ins[0] = ins[1] = (goc_recvch){NULL}; /* merge copied the array */
    int got[5], n = 0;
    for (; n < 5; n++) {
        cl_settle();
        goc_try_result r = goc_try_recv(ch_of(out), &got[n]);
        if (r != GOC_RECEIVED)
            break;
    }
    if (n < 5) {
        /* The grader cleared its array as soon as merge returned: a
         * forwarder that reads ins[i] only then ranges over NULL, Go's nil
         * channel, and waits for ever. */
        static char dump[8192];
        cl_dump(dump, sizeof dump);
        if (strstr(dump, "chan receive (nil chan)"))
            ck_abort_msg("expected: each forwarder to keep its own copy of its input\n"
                         "happened: a forwarder is receiving from a NULL channel: it read the "
                         "caller's `ins` after merge returned, and the grader had cleared it "
                         "by then (" EX ", merge)\n"
                         "revisit:  merge copies ins[i] into each forwarder's struct before it "
                         "returns; the caller's array may be gone (or reused) once merge has "
                         "returned. Where each goroutine waits:\n%s",
                         dump);
    }
    cl_expect(n == 5, "input 1's 5 values while input 0 was open and idle",
              "one forwarding goroutine per input, all running at once (plus one closer), "
              "so a quiet input holds up nobody",
              "merge waited for input 0 to close before reading input 1: %d of its 5 values "
              "came through (" EX ", merge).",
              n);
    int dummy;
    cl_expect(goc_try_recv(ch_of(out), &dummy) != GOC_CLOSED,
              "the output open while input 0 is open", "close only after every input closed",
              "merge closed its output while input 0 was still open (" EX ", merge).");
    goc_close(idle);
    int more[4];
    int extra = drain_all(out, more, 4, "merge");
    cl_expect(extra == 0, "nothing more after input 0 closed empty", "forward values only",
              "%d extra values (" EX ", merge).", extra);
    static const int want[] = {100, 101, 102, 103, 104};
    expect_same_values(got, 5, want, 5, "merge");
    expect_no_leaks_after("merge's inputs were closed",
                          "each forwarder ends when its input is closed; the closer waits for "
                          "all of them and closes the output");
    goc_chan_free(out);
    /* idle and busy are merge's: it frees each input once closed */
}
CL_END_TEST

/* Three inputs of 4 values, taken while they arrive: every value once,
 * one close. */
CL_TEST(merge_delivers_every_value_once_and_closes_once)
{
    static const int a[] = {1, 2, 3, 4}, b[] = {11, 12, 13, 14}, c[] = {21, 22, 23, 24};
    goc_ctx *bg = goc_ctx_background();
    static goc_recvch ins[3];
    ins[0] = gen(bg, a, 4);
    ins[1] = gen(bg, b, 4);
    ins[2] = gen(bg, c, 4);
    /* Every goc_wg_add of the exercise waits until nothing else can run:
     * counted in merge, before the forwarders start, that changes nothing;
     * counted by each forwarder, it always comes after the closer's wait
     * has seen zero and closed the output. */
    static merge_call mc;
    mc = (merge_call){bg, ins, 3, {NULL}};
    cl_call call;
    cl_point_hold_every(CL_BEFORE_WG_ADD);
    cl_spawn_call(&call, call_merge, &mc);
    cl_point_drive(CL_BEFORE_WG_ADD, &call);
    int uncounted = cl_point_waiting(CL_BEFORE_WG_ADD);
    /* Left held on failure: released, those forwarders would use the
     * merge the closer has already freed. */
    cl_expect(!(cl_call_returned(&call) && uncounted > 0),
              "merge to count its 3 forwarders before any of them starts",
              "goc_wg_add(&m->forwarders, n) in merge, before the first goc_go: a forwarder "
              "that counts itself may not have run yet when the closer's goc_wg_wait looks, "
              "and then the output is closed (and the merge freed) under it",
              "merge returned while %d forwarder%s had not counted %s yet: the closer saw a "
              "count of zero (" EX ", merge).",
              uncounted, uncounted == 1 ? "" : "s", uncounted == 1 ? "itself" : "themselves");
    cl_point_release(CL_BEFORE_WG_ADD);
    cl_expect(cl_call_await(&call, 5), "merge to return at once", "merge only starts goroutines",
              "merge never returned (" EX ", merge).");
    goc_recvch out = mc.out;
    int got[16];
    int n = drain_all(out, got, 12, "merge of 3 inputs");
    static const int want[] = {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24};
    expect_same_values(got, n, want, 12, "merge of 3 inputs");
    expect_no_leaks_after("merge of 3 inputs was drained",
                          "one closer waits for every forwarder, then closes");
    goc_chan_free(out);
}
CL_END_TEST

/* After a cancel with nobody receiving, merge's forwarders must stop
 * sending and keep draining; once the inputs close, the output closes. */
CL_TEST(merge_stops_sending_when_cancelled)
{
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    goc_chan *x = goc_chan_make(int, 3), *y = goc_chan_make(int, 3);
    for (int i = 0; i < 3; i++) {
        goc_send(x, &(int){i});
        goc_send(y, &(int){10 + i});
    }
    goc_recvch ins[2] = {goc_recv_only(x), goc_recv_only(y)};
    goc_recvch out = merge(ctx, ins, 2);
    int v;
    cl_expect(cl_recv_within(ch_of(out), &v, 5, NULL) == GOC_RECEIVED, "a first value",
              "forward the inputs' values", "nothing came (" EX ", merge).");
    goc_ctx_cancel(ctx);
    cl_settle();
    goc_close(x);
    goc_close(y);
    cl_settle();
    goc_try_result r = goc_try_recv(ch_of(out), &v);
    cl_expect(r == GOC_CLOSED,
              "merge's output closed once its inputs closed, nothing sent after the cancel",
              SELECT_SENDS, "%s (" EX ", merge).",
              r == GOC_RECEIVED ? "a forwarder was still blocked sending after the cancel"
                                : "the output was never closed");
    expect_no_leaks_after("merge was cancelled and its inputs closed", SELECT_SENDS);
    goc_chan_free(out);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* ---- fan_out --------------------------------------------------------------------- */

typedef struct map_probe {
    _Atomic(int) running, calls;
    int hold_n;          /* the first hold_n calls meet at the barrier, then the gate */
    cl_barrier barrier;
    cl_gate gate;
} map_probe;

static int probe_map(int v, void *fctx)
{
    map_probe *p = fctx;
    int k = atomic_fetch_add(&p->calls, 1);
    atomic_fetch_add(&p->running, 1);
    if (k < p->hold_n) {
        cl_barrier_arrive_and_wait(&p->barrier);
        cl_gate_pass(&p->gate);
    }
    atomic_fetch_sub(&p->running, 1);
    return 2 * v + 1;
}

CL_TEST(fan_out_runs_workers_calls_at_once)
{
    enum { W = 4, N = 12 };
    static map_probe p;
    memset(&p, 0, sizeof p);
    p.hold_n = W;
    cl_barrier_init(&p.barrier, W);
    cl_gate_init(&p.gate);
    static int vals[N], want[N];
    for (int i = 0; i < N; i++) {
        vals[i] = i;
        want[i] = 2 * i + 1;
    }
    goc_ctx *bg = goc_ctx_background();
    goc_recvch out = fan_out(bg, gen(bg, vals, N), W, probe_map, &p);
    cl_settle();
    int running = atomic_load(&p.running);
    bool met = cl_latch_is_open(&p.barrier);
    cl_gate_open(&p.gate);
    cl_expect(met && running == W, "4 calls of f at once with 4 workers (a barrier of 4)",
              "start `workers` goroutines that all range over the same input",
              "%d call%s of f ran at once and the barrier of 4 %s (" EX ", fan_out).", running,
              running == 1 ? "" : "s", met ? "opened" : "never opened");
    int got[N + 4];
    int n = drain_all(out, got, N, "fan_out");
    expect_same_values(got, n, want, N, "fan_out");
    expect_no_leaks_after("fan_out was drained",
                          "a closer goroutine waits for all workers, then closes the output once");
    goc_chan_free(out);
}
CL_END_TEST

/* The consumer takes 2 results and cancels: every stage must end without
 * anybody receiving. */
CL_TEST(fan_out_and_gen_end_after_a_cancel)
{
    static int vals[40];
    for (int i = 0; i < 40; i++)
        vals[i] = i;
    static map_probe p;
    memset(&p, 0, sizeof p);
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    goc_recvch out = fan_out(ctx, gen(ctx, vals, 40), 3, probe_map, &p);
    for (int i = 0; i < 2; i++) {
        int v;
        cl_expect(cl_recv_within(ch_of(out), &v, 5, NULL) == GOC_RECEIVED, "a result",
                  "workers send f(v) on the output", "nothing came (" EX ", fan_out).");
    }
    goc_ctx_cancel(ctx);
    cl_settle();
    expect_no_leaks_after("the consumer took 2 results and cancelled", SELECT_SENDS);
    int v;
    cl_expect(goc_try_recv(ch_of(out), &v) == GOC_CLOSED, "fan_out's output closed after a cancel",
              "the closer closes the output once every worker has left",
              "the output was not closed (" EX ", fan_out).");
    goc_chan_free(out);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* After a cancel a worker stops sending but keeps receiving until its
 * input is closed.  The producer here is the grader, which does not watch
 * the context: it sends more values after the cancel, and each must be
 * taken with every worker still there.  A worker that returns at its first
 * failed send leaves the producer blocked, and lets fan_out's closer free
 * the input while the producer still holds it. */
CL_TEST(fan_out_keeps_draining_its_input_after_a_cancel)
{
    enum { W = 3, AFTER = 6 };
    static map_probe p;
    memset(&p, 0, sizeof p);
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    goc_chan *in = goc_chan_make(int, 0);
    int before = goc_num_goroutine();
    goc_recvch out = fan_out(ctx, goc_recv_only(in), W, probe_map, &p);
    cl_settle();
    int started = goc_num_goroutine() - before;
    goc_ctx_cancel(ctx);
    for (int i = 0; i < AFTER; i++) {
        cl_settle();
        /* Settled: a worker still ranging is parked in its receive. */
        cl_expect(goc_try_send(in, &i),
                  "fan_out to keep taking values from its input after a cancel",
                  "after a cancel, keep ranging over the input (drop the values) until it is "
                  "closed, and make every send a goc_select with goc_ctx_done(ctx): a "
                  "producer that does not watch the context is never left blocked",
                  "value %d sent after the cancel was not taken: no worker was receiving "
                  "(each was stuck in a send, or had returned) (" EX ", fan_out).",
                  i);
        cl_settle();
        int alive = goc_num_goroutine() - before;
        cl_expect(alive == started, "every worker to stay until its input is closed",
                  "after a cancel a worker stops calling f and sending, but keeps ranging "
                  "over the input until the close. A worker that returns (break) leaves the "
                  "producer blocked, and lets the closer free the input while the producer "
                  "still sends on it",
                  "after the cancel, %d of fan_out's %d goroutines had returned while the input "
                  "was still open (value %d had just been taken) (" EX ", fan_out).",
                  started - alive, started, i);
    }
    goc_close(in); /* fan_out's from here: it frees it once drained */
    cl_settle();
    int v;
    cl_expect(goc_try_recv(ch_of(out), &v) == GOC_CLOSED,
              "fan_out's output closed once its input closed after a cancel",
              "the closer closes the output once every worker has left",
              "the output was not closed (" EX ", fan_out).");
    expect_no_leaks_after("fan_out was cancelled and its input closed", SELECT_SENDS);
    goc_chan_free(out);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* ---- pipeline_sum ---------------------------------------------------------------- */

static goc_error boom = GOC_ERROR_SENTINEL("boom");

typedef struct step_probe {
    _Atomic(int) running, calls, cancelled;
    int fail_on;        /* -1: never */
    int fail_also;      /* -1: never; else fails with fail_on, both at a barrier of 2 */
    int fail_late;      /* -1: never; else fails once the first cancel has begun */
    cl_latch late_inside; /* the fail_late call is inside f: fail_on may fail */
    cl_barrier pair;
    _Atomic(int) pair_out; /* failing calls past the barrier, still running */
    int wait_for;       /* the failing call waits until this many others are inside */
    bool hold;          /* non-failing calls wait for the gate or the cancel */
    cl_gate gate;
    cl_latch inside;
} step_probe;

static void step_probe_init(step_probe *p, int fail_on, int wait_for, bool hold)
{
    memset(p, 0, sizeof *p);
    p->fail_on = fail_on;
    p->fail_also = -1;
    p->fail_late = -1;
    cl_latch_init(&p->late_inside, 1);
    cl_barrier_init(&p->pair, 2);
    p->wait_for = wait_for;
    p->hold = hold;
    cl_gate_init(&p->gate);
    cl_latch_init(&p->inside, wait_for > 0 ? wait_for : 1);
}

/* The learner's first goc_ctx_cancel has begun (the wrap at the end of
 * this file): the first error is kept by then. */
static cl_quiet first_cancel_begun;

static goc_error *probe_step(goc_ctx *ctx, int in, int *out, void *fctx)
{
    step_probe *p = fctx;
    if (in == p->fail_late) {
        /* No shared counter after the wait: the calls the cancel woke touch
         * them, and an atomic read-modify-write would order this call
         * after the first error's write, hiding an unlocked look. */
        cl_latch_count_down(&p->late_inside);
        cl_quiet_wait(&first_cancel_begun);
        return goc_error_wrap(&boom, "step failed");
    }
    atomic_fetch_add(&p->calls, 1);
    atomic_fetch_add(&p->running, 1);
    goc_error *err = NULL;
    if (p->fail_also >= 0 && (in == p->fail_on || in == p->fail_also)) {
        cl_barrier_arrive_and_wait(&p->pair); /* both are inside f */
        err = goc_error_wrap(&boom, "step failed");
        atomic_fetch_sub(&p->running, 1);
        /* Both return together, while running: left to the barrier alone,
         * a libgoc wake-up could order one failing worker after the other
         * and hide an unguarded first-error slot from the race pass. */
        atomic_fetch_add(&p->pair_out, 1);
        while (atomic_load(&p->pair_out) < 2)
            goc_yield(); /* lets the other one run, whichever scheduler */
        return err;
    }
    if (in == p->fail_on) {
        if (p->wait_for > 0)
            cl_latch_wait(&p->inside);
        if (p->fail_late >= 0)
            cl_latch_wait(&p->late_inside);
        err = goc_error_wrap(&boom, "step failed"); /* owned: the caller frees it */
    } else if (p->hold) {
        if (p->wait_for > 0)
            cl_latch_count_down(&p->inside);
        int which = goc_select(goc_case_recv_discard(goc_ctx_done(ctx)),
                               goc_case_recv_discard(p->gate.open));
        if (which == 0) {
            atomic_fetch_add(&p->cancelled, 1);
            /* held past the cancel: pipeline_sum must wait for this call */
            cl_gate_pass(&p->gate);
            /* owned too: whoever does not return it must free it */
            err = goc_error_wrap(goc_ctx_err(ctx), "step %d", in);
        }
    }
    if (!err)
        *out = 3 * in;
    atomic_fetch_sub(&p->running, 1);
    return err;
}

typedef struct sum_call {
    goc_ctx *parent;
    const int *vals;
    int n, workers;
    step_probe *probe;
    long sum;
    goc_error *err;
    _Atomic(int) running_at_return;
} sum_call;

static void call_pipeline_sum(void *arg)
{
    sum_call *s = arg;
    s->err = pipeline_sum(s->parent, s->vals, s->n, s->workers, probe_step, s->probe, &s->sum);
    atomic_store(&s->running_at_return, atomic_load(&s->probe->running));
}

CL_TEST(pipeline_sum_adds_every_result)
{
    static int vals[20];
    long want = 0;
    for (int i = 0; i < 20; i++) {
        vals[i] = i + 1;
        want += 3 * (i + 1);
    }
    static step_probe p;
    step_probe_init(&p, -1, 0, false);
    static sum_call s;
    s = (sum_call){goc_ctx_background(), vals, 20, 3, &p, -1, NULL, 0};
    cl_call c;
    cl_spawn_call(&c, call_pipeline_sum, &s);
    cl_expect(cl_call_await(&c, 5), "pipeline_sum to return", "wait for the workers, then sum",
              "it never returned (" EX ", pipeline_sum).");
    cl_expect(s.err == NULL && s.sum == want, "sum 630 and no error",
              "add every worker's outs; return NULL when no f failed",
              "it returned sum %ld and error \"%s\" (" EX ", pipeline_sum).", s.sum,
              goc_error_message(s.err));
    expect_no_leaks_after("pipeline_sum returned", "wait for every worker before returning");
}
CL_END_TEST

/* f(7) fails once 3 other calls are inside f, waiting for the cancel.
 * The result must be 7's error, wrapped with 7, and nothing may run on. */
CL_TEST(pipeline_sum_returns_the_error_that_caused_the_cancel)
{
    static const int vals[] = {7, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12};
    static step_probe p;
    step_probe_init(&p, 7, 3, true);
    static sum_call s;
    s = (sum_call){goc_ctx_background(), vals, 12, 4, &p, -1, NULL, 0};
    cl_call c;
    cl_spawn_call(&c, call_pipeline_sum, &s);
    cl_settle();
    int saw_cancel = atomic_load(&p.cancelled);
    bool early = cl_call_returned(&c);
    int still = atomic_load(&s.running_at_return);
    cl_gate_open(&p.gate);
    cl_expect(saw_cancel >= 3, "the 3 waiting calls of f to see the cancel once f(7) failed",
              "the first error cancels the run's context (goc_ctx_cancel), which gen and "
              "the other calls of f watch",
              "%d of 3 saw it (" EX ", pipeline_sum).", saw_cancel);
    cl_expect(!early, "pipeline_sum to wait for the 3 calls still inside f",
              "goc_wg_wait for every worker before returning, error or not",
              "%d workers still running after pipeline_sum returned (" EX ", pipeline_sum).",
              still);
    cl_expect(cl_call_await(&c, 5), "pipeline_sum to return once every call of f returned",
              "wait for the workers, then return the first error",
              "it never returned (" EX ", pipeline_sum).");
    cl_expect(s.err != NULL, "the error of f(7)", "keep the first error and return it",
              "pipeline_sum returned NULL although f failed for 7 (" EX ", pipeline_sum).");
    cl_expect(goc_error_is(s.err, &boom),
              "the error that caused the cancellation (value 7: step failed: boom)",
              "keep the first error; the later ones are cancellations it caused: free them",
              "returned \"%s\" instead of the error that caused the cancellation "
              "(7: boom): keep the first error (" EX ", pipeline_sum).",
              goc_error_message(s.err));
    cl_expect(strstr(goc_error_message(s.err), "7") != NULL, "the value 7 in the message",
              "goc_error_wrap(err, \"value %d\", v) keeps the cause and adds the value",
              "the message was \"%s\" (" EX ", pipeline_sum).", goc_error_message(s.err));
    expect_no_leaks_after("pipeline_sum returned an error", SELECT_SENDS);
    goc_error_free(s.err);
}
CL_END_TEST

/* f(7) and f(9) fail at the same moment (they meet at a barrier of 2), so
 * two workers reach the first-error slot together: one error is kept and
 * wrapped, the other freed (the memory pass). */
CL_TEST(pipeline_sum_keeps_one_of_two_errors_at_once)
{
    static const int vals[] = {7, 9, 1, 2, 3, 4, 5, 6};
    static step_probe p;
    step_probe_init(&p, 7, 0, true);
    p.fail_also = 9;
    static sum_call s;
    s = (sum_call){goc_ctx_background(), vals, 8, 4, &p, -1, NULL, 0};
    cl_call c;
    cl_spawn_call(&c, call_pipeline_sum, &s);
    cl_settle();
    cl_gate_open(&p.gate);
    cl_expect(cl_call_await(&c, 5), "pipeline_sum to return once every call of f returned",
              "wait for the workers, then return the first error",
              "it never returned (" EX ", pipeline_sum).");
    const char *msg = goc_error_message(s.err);
    cl_expect(goc_error_is(s.err, &boom) && (strstr(msg, "7") || strstr(msg, "9")),
              "one of the two errors that failed at once (value 7 or value 9: step failed: "
              "boom)",
              "keep the first error under the mutex and free the other",
              "it returned \"%s\" (" EX ", pipeline_sum).", msg);
    expect_no_leaks_after("pipeline_sum returned an error", SELECT_SENDS);
    goc_error_free(s.err);
}
CL_END_TEST

/* f(7) fails once f(9) is inside f; f(9) fails only after the learner's
 * code has begun its first goc_ctx_cancel, which comes after the first
 * error is kept, and it waits for that quietly (cl_quiet: an order the
 * race pass does not see).  The second failing worker's look at the
 * first-error slot is then ordered after the first one's write only by
 * the learner's lock: a look outside it is a race in every run (in the
 * test above, libgoc's own wake-ups order the two about one run in six). */
CL_TEST(pipeline_sum_reads_the_first_error_only_under_the_mutex)
{
    static const int vals[] = {7, 9, 1, 2, 3, 4, 5, 6};
    static step_probe p;
    step_probe_init(&p, 7, 0, true);
    p.fail_late = 9;
    first_cancel_begun = (cl_quiet){0}; /* a test run without fork (CK_FORK=no) shares it */
    static sum_call s;
    s = (sum_call){goc_ctx_background(), vals, 8, 4, &p, -1, NULL, 0};
    cl_call c;
    cl_spawn_call(&c, call_pipeline_sum, &s);
    bool back = cl_call_await(&c, 5);
    if (!back) { /* no cancel (other tests say so): never leave f(9) spinning */
        cl_quiet_signal(&first_cancel_begun);
        cl_gate_open(&p.gate);
    }
    cl_expect(back || cl_call_await(&c, 5), "pipeline_sum to return once every call of f returned",
              "wait for the workers, then return the first error",
              "it never returned (" EX ", pipeline_sum).");
    /* 9 may be kept too: code that cancels before it keeps the error lets
     * f(9) fail before the slot is filled. */
    const char *msg = goc_error_message(s.err);
    cl_expect(goc_error_is(s.err, &boom) && (strstr(msg, "7") || strstr(msg, "9")),
              "one of the two errors f returned (value 7 or value 9: step failed: boom)",
              "keep the first error under the mutex and free the later ones",
              "it returned \"%s\" (" EX ", pipeline_sum).", msg);
    expect_no_leaks_after("pipeline_sum returned an error", SELECT_SENDS);
    goc_error_free(s.err);
}
CL_END_TEST

/* The parent is cancelled while every f waits: pipeline_sum returns a
 * cancellation, and every stage is gone. */
CL_TEST(pipeline_sum_stops_when_the_parent_is_cancelled)
{
    static const int vals[] = {1, 2, 3, 4, 5, 6, 7, 8};
    static step_probe p;
    step_probe_init(&p, -1, 0, true);
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    static sum_call s;
    s = (sum_call){parent, vals, 8, 3, &p, -1, NULL, 0};
    cl_call c;
    cl_spawn_call(&c, call_pipeline_sum, &s);
    cl_settle();
    goc_ctx_cancel(parent);
    cl_settle();
    int saw_cancel = atomic_load(&p.cancelled);
    cl_gate_open(&p.gate);
    cl_expect(saw_cancel == 3, "the 3 calls of f to see the parent's cancel",
              "derive the run's context from parent (goc_ctx_with_cancel(parent)) and pass "
              "it to gen and to f",
              "%d of 3 saw it (" EX ", pipeline_sum).", saw_cancel);
    bool back = cl_call_await(&c, 5);
    cl_expect(back, "pipeline_sum to return after its parent was cancelled",
              "derive the run's context from parent (goc_ctx_with_cancel(parent)) and pass "
              "it to gen and to f",
              "it never returned (" EX ", pipeline_sum).");
    cl_expect(goc_error_is(s.err, goc_canceled), "an error that is goc_canceled",
              "return the first error, which is f's cancellation here",
              "it returned \"%s\" (" EX ", pipeline_sum).", goc_error_message(s.err));
    expect_no_leaks_after("pipeline_sum was cancelled", SELECT_SENDS);
    goc_error_free(s.err);
    goc_ctx_release(parent);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("14-fan-in-fan-out", gen_sends_each_value_in_order_then_closes,
                    gen_stops_sending_when_cancelled, merge_reads_every_input_at_once,
                    merge_delivers_every_value_once_and_closes_once,
                    merge_stops_sending_when_cancelled, fan_out_runs_workers_calls_at_once,
                    fan_out_and_gen_end_after_a_cancel,
                    fan_out_keeps_draining_its_input_after_a_cancel, pipeline_sum_adds_every_result,
                    pipeline_sum_returns_the_error_that_caused_the_cancel,
                    pipeline_sum_keeps_one_of_two_errors_at_once,
                    pipeline_sum_reads_the_first_error_only_under_the_mutex,
                    pipeline_sum_stops_when_the_parent_is_cancelled);
}

/* ---- the wrap behind first_cancel_begun (lesson front matter: wrap:) ---- */

void __real_goc_ctx_cancel_at(goc_ctx *ctx, goc_site site);

void __wrap_goc_ctx_cancel_at(goc_ctx *ctx, goc_site site)
{
    if (cl_is_learner_file(site.file))
        cl_quiet_signal(&first_cancel_begun);
    __real_goc_ctx_cancel_at(ctx, site);
}
