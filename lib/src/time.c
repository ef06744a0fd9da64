/* Time: sleep, after-channels, timers, after-funcs and tickers on top of
 * the timer seam, with Go 1.23's timer semantics.
 *
 * Channels and timers: a timer's callback only ever does a non-blocking
 * send of the fire time into a channel of capacity 1, so a late receiver
 * finds the value waiting and the timer thread never blocks.  Go 1.23 made
 * timer channels unbuffered so that no stale value survives Stop or Reset;
 * here Stop and Reset drain that one slot after stopping the timer, which
 * gives the same guarantee (goc_cap still says 1).
 *
 * Who frees what: a goc_after channel belongs to the caller; freeing it
 * stops its timer (the channel's on_free hook), as Go >= 1.23 collects an
 * unreferenced timer, so a forgotten goc_after(GOC_HOUR) is not left
 * pending.  A goc_timer's and a goc_ticker's channel belong to the timer:
 * goc_timer_free / goc_ticker_stop free both, and goc_chan_free on such a
 * channel alone panics with that advice. */
#include <stdlib.h>

#include "chan_internal.h"
#include "goc/runtime.h"
#include "goc/time.h"
#include "sched.h"
#include "timer.h"
#include "trace_hooks.h"

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

/* A timer that goc_pending_timers lists as `kind`, made at `site`. */
static void timer_init_named(sched_timer *t, sched_timer_fn fn, void *arg, const char *kind, goc_site site)
{
    sched_timer_init(t, fn, arg);
    t->kind = kind;
    t->site = site;
}

static goc_chan *time_chan_make(goc_site site)
{
    return goc_chan_make_at(sizeof(goc_time), 1, "goc_time", site);
}

/* Sends the fire time, dropping it if the slot is still full (a ticker
 * whose receiver is behind skips ticks, as Go's does). */
static void send_now(goc_chan *c)
{
    goc_time now = sched_timer_now();
    chan_try_send_internal(c, &now);
}

/* Takes back a value the timer sent and nobody received; true if there
 * was one. */
static bool drain(goc_chan *c)
{
    chan_lock(c);
    bool stale = c->count > 0;
    if (stale)
        chan_buf_take(c, NULL);
    chan_unlock(c);
    return stale;
}

int goc_pending_timers(FILE *out) { return timer_list_pending(out); }

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
    timer_init_named(&t, wake_sleeper, g, "goc_sleep", site);
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
    send_now(((after_timer *)arg)->c);
}

/* The channel is being freed: stop the timer (waiting out a callback in
 * progress), so it never touches the channel again. */
static void after_chan_freed(goc_chan *c, void *arg, goc_site freed_at)
{
    (void)c;
    (void)freed_at;
    after_timer *a = arg;
    sched_timer_stop(&a->t);
    free(a);
}

goc_chan *goc_after_at(goc_duration d, goc_site site)
{
    goc_chan *c = time_chan_make(site);
    after_timer *a = alloc_or_die(sizeof *a, "a goc_after timer", site);
    a->c = c;
    c->on_free = after_chan_freed;
    c->on_free_arg = a;
    timer_init_named(&a->t, after_fire, a, "goc_after", site);
    sched_timer_start(&a->t, deadline_after(d), 0);
    return c;
}

/* ---- the channel of a timer or ticker belongs to it ---------------------------- */

static void owned_chan_freed(goc_chan *c, void *arg, goc_site freed_at)
{
    (void)c;
    const sched_timer *t = arg;
    const char *release = t->period > 0 ? "goc_ticker_stop(t)" : "goc_timer_free(t)";
    goc_panic_at(freed_at,
                 "goc_chan_free of the channel of the %s made at %s:%d.\n"
                 "That channel belongs to it: call %s instead, which stops it and frees both.",
                 t->kind, t->site.file ? t->site.file : "?", t->site.line, release);
}

static goc_chan *owned_chan_make(sched_timer *owner, goc_site site)
{
    goc_chan *c = time_chan_make(site);
    c->on_free = owned_chan_freed;
    c->on_free_arg = owner;
    return c;
}

/* `site` is the owner's stop or free call: a later use of the channel
 * names that line as where it was freed. */
static void owned_chan_free(goc_chan *c, goc_site site)
{
    c->on_free = NULL;
    goc_chan_free_at(c, site);
}

/* ---- timers and after-funcs (Go's time.Timer) ------------------------------------ */

struct goc_timer {
    sched_timer t;
    goc_chan *c; /* NULL for an after-func */
    goc_func fn;
    void *arg;
};

static void timer_fire(sched_timer *t, void *arg)
{
    (void)t;
    send_now(((goc_timer *)arg)->c);
}

/* Go runs an AfterFunc's function in its own goroutine, so a slow one
 * never holds up other timers. */
static void after_func_fire(sched_timer *t, void *arg)
{
    goc_timer *k = arg;
    int64_t when = TRACE_ON() ? trace_now() : 0;
    int64_t id = sched_spawn(k->fn, k->arg, "goc_after_func", t->site);
    TRACE(trace_go_create(when, 0, id, "goc_after_func", t->site));
}

goc_timer *goc_timer_new_at(goc_duration d, goc_site site)
{
    goc_timer *k = alloc_or_die(sizeof *k, "a goc_timer", site);
    timer_init_named(&k->t, timer_fire, k, "goc_timer", site);
    k->c = owned_chan_make(&k->t, site);
    sched_timer_start(&k->t, deadline_after(d), 0);
    return k;
}

goc_timer *goc_after_func_at(goc_duration d, goc_func fn, void *arg, goc_site site)
{
    sched_current(); /* the caller counts as running from its first call */
    if (!fn)
        goc_panic_at(site, "goc_after_func: the function to run is NULL");
    goc_timer *k = alloc_or_die(sizeof *k, "a goc_after_func timer", site);
    timer_init_named(&k->t, after_func_fire, k, "goc_after_func", site);
    k->fn = fn;
    k->arg = arg;
    sched_timer_start(&k->t, deadline_after(d), 0);
    return k;
}

goc_chan *goc_timer_chan(goc_timer *k) { return k ? k->c : NULL; }

bool goc_timer_stop(goc_timer *k)
{
    if (!k)
        return false;
    bool stopped = sched_timer_stop(&k->t);
    /* A value sent but not received counts as not yet fired (Go 1.23). */
    if (k->c && drain(k->c))
        stopped = true;
    return stopped;
}

bool goc_timer_reset(goc_timer *k, goc_duration d)
{
    if (!k)
        return false;
    bool was_active = goc_timer_stop(k);
    sched_timer_start(&k->t, deadline_after(d), 0);
    return was_active;
}

void goc_timer_free_at(goc_timer *k, goc_site site)
{
    if (!k)
        return;
    sched_timer_stop(&k->t);
    if (k->c)
        owned_chan_free(k->c, site);
    free(k);
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
    send_now(((goc_ticker *)arg)->c);
}

static void check_period(goc_duration period, const char *go_name, goc_site site)
{
    if (period <= 0)
        goc_panic_at(site,
                     "non-positive interval for %s\n"
                     "A ticker needs a period above zero, e.g. 100 * GOC_MILLISECOND; got %lld ns.",
                     go_name, (long long)period);
}

goc_ticker *goc_ticker_new_at(goc_duration period, goc_site site)
{
    check_period(period, "NewTicker", site);
    goc_ticker *k = alloc_or_die(sizeof *k, "a goc_ticker", site);
    timer_init_named(&k->t, ticker_fire, k, "goc_ticker", site);
    k->c = owned_chan_make(&k->t, site);
    sched_timer_start(&k->t, deadline_after(period), period);
    return k;
}

goc_chan *goc_ticker_chan(goc_ticker *k) { return k ? k->c : NULL; }

void goc_ticker_reset_at(goc_ticker *k, goc_duration period, goc_site site)
{
    if (!k)
        return;
    check_period(period, "Ticker.Reset", site);
    sched_timer_stop(&k->t);
    drain(k->c); /* no stale tick after Reset (Go 1.23) */
    sched_timer_start(&k->t, deadline_after(period), period);
}

void goc_ticker_stop_at(goc_ticker *k, goc_site site)
{
    if (!k)
        return;
    sched_timer_stop(&k->t);
    owned_chan_free(k->c, site);
    free(k);
}
