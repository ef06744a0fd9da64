/* Exercise 15 — errors in concurrent code.
 *
 * Fill in the functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * As shipped, run_collect runs the tasks one after another and drops
 * their errors, fetch_all has no limit and no cancellation, and summarize
 * reports nothing. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* One task of run_collect: NULL for success or an error the caller owns. */
typedef goc_error *(*task_fn)(int i, void *ctx);
/* One fetch of fetch_all: NULL or an owned error; watches ctx. */
typedef goc_error *(*fetch_fn)(goc_ctx *ctx, const char *url, void *arg);

/* ---- run_collect ------------------------------------------------------------- */

/* What each task reports: which task, and how it went. */
struct outcome {
    int index;
    goc_error *err; /* owned by whoever holds the outcome */
};

struct collect_job {
    int index;
    task_fn task;
    void *ctx;
    goc_chan *outcomes;
};

static void collect_main(void *arg)
{
    struct collect_job j = *(struct collect_job *)arg;
    free(arg);
    /* Wrap here, where the index is known: the cause stays reachable
     * (goc_error_is), the message says which task. */
    /* TODO: wrap the task's error as "task <i>: ..." (goc_error_wrap). */
    goc_error *err = j.task(j.index, j.ctx);
    goc_send(j.outcomes, &(struct outcome){j.index, err}); /* hands err on */
}

/* GRADED: run_collect
 * Runs task(i, ctx) for every i from 0 to n-1, all at the same time, each
 * in its own goroutine, and returns when all are done with the number
 * that failed.  errs[i] gets task i's error wrapped as "task <i>: <error>"
 * (goc_error_is still finds the cause), or NULL; the caller owns them.
 * Several calls may run at once. */
int run_collect(int n, task_fn task, void *ctx, goc_error **errs)
{
    /* TODO: a channel of struct outcome with room for n; one collect_main
     *       goroutine per task (a malloc'd struct collect_job each); then
     *       receive n outcomes and put each error in errs[o.index]
     *       (NULL too: every slot is written).
     *       As shipped: one after another, and every error is dropped. */
    (void)collect_main; /* silences "unused" until you start it; delete then */
    for (int i = 0; i < n; i++) {
        goc_error_free(task(i, ctx));
        errs[i] = NULL;
    }
    return 0;
}

/* ---- fetch_all ------------------------------------------------------------------ */

struct fetch_job {
    goc_ctx *ctx; /* the group's: cancelled at the first failure */
    const char *url;
    fetch_fn fetch;
    void *arg;
};

static goc_error *fetch_one(void *p)
{
    struct fetch_job *j = p;
    /* The group takes the returned error: it keeps the first and frees
     * the others.  Wrapping keeps the cause and adds the URL. */
    /* TODO: wrap the error as "fetch <url>: ..." */
    return j->fetch(j->ctx, j->url, j->arg);
}

/* GRADED: fetch_all
 * Runs fetch(ctx, urls[i], arg) for every URL in an errgroup with at most
 * `limit` fetches at once.  The first failure cancels the ctx every other
 * fetch was given, and is returned wrapped as "fetch <url>: <error>".
 * The group owns that error: fetch_all stores the group in *group, and
 * the caller reads the error, then calls goc_errgroup_free(*group).
 * Returns NULL (and still stores the group) when every fetch succeeded. */
goc_error *fetch_all(goc_ctx *parent, const char *const *urls, int n, int limit, fetch_fn fetch,
                     void *arg, goc_errgroup **group)
{
    /* TODO: goc_errgroup_with_context(parent, &ctx), so the first failure
     *       cancels the others, and goc_errgroup_set_limit(g, limit). */
    (void)limit;
    goc_ctx *ctx = parent;
    goc_errgroup *g = goc_errgroup_new();
    struct fetch_job *jobs = malloc((size_t)n * sizeof *jobs);
    if (!jobs)
        goc_panic("fetch_all: out of memory");
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct fetch_job){ctx, urls[i], fetch, arg};
        goc_errgroup_go(g, fetch_one, &jobs[i]); /* waits for a free slot */
    }
    goc_error *first = goc_errgroup_wait(g);
    free(jobs); /* every fetch has returned: nobody reads them any more */
    *group = g; /* the first error lives until the caller frees the group */
    return first;
}

/* ---- summarize ----------------------------------------------------------------- */

/* GRADED: summarize
 * NULL if every errs[i] is NULL.  Otherwise one error whose message
 * starts "<k> of <n> tasks failed: " followed by the failures, for which
 * goc_error_is finds every cause; it takes the errors over (errs[i] are
 * all NULL afterwards) and the caller frees only the result. */
goc_error *summarize(goc_error **errs, int n)
{
    /* TODO: count the failures; goc_error_join(errs, n) takes them over;
     *       wrap the join with the count; clear the slots. */
    (void)errs;
    (void)n;
    return NULL;
}

/* ---- the demo ------------------------------------------------------------------ */

static goc_error err_disk_full = GOC_ERROR_SENTINEL("disk full");
static goc_error err_timeout = GOC_ERROR_SENTINEL("timed out");

static goc_error *flaky(int i, void *ctx)
{
    (void)ctx;
    if (i == 1)
        return goc_error_wrap(&err_disk_full, "writing part %d", i);
    if (i == 4)
        return goc_error_wrap(&err_timeout, "uploading");
    return NULL;
}

static goc_error *fake_fetch(goc_ctx *ctx, const char *url, void *arg)
{
    (void)arg;
    if (url[0] == 'b')
        return goc_error_new("404 not found");
    /* A slow fetch: done when cancelled (or after a while). */
    goc_chan *timer = goc_after(50 * GOC_MILLISECOND);
    goc_select(goc_case_recv_discard(goc_ctx_done(ctx)), goc_case_recv_discard(timer));
    goc_chan_free(timer);
    return goc_error_wrap(goc_ctx_err(ctx), "slow");
}

int main(void)
{
    goc_error *errs[6] = {0};
    int failed = run_collect(6, flaky, NULL, errs);
    printf("%d failed\n", failed);
    for (int i = 0; i < 6; i++)
        if (errs[i])
            printf("  %s\n", goc_error_message(errs[i]));
    goc_error *sum = summarize(errs, 6);
    printf("%s\n", goc_error_message(sum));
    printf("is disk full: %s, is timeout: %s\n", goc_error_is(sum, &err_disk_full) ? "yes" : "no",
           goc_error_is(sum, &err_timeout) ? "yes" : "no");
    goc_error_free(sum);

    static const char *const urls[] = {"a.example", "b.example", "c.example"};
    goc_errgroup *g;
    goc_error *err = fetch_all(goc_ctx_background(), urls, 3, 2, fake_fetch, NULL, &g);
    printf("fetch_all: %s\n", goc_error_message(err));
    goc_errgroup_free(g); /* frees err too: the group owns it */
    return 0;
}
