/* libgoc — time, with Go 1.23's timer semantics.
 *
 *   Go                              C
 *   time.Duration                   goc_duration (int64 nanoseconds)
 *   500 * time.Millisecond          500 * GOC_MILLISECOND
 *   time.Sleep(d)                   goc_sleep(d);
 *   <-time.After(d)                 goc_chan *t = goc_after(d); ...; goc_chan_free(t);
 *   t := time.NewTimer(d)           goc_timer *t = goc_timer_new(d);
 *   <-t.C                           goc_recv(goc_timer_chan(t), &when);
 *   t.Stop()                        goc_timer_stop(t)     (bool, as in Go)
 *   t.Reset(d)                      goc_timer_reset(t, d) (bool, as in Go)
 *   (garbage collected)             goc_timer_free(t);    (stops it, frees it and its channel)
 *   t := time.AfterFunc(d, f)       goc_timer *t = goc_after_func(d, f, arg);
 *   t := time.NewTicker(d)          goc_ticker *t = goc_ticker_new(d);
 *   <-t.C                           goc_recv(goc_ticker_chan(t), &when);
 *   t.Reset(d)                      goc_ticker_reset(t, d);
 *   t.Stop()                        goc_ticker_stop(t);   (also frees it)
 *   start := time.Now()             goc_time start = goc_now();
 *   time.Since(start)               goc_since(start)
 *
 * goc_time is a monotonic clock reading in nanoseconds; timer channels
 * carry the goc_time at which they fired.  Graders can switch every clock
 * here to virtual time: see goc/fakeclock.h. */
#ifndef GOC_TIME_H
#define GOC_TIME_H

#include <stdio.h>

#include "chan.h"

typedef int64_t goc_duration;
typedef int64_t goc_time;

#define GOC_NANOSECOND ((goc_duration)1)
#define GOC_MICROSECOND ((goc_duration)1000)
#define GOC_MILLISECOND ((goc_duration)1000000)
#define GOC_SECOND ((goc_duration)1000000000)
#define GOC_MINUTE (60 * GOC_SECOND)
#define GOC_HOUR (60 * GOC_MINUTE)

goc_time goc_now(void);
goc_duration goc_since(goc_time t);

void goc_sleep_at(goc_duration d, goc_site site);
#define goc_sleep(d) goc_sleep_at((d), GOC_SITE)

/* A channel (element goc_time, capacity 1) that receives once after d.
 * Free it with goc_chan_free when done; freeing it before it fires stops
 * its timer (as Go >= 1.23 collects an unreferenced one). */
goc_chan *goc_after_at(goc_duration d, goc_site site);
#define goc_after(d) goc_after_at((d), GOC_SITE)

/* ---- timers (Go's time.Timer, Go >= 1.23 semantics) ----------------------- */

typedef struct goc_timer goc_timer;

/* A timer whose channel (element goc_time) receives once, d from now.
 * The channel belongs to the timer: free both with goc_timer_free. */
goc_timer *goc_timer_new_at(goc_duration d, goc_site site);
#define goc_timer_new(d) goc_timer_new_at((d), GOC_SITE)

/* Time.AfterFunc: after d, fn(arg) runs in a goroutine of its own.  Its
 * goc_timer_chan is NULL.  Free it with goc_timer_free (that does not stop
 * an fn already started). */
goc_timer *goc_after_func_at(goc_duration d, goc_func fn, void *arg, goc_site site);
#define goc_after_func(d, fn, arg) goc_after_func_at((d), (fn), (arg), GOC_SITE)

goc_chan *goc_timer_chan(goc_timer *t);

/* Stops the timer.  True if that prevented the fire: the timer was pending,
 * or (Go 1.23) it had fired but nobody had received the value yet, which
 * is then discarded, so no stale value is received after Stop.  For an
 * after-func: true if fn had not been started. */
bool goc_timer_stop(goc_timer *t);

/* Stops the timer as goc_timer_stop does (discarding an unreceived value)
 * and starts it again to fire d from now; returns what the stop returned
 * (Go's "the timer had been active"). */
bool goc_timer_reset(goc_timer *t, goc_duration d);

/* Stops the timer and frees it with its channel.  NULL is a no-op. */
void goc_timer_free_at(goc_timer *t, goc_site site);
#define goc_timer_free(t) goc_timer_free_at((t), GOC_SITE)

/* ---- tickers ----------------------------------------------------------------- */

typedef struct goc_ticker goc_ticker;
goc_ticker *goc_ticker_new_at(goc_duration period, goc_site site);
#define goc_ticker_new(period) goc_ticker_new_at((period), GOC_SITE)
goc_chan *goc_ticker_chan(goc_ticker *t);
/* Next tick `period` from now, then every `period`; an unreceived tick is
 * discarded (Go 1.23).  Panics if period <= 0, as Go does. */
void goc_ticker_reset_at(goc_ticker *t, goc_duration period, goc_site site);
#define goc_ticker_reset(t, period) goc_ticker_reset_at((t), (period), GOC_SITE)
/* Stops the ticker and frees it with its channel.  NULL is a no-op. */
void goc_ticker_stop_at(goc_ticker *t, goc_site site);
#define goc_ticker_stop(t) goc_ticker_stop_at((t), GOC_SITE)

/* ---- diagnostics ------------------------------------------------------------- */

/* Writes one line per pending timer to `out` (may be NULL) in deadline
 * order, e.g.
 *   goc_ticker made at exercises/08-tickers.c:31 (in poll): ticks every 5ms, next in 3ms
 * Kinds: goc_after, goc_timer, goc_after_func, goc_ticker, goc_sleep (a
 * goroutine asleep: it counts, because a sleep that outlives the call that
 * started it is as much a leftover as a ticker; the goroutine dump shows
 * the same goroutine as [sleep]), goc_ctx_with_timeout /
 * goc_ctx_with_deadline (a context's
 * deadline, until it fires or the context is cancelled).  A stopped or
 * fired timer is not pending; a goc_after channel freed before it fired
 * is not either.  Returns how many. */
int goc_pending_timers(FILE *out);

#endif
