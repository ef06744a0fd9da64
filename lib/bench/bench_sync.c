/* Goroutine and sync benchmarks: spawn with a WaitGroup, a mutex-protected
 * add by 1, 2, 4 and 8 goroutines, and an atomic add for comparison. */
#include <stdatomic.h>

#include "bench.h"

static void done_at_once(void *arg) { goc_wg_done((goc_waitgroup *)arg); }

static int64_t bench_spawn(long n)
{
    goc_waitgroup wg = {0};
    int64_t start = bench_start();
    goc_wg_add(&wg, n);
    for (long i = 0; i < n; i++)
        goc_go(done_at_once, &wg);
    goc_wg_wait(&wg);
    return bench_stop(start);
}

typedef struct counter {
    goc_mutex mu;
    long value;
    atomic_long atomic_value;
} counter;

static void add_locked(bench_team *t)
{
    counter *c = t->shared;
    for (long i = 0; i < t->ops; i++) {
        goc_mutex_lock(&c->mu);
        c->value++;
        goc_mutex_unlock(&c->mu);
    }
}

static void add_atomic(bench_team *t)
{
    counter *c = t->shared;
    for (long i = 0; i < t->ops; i++)
        atomic_fetch_add_explicit(&c->atomic_value, 1, memory_order_relaxed);
}

/* Per add, whichever goroutine did it. */
static int64_t run_adds(long n, int workers, void (*work)(bench_team *))
{
    counter c = {0};
    long each = n / workers + 1;
    int64_t ns = bench_parallel(workers, each, work, &c);
    return (int64_t)((double)ns * (double)n / (double)(each * workers));
}

static int64_t bench_mutex1(long n) { return run_adds(n, 1, add_locked); }
static int64_t bench_mutex2(long n) { return run_adds(n, 2, add_locked); }
static int64_t bench_mutex4(long n) { return run_adds(n, 4, add_locked); }
static int64_t bench_mutex8(long n) { return run_adds(n, 8, add_locked); }
static int64_t bench_atomic1(long n) { return run_adds(n, 1, add_atomic); }
static int64_t bench_atomic4(long n) { return run_adds(n, 4, add_atomic); }

const bench_case bench_sync_cases[] = {
    {"spawn_wg", "spawn + WaitGroup done, per goroutine", bench_spawn, 1, "ns"},
    {"mutex1", "mutex add, uncontended", bench_mutex1, 1, "ns"},
    {"mutex2", "mutex add, 2 goroutines", bench_mutex2, 1, "ns"},
    {"mutex4", "mutex add, 4 goroutines", bench_mutex4, 1, "ns"},
    {"mutex8", "mutex add, 8 goroutines", bench_mutex8, 1, "ns"},
    {"atomic1", "atomic add, 1 goroutine", bench_atomic1, 1, "ns"},
    {"atomic4", "atomic add, 4 goroutines", bench_atomic4, 1, "ns"},
    {0},
};
