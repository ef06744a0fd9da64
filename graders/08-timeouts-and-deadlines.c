/* Grader for exercise 08 — timeouts and deadlines.
 *
 * Every test runs on the fake clock (goc/fakeclock.h): time moves only
 * when the grader advances it or every goroutine is parked.  So "gave up
 * exactly at d, while op was still running", "ready was called at 0, 5,
 * 10 ms", "the budget ended the loop at 55 ms although values kept
 * coming" are exact facts, and goc_pending_timers() names a ticker or a
 * goc_after left running.  The grader's ops and senders are held on
 * gates or sleep on the same fake clock.  The memory pass (asan: true)
 * catches the C-specific trap: a caller that frees what the worker still
 * uses after a timeout; the race pass catches a result written without
 * synchronisation. */
#include "grader.h"

goc_error *timeout_error(void); /* &err_timeout, the sentinel */
typedef int (*op_fn)(void *arg);
goc_error *call_with_timeout(op_fn op, void *arg, goc_duration d, int *out);
goc_error *retry(op_fn op, void *arg, int tries, goc_duration per_try, goc_duration overall,
                 int *out);
int poll_until(bool (*ready)(void *arg), void *arg, goc_duration every, goc_duration budget);
int collect_until(goc_recvch in, int *buf, int max, goc_duration budget);

#define EX "exercises/08-timeouts-and-deadlines.c"

#define MS(d) ((long long)((d) / GOC_MILLISECOND))

/* ---- call_with_timeout --------------------------------------------------------- */

/* The grader's op: returns `value`, after passing a gate if held. */
typedef struct op_probe {
    int value;
    bool hold;
    cl_gate gate;
    _Atomic(int) started, finished;
    _Atomic(int64_t) gid;
} op_probe;

static void op_init(op_probe *p, int value, bool hold)
{
    memset(p, 0, sizeof *p);
    p->value = value;
    p->hold = hold;
    cl_gate_init(&p->gate);
}

static int probe_op(void *arg)
{
    op_probe *p = arg;
    atomic_store(&p->gid, goc_id());
    atomic_fetch_add(&p->started, 1);
    if (p->hold)
        cl_gate_pass(&p->gate);
    atomic_fetch_add(&p->finished, 1);
    return p->value;
}

typedef struct cwt_call {
    op_probe *op;
    goc_duration d;
    int out;
    goc_error *err;
    goc_time returned_at;
    cl_call call;
} cwt_call;

static void call_cwt(void *arg)
{
    cwt_call *c = arg;
    c->err = call_with_timeout(probe_op, c->op, c->d, &c->out);
    c->returned_at = goc_now();
}

static cwt_call *start_cwt(op_probe *op, goc_duration d)
{
    cwt_call *c = cl_alloc(1, sizeof *c);
    *c = (cwt_call){.op = op, .d = d, .out = -1};
    cl_spawn_call(&c->call, call_cwt, c);
    return c;
}

CL_TEST(call_with_timeout_returns_the_result_in_time)
{
    goc_fakeclock_enable();
    op_probe *op = cl_alloc(1, sizeof *op);
    op_init(op, 42, false);
    goc_time start = goc_now();
    cwt_call *c = start_cwt(op, GOC_HOUR);
    cl_expect(cl_call_await(&c->call, 5), "call_with_timeout to return once op has returned",
              "select on the result channel and the timeout: the result is ready at once",
              "call_with_timeout(op, 1 h) was still waiting although op had returned 42 (" EX
              ", call_with_timeout).");
    cl_expect(c->err == NULL && c->out == 42, "NULL and *out = 42",
              "on a result, store it in *out and return NULL (no error)",
              "call_with_timeout returned %s with *out = %d (" EX ", call_with_timeout).",
              c->err ? goc_error_message(c->err) : "NULL", c->out);
    cl_expect(c->returned_at == start, "no time to pass", "do not sleep: select",
              "call_with_timeout let %lld ms of (fake) time pass (" EX ", call_with_timeout).",
              MS(c->returned_at - start));
    cl_expect_no_pending_timers("call_with_timeout(op, 1 h) whose op answered at once",
                                EX ", call_with_timeout");
}
CL_END_TEST

/* The trap: the caller gives up while op is still running.  op is held on
 * a gate; after the timeout the grader opens it, and the worker must then
 * deliver its late result without blocking (leak check) and without
 * touching freed memory (the memory pass: heap-use-after-free). */
CL_TEST(call_with_timeout_gives_up_while_op_still_runs)
{
    goc_fakeclock_enable();
    op_probe *op = cl_alloc(1, sizeof *op);
    op_init(op, 7, true);
    goc_time start = goc_now();
    cwt_call *c = start_cwt(op, 20 * GOC_MILLISECOND);
    cl_settle();
    cl_expect(atomic_load(&op->started) == 1, "op to be started", "goc_go the worker",
              "op was not called (" EX ", call_with_timeout).");
    cl_expect(!cl_call_returned(&c->call), "call_with_timeout to wait up to d for op",
              "the timeout fires after d, not before",
              "call_with_timeout(op, 20 ms) returned before any time had passed (" EX
              ", call_with_timeout).");
    goc_fakeclock_advance(20 * GOC_MILLISECOND);
    bool returned = cl_call_await(&c->call, 5);
    cl_expect(returned, "call_with_timeout to return at 20 ms, op still running",
              "run op in its own goroutine (goc_go) and select on its result and goc_after(d); "
              "calling op yourself means waiting as long as op takes",
              "call_with_timeout(op, 20 ms) was still waiting for op 20 ms in (" EX
              ", call_with_timeout).");
    cl_expect(c->returned_at - start == 20 * GOC_MILLISECOND,
              "to give up exactly when d has passed", "one goc_after(d), made once",
              "it returned at %lld ms (" EX ", call_with_timeout).", MS(c->returned_at - start));
    cl_expect(goc_error_is(c->err, timeout_error()), "goc_error_is(err, &err_timeout)",
              "return the sentinel itself (&err_timeout): callers compare by identity, so a "
              "new error with the same text is a different error",
              "call_with_timeout returned %s%s (" EX ", call_with_timeout).",
              c->err ? "the error " : "NULL", c->err ? goc_error_message(c->err) : "");
    cl_expect(c->out == -1, "*out untouched on a timeout", "write *out only on a result",
              "*out became %d (" EX ", call_with_timeout).", c->out);
    cl_expect_no_pending_timers("call_with_timeout that timed out", EX ", call_with_timeout");
    /* Now op finishes, late.  Its result must have somewhere to go. */
    cl_gate_open(&op->gate);
    cl_settle();
    char dump[4096];
    cl_dump(dump, sizeof dump);
    const char *stuck = strstr(dump, "[chan send]");
    if (stuck) /* show that goroutine's block, from its "goroutine N" line */
        while (stuck > dump && strncmp(stuck, "goroutine ", 10) != 0)
            stuck--;
    cl_expect(stuck == NULL, "the late worker to deliver its result and exit",
              "after a timeout nobody receives the result: give the result channel room for "
              "one value (goc_chan_make(int, 1)) so the worker's send never waits",
              "the worker is stuck sending its late result; nobody will ever receive it:\n%.600s",
              stuck ? stuck : "");
}
CL_END_TEST

static void cwt_crowd(int caller, void *arg)
{
    op_probe *ops = arg;
    int out = -1;
    goc_error *err = call_with_timeout(probe_op, &ops[caller], GOC_HOUR, &out);
    cl_expect(err == NULL && out == ops[caller].value, "each caller to get its own op's result",
              "keep each call's state (result channel, op, arg) in a struct of its own; "
              "nothing static",
              "caller %d got %d (error %s) instead of %d (" EX ", call_with_timeout).", caller,
              out, goc_error_message(err), ops[caller].value);
}

CL_TEST(call_with_timeout_calls_do_not_share_anything)
{
    goc_fakeclock_enable();
    enum { K = 6 };
    op_probe *ops = cl_alloc(K, sizeof *ops);
    for (int i = 0; i < K; i++)
        op_init(&ops[i], 100 + i, false);
    cl_expect(cl_call_concurrently(K, cwt_crowd, ops), "6 concurrent calls to return",
              "each call waits only for its own op",
              "some of 6 concurrent calls did not return (" EX ", call_with_timeout).");
    cl_expect_no_pending_timers("6 concurrent call_with_timeout", EX ", call_with_timeout");
}
CL_END_TEST

/* ---- retry -------------------------------------------------------------------------- */

typedef struct retry_probe {
    int fail_first; /* the first fail_first attempts return -1 */
    int value;
    bool hold; /* every attempt waits on the gate (answers too late) */
    cl_gate gate;
    goc_time start;
    _Atomic(int) calls;
    goc_time at[32];
} retry_probe;

static int retry_op(void *arg)
{
    retry_probe *p = arg;
    int n = atomic_fetch_add(&p->calls, 1) + 1;
    if (n <= 32)
        p->at[n - 1] = goc_now() - p->start;
    if (p->hold)
        cl_gate_pass(&p->gate);
    return n <= p->fail_first ? -1 : p->value;
}

typedef struct retry_call {
    retry_probe p;
    int tries, out;
    goc_duration per_try, overall;
    goc_error *err;
    goc_time returned_at;
    cl_call call;
} retry_call;

static void call_retry(void *arg)
{
    retry_call *r = arg;
    r->err = retry(retry_op, &r->p, r->tries, r->per_try, r->overall, &r->out);
    r->returned_at = goc_now() - r->p.start;
}

static retry_call *start_retry(int tries, goc_duration per_try, goc_duration overall)
{
    retry_call *r = cl_alloc(1, sizeof *r);
    r->tries = tries;
    r->per_try = per_try;
    r->overall = overall;
    r->out = -100;
    r->p.start = goc_now();
    cl_gate_init(&r->p.gate);
    return r;
}

static void attempt_times(retry_call *r, char *buf, size_t size)
{
    int n = atomic_load(&r->p.calls);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < 32 && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "",
                                 MS(r->p.at[i]));
}

CL_TEST(retry_stops_at_the_first_success)
{
    goc_fakeclock_enable();
    retry_call *r = start_retry(5, 10 * GOC_MILLISECOND, GOC_SECOND);
    r->p.fail_first = 2;
    r->p.value = 9;
    cl_spawn_call(&r->call, call_retry, r);
    cl_expect(cl_call_await(&r->call, 5), "retry to return after the 3rd attempt succeeded",
              "each attempt is a call_with_timeout; a result >= 0 ends the loop",
              "retry did not return (" EX ", retry).");
    int calls = atomic_load(&r->p.calls);
    cl_expect(r->err == NULL && r->out == 9 && calls == 3,
              "NULL and 9 after 3 attempts (2 failed, the 3rd returned 9)",
              "a negative result is a failure: try again; stop at the first success",
              "retry made %d attempts and returned %s with *out = %d (" EX ", retry).", calls,
              r->err ? goc_error_message(r->err) : "NULL", r->out);
    cl_expect(r->returned_at == 0, "no time to pass: the attempts answered at once",
              "do not sleep between attempts here; the select returns when the result comes",
              "retry returned at %lld ms (" EX ", retry).", MS(r->returned_at));
    cl_expect_no_pending_timers("retry that succeeded", EX ", retry");
}
CL_END_TEST

/* Every attempt hangs.  tries 10, per_try 20 ms, overall 50 ms: attempts
 * start at 0, 20 and 40 ms, the third gets only the 10 ms left, and retry
 * gives up at exactly 50 ms. */
CL_TEST(retry_gives_each_attempt_only_the_time_left)
{
    goc_fakeclock_enable();
    retry_call *r = start_retry(10, 20 * GOC_MILLISECOND, 50 * GOC_MILLISECOND);
    r->p.hold = true;
    cl_spawn_call(&r->call, call_retry, r);
    goc_fakeclock_advance(50 * GOC_MILLISECOND);
    bool returned = cl_call_await(&r->call, 5);
    char times[256];
    attempt_times(r, times, sizeof times);
    cl_expect(returned, "retry to give up when its 50 ms budget is spent",
              "compute the end once (goc_now() + overall) and give each attempt "
              "min(per_try, end - goc_now()); a per_try attempt started at 40 ms ends at 60",
              "retry had not returned at 50 ms, its overall budget, after %d attempts "
              "started at %s ms (" EX ", retry).", atomic_load(&r->p.calls), times);
    int calls = atomic_load(&r->p.calls);
    cl_expect(calls == 3 && r->returned_at == 50 * GOC_MILLISECOND,
              "3 attempts (at 0, 20, 40 ms) and the return at 50 ms",
              "stop starting attempts once the budget is spent",
              "retry made %d attempts (at %s ms) and returned at %lld ms (" EX ", retry).",
              calls, times, MS(r->returned_at));
    cl_expect(goc_error_is(r->err, timeout_error()), "an error that wraps &err_timeout",
              "wrap the last attempt's error: goc_error_wrap(last, \"after %d tries\", n)",
              "retry returned %s (" EX ", retry).",
              r->err ? goc_error_message(r->err) : "NULL");
    const char *msg = goc_error_message(r->err);
    cl_expect(strstr(msg, "after 3 tries") != NULL, "the message to start \"after 3 tries\"",
              "say how many attempts were made: goc_error_wrap(last, \"after %d tries\", n)",
              "retry's error says \"%s\" (" EX ", retry).", msg);
    goc_error_free(r->err);
    cl_gate_open(&r->p.gate); /* the three late attempts finish now */
}
CL_END_TEST

/* ---- poll_until --------------------------------------------------------------------- */

enum { MAX_CALLS = 64 };

typedef struct ready_probe {
    int true_on; /* call number that answers true; 0: never */
    goc_time start;
    _Atomic(int) calls;
    goc_time at[MAX_CALLS];
    _Atomic(int) after_return;
    _Atomic(int) returned;
} ready_probe;

static bool probe_ready(void *arg)
{
    ready_probe *r = arg;
    if (atomic_load(&r->returned))
        atomic_fetch_add(&r->after_return, 1);
    int n = atomic_fetch_add(&r->calls, 1) + 1;
    if (n <= MAX_CALLS)
        r->at[n - 1] = goc_now() - r->start;
    return n == r->true_on;
}

typedef struct poll_call {
    ready_probe r;
    goc_duration every, budget;
    int result;
    goc_time returned_at;
    cl_call call;
} poll_call;

static void call_poll(void *arg)
{
    poll_call *p = arg;
    p->result = poll_until(probe_ready, &p->r, p->every, p->budget);
    p->returned_at = goc_now() - p->r.start;
    atomic_store(&p->r.returned, 1);
}

static poll_call *start_poll(int true_on, goc_duration every, goc_duration budget)
{
    poll_call *p = cl_alloc(1, sizeof *p);
    p->r.true_on = true_on;
    p->r.start = goc_now();
    p->every = every;
    p->budget = budget;
    p->result = -2;
    cl_spawn_call(&p->call, call_poll, p);
    return p;
}

/* Each call k (from 0) at k * every exactly. */
static void expect_calls_on_ticks(poll_call *p, int n)
{
    for (int k = 0; k < n && k < MAX_CALLS; k++)
        cl_expect(p->r.at[k] == k * p->every, "one call at once, then one per tick",
                  "call ready, then wait for the ticker's channel (goc_ticker_chan) before "
                  "the next call",
                  "call %d of ready came at %lld ms; expected %lld ms (every %lld ms) (" EX
                  ", poll_until).", k + 1, MS(p->r.at[k]), MS(k * p->every), MS(p->every));
}

CL_TEST(poll_until_stops_when_ready)
{
    goc_fakeclock_enable();
    poll_call *p = start_poll(3, 5 * GOC_MILLISECOND, GOC_SECOND);
    goc_fakeclock_advance(100 * GOC_MILLISECOND);
    int calls = atomic_load(&p->r.calls);
    cl_expect(calls <= 3, "no call of ready after the one that answered true",
              "return as soon as ready returns true",
              "ready was called %d times; the 3rd answered true (" EX ", poll_until).", calls);
    cl_expect(cl_call_await(&p->call, 5) && p->result == 3,
              "poll_until to return 3 (ready was true on the 3rd call)",
              "count the calls, and return the count when ready says true",
              "poll_until %s %d (" EX ", poll_until).",
              cl_call_returned(&p->call) ? "returned" : "had not returned; ready was called",
              cl_call_returned(&p->call) ? p->result : calls);
    expect_calls_on_ticks(p, 3);
    cl_expect(p->returned_at == 10 * GOC_MILLISECOND, "to return at 10 ms, right after call 3",
              "return at once when ready is true",
              "it returned at %lld ms (" EX ", poll_until).", MS(p->returned_at));
    cl_expect_no_pending_timers("poll_until that found ready on the 3rd call", EX ", poll_until");
}
CL_END_TEST

CL_TEST(poll_until_gives_up_when_the_budget_is_spent)
{
    goc_fakeclock_enable();
    poll_call *p = start_poll(0, 5 * GOC_MILLISECOND, 50 * GOC_MILLISECOND);
    bool settled = cl_settle();
    int calls = atomic_load(&p->r.calls);
    cl_expect(settled && calls == 1, "one call of ready, then a wait for the first tick",
              "between two calls, block on the ticker's channel: a loop that calls ready "
              "again at once spins and never lets time pass",
              "before any time had passed, ready was called %d times%s (" EX ", poll_until).",
              calls, settled ? "" : " and poll_until kept running");
    goc_fakeclock_advance(50 * GOC_MILLISECOND);
    bool returned = cl_call_await(&p->call, 5);
    calls = atomic_load(&p->r.calls);
    if (!returned)
        goc_fakeclock_advance(GOC_SECOND);
    cl_expect(returned, "poll_until to give up when its 50 ms budget is spent",
              "make the deadline once, before the loop (goc_after(budget)), and select on it "
              "with the ticker; a timer made inside the loop restarts on every tick and "
              "never fires",
              "poll_until was still polling %s into a 50 ms budget, after %d calls (" EX
              ", poll_until).", cl_call_returned(&p->call) ? "50 ms" : "1 s", calls);
    cl_expect(p->result == -1, "-1 when the budget ran out", "return -1 on the deadline",
              "poll_until returned %d (" EX ", poll_until).", p->result);
    cl_expect(p->returned_at == 50 * GOC_MILLISECOND, "to return exactly at 50 ms",
              "one deadline for the whole loop",
              "it returned at %lld ms (" EX ", poll_until).", MS(p->returned_at));
    /* Ticks at 5, 10, ..., 45 ms, and the one at 50 ms races the deadline
     * (both fire at the same instant: select picks either), so 10 or 11. */
    cl_expect(calls == 10 || calls == 11, "10 calls (at 0, 5, ..., 45 ms; maybe one at 50)",
              "one call per tick: a ticker never ticks faster than its period",
              "ready was called %d times in 50 ms with a 5 ms ticker (" EX ", poll_until).",
              calls);
    expect_calls_on_ticks(p, calls < 10 ? calls : 10);
    cl_expect(atomic_load(&p->r.after_return) == 0, "no call of ready after the return",
              "everything stops when poll_until returns", "ready was called after poll_until "
              "returned (" EX ", poll_until).");
    cl_expect_no_pending_timers("poll_until that ran out of budget", EX ", poll_until");
}
CL_END_TEST

/* ---- collect_until ------------------------------------------------------------------ */

/* Sends 1, 2, 3, ... on `out`, one every 10 ms of (fake) time, until stop
 * is closed. */
typedef struct stream {
    goc_chan *out, *stop;
    cl_latch done;
} stream;

static void stream_main(void *arg)
{
    stream *s = arg;
    for (int i = 1;; i++) {
        if (goc_select(goc_case_send(s->out, &i), goc_case_recv_discard(s->stop)) == 1)
            break;
        goc_sleep(10 * GOC_MILLISECOND);
    }
    cl_latch_count_down(&s->done);
}

typedef struct collect_call {
    goc_chan *in;
    int buf[128], max, n;
    goc_duration budget;
    goc_time start, returned_at;
    cl_call call;
} collect_call;

static void call_collect(void *arg)
{
    collect_call *c = arg;
    c->n = collect_until(goc_recv_only(c->in), c->buf, c->max, c->budget);
    c->returned_at = goc_now() - c->start;
}

static collect_call *start_collect(goc_chan *in, int max, goc_duration budget)
{
    collect_call *c = cl_alloc(1, sizeof *c);
    c->in = in;
    c->max = max;
    c->budget = budget;
    c->n = -1;
    c->start = goc_now();
    cl_spawn_call(&c->call, call_collect, c);
    return c;
}

static goc_chan *chan_int(size_t cap)
{
    goc_chan *ch = goc_chan_make(int, cap);
    cl__own(cl__owned.chans, ch);
    return ch;
}

CL_TEST(collect_until_ends_at_the_deadline_while_values_keep_coming)
{
    goc_fakeclock_enable();
    stream *s = cl_alloc(1, sizeof *s);
    s->out = chan_int(0);
    s->stop = goc_chan_make(char, 0);
    cl__own(cl__owned.chans, s->stop);
    cl_latch_init(&s->done, 1);
    goc_go_named("grader stream", stream_main, s);
    collect_call *c = start_collect(s->out, 128, 55 * GOC_MILLISECOND);
    goc_fakeclock_advance(55 * GOC_MILLISECOND);
    bool returned = cl_call_await(&c->call, 5);
    if (!returned) {
        goc_fakeclock_advance(GOC_SECOND);
        returned = cl_call_await(&c->call, 5);
    }
    cl_expect(returned, "collect_until to return when its 55 ms budget is spent",
              "a goc_after made inside the loop restarts the clock on every value, so with "
              "values every 10 ms it never fires; make the deadline once, before the loop",
              "collect_until was still receiving %s into a 55 ms budget (a value came every "
              "10 ms) (" EX ", collect_until).", returned ? "55 ms" : "1 s");
    cl_expect(c->returned_at == 55 * GOC_MILLISECOND, "to return exactly at 55 ms",
              "one deadline for the whole collection",
              "collect_until returned at %lld ms (" EX ", collect_until).", MS(c->returned_at));
    cl_expect(c->n == 6, "6 values (sent at 0, 10, ..., 50 ms)",
              "store every value received before the deadline",
              "collect_until returned %d (" EX ", collect_until).", c->n);
    for (int i = 0; i < c->n && i < 6; i++)
        cl_expect(c->buf[i] == i + 1, "the values 1..6 in order", "store them in order",
                  "buf[%d] = %d (" EX ", collect_until).", i, c->buf[i]);
    goc_close(s->stop);
    cl_latch_wait(&s->done); /* the stream's own sleep ends: only the learner's timers remain */
    cl_expect_no_pending_timers("collect_until", EX ", collect_until");
}
CL_END_TEST

CL_TEST(collect_until_stops_at_the_close_and_at_max)
{
    goc_fakeclock_enable();
    goc_chan *in = chan_int(4);
    goc_send(in, &(int){1});
    goc_send(in, &(int){2});
    goc_close(in);
    collect_call *c = start_collect(in, 128, GOC_HOUR);
    cl_expect(cl_call_await(&c->call, 5) && c->n == 2 && c->returned_at == 0,
              "2, at once, from a channel holding 2 values and closed",
              "check ok (goc_case_recv_ok): a closed channel ends the collection",
              "collect_until %s %d at %lld ms (" EX ", collect_until).",
              cl_call_returned(&c->call) ? "returned" : "had not returned; n =", c->n,
              MS(c->returned_at));
    cl_expect_no_pending_timers("collect_until on a closed channel", EX ", collect_until");

    goc_chan *full = chan_int(8);
    for (int v = 1; v <= 5; v++)
        goc_send(full, &v);
    c = start_collect(full, 3, GOC_HOUR);
    cl_expect(cl_call_await(&c->call, 5) && c->n == 3 && goc_len(full) == 2,
              "3 values taken (max), 2 left in the channel", "stop at max: buf holds max",
              "with max 3 and 5 waiting, collect_until returned %d and left %zu (" EX
              ", collect_until).", c->n, goc_len(full));
    cl_expect_no_pending_timers("collect_until that reached max", EX ", collect_until");
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("08-timeouts-and-deadlines", call_with_timeout_returns_the_result_in_time,
                    call_with_timeout_gives_up_while_op_still_runs,
                    call_with_timeout_calls_do_not_share_anything,
                    retry_stops_at_the_first_success, retry_gives_each_attempt_only_the_time_left,
                    poll_until_stops_when_ready,
                    poll_until_gives_up_when_the_budget_is_spent,
                    collect_until_ends_at_the_deadline_while_values_keep_coming,
                    collect_until_stops_at_the_close_and_at_max);
}
