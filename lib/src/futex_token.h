/* Wake-up tokens on a futex word, the one park/ready primitive both
 * schedulers build on: a thread takes its token to sleep and another posts
 * it to wake it, in either order, so a post between "I will sleep" and the
 * sleep itself is never lost.  States: 0 empty, 1 posted, 2 the owner
 * sleeps in the kernel (only then does a post make a system call). */
#ifndef GOC_FUTEX_TOKEN_H
#define GOC_FUTEX_TOKEN_H

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sched_common.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static inline void futex_wait(_Atomic(uint32_t) *word, uint32_t val)
{
    /* A sleeping thread still runs a stop's freeze handler or a watched
     * signal's handler, under TSan too. */
    if (syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0) != 0 &&
        errno == EINTR)
        stop_after_eintr();
}

static inline void futex_wake(_Atomic(uint32_t) *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Takes the token, sleeping until one is posted.  A short spin first: a
 * ping-pong partner usually answers within microseconds, and a futex sleep
 * plus wake costs more than that. */
static inline void token_take(_Atomic(uint32_t) *tok, int spins)
{
    for (int i = 0; i < spins; i++) {
        uint32_t one = 1;
        if (atomic_load_explicit(tok, memory_order_relaxed) == 1 &&
            atomic_compare_exchange_weak(tok, &one, 0))
            return;
        cpu_relax();
    }
    for (;;) {
        uint32_t v = atomic_load(tok);
        if (v == 1) {
            if (atomic_compare_exchange_strong(tok, &v, 0))
                return;
            continue;
        }
        if (v == 0 && !atomic_compare_exchange_strong(tok, &v, 2))
            continue;
        futex_wait(tok, 2);
    }
}

/* Posts the token, entering the kernel only if the owner sleeps; returns
 * the state before (1: it was already posted). */
static inline uint32_t token_post(_Atomic(uint32_t) *tok)
{
    uint32_t old = atomic_exchange(tok, 1);
    if (old == 2)
        futex_wake(tok);
    return old;
}

#endif
