/* Timers: one thread per process with a binary min-heap of deadlines.
 *
 * The thread starts on the first sched_timer_start and sleeps on a
 * CLOCK_MONOTONIC condition variable until the earliest deadline (or until a
 * start puts an earlier one on top).  Callbacks run on this thread with the
 * heap lock released, so a callback may take channel locks and ready
 * goroutines.  `running` names the timer whose callback is executing, which
 * is what lets sched_timer_stop promise that the callback is over when it
 * returns.
 *
 * The thread never registers as a goroutine: if it did, deadlock detection
 * would always see one goroutine running. */
#include "timer.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* timer thread: the earliest deadline changed */
    pthread_cond_t done; /* stoppers: a callback has returned */
    sched_timer **heap;
    int len, cap;
    bool started;
    bool thread_up; /* the thread has finished starting */
    sched_timer *running; /* whose callback runs now, or NULL */
    uint64_t runs;        /* callbacks finished, so a stopper waits for one run */
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t conds_once = PTHREAD_ONCE_INIT;
static __thread bool on_timer_thread;

int64_t sched_nanotime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Deadlines are CLOCK_MONOTONIC readings, so the wait must use that clock
 * too: the default (realtime) would jump with the wall clock. */
static void conds_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&T.wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&T.done, NULL);
}

static GOC_NORETURN void out_of_memory(void)
{
    fputs("fatal error: out of memory growing the timer heap (too many pending timers?)\n", stderr);
    _exit(2);
}

/* ---- the heap, ordered by `when` (T.lock held) --------------------------- */

static void heap_set(int i, sched_timer *t)
{
    T.heap[i] = t;
    t->heap_index = i;
}

static int sift_up(int i)
{
    sched_timer *t = T.heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (T.heap[parent]->when <= t->when)
            break;
        heap_set(i, T.heap[parent]);
        i = parent;
    }
    heap_set(i, t);
    return i;
}

static void sift_down(int i)
{
    sched_timer *t = T.heap[i];
    for (;;) {
        int child = 2 * i + 1;
        if (child >= T.len)
            break;
        if (child + 1 < T.len && T.heap[child + 1]->when < T.heap[child]->when)
            child++;
        if (t->when <= T.heap[child]->when)
            break;
        heap_set(i, T.heap[child]);
        i = child;
    }
    heap_set(i, t);
}

/* Restores order around i after its key changed either way. */
static void heap_fix(int i)
{
    if (sift_up(i) == i)
        sift_down(i);
}

static bool heap_contains(const sched_timer *t)
{
    return t->heap_index >= 0 && t->heap_index < T.len && T.heap[t->heap_index] == t;
}

static void heap_push(sched_timer *t)
{
    if (T.len == T.cap) {
        int cap = T.cap ? 2 * T.cap : 64;
        sched_timer **heap = realloc(T.heap, (size_t)cap * sizeof *heap);
        if (!heap)
            out_of_memory();
        T.heap = heap;
        T.cap = cap;
    }
    heap_set(T.len++, t);
    sift_up(t->heap_index);
}

static void heap_remove(sched_timer *t)
{
    int i = t->heap_index;
    sched_timer *last = T.heap[--T.len];
    t->heap_index = -1;
    if (last == t)
        return;
    heap_set(i, last);
    heap_fix(i);
}

/* ---- the timer thread ----------------------------------------------------- */

static struct timespec abs_monotonic(int64_t when)
{
    return (struct timespec){.tv_sec = when / 1000000000, .tv_nsec = when % 1000000000};
}

/* A periodic timer that fell behind skips the ticks it missed, as Go's
 * does: it fires once, then keeps to its phase. */
static void rearm(sched_timer *t, int64_t now)
{
    int64_t missed = (now - t->when) / t->period;
    t->when += t->period * (missed + 1);
    sift_down(t->heap_index);
}

/* Takes the earliest due timer off the heap (or re-arms it), or waits.
 * Returns the timer to run, NULL if it only waited. T.lock held. */
static sched_timer *next_due(void)
{
    if (T.len == 0) {
        pthread_cond_wait(&T.wake, &T.lock);
        return NULL;
    }
    sched_timer *t = T.heap[0];
    int64_t now = sched_nanotime();
    if (t->when > now) {
        struct timespec ts = abs_monotonic(t->when);
        pthread_cond_timedwait(&T.wake, &T.lock, &ts);
        return NULL;
    }
    if (t->period > 0)
        rearm(t, now);
    else
        heap_remove(t);
    return t;
}

static void *timer_thread(void *unused)
{
    (void)unused;
    on_timer_thread = true;
    pthread_mutex_lock(&T.lock);
    T.thread_up = true;
    pthread_cond_broadcast(&T.done);
    for (;;) {
        sched_timer *t = next_due();
        if (!t)
            continue;
        /* A one-shot timer stops being pending once its callback returns;
         * a periodic one stays pending until stopped. */
        bool one_shot = t->period <= 0;
        sched_timer_fn fn = t->fn;
        void *arg = t->arg;
        T.running = t;
        pthread_mutex_unlock(&T.lock);

        /* The callback may free t (an after-channel does): t is not
         * dereferenced again below. */
        fn(t, arg);

        pthread_mutex_lock(&T.lock);
        T.running = NULL;
        T.runs++;
        pthread_cond_broadcast(&T.done);
        if (one_shot) {
            /* May report a deadlock and exit: not with our lock held. */
            pthread_mutex_unlock(&T.lock);
            sched_note_timer(-1);
            pthread_mutex_lock(&T.lock);
        }
    }
    return NULL;
}

/* The thread blocks every signal, so SIGQUIT and the program's own
 * handlers run on goroutines, never in the middle of a callback. */
static void ensure_started(void)
{
    if (T.started)
        return;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    int err = pthread_create(&thread, &attr, timer_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err) {
        fputs("fatal error: cannot start the timer thread: the system refused a new thread\n"
              "Too many threads are alive; limit how many goroutines run at once.\n",
              stderr);
        _exit(2);
    }
    T.started = true;
    /* Wait until the new thread is past its start-up, which allocates:
     * a fork() meanwhile could leave an allocator lock held in the child
     * (glibc guards against that; sanitizer allocators may not). */
    while (!T.thread_up)
        pthread_cond_wait(&T.done, &T.lock);
}

/* ---- the seam ---------------------------------------------------------- */

void sched_timer_init(sched_timer *t, sched_timer_fn fn, void *arg)
{
    t->when = 0;
    t->period = 0;
    t->fn = fn;
    t->arg = arg;
    t->heap_index = -1;
}

void sched_timer_start(sched_timer *t, int64_t when, int64_t period)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    ensure_started();
    t->when = when;
    t->period = period;
    if (heap_contains(t)) {
        heap_fix(t->heap_index);
    } else {
        /* Counted before it can fire, so the count never dips below the
         * truth; a +1 never triggers the deadlock check, so the lock is fine. */
        sched_note_timer(+1);
        heap_push(t);
    }
    if (t->heap_index == 0)
        pthread_cond_signal(&T.wake);
    pthread_mutex_unlock(&T.lock);
}

bool sched_timer_stop(sched_timer *t)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    bool removed = heap_contains(t);
    if (removed)
        heap_remove(t);
    /* From inside its own callback the run cannot finish while we wait. */
    uint64_t run = T.runs;
    while (T.running == t && T.runs == run && !on_timer_thread)
        pthread_cond_wait(&T.done, &T.lock);
    pthread_mutex_unlock(&T.lock);
    if (removed)
        sched_note_timer(-1);
    return removed;
}

/* The parent's heap after fork: never read, never freed (see below). */
static void *abandoned_heap;

void timer_after_fork_child(void)
{
    pthread_mutex_init(&T.lock, NULL);
    conds_init();
    /* The heap is not read, nor freed: fork() may have caught it mid-update
     * (even mid-realloc).  A timer of the parent keeps a stale heap_index,
     * which heap_contains() rejects, so stopping or restarting it in the
     * child is still safe. */
    abandoned_heap = T.heap; /* still reachable, so leak checkers stay quiet */
    T.heap = NULL;
    T.len = T.cap = 0;
    T.started = false;
    T.thread_up = false;
    T.running = NULL;
    on_timer_thread = false;
}
