/* Goroutine stacks: see stack.h.
 *
 * One mmap per stack with an mprotect'ed guard costs two kernel mappings
 * (VMAs) each, and Linux allows 65,530 per process: about 32,000
 * goroutines.  Instead slots are carved from 64 MB MAP_NORESERVE chunks (one
 * VMA per 1,024 stacks) and the guard page is installed with
 * MADV_GUARD_INSTALL (Linux 6.13), which marks page-table entries without
 * splitting the mapping and survives fork.  Older kernels (and valgrind,
 * which does not know the advice) fall back to mprotect.  Pages are only
 * committed when touched, so a parked goroutine costs the pages its stack
 * really used: usually one. */
#include "stack.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(lo, hi) ((void)(lo), (void)(hi), 0)
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

enum { SLOTS_PER_CHUNK = 1024, MPROTECT_WARN_AT = 30000 };

static struct {
    pthread_mutex_t lock; /* the chunk being carved */
    size_t slot, guard;
    char *chunk;
    size_t left; /* slots left in chunk */
    long mprotect_guards;
} K = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void configure(void)
{
    long page = sysconf(_SC_PAGESIZE);
    K.guard = page > 0 ? (size_t)page : 4096;
    size_t kb = 64;
    const char *env = getenv("GOC_STACK_KB");
    if (env && atoi(env) >= 16)
        kb = (size_t)atoi(env);
    K.slot = (kb * 1024 + K.guard - 1) / K.guard * K.guard;
}

size_t stack_slot_size(void)
{
    pthread_once(&config_once, configure);
    return K.slot;
}

size_t stack_guard_size(void)
{
    pthread_once(&config_once, configure);
    return K.guard;
}

static void die_no_memory(const char *what)
{
    fprintf(stderr,
            "fatal error: cannot allocate a goroutine stack (%s: %s).\n"
            "Too many goroutines are alive at once; limit how many run (a worker pool or a semaphore "
            "channel), or lower GOC_STACK_KB.\n",
            what, strerror(errno));
    _exit(2);
}

static void install_guard(char *lo)
{
    if (madvise(lo, K.guard, MADV_GUARD_INSTALL) == 0)
        return;
    if (mprotect(lo, K.guard, PROT_NONE) != 0)
        die_no_memory("guard page");
    if (__atomic_add_fetch(&K.mprotect_guards, 1, __ATOMIC_RELAXED) == MPROTECT_WARN_AT)
        fputs("libgoc: warning: this kernel has no MADV_GUARD_INSTALL; each goroutine stack now costs "
              "two kernel mappings and the process will run out of them near 32,000 goroutines.\n",
              stderr);
}

char *stack_new_slot(void)
{
    size_t slot = stack_slot_size();
    pthread_mutex_lock(&K.lock);
    if (K.left == 0) {
        char *chunk = mmap(NULL, slot * SLOTS_PER_CHUNK, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (chunk == MAP_FAILED) {
            pthread_mutex_unlock(&K.lock);
            die_no_memory("mmap");
        }
        K.chunk = chunk;
        K.left = SLOTS_PER_CHUNK;
    }
    char *lo = K.chunk;
    K.chunk += slot;
    K.left--;
    pthread_mutex_unlock(&K.lock);
    install_guard(lo);
    (void)VALGRIND_STACK_REGISTER(lo + K.guard, lo + slot);
    return lo;
}

bool stack_in_guard(const char *lo, const void *addr)
{
    uintptr_t a = (uintptr_t)addr, l = (uintptr_t)lo;
    return a >= l && a < l + K.guard;
}

void stack_atfork_prepare(void) { pthread_mutex_lock(&K.lock); }
void stack_atfork_parent(void) { pthread_mutex_unlock(&K.lock); }
/* The chunks and their guards are inherited; the lock, taken by the
 * forking thread (the child's one thread), is unlocked. */
void stack_atfork_child(void) { pthread_mutex_unlock(&K.lock); }
