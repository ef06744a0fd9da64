/* Exercise 15 — errors in concurrent code: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include solutions/15-errors.c \
 *      build/lib/plain/libgoc.a && ./a.out */
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
    goc_error *err = goc_error_wrap(j.task(j.index, j.ctx), "task %d", j.index);
    goc_send(j.outcomes, &(struct outcome){j.index, err}); /* hands err on */
}

/* GRADED: run_collect */
int run_collect(int n, task_fn task, void *ctx, goc_error **errs)
{
    /* Room for every outcome: no task ever waits to report, so even a
     * receiver that stopped early would leave no goroutine behind. */
    goc_chan *outcomes = goc_chan_make(struct outcome, (size_t)n);
    for (int i = 0; i < n; i++) {
        struct collect_job *j = malloc(sizeof *j);
        if (!j)
            goc_panic("run_collect: out of memory");
        *j = (struct collect_job){i, task, ctx, outcomes};
        goc_go(collect_main, j);
    }
    /* Exactly n receives: every outcome is taken, every error is stored
     * in its own slot (the caller owns them from here). */
    int failed = 0;
    for (int k = 0; k < n; k++) {
        struct outcome o;
        goc_recv(outcomes, &o);
        errs[o.index] = o.err;
        failed += o.err != NULL;
    }
    goc_chan_free(outcomes);
    return failed;
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
    return goc_error_wrap(j->fetch(j->ctx, j->url, j->arg), "fetch %s", j->url);
}

/* GRADED: fetch_all */
goc_error *fetch_all(goc_ctx *parent, const char *const *urls, int n, int limit, fetch_fn fetch,
                     void *arg, goc_errgroup **group)
{
    goc_ctx *ctx;
    goc_errgroup *g = goc_errgroup_with_context(parent, &ctx);
    goc_errgroup_set_limit(g, limit); /* before the first go, as in Go */
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

/* GRADED: summarize */
goc_error *summarize(goc_error **errs, int n)
{
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed += errs[i] != NULL;
    if (failed == 0)
        return NULL;
    /* goc_error_join takes every non-NULL error over, and goc_error_is
     * looks into each of them; the wrap takes the join over.  One free of
     * the result releases them all, so the slots are cleared: they no
     * longer own anything. */
    goc_error *all = goc_error_wrap(goc_error_join(errs, (size_t)n), "%d of %d tasks failed",
                                    failed, n);
    for (int i = 0; i < n; i++)
        errs[i] = NULL;
    return all;
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
