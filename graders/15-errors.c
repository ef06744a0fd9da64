/* Grader for exercise 15 — errors in concurrent code.
 *
 * Errors are checked by identity (goc_error_is against the grader's own
 * sentinels) and by message prefix; concurrency by barriers and held
 * fetches counted at settle; ownership by the memory pass (every error the
 * grader's tasks make is heap-allocated, so one freed twice or never is a
 * report).  Nothing is timed. */
#include "grader.h"

typedef goc_error *(*task_fn)(int i, void *ctx);
typedef goc_error *(*fetch_fn)(goc_ctx *ctx, const char *url, void *arg);
int run_collect(int n, task_fn task, void *ctx, goc_error **errs);
goc_error *fetch_all(goc_ctx *parent, const char *const *urls, int n, int limit, fetch_fn fetch,
                     void *arg, goc_errgroup **group);
goc_error *summarize(goc_error **errs, int n);

#define EX "exercises/15-errors.c"
#define MAXT 16

static void expect_no_leaks_after(const char *call, const char *revisit)
{
    const char *report;
    int leaked = cl_leaked(&report);
    if (leaked == 0)
        return;
    ck_abort_msg("expected: every goroutine to finish\n"
                 "happened: leaked goroutines: %d still blocked after %s returned (" EX ")\n"
                 "revisit:  %s\n%s",
                 leaked, call, revisit, report);
}

/* ---- who freed what ---------------------------------------------------------------
 *
 * The lesson wraps goc_error_free and goc_errgroup_free (its front matter's
 * `wrap:`), so every call the exercise makes comes here first.  Nothing is
 * freed during a test: the error (or group) is only noted.  An error the
 * exercise freed and then handed on (sent, returned, joined) is still
 * whole, so the test can say "you freed this" instead of crashing on it in
 * the plain pass.  end_of_test frees what was noted for real.  The
 * grader's own frees go straight to the real functions. */
void __real_goc_error_free(goc_error *err);
void __real_goc_errgroup_free(goc_errgroup *g);

#define MAX_FREED 256
static struct {
    _Atomic(int) n, ngroups;
    goc_error *errs[MAX_FREED];
    goc_errgroup *groups[MAX_FREED];
} freed;

void __wrap_goc_error_free(goc_error *err)
{
    if (!err || !err->owned_) /* NULL and sentinels: ignored, as goc_error_free does */
        return;
    int k = atomic_fetch_add(&freed.n, 1);
    if (k < MAX_FREED)
        freed.errs[k] = err;
    else
        __real_goc_error_free(err);
}

void __wrap_goc_errgroup_free(goc_errgroup *g)
{
    int k = atomic_fetch_add(&freed.ngroups, 1);
    if (k < MAX_FREED)
        freed.groups[k] = g;
    else
        __real_goc_errgroup_free(g);
}

static int noted(_Atomic(int) *n) { return atomic_load(n) < MAX_FREED ? atomic_load(n) : MAX_FREED; }

/* The error the exercise freed that is err or inside err, or NULL. */
static const goc_error *freed_inside(const goc_error *err)
{
    if (!err)
        return NULL;
    for (int k = 0; k < noted(&freed.n); k++)
        if (goc_error_is(err, freed.errs[k]))
            return freed.errs[k];
    return NULL;
}

/* A message on one line (joined errors hold newlines). */
static const char *one_line(const goc_error *err)
{
    static char buf[512];
    const char *m = goc_error_message(err);
    size_t j = 0;
    for (size_t i = 0; m[i] && j + 3 < sizeof buf; i++) {
        if (m[i] == '\n') {
            buf[j++] = '\\';
            buf[j++] = 'n';
        } else {
            buf[j++] = m[i];
        }
    }
    buf[j] = '\0';
    return buf;
}

/* Frees for real what the exercise freed during the test, once each; an
 * error it freed twice (or freed, then freed again inside another) is the
 * exercise's double free, reported here instead of crashing. */
static void end_of_test(const char *call)
{
    int n = noted(&freed.n);
    for (int k = 0; k < n; k++)
        for (int j = 0; j < n; j++)
            cl_expect(j == k || !goc_error_is(freed.errs[j], freed.errs[k]),
                      "every error freed once",
                      "free an error once, by its one owner; after a wrap or a join, free only "
                      "the outer error (it frees what it holds)",
                      "%s freed the error \"%s\" twice (goc_error_free on it, and on %s) (" EX
                      ").",
                      call, one_line(freed.errs[k]),
                      freed.errs[j] == freed.errs[k] ? "it again" : "an error that holds it");
    for (int k = 0; k < n; k++)
        __real_goc_error_free(freed.errs[k]);
    for (int k = 0; k < noted(&freed.ngroups); k++)
        __real_goc_errgroup_free(freed.groups[k]);
    atomic_store(&freed.n, 0);
    atomic_store(&freed.ngroups, 0);
}

static goc_error disk_full = GOC_ERROR_SENTINEL("disk full");
static goc_error timed_out = GOC_ERROR_SENTINEL("timed out");
static goc_error refused = GOC_ERROR_SENTINEL("connection refused");
static goc_error not_found = GOC_ERROR_SENTINEL("not found");

/* ---- run_collect ----------------------------------------------------------------- */

typedef struct task_probe {
    int n;
    goc_error *cause[MAXT]; /* NULL: task i succeeds */
    cl_barrier all_in;      /* every task must be running at once */
    _Atomic(int) calls;
} task_probe;

static goc_error *probe_task(int i, void *ctx)
{
    task_probe *p = ctx;
    atomic_fetch_add(&p->calls, 1);
    cl_barrier_arrive_and_wait(&p->all_in);
    if (i < 0 || i >= p->n || !p->cause[i])
        return NULL;
    /* heap-allocated, so the memory pass sees who frees it */
    return goc_error_wrap(p->cause[i], "step %d", i);
}

static void task_probe_init(task_probe *p, int n)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    cl_barrier_init(&p->all_in, n);
}

typedef struct collect_call {
    task_probe *probe;
    int n, failed;
    goc_error *errs[MAXT];
} collect_call;

static void call_run_collect(void *arg)
{
    collect_call *c = arg;
    c->failed = run_collect(c->n, probe_task, c->probe, c->errs);
}

/* What the caller's slots hold before run_collect: run_collect must write
 * every one, NULL for a task that succeeded. */
static goc_error stale = GOC_ERROR_SENTINEL("left over from before the call");

static void collect_call_init(collect_call *c, task_probe *p, int n)
{
    memset(c, 0, sizeof *c);
    c->probe = p;
    c->n = n;
    for (int i = 0; i < MAXT; i++)
        c->errs[i] = &stale;
}

static void expect_collected(collect_call *c, const char *call)
{
    for (int i = 0; i < c->n; i++) {
        const goc_error *gone = freed_inside(c->errs[i]);
        cl_expect(!gone, "every error in errs to be alive: the caller owns it",
                  "an error sent on a channel belongs to the receiver: the sender must not "
                  "goc_error_free it after goc_send (the pointer was sent, not a copy)",
                  "after %s, errs[%d] (\"%s\") had already been freed by the exercise "
                  "(goc_error_free) (" EX ", run_collect).",
                  call, i, one_line(c->errs[i]));
        cl_expect(c->errs[i] != &stale, "every slot written: the error, or NULL",
                  "errs[o.index] = o.err for every outcome, NULL included: the caller's array "
                  "may hold anything before the call",
                  "after %s, errs[%d] still held what the caller had put there before the call "
                  "(" EX ", run_collect).",
                  call, i);
    }
    int want_failed = 0;
    for (int i = 0; i < c->n; i++) {
        goc_error *cause = c->probe->cause[i];
        goc_error *got = c->errs[i];
        want_failed += cause != NULL;
        if (!cause) {
            cl_expect(got == NULL, "errs[i] NULL for a task that succeeded",
                      "store each outcome in the slot of its own index",
                      "after %s, errs[%d] is \"%s\" although task %d succeeded (" EX
                      ", run_collect).",
                      call, i, goc_error_message(got), i);
            continue;
        }
        cl_expect(got != NULL, "every failed task's error in its own slot",
                  "send {index, err} from every task and keep each one in errs[index]: "
                  "keeping only the last (or the first) error loses the others",
                  "after %s, errs[%d] is NULL although task %d failed (" EX ", run_collect).",
                  call, i, i);
        cl_expect(goc_error_is(got, cause), "goc_error_is(errs[i], cause) for each failure",
                  "goc_error_wrap keeps the cause; goc_error_new with the message text does "
                  "not",
                  "after %s, goc_error_is(errs[%d], &%s) is false; the message is \"%s\" (" EX
                  ", run_collect).",
                  call, i, goc_error_message(cause), goc_error_message(got));
        char prefix[32];
        snprintf(prefix, sizeof prefix, "task %d: ", i);
        cl_expect(strncmp(goc_error_message(got), prefix, strlen(prefix)) == 0,
                  "each error to start with \"task <i>: \"",
                  "goc_error_wrap(err, \"task %d\", i) in the task's goroutine",
                  "after %s, errs[%d] is \"%s\" (" EX ", run_collect).", call, i,
                  goc_error_message(got));
    }
    cl_expect(c->failed == want_failed, "the number of failed tasks",
              "count the non-NULL outcomes", "%s returned %d, expected %d (" EX ", run_collect).",
              call, c->failed, want_failed);
}

static void free_errs(collect_call *c)
{
    for (int i = 0; i < c->n; i++)
        __real_goc_error_free(c->errs[i]);
}

CL_TEST(run_collect_keeps_every_error_by_identity)
{
    static task_probe p;
    task_probe_init(&p, 8);
    p.cause[1] = &disk_full;
    p.cause[4] = &timed_out;
    p.cause[6] = &refused;
    static collect_call c;
    collect_call_init(&c, &p, 8);
    cl_call call;
    cl_spawn_call(&call, call_run_collect, &c);
    bool back = cl_call_await(&call, 5);
    int arrived = cl_latch_arrived(&p.all_in, 8);
    cl_expect(back, "run_collect to return with all 8 tasks running at once",
              "start one goroutine per task before waiting for any outcome",
              "it never returned: %d of 8 tasks were inside task() at once (the grader's "
              "tasks wait for each other) (" EX ", run_collect).",
              arrived);
    expect_no_leaks_after("run_collect",
                          "receive one outcome per task; a channel with room for n lets "
                          "every task report and end");
    expect_collected(&c, "run_collect(8, ...) with tasks 1, 4 and 6 failing");
    free_errs(&c);
    end_of_test("run_collect");
}
CL_END_TEST

static collect_call pair[2];
static task_probe pair_probe[2];

static void collect_in_crowd(int caller, void *arg)
{
    (void)arg;
    call_run_collect(&pair[caller]);
}

CL_TEST(run_collect_from_two_callers_at_once)
{
    for (int k = 0; k < 2; k++) {
        task_probe_init(&pair_probe[k], 5);
        collect_call_init(&pair[k], &pair_probe[k], 5);
    }
    pair_probe[0].cause[0] = &not_found;
    pair_probe[1].cause[4] = &disk_full;
    pair_probe[1].cause[2] = &timed_out;
    cl_expect(cl_call_concurrently(2, collect_in_crowd, NULL), "both calls to return",
              "each call has its own outcome channel", "a call never returned (" EX
              ", run_collect).");
    expect_collected(&pair[0], "run_collect(5, ...) beside another call");
    expect_collected(&pair[1], "run_collect(5, ...) beside another call");
    expect_no_leaks_after("run_collect", "receive one outcome per task");
    free_errs(&pair[0]);
    free_errs(&pair[1]);
    end_of_test("run_collect");
}
CL_END_TEST

/* ---- fetch_all ------------------------------------------------------------------ */

typedef struct fetch_probe {
    const char *fail_url;   /* fails once `wait_for` others are inside */
    int wait_for;
    cl_latch inside;
    bool hold;              /* others wait for the gate or the cancel */
    cl_gate gate;
    int barrier_n;          /* the first barrier_n fetches meet here */
    cl_barrier barrier;
    _Atomic(int) running, calls, cancelled, finished;
} fetch_probe;

static void fetch_probe_init(fetch_probe *p, const char *fail_url, int wait_for, bool hold,
                             int barrier_n)
{
    memset(p, 0, sizeof *p);
    p->fail_url = fail_url;
    p->wait_for = wait_for;
    p->hold = hold;
    p->barrier_n = barrier_n;
    cl_latch_init(&p->inside, wait_for > 0 ? wait_for : 1);
    cl_gate_init(&p->gate);
    cl_barrier_init(&p->barrier, barrier_n > 0 ? barrier_n : 1);
}

static goc_error *probe_fetch(goc_ctx *ctx, const char *url, void *arg)
{
    fetch_probe *p = arg;
    int k = atomic_fetch_add(&p->calls, 1);
    atomic_fetch_add(&p->running, 1);
    goc_error *err = NULL;
    if (k < p->barrier_n)
        cl_barrier_arrive_and_wait(&p->barrier);
    if (p->fail_url && strcmp(url, p->fail_url) == 0) {
        if (p->wait_for > 0)
            cl_latch_wait(&p->inside);
        err = goc_error_wrap(&not_found, "GET");
    } else if (p->hold) {
        if (p->wait_for > 0)
            cl_latch_count_down(&p->inside);
        if (goc_select(goc_case_recv_discard(goc_ctx_done(ctx)),
                       goc_case_recv_discard(p->gate.open)) == 0) {
            atomic_fetch_add(&p->cancelled, 1);
            err = goc_error_wrap(goc_ctx_err(ctx), "GET");
        }
    }
    atomic_fetch_sub(&p->running, 1);
    atomic_fetch_add(&p->finished, 1);
    return err;
}

static const char *const URLS[] = {"u0", "u1", "u2", "u3", "u4", "u5",
                                   "u6", "u7", "u8", "u9", "u10", "u11"};

typedef struct fetch_call {
    goc_ctx *parent;
    int n, limit;
    fetch_probe *probe;
    goc_error *err;
    goc_errgroup *group;
} fetch_call;

static void call_fetch_all(void *arg)
{
    fetch_call *f = arg;
    f->err = fetch_all(f->parent, URLS, f->n, f->limit, probe_fetch, f->probe, &f->group);
}

/* Right after fetch_all returned, before its error is read. */
static void expect_group_handed_back(fetch_call *f)
{
    cl_expect(atomic_load(&freed.ngroups) == 0, "fetch_all to hand its group to the caller",
              "*group = g and return: the group owns the error goc_errgroup_wait returned, so "
              "the caller reads the error first and frees the group after",
              "fetch_all called goc_errgroup_free before returning: the error it returned "
              "belonged to that group (" EX ", fetch_all).");
    cl_expect(!freed_inside(f->err), "the returned error to be alive",
              "the group owns its first error: never goc_error_free it; goc_errgroup_free "
              "(by the caller) frees it",
              "fetch_all returned an error the exercise had freed (\"%s\") (" EX
              ", fetch_all).",
              one_line(f->err));
    cl_expect(f->group != NULL, "fetch_all to store its group in *group",
              "*group = g before returning: the caller frees it after reading the error",
              "*group is NULL (" EX ", fetch_all).");
}

static void free_group(fetch_call *f)
{
    __real_goc_errgroup_free(f->group);
    end_of_test("fetch_all");
}

/* u2 fails once the 5 others are waiting on their context: fetch_all must
 * return u2's cause, and the others must have seen the cancel. */
CL_TEST(fetch_all_returns_the_first_cause_and_cancels_the_rest)
{
    static fetch_probe p;
    fetch_probe_init(&p, "u2", 5, true, 0);
    static fetch_call f;
    f = (fetch_call){goc_ctx_background(), 6, 6, &p, NULL, NULL};
    cl_call c;
    cl_spawn_call(&c, call_fetch_all, &f);
    bool back = cl_call_await(&c, 5);
    int cancelled = atomic_load(&p.cancelled);
    cl_gate_open(&p.gate);
    cl_expect(back && cancelled == 5,
              "u2's failure to cancel the 5 other fetches, and fetch_all to return",
              "goc_errgroup_with_context(parent, &ctx) and pass that ctx to every fetch: the "
              "group cancels it at the first error",
              "%d of 5 fetches saw a cancel after u2 failed%s (" EX ", fetch_all).", cancelled,
              back ? "" : "; fetch_all was still waiting for them");
    cl_expect(cl_call_await(&c, 5), "fetch_all to return", "wait for the group",
              "it never returned (" EX ", fetch_all).");
    expect_group_handed_back(&f);
    cl_expect(f.err != NULL, "u2's error", "return what goc_errgroup_wait returns",
              "fetch_all returned NULL although u2 failed (" EX ", fetch_all).");
    cl_expect(goc_error_is(f.err, &not_found) && !goc_error_is(f.err, goc_canceled),
              "the cause (not found), not a cancellation",
              "the group keeps the first error, which is the cause; the cancellations came "
              "after it",
              "fetch_all returned \"%s\" (" EX ", fetch_all).", goc_error_message(f.err));
    cl_expect(strncmp(goc_error_message(f.err), "fetch u2: ", 10) == 0,
              "the message to start with \"fetch u2: \"",
              "goc_error_wrap(err, \"fetch %s\", url) in the group's function",
              "the message is \"%s\" (" EX ", fetch_all).", goc_error_message(f.err));
    expect_no_leaks_after("fetch_all", "goc_errgroup_wait waits for every fetch");
    free_group(&f);
}
CL_END_TEST

/* 12 fetches, limit 3, all held: exactly 3 inside fetch at once, and a
 * barrier of 3 opens. */
CL_TEST(fetch_all_runs_exactly_limit_fetches_at_once)
{
    static fetch_probe p;
    fetch_probe_init(&p, NULL, 0, true, 3);
    static fetch_call f;
    f = (fetch_call){goc_ctx_background(), 12, 3, &p, NULL, NULL};
    cl_call c;
    cl_spawn_call(&c, call_fetch_all, &f);
    cl_settle();
    int running = atomic_load(&p.running);
    bool met = cl_latch_is_open(&p.barrier);
    cl_gate_open(&p.gate);
    cl_expect(running <= 3, "at most 3 fetches at once with a limit of 3",
              "goc_errgroup_set_limit(g, limit) before the first goc_errgroup_go",
              "%d fetches at once with a limit of 3 (" EX ", fetch_all).", running);
    cl_expect(met && running == 3, "3 fetches at once, meeting at a barrier of 3",
              "the group runs up to `limit` at once",
              "%d fetch%s ran at once (" EX ", fetch_all).", running, running == 1 ? "" : "es");
    cl_expect(cl_call_await(&c, 5), "fetch_all to return", "wait for the group",
              "it never returned (" EX ", fetch_all).");
    expect_group_handed_back(&f);
    cl_expect(f.err == NULL && atomic_load(&p.finished) == 12,
              "NULL and all 12 fetches done when none failed", "return the group's result",
              "it returned \"%s\" after %d fetches (" EX ", fetch_all).",
              goc_error_message(f.err), atomic_load(&p.finished));
    expect_no_leaks_after("fetch_all", "goc_errgroup_wait waits for every fetch");
    free_group(&f);
}
CL_END_TEST

/* The parent is cancelled while every fetch waits: all see it. */
CL_TEST(fetch_all_passes_the_parents_cancel_on)
{
    static fetch_probe p;
    fetch_probe_init(&p, NULL, 0, true, 0);
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    static fetch_call f;
    f = (fetch_call){parent, 4, 4, &p, NULL, NULL};
    cl_call c;
    cl_spawn_call(&c, call_fetch_all, &f);
    cl_settle();
    goc_ctx_cancel(parent);
    bool back = cl_call_await(&c, 5);
    cl_gate_open(&p.gate);
    cl_expect(back && atomic_load(&p.cancelled) == 4, "all 4 fetches to see the parent's cancel",
              "the group's context is a child of parent: goc_errgroup_with_context(parent, "
              "&ctx)",
              "%d of 4 saw it (" EX ", fetch_all).", atomic_load(&p.cancelled));
    expect_group_handed_back(&f);
    cl_expect(goc_error_is(f.err, goc_canceled), "an error that is goc_canceled",
              "return the group's first error", "it returned \"%s\" (" EX ", fetch_all).",
              goc_error_message(f.err));
    expect_no_leaks_after("fetch_all", "goc_errgroup_wait waits for every fetch");
    free_group(&f);
    goc_ctx_release(parent);
}
CL_END_TEST

/* ---- summarize ------------------------------------------------------------------ */

CL_TEST(summarize_joins_every_failure)
{
    goc_error *errs[8] = {0};
    errs[1] = goc_error_wrap(&disk_full, "task 1");
    errs[4] = goc_error_wrap(&timed_out, "task 4");
    errs[6] = goc_error_wrap(&refused, "task 6");
    goc_error *all = summarize(errs, 8);
    cl_expect(all != NULL, "an error when 3 of 8 failed", "join the non-NULL errors",
              "summarize returned NULL (" EX ", summarize).");
    cl_expect(!freed_inside(all), "every error inside the result to be alive",
              "goc_error_join and goc_error_wrap take the errors over: clear the slots, never "
              "free what was joined (the caller frees only the result)",
              "the result holds an error summarize had freed (\"%s\") (" EX ", summarize).",
              one_line(freed_inside(all)));
    const char *msg = one_line(all);
    cl_expect(strncmp(msg, "3 of 8 tasks failed: ", 21) == 0,
              "the message to start with \"3 of 8 tasks failed: \"",
              "goc_error_wrap(goc_error_join(errs, n), \"%d of %d tasks failed\", k, n)",
              "it is \"%s\" (" EX ", summarize).", msg);
    cl_expect(goc_error_is(all, &disk_full) && goc_error_is(all, &timed_out) &&
                  goc_error_is(all, &refused),
              "goc_error_is to find every cause in the result",
              "goc_error_join keeps every error, and goc_error_is looks into each",
              "disk full: %s, timed out: %s, refused: %s (" EX ", summarize).",
              goc_error_is(all, &disk_full) ? "found" : "missing",
              goc_error_is(all, &timed_out) ? "found" : "missing",
              goc_error_is(all, &refused) ? "found" : "missing");
    for (int i = 0; i < 8; i++)
        cl_expect(errs[i] == NULL, "every slot NULL afterwards: the result owns the errors",
                  "clear errs[i] after joining, so nobody frees them twice",
                  "errs[%d] still points at an error (" EX ", summarize).", i);
    __real_goc_error_free(all);
    end_of_test("summarize");
    goc_error *none[3] = {0};
    cl_expect(summarize(none, 3) == NULL, "NULL when nothing failed", "return NULL for no failures",
              "summarize of 3 NULLs returned an error (" EX ", summarize).");
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("15-errors", run_collect_keeps_every_error_by_identity,
                    run_collect_from_two_callers_at_once,
                    fetch_all_returns_the_first_cause_and_cancels_the_rest,
                    fetch_all_runs_exactly_limit_fetches_at_once,
                    fetch_all_passes_the_parents_cancel_on, summarize_joins_every_failure);
}
