/* Channel internals shared by chan.c, select.c and the timer users.
 *
 * The layout follows Go's runtime/chan.go: a lock, a circular buffer, and
 * two queues of waiters (Go's sudogs).  A waiter lives on the stack of the
 * parked goroutine; whoever completes the communication copies the value
 * straight to or from the waiter's memory, sets `success`, points the
 * goroutine's `param` at the waiter and readies it. */
#ifndef GOC_CHAN_INTERNAL_H
#define GOC_CHAN_INTERNAL_H

#include <pthread.h>
#include <string.h>

#include "futex_lock.h"
#include "goc/chan.h"
#include "invariant.h"
#include "sched.h"

typedef struct chan_waiter {
    goc_g *g;
    void *elem; /* send: the value; receive: destination (NULL: discard) */
    goc_chan *c;
    int case_index; /* select: which case this waiter stands for */
    bool is_select;
    /* Set by the partner that completes (or the closer that ends) this
     * wait, read by the waiter once it is readied. */
    _Atomic(bool) success; /* the communication happened (false: woken by close) */
    bool queued; /* on c's queue (under c's lock) */
    struct chan_waiter *prev, *next;
} chan_waiter;

typedef struct chan_waitq {
    chan_waiter *first, *last;
} chan_waitq;

struct goc_chan {
    futex_lock lock;
    /* Optional, set by time.c on a timer's channel: goc_chan_free calls it
     * first (a goc_after channel stops its timer, as Go >= 1.23 collects an
     * unreferenced timer; a ticker's channel refuses to be freed alone). */
    void (*on_free)(goc_chan *c, void *arg, goc_site freed_at);
    void *on_free_arg;
    _Atomic(uintptr_t) lock_owner; /* the holder's chan_thread_id(), for "lock held" checks */
    uint64_t magic;
    size_t elem_size;
    size_t cap;
    size_t count; /* values in buf */
    size_t sendx, recvx;
    char *buf;
    bool closed;
    chan_waitq recvq, sendq;
    _Atomic(int) refs; /* the maker's (timers take none: freeing stops them first) */
    _Atomic(bool) owner_freed; /* goc_chan_free was called (a timer may still hold it) */
    const char *elem_type;
    goc_site made_at;
    goc_site freed_at; /* where goc_chan_free was called, for "freed twice" */
};

#define CHAN_MAGIC 0x676f632d6368616eULL       /* "goc-chan" */
#define CHAN_FREED_MAGIC 0x66726565642d6368ULL /* "freed-ch": released, in quarantine */

/* The calling thread, for the "lock held" checks: its thread pointer (what
 * pthread_self() returns on x86-64 glibc), read in one instruction.  The
 * asm is volatile so that the compiler reads it afresh each time: across a
 * park a goroutine may come back on another worker thread, and a cached
 * TLS address would name the old one. */
static inline uintptr_t chan_thread_id(void)
{
    uintptr_t tp;
#if defined(__x86_64__)
    __asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
#elif defined(__aarch64__)
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
#else
    tp = (uintptr_t)pthread_self();
#endif
    return tp;
}

/* "c is locked by the caller": every function below marked "c locked"
 * checks it. */
#define chan_assert_locked(c) \
    invariant(atomic_load_explicit(&(c)->lock_owner, memory_order_relaxed) == chan_thread_id(), \
              "a channel operation ran without holding the channel's lock")

static inline void chan_lock(goc_chan *c)
{
    futex_lock_acquire(&c->lock);
    invariant(atomic_load_explicit(&c->lock_owner, memory_order_relaxed) == 0,
              "a channel's lock was taken while another holder was recorded");
    atomic_store_explicit(&c->lock_owner, chan_thread_id(), memory_order_relaxed);
}

static inline void chan_unlock(goc_chan *c)
{
    chan_assert_locked(c);
    atomic_store_explicit(&c->lock_owner, 0, memory_order_relaxed);
    futex_lock_release(&c->lock);
}

/* chan_unlock as sched_park's unlock callback. */
void chan_unlock_parked(void *c);

/* Checks that c is a live channel and the value size fits; panics if not,
 * naming the likely cause (freed twice, used after free, never made).
 * Inline: every send and receive runs it. */
GOC_NORETURN void chan_invalid(const goc_chan *c, size_t elem_size, const char *op, goc_site site);
static inline void chan_validate(const goc_chan *c, size_t elem_size, const char *op, goc_site site)
{
    if (__builtin_expect(c->magic != CHAN_MAGIC ||
                             atomic_load_explicit(&((goc_chan *)c)->owner_freed, memory_order_relaxed) ||
                             (elem_size != (size_t)-1 && elem_size != c->elem_size),
                         0))
        chan_invalid(c, elem_size, op, site);
}

void chan_retain(goc_chan *c);
void chan_release(goc_chan *c);

/* Close for code that may run off a goroutine (timer callbacks): it never
 * registers the calling thread.  False if c was already closed. */
bool chan_close_internal(goc_chan *c);

/* A non-blocking send for timer callbacks: true if delivered. */
bool chan_try_send_internal(goc_chan *c, const void *elem);

void waitq_enqueue(chan_waitq *q, chan_waiter *w);
/* The first waiter that can still be taken: a select waiter whose
 * goroutine was already won by another case is skipped (Go's dequeue). */
chan_waiter *waitq_dequeue(chan_waitq *q);
void waitq_remove(chan_waitq *q, chan_waiter *w);

/* The parts of send and receive that select shares with the plain forms,
 * called with c locked.  The *_waiter forms complete a parked partner's
 * half; after unlocking, the caller must chan_wake() that partner. */
void chan_send_to_waiter(goc_chan *c, chan_waiter *w, const void *elem);
void chan_recv_from_waiter(goc_chan *c, chan_waiter *w, void *elem);
void chan_wake(chan_waiter *w);

/* Copies one element: a call to memcpy for a size the compiler does not
 * know costs more than the copy itself for the usual word-sized values. */
static inline void chan_copy(void *dst, const void *src, size_t size)
{
    switch (size) {
    case 8: memcpy(dst, src, 8); break;
    case 4: memcpy(dst, src, 4); break;
    case 1: memcpy(dst, src, 1); break;
    default: memcpy(dst, src, size); break;
    }
}

static inline void *chan_slot(const goc_chan *c, size_t i) { return c->buf + i * c->elem_size; }

/* Buffer put and take, c locked. */
static inline void chan_buf_put(goc_chan *c, const void *elem)
{
    chan_assert_locked(c);
    invariant(c->count < c->cap, "a value was put into a full channel buffer");
    chan_copy(chan_slot(c, c->sendx), elem, c->elem_size);
    if (++c->sendx == c->cap)
        c->sendx = 0;
    c->count++;
}

static inline void chan_buf_take(goc_chan *c, void *elem)
{
    chan_assert_locked(c);
    invariant(c->count > 0 && c->count <= c->cap, "a value was taken from an empty channel buffer");
    void *s = chan_slot(c, c->recvx);
    if (elem)
        chan_copy(elem, s, c->elem_size);
    /* Cleared, as Go clears a taken slot: the buffer holds no value that
     * was already received. */
    if (c->elem_size == 8)
        memset(s, 0, 8);
    else
        memset(s, 0, c->elem_size);
    if (++c->recvx == c->cap)
        c->recvx = 0;
    c->count--;
}

/* Receive from a closed, drained channel: the zero value. */
void chan_zero(const goc_chan *c, void *elem);

#endif
