/* Timers: how long a sleep that is due at once takes from goc_sleep to the
 * goroutine running again (the whole timer path: start, park, fire, wake),
 * 1,000 goroutines each sleeping 1 ms over and over (the heap, and waking
 * many sleepers whose deadlines fall together), and what a pending timer
 * costs goroutines that never sleep (the M:N workers look at the earliest
 * deadline while they switch). */
#include "bench.h"

enum { SLEEPERS = 1000 };

static int64_t bench_sleep_1us(long n)
{
    int64_t start = bench_start();
    for (long i = 0; i < n; i++)
        goc_sleep(GOC_MICROSECOND);
    return bench_stop(start);
}

typedef struct sleepers {
    long rounds;
    goc_waitgroup done;
} sleepers;

static void sleep_rounds(void *arg)
{
    sleepers *s = arg;
    for (long r = 0; r < s->rounds; r++)
        goc_sleep(GOC_MILLISECOND);
    goc_wg_done(&s->done);
}

/* Per round: 1,000 sleeps of 1 ms each, all at once (floor: 1,000 µs). */
static int64_t bench_sleep_1ms_x1000(long rounds)
{
    sleepers s = {.rounds = rounds};
    goc_wg_add(&s.done, SLEEPERS);
    int64_t start = bench_start();
    for (int i = 0; i < SLEEPERS; i++)
        goc_go(sleep_rounds, &s);
    goc_wg_wait(&s.done);
    return bench_stop(start);
}

static int64_t bench_pingpong_timer_pending(long n)
{
    goc_chan *later = goc_after(GOC_HOUR);
    int64_t ns = bench_pingpong(n);
    goc_chan_free(later); /* stops its timer */
    return ns;
}

const bench_case bench_timer_cases[] = {
    {"sleep_1us", "sleep 1 us, until running again", bench_sleep_1us, 1, "ns"},
    {"sleep_1ms_x1000", "1,000 goroutines sleep 1 ms at once, per round (floor 1,000 us)", bench_sleep_1ms_x1000,
     1000, "us"},
    {"pingpong_timer_pending", "unbuffered ping-pong round trip, an hour-long timer pending",
     bench_pingpong_timer_pending, 1, "ns"},
    {0},
};
