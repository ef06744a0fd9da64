/* What every scheduler shares: how a goroutine is written in a dump, and
 * how the program stops (panic, fatal error, deadlock, SIGQUIT).
 *
 * Stopping follows Go: the first goroutine to fail claims the stop, the
 * scheduler freezes every other goroutine, stdout is flushed once (whole
 * lines only), the report goes to stderr, and the process exits 2.  A
 * scheduler's sched_die() is that sequence; the pieces that do not depend
 * on how goroutines are run live here, so sched_thread.c and an M:N
 * scheduler call the same code. */
#ifndef GOC_SCHED_COMMON_H
#define GOC_SCHED_COMMON_H

#include <pthread.h>
#include <stdio.h>

#include "sched.h"

/* ---- dumps ------------------------------------------------------------- */

/* Where a dump goes: a stdio stream (goc_dump_goroutines, leak reports) or,
 * when the program is stopping, a raw file descriptor: a frozen goroutine
 * may hold the stream's lock or malloc's, so the stop path uses neither. */
typedef struct dump_sink {
    FILE *file; /* NULL: write(2) to fd */
    int fd;
} dump_sink;

void sink_printf(dump_sink *s, const char *fmt, ...) GOC_PRINTF(2, 3);

/* One goroutine as a scheduler describes it. */
typedef struct dump_record {
    int64_t id;
    const char *state;   /* "running" or a wait reason */
    goc_site at;         /* where it waits or runs; file NULL: not in a libgoc call */
    const char *label;   /* the goroutine's function (and name, for goc_go_named) */
    bool foreign;        /* a thread libgoc did not start (main is one) */
    goc_site created_at; /* file NULL: not started by goc_go */
    int64_t parent_id;
} dump_record;

/* Writes r the way Go prints a goroutine in a traceback. */
void dump_goroutine(dump_sink *s, const dump_record *r);

/* ---- stopping the program --------------------------------------------------- */

/* True for the one caller that reports and exits; false when another
 * goroutine is already reporting or another thread is inside exit(): the
 * caller must then block forever (the process is about to end).  A
 * deadlock (everyone_parked) may still report during exit. */
bool stop_claim(bool everyone_parked);
/* True once a stop is claimed (a goroutine starting now must freeze). */
bool stop_in_progress(void);
/* Blocks the calling thread forever, with every signal blocked. */
GOC_NORETURN void stop_block_forever(void);
/* Flushes what the program wrote to stdout, once.  If a frozen goroutine
 * holds stdout in the middle of a printf, only its whole lines are
 * written. */
void stop_flush_stdout(void);
/* "<kind>: <msg>" and the call site, on stderr, without stdio. */
void stop_write_header(const char *kind, goc_site site, const char *msg);
/* Ends the process at once: no atexit handlers, no second flush.  Under
 * ThreadSanitizer it also skips the runtime's one-second pause at exit. */
GOC_NORETURN void stop_exit(int status);
/* Called once when the runtime starts: an exit() racing a stop waits for
 * the stop instead of flushing stdout a second time. */
void stop_init(void);
void stop_after_fork_child(void);

/* Freezing the other threads, as Go stops the world before it prints a
 * panic.  A scheduler sends the freeze to every thread that runs
 * goroutines (a real-time signal whose handler acknowledges and blocks
 * forever), then waits a bounded time for the acknowledgements. */
void stop_freeze_init(void);
bool stop_freeze_send(pthread_t thread);
/* Waits for `sent` acknowledgements.  `resend` (NULL: none) sends the
 * freeze again after 50 ms to threads that may have lost it (a thread
 * acknowledges once however many it gets): under ThreadSanitizer a signal
 * that reaches an M:N worker is sometimes filed with another goroutine's
 * fiber, where nothing ever runs it, and the stop waited its full 3 s
 * while the worker's goroutine printed on (about 1 run in 100 of a panic beside
 * printing goroutines; with the resend, none waited more than 0.5 s). */
void stop_freeze_wait(int sent, int (*resend)(void));
/* Called first by every thread a scheduler starts to run goroutines: it
 * takes the signal mask of the thread that started libgoc (stop_freeze_init
 * records it; usually main, so a signal main blocks stays blocked), never
 * blocking the freeze or a fault.  A thread inherits its creator's mask,
 * and the timer thread, the M:N monitor and signal watchers block all. */
void stop_freezable_thread(void);
/* Takes a lock that a frozen thread may hold: true if it got it within
 * the freeze budget (the report then goes on without it). */
bool stop_trylock(pthread_mutex_t *lock);
/* A scheduler's futex sleep was interrupted: under ThreadSanitizer, give
 * a deferred signal handler (a freeze, a watched signal) its chance. */
void stop_after_eintr(void);

/* ---- the leak check ---------------------------------------------------------- */

typedef struct leak_census {
    int alive;   /* other goroutines newer than since_id */
    int settled; /* of those, parked with nothing that could wake them */
} leak_census;

/* goc_leak_check's loop, for any scheduler: `census` counts the goroutines
 * newer than since_id (a sleeper counts as settled when `timers_quiet`, a
 * sched_timers_quiet stamp, is non-zero); `timers_pending` says whether a
 * timer may still fire; `pause` lets others run a moment.  Returns the
 * last census once it is final or the timeout has passed. */
leak_census leak_check_wait(int64_t since_id, int64_t timeout_ns,
                            leak_census (*census)(int64_t since_id, uint64_t timers_quiet),
                            bool (*timers_pending)(void), void (*pause)(void));

/* The wait reasons' dump wording follows Go 1.24 (see sched_common.c). */

#endif
