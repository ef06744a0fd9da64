/* libgoc — a fake clock for graders and tests.
 *
 * Modelled on Go 1.25's testing/synctest: inside a bubble, time is virtual
 * and moves only when every goroutine is durably blocked.  goc.h does not
 * include this header: learner code never needs it and cannot tell the
 * difference.  A grader includes it and switches the clock on at the start
 * of a test (Check runs each test in its own forked process, so the clock
 * is on for that test only; there is no way to switch it off).
 *
 * Once on, goc_now, goc_since, goc_sleep, goc_after, tickers, goc_timer,
 * goc_after_func and context deadlines all run on virtual time, which
 * starts at the real reading at the moment of the switch.
 *
 * When time moves:
 *  - by itself, when every goroutine libgoc knows is parked in a libgoc
 *    call (a channel operation, select, lock, WaitGroup, sleep) and a timer
 *    is pending: time jumps to the earliest deadline and what is due there
 *    fires.  So goc_sleep(GOC_HOUR) returns at once, with goc_since showing
 *    exactly one hour, when nobody else can run.  A thread that is running
 *    C code, spinning on goc_yield or goc_try_recv, or polling with
 *    nanosleep (a grader's settle) is not parked: while it runs, time
 *    stands still;
 *  - when a goroutine calls goc_fakeclock_advance or goc_fakeclock_next.
 *  Timers whose deadline has already been reached fire at once, whoever
 *  runs.  Timers at the same instant fire in the order they were started
 *  (a ticker counts as started again at each tick).
 *
 * What counts as settled: with the clock on, goc_leak_check (and so a
 * grader's settle) treats a goroutine asleep or waiting on a timer as
 * durably blocked, and pending timers do not make it wait: they cannot fire
 * until time is moved.  A learner's goc_after(GOC_HOUR) never stalls it.
 *
 * Real-time bounds in a grader (how long to wait for a busy loop) must use
 * goc_real_now(): goc_now() stands still while the grader polls. */
#ifndef GOC_FAKECLOCK_H
#define GOC_FAKECLOCK_H

#include "time.h"

/* Switches to virtual time, starting at the current real reading.  Call
 * once at the start of a test, before the code under test runs; a second
 * call does nothing. */
void goc_fakeclock_enable(void);
bool goc_fakeclock_enabled(void);

/* Lets d of virtual time pass, as if the caller slept for d while the
 * program ran: the caller parks; each time every other goroutine is parked,
 * time jumps to the next deadline and what is due there fires (in deadline
 * order), so goroutines react to each timer before the next one fires.  It
 * returns once time has reached now + d and everyone else is parked again.
 * d <= 0 only waits until everyone else is parked (synctest.Wait).  If
 * some goroutine keeps running for 2 s of real time, the rest of this
 * advance moves time without waiting for it (then settle and report it).
 * Panics if the fake clock is off. */
void goc_fakeclock_advance(goc_duration d);

/* Jumps to the earliest pending timer's deadline and fires everything due
 * then, like goc_fakeclock_advance up to that deadline; false (and nothing
 * happens) when no timer is pending.  Panics if the fake clock is off. */
bool goc_fakeclock_next(void);

/* The real monotonic clock, whatever the fake clock says. */
goc_time goc_real_now(void);

#endif
