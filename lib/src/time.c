/* Time: sleep, after-channels and tickers on top of the timer seam.
 *
 * An after-channel's timer holds its own reference to the channel, so the
 * channel may be freed by its maker before the timer fires; the timer then
 * sends into a buffer nobody reads and drops the last reference.  A ticker
 * holds none: goc_ticker_stop stops the timer (waiting out a callback in
 * progress) before it frees the channel. */
#include <stdlib.h>

#include "chan_internal.h"
#include "goc/runtime.h"
#include "goc/time.h"
#include "sched.h"

goc_time goc_now(void) { return sched_timer_now(); }

goc_duration goc_since(goc_time t) { return sched_timer_now() - t; }

/* now + d without overflowing for absurdly long durations. */
static int64_t deadline_after(goc_duration d)
{
    int64_t now = sched_timer_now();
    if (d <= 0)
        return now;
    return d > INT64_MAX - now ? INT64_MAX : now + d;
}

static void *alloc_or_die(size_t size, const char *what, goc_site site)
{
    void *p = calloc(1, size);
    if (!p)
        goc_fatal_at(site, "out of memory allocating %s", what);
    return p;
}

/* ---- sleep --------------------------------------------------------------- */

static void wake_sleeper(sched_timer *t, void *g)
{
    (void)t;
    sched_ready(g);
}

void goc_sleep_at(goc_duration d, goc_site site)
{
    goc_g *g = sched_current();
    if (d <= 0) {
        sched_gosched(); /* Go returns at once, but it is a scheduling point */
        return;
    }
    sched_timer t;
    sched_timer_init(&t, wake_sleeper, g);
    sched_timer_start(&t, deadline_after(d), 0);
    sched_park(WAIT_SLEEP, site, NULL, NULL);
    /* The callback readied us and may still be returning: t lives on this
     * stack frame, so wait for it to be done with t. */
    sched_timer_stop(&t);
}

/* ---- after ---------------------------------------------------------------- */

typedef struct after_timer {
    sched_timer t;
    goc_chan *c;
} after_timer;

static void after_fire(sched_timer *t, void *arg)
{
    (void)t;
    after_timer *a = arg;
    goc_time now = sched_timer_now();
    chan_try_send_internal(a->c, &now);
    chan_release(a->c);
    free(a);
}

goc_chan *goc_after_at(goc_duration d, goc_site site)
{
    goc_chan *c = goc_chan_make_at(sizeof(goc_time), 1, "goc_time", site);
    after_timer *a = alloc_or_die(sizeof *a, "a goc_after timer", site);
    a->c = c;
    chan_retain(c);
    sched_timer_init(&a->t, after_fire, a);
    sched_timer_start(&a->t, deadline_after(d), 0);
    return c;
}

/* ---- tickers ------------------------------------------------------------- */

struct goc_ticker {
    sched_timer t;
    goc_chan *c;
};

/* The channel holds one tick: while the receiver is behind, later ticks are
 * dropped rather than queued, as Go's are. */
static void ticker_fire(sched_timer *t, void *arg)
{
    (void)t;
    goc_ticker *k = arg;
    goc_time now = sched_timer_now();
    chan_try_send_internal(k->c, &now);
}

goc_ticker *goc_ticker_new_at(goc_duration period, goc_site site)
{
    if (period <= 0)
        goc_panic_at(site,
                     "non-positive interval for NewTicker\n"
                     "goc_ticker_new needs a period above zero, e.g. 100 * GOC_MILLISECOND; got %lld ns.",
                     (long long)period);
    goc_ticker *k = alloc_or_die(sizeof *k, "a goc_ticker", site);
    k->c = goc_chan_make_at(sizeof(goc_time), 1, "goc_time", site);
    sched_timer_init(&k->t, ticker_fire, k);
    sched_timer_start(&k->t, deadline_after(period), period);
    return k;
}

goc_chan *goc_ticker_chan(goc_ticker *k) { return k ? k->c : NULL; }

void goc_ticker_stop(goc_ticker *k)
{
    if (!k)
        return;
    sched_timer_stop(&k->t);
    goc_chan_free(k->c);
    free(k);
}
