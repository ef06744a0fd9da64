/* Timers: one binary min-heap of deadlines per process, and one routine
 * that fires what is due (run_due_locked); the scheduler decides who calls
 * it (sched_fires_timers, sched.h).
 *
 * The thread scheduler: a timer thread starts on the first
 * sched_timer_start and sleeps on a CLOCK_MONOTONIC condition variable
 * until the earliest deadline (or until a start puts an earlier one on
 * top).  The M:N scheduler: no timer thread for real time.  Its workers
 * read `next_when` (the heap's top, an atomic copy) at schedule points and
 * fire what is due on their own scheduler context, one idle worker sleeps
 * until that deadline, and the monitor fires timers that every worker left
 * late; a start that puts an earlier deadline on top calls
 * sched_timer_earlier() so the scheduler wakes its watcher (Go's timers
 * since 1.14, without Go's per-P heaps).
 *
 * Callbacks run with the heap lock released, so a callback may take channel
 * locks and ready goroutines, and one at a time, whoever fires them:
 * `running` names the timer whose callback is executing, which is what lets
 * sched_timer_stop promise that the callback is over when it returns.  A
 * thread that finds another one's callback running leaves the due timers
 * to it.
 *
 * No thread that fires timers registers as a goroutine: if it did, deadlock
 * detection would always see one goroutine running.
 *
 * The fake clock (goc/fakeclock.h, after Go 1.25's testing/synctest).  Once
 * on, deadlines are virtual: `fake_now` only moves when the scheduler has
 * seen every goroutine parked (sched_timers_all_parked sets `all_parked`)
 * and nothing is due; the thread then jumps to the earliest deadline (a
 * timer's, or a goc_fakeclock_advance caller's target) and fires what is
 * due there, in deadline order (ties: start order).  A timer already due at
 * the current virtual instant fires at once, whoever runs.  `all_parked`
 * goes stale as soon as anyone is woken, and only timer callbacks and
 * releases wake anyone while everything is parked, so the thread clears it
 * after each of those and asks the scheduler again (sched_note_timer with a
 * delta <= 0 re-runs its check).  An advance that waits longer than
 * STALL_NS of real time for everyone to park (a goroutine spins) moves on
 * regardless for the rest of that advance (`forcing`).  The fake clock
 * always runs on the timer thread, under both schedulers: its moves depend
 * on the scheduler's all-parked reports, and one thread serialises them. */
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "invariant.h"
#include "os_thread.h"
#include "trace_hooks.h"

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
    uint64_t fires;       /* callbacks started and waiters released (quiet stamps) */
    uint64_t seq;         /* start order, to break deadline ties */
    /* fake clock */
    bool all_parked;            /* every goroutine parked since the thread last woke one */
    bool forcing;               /* an advance stalled: move without all_parked */
    int64_t stall_at;           /* real time after which an advance stalls */
    struct fake_waiter *waiters; /* goc_fakeclock_advance callers */
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A goroutine in goc_fakeclock_advance/next; lives on its stack. */
typedef struct fake_waiter {
    int64_t target;
    goc_g *g;
    struct fake_waiter *next;
} fake_waiter;

#define STALL_NS (2 * (int64_t)1000000000)

static _Atomic(bool) fake_on;
static _Atomic(int64_t) fake_now;
/* The heap's earliest deadline, INT64_MAX when empty: the scheduler's
 * lock-free look (written under T.lock on every change of the top). */
static _Atomic(int64_t) next_when = INT64_MAX;

static pthread_once_t conds_once = PTHREAD_ONCE_INIT;
/* This thread is inside a timer callback: a stop from there cannot wait for
 * the callback to return. */
static __thread bool in_callback;

int64_t sched_nanotime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t sched_timer_now(void)
{
    return atomic_load_explicit(&fake_on, memory_order_acquire) ? atomic_load(&fake_now) : sched_nanotime();
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

/* ---- the heap, ordered by `when`, then start order (T.lock held) -------- */

static bool fires_before(const sched_timer *a, const sched_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

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
        if (!fires_before(t, T.heap[parent]))
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
        if (child + 1 < T.len && fires_before(T.heap[child + 1], T.heap[child]))
            child++;
        if (!fires_before(T.heap[child], t))
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

static void publish_top(void)
{
    atomic_store(&next_when, T.len > 0 ? T.heap[0]->when : INT64_MAX);
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
    publish_top();
}

static void heap_remove(sched_timer *t)
{
    int i = t->heap_index;
    sched_timer *last = T.heap[--T.len];
    t->heap_index = -1;
    if (last != t) {
        heap_set(i, last);
        heap_fix(i);
    }
    publish_top();
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
    t->seq = T.seq++;
    sift_down(t->heap_index);
    publish_top();
}

/* Takes t, which is due, off the heap (or re-arms it) to be fired. */
static sched_timer *take_due(sched_timer *t, int64_t now)
{
    if (t->period > 0)
        rearm(t, now);
    else
        heap_remove(t);
    return t;
}

/* ---- fake time (T.lock held) ------------------------------------------------ */

static int64_t earliest_waiter(void)
{
    int64_t when = INT64_MAX;
    for (fake_waiter *w = T.waiters; w; w = w->next)
        if (w->target < when)
            when = w->target;
    return when;
}

/* Wakes the advance callers whose target has been reached.  A released
 * waiter's memory is gone once its goroutine runs: read it before the
 * ready.  Drops T.lock meanwhile (the scheduler's locks are not ours to
 * nest), then asks the scheduler again, as after a callback. */
static void release_waiters(int64_t now)
{
    fake_waiter *due = NULL;
    for (fake_waiter **p = &T.waiters; *p;) {
        fake_waiter *w = *p;
        if (w->target <= now) {
            *p = w->next;
            w->next = due;
            due = w;
        } else {
            p = &w->next;
        }
    }
    if (!T.waiters)
        T.forcing = false;
    T.fires++;
    pthread_mutex_unlock(&T.lock);
    int n = 0;
    while (due) {
        fake_waiter *next = due->next;
        sched_ready(due->g);
        due = next;
        n++;
    }
    pthread_mutex_lock(&T.lock);
    T.all_parked = false;
    pthread_mutex_unlock(&T.lock);
    while (n--)
        sched_note_timer(-1);
    pthread_mutex_lock(&T.lock);
}

static void move_to(int64_t when)
{
    if (when > atomic_load(&fake_now))
        atomic_store(&fake_now, when);
}

/* The timer thread's round with the fake clock: the timer to fire now, or
 * NULL after moving time, releasing advance callers or waiting.  Due
 * timers fire at once; time moves only when everyone is parked (or an
 * advance stalled). */
static sched_timer *next_due_fake(void)
{
    int64_t now = atomic_load(&fake_now);
    if (T.len > 0 && T.heap[0]->when <= now)
        return take_due(T.heap[0], now);
    if (T.waiters && earliest_waiter() <= now && (T.all_parked || T.forcing)) {
        release_waiters(now);
        return NULL;
    }
    if ((T.all_parked || T.forcing) && (T.len > 0 || T.waiters)) {
        int64_t timer_at = T.len > 0 ? T.heap[0]->when : INT64_MAX;
        int64_t waiter_at = earliest_waiter();
        T.stall_at = sched_nanotime() + STALL_NS;
        move_to(timer_at < waiter_at ? timer_at : waiter_at); /* the loop fires or releases what is due */
        return NULL;
    }
    if (T.waiters && !T.forcing) {
        struct timespec ts = {.tv_sec = T.stall_at / 1000000000, .tv_nsec = T.stall_at % 1000000000};
        if (pthread_cond_timedwait(&T.wake, &T.lock, &ts) == ETIMEDOUT && sched_nanotime() >= T.stall_at)
            T.forcing = true;
    } else {
        pthread_cond_wait(&T.wake, &T.lock);
    }
    return NULL;
}

/* Runs t's callback, which take_due has just taken off the heap (or
 * re-armed), on the calling thread.  T.lock held, no callback running;
 * dropped meanwhile. */
static void fire(sched_timer *t)
{
    invariant(!T.running, "two timer callbacks at once");
    /* A one-shot timer stops being pending once its callback returns;
     * a periodic one stays pending until stopped. */
    bool one_shot = t->period <= 0;
    sched_timer_fn fn = t->fn;
    void *arg = t->arg;
    T.running = t;
    T.fires++;
    pthread_mutex_unlock(&T.lock);

    /* The callback may free t: t is not dereferenced again below. */
    TRACE(trace_timer_begin(t->kind, t->site));
    in_callback = true;
    fn(t, arg);
    in_callback = false;
    TRACE(trace_timer_end());

    pthread_mutex_lock(&T.lock);
    T.running = NULL;
    T.runs++;
    T.all_parked = false; /* the callback may have woken someone */
    pthread_cond_broadcast(&T.done);
    /* May report a deadlock and exit, or set all_parked again: not
     * with our lock held. */
    pthread_mutex_unlock(&T.lock);
    sched_note_timer(one_shot ? -1 : 0);
    pthread_mutex_lock(&T.lock);
}

/* The one "run what is due" routine on the real clock, for the timer
 * thread and the M:N scheduler alike: fires, in deadline order, every
 * timer due at the moment of the call (one reading, so a periodic timer
 * whose callback outlasts its period cannot keep the caller forever).
 * Leaves them to the thread whose callback is running, if any, and to the
 * timer thread once the fake clock is on.  T.lock held. */
static void run_due_locked(void)
{
    int64_t now = sched_nanotime();
    while (!atomic_load(&fake_on) && !T.running && T.len > 0 && T.heap[0]->when <= now)
        fire(take_due(T.heap[0], now));
}

/* The timer thread's real-time round: fire what is due, or sleep until it
 * is (or until a start puts an earlier deadline on top). */
static void serve_real(void)
{
    if (T.len == 0) {
        pthread_cond_wait(&T.wake, &T.lock);
    } else if (T.heap[0]->when > sched_nanotime()) {
        struct timespec ts = abs_monotonic(T.heap[0]->when);
        pthread_cond_timedwait(&T.wake, &T.lock, &ts);
    } else {
        run_due_locked();
    }
}

static void *timer_thread(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&T.lock);
    T.thread_up = true;
    pthread_cond_broadcast(&T.done);
    for (;;) {
        if (T.running) {
            /* An M:N worker's real-time callback, from before the fake
             * clock came on: callbacks run one at a time. */
            pthread_cond_wait(&T.done, &T.lock);
        } else if (atomic_load(&fake_on)) {
            sched_timer *t = next_due_fake();
            if (t)
                fire(t);
        } else {
            serve_real();
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
    int err = os_thread_start(&(os_thread_spec){.fn = timer_thread, .block_signals = true}, NULL);
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
    t->kind = NULL;
    t->site = (goc_site){NULL, 0, NULL};
    t->heap_index = -1;
    t->seq = 0;
}

/* Does the timer thread fire timers now (rather than the scheduler)? */
static bool thread_fires(void) { return !sched_fires_timers || atomic_load(&fake_on); }

void sched_timer_start(sched_timer *t, int64_t when, int64_t period)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    bool on_thread = thread_fires();
    if (on_thread)
        ensure_started();
    t->when = when;
    t->period = period;
    t->seq = T.seq++;
    if (heap_contains(t)) {
        heap_fix(t->heap_index);
        publish_top();
    } else {
        /* Counted before it can fire, so the count never dips below the
         * truth; a +1 never triggers the deadlock check, so the lock is fine. */
        sched_note_timer(+1);
        heap_push(t);
    }
    bool earlier = t->heap_index == 0;
    if (earlier && on_thread)
        pthread_cond_signal(&T.wake);
    pthread_mutex_unlock(&T.lock);
    /* next_when is published: a watcher that looks after this wakes in time. */
    if (earlier && !on_thread)
        sched_timer_earlier();
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
    while (T.running == t && T.runs == run && !in_callback) {
        sched_blocking_begin(); /* the callback runs on another thread */
        pthread_cond_wait(&T.done, &T.lock);
        sched_blocking_end();
    }
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
    T.waiters = NULL; /* their goroutines did not survive either */
    T.all_parked = false;
    T.forcing = false;
    in_callback = false;
    publish_top();
}

/* ---- the scheduler's side (M:N) -------------------------------------------------- */

int64_t timer_next_real(void)
{
    if (atomic_load_explicit(&fake_on, memory_order_relaxed))
        return INT64_MAX;
    return atomic_load(&next_when);
}

void timer_run_due(void)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    run_due_locked();
    pthread_mutex_unlock(&T.lock);
}

/* ---- the fake clock ------------------------------------------------------------ */

void timer_fake_enable(void)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    if (!atomic_load(&fake_on)) {
        atomic_store(&fake_now, sched_nanotime());
        atomic_store_explicit(&fake_on, true, memory_order_release);
        T.all_parked = false;
        /* The thread moves virtual time under either scheduler (and fires
         * what is pending from before); out of a real-time wait. */
        ensure_started();
        pthread_cond_signal(&T.wake);
    }
    pthread_mutex_unlock(&T.lock);
}

bool timer_fake_enabled(void) { return atomic_load(&fake_on); }

/* The quiet stamp (sched.h): 0 while a callback runs or a timer is due
 * now; otherwise one more than the fires so far.  T.lock held. */
static uint64_t quiet_stamp_locked(void)
{
    bool due = T.len > 0 && T.heap[0]->when <= atomic_load(&fake_now);
    return T.running || due ? 0 : T.fires + 1;
}

void sched_timers_all_parked(uint64_t quiet)
{
    if (!quiet || !atomic_load(&fake_on))
        return;
    pthread_mutex_lock(&T.lock);
    /* A fire or a release since the stamp may have woken someone after the
     * caller's look: that verdict is stale, and whoever fired looks again
     * once the callback returns (sched_note_timer). */
    if (quiet_stamp_locked() == quiet) {
        T.all_parked = true;
        pthread_cond_signal(&T.wake);
    }
    pthread_mutex_unlock(&T.lock);
}

uint64_t sched_timers_quiet(void)
{
    if (!atomic_load(&fake_on))
        return 0;
    pthread_mutex_lock(&T.lock);
    uint64_t stamp = quiet_stamp_locked();
    pthread_mutex_unlock(&T.lock);
    return stamp;
}

bool timer_earliest(int64_t *when)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    bool any = T.len > 0;
    if (any)
        *when = T.heap[0]->when;
    pthread_mutex_unlock(&T.lock);
    return any;
}

void timer_fake_wait_until(int64_t target, goc_site site)
{
    fake_waiter w = {.target = target, .g = sched_current()};
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    ensure_started();
    w.next = T.waiters;
    T.waiters = &w;
    T.all_parked = false; /* we are running */
    T.stall_at = sched_nanotime() + STALL_NS;
    sched_note_timer(+1); /* a pending wake-up: no deadlock while we wait */
    pthread_cond_signal(&T.wake);
    pthread_mutex_unlock(&T.lock);
    sched_park(WAIT_SLEEP, site, NULL, NULL);
}


/* ---- goc_pending_timers ------------------------------------------------------- */

typedef struct pending_info {
    const char *kind;
    goc_site site;
    int64_t when, period;
    uint64_t seq;
} pending_info;

static int by_deadline(const void *pa, const void *pb)
{
    const pending_info *a = pa, *b = pb;
    if (a->when != b->when)
        return a->when < b->when ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A duration the way Go prints one: 1h0m0s, 1.5s, 5ms, 250µs, 80ns. */
static void format_duration(char *buf, size_t size, int64_t ns)
{
    const char *sign = ns < 0 ? "-" : "";
    uint64_t d = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
    if (d < 1000)
        snprintf(buf, size, "%s%lluns", sign, (unsigned long long)d);
    else if (d < 1000000)
        snprintf(buf, size, "%s%.6gµs", sign, (double)d / 1e3);
    else if (d < 1000000000)
        snprintf(buf, size, "%s%.6gms", sign, (double)d / 1e6);
    else if (d < 60 * (uint64_t)1000000000)
        snprintf(buf, size, "%s%.9gs", sign, (double)d / 1e9);
    else {
        uint64_t s = d / 1000000000;
        double frac = (double)(d % 1000000000) / 1e9;
        if (s >= 3600)
            snprintf(buf, size, "%s%lluh%llum%.9gs", sign, (unsigned long long)(s / 3600),
                     (unsigned long long)(s / 60 % 60), (double)(s % 60) + frac);
        else
            snprintf(buf, size, "%s%llum%.9gs", sign, (unsigned long long)(s / 60), (double)(s % 60) + frac);
    }
}

int timer_list_pending(FILE *out)
{
    pthread_once(&conds_once, conds_init);
    pthread_mutex_lock(&T.lock);
    int n = 0;
    pending_info *list = T.len ? malloc((size_t)T.len * sizeof *list) : NULL;
    if (T.len && !list)
        out_of_memory();
    for (int i = 0; i < T.len; i++) {
        const sched_timer *t = T.heap[i];
        if (t->kind)
            list[n++] = (pending_info){t->kind, t->site, t->when, t->period, t->seq};
    }
    pthread_mutex_unlock(&T.lock);
    /* Printed without the lock: `out` may be anything, even slow. */
    if (n > 0)
        qsort(list, (size_t)n, sizeof *list, by_deadline);
    int64_t now = sched_timer_now();
    for (int i = 0; out && i < n; i++) {
        const pending_info *p = &list[i];
        char left[48], period[48];
        format_duration(left, sizeof left, p->when - now);
        fprintf(out, "%s made at %s:%d (in %s): ", p->kind, p->site.file ? p->site.file : "?", p->site.line,
                p->site.func ? p->site.func : "?");
        if (p->period > 0) {
            format_duration(period, sizeof period, p->period);
            fprintf(out, "ticks every %s, next in %s\n", period, left);
        } else {
            fprintf(out, "fires in %s\n", left);
        }
    }
    if (out)
        fflush(out);
    free(list);
    return n;
}
