/* The execution trace's event hooks (recorder in trace.c, writer in
 * trace_write.c, contract in docs/ARCHITECTURE.md "The execution trace").
 *
 * Every hook site is TRACE(hook(...)): with tracing off that is one relaxed
 * load of a global flag and a branch the compiler lays out as not taken,
 * so the hot paths (a channel hand-off, a park) pay nothing else.  Hooks
 * are out-of-line functions on purpose: the M:N scheduler moves a
 * goroutine between threads across a park, and the recorder's thread-local
 * buffer must be looked up afresh after it. */
#ifndef GOC_TRACE_HOOKS_H
#define GOC_TRACE_HOOKS_H

#include <stdatomic.h>

#include "sched.h"

extern _Atomic(int) trace_enabled;

#define TRACE_ON() __builtin_expect(atomic_load_explicit(&trace_enabled, memory_order_relaxed), 0)
#define TRACE(call)      \
    do {                 \
        if (TRACE_ON())  \
            call;        \
    } while (0)

/* The trace's clock (ticks, see trace.c), for a hook whose moment comes
 * before the call it describes (a create must precede the child's start). */
int64_t trace_now(void);

/* Goroutine life: created (by parent 0 from a timer), running, blocked,
 * made runnable by whoever is running on this thread, returned. */
void trace_go_create(int64_t when, int64_t parent, int64_t child, const char *label, goc_site site);
void trace_go_start(const goc_g *g);
void trace_go_block(const goc_g *g, sched_wait_reason reason, goc_site site);
void trace_go_unblock(const goc_g *g);
void trace_go_end(const goc_g *g);

/* Instants on the current goroutine's track. */
typedef enum trace_chan_op { TRACE_SEND, TRACE_RECV, TRACE_RECV_CLOSED, TRACE_CLOSE } trace_chan_op;
void trace_chan(trace_chan_op op, const void *chan, goc_site site);
void trace_select(int chosen, goc_site site);

/* Around a timer callback on the timer thread: a goroutine it readies is
 * woken by that timer (woken_by 0, a "timer fire" instant). */
void trace_timer_begin(const char *kind, goc_site site);
void trace_timer_end(void);

/* The program is stopping (a panic, a fatal error, the deadlock report,
 * SIGQUIT), every other thread frozen: records why and writes the file
 * without stdio or malloc. */
void trace_on_stop(const char *kind, goc_site site, const char *msg);

#endif
