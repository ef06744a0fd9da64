/* Exercise 13 — worker pools.
 *
 * Fill in the functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * As it stands the "pool" starts no goroutine at all: pool_submit runs
 * each job itself, in the submitter, one after another. */
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
    goc_mutex mu;           /* guards `closed` */
    bool closed;            /* set once by pool_shutdown */
    job_fn fn;
    void *ctx;
} pool;

static void worker_main(void *arg)
{
    pool *p = arg;
    /* TODO: take jobs from p->jobs until it is closed and drained
     *       (goc_range) and run p->fn(job, p->ctx) for each. */
    (void)p;
}

/* GRADED: pool_start
 * Starts exactly `workers` goroutines (workers >= 1) that take jobs from
 * one shared queue of capacity `queue` (queue >= 0) and run fn(job, ctx)
 * for each, and returns the pool at once.  No other goroutine is started
 * by the pool, ever. */
pool *pool_start(int workers, int queue, job_fn fn, void *ctx)
{
    pool *p = calloc(1, sizeof *p);
    if (!p)
        goc_panic("pool_start: out of memory");
    p->fn = fn;
    p->ctx = ctx;
    /* TODO: make the jobs channel (int, capacity `queue`) and start
     *       `workers` worker_main goroutines, each counted in p->workers
     *       here, before it starts (goc_wg_go does both). */
    (void)workers;
    (void)queue;
    (void)worker_main; /* silences "unused" until you start it; delete then */
    return p;
}

/* GRADED: pool_submit
 * Hands `job` to the pool and returns true; a worker runs it later.
 * Blocks while the queue is full.  Once pool_shutdown has begun, returns
 * false and the job is not run; it never panics, even when a submit and
 * pool_shutdown run at the same time.  Any number of goroutines may
 * submit at once. */
bool pool_submit(pool *p, int job)
{
    /* TODO: under p->mu: refuse if closed, otherwise send job on p->jobs. */
    p->fn(job, p->ctx);
    return true;
}

/* GRADED: pool_shutdown
 * Stops the pool taking jobs, lets every job already accepted run, and
 * returns when every worker has exited.  Calling it twice, even from two
 * goroutines at once, is harmless. */
void pool_shutdown(pool *p)
{
    /* TODO: under p->mu, mark the pool closed and close the jobs channel
     *       (once); then wait for the workers. */
    (void)p;
}

/* GRADED: pool_free
 * Frees everything pool_start made; called after pool_shutdown. */
void pool_free(pool *p)
{
    /* TODO: the jobs channel too. */
    free(p);
}

/* ---- pool_map --------------------------------------------------------------- */

/* GRADED: pool_map
 * Sets out[i] = f(in[i], ctx) for every i from 0 to n-1 using a pool of
 * exactly `workers` goroutines, and returns when all are done.  Several
 * pool_map calls may run at the same time. */
void pool_map(int workers, const int *in, int *out, int n, int (*f)(int, void *), void *ctx)
{
    /* TODO: a pool whose job number is the index i; the job writes
     *       out[i] (pass in, out, f and ctx to it through the pool's ctx). */
    (void)workers;
    for (int i = 0; i < n; i++)
        out[i] = f(in[i], ctx);
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
