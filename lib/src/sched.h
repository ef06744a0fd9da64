/* The scheduler seam.
 *
 * Channels, select, timers and sync are written against this interface
 * only, the way Go's chan.go uses gopark/goready.  The first scheduler
 * (sched_thread.c) runs each goroutine on its own OS thread and reuses idle
 * threads; an M:N scheduler can replace it without touching anything above.
 *
 * Rules of the seam:
 *  - sched_park(reason, site, unlock, lock) marks the current goroutine as
 *    waiting, calls unlock(lock), and returns once someone has called
 *    sched_ready on it.  A ready that happens between unlock and the actual
 *    sleep is not lost (each goroutine has a wake-up token).
 *    The M:N scheduler calls unlock after switching away, on the same
 *    thread but another stack (Go's park_m): unlock must not block, and
 *    must not read the parker's stack after the lock that publishes its
 *    waiter is released.  With a lock, nobody may ready the goroutine
 *    before unlock runs (its waiter is reachable only under that lock).
 *  - sched_ready(g) must be called exactly once per park.
 *  - Timer callbacks run outside any goroutine, one at a time: on the
 *    timer thread (the thread scheduler, and the fake clock under both) or,
 *    under M:N, on a worker's scheduler context or the monitor thread (see
 *    sched_fires_timers).  Callbacks must not block (they may take channel
 *    locks, try-send and call sched_ready).
 *  - Deadlock detection: when no goroutine runs and no timer is pending, the
 *    runtime prints Go's "all goroutines are asleep" report and exits 2.
 *    When no goroutine runs but timers are pending, the scheduler calls
 *    sched_timers_all_parked() instead: that is where the fake clock moves.
 *  - sched_spawn may be called from a timer callback (goc_after_func): the
 *    thread running it must not become a goroutine; the new one's parent
 *    is 0.  sched_current() is never called from a callback. */
#ifndef GOC_SCHED_H
#define GOC_SCHED_H

#include <stdatomic.h>
#include <stdio.h>

#include "goc/base.h"

typedef struct goc_g goc_g;

/* Fields other modules may read or write (under their own locks). */
struct goc_g {
    int64_t id;
    /* select: set by the first case that wins, so only one fires (Go's selectDone). */
    _Atomic(uint32_t) select_done;
    /* The waiter record that woke this goroutine (Go's gp.param), or NULL
     * when woken by close. */
    void *param;
};

/* The calling goroutine.  A thread that libgoc did not start (main, or a
 * plain pthread) is registered as a goroutine on first use. */
goc_g *sched_current(void);

/* `name` (the goroutine's function, as dumps show it) is copied: the
 * caller's string may be a buffer that goes away. */
int64_t sched_spawn(goc_func fn, void *arg, const char *name, goc_site site);

/* Wait reasons, printed in dumps as Go 1.24 prints them: [chan send]
 * (the wording is in sched_common.c). */
typedef enum sched_wait_reason {
    WAIT_NONE = 0,
    WAIT_CHAN_SEND,
    WAIT_CHAN_RECV,
    WAIT_CHAN_SEND_NIL,
    WAIT_CHAN_RECV_NIL,
    WAIT_SELECT,
    WAIT_SELECT_NO_CASES,
    WAIT_SLEEP,
    WAIT_WAITGROUP,
    WAIT_MUTEX,
    WAIT_RWMUTEX_R,
    WAIT_RWMUTEX_W,
    WAIT_SEMACQUIRE,
    WAIT_ONCE,
    WAIT_COND,
    WAIT_REASON_COUNT
} sched_wait_reason;

const char *sched_wait_reason_name(sched_wait_reason r);

void sched_park(sched_wait_reason reason, goc_site site, void (*unlock)(void *), void *lock);
void sched_ready(goc_g *g);
/* Lets other goroutines run (named after Go's Gosched: libc owns sched_yield). */
void sched_gosched(void);

/* ---- libgoc's own blocking calls (Go's entersyscall / exitsyscall) ---------- */

/* The rule: inside libgoc, any call made on a goroutine that may block
 * its thread in the kernel (a sleep, poll, a write to a pipe or a FILE
 * that may be full, a wait on a condition variable or another primitive
 * that is not libgoc's park) or otherwise keep it for more than a few
 * microseconds goes between sched_blocking_begin() and
 * sched_blocking_end().  Between them the goroutine must not park, yield
 * or exit (it keeps its thread); brackets may nest.  Never on the stop
 * path (sched_die, a panic's report): the world is frozen there.
 *
 * A wait for another goroutine is better a park (sched_park) than a
 * bracketed wait: a park frees the thread, a bracket only tells the
 * scheduler that the thread is taken.
 *
 * The M:N scheduler hands the worker's queued goroutines to another
 * worker at begin (waking or starting one), and its monitor treats the
 * worker as blocked at once rather than after its 1 ms.  With nothing
 * queued both cost a few loads and a store.  The thread scheduler's are
 * empty: every goroutine has its own thread. */
void sched_blocking_begin(void);
void sched_blocking_end(void);

/* ---- timers ------------------------------------------------------------ */

typedef struct sched_timer sched_timer;
typedef void (*sched_timer_fn)(sched_timer *t, void *arg);

struct sched_timer {
    int64_t when;  /* on the sched_timer_now() clock, ns */
    int64_t period; /* > 0: fires again every period */
    sched_timer_fn fn;
    void *arg;
    /* For goc_pending_timers: what made it ("goc_ticker") and where.  NULL
     * kind (sched_timer_init's default): internal, not listed. */
    const char *kind;
    goc_site site;
    int heap_index; /* private to the timer module; -1 when not pending */
    uint64_t seq;   /* private: equal deadlines fire in start order */
};

/* The real monotonic clock, ns: for real-time bounds (the leak check's
 * timeout, mutex starvation), whatever the fake clock says. */
int64_t sched_nanotime(void);
/* The clock timers run on and goc_now() reads: sched_nanotime(), or the
 * virtual time once the fake clock is on (goc/fakeclock.h). */
int64_t sched_timer_now(void);
void sched_timer_init(sched_timer *t, sched_timer_fn fn, void *arg);
/* Schedules t to fire at `when` (replacing any earlier schedule). */
void sched_timer_start(sched_timer *t, int64_t when, int64_t period);
/* Returns true if t was pending (and now will not fire).  After it returns
 * the callback is not running and will not run. */
bool sched_timer_stop(sched_timer *t);

/* Who fires real-time timers.  false (the thread scheduler): timer.c's own
 * timer thread.  true (M:N): the scheduler, through timer.h's
 * timer_next_real/timer_run_due, and timer.c calls sched_timer_earlier()
 * (never with a lock of its own held) after a start put a deadline on top
 * of the heap, so the scheduler can wake whoever sleeps until the old one.
 * The fake clock's timers always run on the timer thread. */
extern const bool sched_fires_timers;
void sched_timer_earlier(void);

/* The timer module reports pending timers so deadlock detection knows that
 * a sleeping goroutine or a pending goc_after will still wake someone:
 * +1 when a timer becomes pending, -1 once it was stopped or its callback
 * has returned (after any sched_ready the callback made), 0 after a
 * periodic callback.  A +1 never checks anything (callers may hold locks);
 * a delta <= 0 with no goroutine running runs the deadlock check again. */
void sched_note_timer(int delta);

/* ---- the fake clock's seam (timer.c) ------------------------------------- */

/* The scheduler calls this whenever it sees no goroutine running while
 * timers are pending, with a sched_timers_quiet stamp taken before it
 * looked.  With the fake clock on, and no timer fired or waiter released
 * since the stamp, the timer thread then moves virtual time to the next
 * deadline and fires what is due (asynchronously); otherwise it does
 * nothing.  (A fire between the look and this call may have woken someone
 * the look did not see: moving time then would skip past a goroutine that
 * is about to run.)  Never blocks; takes only the timer lock. */
void sched_timers_all_parked(uint64_t quiet);

/* For the leak check: 0 when a timer may still fire on its own (the fake
 * clock is off, or a timer is due or firing); otherwise a stamp that
 * changes whenever a timer fires.  Equal non-zero stamps taken before and
 * after a look at the goroutines mean no timer fired in between and none
 * will until time is moved: a goroutine asleep or waiting on a timer is
 * then durably blocked. */
uint64_t sched_timers_quiet(void);

/* The scheduler linked in ("thread" or "mn"), named in traces. */
extern const char sched_name[];

/* ---- diagnostics ----------------------------------------------------------- */

/* Stops the program the way Go does: every other goroutine is frozen,
 * stdout is flushed once, "<kind>: <msg>" and a dump of every goroutine go
 * to stderr, exit 2.  Built from sched_common.h's pieces. */
GOC_NORETURN void sched_die(const char *kind, goc_site site, const char *msg);
void sched_dump(FILE *out);

#endif
