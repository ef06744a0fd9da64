/* Exercise 13 — worker pools: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include solutions/13-worker-pools.c \
 *      build/lib/plain/libgoc.a && ./a.out */
#include <goc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The work of one job; called by a worker, never by the submitter. */
typedef void (*job_fn)(int job, void *ctx);

/* ---- the pool ------------------------------------------------------------- */

typedef struct pool {
    goc_chan *jobs;         /* of int, capacity `queue`: the one queue every worker reads */
    goc_waitgroup workers;  /* the workers that have not exited yet */
    goc_mutex mu;           /* guards `closed` and orders every send before the close */
    bool closed;            /* set once by pool_shutdown, under mu */
    job_fn fn;
    void *ctx;
} pool;

/* A worker takes the next job from the shared queue, whoever submitted it,
 * so a slow job holds up only the worker running it: the others keep
 * taking jobs.  goc_range ends when the queue is closed *and drained*, which
 * is what makes shutdown graceful: queued jobs still run. */
static void worker_main(void *arg)
{
    pool *p = arg;
    goc_range(int, job, p->jobs)
        p->fn(job, p->ctx);
}

/* GRADED: pool_start */
pool *pool_start(int workers, int queue, job_fn fn, void *ctx)
{
    /* calloc, not malloc: the mutex and the WaitGroup must start zeroed
     * (libgoc tells garbage apart from a copied lock and stops on it). */
    pool *p = calloc(1, sizeof *p);
    if (!p)
        goc_panic("pool_start: out of memory");
    p->jobs = goc_chan_make(int, queue);
    p->fn = fn;
    p->ctx = ctx;
    /* The workers start once, here; pool_submit only sends.  goc_wg_go is
     * Go 1.25's wg.Go: Add(1) before the goroutine starts, Done when it
     * returns. */
    for (int i = 0; i < workers; i++)
        goc_wg_go(&p->workers, worker_main, p);
    return p;
}

/* GRADED: pool_submit */
bool pool_submit(pool *p, int job)
{
    /* The send happens under the lock, so pool_shutdown cannot close the
     * queue between our check of `closed` and our send (that would be
     * Go's "send on closed channel" panic).  A submitter blocked on a full
     * queue therefore delays shutdown until a worker makes room, which is
     * what "queued jobs still run" promises for it too. */
    goc_mutex_lock(&p->mu);
    bool accepted = !p->closed;
    if (accepted)
        goc_send(p->jobs, &job); /* blocks while the queue is full: back-pressure */
    goc_mutex_unlock(&p->mu);
    return accepted;
}

/* GRADED: pool_shutdown */
void pool_shutdown(pool *p)
{
    goc_mutex_lock(&p->mu);
    bool first = !p->closed;
    p->closed = true;
    if (first)
        goc_close(p->jobs); /* no more jobs; what is queued stays and is run */
    goc_mutex_unlock(&p->mu);
    /* Wait outside the lock: a worker never needs it, but a late submitter
     * does, to learn that it is too late. */
    goc_wg_wait(&p->workers);
}

/* GRADED: pool_free */
void pool_free(pool *p)
{
    goc_chan_free(p->jobs);
    free(p);
}

/* ---- pool_map --------------------------------------------------------------- */

struct map_job {
    const int *in;
    int *out;
    int (*f)(int, void *);
    void *ctx;
};

/* The job number is the index, so the result goes back to the slot of its
 * input, whichever worker ran it and whenever it finished.  Each index is
 * written by exactly one worker, and pool_shutdown's wait orders every
 * write before pool_map returns: no lock is needed. */
static void map_one(int i, void *arg)
{
    struct map_job *m = arg;
    m->out[i] = m->f(m->in[i], m->ctx);
}

/* GRADED: pool_map */
void pool_map(int workers, const int *in, int *out, int n, int (*f)(int, void *), void *ctx)
{
    struct map_job m = {in, out, f, ctx}; /* outlives the workers: we wait for them */
    pool *p = pool_start(workers, workers, map_one, &m);
    for (int i = 0; i < n; i++)
        pool_submit(p, i);
    pool_shutdown(p);
    pool_free(p);
}

/* ---- the demo ---------------------------------------------------------------- */

static void show_job(int job, void *ctx)
{
    _Atomic(int) *done = ctx;
    goc_sleep((job % 3) * GOC_MILLISECOND); /* uneven jobs: some take longer */
    atomic_fetch_add(done, 1);
}

static int square(int x, void *ctx)
{
    (void)ctx;
    return x * x;
}

int main(void)
{
    _Atomic(int) done = 0;
    int before = goc_num_goroutine();
    pool *p = pool_start(3, 4, show_job, &done);
    printf("workers started: %d\n", goc_num_goroutine() - before);
    int accepted = 0;
    for (int job = 0; job < 10; job++)
        accepted += pool_submit(p, job);
    pool_shutdown(p);
    printf("accepted %d jobs, ran %d\n", accepted, atomic_load(&done));
    printf("submit after shutdown: %s\n", pool_submit(p, 99) ? "accepted" : "refused");
    pool_free(p);

    int in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8] = {0};
    pool_map(3, in, out, 8, square, NULL);
    printf("squares:");
    for (int i = 0; i < 8; i++)
        printf(" %d", out[i]);
    printf("\n");
    return 0;
}
