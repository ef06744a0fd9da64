/* Exercise 18 — the capstone: a concurrent scraper.
 *
 * Everything from lessons 01-16 in one program.  Fill in the parts marked
 * GRADED so that every TODO is gone:
 *   scrape        a worker pool that fetches URLs from a (fake) web, with a
 *                 timeout per request, the caller's cancel and deadline,
 *                 every error kept, and progress events on a channel;
 *   scrape_main   the program around it: Ctrl-C stops it gracefully;
 *   TESTS         your own tests of a scraper, at least 4.
 *   chanlings run     runs scrape_main over a simulated web, then your TESTS
 *   chanlings check   runs the hidden tests (on a fake web and a fake clock)
 * As shipped, scrape fetches nothing and closes progress at once,
 * scrape_main ignores Ctrl-C, and TESTS has a single test.
 *
 * To try Ctrl-C by hand, build and run it on its own from the workbook:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include exercises/18-capstone-scraper.c \
 *      build/lib/plain/libgoc.a -o scraper && ./scraper */
#include <goc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== the contract's types (the grader declares the same) ====================== */

/* Fetches url.  On success returns NULL and sets *body to a malloc'd string
 * the caller frees; on failure returns an error the caller owns and leaves
 * *body alone.  Gives up when ctx is done (then the error is ctx's). */
typedef struct fetcher {
    goc_error *(*fetch)(goc_ctx *ctx, const char *url, char **body, void *arg);
    void *arg;
} fetcher;

typedef struct scrape_opts {
    int workers;              /* how many fetches run at once */
    goc_duration per_request; /* each fetch's own time limit */
} scrape_opts;

enum { PROGRESS_OK = 1, PROGRESS_FAILED, PROGRESS_CANCELED };

/* One event per finished URL: seq counts events (1, 2, 3...), url is the
 * URL's index, status one of PROGRESS_*. */
typedef struct progress {
    int seq;
    int url;
    int status;
} progress;

typedef struct scrape_result {
    char *body;     /* the caller frees it; NULL when the fetch failed */
    goc_error *err; /* borrowed from scrape's returned error: never free it */
} scrape_result;

typedef goc_error *(*scrape_fn)(goc_ctx *ctx, const scrape_opts *o, const char *const *urls,
                                int n, const fetcher *f, goc_sendch progress_out,
                                scrape_result *results);

/* ==== scrape ===================================================================== */

/* What a worker hands back for one URL.  body and err change hands with it. */
struct outcome {
    int url;
    char *body;
    goc_error *err;
    int status;
};

/* Everything the workers of one call share.  It can live in scrape's
 * frame, as long as scrape waits for every worker before it returns. */
struct pool {
    goc_ctx *ctx;
    const scrape_opts *o;
    const char *const *urls;
    const fetcher *f;
    goc_chan *jobs;     /* URL indexes */
    goc_chan *outcomes; /* struct outcome, one per URL */
    goc_waitgroup wg;
};

/* One URL, start to end.  The outcome's status is PROGRESS_OK, or for an
 * error PROGRESS_CANCELED when the caller's ctx is done, else
 * PROGRESS_FAILED. */
static struct outcome fetch_one(struct pool *p, int i)
{
    const char *url = p->urls[i];
    struct outcome out = {i, NULL, NULL, PROGRESS_OK};
    /* TODO: if the caller's ctx is already done, fetch nothing: the error
     *       is goc_ctx_err(p->ctx) wrapped as "fetch <url>", status
     *       PROGRESS_CANCELED.
     * TODO: give the fetch its own context, a child of p->ctx with a
     *       timeout of p->o->per_request, and release it when the fetch
     *       is back.
     * TODO: wrap an error as "fetch <url>" (goc_error_wrap) and set the
     *       status. */
    out.err = p->f->fetch(p->ctx, url, &out.body, p->f->arg);
    if (out.err)
        out.status = PROGRESS_FAILED;
    return out;
}

/* A worker: URL after URL from the job queue, until it is closed and empty. */
static void worker(void *arg)
{
    struct pool *p = arg;
    /* TODO: goc_range over p->jobs; fetch_one each index and send the
     *       outcome on p->outcomes; then goc_wg_done. */
    (void)p;
    (void)fetch_one; /* silences "unused" until you call it; delete then */
}

/* Sends one progress event; false if the caller's ctx was done first. */
static bool report(goc_ctx *ctx, goc_sendch out, progress ev)
{
    /* TODO: a caller that stopped reading and cancelled must not keep
     *       scrape waiting here: select between the send and ctx's done. */
    (void)ctx;
    goc_send(out, &ev);
    return true;
}

/* GRADED: scrape
 * Fetches urls[0..n-1] with f->fetch and returns when every URL has a
 * result.
 *  - A pool: exactly min(workers, n) goroutines fetch, each URL once; a
 *    worker takes the next URL when it is free.
 *  - Each fetch gets its own context: a child of ctx with a timeout of
 *    o->per_request, released once the fetch is back.
 *  - ctx is the caller's: once it is done (cancel or deadline) the fetches
 *    in flight see it through their own context, no new fetch starts, and
 *    the URLs not fetched get goc_ctx_err(ctx) wrapped as their error.
 *  - results[i] is urls[i]'s: body (the caller frees it) or err, the
 *    fetch's error wrapped as "fetch <url>: ..." (goc_error_is still finds
 *    the cause).
 *  - Returns NULL when every URL was fetched; else goc_error_join of every
 *    URL's error, which owns them: results[i].err point into it, and the
 *    caller frees only the returned error.
 *  - progress_out gets one event per finished URL, seq 1, 2, 3... in the
 *    order sent, and is closed before scrape returns (scrape is its only
 *    sender).  Sending an event never outlives the caller's ctx: after a
 *    cancel, events may be dropped, and scrape still returns.
 *  - Every goroutine scrape started is gone when it returns; several
 *    scrapes may run at once. */
goc_error *scrape(goc_ctx *ctx, const scrape_opts *o, const char *const *urls, int n,
                  const fetcher *f, goc_sendch progress_out, scrape_result *results)
{
    /* TODO: the job queue (room for n, filled, closed) and the outcomes
     *       channel (room for n); start the workers (goc_wg_add first);
     *       receive n outcomes: store each in results, report it with the
     *       next seq; wait for the workers; close progress_out; free the
     *       channels; join the errors (goc_error_join) and return that.
     *       As shipped: nothing is fetched. */
    (void)ctx, (void)o, (void)urls, (void)n, (void)f, (void)results;
    (void)worker, (void)report;
    goc_close(progress_out);
    return NULL;
}

/* ==== scrape_main ================================================================ */

static const scrape_opts MAIN_OPTS = {.workers = 4, .per_request = 500 * GOC_MILLISECOND};

static const char *const STATUS_WORDS[] = {
    [PROGRESS_OK] = "ok", [PROGRESS_FAILED] = "failed", [PROGRESS_CANCELED] = "canceled"};

struct printer {
    goc_chan *events;
    const char *const *urls;
    int n;
    goc_chan *done; /* closed when the printer saw the close of events */
};

/* Prints each event as it comes, until scrape closes the channel.  An
 * event with a status or URL index out of range is printed as such. */
static void print_progress(void *arg)
{
    struct printer *pr = arg;
    goc_range(progress, ev, pr->events) {
        bool known = ev.status >= PROGRESS_OK && ev.status <= PROGRESS_CANCELED;
        printf("[%d/%d] %s %s\n", ev.seq, pr->n, known ? STATUS_WORDS[ev.status] : "bad-status",
               ev.url >= 0 && ev.url < pr->n ? pr->urls[ev.url] : "(bad URL index)");
    }
    goc_close(pr->done);
}

/* One line per URL, then the summary line; returns how many were fetched. */
static int print_summary(const char *const *urls, int n, const scrape_result *results,
                         bool interrupted)
{
    int fetched = 0;
    for (int i = 0; i < n; i++) {
        if (results[i].err)
            printf("error %s\n", goc_error_message(results[i].err));
        else if (results[i].body)
            printf("ok %s (%zu bytes)\n", urls[i], strlen(results[i].body));
        else
            printf("missing %s: no body and no error\n", urls[i]);
        fetched += results[i].err == NULL && results[i].body != NULL;
    }
    printf("%sfetched %d of %d\n", interrupted ? "interrupted: " : "", fetched, n);
    return fetched;
}

/* GRADED: scrape_main
 * The program: scrapes urls with f (MAIN_OPTS: 4 workers, 500 ms per
 * request), printing each progress event as it comes (print_progress)
 * and then every result (print_summary).
 *  - Ctrl-C (SIGINT) or SIGTERM while it runs cancels the scrape instead
 *    of killing the program: the fetches in flight stop, the partial
 *    results are printed, and SIGINT is given back afterwards (a second
 *    Ctrl-C kills the program again, as usual).
 *  - Returns the exit status: 130 when interrupted (128 + SIGINT, what a
 *    shell reports for a program killed by Ctrl-C), 1 when a URL failed,
 *    0 when every URL was fetched.
 *  - Frees everything: bodies, the returned error, channels, contexts. */
int scrape_main(const fetcher *f, const char *const *urls, int n)
{
    /* TODO: a context cancelled by SIGINT and SIGTERM
     *       (goc_ctx_with_signals), for the scrape. */
    goc_ctx *ctx = goc_ctx_background();
    goc_chan *events = goc_chan_make(progress, 0);
    struct printer pr = {events, urls, n, goc_chan_make(char, 0)};
    goc_go(print_progress, &pr);

    scrape_result *results = calloc(n > 0 ? (size_t)n : 1, sizeof *results);
    if (!results)
        goc_panic("scrape_main: out of memory");
    goc_error *err = scrape(ctx, &MAIN_OPTS, urls, n, f, goc_send_only(events), results);
    goc_recv_discard(pr.done); /* the printer has finished with events */

    /* TODO: interrupted = whether the signal context was cancelled; then
     *       release it, so SIGINT is given back. */
    bool interrupted = false;
    /* TODO: 130 when interrupted, 1 when something failed, else 0.  Decide
     *       it here: once goc_error_free(err) below has run, err may not
     *       even be looked at (a freed pointer's value is indeterminate). */
    int status = 0;
    print_summary(urls, n, results, interrupted);

    for (int i = 0; i < n; i++)
        free(results[i].body);
    free(results);
    goc_error_free(err); /* and with it every results[i].err */
    goc_chan_free(events);
    goc_chan_free(pr.done);
    return status;
}

/* ==== tests: the harness (lesson 16's shape) ===================================== */

/* A fake web: what a test scrapes.  URLs it was not told about are ok. */
typedef enum web_mode { WEB_OK, WEB_SLOW, WEB_FAILING, WEB_HANGING } web_mode;
typedef struct web web;

/* What a test gets: the scraper under test and a fake web to point it at.
 * `chanlings run` passes your scrape and the simulated web below; the
 * grader passes a correct scraper of its own and its web, on a fake clock. */
typedef struct scrape_kit {
    scrape_fn scrape;
    web *(*web_new)(void);
    void (*web_add)(web *w, const char *url, web_mode mode);
    fetcher (*web_fetcher)(web *w);   /* arg is w */
    int (*web_fetches)(web *w);       /* fetches started so far */
    int (*web_max_in_flight)(web *w); /* the most fetches at once so far */
    void (*web_free)(web *w);         /* after the scrape returned */
    const goc_error *failure;         /* a failing URL's error wraps this */
    goc_duration slow;                /* how long a slow URL takes */
} scrape_kit;
/* An ok or slow URL's body is "page <url>"; a failing one returns an error
 * that wraps kit->failure; a hanging one waits until its ctx is done and
 * returns goc_ctx_err(ctx) wrapped; a slow one also stops at ctx done. */

typedef struct t_ctx {
    void (*errorf)(struct t_ctx *t, const char *fmt, ...); /* marks the test failed */
    void *impl;
} t_ctx;
typedef void (*test_fn)(t_ctx *t, const scrape_kit *k);
struct test_case {
    const char *name;
    test_fn fn;
};

/* ==== tests: your table ========================================================== */

/* Your tests run twice: `chanlings run` passes your scrape and the
 * simulated web below (real time), the grader passes a correct scraper of
 * its own and its fake web (on a fake clock, where waiting costs nothing).
 * They must pass every time against a correct scraper, fetch slow,
 * failing and hanging URLs, and fail against a broken one: a pool without
 * a bound, or one that loses errors.  Never sleep; report with t->errorf. */

/* One scrape (of at most 16 URLs) with a progress channel that has room
 * for every event, so the test can read them after scrape returned:
 * nothing to run beside it. */
typedef struct run {
    scrape_result results[16];
    progress events[17];
    int nevents;
    goc_error *err;
} run;

static void run_scrape(const scrape_kit *k, web *w, goc_ctx *ctx, scrape_opts o,
                       const char *const *urls, int n, run *r)
{
    memset(r, 0, sizeof *r);
    if (n > 16)
        goc_panic("run_scrape: %d URLs, but struct run holds 16", n);
    fetcher f = k->web_fetcher(w);
    goc_chan *events = goc_chan_make(progress, (size_t)n);
    r->err = k->scrape(ctx, &o, urls, n, &f, goc_send_only(events), r->results);
    goc_range(progress, ev, events) {
        if (r->nevents < n + 1)
            r->events[r->nevents] = ev;
        r->nevents++;
    }
    goc_chan_free(events);
}

static void run_free(run *r, int n)
{
    for (int i = 0; i < n; i++)
        free(r->results[i].body);
    goc_error_free(r->err); /* the results' errors with it */
}

static void expect_events_1_to_n(t_ctx *t, const run *r, int n)
{
    if (r->nevents != n) {
        t->errorf(t, "%d progress events for %d URLs", r->nevents, n);
        return;
    }
    bool seen[16] = {0};
    for (int i = 0; i < n; i++) {
        const progress *ev = &r->events[i];
        if (ev->seq != i + 1)
            t->errorf(t, "event %d has seq %d", i + 1, ev->seq);
        if (ev->url < 0 || ev->url >= n || seen[ev->url])
            t->errorf(t, "event %d names URL %d twice or out of range", i + 1, ev->url);
        else
            seen[ev->url] = true;
    }
}

static void test_every_url_once_with_its_body(t_ctx *t, const scrape_kit *k)
{
    static const char *const urls[] = {"a", "b", "c", "d", "e", "f"};
    web *w = k->web_new();
    k->web_add(w, "b", WEB_SLOW);
    k->web_add(w, "e", WEB_SLOW);
    run r;
    run_scrape(k, w, goc_ctx_background(), (scrape_opts){3, GOC_SECOND}, urls, 6, &r);
    if (r.err)
        t->errorf(t, "scrape returned \"%s\" with every URL working", goc_error_message(r.err));
    for (int i = 0; i < 6; i++) {
        char want[32];
        snprintf(want, sizeof want, "page %s", urls[i]);
        if (!r.results[i].body || strcmp(r.results[i].body, want) != 0)
            t->errorf(t, "results[%d].body is \"%s\", want \"%s\"", i,
                      r.results[i].body ? r.results[i].body : "(null)", want);
    }
    if (k->web_fetches(w) != 6)
        t->errorf(t, "%d fetches for 6 URLs", k->web_fetches(w));
    expect_events_1_to_n(t, &r, 6);
    run_free(&r, 6);
    k->web_free(w);
}

/* GRADED: TESTS
 * At least 4 tests.  TODO: add yours: the bound (k->web_max_in_flight),
 * a hanging URL and per_request, failing URLs and the errors, the
 * caller's deadline or cancel... */
const struct test_case TESTS[] = {
    {"every URL once, with its body", test_every_url_once_with_its_body},
};
const int NTESTS = sizeof TESTS / sizeof TESTS[0];

/* ==== the simulated web (for chanlings run) ===================================== */

#define SIM_SITES 32
#define SIM_SLOW (10 * GOC_MILLISECOND)

struct web {
    goc_mutex lock; /* guards the counters; sites are written before any fetch */
    int nsites;
    struct {
        const char *url;
        web_mode mode;
    } sites[SIM_SITES];
    int fetches, in_flight, max_in_flight;
};

static goc_error sim_server_error = GOC_ERROR_SENTINEL("500 internal server error");

static web *sim_new(void)
{
    web *w = calloc(1, sizeof *w);
    if (!w)
        goc_panic("sim_new: out of memory");
    return w;
}

static void sim_add(web *w, const char *url, web_mode mode)
{
    if (w->nsites < SIM_SITES)
        w->sites[w->nsites++].url = url, w->sites[w->nsites - 1].mode = mode;
}

static web_mode sim_mode(web *w, const char *url)
{
    for (int i = 0; i < w->nsites; i++)
        if (strcmp(w->sites[i].url, url) == 0)
            return w->sites[i].mode;
    return WEB_OK;
}

static void sim_count(web *w, int delta)
{
    goc_mutex_lock(&w->lock);
    if (delta > 0) {
        w->fetches++;
        if (++w->in_flight > w->max_in_flight)
            w->max_in_flight = w->in_flight;
    } else {
        w->in_flight--;
    }
    goc_mutex_unlock(&w->lock);
}

static goc_error *sim_fetch(goc_ctx *ctx, const char *url, char **body, void *arg)
{
    web *w = arg;
    web_mode mode = sim_mode(w, url);
    sim_count(w, +1);
    goc_error *err = NULL;
    if (mode == WEB_FAILING) {
        err = goc_error_wrap(&sim_server_error, "GET");
    } else if (mode == WEB_HANGING) {
        goc_recv_discard(goc_ctx_done(ctx)); /* only a done context ends it */
        err = goc_error_wrap(goc_ctx_err(ctx), "GET");
    } else if (mode == WEB_SLOW) {
        goc_chan *later = goc_after(SIM_SLOW);
        if (goc_select(goc_case_recv_discard(goc_ctx_done(ctx)),
                       goc_case_recv_discard(later)) == 0)
            err = goc_error_wrap(goc_ctx_err(ctx), "GET");
        goc_chan_free(later);
    }
    if (!err) {
        *body = malloc(strlen(url) + 6);
        if (!*body)
            goc_panic("sim_fetch: out of memory");
        sprintf(*body, "page %s", url);
    }
    sim_count(w, -1);
    return err;
}

static fetcher sim_fetcher(web *w) { return (fetcher){sim_fetch, w}; }

static int sim_fetches(web *w)
{
    goc_mutex_lock(&w->lock);
    int n = w->fetches;
    goc_mutex_unlock(&w->lock);
    return n;
}

static int sim_max_in_flight(web *w)
{
    goc_mutex_lock(&w->lock);
    int n = w->max_in_flight;
    goc_mutex_unlock(&w->lock);
    return n;
}

static void sim_free(web *w) { free(w); }

/* ==== the demo =================================================================== */

struct demo_t {
    t_ctx t;
    int failures;
};

static void demo_errorf(t_ctx *t, const char *fmt, ...)
{
    struct demo_t *d = (struct demo_t *)t;
    va_list ap;
    va_start(ap, fmt);
    printf("    ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    d->failures++;
}

int main(void)
{
    static const char *const urls[] = {"example.org/",     "example.org/slow",
                                       "example.org/500",  "example.org/hang",
                                       "example.org/about", "example.org/news"};
    web *w = sim_new();
    sim_add(w, urls[1], WEB_SLOW);
    sim_add(w, urls[2], WEB_FAILING);
    sim_add(w, urls[3], WEB_HANGING);
    fetcher f = sim_fetcher(w);
    int status = scrape_main(&f, urls, 6);
    printf("scrape_main returned %d; at most %d fetches at once\n\n", status,
           sim_max_in_flight(w));
    sim_free(w);

    const scrape_kit kit = {scrape,  sim_new,     sim_add,           sim_fetcher,
                            sim_fetches, sim_max_in_flight, sim_free, &sim_server_error,
                            SIM_SLOW};
    int passed = 0;
    for (int i = 0; i < NTESTS; i++) {
        struct demo_t d = {{demo_errorf, NULL}, 0};
        TESTS[i].fn(&d.t, &kit); /* its failures print first, indented */
        printf("%s %s\n", d.failures ? "FAIL" : "ok  ", TESTS[i].name);
        passed += d.failures == 0;
    }
    printf("%d of %d tests passed\n", passed, NTESTS);
    return 0;
}
