/* Cancelling a context watched by 1,000 goroutines: from the cancel call
 * until the last watcher has woken and checked out. */
#include "bench.h"

enum { WATCHERS = 1000 };

typedef struct watch {
    goc_ctx *ctx;
    goc_waitgroup started, finished;
} watch;

static void watcher(void *arg)
{
    watch *w = arg;
    goc_wg_done(&w->started);
    goc_recv_discard(goc_ctx_done(w->ctx));
    goc_wg_done(&w->finished);
}

static int64_t bench_cancel(long rounds)
{
    int64_t total = 0;
    for (long r = 0; r < rounds; r++) {
        watch w = {.ctx = goc_ctx_with_cancel(goc_ctx_background())};
        goc_wg_add(&w.started, WATCHERS);
        goc_wg_add(&w.finished, WATCHERS);
        for (int i = 0; i < WATCHERS; i++)
            goc_go(watcher, &w);
        goc_wg_wait(&w.started);
        int64_t start = bench_start();
        goc_ctx_cancel(w.ctx);
        goc_wg_wait(&w.finished);
        total += bench_stop(start);
        goc_ctx_release(w.ctx);
    }
    return total;
}

const bench_case bench_ctx_cases[] = {
    {"ctx_cancel", "cancel a context watched by 1,000 goroutines", bench_cancel, 1000, "us"},
    {0},
};
