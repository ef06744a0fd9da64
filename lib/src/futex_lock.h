/* A small lock on a futex word for locks held for a few instructions (a
 * channel's), after Go's runtime lock (lock_futex.go): spin a little,
 * yield once, then sleep in the kernel.
 *
 * Why not a pthread mutex: glibc's checks the mutex type, counts users and
 * records the owner around its atomic, behind a call through the PLT
 * (about 50 instructions a lock/unlock pair, twice per channel
 * operation), and a contended one goes straight to the kernel, while the
 * holder (another CPU's worker, a few nanoseconds from unlocking) would
 * have let go before the system call returned.
 *
 * The unlock must not miss a sleeper: it frees the word, then reads the
 * sleeper count, while a sleeper counts itself, then reads the word; one
 * of the two must see the other's write, which needs a full fence on both
 * sides between the write and the read.  Go's unlock pays it on every
 * unlock (an exchange, a locked instruction).  Here the sleeper pays it
 * instead, with membarrier(), which makes every running thread of the
 * process execute one: the unlock is a plain store, and the expensive
 * fence runs only on the way to a futex sleep, which costs microseconds
 * anyway.  Without membarrier (an old kernel, valgrind) the unlock is the
 * exchange.  (The same asymmetric fence as Linux's rseq users and folly's
 * asymmetric barrier.)
 *
 * Under ThreadSanitizer the lock is announced as a mutex, its own atomics
 * hidden, so TSan orders a holder's writes before the next holder's reads
 * exactly as for a pthread mutex (it does not model membarrier). */
#ifndef GOC_FUTEX_LOCK_H
#define GOC_FUTEX_LOCK_H

#include <stdbool.h>

#include "futex_token.h"

#if defined(__SANITIZE_THREAD__)
#define FUTEX_LOCK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FUTEX_LOCK_TSAN 1
#endif
#endif

#ifdef FUTEX_LOCK_TSAN
void __tsan_mutex_destroy(void *addr, unsigned flags);
void __tsan_mutex_pre_lock(void *addr, unsigned flags);
void __tsan_mutex_post_lock(void *addr, unsigned flags, int recursion);
int __tsan_mutex_pre_unlock(void *addr, unsigned flags);
void __tsan_mutex_post_unlock(void *addr, unsigned flags);
#define FUTEX_LOCK_ANNOTATE(call) call
#else
#define FUTEX_LOCK_ANNOTATE(call) ((void)0)
#endif

typedef struct futex_lock {
    _Atomic(uint32_t) key;      /* 0 free, 1 held */
    _Atomic(uint32_t) sleepers; /* threads in, or on their way to, the futex sleep */
} futex_lock;

enum { FUTEX_LOCK_FREE = 0, FUTEX_LOCK_HELD = 1 };

/* Unlocks are a plain store (membarrier registered); set once by
 * futex_lock_setup before the first lock is used. */
extern _Atomic(bool) futex_lock_light_unlock;

/* Call before making the first lock (goc_chan_make does). */
void futex_lock_setup(void);

/* The contended path (futex_lock.c). */
void futex_lock_slow(futex_lock *l);

static inline void futex_lock_acquire(futex_lock *l)
{
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_pre_lock(l, 0));
    if (atomic_exchange_explicit(&l->key, FUTEX_LOCK_HELD, memory_order_acquire) != FUTEX_LOCK_FREE)
        futex_lock_slow(l);
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_post_lock(l, 0, 0));
}

static inline void futex_lock_release(futex_lock *l)
{
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_pre_unlock(l, 0));
    if (atomic_load_explicit(&futex_lock_light_unlock, memory_order_relaxed)) {
        atomic_store_explicit(&l->key, FUTEX_LOCK_FREE, memory_order_release);
        atomic_signal_fence(memory_order_seq_cst); /* the compiler's half; membarrier is the CPU's */
    } else {
        atomic_exchange_explicit(&l->key, FUTEX_LOCK_FREE, memory_order_seq_cst);
    }
    if (atomic_load_explicit(&l->sleepers, memory_order_seq_cst) != 0)
        futex_wake(&l->key);
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_post_unlock(l, 0));
}

/* Before the lock's memory is freed: TSan forgets it (a later lock at the
 * same address is a new one). */
static inline void futex_lock_destroy(futex_lock *l)
{
    (void)l;
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_destroy(l, 0));
}

#endif
