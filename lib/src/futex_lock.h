/* A small lock on a futex word for locks held for a few instructions (a
 * channel's), after Go's runtime lock (lock_futex.go).
 *
 * Why not a pthread mutex: glibc's takes and releases with the same one
 * atomic each, but around it checks the mutex type, counts users and
 * records the owner, behind a call through the PLT: about 50 instructions
 * a lock/unlock pair, twice per channel operation.  And a contended
 * pthread mutex goes straight to the kernel, while the holder (another
 * CPU's worker, a few nanoseconds from unlocking) would have let go
 * before the system call returned: this one spins a little first.
 *
 * States: 0 free, 1 held, 2 held and someone may sleep in the kernel (only
 * then does the unlock make a system call).  Under ThreadSanitizer the
 * lock is announced as a mutex (its own atomics hidden), so TSan orders a
 * holder's writes before the next holder's reads exactly as it does for a
 * pthread mutex, and keeps checking lock order. */
#ifndef GOC_FUTEX_LOCK_H
#define GOC_FUTEX_LOCK_H

#include <sched.h>

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
    _Atomic(uint32_t) key;
} futex_lock;

enum {
    FUTEX_LOCK_FREE = 0,
    FUTEX_LOCK_HELD = 1,
    FUTEX_LOCK_SLEEPERS = 2,
    FUTEX_LOCK_SPINS = 4,   /* rounds of watching the word before yielding */
    FUTEX_LOCK_PAUSES = 30, /* pause instructions per round */
};

/* The contended path, out of line: spin while the holder (on another CPU)
 * finishes, yield the CPU once (the holder may be waiting for ours), then
 * sleep.  `wait` is what we store when we take it: once we have slept, 2,
 * because others may sleep too and the unlock must wake one. */
__attribute__((noinline, unused)) static void futex_lock_slow(futex_lock *l, uint32_t wait)
{
    for (;;) {
        for (int round = 0; round <= FUTEX_LOCK_SPINS; round++) {
            uint32_t free = FUTEX_LOCK_FREE;
            if (atomic_load_explicit(&l->key, memory_order_relaxed) == FUTEX_LOCK_FREE &&
                atomic_compare_exchange_strong_explicit(&l->key, &free, wait, memory_order_acquire,
                                                        memory_order_relaxed))
                return;
            if (round < FUTEX_LOCK_SPINS)
                for (int i = 0; i < FUTEX_LOCK_PAUSES; i++)
                    cpu_relax();
            else
                sched_yield();
        }
        if (atomic_exchange_explicit(&l->key, FUTEX_LOCK_SLEEPERS, memory_order_acquire) == FUTEX_LOCK_FREE)
            return;
        wait = FUTEX_LOCK_SLEEPERS;
        futex_wait(&l->key, FUTEX_LOCK_SLEEPERS);
    }
}

static inline void futex_lock_acquire(futex_lock *l)
{
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_pre_lock(l, 0));
    uint32_t v = atomic_exchange_explicit(&l->key, FUTEX_LOCK_HELD, memory_order_acquire);
    if (v != FUTEX_LOCK_FREE)
        futex_lock_slow(l, v);
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_post_lock(l, 0, 0));
}

static inline void futex_lock_release(futex_lock *l)
{
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_pre_unlock(l, 0));
    if (atomic_exchange_explicit(&l->key, FUTEX_LOCK_FREE, memory_order_release) == FUTEX_LOCK_SLEEPERS)
        futex_wake(&l->key);
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_post_unlock(l, 0));
}

static inline bool futex_lock_held(futex_lock *l)
{
    return atomic_load_explicit(&l->key, memory_order_relaxed) != FUTEX_LOCK_FREE;
}

/* Before the lock's memory is freed: TSan forgets it (a later lock at the
 * same address is a new one). */
static inline void futex_lock_destroy(futex_lock *l)
{
    (void)l;
    FUTEX_LOCK_ANNOTATE(__tsan_mutex_destroy(l, 0));
}

#endif
