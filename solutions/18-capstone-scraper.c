/* Exercise 18 — capstone: a concurrent scraper.  The reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include solutions/18-capstone-scraper.c \
 *      build/lib/plain/libgoc.a && ./a.out */
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

/* Everything the workers of one call share; it lives in scrape's frame,
 * which outlives them because scrape waits for them. */
struct pool {
    goc_ctx *ctx;
    const scrape_opts *o;
    const char *const *urls;
    const fetcher *f;
    goc_chan *jobs;     /* URL indexes: filled and closed before any worker starts */
    goc_chan *outcomes; /* room for every outcome: a worker never waits to report */
    goc_waitgroup wg;
};

static struct outcome fetch_one(struct pool *p, int i)
{
    const char *url = p->urls[i];
    struct outcome out = {i, NULL, NULL, PROGRESS_OK};
    /* Cancelled: start no new fetch.  The URL still gets a result, so the
     * caller can tell "never tried" from "fetched". */
    if (goc_ctx_err(p->ctx)) {
        out.err = goc_error_wrap(goc_ctx_err(p->ctx), "fetch %s", url);
        out.status = PROGRESS_CANCELED;
        return out;
    }
    /* The fetch's own context: a child of the caller's, so a cancel or an
     * earlier deadline of the caller reaches it, with a timeout of its own.
     * Released as soon as the fetch is back (Go's defer cancel()): its
     * timer must not outlive it. */
    goc_ctx *rctx = goc_ctx_with_timeout(p->ctx, p->o->per_request);
    goc_error *err = p->f->fetch(rctx, url, &out.body, p->f->arg);
    goc_ctx_release(rctx);
    if (err) {
        /* Wrap, do not replace: the cause stays testable, the URL is added. */
        out.err = goc_error_wrap(err, "fetch %s", url);
        out.status = goc_ctx_err(p->ctx) ? PROGRESS_CANCELED : PROGRESS_FAILED;
    }
    return out;
}

static void worker(void *arg)
{
    struct pool *p = arg;
    goc_range(int, i, p->jobs) {
        struct outcome out = fetch_one(p, i);
        goc_send(p->outcomes, &out); /* never blocks: there is room for all */
    }
    goc_wg_done(&p->wg);
}

/* A progress event, unless the caller's context is done first: a caller
 * that stopped reading and cancelled must not keep scrape waiting. */
static bool report(goc_ctx *ctx, goc_sendch out, progress ev)
{
    return goc_select(goc_case_send(out, &ev), goc_case_recv_discard(goc_ctx_done(ctx))) == 0;
}

/* GRADED: scrape */
goc_error *scrape(goc_ctx *ctx, const scrape_opts *o, const char *const *urls, int n,
                  const fetcher *f, goc_sendch progress_out, scrape_result *results)
{
    struct pool p = {.ctx = ctx, .o = o, .urls = urls, .f = f};
    /* The whole queue up front, then closed: the workers' range ends when
     * it is empty, and nobody has to feed it. */
    p.jobs = goc_chan_make(int, (size_t)n);
    p.outcomes = goc_chan_make(struct outcome, (size_t)n);
    for (int i = 0; i < n; i++)
        goc_send(p.jobs, &i);
    goc_close(p.jobs);

    /* A fixed pool: `workers` goroutines, whatever n is. */
    int workers = o->workers < n ? o->workers : n;
    goc_wg_add(&p.wg, workers); /* before the goroutines start */
    for (int w = 0; w < workers; w++)
        goc_go(worker, &p);

    /* This goroutine is the only sender on progress_out, so it alone may
     * close it; it also numbers the events, in the order it sends them. */
    goc_error **errs = calloc(n > 0 ? (size_t)n : 1, sizeof *errs);
    if (!errs)
        goc_panic("scrape: out of memory");
    bool reporting = true;
    for (int seq = 1; seq <= n; seq++) {
        struct outcome out;
        goc_recv(p.outcomes, &out);
        results[out.url] = (scrape_result){out.body, out.err};
        errs[out.url] = out.err;
        if (reporting)
            reporting = report(ctx, progress_out, (progress){seq, out.url, out.status});
    }
    goc_wg_wait(&p.wg); /* every worker gone before their channels are freed */
    goc_close(progress_out);
    goc_chan_free(p.jobs);
    goc_chan_free(p.outcomes);

    /* One error naming every failure.  The join owns them; results[i].err
     * keep pointing into it, valid until the caller frees what we return. */
    goc_error *all = goc_error_join(errs, (size_t)n);
    free(errs);
    return all;
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

/* GRADED: scrape_main */
int scrape_main(const fetcher *f, const char *const *urls, int n)
{
    /* Ctrl-C (SIGINT) or SIGTERM cancels ctx instead of killing the
     * program: the fetches in flight see done, scrape returns what it has. */
    goc_ctx *ctx = goc_ctx_with_signals(goc_ctx_background(), SIGINT, SIGTERM);
    goc_chan *events = goc_chan_make(progress, 0);
    struct printer pr = {events, urls, n, goc_chan_make(char, 0)};
    goc_go(print_progress, &pr);

    scrape_result *results = calloc(n > 0 ? (size_t)n : 1, sizeof *results);
    if (!results)
        goc_panic("scrape_main: out of memory");
    goc_error *err = scrape(ctx, &MAIN_OPTS, urls, n, f, goc_send_only(events), results);
    goc_recv_discard(pr.done); /* the printer has finished with events */

    bool interrupted = goc_ctx_err(ctx) != NULL;
    /* Go's stop(): SIGINT kills again, so a second Ctrl-C is never lost. */
    goc_ctx_release(ctx);
    /* Decided before err is freed: a freed pointer may not even be read. */
    int status = interrupted ? 130 : err ? 1 : 0;
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

static void test_no_more_than_workers_at_once(t_ctx *t, const scrape_kit *k)
{
    static const char *const urls[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
    web *w = k->web_new();
    for (int i = 0; i < 10; i++)
        k->web_add(w, urls[i], WEB_SLOW);
    run r;
    run_scrape(k, w, goc_ctx_background(), (scrape_opts){3, GOC_SECOND}, urls, 10, &r);
    int most = k->web_max_in_flight(w);
    if (most > 3 || most < 1)
        t->errorf(t, "%d fetches at once with 3 workers", most);
    run_free(&r, 10);
    k->web_free(w);
}

static void test_hanging_url_times_out_alone(t_ctx *t, const scrape_kit *k)
{
    static const char *const urls[] = {"fast", "stuck", "also-fast"};
    web *w = k->web_new();
    k->web_add(w, "stuck", WEB_HANGING);
    run r;
    run_scrape(k, w, goc_ctx_background(), (scrape_opts){2, 20 * GOC_MILLISECOND}, urls, 3, &r);
    if (!goc_error_is(r.results[1].err, goc_deadline_exceeded))
        t->errorf(t, "the hanging URL's error is \"%s\", want a deadline exceeded",
                  goc_error_message(r.results[1].err));
    if (r.results[0].err || r.results[2].err)
        t->errorf(t, "a working URL failed beside a hanging one");
    if (!r.err || !strstr(goc_error_message(r.err), "stuck"))
        t->errorf(t, "the returned error \"%s\" does not name \"stuck\"",
                  goc_error_message(r.err));
    expect_events_1_to_n(t, &r, 3);
    if (r.nevents == 3)
        for (int i = 0; i < 3; i++)
            if (r.events[i].url == 1 && r.events[i].status != PROGRESS_FAILED)
                t->errorf(t, "the timed-out URL's event has status %d", r.events[i].status);
    run_free(&r, 3);
    k->web_free(w);
}

static void test_every_failure_is_kept(t_ctx *t, const scrape_kit *k)
{
    static const char *const urls[] = {"x", "bad1", "y", "bad2"};
    web *w = k->web_new();
    k->web_add(w, "bad1", WEB_FAILING);
    k->web_add(w, "bad2", WEB_FAILING);
    run r;
    run_scrape(k, w, goc_ctx_background(), (scrape_opts){2, GOC_SECOND}, urls, 4, &r);
    for (int i = 1; i < 4; i += 2)
        if (!goc_error_is(r.results[i].err, k->failure) || r.results[i].body)
            t->errorf(t, "results[%d] should hold the failure, got \"%s\"", i,
                      goc_error_message(r.results[i].err));
    const char *msg = goc_error_message(r.err);
    if (!goc_error_is(r.err, k->failure) || !strstr(msg, "bad1") || !strstr(msg, "bad2"))
        t->errorf(t, "the returned error \"%s\" should name bad1 and bad2", msg);
    run_free(&r, 4);
    k->web_free(w);
}

static void test_callers_deadline_stops_everything(t_ctx *t, const scrape_kit *k)
{
    static const char *const urls[] = {"h1", "h2", "h3", "h4", "h5"};
    web *w = k->web_new();
    for (int i = 0; i < 5; i++)
        k->web_add(w, urls[i], WEB_HANGING);
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), 30 * GOC_MILLISECOND);
    run r;
    run_scrape(k, w, ctx, (scrape_opts){2, GOC_HOUR}, urls, 5, &r);
    if (k->web_fetches(w) != 2)
        t->errorf(t, "%d fetches started; after the deadline none should start", k->web_fetches(w));
    for (int i = 0; i < 5; i++)
        if (!goc_error_is(r.results[i].err, goc_deadline_exceeded))
            t->errorf(t, "results[%d].err is \"%s\"", i, goc_error_message(r.results[i].err));
    run_free(&r, 5);
    goc_ctx_release(ctx);
    k->web_free(w);
}

/* GRADED: TESTS */
const struct test_case TESTS[] = {
    {"every URL once, with its body", test_every_url_once_with_its_body},
    {"no more than `workers` fetches at once", test_no_more_than_workers_at_once},
    {"a hanging URL times out alone", test_hanging_url_times_out_alone},
    {"every failure is kept and named", test_every_failure_is_kept},
    {"the caller's deadline stops everything", test_callers_deadline_stops_everything},
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
