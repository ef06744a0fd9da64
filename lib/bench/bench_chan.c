/* Channel benchmarks: ping-pong, one-to-one throughput by capacity, four
 * producers by four consumers, and select over two ready channels. */
#include <stdatomic.h>

#include "bench.h"

/* ---- ping-pong ---------------------------------------------------------------- */

typedef struct pingpong {
    goc_chan *ping, *pong;
    long n;
} pingpong;

static void ponger(void *arg)
{
    pingpong p = *(pingpong *)arg; /* the caller's copy is gone after the last pong */
    long v;
    for (long i = 0; i < p.n; i++) {
        goc_recv(p.ping, &v);
        goc_send(p.pong, &v);
    }
}

int64_t bench_pingpong(long n)
{
    pingpong p = {goc_chan_make(long, 0), goc_chan_make(long, 0), n};
    goc_go(ponger, &p);
    int64_t start = bench_start();
    for (long i = 0; i < n; i++) {
        goc_send(p.ping, &i);
        goc_recv(p.pong, &(long){0});
    }
    int64_t ns = bench_stop(start);
    goc_chan_free(p.ping);
    goc_chan_free(p.pong);
    return ns;
}

/* The same with an execution trace being recorded (goc/trace.h), in
 * rounds of 20,000 round trips each traced into /dev/null: a trace keeps
 * its events in memory until it is written, and one long trace would
 * reach the recorder's bound.  Only the round trips are timed, not
 * writing the trace. */
static int64_t bench_pingpong_traced(long n)
{
    enum { ROUND = 20000 };
    pingpong p = {goc_chan_make(long, 0), goc_chan_make(long, 0), n};
    goc_go(ponger, &p);
    int64_t ns = 0;
    for (long done = 0; done < n;) {
        long k = n - done < ROUND ? n - done : ROUND;
        goc_trace_start("/dev/null");
        int64_t start = bench_start();
        for (long i = 0; i < k; i++) {
            goc_send(p.ping, &i);
            goc_recv(p.pong, &(long){0});
        }
        ns += bench_stop(start);
        goc_trace_stop();
        done += k;
    }
    goc_chan_free(p.ping);
    goc_chan_free(p.pong);
    return ns;
}

/* ---- producers and consumers ------------------------------------------------------ */

typedef struct transfer {
    goc_chan *ch;
    int producers;
    atomic_int next_role; /* the first `producers` team members produce */
} transfer;

static void transfer_member(bench_team *t)
{
    transfer *x = t->shared;
    if (atomic_fetch_add(&x->next_role, 1) < x->producers) {
        for (long i = 0; i < t->ops; i++)
            goc_send(x->ch, &i);
    } else {
        long v;
        for (long i = 0; i < t->ops; i++)
            goc_recv(x->ch, &v);
    }
}

/* n values from `producers` senders to as many receivers. */
static int64_t run_transfer(long n, int producers, size_t cap)
{
    transfer x = {.ch = goc_chan_make(long, cap), .producers = producers};
    long each = n / producers + 1;
    int64_t ns = bench_parallel(2 * producers, each, transfer_member, &x);
    goc_chan_free(x.ch);
    /* Reported per value sent. */
    return (int64_t)((double)ns * (double)n / (double)(each * producers));
}

static int64_t bench_buf1(long n) { return run_transfer(n, 1, 1); }
static int64_t bench_buf16(long n) { return run_transfer(n, 1, 16); }
static int64_t bench_buf128(long n) { return run_transfer(n, 1, 128); }
static int64_t bench_mpmc(long n) { return run_transfer(n, 4, 16); }

/* ---- select -------------------------------------------------------------------------- */

/* Closed channels are always ready, so this measures select itself. */
static int64_t bench_select2(long n)
{
    goc_chan *a = goc_chan_make(int, 0), *b = goc_chan_make(int, 0);
    goc_close(a);
    goc_close(b);
    int64_t start = bench_start();
    for (long i = 0; i < n; i++)
        goc_select(goc_case_recv_discard(a), goc_case_recv_discard(b));
    int64_t ns = bench_stop(start);
    goc_chan_free(a);
    goc_chan_free(b);
    return ns;
}

const bench_case bench_chan_cases[] = {
    {"pingpong", "unbuffered ping-pong round trip", bench_pingpong, 1, "ns"},
    {"pingpong_traced", "unbuffered ping-pong round trip, traced", bench_pingpong_traced, 1, "ns"},
    {"buf1", "buffered cap 1, 1 producer -> 1 consumer, per value", bench_buf1, 1, "ns"},
    {"buf16", "buffered cap 16, 1 -> 1, per value", bench_buf16, 1, "ns"},
    {"buf128", "buffered cap 128, 1 -> 1, per value", bench_buf128, 1, "ns"},
    {"mpmc4x4", "cap 16, 4 producers x 4 consumers, per value", bench_mpmc, 1, "ns"},
    {"select2", "select over two ready channels", bench_select2, 1, "ns"},
    {0},
};
