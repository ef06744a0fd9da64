/* The threads libgoc starts for itself (workers, the monitor, the timer
 * and signal threads), started so that fork() never catches one half-born.
 *
 * A thread is not finished being created when pthread_create returns: the
 * new thread still runs its C library's and any sanitizer's start-up code
 * before it reaches its function.  gcc 12's AddressSanitizer (Debian 12's)
 * holds a lock of its own there and does not take it around fork (a bare
 * pthread program that forks as a thread starts hung 139 times in 2,000
 * forks), so a fork in that window leaves the child a lock no
 * thread will ever release: its next pthread_create or exit hangs.  Each
 * start is counted until the thread reaches its function, and the fork
 * handler waits for the count to reach zero while it keeps new starts out. */
#ifndef GOC_OS_THREAD_H
#define GOC_OS_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct os_thread_spec {
    void *(*fn)(void *);
    void *arg;
    size_t stack_size;  /* 0: the system's default */
    bool block_signals; /* the thread starts with every signal blocked */
} os_thread_spec;

/* Starts a detached thread; 0 or pthread_create's error.  *out, if not NULL,
 * names the thread. */
int os_thread_start(const os_thread_spec *spec, pthread_t *out);

/* Registers the fork handlers.  A scheduler calls it before it registers
 * its own, so these run after its prepare (prepare handlers run in reverse
 * order): by then its locks keep its own starts out. */
void os_thread_init(void);

#endif
