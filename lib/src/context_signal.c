/* signal.NotifyContext: a context cancelled when the process receives one
 * of the given signals.
 *
 * A signal handler may do almost nothing, so it only writes the signal's
 * number to a pipe.  A watcher thread (started on first use, not a
 * goroutine) reads the pipe and cancels every context watching that
 * signal, the way Go's os/signal loop forwards signals from the runtime.
 * Releasing the context stops the watch and, when no other context still
 * watches the signal, restores the handling that was there before (Go's
 * stop()).
 *
 * A watch that has not fired counts as a pending wake-up for deadlock
 * detection (sched_note_timer), so a program waiting for Ctrl-C is not
 * "asleep", as in Go. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context_internal.h"
#include "os_thread.h"
#include "sched.h"

#if defined(__SANITIZE_THREAD__)
#define SIGNAL_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIGNAL_UNDER_TSAN 1
#endif
#endif
/* System calls interrupted by a watched signal restart, as Go's do.  Under
 * ThreadSanitizer a parked goroutine must see EINTR instead, or the
 * handler TSan deferred never runs (see futex_wait in sched_thread.c). */
#ifdef SIGNAL_UNDER_TSAN
#define SIGNAL_FLAGS 0
#else
#define SIGNAL_FLAGS SA_RESTART
#endif

typedef struct sig_watch {
    goc_ctx *ctx;
    sigset_t sigs;
    bool fired; /* cancelled by a signal: no longer a pending wake-up */
    struct sig_watch *next;
} sig_watch;

static struct {
    pthread_mutex_t lock; /* guards everything below */
    sig_watch *watches;
    int refs[NSIG];               /* watches per signal */
    struct sigaction saved[NSIG]; /* the handling before the first watch */
    int pipe_r, pipe_w;
    bool watcher_running;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .pipe_r = -1, .pipe_w = -1};

static void on_signal(int sig)
{
    int saved_errno = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(W.pipe_w, &b, 1); /* non-blocking: a full pipe already has a wake-up */
    (void)n;
    errno = saved_errno;
}

/* Lock held. */
static void deliver(int sig)
{
    for (sig_watch *w = W.watches; w; w = w->next) {
        if (w->fired || !sigismember(&w->sigs, sig))
            continue;
        w->fired = true;
        ctx_cancel_internal(w->ctx);
        sched_note_timer(-1);
    }
}

static void *watcher_main(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned char b;
        ssize_t n = read(W.pipe_r, &b, 1);
        if (n == 1) {
            pthread_mutex_lock(&W.lock);
            deliver(b);
            pthread_mutex_unlock(&W.lock);
        } else if (n == 0 || errno != EINTR) {
            return NULL;
        }
    }
}

static void atfork_child(void)
{
    /* The watcher did not survive the fork; the next watch starts one. */
    pthread_mutex_init(&W.lock, NULL);
    W.watcher_running = false;
}

/* Lock held.  False (with errno) if the pipe or the thread cannot be made. */
static bool start_watcher(void)
{
    if (W.watcher_running)
        return true;
    if (W.pipe_r < 0) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            return false;
        fcntl(fds[1], F_SETFL, O_NONBLOCK);
        W.pipe_r = fds[0];
        W.pipe_w = fds[1];
        pthread_atfork(NULL, NULL, atfork_child);
    }
    /* every signal blocked: handlers run on goroutines' threads */
    int err = os_thread_start(&(os_thread_spec){.fn = watcher_main, .block_signals = true}, NULL);
    if (err) {
        errno = err;
        return false;
    }
    W.watcher_running = true;
    return true;
}

/* Lock held. */
static void unwatch_signals(const sigset_t *sigs)
{
    for (int s = 1; s < NSIG; s++)
        if (sigismember(sigs, s) == 1 && --W.refs[s] == 0)
            sigaction(s, &W.saved[s], NULL);
}

static void stop_watching(goc_ctx *ctx)
{
    pthread_mutex_lock(&W.lock);
    for (sig_watch **p = &W.watches; *p; p = &(*p)->next) {
        sig_watch *w = *p;
        if (w->ctx != ctx)
            continue;
        *p = w->next;
        if (!w->fired)
            sched_note_timer(-1);
        unwatch_signals(&w->sigs);
        free(w);
        break;
    }
    pthread_mutex_unlock(&W.lock);
}

/* SIGKILL and SIGSTOP cannot be caught; libgoc's own real-time signal
 * (see sched_thread.c) and the range glibc keeps for itself are not the
 * program's to take. */
static const char *unwatchable(int s)
{
    if (s <= 0 || s >= NSIG)
        return "is not a signal number";
    if (s == SIGKILL || s == SIGSTOP)
        return "cannot be caught by any program";
    if (s >= SIGRTMIN)
        return "is a real-time signal (libgoc and the C library use some of these)";
    return NULL;
}

goc_ctx *goc_ctx_with_signals_at(goc_ctx *parent, const int *sigs, goc_site site)
{
    sig_watch *w = calloc(1, sizeof *w);
    if (!w)
        sched_die("fatal error", site, "out of memory creating a signal context");
    sigemptyset(&w->sigs);
    for (const int *s = sigs; *s; s++) {
        const char *why = unwatchable(*s);
        if (why) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "goc_ctx_with_signals: signal %d %s.\n"
                     "Pass signals such as SIGINT (Ctrl-C) and SIGTERM.", *s, why);
            sched_die("panic", site, msg);
        }
        sigaddset(&w->sigs, *s);
    }
    w->ctx = goc_ctx_with_cancel_at(parent, site);
    ctx_set_release_hook(w->ctx, stop_watching);

    pthread_mutex_lock(&W.lock);
    if (!start_watcher()) {
        pthread_mutex_unlock(&W.lock);
        char msg[160];
        snprintf(msg, sizeof msg, "goc_ctx_with_signals: cannot start the signal watcher (%s)",
                 strerror(errno));
        sched_die("fatal error", site, msg);
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SIGNAL_FLAGS;
    for (int s = 1; s < NSIG; s++)
        if (sigismember(&w->sigs, s) == 1 && W.refs[s]++ == 0)
            sigaction(s, &sa, &W.saved[s]);
    sched_note_timer(+1); /* a signal may still wake whoever waits on it */
    w->next = W.watches;
    W.watches = w;
    pthread_mutex_unlock(&W.lock);
    return w->ctx;
}
