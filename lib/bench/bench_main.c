/* Runs every benchmark and prints key/value lines (see bench.h).
 *
 *   goc-bench [filter]   only keys containing `filter`
 *
 * Each run lasts at least BENCH_MIN_NS; n doubles until it does, which keeps
 * the whole table within a few seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { BENCH_MIN_NS = 150 * 1000 * 1000 };

static void team_member(void *arg)
{
    bench_team *t = arg;
    goc_recv_discard(t->go);
    t->work(t);
    goc_wg_done(&t->wg);
}

int64_t bench_parallel(int workers, long ops_each, void (*work)(bench_team *t), void *shared)
{
    bench_team t = {.work = work, .ops = ops_each, .shared = shared, .go = goc_chan_make(char, 0)};
    goc_wg_add(&t.wg, workers);
    for (int i = 0; i < workers; i++)
        goc_go(team_member, &t);
    int64_t start = bench_start();
    goc_close(t.go);
    goc_wg_wait(&t.wg);
    int64_t ns = bench_stop(start);
    goc_chan_free(t.go);
    return ns;
}

static void run_case(const bench_case *c)
{
    long n = 1;
    int64_t ns = c->fn(n);
    while (ns < BENCH_MIN_NS && n < (1L << 30)) {
        /* Aim straight for the target once the first timings are usable. */
        long next = ns > 1000000 ? (long)((double)n * 1.2 * BENCH_MIN_NS / (double)ns) : n * 8;
        n = next > n ? next : n + 1;
        ns = c->fn(n);
    }
    printf("%s\t%.1f\t%s\t%s\n", c->key, (double)ns / (double)n / c->scale, c->unit, c->label);
    fflush(stdout);
}

typedef struct run_all {
    const char *filter;
    goc_chan *done;
} run_all;

/* Every table, on a goroutine as Go's benchmarks run on one: with the M:N
 * scheduler main is a thread of its own and every hand-off to it would
 * cost a futex wake-up that Go does not pay. */
static void run_tables(void *arg)
{
    run_all *r = arg;
    const bench_case *tables[] = {bench_chan_cases, bench_sync_cases, bench_ctx_cases, bench_timer_cases};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const bench_case *c = tables[t]; c->key; c++)
            if (strstr(c->key, r->filter))
                run_case(c);
    goc_close(r->done);
}

/* The goroutines-alive probe aims for a million when goroutines are not
 * threads. */
#ifdef BENCH_SCHED_THREAD
#define ALIVE_DEFAULT 10000
#else
#define ALIVE_DEFAULT 1000000
#endif

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : "";
    long cap = getenv("BENCH_MAX_GOROUTINES") ? atol(getenv("BENCH_MAX_GOROUTINES")) : ALIVE_DEFAULT;
    /* First, while the process has no threads: the probe forks. */
    if (strstr("alive", filter) || strstr(filter, "alive"))
        bench_alive(cap);
    run_all r = {filter, goc_chan_make(char, 0)};
    goc_go(run_tables, &r);
    goc_recv_discard(r.done);
    return 0;
}
