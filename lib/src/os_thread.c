/* Thread starts that fork() waits for: see os_thread.h. */
#include "os_thread.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "invariant.h"

static struct {
    pthread_mutex_t lock; /* held by the forking thread from prepare to parent/child */
    pthread_cond_t none_starting;
    int starting; /* created, not yet in their function */
} O = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

typedef struct start_args {
    void *(*fn)(void *);
    void *arg;
} start_args;

static void *trampoline(void *p)
{
    start_args a = *(start_args *)p;
    free(p);
    pthread_mutex_lock(&O.lock);
    if (--O.starting == 0)
        pthread_cond_broadcast(&O.none_starting);
    pthread_mutex_unlock(&O.lock);
    return a.fn(a.arg);
}

int os_thread_start(const os_thread_spec *spec, pthread_t *out)
{
    os_thread_init();
    start_args *a = malloc(sizeof *a);
    if (!a)
        return ENOMEM;
    a->fn = spec->fn;
    a->arg = spec->arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (spec->stack_size)
        pthread_attr_setstacksize(&attr, spec->stack_size);
    sigset_t all, old;
    if (spec->block_signals) {
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
    }
    pthread_mutex_lock(&O.lock);
    O.starting++;
    pthread_mutex_unlock(&O.lock);
    pthread_t thread;
    int err = pthread_create(&thread, &attr, trampoline, a);
    if (spec->block_signals)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err) {
        free(a);
        pthread_mutex_lock(&O.lock);
        if (--O.starting == 0)
            pthread_cond_broadcast(&O.none_starting);
        pthread_mutex_unlock(&O.lock);
        return err;
    }
    if (out)
        *out = thread;
    return 0;
}

static void atfork_prepare(void)
{
    pthread_mutex_lock(&O.lock);
    while (O.starting > 0)
        pthread_cond_wait(&O.none_starting, &O.lock);
}

static void atfork_parent(void) { pthread_mutex_unlock(&O.lock); }

static void atfork_child(void)
{
    invariant(O.starting == 0, "a thread was starting across fork");
    /* Unlocked, not re-initialised: see the schedulers' atfork_child. */
    pthread_mutex_unlock(&O.lock);
}

static void register_handlers(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

void os_thread_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_handlers);
}
