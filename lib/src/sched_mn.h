/* Internals shared by the M:N scheduler's files (sched_mn.c runs
 * goroutines, sched_mn_diag.c reports on them).  Nothing outside
 * sched_mn*.c includes this. */
#ifndef GOC_SCHED_MN_H
#define GOC_SCHED_MN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sched.h"

/* Goroutine states.  G_WOKEN is or-ed into RUNNING/PARKING when a ready
 * arrives before the park has finished switching away (the wake-up token). */
enum {
    G_RUNNING = 0,  /* on an M, or a foreign thread not parked */
    G_PARKING = 1,  /* switching away to park */
    G_WAITING = 2,  /* parked */
    G_RUNNABLE = 3, /* in a run queue */
    G_DEAD = 4,     /* returned; its record waits for reuse */
    G_WOKEN = 0x100,
};

typedef struct mg {
    _Alignas(64) goc_g pub; /* first: a goc_g* is an mg*; records share no cache line */
    void *sp;  /* saved context while not running; NULL: never run, no stack yet */
    goc_func fn;
    void *arg;
    char name[96]; /* the goroutine's function, for dumps (copied) */
    goc_site created_at;
    int64_t parent_id;
    /* A thread libgoc did not start (main, a plain pthread): it keeps its
     * own thread and parks on `token`, as in the thread scheduler. */
    bool foreign;
    _Atomic(int) state;
    _Atomic(int) wait_reason;
    _Atomic(const char *) wait_file;
    _Atomic(const char *) wait_func;
    _Atomic(int) wait_line;
    _Atomic(uint32_t) token; /* foreign only: 0 none, 1 posted, 2 asleep */
    char *stack_lo;          /* slot base (guard page first); NULL if foreign or not yet run */
    void *asan_fake;         /* ASan's fake stack while switched out */
    void *tsan_fiber;        /* kept with the record, reused with it */
    _Atomic(bool) tsan_busy; /* TSan: an M has not yet left its fiber */
    struct mg *next;         /* run queue or free list */
    struct mg *all_prev, *all_next;
    pthread_t thread; /* foreign only: for a stop's freeze */
} mg;

/* The registry of live goroutines, in creation order (for dumps and the
 * leak check).  sched_mn.c owns it; the lock also guards `abandoned`. */
extern pthread_mutex_t mn_registry_lock;
extern mg *mn_all_first;
extern _Atomic(int) mn_ntimers;

/* The goroutine the calling thread runs, or NULL on a thread that is
 * neither a worker running one nor a registered foreign thread. */
mg *mn_current_or_null(void);
/* Is the calling thread the scheduler's own (a worker, or the monitor)?
 * Outside a goroutine (a worker's scheduler context, the monitor: where
 * timer callbacks run) it is no goroutine, and must not register as one. */
bool mn_is_scheduler_thread(void);

/* For the race pass: a leak check or settle that found every goroutine
 * parked orders what they did before their parks before what its caller
 * does next, as the all-parked check does before it moves the fake clock
 * (each park releases the same TSan sync object; no-op without TSan). */
void mn_settled_acquire(void);

/* A stop's freeze for every worker thread but the caller's; how many. */
int mn_freeze_workers(void);

/* Per-worker set-up of the overflow handler's alternate signal stack, and
 * the one-time handler installation (sched_mn_diag.c). */
void mn_diag_init(void);
void mn_diag_thread_init(void);

#endif
