/* libgoc — time.
 *
 *   Go                              C
 *   time.Duration                   goc_duration (int64 nanoseconds)
 *   500 * time.Millisecond          500 * GOC_MILLISECOND
 *   time.Sleep(d)                   goc_sleep(d);
 *   <-time.After(d)                 goc_chan *t = goc_after(d); ...; goc_chan_free(t);
 *   t := time.NewTicker(d)          goc_ticker *t = goc_ticker_new(d);
 *   <-t.C                           goc_recv(goc_ticker_chan(t), &when);
 *   t.Stop()                        goc_ticker_stop(t);   (also frees it)
 *   start := time.Now()             goc_time start = goc_now();
 *   time.Since(start)               goc_since(start)
 *
 * goc_time is a monotonic clock reading in nanoseconds; timer channels
 * carry the goc_time at which they fired. */
#ifndef GOC_TIME_H
#define GOC_TIME_H

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
 * Free it with goc_chan_free when done; that is safe before it fires. */
goc_chan *goc_after_at(goc_duration d, goc_site site);
#define goc_after(d) goc_after_at((d), GOC_SITE)

typedef struct goc_ticker goc_ticker;
goc_ticker *goc_ticker_new_at(goc_duration period, goc_site site);
#define goc_ticker_new(period) goc_ticker_new_at((period), GOC_SITE)
goc_chan *goc_ticker_chan(goc_ticker *t);
/* Stops the ticker and frees it with its channel. */
void goc_ticker_stop(goc_ticker *t);

#endif
