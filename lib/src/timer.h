/* The timer module's private entry points (the timer API itself is in
 * sched.h, where channels and sleep reach it). */
#ifndef GOC_TIMER_H
#define GOC_TIMER_H

#include <stdio.h>

#include "sched.h"

/* Call in the child after fork(): the timer thread did not survive, so the
 * module starts afresh (locks re-initialised, pending timers dropped; the
 * next sched_timer_start starts a new thread).  The fake clock stays on. */
void timer_after_fork_child(void);

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
