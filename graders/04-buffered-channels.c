/* Grader for exercise 04 — buffered channels.
 *
 * What a buffer changes is *how far one side may run ahead of the other*,
 * and that is a count, not a time: with nobody receiving, a producer on a
 * channel of capacity C makes exactly C + 1 values (C waiting, one in
 * hand) and then stops in its send.  So every check here holds the
 * learner's goroutines (on gates and barriers, or by not receiving), waits
 * until nothing moves (cl_settle), and counts.  No sleeps, no timing. */
#include "grader.h"

typedef int (*produce_fn)(int index, void *ctx);
typedef void (*task_fn)(int index, void *ctx);
typedef int (*attempt_fn)(int index, void *ctx);
goc_chan *start_prefetch(int n, int ahead, produce_fn produce, void *ctx);
void run_limited(int n, int limit, task_fn task, void *ctx);
int first_result(int n, attempt_fn attempt, void *ctx);

#define EX "exercises/04-buffered-channels.c"

/* The leak check with a three-part message: what the leaked goroutines
 * mean for this exercise, and goc_leak_check's dump of where they wait.
 * Same confirmation as grader.h's cl_expect_no_leaks (a goroutine just
 * woken can look parked for a moment), which has no revisit line of its
 * own; if grader.h grows one (cl_expect_no_leaks taking a revisit), this
 * goes. */
static void expect_no_leaks_after(const char *call, const char *revisit)
{
    const char *report;
    int leaked = cl_leaked(&report);
    if (leaked == 0)
        return;
    /* Not cl_expect: the dump is longer than its buffer.  Same three parts,
     * then the dump, so the revisit line is never cut off. */
    ck_abort_msg("expected: every goroutine to finish once the work is done\n"
                 "happened: leaked goroutines: %d still blocked after %s returned and the "
                 "grader released everything (" EX ")\n"
                 "revisit:  %s\n%s",
                 leaked, call, revisit, report);
}

/* ---- start_prefetch -------------------------------------------------------- */

typedef struct produce_probe {
    _Atomic(int) calls;
    _Atomic(int64_t) gid;
    int base;
    bool hold;
    cl_gate gate;
} produce_probe;

static int probe_produce(int index, void *ctx)
{
    produce_probe *p = ctx;
    atomic_fetch_add(&p->calls, 1);
    atomic_store(&p->gid, goc_id());
    if (p->hold)
        cl_gate_pass(&p->gate);
    return p->base + 7 * index;
}

static void produce_probe_init(produce_probe *p, int base, bool hold)
{
    memset(p, 0, sizeof *p);
    p->base = base;
    p->hold = hold;
    cl_gate_init(&p->gate);
}

/* The returned channel is the caller's: a channel of int with `ahead`
 * places, or the rest of the test would misread it. */
static void expect_prefetch_channel(goc_chan *ch, int n, int ahead)
{
    cl_expect(ch != NULL, "start_prefetch to return the channel it made",
              "goc_chan_make(int, ahead) makes a buffered channel of int",
              "start_prefetch(%d, %d, ...) returned NULL (" EX ", start_prefetch).", n, ahead);
    cl_expect(goc_chan_elem_size(ch) == sizeof(int), "a channel of int",
              "goc_chan_make(int, ahead): the element type is int",
              "its element size is %zu bytes (" EX ", start_prefetch).", goc_chan_elem_size(ch));
}

/* Receives `n` values and checks each is produce(i), in order. */
static void expect_values(goc_chan *ch, produce_probe *p, int n, int from, const char *call)
{
    for (int i = from; i < n; i++) {
        int v = -1;
        goc_try_result r = cl_recv_within(ch, &v, 5, NULL);
        cl_expect(r == GOC_RECEIVED, "one value per receive, n in all",
                  "the producer goroutine sends produce(i) for every i from 0 to n-1",
                  "receive number %d from %s %s (" EX ", start_prefetch).", i + 1, call,
                  r == GOC_CLOSED ? "found the channel closed" : "got nothing within 5 s");
        cl_expect(v == p->base + 7 * i, "the values produce(0), produce(1), ... in order",
                  "a channel is first in, first out, buffered or not: send them in index order",
                  "receive number %d from %s got %d, expected produce(%d) = %d (" EX
                  ", start_prefetch).",
                  i + 1, call, v, i, p->base + 7 * i);
    }
}

/* Two prefetchers at once, received alternately: each channel carries its
 * own producer's values, in order. */
CL_TEST(start_prefetch_sends_every_value_in_order)
{
    static produce_probe a, b;
    produce_probe_init(&a, 1000, false);
    produce_probe_init(&b, 5000, false);
    goc_chan *ca = start_prefetch(10, 3, probe_produce, &a);
    expect_prefetch_channel(ca, 10, 3);
    goc_chan *cb = start_prefetch(10, 1, probe_produce, &b);
    expect_prefetch_channel(cb, 10, 1);
    for (int i = 0; i < 10; i++) {
        expect_values(ca, &a, i + 1, i, "start_prefetch(10, 3, ...)");
        expect_values(cb, &b, i + 1, i, "start_prefetch(10, 1, ...)");
    }
    cl_expect(atomic_load(&a.calls) == 10 && atomic_load(&b.calls) == 10,
              "produce called exactly n times", "call produce once per index, 0 to n-1",
              "produce was called %d and %d times for n = 10 (" EX ", start_prefetch).",
              atomic_load(&a.calls), atomic_load(&b.calls));
    expect_no_leaks_after("start_prefetch(10, ...)",
                          "the producer sends exactly n values and returns; the caller receives "
                          "exactly n");
    goc_chan_free(ca);
    goc_chan_free(cb);
}
CL_END_TEST

static struct {
    produce_probe p;
    goc_chan *ch;
} held;

static void call_prefetch_held(void *arg)
{
    (void)arg;
    held.ch = start_prefetch(4, 2, probe_produce, &held.p);
}

/* produce is held on a gate: start_prefetch must return anyway, because
 * the producing happens in its goroutine, not in the caller. */
CL_TEST(start_prefetch_returns_before_producing)
{
    produce_probe_init(&held.p, 0, true);
    cl_call c;
    cl_spawn_call(&c, call_prefetch_held, NULL);
    cl_settle();
    bool returned = cl_call_returned(&c);
    int64_t producer = atomic_load(&held.p.gid);
    cl_gate_open(&held.p.gate);
    cl_expect(returned, "start_prefetch to return while produce is still working",
              "the producer is a goroutine (goc_go); start_prefetch only makes the channel, "
              "starts it and returns the channel",
              "start_prefetch(4, 2, ...) was still inside while produce(0) was held by the "
              "grader: it %s (" EX ", start_prefetch).",
              producer ? "called produce itself" : "waited for something");
    cl_expect(cl_call_await(&c, 5), "start_prefetch to return", "return the channel at once",
              "it never returned (" EX ", start_prefetch).");
    expect_prefetch_channel(held.ch, 4, 2);
    expect_values(held.ch, &held.p, 4, 0, "start_prefetch(4, 2, ...)");
    expect_no_leaks_after("start_prefetch(4, 2, ...)", "the producer sends n values and returns");
    goc_chan_free(held.ch);
}
CL_END_TEST

/* Nobody receives: the producer must stop after exactly ahead + 1 calls
 * (ahead values waiting in the buffer, one in hand, its send blocked).
 * Each receive makes room for exactly one more. */
CL_TEST(start_prefetch_stays_exactly_ahead_values_ahead)
{
    enum { N = 10, AHEAD = 4 };
    static produce_probe p;
    produce_probe_init(&p, 0, false);
    goc_chan *ch = start_prefetch(N, AHEAD, probe_produce, &p);
    expect_prefetch_channel(ch, N, AHEAD);
    cl_settle();
    int calls = atomic_load(&p.calls);
    cl_expect(calls >= AHEAD + 1, "5 values computed while nobody was receiving (4 waiting in "
              "the channel + 1 in hand)",
              "a buffered channel: goc_chan_make(int, ahead). Sends complete without a "
              "receiver until the buffer is full; with capacity 0 each send waits for its "
              "receive, so nothing is prefetched",
              "start_prefetch(%d, %d, ...) computed %d value%s while nobody was receiving; the "
              "channel has capacity %zu (" EX ", start_prefetch).",
              N, AHEAD, calls, calls == 1 ? "" : "s", goc_chan_cap(ch));
    cl_expect(calls <= AHEAD + 1, "at most 5 values computed ahead (capacity 4 + 1 in hand)",
              "capacity is back-pressure: a buffer as large as the data (or a goroutine per "
              "value) never holds the producer back. Make the channel with capacity `ahead`",
              "start_prefetch(%d, %d, ...) computed %d values with nobody receiving; the channel "
              "has capacity %zu (" EX ", start_prefetch).",
              N, AHEAD, calls, goc_chan_cap(ch));
    cl_expect(goc_len(ch) == AHEAD && goc_cap(ch) == AHEAD,
              "4 values waiting in a channel of capacity 4",
              "goc_len(ch) is how many values wait in the buffer, goc_cap(ch) its size",
              "goc_len = %zu, goc_cap = %zu (" EX ", start_prefetch).", goc_len(ch), goc_cap(ch));
    expect_values(ch, &p, 1, 0, "start_prefetch(10, 4, ...)");
    cl_settle();
    calls = atomic_load(&p.calls);
    cl_expect(calls == AHEAD + 2, "one more value computed after one receive (6 in all)",
              "a receive frees one place; the blocked send completes and the producer makes "
              "exactly one more value",
              "after one receive produce had been called %d times (" EX ", start_prefetch).",
              calls);
    expect_values(ch, &p, N, 1, "start_prefetch(10, 4, ...)");
    expect_no_leaks_after("start_prefetch(10, 4, ...)", "send exactly n values, then return");
    goc_chan_free(ch);
}
CL_END_TEST

/* ---- run_limited ------------------------------------------------------------ */

typedef struct limit_probe {
    int n;
    _Atomic(int) runs[CL_PROBE_MAX];
    _Atomic(int) in_task, max_in_task, started, finished, finished_at_return;
    bool hold;
    cl_gate gate;
    int meet; /* > 0: the first `meet` tasks wait at a barrier for each other */
    cl_barrier barrier;
} limit_probe;

static void limit_probe_init(limit_probe *p, int n, bool hold, int meet)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->hold = hold;
    p->meet = meet;
    cl_gate_init(&p->gate);
    cl_barrier_init(&p->barrier, meet);
}

static void limit_task(int index, void *ctx)
{
    limit_probe *p = ctx;
    if (index >= 0 && index < CL_PROBE_MAX)
        atomic_fetch_add(&p->runs[index], 1);
    atomic_fetch_add(&p->started, 1);
    int now = atomic_fetch_add(&p->in_task, 1) + 1;
    int max = atomic_load(&p->max_in_task);
    while (now > max && !atomic_compare_exchange_weak(&p->max_in_task, &max, now))
        ;
    if (p->meet > 0)
        cl_barrier_arrive_and_wait(&p->barrier);
    if (p->hold)
        cl_gate_pass(&p->gate);
    atomic_fetch_sub(&p->in_task, 1);
    atomic_fetch_add(&p->finished, 1);
}

typedef struct limited_call {
    limit_probe p;
    int n, limit;
} limited_call;

static void call_run_limited(void *arg)
{
    limited_call *l = arg;
    run_limited(l->n, l->limit, limit_task, &l->p);
    atomic_store(&l->p.finished_at_return, atomic_load(&l->p.finished));
}

static void expect_some_started(limited_call *l, const char *who)
{
    cl_expect(atomic_load(&l->p.started) > 0, "the tasks to start, each in its own goroutine",
              "goc_go one goroutine per task; the semaphore decides when each may enter",
              "%srun_limited(%d, %d, ...) started none of its tasks (" EX ", run_limited).", who,
              l->n, l->limit);
}

/* With every task held, exactly `limit` are inside at the moment nothing
 * moves: fewer wastes places, more breaks the limit. */
static void expect_running(limited_call *l, const char *who)
{
    int in = atomic_load(&l->p.in_task), want = l->limit < l->n ? l->limit : l->n;
    int started = atomic_load(&l->p.started);
    expect_some_started(l, who);
    cl_expect(in <= want, "at most `limit` tasks inside task() at once",
              "a buffered channel of `limit` places as a counting semaphore: a send takes a "
              "place before the task, a receive gives it back after the task returns (not "
              "before)",
              "%s%d tasks were inside task() at once with a limit of %d (the grader held them) "
              "(" EX ", run_limited).",
              who, in, l->limit);
    cl_expect(in == want, "all `limit` places in use while tasks are waiting",
              "the semaphore's capacity is the limit: goc_chan_make(char, limit), and each "
              "task's place is given back when its task returns",
              "%sonly %d of %d tasks ever started with a limit of %d, and everything stopped: "
              "%s (" EX ", run_limited).",
              who, started, l->n, l->limit,
              started < want ? "the semaphore has fewer places than the limit, or the tasks "
                               "run one after another"
                             : "the remaining tasks wait for places nobody gives back");
}

static void expect_all_ran(limited_call *l, cl_call *c, const char *who)
{
    cl_expect(cl_call_await(c, 5), "run_limited to return once every task finished",
              "every task gives its place back (goc_recv on the semaphore) after it returns, "
              "so the next can take it; goc_wg_wait for all n",
              "%srun_limited(%d, %d, ...) was still waiting with nothing left running; %d of %d "
              "tasks had started, the next ones wait for a place nobody gave back (" EX
              ", run_limited).",
              who, l->n, l->limit, atomic_load(&l->p.started), l->n);
    cl_expect(atomic_load(&l->p.finished_at_return) == l->n,
              "every task finished when run_limited returns", "goc_wg_wait before returning",
              "%sonly %d of %d tasks had finished when run_limited returned (" EX
              ", run_limited).",
              who, atomic_load(&l->p.finished_at_return), l->n);
    for (int i = 0; i < l->n; i++)
        cl_expect(atomic_load(&l->p.runs[i]) == 1, "task(i) called once for every i",
                  "one goroutine per index, each with its own struct",
                  "%stask %d ran %d times (" EX ", run_limited).", who, i,
                  atomic_load(&l->p.runs[i]));
    int max = atomic_load(&l->p.max_in_task);
    cl_expect(max <= l->limit, "never more than `limit` tasks inside task()",
              "take the place before the task and give it back after",
              "%sup to %d tasks were inside task() at once with a limit of %d (" EX
              ", run_limited).",
              who, max, l->limit);
}

CL_TEST(run_limited_runs_exactly_limit_tasks_at_once)
{
    static limited_call l = {.n = 12, .limit = 3};
    limit_probe_init(&l.p, 12, true, 0);
    cl_call c;
    cl_spawn_call(&c, call_run_limited, &l);
    cl_settle();
    expect_running(&l, "");
    cl_expect(!cl_call_returned(&c), "run_limited to wait while tasks are running",
              "goc_wg_wait for all n tasks before returning",
              "run_limited(12, 3, ...) returned while %d tasks were held (" EX ", run_limited).",
              atomic_load(&l.p.in_task));
    cl_gate_open(&l.p.gate);
    expect_all_ran(&l, &c, "");
}
CL_END_TEST

/* The first `limit` tasks wait at a barrier for each other: it opens only
 * if `limit` of them really are inside at the same time. */
CL_TEST(run_limited_uses_every_place)
{
    static limited_call l = {.n = 9, .limit = 3};
    limit_probe_init(&l.p, 9, false, 3);
    cl_call c;
    cl_spawn_call(&c, call_run_limited, &l);
    cl_settle();
    expect_some_started(&l, "");
    cl_expect(cl_latch_is_open(&l.p.barrier), "3 tasks inside task() at the same time",
              "the limit is a maximum to use, not to stay under: the semaphore has `limit` "
              "places and every task has its own goroutine",
              "the first tasks waited at a barrier for 3 to be inside at once, but only %d got "
              "there and everything stopped (" EX ", run_limited).",
              atomic_load(&l.p.started));
    expect_all_ran(&l, &c, "");
}
CL_END_TEST

/* A limit of 1 runs the tasks one at a time; a limit above n runs all. */
CL_TEST(run_limited_with_limit_1_and_limit_above_n)
{
    static limited_call one = {.n = 5, .limit = 1}, wide = {.n = 5, .limit = 8};
    limit_probe_init(&one.p, 5, true, 0);
    cl_call c;
    cl_spawn_call(&c, call_run_limited, &one);
    cl_settle();
    expect_running(&one, "");
    cl_gate_open(&one.p.gate);
    expect_all_ran(&one, &c, "");

    limit_probe_init(&wide.p, 5, true, 0);
    cl_spawn_call(&c, call_run_limited, &wide);
    cl_settle();
    expect_running(&wide, "");
    cl_gate_open(&wide.p.gate);
    expect_all_ran(&wide, &c, "");
}
CL_END_TEST

/* Two callers at once, each with a limit of 2: each call has its own
 * places, so 2 + 2 tasks are inside at the same time. */
CL_TEST(run_limited_gives_each_call_its_own_limit)
{
    static limited_call a = {.n = 6, .limit = 2}, b = {.n = 6, .limit = 2};
    limit_probe_init(&a.p, 6, true, 0);
    limit_probe_init(&b.p, 6, true, 0);
    cl_call ca, cb;
    cl_spawn_call(&ca, call_run_limited, &a);
    cl_spawn_call(&cb, call_run_limited, &b);
    cl_settle();
    expect_running(&a, "with another run_limited running at the same time, ");
    expect_running(&b, "with another run_limited running at the same time, ");
    cl_gate_open(&a.p.gate);
    cl_gate_open(&b.p.gate);
    expect_all_ran(&a, &ca, "first of two calls: ");
    expect_all_ran(&b, &cb, "second of two calls: ");
}
CL_END_TEST

/* ---- first_result ------------------------------------------------------------- */

typedef struct attempt_probe {
    int n;
    cl_gate gates[CL_PROBE_MAX];
    _Atomic(int) started, finished;
    int base;
} attempt_probe;

static void attempt_probe_init(attempt_probe *a, int n, int base)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->base = base;
    for (int i = 0; i < n; i++)
        cl_gate_init(&a->gates[i]);
}

static int probe_attempt(int index, void *ctx)
{
    attempt_probe *a = ctx;
    atomic_fetch_add(&a->started, 1);
    if (index >= 0 && index < a->n)
        cl_gate_pass(&a->gates[index]);
    atomic_fetch_add(&a->finished, 1);
    return a->base + index;
}

typedef struct first_call {
    attempt_probe a;
    int n;
    _Atomic(int) got;
} first_call;

static void call_first_result(void *arg)
{
    first_call *f = arg;
    atomic_store(&f->got, first_result(f->n, probe_attempt, &f->a));
}

static const char LOSERS[] =
    "a result channel with room for every attempt (capacity n): the losers' sends complete "
    "without a receiver and their goroutines end. On an unbuffered channel nobody ever "
    "takes their answers, and they stay blocked in goc_send for good";

/* Every attempt is held; opening attempt 5's gate alone must make
 * first_result return 5's answer, with the other 11 still held. */
CL_TEST(first_result_returns_the_first_answer_without_waiting)
{
    static first_call f = {.n = 12};
    attempt_probe_init(&f.a, 12, 1000);
    atomic_store(&f.got, -1);
    cl_call c;
    cl_spawn_call(&c, call_first_result, &f);
    cl_settle();
    int started = atomic_load(&f.a.started);
    cl_expect(started == 12, "all 12 attempts started at once, each in its own goroutine",
              "goc_go one goroutine per attempt before receiving the first answer",
              "only %d of 12 attempts had started while they were held (" EX
              ", first_result).",
              started);
    cl_expect(!cl_call_returned(&c), "first_result to wait for an answer",
              "the receive of the first answer blocks until some attempt sends one",
              "first_result returned %d before any attempt had finished (" EX
              ", first_result).",
              atomic_load(&f.got));
    cl_gate_open(&f.a.gates[5]);
    bool back = cl_call_await(&c, 5);
    cl_expect(back, "first_result to return as soon as attempt 5 answered",
              "receive one value from the results channel and return it; waiting for every "
              "attempt (a WaitGroup in first_result) throws away the point of racing them",
              "attempt 5 finished first, but first_result was still waiting while the other "
              "11 were held (" EX ", first_result).");
    cl_expect(atomic_load(&f.got) == 1005, "attempt 5's answer, 1005",
              "return the value received from the results channel",
              "first_result returned %d (" EX ", first_result).", atomic_load(&f.got));
    for (int i = 0; i < 12; i++)
        if (i != 5)
            cl_gate_open(&f.a.gates[i]);
    cl_settle();
    expect_no_leaks_after("first_result(12, ...)", LOSERS);
    cl_expect(atomic_load(&f.a.finished) == 12, "all 12 attempts finished", LOSERS,
              "%d of 12 finished (" EX ", first_result).", atomic_load(&f.a.finished));
}
CL_END_TEST

/* Released all at once, and from two callers at the same time: each call
 * gets one of its own attempts' answers, and every loser can leave. */
CL_TEST(first_result_lets_every_loser_finish)
{
    static first_call a = {.n = 8}, b = {.n = 8};
    attempt_probe_init(&a.a, 8, 100);
    attempt_probe_init(&b.a, 8, 200);
    for (int i = 0; i < 8; i++) {
        cl_gate_open(&a.a.gates[i]);
        cl_gate_open(&b.a.gates[i]);
    }
    cl_call ca, cb;
    cl_spawn_call(&ca, call_first_result, &a);
    cl_spawn_call(&cb, call_first_result, &b);
    cl_expect(cl_call_await(&ca, 5) && cl_call_await(&cb, 5),
              "two first_result calls at once to both return",
              "each call has its own results channel", "a call was still waiting (" EX
              ", first_result).");
    int ga = atomic_load(&a.got), gb = atomic_load(&b.got);
    cl_expect(ga >= 100 && ga < 108 && gb >= 200 && gb < 208,
              "each call to return one of its own attempts' answers",
              "one results channel per call, made inside first_result",
              "the calls returned %d and %d, expected 100..107 and 200..207 (" EX
              ", first_result).",
              ga, gb);
    expect_no_leaks_after("first_result(8, ...)", LOSERS);
}
CL_END_TEST

CL_TEST(first_result_with_one_attempt)
{
    static first_call f = {.n = 1};
    attempt_probe_init(&f.a, 1, 42);
    cl_gate_open(&f.a.gates[0]);
    cl_call c;
    cl_spawn_call(&c, call_first_result, &f);
    cl_expect(cl_call_await(&c, 5), "first_result(1, ...) to return its only answer",
              "start the attempt, receive its answer", "it never returned (" EX
              ", first_result).");
    cl_expect(atomic_load(&f.got) == 42, "the answer 42", "return the value received",
              "first_result(1, ...) returned %d (" EX ", first_result).", atomic_load(&f.got));
}
CL_END_TEST

/* The lesson wraps goc_wg_add_at: every Add from the learner's file waits
 * at a schedule point until nothing else moves, then the test lets the
 * waiting ones go, a step at a time.  Counted in first_result (one Add of
 * n, or one per attempt before its goc_go), only first_result's own
 * goroutine ever waits there, one Add at a time.  Attempts that count
 * themselves all wait there at once, every run: each would add 1 only
 * after starting, when the others may already have finished, the count
 * touched 0 and the janitor freed the race under it.  The test fails
 * while they are held, so the run never gets there. */
CL_TEST(first_result_counts_every_attempt_before_it_starts)
{
    static first_call f = {.n = 4};
    attempt_probe_init(&f.a, 4, 400);
    for (int i = 0; i < 4; i++)
        cl_gate_open(&f.a.gates[i]);
    atomic_store(&f.got, -1);
    cl_point_hold_every(CL_BEFORE_WG_ADD);
    cl_call c;
    cl_spawn_call(&c, call_first_result, &f);
    for (;;) {
        cl_settle();
        int waiting = cl_point_waiting(CL_BEFORE_WG_ADD);
        cl_expect(waiting <= 1, "every attempt counted in first_result, before its goc_go",
                  "count the attempts in first_result before starting them "
                  "(goc_wg_add(&r->running, n) once, or 1 before each goc_go), never inside "
                  "attempt_main: until an attempt has counted itself, the janitor's "
                  "goc_wg_wait can find 0 and free the race while that attempt still runs",
                  "%d goroutines were each about to call goc_wg_add at the same moment, after "
                  "first_result had started them: the attempts count themselves. The grader "
                  "held them there; on a run where the others finish first, the janitor "
                  "frees the race and a late goc_wg_add lands in freed memory (" EX
                  ", attempt_main and first_result).",
                  waiting);
        if (waiting == 0 || cl_call_returned(&c))
            break;
        cl_point_step(CL_BEFORE_WG_ADD);
    }
    cl_point_release(CL_BEFORE_WG_ADD);
    cl_expect(cl_call_await(&c, 5), "first_result(4, ...) to return an answer",
              "start the attempts, receive one answer", "it never returned (" EX
              ", first_result).");
    expect_no_leaks_after("first_result(4, ...)", LOSERS);
}
CL_END_TEST

/* ---- first_result's own receive ------------------------------------------------ */

/* The lesson lists goc_chan_recv_at in `wrap:`, so every receive goes
 * through here.  Once a test arms `recv_hold`, the first receive made from
 * the learner's file waits at that gate before it starts: the test can then
 * let every attempt finish while first_result has not received yet, the
 * run on which a janitor started before the receive frees the channel
 * under it.  Unarmed (every other test), it only calls the real receive. */
bool __real_goc_chan_recv_at(goc_chan *ch, void *elem, size_t elem_size, goc_site site) CL__WEAK;
static cl_gate *_Atomic recv_hold;
static _Atomic(int) recv_held;

bool __wrap_goc_chan_recv_at(goc_chan *ch, void *elem, size_t elem_size, goc_site site)
{
    if (atomic_load(&recv_hold) && cl_is_learner_file(site.file)) {
        cl_gate *g = atomic_exchange(&recv_hold, NULL);
        if (g) {
            atomic_store(&recv_held, 1);
            cl_gate_pass(g);
        }
    }
    return __real_goc_chan_recv_at(ch, elem, elem_size, site);
}

/* Every attempt answers and ends while first_result is held just before
 * its receive: the channel must still be there when that receive runs.
 * A janitor started before the receive has nothing left to wait for by
 * then, and frees the channel (and the struct holding it) first. */
CL_TEST(first_result_keeps_the_channel_until_its_own_receive)
{
    static first_call f = {.n = 6};
    attempt_probe_init(&f.a, 6, 300);
    for (int i = 0; i < 6; i++)
        cl_gate_open(&f.a.gates[i]);
    atomic_store(&f.got, -1);
    static cl_gate before_recv;
    cl_gate_init(&before_recv);
    atomic_store(&recv_held, 0);
    atomic_store(&recv_hold, &before_recv);
    cl_call c;
    cl_spawn_call(&c, call_first_result, &f);
    cl_settle();
    atomic_store(&recv_hold, NULL); /* whether or not it fired */
    bool held = atomic_load(&recv_held) != 0;
    int finished = atomic_load(&f.a.finished);
    cl_gate_open(&before_recv);
    cl_expect(cl_call_await(&c, 5), "first_result(6, ...) to return an answer",
              "the results channel has room for all 6 answers, so the attempts never wait "
              "for first_result, nor first_result for more than one answer",
              "it never returned (" EX ", first_result).");
    int got = atomic_load(&f.got);
    cl_expect(got >= 300 && got < 306, "one of the attempts' answers, 300..305",
              "start the janitor only after your own receive has returned: until then "
              "first_result still uses the channel, and a janitor that counts only the "
              "attempts may free it as soon as they are done",
              "first_result returned %d after %d of 6 attempts had finished%s (" EX
              ", first_result).",
              got, finished, held ? " before its receive began" : "");
    expect_no_leaks_after("first_result(6, ...)", LOSERS);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("04-buffered-channels", start_prefetch_sends_every_value_in_order,
                    start_prefetch_returns_before_producing,
                    start_prefetch_stays_exactly_ahead_values_ahead,
                    run_limited_runs_exactly_limit_tasks_at_once, run_limited_uses_every_place,
                    run_limited_with_limit_1_and_limit_above_n,
                    run_limited_gives_each_call_its_own_limit,
                    first_result_returns_the_first_answer_without_waiting,
                    first_result_counts_every_attempt_before_it_starts,
                    first_result_keeps_the_channel_until_its_own_receive,
                    first_result_lets_every_loser_finish, first_result_with_one_attempt);
}
