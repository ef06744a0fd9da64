/* The timer module's private entry points (the timer API itself is in
 * sched.h, where channels and sleep reach it). */
#ifndef GOC_TIMER_H
#define GOC_TIMER_H

#include <stdio.h>

#include "sched.h"

/* Call in the child after fork(): the timer thread did not survive, so the
 * module starts afresh (locks re-initialised, pending timers dropped; the
 * next sched_timer_start starts a new thread if one is needed).  The fake
 * clock stays on. */
void timer_after_fork_child(void);

/* ---- for a scheduler that fires timers itself (sched_fires_timers) ------- */

/* The earliest real-time deadline (sched_nanotime clock), without a lock:
 * INT64_MAX when no timer is pending, or when the fake clock is on (the
 * timer thread fires those).  A check at a schedule point costs this load,
 * plus a clock reading when a timer is pending. */
int64_t timer_next_real(void);
/* Fires, on the calling thread, the timers due now, earliest first.
 * Returns at once if another thread's callback is running (that thread
 * goes on with the due ones).  The caller is no goroutine: a worker's own
 * scheduler context or the monitor. */
void timer_run_due(void);

/* ---- the fake clock (goc/fakeclock.h is its public face) ------------------ */

/* Switches timers to virtual time, starting at the current real reading. */
void timer_fake_enable(void);
bool timer_fake_enabled(void);
/* The earliest pending deadline; false when no timer is pending. */
bool timer_earliest(int64_t *when);
/* Parks the calling goroutine until virtual time reaches `target` and
 * every goroutine is parked again (see fakeclock.c). */
void timer_fake_wait_until(int64_t target, goc_site site);

/* goc_pending_timers: one line per pending timer that has a kind. */
int timer_list_pending(FILE *out);

#endif
