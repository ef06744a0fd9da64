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
    pthread_mutex_t lock;
    /* Optional, set by time.c on a timer's channel: goc_chan_free calls it
     * first (a goc_after channel stops its timer, as Go >= 1.23 collects an
     * unreferenced timer; a ticker's channel refuses to be freed alone). */
    void (*on_free)(goc_chan *c, void *arg, goc_site freed_at);
    void *on_free_arg;
    _Atomic(uintptr_t) lock_owner; /* the holder's pthread_self(), for "lock held" checks */
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

void chan_lock(goc_chan *c);
void chan_unlock(void *c);
/* "c is locked by the caller": every function below marked "c locked"
 * checks it. */
#define chan_assert_locked(c) \
    invariant(atomic_load_explicit(&(c)->lock_owner, memory_order_relaxed) == (uintptr_t)pthread_self(), \
              "a channel operation ran without holding the channel's lock")

/* Checks that c is a live channel and the value size fits; panics if not,
 * naming the likely cause (freed twice, used after free, never made). */
void chan_validate(const goc_chan *c, size_t elem_size, const char *op, goc_site site);

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
void chan_buf_put(goc_chan *c, const void *elem);
void chan_buf_take(goc_chan *c, void *elem);
/* Receive from a closed, drained channel: the zero value. */
void chan_zero(const goc_chan *c, void *elem);

#endif
