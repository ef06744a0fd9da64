/* Shared by the sync_*.c files: misuse reports, the copy check, and the
 * mutex's lock/unlock without the copy check (RWMutex and Once embed a
 * goc_mutex and report waits and copies under their own names). */
#ifndef GOC_SYNC_INTERNAL_H
#define GOC_SYNC_INTERNAL_H

#include "goc/sync.h"
#include "sched.h"

typedef enum sync_misuse {
    SYNC_NEGATIVE_WG_COUNTER,
    SYNC_WG_REUSED,
    SYNC_WG_ADD_DURING_WAIT,
    SYNC_UNLOCK_OF_UNLOCKED_MUTEX,
    SYNC_RUNLOCK_OF_UNLOCKED_RWMUTEX,
    SYNC_UNLOCK_OF_UNLOCKED_RWMUTEX,
    SYNC_MISUSE_COUNT
} sync_misuse;

/* Stops the program with Go's words for the misuse and a hint. */
GOC_NORETURN void sync_die(sync_misuse what, goc_site site);

typedef enum sync_kind { SYNC_WAITGROUP, SYNC_MUTEX, SYNC_RWMUTEX, SYNC_ONCE, SYNC_COND, SYNC_KIND_COUNT } sync_kind;

/* Records obj's address in *self (and scrambled in *check) on first use; a
 * later use through a copy (a different address, both fields consistent)
 * stops the program and says to pass a pointer, and a use of garbage (the
 * fields disagree) says it was freed too early or never initialised. */
void sync_check_self(void *_Atomic *self, _Atomic(uintptr_t) *check, const void *obj, sync_kind kind,
                     goc_site site);
#define SYNC_CHECK_SELF(obj, kind, site) sync_check_self(&(obj)->self, &(obj)->self_check, (obj), (kind), (site))

void sync_mutex_lock(goc_mutex *m, sched_wait_reason reason, goc_site site);
void sync_mutex_unlock(goc_mutex *m, goc_site site);

#endif
