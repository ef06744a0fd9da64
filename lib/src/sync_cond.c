/* sync.Cond on a semaphore.
 *
 * `waiters` counts goroutines inside wait that no signal has claimed yet.
 * A waiter counts itself before it unlocks L, so a signal that comes
 * between the unlock and the sleep still finds it: the signal's release
 * stays in the semaphore and the sleep returns at once.  Signal claims one
 * waiter (a CAS from n to n-1) and releases one permit, handed straight to
 * the longest sleeper; broadcast claims them all.  A signal with nobody
 * waiting does nothing, as in Go. */
#include <stdio.h>

#include "sema.h"
#include "sync_internal.h"

static void check_cond(goc_cond *c, const char *op, goc_site site)
{
    if (!c)
        sched_die("panic", site, "sync.Cond used through a NULL pointer");
    SYNC_CHECK_SELF(c, SYNC_COND, site);
    if (!c->L) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "%s on a goc_cond with no mutex.\n"
                 "Make it with goc_cond_make(&mu), as Go's sync.NewCond(&mu).", op);
        sched_die("panic", site, msg);
    }
}

void goc_cond_wait_at(goc_cond *c, goc_site site)
{
    check_cond(c, "goc_cond_wait", site);
    atomic_fetch_add(&c->waiters, 1);
    goc_mutex_unlock_at(c->L, site); /* "unlock of unlocked mutex" if L was not held */
    sema_acquire(&c->sema, WAIT_COND, site);
    goc_mutex_lock_at(c->L, site);
}

void goc_cond_signal_at(goc_cond *c, goc_site site)
{
    check_cond(c, "goc_cond_signal", site);
    uint32_t n = atomic_load(&c->waiters);
    while (n > 0)
        if (atomic_compare_exchange_weak(&c->waiters, &n, n - 1)) {
            sema_release(&c->sema, true);
            return;
        }
}

void goc_cond_broadcast_at(goc_cond *c, goc_site site)
{
    check_cond(c, "goc_cond_broadcast", site);
    for (uint32_t n = atomic_exchange(&c->waiters, 0); n > 0; n--)
        sema_release(&c->sema, true);
}
