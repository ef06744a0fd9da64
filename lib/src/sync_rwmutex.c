/* sync.RWMutex, after Go's sync/rwmutex.go.
 *
 * `readers` counts active readers; a writer subtracts MAX_READERS from it,
 * which makes it negative (new readers queue on reader_sema) while keeping
 * the count of readers still inside.  The writer waits on writer_sema until
 * those readers_leaving have gone.  Writers exclude each other with the
 * embedded mutex. */
#include "sema.h"
#include "sync_internal.h"

#define MAX_READERS (1 << 30)

void goc_rwmutex_rlock_at(goc_rwmutex *rw, goc_site site)
{
    SYNC_CHECK_SELF(rw, SYNC_RWMUTEX, site);
    if (atomic_fetch_add(&rw->readers, 1) + 1 < 0)
        sema_acquire(&rw->reader_sema, WAIT_RWMUTEX_R, site); /* a writer is pending */
}

void goc_rwmutex_runlock_at(goc_rwmutex *rw, goc_site site)
{
    SYNC_CHECK_SELF(rw, SYNC_RWMUTEX, site);
    int32_t r = atomic_fetch_sub(&rw->readers, 1) - 1;
    if (r >= 0)
        return;
    if (r + 1 == 0 || r + 1 == -MAX_READERS)
        sync_die(SYNC_RUNLOCK_OF_UNLOCKED_RWMUTEX, site);
    /* A writer is waiting: the last reader it waits for lets it in. */
    if (atomic_fetch_sub(&rw->readers_leaving, 1) - 1 == 0)
        sema_release(&rw->writer_sema, false);
}

void goc_rwmutex_lock_at(goc_rwmutex *rw, goc_site site)
{
    SYNC_CHECK_SELF(rw, SYNC_RWMUTEX, site);
    sync_mutex_lock(&rw->writer, WAIT_RWMUTEX_W, site);
    int32_t r = atomic_fetch_sub(&rw->readers, MAX_READERS);
    if (r != 0 && atomic_fetch_add(&rw->readers_leaving, r) + r != 0)
        sema_acquire(&rw->writer_sema, WAIT_RWMUTEX_W, site);
}

void goc_rwmutex_unlock_at(goc_rwmutex *rw, goc_site site)
{
    SYNC_CHECK_SELF(rw, SYNC_RWMUTEX, site);
    int32_t r = atomic_fetch_add(&rw->readers, MAX_READERS) + MAX_READERS;
    if (r >= MAX_READERS)
        sync_die(SYNC_UNLOCK_OF_UNLOCKED_RWMUTEX, site);
    /* Let in every reader that queued while we held it. */
    for (int32_t i = 0; i < r; i++)
        sema_release(&rw->reader_sema, false);
    sync_mutex_unlock(&rw->writer, site);
}
