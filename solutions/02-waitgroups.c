/* Exercise 02 — WaitGroups: the reference solution. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* The work one goroutine does, given its index and the caller's context. */
typedef void (*work_fn)(int index, void *ctx);

/* Fetches item `index`: returns 0 and stores the value in *out, or
 * returns non-zero when the item cannot be fetched. */
typedef int (*fetch_fn)(int index, void *ctx, int *out);

struct worker {
    int index;
    work_fn work;
    void *ctx;
    goc_waitgroup *wg; /* a pointer: a copy would count on its own */
};

static void worker_main(void *arg)
{
    struct worker *w = arg;
    w->work(w->index, w->ctx);
    goc_wg_done(w->wg);
    free(w); /* ours alone: nobody else holds this worker */
}

/* GRADED: start_workers
 * Starts n goroutines, the i-th running work(i, ctx), and counts every one
 * of them in *wg before it starts, so that a goc_wg_wait(wg) made right
 * after start_workers returns waits for all of them.  Does not wait itself.
 * Each goroutine calls goc_wg_done(wg) exactly once, after work returns. */
void start_workers(goc_waitgroup *wg, int n, work_fn work, void *ctx)
{
    for (int i = 0; i < n; i++) {
        struct worker *w = malloc(sizeof *w);
        if (!w)
            goc_panic("start_workers: no memory for worker %d", i);
        *w = (struct worker){.index = i, .work = work, .ctx = ctx, .wg = wg};
        /* Before goc_go, never inside the goroutine: the goroutine may not
         * have run at all by the time somebody calls wait. */
        goc_wg_add(wg, 1);
        goc_go(worker_main, w);
    }
}

/* GRADED: run_all
 * Runs work(i, ctx) for every i from 0 to n-1, all at the same time, and
 * returns once every call has returned.  May be called any number of
 * times. */
void run_all(int n, work_fn work, void *ctx)
{
    goc_waitgroup wg = {0};
    start_workers(&wg, n, work, ctx);
    goc_wg_wait(&wg);
}

struct fetcher {
    int index;
    fetch_fn fetch;
    void *ctx;
    int *results;
    goc_waitgroup *wg;
};

static void fetcher_main(void *arg)
{
    struct fetcher *f = arg;
    int value;
    if (f->fetch(f->index, f->ctx, &value) != 0) {
        f->results[f->index] = -1;
        /* C has no defer: every way out of the goroutine says done. */
        goc_wg_done(f->wg);
        return;
    }
    f->results[f->index] = value;
    goc_wg_done(f->wg);
}

/* GRADED: fetch_all
 * Calls fetch(i, ctx, &value) for every i from 0 to n-1, each in its own
 * goroutine, all at the same time.  When fetch returns 0, results[i] =
 * value (fetched values are never negative); otherwise results[i] = -1.
 * Returns, once every goroutine is done,
 * how many fetches succeeded. */
int fetch_all(int n, fetch_fn fetch, void *ctx, int results[])
{
    if (n <= 0)
        return 0;
    struct fetcher *fs = malloc(sizeof *fs * (size_t)n);
    if (!fs)
        goc_panic("fetch_all: no memory for %d fetchers", n);
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, n);
    for (int i = 0; i < n; i++) {
        fs[i] = (struct fetcher){i, fetch, ctx, results, &wg};
        goc_go(fetcher_main, &fs[i]);
    }
    goc_wg_wait(&wg);
    free(fs);
    /* Counting after the wait needs no lock: every goroutine has written
     * its own slot and is done with it. */
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += results[i] != -1;
    return ok;
}

/* ---- walk: an unknown number of goroutines ------------------------------- */

/* A tree: each node has a value and any number of children. */
typedef struct node {
    int value;
    int nchildren;
    struct node **children;
} node;

/* What walk does at each node. */
typedef void (*visit_fn)(const node *n, void *ctx);

/* Everything one walking goroutine needs. */
struct visit {
    const node *n;
    visit_fn visit;
    void *ctx;
    goc_waitgroup *wg;
};

static void visit_main(void *arg)
{
    struct visit v = *(struct visit *)arg;
    free(arg);
    for (int i = 0; i < v.n->nchildren; i++) {
        struct visit *child = malloc(sizeof *child);
        if (!child)
            goc_panic("walk: no memory");
        *child = (struct visit){v.n->children[i], v.visit, v.ctx, v.wg};
        /* Counted here, by the parent, before goc_go and before the
         * parent's own Done below: the count cannot reach zero while a
         * child is on its way.  Inside the child it would come too late. */
        goc_wg_add(v.wg, 1);
        goc_go(visit_main, child);
    }
    v.visit(v.n, v.ctx);
    goc_wg_done(v.wg);
}

/* GRADED: walk
 * Calls visit(n, ctx) for every node of the tree under root (root
 * included; root may be NULL), each node in a goroutine of its own, and
 * returns once every visit has returned.  Nobody knows in advance how
 * many nodes there are: each goroutine starts one goroutine per child of
 * its node, counting it in the WaitGroup first. */
void walk(const node *root, visit_fn visit, void *ctx)
{
    if (!root)
        return;
    struct visit *first = malloc(sizeof *first);
    if (!first)
        goc_panic("walk: no memory");
    goc_waitgroup wg = {0};
    *first = (struct visit){root, visit, ctx, &wg};
    goc_wg_add(&wg, 1);
    goc_go(visit_main, first);
    goc_wg_wait(&wg);
}

static void shout(int index, void *ctx)
{
    printf("%s #%d\n", (const char *)ctx, index);
}

static int fetch_square(int index, void *ctx, int *out)
{
    (void)ctx;
    if (index % 3 == 2)
        return 1; /* every third item is "unavailable" */
    *out = index * index;
    return 0;
}

static void print_node(const node *n, void *ctx)
{
    (void)ctx;
    printf("visited node %d\n", n->value);
}

int main(void)
{
    run_all(3, shout, "worker");

    goc_waitgroup wg = {0};
    start_workers(&wg, 2, shout, "helper");
    goc_wg_wait(&wg);
    /* The same WaitGroup again: fine once the previous wait has returned. */
    start_workers(&wg, 2, shout, "second helper");
    goc_wg_wait(&wg);

    int results[6] = {0};
    int ok = fetch_all(6, fetch_square, NULL, results);
    printf("fetched %d of 6:", ok);
    for (int i = 0; i < 6; i++)
        printf(" %d", results[i]);
    printf("\n");

    node leaves[3] = {{3, 0, NULL}, {4, 0, NULL}, {5, 0, NULL}};
    node *kids[] = {&leaves[0], &leaves[1], &leaves[2]};
    node root = {1, 3, kids};
    walk(&root, print_node, NULL);
    puts("walk: every node was visited before this line");
    return 0;
}
