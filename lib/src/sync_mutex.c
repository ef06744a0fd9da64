/* sync.Mutex, after Go's sync/mutex.go.
 *
 * state: bit 0 locked, bit 1 a waiter has been woken (so Unlock need not
 * wake another), bit 2 starving, the rest the number of waiters.  Normal
 * mode lets a newcomer beat a woken waiter (fast, unfair); a waiter that
 * waited over 1 ms switches the mutex to starvation mode, where Unlock
 * hands it straight to the first waiter.  Every access is a sequentially
 * consistent atomic, so an Unlock happens-before the next Lock for
 * ThreadSanitizer as well. */
#include <unistd.h>

#include "sema.h"
#include "sync_internal.h"

enum {
    MUTEX_LOCKED = 1,
    MUTEX_WOKEN = 2,
    MUTEX_STARVING = 4,
    MUTEX_WAITER_SHIFT = 3,
    MUTEX_WAITER = 1 << MUTEX_WAITER_SHIFT,
    ACTIVE_SPIN = 4,      /* spin rounds before queueing */
    ACTIVE_SPIN_CNT = 30, /* pause instructions per round */
};

#define STARVATION_THRESHOLD_NS 1000000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Spinning only pays when the holder runs on another CPU. */
static bool can_spin(int iter)
{
    static _Atomic(long) ncpu;
    long n = atomic_load_explicit(&ncpu, memory_order_relaxed);
    if (n == 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        atomic_store_explicit(&ncpu, n, memory_order_relaxed);
    }
    return iter < ACTIVE_SPIN && n > 1;
}

static void spin(void)
{
    for (int i = 0; i < ACTIVE_SPIN_CNT; i++)
        cpu_relax();
}

static void lock_slow(goc_mutex *m, sched_wait_reason reason, goc_site site)
{
    int64_t wait_start = 0;
    bool starving = false, awoke = false;
    int iter = 0;
    int32_t old = atomic_load(&m->state);
    for (;;) {
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && can_spin(iter)) {
            /* Setting `woken` tells Unlock not to wake a sleeper we would
             * only compete with. */
            if (!awoke && !(old & MUTEX_WOKEN) && (old >> MUTEX_WAITER_SHIFT) != 0 &&
                atomic_compare_exchange_strong(&m->state, &old, old | MUTEX_WOKEN))
                awoke = true;
            spin();
            iter++;
            old = atomic_load(&m->state);
            continue;
        }
        int32_t new = old;
        if (!(old & MUTEX_STARVING))
            new |= MUTEX_LOCKED; /* a starving mutex belongs to the queue */
        if (old & (MUTEX_LOCKED | MUTEX_STARVING))
            new += MUTEX_WAITER;
        if (starving && (old & MUTEX_LOCKED))
            new |= MUTEX_STARVING;
        if (awoke)
            new &= ~MUTEX_WOKEN;
        if (!atomic_compare_exchange_strong(&m->state, &old, new))
            continue;
        if (!(old & (MUTEX_LOCKED | MUTEX_STARVING)))
            return; /* locked it with the CAS */
        bool requeue = wait_start != 0;
        if (!requeue)
            wait_start = sched_nanotime();
        if (requeue)
            sema_acquire_lifo(&m->sema, reason, site);
        else
            sema_acquire(&m->sema, reason, site);
        starving = starving || sched_nanotime() - wait_start > STARVATION_THRESHOLD_NS;
        old = atomic_load(&m->state);
        if (old & MUTEX_STARVING) {
            /* Handed to us: take it and leave the queue in one step. */
            int32_t delta = MUTEX_LOCKED - MUTEX_WAITER;
            if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1)
                delta -= MUTEX_STARVING; /* last waiter, or no longer starved */
            atomic_fetch_add(&m->state, delta);
            return;
        }
        awoke = true;
        iter = 0;
    }
}

void sync_mutex_lock(goc_mutex *m, sched_wait_reason reason, goc_site site)
{
    int32_t unlocked = 0;
    if (atomic_compare_exchange_strong(&m->state, &unlocked, MUTEX_LOCKED))
        return;
    lock_slow(m, reason, site);
}

static void unlock_slow(goc_mutex *m, int32_t new, goc_site site)
{
    if (!((new + MUTEX_LOCKED) & MUTEX_LOCKED))
        sync_die(SYNC_UNLOCK_OF_UNLOCKED_MUTEX, site);
    if (new & MUTEX_STARVING) {
        sema_release(&m->sema, true);
        return;
    }
    int32_t old = new;
    for (;;) {
        /* Nobody to wake, or someone is already awake or holds it. */
        if ((old >> MUTEX_WAITER_SHIFT) == 0 || (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)))
            return;
        if (atomic_compare_exchange_strong(&m->state, &old, (old - MUTEX_WAITER) | MUTEX_WOKEN)) {
            sema_release(&m->sema, false);
            return;
        }
    }
}

void sync_mutex_unlock(goc_mutex *m, goc_site site)
{
    int32_t new = atomic_fetch_sub(&m->state, MUTEX_LOCKED) - MUTEX_LOCKED;
    if (new != 0)
        unlock_slow(m, new, site);
}

void goc_mutex_lock_at(goc_mutex *m, goc_site site)
{
    SYNC_CHECK_SELF(m, SYNC_MUTEX, site);
    sync_mutex_lock(m, WAIT_MUTEX, site);
}

void goc_mutex_unlock_at(goc_mutex *m, goc_site site)
{
    SYNC_CHECK_SELF(m, SYNC_MUTEX, site);
    sync_mutex_unlock(m, site);
}

bool goc_mutex_trylock_at(goc_mutex *m, goc_site site)
{
    SYNC_CHECK_SELF(m, SYNC_MUTEX, site);
    int32_t old = atomic_load(&m->state);
    if (old & (MUTEX_LOCKED | MUTEX_STARVING))
        return false;
    return atomic_compare_exchange_strong(&m->state, &old, old | MUTEX_LOCKED);
}
