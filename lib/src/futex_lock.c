/* futex_lock's set-up and contended path (see futex_lock.h). */
#include "futex_lock.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

enum {
    SPIN_ROUNDS = 4,  /* rounds of watching the word before yielding */
    SPIN_PAUSES = 30, /* pause instructions per round */
};

_Atomic(bool) futex_lock_light_unlock;

static void setup_once(void)
{
    bool light = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
    atomic_store_explicit(&futex_lock_light_unlock, light, memory_order_relaxed);
}

void futex_lock_setup(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, setup_once);
}

static bool try_take(futex_lock *l)
{
    uint32_t free = FUTEX_LOCK_FREE;
    return atomic_load_explicit(&l->key, memory_order_relaxed) == FUTEX_LOCK_FREE &&
           atomic_compare_exchange_strong_explicit(&l->key, &free, FUTEX_LOCK_HELD, memory_order_acquire,
                                                   memory_order_relaxed);
}

/* Sleeps while the word says held.  The heavy half of the fence comes
 * first when unlocks are light.  Should it fail (a forked child that the
 * kernel does not count as registered), a wake-up could be missed: then
 * the sleep is bounded, so the worst case is a late waiter, never a hung
 * one. */
static void sleep_while_held(futex_lock *l)
{
    const struct timespec *bound = NULL;
    static const struct timespec one_ms = {0, 1000000};
    if (atomic_load_explicit(&futex_lock_light_unlock, memory_order_relaxed) &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        bound = &one_ms;
    if (atomic_load_explicit(&l->key, memory_order_seq_cst) == FUTEX_LOCK_FREE)
        return;
    if (syscall(SYS_futex, (uint32_t *)&l->key, FUTEX_WAIT_PRIVATE, FUTEX_LOCK_HELD, bound, NULL, 0) != 0 &&
        errno == EINTR)
        stop_after_eintr();
}

void futex_lock_slow(futex_lock *l)
{
    for (int round = 0; round <= SPIN_ROUNDS; round++) {
        if (try_take(l))
            return;
        if (round < SPIN_ROUNDS)
            for (int i = 0; i < SPIN_PAUSES; i++)
                cpu_relax();
        else
            sched_yield(); /* the holder may be waiting for our CPU */
    }
    for (;;) {
        atomic_fetch_add_explicit(&l->sleepers, 1, memory_order_seq_cst);
        sleep_while_held(l);
        atomic_fetch_sub_explicit(&l->sleepers, 1, memory_order_relaxed);
        if (atomic_exchange_explicit(&l->key, FUTEX_LOCK_HELD, memory_order_acquire) == FUTEX_LOCK_FREE)
            return;
    }
}
