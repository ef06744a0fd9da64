/* libgoc — tools for tests of concurrent code.
 *
 * A test that asks "is this goroutine still blocked?" or "did these run at
 * the same time?" must not answer with a sleep: a sleep is a guess about
 * the scheduler, right on a quiet machine and wrong on a loaded one.  The
 * tools here answer with events instead:
 *
 *   goc_gate      closed until the test opens it; holds goroutines where
 *                 the test wants them (a latch of one)
 *   goc_latch     opens after n count-downs ("all n have started/done")
 *   goc_barrier   n parties; nobody leaves before all n arrived, which
 *                 proves they were running at the same time
 *   goc_settle    waits until every other goroutine is durably parked (or
 *                 gone): from then on nothing changes unless the test acts,
 *                 so "still blocked" is a fact, not a timing
 *
 * Go's testing package has none of the first three (tests build them from
 * a closed channel and sync.WaitGroup); goc_settle is Go 1.25's
 * synctest.Wait without the bubble.  docs/go-to-c.md compares them.
 *
 * Every wait here is visible to libgoc: a goroutine parked at a gate shows
 * in the deadlock report and in goc_dump_goroutines with the line it waits
 * on.  The bounded waits (goc_latch_wait_for, goc_settle) poll the real
 * clock, so they keep working under the fake clock (goc/fakeclock.h) and
 * leave no timer behind that would keep a settle waiting.  goc.h does not
 * include this header: include it where the tests are, as a Go test
 * imports "testing". */
#ifndef GOC_TESTING_API_H /* not GOC_TESTING_H: lib/tests/testing.h has that */
#define GOC_TESTING_API_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "chan.h"
#include "time.h"

/* A count-down latch.  `open` is closed when the count reaches zero, which
 * wakes every receiver, now and later: receive from it in a goc_select to
 * wait for the latch beside other events.  Fields are read-only. */
typedef struct goc_latch {
    _Atomic(int) left; /* count-downs still to come (goes below 0 if over-counted) */
    goc_chan *open;    /* closed once left reached 0 */
} goc_latch;

/* Makes a latch that opens after n count-downs (n <= 0: open at once). */
void goc_latch_init(goc_latch *l, int n);
/* One count-down; the n-th opens the latch.  Any goroutine may call it. */
void goc_latch_count_down(goc_latch *l);
/* Parks until the latch is open; a dump names the caller's line. */
#define goc_latch_wait(l) goc_latch_wait_at((l), GOC_SITE)
void goc_latch_wait_at(goc_latch *l, goc_site site);
/* Waits at most `limit` (real time) for the latch to open; true if it did.
 * It polls instead of parking, so a deadlock among the goroutines under
 * test becomes a false here instead of the runtime's deadlock report:
 * use it on the test's own thread, where a hang must turn into a message. */
bool goc_latch_wait_for(goc_latch *l, goc_duration limit);
/* True once the latch has opened (asks the channel, not the counter, so a
 * latch seen open is no longer in use by the goroutine that opened it). */
bool goc_latch_is_open(goc_latch *l);
/* Frees the latch's channel; only when no goroutine can still wait on it. */
void goc_latch_free(goc_latch *l);

/* A gate is a latch of one: closed until goc_gate_open, then open for
 * every goroutine that passes, now and later. */
typedef goc_latch goc_gate;
static inline void goc_gate_init(goc_gate *g) { goc_latch_init(g, 1); }
static inline void goc_gate_open(goc_gate *g) { goc_latch_count_down(g); }
#define goc_gate_pass(g) goc_latch_wait_at((g), GOC_SITE)
static inline bool goc_gate_is_open(goc_gate *g) { return goc_latch_is_open(g); }
static inline void goc_gate_free(goc_gate *g) { goc_latch_free(g); }

/* A single-use barrier for n parties: goc_barrier_wait counts the caller
 * in and parks until all n have arrived. */
typedef goc_latch goc_barrier;
static inline void goc_barrier_init(goc_barrier *b, int n) { goc_latch_init(b, n); }
#define goc_barrier_wait(b) goc_barrier_wait_at((b), GOC_SITE)
static inline void goc_barrier_wait_at(goc_barrier *b, goc_site site)
{
    goc_latch_count_down(b);
    goc_latch_wait_at(b, site);
}
static inline void goc_barrier_free(goc_barrier *b) { goc_latch_free(b); }

/* Waits until every goroutine with an id above since_id, other than the
 * caller, is parked in libgoc (a channel, select, lock, WaitGroup, cond)
 * or has exited, and no timer is pending: nothing can change after that
 * unless the caller acts.  Returns true when that state was reached, false
 * if it was not within `limit` (real time): a busy loop, a goroutine
 * polling, a sleep or a pending goc_after/ticker that outlasts the limit.
 * since_id is usually goc_last_id() taken when the test started (0: every
 * goroutine).  With the fake clock on, sleepers and timer waits count as
 * parked and pending timers do not keep it waiting. */
bool goc_settle(int64_t since_id, goc_duration limit);

#endif
