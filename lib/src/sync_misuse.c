/* What the sync package says when it is misused: Go's exact line first (so
 * a learner can search for it), then what to look at in their code. */
#include <stdio.h>

#include "sync_internal.h"

static const struct {
    const char *kind;
    const char *go_message;
    const char *hint;
} misuse[SYNC_MISUSE_COUNT] = {
    [SYNC_NEGATIVE_WG_COUNTER] = {"panic", "sync: negative WaitGroup counter",
        "goc_wg_done ran more times than goc_wg_add added: call goc_wg_add(&wg, 1) once per "
        "goroutine before goc_go, and goc_wg_done(&wg) once at the end of each goroutine."},
    [SYNC_WG_REUSED] = {"panic", "sync: WaitGroup is reused before previous Wait has returned",
        "goc_wg_add was called again while a goc_wg_wait on the same WaitGroup was still "
        "returning: let every goc_wg_wait return before adding to it again."},
    [SYNC_WG_ADD_DURING_WAIT] = {"panic", "sync: WaitGroup misuse: Add called concurrently with Wait",
        "Call goc_wg_add before starting the goroutine (and before goc_wg_wait), not inside "
        "the goroutine."},
    [SYNC_UNLOCK_OF_UNLOCKED_MUTEX] = {"fatal error", "sync: unlock of unlocked mutex",
        "Each goc_mutex_unlock must pair with an earlier goc_mutex_lock of the same mutex: look "
        "for a path that unlocks twice, or unlocks a mutex it never locked."},
    [SYNC_RUNLOCK_OF_UNLOCKED_RWMUTEX] = {"fatal error", "sync: RUnlock of unlocked RWMutex",
        "Each goc_rwmutex_runlock must pair with an earlier goc_rwmutex_rlock: look for a "
        "second runlock, or a runlock used where goc_rwmutex_unlock was meant."},
    [SYNC_UNLOCK_OF_UNLOCKED_RWMUTEX] = {"fatal error", "sync: Unlock of unlocked RWMutex",
        "goc_rwmutex_unlock releases the writer lock taken by goc_rwmutex_lock; readers release "
        "with goc_rwmutex_runlock."},
};

void sync_die(sync_misuse what, goc_site site)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s\n%s", misuse[what].go_message, misuse[what].hint);
    sched_die(misuse[what].kind, site, msg);
}

static const struct {
    const char *go_type, *c_type, *var;
} kinds[SYNC_KIND_COUNT] = {
    [SYNC_WAITGROUP] = {"WaitGroup", "goc_waitgroup", "wg"},
    [SYNC_MUTEX] = {"Mutex", "goc_mutex", "mu"},
    [SYNC_RWMUTEX] = {"RWMutex", "goc_rwmutex", "rw"},
    [SYNC_ONCE] = {"Once", "goc_once", "once"},
};

static GOC_NORETURN void die_copied(const void *first, const void *obj, sync_kind kind, goc_site site)
{
    char msg[1024];
    snprintf(msg, sizeof msg,
             "sync: %s was copied after first use\n"
             "%s:%d: this %s is a copy (at %p) of one already used at %p; a copy has its own "
             "state, so the goroutines no longer share it. Pass &%s, not %s, to functions and "
             "goroutines, and keep structs that hold it behind a pointer. (Memory from malloc is not "
             "zeroed: allocate sync objects with calloc, or set them to {0}, before first use.)",
             kinds[kind].go_type, site.file ? site.file : "?", site.line, kinds[kind].c_type, obj,
             first, kinds[kind].var, kinds[kind].var);
    sched_die("fatal error", site, msg);
}

void sync_check_self(void *_Atomic *self, const void *obj, sync_kind kind, goc_site site)
{
    void *seen = atomic_load_explicit(self, memory_order_acquire);
    if (seen == obj)
        return;
    /* A failed CAS leaves the winner's address in `seen`: equal to ours if
     * another goroutine raced us to the first use of the same object. */
    if (seen == NULL && (atomic_compare_exchange_strong(self, &seen, (void *)obj) || seen == obj))
        return;
    die_copied(seen, obj, kind, site);
}
