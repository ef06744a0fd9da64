/* sync.WaitGroup, after Go's sync/waitgroup.go.
 *
 * The counter (high 32 bits) and the number of waiters (low 32 bits) share
 * one 64-bit atomic, `count`, so Add can see in one load whether the
 * counter reached zero with waiters to wake; the separate `waiters` field
 * of the public struct is unused.  When the counter reaches zero the word is
 * reset to 0 before the waiters are released, which is how Wait can tell
 * that somebody reused the group before it returned. */
#include <stdlib.h>

#include "goc/goroutine.h"
#include "sema.h"
#include "sync_internal.h"

static int32_t counter_of(uint64_t state) { return (int32_t)(state >> 32); }
static uint32_t waiters_of(uint64_t state) { return (uint32_t)state; }

void goc_wg_add_at(goc_waitgroup *wg, int64_t delta, goc_site site)
{
    SYNC_CHECK_SELF(wg, SYNC_WAITGROUP, site);
    uint64_t state = (uint64_t)atomic_fetch_add(&wg->count, (int64_t)((uint64_t)delta << 32)) +
                     ((uint64_t)delta << 32);
    int32_t v = counter_of(state);
    uint32_t w = waiters_of(state);
    if (v < 0)
        sync_die(SYNC_NEGATIVE_WG_COUNTER, site);
    if (w != 0 && delta > 0 && v == (int32_t)delta)
        sync_die(SYNC_WG_ADD_DURING_WAIT, site);
    if (v > 0 || w == 0)
        return;
    /* Counter is zero with waiters: nobody may change the word now. */
    if ((uint64_t)atomic_load(&wg->count) != state)
        sync_die(SYNC_WG_ADD_DURING_WAIT, site);
    atomic_store(&wg->count, 0);
    for (; w != 0; w--)
        sema_release(&wg->sema, false);
}

void goc_wg_wait_at(goc_waitgroup *wg, goc_site site)
{
    SYNC_CHECK_SELF(wg, SYNC_WAITGROUP, site);
    int64_t state = atomic_load(&wg->count);
    for (;;) {
        if (counter_of((uint64_t)state) == 0)
            return;
        if (atomic_compare_exchange_weak(&wg->count, &state, state + 1)) {
            sema_acquire(&wg->sema, WAIT_WAITGROUP, site);
            if (atomic_load(&wg->count) != 0)
                sync_die(SYNC_WG_REUSED, site);
            return;
        }
    }
}

/* wg.Go: the goroutine runs fn, then Done, as Go 1.25's does. */
typedef struct wg_task {
    goc_waitgroup *wg;
    goc_func fn;
    void *arg;
    goc_site site;
} wg_task;

static void wg_task_run(void *p)
{
    wg_task t = *(wg_task *)p;
    free(p);
    t.fn(t.arg);
    goc_wg_add_at(t.wg, -1, t.site);
}

void goc_wg_go_at(goc_waitgroup *wg, goc_func fn, void *arg, const char *name, goc_site site)
{
    if (!fn)
        sched_die("panic", site, "goc_wg_go: the function to run is NULL");
    wg_task *t = malloc(sizeof *t);
    if (!t)
        sched_die("fatal error", site, "out of memory starting a goroutine");
    *t = (wg_task){wg, fn, arg, site};
    goc_wg_add_at(wg, 1, site);
    goc_go_at(wg_task_run, t, name, site);
}
