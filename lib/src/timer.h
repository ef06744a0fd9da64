/* The timer module's private entry points (the timer API itself is in
 * sched.h, where channels and sleep reach it). */
#ifndef GOC_TIMER_H
#define GOC_TIMER_H

#include "sched.h"

/* Call in the child after fork(): the timer thread did not survive, so the
 * module starts afresh (locks re-initialised, pending timers dropped; the
 * next sched_timer_start starts a new thread). */
void timer_after_fork_child(void);

#endif
