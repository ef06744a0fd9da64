/* Grader for exercise 12 — context.
 *
 * Cancellation is an event the grader causes (goc_ctx_cancel) at a moment
 * it chooses: a step or a fetch held on a gate, the context cancelled, the
 * gate opened; what ran after that is counted, not timed.  Deadlines run on
 * the fake clock (goc/fakeclock.h), so "done exactly per_item after it was
 * made, all items at once" is exact.  Derivation is proved by what a fetch
 * sees in its context: the parent's value, a deadline, and the parent's
 * cancellation.  A context never released keeps its deadline timer
 * pending (goc_pending_timers names the line) and its memory allocated
 * (the memory pass); one released while its goroutine still runs is
 * cancelled under it (the errors say so) and freed under it (the memory
 * pass).  Keys: the grader stores a value under its own key, with the
 * same name and the same string, which request_id must not see. */
#include "grader.h"

typedef goc_error *(*step_fn)(goc_ctx *ctx, int step, void *arg);
typedef goc_error *(*fetch_fn)(goc_ctx *ctx, int i, void *arg);
goc_error *run_steps(goc_ctx *ctx, int n, step_fn step, void *arg);
goc_error *wait_or_cancel(goc_ctx *ctx, goc_recvch ch, int *v);
void fetch_each(goc_ctx *parent, int n, goc_duration per_item, fetch_fn fetch, void *arg,
                goc_error **errs);
goc_ctx *with_request_id(goc_ctx *parent, const char *id);
const char *request_id(goc_ctx *ctx);

#define EX "exercises/12-context.c"
#define MS(d) ((long long)((d) / GOC_MILLISECOND))
#define RELEASE_WHERE                                                                  \
    EX ", fetch_each: every goc_ctx_with_* needs one goc_ctx_release, after the "      \
       "goroutines using it are done"

static const char *err_name(const goc_error *e)
{
    if (!e)
        return "NULL";
    if (e == goc_canceled)
        return "goc_canceled";
    if (e == goc_deadline_exceeded)
        return "goc_deadline_exceeded";
    return goc_error_message(e);
}

/* ---- run_steps ----------------------------------------------------------------- */

typedef struct steps_probe {
    int hold_at; /* this step waits on the gate (-1: none) */
    cl_gate gate;
    goc_error *fail_at_err;
    int fail_at;
    _Atomic(int) calls, after_cancel, last;
    _Atomic(int) cancelled; /* set by the grader once it cancelled */
} steps_probe;

static goc_error *probe_step(goc_ctx *ctx, int step, void *arg)
{
    (void)ctx;
    steps_probe *p = arg;
    atomic_fetch_add(&p->calls, 1);
    atomic_store(&p->last, step);
    if (atomic_load(&p->cancelled))
        atomic_fetch_add(&p->after_cancel, 1);
    if (step == p->hold_at)
        cl_gate_pass(&p->gate);
    return step == p->fail_at ? p->fail_at_err : NULL;
}

typedef struct steps_call {
    goc_ctx *ctx;
    int n;
    steps_probe p;
    goc_error *err;
    cl_call call;
} steps_call;

static void call_run_steps(void *arg)
{
    steps_call *s = arg;
    s->err = run_steps(s->ctx, s->n, probe_step, &s->p);
}

static steps_call *new_steps(goc_ctx *ctx, int n, int hold_at)
{
    steps_call *s = cl_alloc(1, sizeof *s);
    s->ctx = ctx;
    s->n = n;
    s->p.hold_at = hold_at;
    s->p.fail_at = -1;
    cl_gate_init(&s->p.gate);
    return s;
}

CL_TEST(run_steps_stops_when_cancelled)
{
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    steps_call *s = new_steps(ctx, 6, 1);
    cl_spawn_call(&s->call, call_run_steps, s);
    cl_settle(); /* step 1 is running, held */
    int calls = atomic_load(&s->p.calls);
    cl_expect(calls == 2, "steps 0 and 1 to have run, step 1 still running",
              "run the steps in order, on the caller's goroutine",
              "when step 1 was running, %d steps had been called (" EX ", run_steps).", calls);
    goc_ctx_cancel(ctx);
    atomic_store(&s->p.cancelled, 1);
    cl_gate_open(&s->p.gate);
    cl_expect(cl_call_await(&s->call, 5), "run_steps to return after the cancel",
              "look at goc_ctx_err(ctx) before each step", "run_steps did not return (" EX
              ", run_steps).");
    int after = atomic_load(&s->p.after_cancel);
    cl_expect(after == 0, "no step started after the context was cancelled",
              "cancellation is cooperative: the work must look. Before each step, if "
              "goc_ctx_err(ctx) is not NULL, stop and return it",
              "run_steps ran step %d after the context was cancelled (%d step%s in all after "
              "the cancel) (" EX ", run_steps).", atomic_load(&s->p.last) - after + 1, after,
              after == 1 ? "" : "s");
    cl_expect(goc_error_is(s->err, goc_canceled), "goc_canceled returned",
              "return goc_ctx_err(ctx): it says why the context is done",
              "run_steps returned %s (" EX ", run_steps).", err_name(s->err));
    goc_ctx_release(ctx);
}
CL_END_TEST

static goc_error step_failed = GOC_ERROR_SENTINEL("step 2 failed");

CL_TEST(run_steps_honours_deadlines_and_step_errors)
{
    goc_fakeclock_enable();
    goc_ctx *late = goc_ctx_with_deadline(goc_ctx_background(), goc_now() - 1);
    steps_call *s = new_steps(late, 4, -1);
    cl_spawn_call(&s->call, call_run_steps, s);
    cl_expect(cl_call_await(&s->call, 5), "run_steps to return", "check the context first",
              "run_steps did not return (" EX ", run_steps).");
    cl_expect(atomic_load(&s->p.calls) == 0 && goc_error_is(s->err, goc_deadline_exceeded),
              "no step and goc_deadline_exceeded, for a context already past its deadline",
              "a context can be done before you start: check it before the first step too",
              "run_steps ran %d steps and returned %s (" EX ", run_steps).",
              atomic_load(&s->p.calls), err_name(s->err));
    goc_ctx_release(late);

    steps_call *f = new_steps(goc_ctx_background(), 5, -1);
    f->p.fail_at = 2;
    f->p.fail_at_err = &step_failed;
    cl_spawn_call(&f->call, call_run_steps, f);
    cl_expect(cl_call_await(&f->call, 5) && f->err == &step_failed &&
                  atomic_load(&f->p.calls) == 3,
              "the error of step 2 returned, and no step after it",
              "a step's error ends the run: return it as it is",
              "run_steps ran %d steps and returned %s (" EX ", run_steps).",
              atomic_load(&f->p.calls), err_name(f->err));
}
CL_END_TEST

/* ---- wait_or_cancel ---------------------------------------------------------------- */

typedef struct wait_call {
    goc_ctx *ctx;
    goc_chan *ch;
    int v;
    goc_error *err;
    goc_time returned_at;
    cl_call call;
} wait_call;

static void call_wait(void *arg)
{
    wait_call *w = arg;
    w->err = wait_or_cancel(w->ctx, goc_recv_only(w->ch), &w->v);
    w->returned_at = goc_now();
}

static wait_call *start_wait(goc_ctx *ctx, goc_chan *ch)
{
    wait_call *w = cl_alloc(1, sizeof *w);
    *w = (wait_call){.ctx = ctx, .ch = ch, .v = -1};
    cl_spawn_call(&w->call, call_wait, w);
    return w;
}

static goc_chan *chan_int(size_t cap)
{
    goc_chan *ch = goc_chan_make(int, cap);
    cl__own(cl__owned.chans, ch);
    return ch;
}

CL_TEST(wait_or_cancel_returns_on_a_value_or_on_cancel)
{
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    goc_chan *ready = chan_int(1);
    goc_send(ready, &(int){5});
    wait_call *w = start_wait(ctx, ready);
    cl_expect(cl_call_await(&w->call, 5) && w->err == NULL && w->v == 5,
              "NULL and 5 for a value already waiting", "select on ch and goc_ctx_done(ctx)",
              "wait_or_cancel returned %s with *v = %d (" EX ", wait_or_cancel).",
              err_name(w->err), w->v);

    goc_chan *idle = chan_int(0);
    w = start_wait(ctx, idle);
    cl_settle();
    cl_expect(!cl_call_returned(&w->call), "wait_or_cancel to wait while ch is idle",
              "nothing is ready yet", "wait_or_cancel returned %s at once (" EX
              ", wait_or_cancel).", err_name(w->err));
    goc_ctx_cancel(ctx);
    bool returned = cl_call_await(&w->call, 5);
    cl_expect(returned, "wait_or_cancel to return when the context is cancelled",
              "a plain receive waits only for the value; select on the value and on "
              "goc_ctx_done(ctx), which is closed when the context is cancelled",
              "wait_or_cancel kept waiting on ch after the context was cancelled (" EX
              ", wait_or_cancel).");
    cl_expect(goc_error_is(w->err, goc_canceled) && w->v == -1,
              "goc_canceled, *v untouched", "return goc_ctx_err(ctx) when done wins",
              "wait_or_cancel returned %s with *v = %d (" EX ", wait_or_cancel).",
              err_name(w->err), w->v);
    goc_ctx_release(ctx);
}
CL_END_TEST

CL_TEST(wait_or_cancel_returns_at_the_deadline)
{
    goc_fakeclock_enable();
    goc_time start = goc_now();
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), 30 * GOC_MILLISECOND);
    wait_call *w = start_wait(ctx, chan_int(0));
    goc_fakeclock_advance(30 * GOC_MILLISECOND);
    bool returned = cl_call_await(&w->call, 5);
    cl_expect(returned && goc_error_is(w->err, goc_deadline_exceeded) &&
                  w->returned_at - start == 30 * GOC_MILLISECOND,
              "goc_deadline_exceeded at exactly 30 ms",
              "a context's deadline closes its done channel: the same select case serves "
              "cancel and timeout, and goc_ctx_err says which",
              "wait_or_cancel %s %s at %lld ms (" EX ", wait_or_cancel).",
              returned ? "returned" : "was still waiting;", err_name(w->err),
              MS((returned ? w->returned_at : goc_now()) - start));
    goc_ctx_release(ctx);
}
CL_END_TEST

/* ---- fetch_each -------------------------------------------------------------------- */

static const char grader_key; /* the grader's own value in the parent */
static char grader_value[] = "grader";
static goc_error not_set = GOC_ERROR_SENTINEL("errs[i] never set");

enum { MAX_ITEMS = 16 };

typedef struct fetch_probe {
    goc_ctx *parent;
    goc_time made; /* fake time when fetch_each was called */
    goc_duration per_item;
    bool odd_wait, all_wait;
    _Atomic(int) started, saw_value, bad_deadline, same_ctx, no_deadline;
    goc_time deadline[MAX_ITEMS];
} fetch_probe;

static goc_error *probe_fetch(goc_ctx *ctx, int i, void *arg)
{
    fetch_probe *p = arg;
    atomic_fetch_add(&p->started, 1);
    if (ctx == p->parent)
        atomic_fetch_add(&p->same_ctx, 1);
    if (goc_ctx_value(ctx, &grader_key) == grader_value)
        atomic_fetch_add(&p->saw_value, 1);
    goc_time d;
    if (!goc_ctx_deadline(ctx, &d))
        atomic_fetch_add(&p->no_deadline, 1);
    else if (i >= 0 && i < MAX_ITEMS)
        p->deadline[i] = d;
    if (p->all_wait || (p->odd_wait && i % 2 == 1)) {
        goc_recv_discard(goc_ctx_done(ctx));
        return goc_ctx_err(ctx);
    }
    return NULL;
}

typedef struct fetch_call {
    goc_ctx *parent;
    int n;
    goc_duration per_item;
    fetch_probe p;
    goc_error *errs[MAX_ITEMS];
    goc_time returned_at;
    cl_call call;
} fetch_call;

static void call_fetch_each(void *arg)
{
    fetch_call *f = arg;
    fetch_each(f->parent, f->n, f->per_item, probe_fetch, &f->p, f->errs);
    f->returned_at = goc_now();
}

static fetch_call *start_fetch(goc_ctx *parent, int n, goc_duration per_item)
{
    fetch_call *f = cl_alloc(1, sizeof *f);
    f->parent = parent;
    f->n = n;
    f->per_item = per_item;
    f->p.parent = parent;
    f->p.per_item = per_item;
    f->p.made = goc_now();
    for (int i = 0; i < MAX_ITEMS; i++)
        f->errs[i] = &not_set;
    return f;
}

CL_TEST(fetch_each_derives_each_context_from_parent)
{
    goc_fakeclock_enable();
    goc_ctx *cancel = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *parent = goc_ctx_with_value(cancel, &grader_key, grader_value);
    fetch_call *f = start_fetch(parent, 4, 100 * GOC_MILLISECOND);
    cl_spawn_call(&f->call, call_fetch_each, f);
    cl_expect(cl_call_await(&f->call, 5), "fetch_each to return once every fetch returned",
              "wait for the items' goroutines (a WaitGroup), then return",
              "fetch_each did not return, although every fetch returns at once (" EX
              ", fetch_each).");
    int started = atomic_load(&f->p.started);
    cl_expect(started == 4, "4 fetches", "one goroutine per item",
              "fetch was called %d times for n = 4 (" EX ", fetch_each).", started);
    cl_expect(atomic_load(&f->p.saw_value) == 4,
              "each item's context to carry the parent's values",
              "derive each item's context from parent (goc_ctx_with_timeout(parent, ...)); "
              "goc_ctx_background() inside a call chain cuts the item off from the request's "
              "values and from its cancellation",
              "%d of 4 fetches got a context without its parent's values (" EX
              ", fetch_each).", 4 - atomic_load(&f->p.saw_value));
    cl_expect(atomic_load(&f->p.same_ctx) == 0 && atomic_load(&f->p.no_deadline) == 0,
              "each item's own context, with a deadline per_item away",
              "goc_ctx_with_timeout(parent, per_item) for each item: the parent itself has no "
              "deadline",
              "%d fetches got the parent itself, %d a context without a deadline (" EX
              ", fetch_each).", atomic_load(&f->p.same_ctx), atomic_load(&f->p.no_deadline));
    for (int i = 0; i < 4; i++) {
        cl_expect(f->p.deadline[i] == f->p.made + f->per_item,
                  "each item's deadline exactly per_item (100 ms) after fetch_each was called",
                  "one timeout per item, made when the item starts",
                  "item %d's deadline was %lld ms after the call (" EX ", fetch_each).", i,
                  MS(f->p.deadline[i] - f->p.made));
        cl_expect(f->errs[i] == NULL, "errs[i] = what fetch returned (NULL)",
                  "store each fetch's result in errs[i]",
                  "errs[%d] = %s (" EX ", fetch_each).", i, err_name(f->errs[i]));
    }
    cl_expect_no_pending_timers("fetch_each", RELEASE_WHERE);
    goc_ctx_release(parent);
    goc_ctx_release(cancel);
}
CL_END_TEST

CL_TEST(fetch_each_times_out_slow_items_all_at_once)
{
    goc_fakeclock_enable();
    fetch_call *f = start_fetch(goc_ctx_background(), 6, 10 * GOC_MILLISECOND);
    f->p.odd_wait = true;
    cl_spawn_call(&f->call, call_fetch_each, f);
    cl_settle();
    int started = atomic_load(&f->p.started);
    cl_expect(started == 6, "all 6 fetches started before any time passed",
              "start one goroutine per item, all of them, then wait for all",
              "only %d of 6 fetches had started while the first slow one waited (" EX
              ", fetch_each).", started);
    goc_fakeclock_advance(10 * GOC_MILLISECOND);
    bool returned = cl_call_await(&f->call, 5);
    cl_expect(returned && f->returned_at - f->p.made == 10 * GOC_MILLISECOND,
              "fetch_each to return at 10 ms: each slow item is cut off by its own timeout",
              "each item gets goc_ctx_with_timeout(parent, per_item); the items run at once, "
              "so the whole call takes per_item, not n * per_item",
              "fetch_each %s at %lld ms (" EX ", fetch_each).",
              returned ? "returned" : "was still running", MS(goc_now() - f->p.made));
    for (int i = 0; i < 6; i++) {
        const goc_error *want = i % 2 ? goc_deadline_exceeded : NULL;
        cl_expect(f->errs[i] == want, "odd items goc_deadline_exceeded, even items NULL",
                  "release a context only after its goroutine is done: released early, it is "
                  "cancelled (and freed) under the running fetch",
                  "errs[%d] = %s, expected %s (" EX ", fetch_each).", i, err_name(f->errs[i]),
                  err_name(want));
    }
    cl_expect_no_pending_timers("fetch_each", RELEASE_WHERE);
}
CL_END_TEST

CL_TEST(fetch_each_stops_when_the_parent_is_cancelled)
{
    goc_fakeclock_enable();
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    fetch_call *f = start_fetch(parent, 5, GOC_HOUR);
    f->p.all_wait = true;
    cl_spawn_call(&f->call, call_fetch_each, f);
    cl_settle();
    cl_expect(!cl_call_returned(&f->call), "fetch_each to wait for its fetches",
              "goc_wg_wait until every item's goroutine is done",
              "fetch_each returned while its fetches were still waiting (" EX ", fetch_each).");
    goc_ctx_cancel(parent);
    bool returned = cl_call_await(&f->call, 5);
    cl_expect(returned, "cancelling the parent to end every item",
              "cancellation flows down: a child of a cancelled context is cancelled too, so "
              "derive every item's context from parent",
              "fetch_each was still waiting after its parent was cancelled (" EX
              ", fetch_each).");
    for (int i = 0; i < 5; i++)
        cl_expect(f->errs[i] == goc_canceled, "every item goc_canceled",
                  "the parent's cancel reaches each child",
                  "errs[%d] = %s (" EX ", fetch_each).", i, err_name(f->errs[i]));
    cl_expect(goc_now() == f->p.made, "no time to pass", "the cancel alone ends the items",
              "%lld ms passed (" EX ", fetch_each).", MS(goc_now() - f->p.made));
    goc_ctx_release(parent);
}
CL_END_TEST

/* ---- request ids ------------------------------------------------------------------- */

CL_TEST(request_id_uses_a_private_key)
{
    goc_ctx *a = with_request_id(goc_ctx_background(), "outer");
    cl_expect(a != NULL, "a context", "goc_ctx_with_value(parent, &key, id)",
              "with_request_id returned NULL (" EX ", with_request_id).");
    const char *got = request_id(a);
    cl_expect(got && strcmp(got, "outer") == 0, "\"outer\"",
              "request_id reads with the same key with_request_id stored under",
              "request_id returned %s%s%s (" EX ", request_id).", got ? "\"" : "",
              got ? got : "NULL", got ? "\"" : "");
    goc_ctx *b = with_request_id(a, "inner");
    got = request_id(b);
    cl_expect(got && strcmp(got, "inner") == 0, "the nearest id, \"inner\"",
              "goc_ctx_value finds the nearest ancestor's value",
              "request_id of a nested context returned %s (" EX ", request_id).",
              got ? got : "NULL");

    /* Someone else's value, under a key that is spelled like a natural
     * string key and named like the learner's: different addresses. */
    static const char request_id_key;
    goc_ctx *c = goc_ctx_with_value(goc_ctx_background(), "request_id", "evil");
    goc_ctx *d = goc_ctx_with_value(c, &request_id_key, "evil too");
    goc_ctx *e = goc_ctx_with_value(d, "request-id", "evil");
    goc_ctx *g = goc_ctx_with_value(e, "id", "evil");
    got = request_id(g);
    cl_expect(got == NULL, "NULL: no request id was set with with_request_id",
              "a key is the address of an object of your own (static const char key; "
              "&key): no other module can produce it, while any module can write the same "
              "string",
              "request_id returned \"%s\", stored by someone else's key (" EX
              ", request_id).", got ? got : "");
    goc_ctx_release(b);
    goc_ctx_release(a);
    goc_ctx_release(g);
    goc_ctx_release(e);
    goc_ctx_release(d);
    goc_ctx_release(c);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("12-context", run_steps_stops_when_cancelled,
                    run_steps_honours_deadlines_and_step_errors,
                    wait_or_cancel_returns_on_a_value_or_on_cancel,
                    wait_or_cancel_returns_at_the_deadline,
                    fetch_each_derives_each_context_from_parent,
                    fetch_each_times_out_slow_items_all_at_once,
                    fetch_each_stops_when_the_parent_is_cancelled, request_id_uses_a_private_key);
}
