/* Grader for exercise 18 — the capstone: a concurrent scraper.
 *
 * The learner's scrape runs against a fake web of the grader's: each URL
 * answers at once, fails with a sentinel of the grader's, or is held until
 * the test opens a gate or the fetch's context is done.  Every promise of
 * the brief becomes a count taken at a settled moment or an exact reading
 * of the fake clock:
 *   - the pool: exactly `workers` fetches inside the web at settle, the
 *     first `workers` meet at a barrier, and few goroutines were started;
 *   - the timeout per request: each fetch's context has a deadline of at
 *     most per_request after the fetch began, and 4 hanging URLs with 2
 *     workers end at exactly 2 x per_request of virtual time;
 *   - cancellation: held fetches see done, no fetch starts afterwards, and
 *     scrape returns without anyone opening the gate;
 *   - errors: every result's error is its cause wrapped with the URL, and
 *     the returned error holds them all (the memory pass checks who frees);
 *   - progress: seq 1..n, each URL once, live while fetches are held, then
 *     the close; a consumer that stopped reading plus a cancel must not
 *     hang scrape;
 *   - progress statuses: what the caller's cancel stopped (held or never
 *     fetched) is PROGRESS_CANCELED, a URL's own timeout PROGRESS_FAILED;
 *   - shutdown: raise(SIGINT), and in another test raise(SIGTERM), with
 *     fetches held makes scrape_main return 130 with the partial results
 *     printed, and gives the signal back;
 *   - the learner's own TESTS: run 20 times (5 under TSan) against a
 *     correct scraper of the grader's on the fake clock, they must pass,
 *     leave nothing behind, use slow, failing and hanging URLs, and catch
 *     two broken scrapers.
 * Nothing is timed on the real clock except upper bounds for busy code. */
#include "grader.h"

#include <signal.h>

/* ---- the contract (as in the exercise) ------------------------------------------ */

typedef struct fetcher {
    goc_error *(*fetch)(goc_ctx *ctx, const char *url, char **body, void *arg);
    void *arg;
} fetcher;
typedef struct scrape_opts {
    int workers;
    goc_duration per_request;
} scrape_opts;
enum { PROGRESS_OK = 1, PROGRESS_FAILED, PROGRESS_CANCELED };
typedef struct progress {
    int seq;
    int url;
    int status;
} progress;
typedef struct scrape_result {
    char *body;
    goc_error *err;
} scrape_result;
typedef goc_error *(*scrape_fn)(goc_ctx *ctx, const scrape_opts *o, const char *const *urls,
                                int n, const fetcher *f, goc_sendch progress_out,
                                scrape_result *results);

typedef enum web_mode { WEB_OK, WEB_SLOW, WEB_FAILING, WEB_HANGING } web_mode;
typedef struct web web;
typedef struct scrape_kit {
    scrape_fn scrape;
    web *(*web_new)(void);
    void (*web_add)(web *w, const char *url, web_mode mode);
    fetcher (*web_fetcher)(web *w);
    int (*web_fetches)(web *w);
    int (*web_max_in_flight)(web *w);
    void (*web_free)(web *w);
    const goc_error *failure;
    goc_duration slow;
} scrape_kit;
typedef struct t_ctx {
    void (*errorf)(struct t_ctx *t, const char *fmt, ...);
    void *impl;
} t_ctx;
typedef void (*test_fn)(t_ctx *t, const scrape_kit *k);
struct test_case {
    const char *name;
    test_fn fn;
};

goc_error *scrape(goc_ctx *ctx, const scrape_opts *o, const char *const *urls, int n,
                  const fetcher *f, goc_sendch progress_out, scrape_result *results);
int scrape_main(const fetcher *f, const char *const *urls, int n);
extern const struct test_case TESTS[];
extern const int NTESTS;

#define EX "exercises/18-capstone-scraper.c"
#define MAXU 24

static const char *const URLS[MAXU] = {"u0",  "u1",  "u2",  "u3",  "u4",  "u5",  "u6",  "u7",
                                       "u8",  "u9",  "u10", "u11", "u12", "u13", "u14", "u15",
                                       "u16", "u17", "u18", "u19", "u20", "u21", "u22", "u23"};

static goc_error not_found = GOC_ERROR_SENTINEL("404 not found");
static goc_error refused = GOC_ERROR_SENTINEL("connection refused");
static goc_error server_error = GOC_ERROR_SENTINEL("500 internal server error");

static void expect_no_leaks_after(const char *call, const char *revisit)
{
    const char *report;
    int leaked = cl_leaked(&report);
    if (leaked == 0)
        return;
    ck_abort_msg("expected: every goroutine scrape started to be gone when it returns\n"
                 "happened: leaked goroutines: %d still blocked after %s returned (" EX ")\n"
                 "revisit:  %s\n%s",
                 leaked, call, revisit, report);
}

/* ==== the fake web for scrape's own tests ========================================= */

enum { G_OK, G_FAIL, G_HOLD };

typedef struct gweb {
    int mode[MAXU];
    goc_error *cause[MAXU]; /* G_FAIL: the sentinel the error wraps */
    cl_gate release;        /* held fetches succeed once it opens */
    int barrier_n;          /* the first barrier_n fetches meet at the barrier */
    cl_barrier barrier;
    _Atomic(int) cancelling; /* set by the test right before it cancels */
    _Atomic(int) calls[MAXU], had_deadline[MAXU];
    _Atomic(int64_t) room[MAXU]; /* deadline - the fetch's start */
    _Atomic(int) started, running, max_running, saw_done, after_cancel;
} gweb;

static gweb *gweb_new(int barrier_n)
{
    gweb *w = cl_alloc(1, sizeof *w);
    cl_gate_init(&w->release);
    w->barrier_n = barrier_n;
    cl_barrier_init(&w->barrier, barrier_n > 0 ? barrier_n : 1);
    return w;
}

static int url_index(const char *url)
{
    for (int i = 0; i < MAXU; i++)
        if (url == URLS[i] || strcmp(url, URLS[i]) == 0)
            return i;
    return -1;
}

static goc_error *gfetch(goc_ctx *ctx, const char *url, char **body, void *arg)
{
    gweb *w = arg;
    int i = url_index(url);
    if (i < 0)
        return goc_error_new("grader: fetch of \"%s\", which is not one of the URLs given", url);
    atomic_fetch_add(&w->calls[i], 1);
    bool late = atomic_load(&w->cancelling);
    if (late)
        atomic_fetch_add(&w->after_cancel, 1);
    goc_time d;
    if (goc_ctx_deadline(ctx, &d)) {
        atomic_store(&w->had_deadline[i], 1);
        atomic_store(&w->room[i], d - goc_now());
    }
    int k = atomic_fetch_add(&w->started, 1);
    int now = atomic_fetch_add(&w->running, 1) + 1;
    for (int m = atomic_load(&w->max_running);
         now > m && !atomic_compare_exchange_weak(&w->max_running, &m, now);)
        ;
    if (k < w->barrier_n)
        cl_barrier_arrive_and_wait(&w->barrier);
    goc_error *err = NULL;
    if (w->mode[i] == G_FAIL) {
        err = goc_error_wrap(w->cause[i], "HTTP GET");
    } else if (w->mode[i] == G_HOLD) {
        if (goc_select(goc_case_recv_discard(goc_ctx_done(ctx)),
                       goc_case_recv_discard(w->release.open)) == 0) {
            if (!late) /* held before the cancel, and saw it */
                atomic_fetch_add(&w->saw_done, 1);
            err = goc_error_wrap(goc_ctx_err(ctx), "HTTP GET");
        }
    }
    if (!err) {
        *body = malloc(16);
        ck_assert_msg(*body != NULL, "grader: out of memory");
        snprintf(*body, 16, "body of %s", url);
    }
    atomic_fetch_sub(&w->running, 1);
    return err;
}

/* ---- one call of scrape ------------------------------------------------------------- */

typedef struct scall {
    goc_ctx *ctx;
    scrape_opts o;
    int n;
    fetcher f;
    goc_chan *events;
    scrape_result results[MAXU];
    goc_error *err;
} scall;

/* events: capacity 0 (the test reads them) or n (nobody has to). */
static scall *scall_new(goc_ctx *ctx, int workers, goc_duration per_request, int n, gweb *w,
                        size_t events_cap)
{
    scall *s = cl_alloc(1, sizeof *s);
    *s = (scall){ctx, {workers, per_request}, n, {gfetch, w}, NULL, {{0}}, NULL};
    s->events = goc_chan_make(progress, events_cap);
    return s;
}

static void call_scrape(void *arg)
{
    scall *s = arg;
    s->err = scrape(s->ctx, &s->o, URLS, s->n, &s->f, goc_send_only(s->events), s->results);
}

/* What the caller owns after scrape: the bodies and the returned error
 * (which owns every results[i].err), and the channel. */
static void scall_free(scall *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->results[i].body);
    goc_error_free(s->err);
    goc_chan_free(s->events);
}

#define BOUNDED_WAIT                                                                      \
    "make the fetch's context with goc_ctx_with_timeout(ctx, per_request): a child of the " \
    "caller's, so the caller's cancel and deadline reach it too (lessons 08 and 12)"

static void expect_returned(cl_call *c, const char *after, const char *revisit)
{
    if (cl_call_await(c, 5))
        return;
    static char dump[8192];
    cl_dump(dump, sizeof dump);
    ck_abort_msg("expected: scrape to return\n"
                 "happened: scrape never returned %s (" EX ", scrape)\n"
                 "revisit:  %s. Where each goroutine waits:\n%.6000s",
                 after, revisit, dump);
}

/* Reads events until the close; false if none came for a while and the
 * call has returned without closing (or nothing moves any more). */
static int read_events(scall *s, cl_call *c, progress *evs, int max, bool *closed)
{
    int k = 0;
    *closed = false;
    for (;;) {
        progress ev;
        goc_try_result r = cl_recv_within(s->events, &ev, 5, c);
        if (r == GOC_CLOSED) {
            *closed = true;
            return k;
        }
        if (r != GOC_RECEIVED)
            return k;
        if (k < max)
            evs[k] = ev;
        k++;
    }
}

/* Drains what a buffered progress channel holds after scrape returned. */
static int drain_events(scall *s, progress *evs, int max, bool *closed)
{
    int k = 0;
    progress ev;
    goc_try_result r;
    while ((r = goc_try_recv(s->events, &ev)) == GOC_RECEIVED) {
        if (k < max)
            evs[k] = ev;
        k++;
    }
    *closed = r == GOC_CLOSED;
    return k;
}

static const char *status_name(int status)
{
    static const char *const names[] = {[PROGRESS_OK] = "PROGRESS_OK",
                                        [PROGRESS_FAILED] = "PROGRESS_FAILED",
                                        [PROGRESS_CANCELED] = "PROGRESS_CANCELED"};
    return status >= PROGRESS_OK && status <= PROGRESS_CANCELED ? names[status] : "not a status";
}

#define CANCELED_STATUS                                                                    \
    "PROGRESS_CANCELED whenever the caller's context is done (goc_ctx_err(p->ctx)), for a " \
    "URL skipped after the cancel and for a fetch the cancel cut short; PROGRESS_FAILED is " \
    "for a URL's own failure (an error, its own timeout)"

/* seq 1..k in order, each URL at most once, statuses that agree with the
 * results (once scrape returned): a URL whose error is the caller's cancel
 * is PROGRESS_CANCELED. */
static void expect_events_in_order(scall *s, const progress *evs, int k, const char *call)
{
    bool seen[MAXU] = {0};
    for (int j = 0; j < k && j < MAXU; j++) {
        cl_expect(evs[j].seq == j + 1, "progress events numbered 1, 2, 3... in the order sent",
                  "one goroutine (scrape's own) numbers and sends the events, or the workers "
                  "number and send under one mutex: a number taken before another goroutine's "
                  "send arrives out of order",
                  "after %s, event %d carried seq %d (" EX ", scrape).", call, j + 1, evs[j].seq);
        int u = evs[j].url;
        cl_expect(u >= 0 && u < s->n && !seen[u], "one event per URL, naming its index",
                  "send one event when each URL is done, with .url = its index in urls",
                  "after %s, event %d named URL %d%s (" EX ", scrape).", call, j + 1, u,
                  u >= 0 && u < s->n ? ", which already had an event" : ", out of range");
        seen[u] = true;
        if (goc_error_is(s->results[u].err, goc_canceled)) {
            cl_expect(evs[j].status == PROGRESS_CANCELED,
                      "PROGRESS_CANCELED for a URL the caller's cancel stopped", CANCELED_STATUS,
                      "after %s, the event for %s (\"%s\", %s) has status %s (" EX
                      ", scrape).",
                      call, URLS[u], goc_error_message(s->results[u].err),
                      atomic_load(&((gweb *)s->f.arg)->calls[u]) ? "its fetch saw the cancel"
                                                                 : "never fetched",
                      status_name(evs[j].status));
            continue;
        }
        int want = s->results[u].err == NULL ? PROGRESS_OK : 0;
        cl_expect(want ? evs[j].status == PROGRESS_OK
                       : evs[j].status == PROGRESS_FAILED || evs[j].status == PROGRESS_CANCELED,
                  "an event's status to match the URL's result",
                  "PROGRESS_OK when the fetch succeeded, PROGRESS_FAILED or PROGRESS_CANCELED "
                  "when its result has an error",
                  "after %s, the event for %s has status %d but results[%d].err is \"%s\" (" EX
                  ", scrape).",
                  call, URLS[u], evs[j].status, u, goc_error_message(s->results[u].err));
    }
}

/* A call that fetched nothing says so first: other messages assume it tried. */
static void expect_some_fetches(gweb *w, const char *call)
{
    cl_expect(atomic_load(&w->started) > 0, "the URLs to be fetched",
              "start the workers; each takes URL indexes from the job queue and calls "
              "f->fetch",
              "%s made no fetch at all (" EX ", scrape).", call);
}

/* The bound first: a goroutine per URL also breaks every timing that
 * assumes rounds of `workers`, and would be blamed on the timeouts. */
static void expect_within_workers(gweb *w, int workers, const char *call)
{
    int most = atomic_load(&w->max_running);
    cl_expect(most <= workers, "never more fetches at once than workers",
              "start `workers` goroutines that share one job queue; a goroutine per URL has "
              "no bound (lesson 13)",
              "during %s, %d fetches ran at once with %d workers (" EX ", scrape).", call, most,
              workers);
}

static void expect_fetched_ok(scall *s, const char *call)
{
    for (int i = 0; i < s->n; i++) {
        char want[16];
        snprintf(want, sizeof want, "body of %s", URLS[i]);
        cl_expect(s->results[i].err == NULL, "no error for a URL that answered",
                  "results[i].err stays NULL when the fetch returned NULL",
                  "after %s, results[%d].err is \"%s\" (" EX ", scrape).", call, i,
                  goc_error_message(s->results[i].err));
        cl_expect(s->results[i].body && strcmp(s->results[i].body, want) == 0,
                  "each URL's body in its own slot, results[i] for urls[i]",
                  "store what the fetch gave in results[index], whatever order the fetches "
                  "finish in",
                  "after %s, results[%d].body is \"%s\", expected \"%s\" (" EX ", scrape).", call,
                  i, s->results[i].body ? s->results[i].body : "(null)", want);
    }
}

/* ==== the pool ========================================================================== */

CL_TEST(scrape_fetches_every_url_and_reports_each_once)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(0);
    scall *s = scall_new(goc_ctx_background(), 3, GOC_SECOND, 10, w, 0);
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    progress evs[MAXU];
    bool closed;
    int k = read_events(s, &c, evs, MAXU, &closed);
    expect_returned(&c, "after every fetch had answered",
                    "the workers end when the job queue is closed and empty; wait for them");
    expect_some_fetches(w, "scrape(10 URLs)");
    for (int i = 0; i < 10; i++)
        cl_expect(atomic_load(&w->calls[i]) == 1, "each URL fetched exactly once",
                  "every index goes into the job queue once; each worker fetches what it "
                  "receives",
                  "%s was fetched %d times (" EX ", scrape).", URLS[i], atomic_load(&w->calls[i]));
    expect_fetched_ok(s, "scrape(10 working URLs)");
    cl_expect(s->err == NULL, "NULL when every URL was fetched", "join only the failures",
              "scrape returned \"%s\" (" EX ", scrape).", goc_error_message(s->err));
    cl_expect(k == 10 && closed, "10 progress events, then the channel closed",
              "send one event per finished URL, then goc_close(progress_out) once every "
              "worker is done (scrape is its only sender, so scrape closes it; lessons 05 "
              "and 06)",
              "%d events arrived%s (" EX ", scrape).", k,
              closed ? ", then the close" : " and the channel was never closed");
    expect_events_in_order(s, evs, k, "scrape(10 working URLs)");
    expect_no_leaks_after("scrape", "wait for every worker (goc_wg_wait) before returning");
    cl_expect_no_pending_timers("scrape",
                                EX ", scrape: goc_ctx_release(the fetch's context) as soon "
                                   "as the fetch returns, or its timeout stays pending");
    scall_free(s);
}
CL_END_TEST

/* 20 URLs held, 4 workers: exactly 4 fetches inside the web at settle,
 * the first 4 meet at a barrier, and scrape started a pool, not a
 * goroutine per URL. */
CL_TEST(scrape_runs_exactly_workers_fetches_at_once)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(4);
    for (int i = 0; i < 20; i++)
        w->mode[i] = G_HOLD;
    scall *s = scall_new(goc_ctx_background(), 4, GOC_HOUR, 20, w, 20);
    int64_t mark = cl_spawn_mark();
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    cl_settle();
    int running = atomic_load(&w->running);
    int spawned = cl_spawned_since(mark) - 1; /* not the test's own call */
    bool met = cl_latch_is_open(&w->barrier);
    bool back = cl_call_returned(&c);
    cl_gate_open(&w->release);
    expect_returned(&c, "after the held fetches were let go", "wait for the workers");
    expect_some_fetches(w, "scrape(20 URLs)");
    cl_expect(!back, "scrape to wait while fetches are held",
              "scrape returns only when every URL has its result",
              "scrape returned while %d of its 20 fetches were still held (" EX ", scrape).",
              running);
    cl_expect(running <= 4, "at most 4 fetches at once with 4 workers",
              "start `workers` goroutines that share one job queue; a goroutine per URL has "
              "no bound (lesson 13)",
              "%d fetches at once with 4 workers (" EX ", scrape).", running);
    cl_expect(running == 4 && met, "4 fetches at once, meeting at a barrier of 4",
              "the workers run at the same time, each fetching its own URL",
              "only %d fetch%s ran at once with 4 workers and 20 URLs (" EX ", scrape).",
              running, running == 1 ? "" : "es");
    cl_expect(spawned <= 4 + 3, "a pool: about `workers` goroutines, not one per URL",
              "a worker pool starts its workers once; they take URL after URL (lesson 13)",
              "scrape had started %d goroutines while its 4 workers' fetches were held (" EX
              ", scrape).",
              spawned);
    expect_fetched_ok(s, "scrape(20 held URLs, 4 workers)");
    expect_within_workers(w, 4, "scrape(20 held URLs, 4 workers)");
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    scall_free(s);
}
CL_END_TEST

/* Two workers; the second goc_wg_add made from the learner's file is
 * held until everything else has stopped.  Counted in scrape before the
 * goroutines start (one Add of `workers`, or one per worker in the loop),
 * that hold keeps scrape itself waiting, which is harmless.  Counted
 * inside the workers, the other worker fetches every URL and goc_wg_wait
 * returns while the held one has not been counted: scrape is back, and
 * that worker would run on its freed frame, on every run.  (With a third
 * worker, its Add would pass the point and it would panic on the freed
 * job queue before the settle: a crash instead of this message.) */
CL_TEST(scrape_counts_every_worker_before_it_starts)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(0);
    scall *s = scall_new(goc_ctx_background(), 2, GOC_HOUR, 6, w, 6);
    cl_point_hold(CL_BEFORE_WG_ADD, 2);
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    cl_settle();
    bool early = cl_call_returned(&c) && cl_point_is_held(CL_BEFORE_WG_ADD);
    goc_site held = cl_point_site(CL_BEFORE_WG_ADD);
    /* Failing here leaves the held worker parked: it never touches the
     * freed frame. */
    cl_expect(!early, "scrape to wait for every worker it started",
              "goc_wg_add(&p.wg, workers) in scrape, before the goc_go calls: an Add inside "
              "the new goroutine can come after goc_wg_wait has already returned, and that "
              "worker then runs on scrape's freed frame (lessons 02 and 13)",
              "scrape returned while one of its workers had not called goc_wg_add yet (the "
              "grader held that call, at %s:%d, until everything else had stopped) (" EX
              ", scrape).",
              held.file ? held.file : "?", held.line);
    cl_point_release(CL_BEFORE_WG_ADD);
    expect_returned(&c, "once its workers were let go", "wait for the workers");
    expect_fetched_ok(s, "scrape(6 URLs, 2 workers)");
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    scall_free(s);
}
CL_END_TEST

/* ==== time: per request, and the caller's ========================================== */

/* 4 URLs that never answer, 2 workers, per_request 50 ms: each fetch's
 * context ends 50 ms after it began, so the two rounds end at exactly
 * 100 ms of virtual time. */
CL_TEST(scrape_gives_each_fetch_a_deadline_of_per_request)
{
    cl_fake_clock();
    gweb *w = gweb_new(0);
    for (int i = 0; i < 4; i++)
        w->mode[i] = G_HOLD;
    scall *s = scall_new(goc_ctx_background(), 2, 50 * GOC_MILLISECOND, 4, w, 4);
    goc_time t0 = goc_now();
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    cl_settle();
    for (int i = 0; i < 4; i++) {
        if (!atomic_load(&w->calls[i]))
            continue;
        cl_expect(atomic_load(&w->had_deadline[i]), "each fetch's context to have a deadline",
                  BOUNDED_WAIT,
                  "the fetch of %s got a context without a deadline: with the caller's own "
                  "context, a URL that never answers holds its worker for ever (" EX
                  ", scrape).",
                  URLS[i]);
        int64_t room = atomic_load(&w->room[i]);
        cl_expect(room > 0 && room <= 50 * GOC_MILLISECOND,
                  "a deadline at most per_request (50 ms) after the fetch began", BOUNDED_WAIT,
                  "the fetch of %s had %.1f ms left when it began (" EX ", scrape).", URLS[i],
                  room / 1e6);
    }
    for (int step = 0; step < 8 && !cl_call_returned(&c); step++)
        cl_settle_and_next();
    if (!cl_call_returned(&c))
        cl_gate_open(&w->release);
    expect_returned(&c, "after every fetch's deadline had passed", BOUNDED_WAIT);
    expect_some_fetches(w, "scrape(4 URLs)");
    expect_within_workers(w, 2, "scrape(4 hanging URLs, 2 workers)");
    goc_duration took = goc_now() - t0;
    bool skipped_as_late = false; /* a URL never fetched, already past a deadline */
    for (int i = 0; i < 4; i++)
        skipped_as_late |= !atomic_load(&w->calls[i]) &&
                           goc_error_is(s->results[i].err, goc_deadline_exceeded);
    cl_expect(atomic_load(&w->started) == 4, "all 4 URLs fetched",
              skipped_as_late
                  ? "the caller set no deadline, yet the URLs never fetched got \"deadline "
                    "exceeded\": the context the workers check ran out before their turn. "
                    "That is one timeout for the whole scrape; make one per fetch, when the "
                    "fetch starts (lesson 08: per attempt versus overall)"
                  : "every URL gets a fetch",
              "%d of 4 were fetched (" EX ", scrape).", atomic_load(&w->started));
    cl_expect(took == 100 * GOC_MILLISECOND,
              "2 rounds of 50 ms: scrape back at exactly 100 ms (virtual time)",
              "one timeout per fetch, made when that fetch starts: a single deadline for "
              "the whole scrape cuts the second round short (lesson 08: per attempt versus "
              "overall)",
              "scrape returned after %.1f ms (" EX ", scrape).", took / 1e6);
    for (int i = 0; i < 4; i++) {
        goc_error *e = s->results[i].err;
        cl_expect(goc_error_is(e, goc_deadline_exceeded) && strstr(goc_error_message(e), URLS[i]),
                  "each timed-out URL's error: deadline exceeded, naming the URL",
                  "goc_error_wrap(err, \"fetch %%s\", url): the cause stays, the URL is added",
                  "results[%d].err is \"%s\" (" EX ", scrape).", i, goc_error_message(e));
    }
    progress evs[MAXU];
    bool closed;
    int k = drain_events(s, evs, MAXU, &closed);
    for (int j = 0; j < k && j < MAXU; j++)
        cl_expect(evs[j].status == PROGRESS_FAILED, "PROGRESS_FAILED for a fetch that timed out",
                  "a fetch's own timeout is a failure; PROGRESS_CANCELED is for when the "
                  "caller's context is done",
                  "the event for %s has status %d (" EX ", scrape).",
                  evs[j].url >= 0 && evs[j].url < 4 ? URLS[evs[j].url] : "?", evs[j].status);
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    cl_expect_no_pending_timers("scrape", EX ", scrape: release each fetch's context");
    scall_free(s);
}
CL_END_TEST

/* The caller's deadline (30 ms) comes long before per_request (an hour):
 * the 2 fetches in flight end then, and no other fetch starts. */
CL_TEST(scrape_honours_the_callers_deadline)
{
    cl_fake_clock();
    gweb *w = gweb_new(0);
    for (int i = 0; i < 6; i++)
        w->mode[i] = G_HOLD;
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), 30 * GOC_MILLISECOND);
    scall *s = scall_new(ctx, 2, GOC_HOUR, 6, w, 6);
    goc_time t0 = goc_now();
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    for (int step = 0; step < 8 && !cl_call_returned(&c); step++)
        cl_settle_and_next();
    if (!cl_call_returned(&c))
        cl_gate_open(&w->release);
    expect_returned(&c, "after the caller's deadline", BOUNDED_WAIT);
    expect_some_fetches(w, "scrape(6 URLs)");
    expect_within_workers(w, 2, "scrape(6 hanging URLs, 2 workers, a 30 ms deadline)");
    goc_duration took = goc_now() - t0;
    cl_expect(took == 30 * GOC_MILLISECOND, "scrape back at the caller's deadline, 30 ms",
              BOUNDED_WAIT, "scrape returned after %.1f ms with a deadline of 30 ms (" EX
              ", scrape).",
              took / 1e6);
    cl_expect(atomic_load(&w->started) == 2,
              "only the 2 fetches in flight: none started after the deadline",
              "before each fetch, a worker checks goc_ctx_err(ctx) and records the URL as "
              "not fetched instead",
              "%d fetches started (" EX ", scrape).", atomic_load(&w->started));
    for (int i = 0; i < 6; i++) {
        goc_error *e = s->results[i].err;
        cl_expect(goc_error_is(e, goc_deadline_exceeded) && strstr(goc_error_message(e), URLS[i]),
                  "every URL's error: the caller's deadline exceeded, naming the URL",
                  "a URL never fetched still gets a result: goc_error_wrap(goc_ctx_err(ctx), "
                  "\"fetch %%s\", url)",
                  "results[%d].err is \"%s\" (" EX ", scrape).", i, goc_error_message(e));
    }
    cl_expect(goc_error_is(s->err, goc_deadline_exceeded), "the returned error to say why",
              "join every URL's error", "scrape returned \"%s\" (" EX ", scrape).",
              goc_error_message(s->err));
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    cl_gate_open(&w->release);
    scall_free(s);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* ==== cancellation ==================================================================== */

/* 10 URLs held, 3 workers; the caller cancels: the 3 held fetches see
 * done, scrape returns without the gate opening, no 4th fetch starts. */
CL_TEST(scrape_stops_promptly_when_the_caller_cancels)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(0);
    for (int i = 0; i < 10; i++)
        w->mode[i] = G_HOLD;
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    scall *s = scall_new(ctx, 3, GOC_HOUR, 10, w, 10);
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    cl_settle();
    int before = atomic_load(&w->started);
    atomic_store(&w->cancelling, 1);
    goc_ctx_cancel(ctx);
    bool back = cl_call_await(&c, 5);
    int saw = atomic_load(&w->saw_done);
    cl_gate_open(&w->release);
    cl_expect(before > 0, "fetches to be running before the cancel",
              "the workers fetch as soon as scrape starts them",
              "no fetch had started (" EX ", scrape).");
    cl_expect(back && saw == before, "the held fetches to see the cancel, and scrape to return",
              BOUNDED_WAIT,
              "%d of %d held fetches saw the caller's cancel%s (" EX ", scrape).", saw, before,
              back ? "" : "; scrape was still waiting for them");
    expect_returned(&c, "after the cancel", BOUNDED_WAIT);
    int late = atomic_load(&w->after_cancel);
    cl_expect(late == 0, "no fetch to start after the caller cancelled",
              "before each fetch, check goc_ctx_err(ctx): a cancelled scrape starts nothing new "
              "(lesson 12)",
              "%d fetches started after the caller cancelled (" EX ", scrape).", late);
    for (int i = 0; i < 10; i++) {
        goc_error *e = s->results[i].err;
        cl_expect(goc_error_is(e, goc_canceled) && strstr(goc_error_message(e), URLS[i]),
                  "every URL's error: canceled, naming the URL (fetched or not)",
                  "a URL never fetched still gets a result: goc_error_wrap(goc_ctx_err(ctx), "
                  "\"fetch %%s\", url)",
                  "results[%d].err is \"%s\" (" EX ", scrape).", i, goc_error_message(e));
    }
    cl_expect(goc_error_is(s->err, goc_canceled), "the returned error to be a cancellation",
              "join every URL's error", "scrape returned \"%s\" (" EX ", scrape).",
              goc_error_message(s->err));
    progress evs[MAXU];
    bool closed;
    int k = drain_events(s, evs, MAXU, &closed);
    cl_expect(closed, "progress closed after a cancelled scrape too",
              "close progress_out on every way out of scrape",
              "progress was left open (" EX ", scrape).");
    expect_events_in_order(s, evs, k, "a cancelled scrape");
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    scall_free(s);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* Nobody reads progress: scrape waits to send the first event, which is
 * allowed, until the caller cancels; then it must return. */
CL_TEST(scrape_returns_on_cancel_while_nobody_reads_progress)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(0);
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    scall *s = scall_new(ctx, 2, GOC_HOUR, 5, w, 0);
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    cl_settle();
    goc_ctx_cancel(ctx);
    if (!cl_call_await(&c, 5)) {
        static char dump[8192];
        cl_dump(dump, sizeof dump);
        ck_abort_msg("expected: scrape to return once the caller cancelled, even though nobody "
                     "reads progress\n"
                     "happened: scrape is stuck sending a progress event nobody reads, although "
                     "its context was cancelled (" EX ", scrape)\n"
                     "revisit:  send each event in a goc_select with "
                     "goc_case_recv_discard(goc_ctx_done(ctx)); a plain goc_send waits for a "
                     "reader for ever (lessons 12 and 14). Where each goroutine waits:\n%.6000s",
                     dump);
    }
    goc_try_result r = goc_try_recv(s->events, &(progress){0});
    cl_expect(r == GOC_CLOSED, "progress closed when scrape returns",
              "close progress_out on every way out of scrape",
              "progress was %s (" EX ", scrape).",
              r == GOC_RECEIVED ? "still being sent on" : "left open");
    expect_no_leaks_after("scrape", "no goroutine may stay blocked on progress_out");
    scall_free(s);
    goc_ctx_release(ctx);
}
CL_END_TEST

/* After a cancel, events may be dropped (each report is a select that the
 * done case can win), so one cancelled scrape may show no status at all:
 * cancel scrapes until events for both a held fetch and a URL never
 * fetched have been seen (a few rounds, at most 100; a scraper that drops every event
 * after a cancel runs all of them and passes, having shown nothing). */
CL_TEST(scrape_marks_what_a_cancel_stopped_canceled)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    bool saw_held = false, saw_skipped = false;
    for (int round = 0; round < 100 && !(saw_held && saw_skipped); round++) {
        gweb *w = gweb_new(0);
        for (int i = 0; i < 3; i++)
            w->mode[i] = G_HOLD;
        goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
        scall *s = scall_new(ctx, 1, GOC_HOUR, 3, w, 3);
        cl_call c;
        cl_spawn_call(&c, call_scrape, s);
        cl_settle();
        expect_some_fetches(w, "scrape(3 URLs, 1 worker)");
        atomic_store(&w->cancelling, 1);
        goc_ctx_cancel(ctx);
        expect_returned(&c, "after the cancel", BOUNDED_WAIT);
        progress evs[MAXU];
        bool closed;
        int k = drain_events(s, evs, MAXU, &closed);
        expect_events_in_order(s, evs, k, "a cancel with 1 fetch held and 2 URLs queued");
        for (int j = 0; j < k && j < MAXU; j++) {
            bool fetched = atomic_load(&w->calls[evs[j].url]) > 0;
            saw_held |= fetched;
            saw_skipped |= !fetched;
        }
        expect_no_leaks_after("scrape", "wait for every worker before returning");
        scall_free(s);
        cl_free(s);
        goc_ctx_release(ctx);
        cl_latch_destroy(&w->release);
        cl_latch_destroy(&w->barrier);
        cl_free(w);
    }
}
CL_END_TEST

/* ==== progress ============================================================================ */

/* u0 held, u1..u4 answer: their 4 events come while u0 is still held;
 * u0's comes fifth, then the close. */
CL_TEST(scrape_reports_progress_as_fetches_finish)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(0);
    w->mode[0] = G_HOLD;
    scall *s = scall_new(goc_ctx_background(), 2, GOC_HOUR, 5, w, 0);
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    progress evs[MAXU];
    int k = 0;
    goc_try_result r = GOC_RECEIVED;
    while (k < 4 && (r = cl_recv_within(s->events, &evs[k], 5, &c)) == GOC_RECEIVED)
        k++;
    bool back_early = cl_call_returned(&c);
    cl_gate_open(&w->release);
    expect_some_fetches(w, "scrape(5 URLs)");
    cl_expect(k == 4,
              "an event for each of u1..u4 while u0 is still being fetched",
              "send each URL's event as soon as its result comes in, not after the last "
              "fetch (lesson 14's collector)",
              "%d event%s arrived while u0 was held%s (" EX ", scrape).", k, k == 1 ? "" : "s",
              r == GOC_CLOSED ? ", then progress was closed" : "");
    cl_expect(!back_early, "scrape to wait for u0", "scrape returns when every URL is done",
              "scrape returned while u0 was held (" EX ", scrape).");
    bool closed;
    k += read_events(s, &c, evs + k, MAXU - k, &closed);
    expect_returned(&c, "after u0 was let go", "wait for the workers");
    cl_expect(k == 5 && closed, "5 events, then the close",
              "one event per URL; close progress_out after the last",
              "%d events%s (" EX ", scrape).", k, closed ? ", then the close" : ", never closed");
    expect_events_in_order(s, evs, k, "scrape(5 URLs, u0 held)");
    cl_expect(evs[4].url == 0, "u0's event last", "events go out as URLs finish",
              "the 5th event named URL %d (" EX ", scrape).", evs[4].url);
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    scall_free(s);
}
CL_END_TEST

/* ==== errors ============================================================================== */

CL_TEST(scrape_keeps_every_error_with_its_url)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w = gweb_new(0);
    static const struct {
        int url;
        goc_error *cause;
    } FAILS[] = {{1, &not_found}, {4, &refused}, {6, &server_error}};
    for (int f = 0; f < 3; f++) {
        w->mode[FAILS[f].url] = G_FAIL;
        w->cause[FAILS[f].url] = FAILS[f].cause;
    }
    scall *s = scall_new(goc_ctx_background(), 3, GOC_HOUR, 8, w, 8);
    cl_call c;
    cl_spawn_call(&c, call_scrape, s);
    expect_returned(&c, "with every URL answered", "wait for the workers");
    expect_some_fetches(w, "scrape(8 URLs)");
    for (int f = 0; f < 3; f++) {
        int i = FAILS[f].url;
        goc_error *e = s->results[i].err;
        cl_expect(e != NULL, "every failed URL's error in its own result",
                  "results[index].err = the fetch's error, wrapped with the URL",
                  "results[%d].err is NULL although %s failed with \"%s\" (" EX ", scrape).", i,
                  URLS[i], goc_error_message(FAILS[f].cause));
        cl_expect(goc_error_is(e, FAILS[f].cause), "goc_error_is(results[i].err, cause)",
                  "goc_error_wrap keeps the cause; goc_error_new with the message text does "
                  "not (lesson 15)",
                  "goc_error_is(results[%d].err, &%s) is false; the message is \"%s\" (" EX
                  ", scrape).",
                  i, goc_error_message(FAILS[f].cause), goc_error_message(e));
        cl_expect(strstr(goc_error_message(e), URLS[i]) != NULL, "each error to name its URL",
                  "goc_error_wrap(err, \"fetch %%s\", url)",
                  "results[%d].err is \"%s\" (" EX ", scrape).", i, goc_error_message(e));
    }
    for (int i = 0; i < 8; i++)
        if (w->mode[i] == G_OK)
            cl_expect(s->results[i].err == NULL && s->results[i].body,
                      "the working URLs fetched beside the failing ones",
                      "one URL's failure does not stop the others (collect all, not fail fast)",
                      "results[%d] has body %s and error \"%s\" (" EX ", scrape).", i,
                      s->results[i].body ? "set" : "NULL", goc_error_message(s->results[i].err));
    const char *msg = goc_error_message(s->err);
    for (int f = 0; f < 3; f++) {
        int i = FAILS[f].url;
        cl_expect(goc_error_is(s->err, FAILS[f].cause) && strstr(msg, URLS[i]),
                  "the returned error to hold every failure: each cause, each URL",
                  "goc_error_join(errs, n) of every URL's error; results[i].err keep pointing "
                  "into it (lesson 15)",
                  "goc_error_is(returned, &%s) is %s and the message \"%s\" %s %s (" EX
                  ", scrape).",
                  goc_error_message(FAILS[f].cause),
                  goc_error_is(s->err, FAILS[f].cause) ? "true" : "false", msg,
                  strstr(msg, URLS[i]) ? "names" : "does not name", URLS[i]);
    }
    progress evs[MAXU];
    bool closed;
    int k = drain_events(s, evs, MAXU, &closed);
    cl_expect(k == 8 && closed, "8 events, then the close", "one event per URL, failed or not",
              "%d events%s (" EX ", scrape).", k, closed ? "" : ", never closed");
    expect_events_in_order(s, evs, k, "scrape(8 URLs, 3 failing)");
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    scall_free(s);
}
CL_END_TEST

/* Two scrapes at once, each with its own web: a static pool, job queue or
 * result array shared by the calls shows up as lost or foreign results. */
static scall *pair[2];
static void scrape_in_crowd(int caller, void *arg)
{
    (void)arg;
    call_scrape(pair[caller]);
}

CL_TEST(scrape_calls_do_not_share_state)
{
    cl_fake_clock(); /* per-request timers never fire, and settle ignores them */
    gweb *w[2] = {gweb_new(2), gweb_new(2)};
    for (int k = 0; k < 2; k++)
        pair[k] = scall_new(goc_ctx_background(), 2, GOC_HOUR, 6 + 2 * k, w[k], 8);
    cl_expect(cl_call_concurrently(2, scrape_in_crowd, NULL), "both calls to return",
              "each call has its own queue, workers and channels (nothing static)",
              "a call never returned (" EX ", scrape).");
    for (int k = 0; k < 2; k++) {
        expect_some_fetches(w[k], "each of two scrapes at once");
        expect_fetched_ok(pair[k], "two scrapes at once");
        cl_expect(atomic_load(&w[k]->started) == 6 + 2 * k,
                  "each call to fetch its own URLs, each once",
                  "nothing static: a second call must not take the first one's jobs",
                  "call %d of 2 fetched %d URLs of its %d (" EX ", scrape).", k + 1,
                  atomic_load(&w[k]->started), 6 + 2 * k);
    }
    expect_no_leaks_after("scrape", "wait for every worker before returning");
    scall_free(pair[0]);
    scall_free(pair[1]);
}
CL_END_TEST

/* ==== scrape_main: Ctrl-C with fetches in flight ====================================== */

static _Atomic(int) grader_signalled;
static void grader_on_signal(int sig)
{
    (void)sig;
    atomic_store(&grader_signalled, 1);
}

typedef struct main_call {
    fetcher f;
    int n, status;
} main_call;

static void call_scrape_main(void *arg)
{
    main_call *m = arg;
    m->status = scrape_main(&m->f, URLS, m->n);
}

/* u0, u1 answer; u2..u5 are held by 4 workers.  The signal (SIGINT, or
 * SIGTERM: the contract names both): scrape_main returns 130 and prints
 * the partial results, and the signal's handling is given back (the
 * signal context was released).  The fake clock keeps per_request from
 * firing while the test holds the fetches. */
static void expect_graceful_shutdown_on(int sig, const char *name)
{
    cl_fake_clock();
    /* The grader's stand-in for "the program dies": a signal nobody
     * watches lands here. */
    atomic_store(&grader_signalled, 0);
    struct sigaction mine = {.sa_handler = grader_on_signal}, before;
    sigemptyset(&mine.sa_mask);
    sigaction(sig, &mine, NULL);
    gweb *w = gweb_new(0);
    for (int i = 2; i < 6; i++)
        w->mode[i] = G_HOLD;
    main_call *m = cl_alloc(1, sizeof *m);
    *m = (main_call){{gfetch, w}, 6, -1};
    cl_capture cap;
    cl_capture_begin(&cap);
    cl_call c;
    cl_spawn_call(&c, call_scrape_main, m);
    cl_settle();
    int held = atomic_load(&w->running);
    raise(sig);
    /* The signal context cancels from a watcher thread the settle cannot
     * see: wait (on the real clock) until a held fetch saw the cancel, or
     * the grader's own handler got the signal. */
    goc_time give_up = goc_real_now() + 5 * GOC_SECOND;
    while (!atomic_load(&w->saw_done) && !atomic_load(&grader_signalled) &&
           goc_real_now() < give_up)
        cl_pause_ms(1);
    bool back = cl_call_await(&c, 5);
    bool died = atomic_load(&grader_signalled) != 0;
    cl_gate_open(&w->release);
    bool back_at_all = cl_call_await(&c, 5);
    char *out = cl_capture_end(&cap);
    sigaction(sig, NULL, &before);
    bool restored = before.sa_handler == grader_on_signal;
    signal(sig, SIG_DFL);
    cl_expect(held > 0, "fetches in flight when the signal comes",
              "scrape_main runs scrape over every URL",
              "no fetch was running when the grader raised %s (" EX ", scrape_main).", name);
    bool ok = back && !died;
    if (!ok)
        free(out);
    cl_expect(ok, "the signal to cancel the scrape, and scrape_main to return",
              "goc_ctx *ctx = goc_ctx_with_signals(goc_ctx_background(), SIGINT, SIGTERM) and "
              "give that ctx to scrape: either signal cancels it instead of killing the program "
              "(Go's signal.NotifyContext; lesson 12)",
              "%s (" EX ", scrape_main).",
              !died ? "scrape_main was still waiting after the signal"
              : sig == SIGINT
                  ? "SIGINT reached the program's own handler: in a real program Ctrl-C would "
                    "have killed it with 4 fetches in flight and nothing printed"
                  : "SIGTERM reached the program's own handler: the signal context does not "
                    "watch it, so `kill` (or a container stopping) would have killed the "
                    "program with 4 fetches in flight and nothing printed");
    cl_expect(back_at_all, "scrape_main to return", "wait for scrape, then print and free",
              "scrape_main never returned (" EX ", scrape_main).");
    bool lines = cl_count_lines(out, "ok u0 (10 bytes)") == 1 &&
                 cl_count_lines(out, "ok u1 (10 bytes)") == 1 &&
                 cl_count_lines(out, "interrupted: fetched 2 of 6") == 1;
    int status = m->status;
    char shown[700];
    snprintf(shown, sizeof shown, "%.600s", out);
    free(out);
    cl_expect(status == 130, "exit status 130 (128 + SIGINT) after an interrupt",
              "return 130 when the signal context was cancelled (check goc_ctx_err(ctx) before "
              "releasing it), 1 when a URL failed, 0 otherwise",
              "after %s, scrape_main returned %d (" EX ", scrape_main).", name, status);
    cl_expect(lines, "the partial results printed: ok u0, ok u1, \"interrupted: fetched 2 of 6\"",
              "after scrape returns, print_summary(urls, n, results, interrupted)",
              "after %s, scrape_main printed:\n%s(" EX ", scrape_main)", name, shown);
    cl_expect(restored, "the signal given back once scrape_main is done",
              "goc_ctx_release(ctx) on the signal context is Go's stop(): after it, a second "
              "Ctrl-C ends the program again",
              "after scrape_main returned, %s was still caught by the signal context "
              "(" EX ", scrape_main).",
              name);
    expect_no_leaks_after("scrape_main", "wait for the progress printer before returning");
    cl_expect_no_pending_timers("scrape_main", EX ", scrape_main: release every context");
}

CL_TEST(scrape_main_shuts_down_gracefully_on_sigint)
{
    expect_graceful_shutdown_on(SIGINT, "SIGINT");
}
CL_END_TEST

CL_TEST(scrape_main_shuts_down_gracefully_on_sigterm)
{
    expect_graceful_shutdown_on(SIGTERM, "SIGTERM");
}
CL_END_TEST

/* ==== the learner's TESTS ================================================================== */

/* ---- the kit's fake web -------------------------------------------------------------- */

#define KIT_SITES 64
#define KIT_SLOW (10 * GOC_MILLISECOND)

struct web {
    goc_mutex lock;
    int nsites;
    struct {
        char url[64];
        web_mode mode;
    } sites[KIT_SITES];
    int fetches, in_flight, max_in_flight;
};

static goc_error kit_failure = GOC_ERROR_SENTINEL("503 service unavailable");
static _Atomic(int) kit_served[4]; /* fetches served per mode */
static cl_gate kit_abort;          /* opened when a learner test is abandoned */

static web *kit_web_new(void) { return cl_alloc(1, sizeof(web)); }

static void kit_web_add(web *w, const char *url, web_mode mode)
{
    goc_mutex_lock(&w->lock);
    if (w->nsites < KIT_SITES && url && (unsigned)mode <= WEB_HANGING) {
        snprintf(w->sites[w->nsites].url, sizeof w->sites[0].url, "%s", url);
        w->sites[w->nsites++].mode = mode;
    }
    goc_mutex_unlock(&w->lock);
}

static goc_error *kit_fetch(goc_ctx *ctx, const char *url, char **body, void *arg)
{
    web *w = arg;
    web_mode mode = WEB_OK;
    goc_mutex_lock(&w->lock);
    for (int i = 0; i < w->nsites; i++)
        if (strcmp(w->sites[i].url, url) == 0)
            mode = w->sites[i].mode;
    w->fetches++;
    if (++w->in_flight > w->max_in_flight)
        w->max_in_flight = w->in_flight;
    goc_mutex_unlock(&w->lock);
    atomic_fetch_add(&kit_served[mode], 1);

    goc_error *err = NULL;
    if (mode == WEB_FAILING) {
        err = goc_error_wrap(&kit_failure, "HTTP GET");
    } else if (mode == WEB_HANGING) {
        goc_select(goc_case_recv_discard(goc_ctx_done(ctx)),
                   goc_case_recv_discard(kit_abort.open));
        err = goc_error_wrap(goc_ctx_err(ctx) ? goc_ctx_err(ctx) : &kit_failure, "HTTP GET");
    } else if (mode == WEB_SLOW) {
        goc_chan *later = goc_after(KIT_SLOW);
        if (goc_select(goc_case_recv_discard(goc_ctx_done(ctx)), goc_case_recv_discard(later),
                       goc_case_recv_discard(kit_abort.open)) == 0)
            err = goc_error_wrap(goc_ctx_err(ctx), "HTTP GET");
        goc_chan_free(later);
    }
    if (!err) {
        *body = malloc(strlen(url) + 6);
        ck_assert_msg(*body != NULL, "grader: out of memory");
        sprintf(*body, "page %s", url);
    }
    goc_mutex_lock(&w->lock);
    w->in_flight--;
    goc_mutex_unlock(&w->lock);
    return err;
}

static fetcher kit_web_fetcher(web *w) { return (fetcher){kit_fetch, w}; }

static int kit_read(web *w, const int *field)
{
    goc_mutex_lock(&w->lock);
    int v = *field;
    goc_mutex_unlock(&w->lock);
    return v;
}
static int kit_web_fetches(web *w) { return kit_read(w, &w->fetches); }
static int kit_web_max_in_flight(web *w) { return kit_read(w, &w->max_in_flight); }
static void kit_web_free(web *w) { cl_free(w); }

/* ---- the grader's correct scraper, and two broken ones ----------------------------- */

typedef enum flaw { FLAW_NONE, FLAW_NO_BOUND, FLAW_LOSES_ERRORS } flaw;
static flaw kit_flaw;

struct ref_pool {
    goc_ctx *ctx;
    const scrape_opts *o;
    const char *const *urls;
    const fetcher *f;
    goc_chan *jobs, *done; /* done: {index, body, err, status} per URL */
    goc_waitgroup wg;
};
struct ref_outcome {
    int url;
    char *body;
    goc_error *err;
    int status;
};

static void ref_worker(void *arg)
{
    struct ref_pool *p = arg;
    goc_range(int, i, p->jobs) {
        struct ref_outcome r = {i, NULL, NULL, PROGRESS_OK};
        goc_error *err;
        if ((err = goc_ctx_err(p->ctx))) {
            r.status = PROGRESS_CANCELED;
        } else {
            goc_ctx *rctx = goc_ctx_with_timeout(p->ctx, p->o->per_request);
            err = p->f->fetch(rctx, p->urls[i], &r.body, p->f->arg);
            goc_ctx_release(rctx);
            r.status = !err ? PROGRESS_OK : goc_ctx_err(p->ctx) ? PROGRESS_CANCELED
                                                                 : PROGRESS_FAILED;
        }
        r.err = goc_error_wrap(err, "fetch %s", p->urls[i]);
        if (kit_flaw == FLAW_LOSES_ERRORS && r.err) {
            goc_error_free(r.err);
            r.err = NULL;
            r.status = PROGRESS_OK;
        }
        goc_send(p->done, &r);
    }
    goc_wg_done(&p->wg);
}

static goc_error *ref_scrape(goc_ctx *ctx, const scrape_opts *o, const char *const *urls, int n,
                             const fetcher *f, goc_sendch progress_out, scrape_result *results)
{
    struct ref_pool p = {ctx, o, urls, f, goc_chan_make(int, (size_t)n),
                         goc_chan_make(struct ref_outcome, (size_t)n), {0}};
    for (int i = 0; i < n; i++)
        goc_send(p.jobs, &i);
    goc_close(p.jobs);
    int workers = kit_flaw == FLAW_NO_BOUND ? n : o->workers < n ? o->workers : n;
    goc_wg_add(&p.wg, workers);
    for (int i = 0; i < workers; i++)
        goc_go(ref_worker, &p);
    goc_error **errs = calloc(n > 0 ? (size_t)n : 1, sizeof *errs);
    ck_assert_msg(errs != NULL, "grader: out of memory");
    bool live = true;
    for (int seq = 1; seq <= n; seq++) {
        struct ref_outcome r;
        goc_recv(p.done, &r);
        results[r.url] = (scrape_result){r.body, r.err};
        errs[r.url] = r.err;
        progress ev = {seq, r.url, r.status};
        live = live && goc_select(goc_case_send(progress_out, &ev),
                                  goc_case_recv_discard(goc_ctx_done(ctx))) == 0;
    }
    goc_wg_wait(&p.wg);
    goc_close(progress_out);
    goc_chan_free(p.jobs);
    goc_chan_free(p.done);
    goc_error *all = goc_error_join(errs, (size_t)n);
    free(errs);
    return all;
}

static const scrape_kit KIT = {ref_scrape,      kit_web_new,           kit_web_add,
                               kit_web_fetcher, kit_web_fetches,       kit_web_max_in_flight,
                               kit_web_free,    &kit_failure,          KIT_SLOW};

/* ---- running one learner test ------------------------------------------------------- */

typedef struct gt {
    t_ctx t;
    pthread_mutex_t lock;
    int failures;
    char first[600];
} gt;

static void gt_errorf(t_ctx *t, const char *fmt, ...)
{
    gt *g = t->impl;
    pthread_mutex_lock(&g->lock);
    if (g->failures++ == 0 && fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->first, sizeof g->first, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&g->lock);
}

typedef struct ltest {
    int index;
    gt g;
} ltest;

static void call_learner_test(void *arg)
{
    ltest *l = arg;
    TESTS[l->index].fn(&l->g.t, &KIT);
}

typedef enum { LT_PASSED, LT_FAILED, LT_HUNG, LT_LEAKED } lt_outcome;

/* Runs TESTS[i] on the fake clock: the test's goroutine parks on the call,
 * so virtual time moves whenever everything waits; a test still running
 * after an hour of virtual time is abandoned.  *why says what went wrong. */
static lt_outcome run_learner_test(int i, char *why, size_t whysz)
{
    ltest *l = cl_alloc(1, sizeof *l);
    l->index = i;
    l->g.t = (t_ctx){gt_errorf, &l->g};
    pthread_mutex_init(&l->g.lock, NULL);
    int64_t since = goc_last_id();
    cl_call c;
    cl_spawn_call(&c, call_learner_test, l);
    goc_chan *bound = goc_after(GOC_HOUR);
    goc_select(goc_case_recv_discard(c.done.open), goc_case_recv_discard(bound));
    goc_chan_free(bound);
    if (!cl_call_returned(&c)) {
        static char dump[1500];
        cl_dump(dump, sizeof dump);
        cl_gate_open(&kit_abort);
        snprintf(why, whysz, "it was still running after an hour of (virtual) time. Where each goroutine waits:\n%s",
                 dump);
        return LT_HUNG;
    }
    char report[2048] = "";
    FILE *f = fmemopen(report, sizeof report - 1, "w");
    cl__grader_wait cl__gw_;
    cl__grader_wait_begin(&cl__gw_);
    int leaked = goc_leak_check(since, CL_SETTLE_SECONDS * GOC_SECOND, f);
    cl__grader_wait_end(&cl__gw_);
    if (f)
        fclose(f);
    pthread_mutex_destroy(&l->g.lock);
    if (l->g.failures) {
        snprintf(why, whysz, "%s%s", l->g.first,
                 l->g.failures > 1 ? " (and more failures after it)" : "");
        cl_free(l);
        return LT_FAILED;
    }
    cl_free(l);
    if (leaked) {
        snprintf(why, whysz, "it left %d goroutine%s blocked:\n%.1500s", leaked,
                 leaked == 1 ? "" : "s", report);
        return LT_LEAKED;
    }
    return LT_PASSED;
}

#ifdef CL__UNDER_TSAN
#define TEST_RUNS 5
#else
#define TEST_RUNS 20
#endif

static void expect_some_tests(void)
{
    cl_expect(NTESTS >= 4, "at least 4 tests in TESTS",
              "one test per promise of scrape: the bodies, the bound, a timeout, the errors, "
              "a cancel",
              "TESTS holds %d test%s (" EX ", TESTS).", NTESTS, NTESTS == 1 ? "" : "s");
}

CL_TEST(your_tests_pass_against_a_correct_scraper)
{
    cl_fake_clock();
    cl_gate_init(&kit_abort);
    expect_some_tests();
    static const char *const HOW[] = {
        [LT_FAILED] = "a test that fails against a correct scraper depends on something "
                      "scrape does not promise (an order of events, a timing)",
        [LT_HUNG] = "bound every wait: give scrape a context with a deadline, and a hanging "
                    "URL a per_request shorter than it",
        [LT_LEAKED] = "a test owns what it starts: wait for its goroutines and free its "
                      "channels"};
    for (int run = 1; run <= TEST_RUNS; run++)
        for (int i = 0; i < NTESTS; i++) {
            char why[2048];
            lt_outcome o = run_learner_test(i, why, sizeof why);
            if (o != LT_PASSED)
                ck_abort_msg("expected: every test to pass, every time, against a correct "
                             "scraper\n"
                             "happened: test \"%s\" %s against the grader's correct scraper "
                             "(run %d of %d): %s (" EX ", TESTS)\n"
                             "revisit:  %s",
                             TESTS[i].name,
                             o == LT_FAILED ? "failed" : o == LT_HUNG ? "never returned" : "leaked",
                             run, TEST_RUNS, why, HOW[o]);
        }
}
CL_END_TEST

CL_TEST(your_tests_use_slow_failing_and_hanging_urls)
{
    cl_fake_clock();
    cl_gate_init(&kit_abort);
    for (int i = 0; i < NTESTS; i++) {
        char why[2048];
        run_learner_test(i, why, sizeof why);
    }
    static const char *const MODE[] = {"ok", "slow", "failing", "hanging"};
    for (int m = WEB_SLOW; m <= WEB_HANGING; m++)
        cl_expect(atomic_load(&kit_served[m]) > 0, "tests that fetch slow, failing and hanging URLs",
                  "k->web_add(w, url, WEB_SLOW / WEB_FAILING / WEB_HANGING) before the scrape: "
                  "a scraper is proven by the web misbehaving (lesson 16)",
                  "no test of yours fetched a %s URL (ok %d, slow %d, failing %d, hanging %d "
                  "fetches) (" EX ", TESTS).",
                  MODE[m], atomic_load(&kit_served[WEB_OK]), atomic_load(&kit_served[WEB_SLOW]),
                  atomic_load(&kit_served[WEB_FAILING]), atomic_load(&kit_served[WEB_HANGING]));
}
CL_END_TEST

/* Some test of the table must fail (or hang) against a broken scraper. */
static void expect_flaw_caught(flaw fl, const char *what, const char *revisit)
{
    cl_fake_clock();
    cl_gate_init(&kit_abort);
    kit_flaw = fl;
    int caught = 0;
    for (int i = 0; i < NTESTS && !caught; i++) {
        char why[2048];
        caught = run_learner_test(i, why, sizeof why) != LT_PASSED;
        if (caught)
            break;
    }
    kit_flaw = FLAW_NONE;
    cl_expect(caught, "a test that fails against a broken scraper", revisit,
              "every test passed against a scraper that %s (" EX ", TESTS).", what);
}

CL_TEST(your_tests_catch_a_pool_without_a_bound)
{
    expect_flaw_caught(FLAW_NO_BOUND, "starts one worker per URL, whatever `workers` says",
                       "scrape many slow URLs with few workers and check "
                       "k->web_max_in_flight(w) <= workers");
}
CL_END_TEST

CL_TEST(your_tests_catch_lost_errors)
{
    expect_flaw_caught(FLAW_LOSES_ERRORS, "drops every error (all results look fetched)",
                       "make a URL fail (WEB_FAILING) and check its result: goc_error_is(err, "
                       "k->failure) and the URL in the message");
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps(); /* in scrape and in the learner's tests alike */
    return CL_SUITE("18-capstone-scraper", scrape_fetches_every_url_and_reports_each_once,
                    scrape_runs_exactly_workers_fetches_at_once,
                    scrape_counts_every_worker_before_it_starts,
                    scrape_gives_each_fetch_a_deadline_of_per_request,
                    scrape_honours_the_callers_deadline,
                    scrape_stops_promptly_when_the_caller_cancels,
                    scrape_returns_on_cancel_while_nobody_reads_progress,
                    scrape_marks_what_a_cancel_stopped_canceled,
                    scrape_reports_progress_as_fetches_finish,
                    scrape_keeps_every_error_with_its_url, scrape_calls_do_not_share_state,
                    scrape_main_shuts_down_gracefully_on_sigint,
                    scrape_main_shuts_down_gracefully_on_sigterm,
                    your_tests_pass_against_a_correct_scraper,
                    your_tests_use_slow_failing_and_hanging_urls,
                    your_tests_catch_a_pool_without_a_bound, your_tests_catch_lost_errors);
}
