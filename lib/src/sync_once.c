/* sync.Once, after Go's sync/once.go: an atomic flag for the fast path,
 * a mutex so that late callers wait until the first call has finished
 * (not merely started), and `done` set only after fn returns. */
#include "sync_internal.h"

void goc_once_do_at(goc_once *once, goc_func fn, void *arg, goc_site site)
{
    if (atomic_load_explicit(&once->done, memory_order_acquire))
        return;
    sync_check_self(&once->m.self, &once->m.self_check, once, SYNC_ONCE, site);
    sync_mutex_lock(&once->m, WAIT_ONCE, site);
    if (!atomic_load_explicit(&once->done, memory_order_relaxed)) {
        fn(arg);
        atomic_store_explicit(&once->done, 1, memory_order_release);
    }
    sync_mutex_unlock(&once->m, site);
}
