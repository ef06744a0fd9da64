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
    const char *go_type, *c_type, *var, *free_after;
} kinds[SYNC_KIND_COUNT] = {
    [SYNC_WAITGROUP] = {"WaitGroup", "goc_waitgroup", "wg", "goc_wg_wait has returned"},
    [SYNC_MUTEX] = {"Mutex", "goc_mutex", "mu", "every goroutine that locks it has finished"},
    [SYNC_RWMUTEX] = {"RWMutex", "goc_rwmutex", "rw", "every goroutine that locks it has finished"},
    [SYNC_ONCE] = {"Once", "goc_once", "once", "every goroutine that calls goc_once_do has finished"},
    [SYNC_COND] = {"Cond", "goc_cond", "c", "every goroutine that waits on it has returned"},
};

/* XORed into the address kept in self_check, so garbage that happens to
 * hold a pointer in `self` does not pass for a copy. */
#define SELF_CHECK_KEY ((uintptr_t)0x9e3779b97f4a7c15ULL)

static GOC_NORETURN void die_copied(const void *first, const void *obj, sync_kind kind, goc_site site)
{
    char msg[1024];
    snprintf(msg, sizeof msg,
             "sync: %s was copied after first use\n"
             "%s:%d: this %s is a copy (at %p) of one already used at %p; a copy has its own "
             "state, so the goroutines no longer share it. Pass &%s, not %s, to functions and "
             "goroutines, and keep structs that hold it behind a pointer.",
             kinds[kind].go_type, site.file ? site.file : "?", site.line, kinds[kind].c_type, obj,
             first, kinds[kind].var, kinds[kind].var);
    sched_die("fatal error", site, msg);
}

static GOC_NORETURN void die_garbage(const void *obj, sync_kind kind, goc_site site)
{
    char msg[1024];
    snprintf(msg, sizeof msg,
             "sync: %s used at %p, which holds no live %s\n"
             "%s:%d: the memory there is garbage. Most likely it was freed too early: the %s, or the "
             "struct or array that holds it (or holds the pointer to it), was freed while goroutines "
             "still used it; free it only after %s. Or it was never initialised: memory from malloc "
             "is not zeroed, so allocate with calloc or set it to {0} before first use.",
             kinds[kind].go_type, obj, kinds[kind].c_type, site.file ? site.file : "?", site.line,
             kinds[kind].c_type, kinds[kind].free_after);
    sched_die("fatal error", site, msg);
}

void sync_check_self(void *_Atomic *self, _Atomic(uintptr_t) *check, const void *obj, sync_kind kind,
                     goc_site site)
{
    void *seen = atomic_load_explicit(self, memory_order_acquire);
    if (seen == obj)
        return;
    /* A failed CAS leaves the winner's address in `seen`: equal to ours if
     * another goroutine raced us to the first use of the same object. */
    if (seen == NULL) {
        if (atomic_compare_exchange_strong(self, &seen, (void *)obj)) {
            atomic_store_explicit(check, (uintptr_t)obj ^ SELF_CHECK_KEY, memory_order_release);
            return;
        }
        if (seen == obj)
            return;
    }
    /* A copy carries the original's address in both fields. */
    if (atomic_load_explicit(check, memory_order_acquire) == ((uintptr_t)seen ^ SELF_CHECK_KEY))
        die_copied(seen, obj, kind, site);
    die_garbage(obj, kind, site);
}
