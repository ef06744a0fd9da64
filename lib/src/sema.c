/* Address-keyed semaphores, after Go's runtime/sema.go.
 *
 * Waiters are records on the waiting goroutine's stack, linked into the
 * bucket its semaphore's address hashes to.  `nwait` lets a release with
 * nobody waiting skip the bucket lock: the release increments the count and
 * then reads nwait, an acquire increments nwait and then re-reads the count,
 * both sequentially consistent, so one of them always sees the other. */
#include "sema.h"

#include <pthread.h>

#include "invariant.h"

#define SEMA_BUCKETS 251 /* prime, as in Go's semtable */

typedef struct sema_waiter {
    goc_g *g;
    _Atomic(uint32_t) *addr;
    _Atomic(bool) ticket; /* the releaser already took the count for us (handoff) */
    _Atomic(bool) queued; /* in the bucket: set and cleared under its lock */
    struct sema_waiter *prev, *next;
} sema_waiter;

typedef struct sema_bucket {
    pthread_mutex_t lock;
    sema_waiter *first, *last;
    _Atomic(uint32_t) nwait;
} sema_bucket;

static sema_bucket table[SEMA_BUCKETS];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
    for (int i = 0; i < SEMA_BUCKETS; i++) {
        pthread_mutex_init(&table[i].lock, NULL);
        table[i].first = table[i].last = NULL;
        atomic_store(&table[i].nwait, 0);
    }
}

static sema_bucket *bucket_of(const void *addr)
{
    pthread_once(&table_once, table_init);
    return &table[((uintptr_t)addr >> 3) % SEMA_BUCKETS];
}

static bool can_acquire(_Atomic(uint32_t) *addr)
{
    uint32_t v = atomic_load(addr);
    while (v != 0)
        if (atomic_compare_exchange_weak(addr, &v, v - 1))
            return true;
    return false;
}

/* ---- wait list (bucket lock held) ---------------------------------------- */

static void enqueue(sema_bucket *b, sema_waiter *w, bool lifo)
{
    invariant(!w->queued, "a semaphore waiter was queued twice");
    w->queued = true;
    if (lifo) {
        w->prev = NULL;
        w->next = b->first;
        if (b->first)
            b->first->prev = w;
        else
            b->last = w;
        b->first = w;
        return;
    }
    w->next = NULL;
    w->prev = b->last;
    if (b->last)
        b->last->next = w;
    else
        b->first = w;
    b->last = w;
}

/* The first waiter for addr: other addresses share the bucket. */
static sema_waiter *dequeue(sema_bucket *b, _Atomic(uint32_t) *addr)
{
    sema_waiter *w = b->first;
    while (w && w->addr != addr)
        w = w->next;
    if (!w)
        return NULL;
    invariant(w->prev ? w->prev->next == w : b->first == w, "a semaphore's waiter queue is corrupted");
    invariant(w->next ? w->next->prev == w : b->last == w, "a semaphore's waiter queue is corrupted");
    w->queued = false;
    if (w->prev)
        w->prev->next = w->next;
    else
        b->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        b->last = w->prev;
    return w;
}

static void bucket_unlock(void *b) { pthread_mutex_unlock(&((sema_bucket *)b)->lock); }

/* ---- acquire / release ----------------------------------------------------- */

static void acquire(_Atomic(uint32_t) *addr, sched_wait_reason reason, goc_site site, bool lifo)
{
    if (can_acquire(addr))
        return;
    sema_bucket *b = bucket_of(addr);
    sema_waiter w = {.g = sched_current(), .addr = addr};
    for (;;) {
        pthread_mutex_lock(&b->lock);
        atomic_fetch_add(&b->nwait, 1);
        if (can_acquire(addr)) {
            atomic_fetch_sub(&b->nwait, 1);
            pthread_mutex_unlock(&b->lock);
            return;
        }
        w.ticket = false;
        enqueue(b, &w, lifo);
        sched_park(reason, site, bucket_unlock, b);
        /* The releaser dequeued us before readying us (the park's token
         * orders its write before this read). */
        invariant(!atomic_load_explicit(&w.queued, memory_order_relaxed),
                  "spurious wakeup of a goroutine blocked on a semaphore");
        /* Without a ticket the count was released to anyone: it may have
         * been taken by a newcomer, in which case we queue again. */
        if (w.ticket || can_acquire(addr))
            return;
    }
}

void sema_acquire(_Atomic(uint32_t) *addr, sched_wait_reason reason, goc_site site)
{
    acquire(addr, reason, site, false);
}

void sema_acquire_lifo(_Atomic(uint32_t) *addr, sched_wait_reason reason, goc_site site)
{
    acquire(addr, reason, site, true);
}

void sema_release(_Atomic(uint32_t) *addr, bool handoff)
{
    atomic_fetch_add(addr, 1);
    sema_bucket *b = bucket_of(addr);
    if (atomic_load(&b->nwait) == 0)
        return;
    pthread_mutex_lock(&b->lock);
    sema_waiter *w = atomic_load(&b->nwait) ? dequeue(b, addr) : NULL;
    if (w)
        atomic_fetch_sub(&b->nwait, 1);
    pthread_mutex_unlock(&b->lock);
    if (!w)
        return;
    if (handoff && can_acquire(addr))
        w->ticket = true;
    /* w lives on the waiter's stack: once it is ready, w may be gone. */
    sched_ready(w->g);
}

void sema_after_fork_child(void) { table_init(); }
