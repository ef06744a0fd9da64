/* The first scheduler: one OS thread per running goroutine.
 *
 * A goroutine is a `gthread` record; the thread that runs it is a `worker`.
 * When a goroutine returns, its worker parks on the idle list and the next
 * goc_go hands it new work instead of creating a thread, which is what makes
 * spawning cheap here.  Threads libgoc did not start (main, a plain pthread)
 * become goroutines the first time they call into the library.
 *
 * Park/ready use a per-goroutine wake-up token (a futex word) so a ready that
 * arrives before the park sleeps is kept, not lost.
 *
 * Deadlock detection: `nrunning` counts goroutines that are not parked.  A
 * waker counts its target before waking it, so the count reaches zero only
 * when every goroutine is parked; if no timer is pending then, nothing can
 * ever wake anyone, and we stop the program with Go's report. */
#include "sched.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "goc/goroutine.h"
#include "goc/runtime.h"
#include "futex_token.h"
#include "invariant.h"
#include "os_thread.h"
#include "sched_common.h"
#include "sema.h"
#include "timer.h"
#include "trace_hooks.h"

enum { G_RUNNING = 0, G_WAITING = 1 };

/* Idle threads kept for reuse; beyond this, finished threads exit. */
#define MAX_IDLE_WORKERS 512
/* How long a parking goroutine spins before sleeping in the kernel. */
#define PARK_SPINS 64
#define LABEL_MAX 96

typedef struct worker worker;

typedef struct gthread {
    goc_g pub; /* first: a goc_g* is a gthread* */
    goc_func fn;
    void *arg;
    char name[LABEL_MAX]; /* the goroutine's function, for dumps (copied) */
    goc_site created_at;
    int64_t parent_id;
    bool foreign; /* a thread libgoc did not start */
    _Atomic(int) state;
    _Atomic(int) wait_reason;
    _Atomic(const char *) wait_file;
    _Atomic(const char *) wait_func;
    _Atomic(int) wait_line;
    _Atomic(uint32_t) token; /* 0 none, 1 posted, 2 owner asleep */
    struct gthread *all_prev, *all_next;
    worker *w;
    pthread_t thread;          /* valid once has_thread is set */
    _Atomic(bool) has_thread;  /* the stop can signal it */
} gthread;

struct worker {
    pthread_t thread;
    gthread *next_g;          /* handed over by spawn */
    _Atomic(uint32_t) token;  /* wakes an idle worker */
    worker *idle_next;
};

static struct {
    pthread_mutex_t lock; /* guards all_*, idle list */
    gthread *all_first, *all_last;
    gthread *abandoned; /* the parent's goroutines, after fork */
    worker *idle;
    int nidle;
    _Atomic(int64_t) last_id;
    _Atomic(int) nlive;
    _Atomic(int) nrunning;
    _Atomic(int) ntimers;
    size_t stack_size;
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

const char sched_name[] = "thread";
/* Real-time timers fire on timer.c's timer thread, which it wakes itself. */
const bool sched_fires_timers = false;
void sched_timer_earlier(void) {}

static __thread gthread *tls_g;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t foreign_key;

/* Posts a goroutine's token: each park is readied exactly once. */
static void wake(_Atomic(uint32_t) *tok)
{
    uint32_t old = token_post(tok);
    invariant(old != 1,
              "a goroutine was woken twice for one wait (its wake-up token was already posted)");
    (void)old;
}

/* ---- registry ------------------------------------------------------------ */

static void registry_add(gthread *g)
{
    g->all_prev = S.all_last;
    g->all_next = NULL;
    if (S.all_last)
        S.all_last->all_next = g;
    else
        S.all_first = g;
    S.all_last = g;
}

static void registry_remove(gthread *g)
{
    if (g->all_prev)
        g->all_prev->all_next = g->all_next;
    else
        S.all_first = g->all_next;
    if (g->all_next)
        g->all_next->all_prev = g->all_prev;
    else
        S.all_last = g->all_prev;
}

static void check_dead(void);

/* A goroutine is gone: it no longer counts as live or running. */
static void goroutine_exit(gthread *g)
{
    pthread_mutex_lock(&S.lock);
    registry_remove(g);
    pthread_mutex_unlock(&S.lock);
    atomic_fetch_sub(&S.nlive, 1);
    if (atomic_fetch_sub(&S.nrunning, 1) == 1)
        check_dead();
}

/* ---- initialisation and fork safety ------------------------------------- */

static void on_sigquit(int sig);

static void foreign_thread_exit(void *p)
{
    gthread *g = p;
    goroutine_exit(g);
    free(g);
}

static void atfork_prepare(void) { pthread_mutex_lock(&S.lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&S.lock); }

/* Only the forking thread exists in the child: forget every other
 * goroutine (their memory is abandoned, never freed, since channels may
 * still point at it) and start the pool and timers afresh. */
static void atfork_child(void)
{
    /* The forking thread took the lock in atfork_prepare and is the one
     * thread here: it unlocks it (re-initialising a held mutex leaves it
     * held in ThreadSanitizer's books: "double lock" at the next lock). */
    pthread_mutex_unlock(&S.lock);
    S.idle = NULL;
    S.nidle = 0;
    if (tls_g)
        registry_remove(tls_g);
    S.abandoned = S.all_first; /* kept reachable: leak checkers stay quiet */
    S.all_first = S.all_last = NULL;
    int n = 0;
    if (tls_g) {
        registry_add(tls_g);
        n = 1;
    }
    atomic_store(&S.nlive, n);
    atomic_store(&S.nrunning, n);
    atomic_store(&S.ntimers, 0);
    stop_after_fork_child();
    timer_after_fork_child();
    sema_after_fork_child();
}

static void sched_init(void)
{
    pthread_key_create(&foreign_key, foreign_thread_exit);
    os_thread_init(); /* first: its fork handlers run after ours, with S.lock held */
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    S.stack_size = 512 * 1024;
    const char *kb = getenv("GOC_STACK_KB");
    if (kb && atoi(kb) >= 64)
        S.stack_size = (size_t)atoi(kb) * 1024;
    stop_init();
    stop_freeze_init();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigfillset(&sa.sa_mask);
    struct sigaction old;
    if (sigaction(SIGQUIT, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
        sa.sa_handler = on_sigquit;
        sigaction(SIGQUIT, &sa, NULL);
    }
}

/* The thread running g, for the stop's freeze. */
static void gthread_bind_thread(gthread *g)
{
    g->thread = pthread_self();
    atomic_store(&g->has_thread, true);
}

static gthread *gthread_new(const char *name, goc_site site, int64_t parent)
{
    gthread *g = calloc(1, sizeof *g);
    if (!g) {
        fputs("fatal error: out of memory starting a goroutine\n", stderr);
        _exit(2);
    }
    g->pub.id = atomic_fetch_add(&S.last_id, 1) + 1;
    snprintf(g->name, sizeof g->name, "%s", name ? name : "goroutine");
    g->created_at = site;
    g->parent_id = parent;
    return g;
}

goc_g *sched_current(void)
{
    if (tls_g)
        return &tls_g->pub;
    pthread_once(&init_once, sched_init);
    gthread *g = gthread_new("main", (goc_site){NULL, 0, NULL}, 0);
    g->foreign = true;
    atomic_fetch_add(&S.nlive, 1);
    atomic_fetch_add(&S.nrunning, 1);
    pthread_mutex_lock(&S.lock);
    registry_add(g);
    pthread_mutex_unlock(&S.lock);
    tls_g = g;
    gthread_bind_thread(g);
    pthread_setspecific(foreign_key, g);
    return &g->pub;
}

/* ---- goroutines ------------------------------------------------------------ */

static void *worker_main(void *p)
{
    worker *w = p;
    stop_freezable_thread(); /* not the mask of a timer callback's thread */
    for (;;) {
        gthread *g = w->next_g;
        w->next_g = NULL;
        g->w = w;
        tls_g = g;
        gthread_bind_thread(g);
        /* Registered before a stop froze the others, but not signalled:
         * freeze here instead of running. */
        if (stop_in_progress())
            stop_block_forever();
        TRACE(trace_go_start(&g->pub));
        g->fn(g->arg);
        TRACE(trace_go_end(&g->pub));
        tls_g = NULL;
        goroutine_exit(g);
        free(g);

        pthread_mutex_lock(&S.lock);
        if (S.nidle >= MAX_IDLE_WORKERS) {
            pthread_mutex_unlock(&S.lock);
            free(w);
            return NULL;
        }
        w->idle_next = S.idle;
        S.idle = w;
        S.nidle++;
        pthread_mutex_unlock(&S.lock);
        token_take(&w->token, PARK_SPINS);
    }
}

int64_t sched_spawn(goc_func fn, void *arg, const char *name, goc_site site)
{
    /* No sched_current(): a timer callback (goc_after_func) spawns from the
     * timer thread, which must not become a goroutine (see goc_go_at). */
    gthread *g = gthread_new(name, site, tls_g ? tls_g->pub.id : 0);
    g->fn = fn;
    g->arg = arg;
    int64_t id = g->pub.id;
    atomic_fetch_add(&S.nlive, 1);
    atomic_fetch_add(&S.nrunning, 1);

    pthread_mutex_lock(&S.lock);
    registry_add(g);
    worker *w = S.idle;
    if (w) {
        S.idle = w->idle_next;
        S.nidle--;
    }
    pthread_mutex_unlock(&S.lock);

    if (w) {
        w->next_g = g;
        wake(&w->token);
        return id;
    }
    w = calloc(1, sizeof *w);
    int err = w ? 0 : ENOMEM;
    if (w) {
        w->next_g = g;
        err = os_thread_start(&(os_thread_spec){.fn = worker_main, .arg = w, .stack_size = S.stack_size},
                              &w->thread);
    }
    if (err) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "cannot start goroutine %s: the system refused a new thread (%s) with %d goroutines "
                 "alive.\nA program that starts goroutines without bound runs out of threads; "
                 "limit how many run at once (a worker pool or a semaphore channel).",
                 name, strerror(err), atomic_load(&S.nlive) - 1);
        sched_die("fatal error", site, msg);
    }
    return id;
}

/* A thread's stack overflow is the kernel's SIGSEGV, as in any C program. */
void goc_stack_overflow_check(const void *fault_addr) { (void)fault_addr; }

int goc_num_goroutine(void)
{
    sched_current();
    return atomic_load(&S.nlive);
}

void sched_gosched(void) { sched_yield(); }

/* Every goroutine has its own thread: a blocked one holds up nobody. */
void sched_blocking_begin(void) {}
void sched_blocking_end(void) {}

int64_t goc_last_id(void) { return atomic_load(&S.last_id); }

/* ---- park / ready ---------------------------------------------------------- */

void sched_park(sched_wait_reason reason, goc_site site, void (*unlock)(void *), void *lock)
{
    gthread *g = (gthread *)sched_current();
    TRACE(trace_go_block(&g->pub, reason, site));
    atomic_store_explicit(&g->wait_file, site.file, memory_order_relaxed);
    atomic_store_explicit(&g->wait_func, site.func, memory_order_relaxed);
    atomic_store_explicit(&g->wait_line, site.line, memory_order_relaxed);
    atomic_store_explicit(&g->wait_reason, (int)reason, memory_order_relaxed);
    atomic_store_explicit(&g->state, G_WAITING, memory_order_release);
    int running = atomic_fetch_sub(&S.nrunning, 1);
    invariant(running >= 1, "the count of running goroutines went negative");
    if (running == 1)
        check_dead();
    if (unlock)
        unlock(lock);
    token_take(&g->token, PARK_SPINS);
    atomic_store_explicit(&g->state, G_RUNNING, memory_order_relaxed);
    atomic_store_explicit(&g->wait_reason, WAIT_NONE, memory_order_relaxed);
    TRACE(trace_go_start(&g->pub));
}

void sched_ready(goc_g *pg)
{
    gthread *g = (gthread *)pg;
    TRACE(trace_go_unblock(pg));
    atomic_fetch_add(&S.nrunning, 1);
    /* Running from now on, for dumps and the leak check, even before its
     * thread wakes up. */
    atomic_store_explicit(&g->state, G_RUNNING, memory_order_relaxed);
    /* A ready may come before its park has even started (a timer that
     * fires at once), so the state proves nothing; a second ready for one
     * park finds the token still posted (wake checks). */
    wake(&g->token);
}

void sched_note_timer(int delta)
{
    atomic_fetch_add(&S.ntimers, delta);
    if (delta <= 0 && atomic_load(&S.nrunning) == 0)
        check_dead();
}

static void check_dead(void)
{
    /* The timers first: a callback readies its goroutine (nrunning + 1)
     * before its timer stops counting, so a count read as zero here means
     * that ready is visible below.  (Read after, a sleeper's own park
     * check racing its timer's callback made a false deadlock report.)
     * The quiet stamp before both: a timer fired after it makes the
     * verdict stale. */
    uint64_t quiet = sched_timers_quiet();
    bool timers = atomic_load(&S.ntimers) != 0;
    if (atomic_load(&S.nrunning) != 0)
        return;
    if (timers) {
        sched_timers_all_parked(quiet); /* the fake clock moves on, if on */
        return;
    }
    sched_die("fatal error", (goc_site){NULL, 0, NULL}, "all goroutines are asleep - deadlock!");
}

/* ---- dumps ------------------------------------------------------------------------ */

/* One goroutine's record; the reporter itself is shown running at `here`. */
static dump_record record_of(gthread *g, bool reporter, goc_site here)
{
    dump_record r = {.id = g->pub.id, .label = g->name, .foreign = g->foreign,
                     .created_at = g->created_at, .parent_id = g->parent_id, .state = "running", .at = here};
    if (!reporter && atomic_load_explicit(&g->state, memory_order_acquire) == G_WAITING) {
        r.state = sched_wait_reason_name((sched_wait_reason)atomic_load(&g->wait_reason));
        r.at.file = atomic_load_explicit(&g->wait_file, memory_order_relaxed);
        r.at.func = atomic_load_explicit(&g->wait_func, memory_order_relaxed);
        r.at.line = atomic_load_explicit(&g->wait_line, memory_order_relaxed);
    } else if (!reporter) {
        r.at = (goc_site){NULL, 0, NULL};
    }
    return r;
}

static void dump_one(dump_sink *out, gthread *g, bool reporter, goc_site here)
{
    dump_record r = record_of(g, reporter, here);
    dump_goroutine(out, &r);
}

/* The reporter first (when it is a goroutine), then the others in creation
 * order.  Call with S.lock held, or when the world is stopped. */
static void dump_all_locked(dump_sink *out, gthread *self, goc_site here)
{
    if (self)
        dump_one(out, self, true, here);
    for (gthread *g = S.all_first; g; g = g->all_next)
        if (g != self)
            dump_one(out, g, false, (goc_site){NULL, 0, NULL});
}

void sched_dump(FILE *out)
{
    dump_sink sink = {out, -1};
    pthread_mutex_lock(&S.lock);
    dump_all_locked(&sink, tls_g, (goc_site){NULL, 0, NULL});
    pthread_mutex_unlock(&S.lock);
}

/* ---- stopping the world ----------------------------------------------------------- */

/* Freezes every goroutine but the caller, as Go stops the world before it
 * prints a panic: nobody prints, exits or changes state from here on.
 * Returns with S.lock held when it could be taken, so no goroutine is
 * registered or removed while the report walks the list. */
static bool freeze_others(gthread *self)
{
    bool locked = stop_trylock(&S.lock); /* a frozen goroutine may hold it */
    int sent = 0;
    for (gthread *g = S.all_first; g; g = g->all_next)
        if (g != self && atomic_load(&g->has_thread) && stop_freeze_send(g->thread))
            sent++;
    stop_freeze_wait(sent, NULL);
    return locked;
}

/* The stop sequence shared by panics, fatal errors, deadlocks and SIGQUIT. */
GOC_NORETURN static void stop_the_world(const char *kind, goc_site site, const char *msg, bool dump_self)
{
    if (!stop_claim(!dump_self))
        stop_block_forever(); /* another goroutine is already reporting */
    gthread *self = tls_g;
    freeze_others(self);
    stop_flush_stdout();
    stop_write_header(kind, site, msg);
    dump_sink err = {NULL, STDERR_FILENO};
    dump_all_locked(&err, dump_self ? self : NULL, site);
    stop_exit(2);
}

void sched_die(const char *kind, goc_site site, const char *msg)
{
    /* In a deadlock the reporter is parked like everyone else: list all
     * in creation order, main first, as Go does. */
    bool deadlock = strstr(msg, "deadlock") != NULL;
    if (!deadlock && !tls_g && !stop_in_progress())
        sched_current(); /* a thread's first libgoc call can be its fatal one */
    stop_the_world(kind, site, msg, !deadlock); /* a deadlock's reporter is parked too */
}

/* Go prints every goroutine on SIGQUIT and exits 2.  The stop uses no
 * stdio lock and no malloc, so a handler that interrupted either is safe. */
static void on_sigquit(int sig)
{
    (void)sig;
    stop_the_world("SIGQUIT", (goc_site){NULL, 0, NULL}, "quit", true);
}

/* ---- leak check ------------------------------------------------------------------ */

/* With the fake clock on and no timer due, a sleeper is durably blocked:
 * `timers_quiet` (a sched_timers_quiet stamp) counts it as settled. */
static leak_census census(int64_t since_id, uint64_t timers_quiet)
{
    leak_census c = {0, 0};
    pthread_mutex_lock(&S.lock);
    for (gthread *g = S.all_first; g; g = g->all_next) {
        if (g == tls_g || g->pub.id <= since_id)
            continue;
        c.alive++;
        if (atomic_load(&g->state) == G_WAITING && (timers_quiet || atomic_load(&g->wait_reason) != WAIT_SLEEP))
            c.settled++;
    }
    pthread_mutex_unlock(&S.lock);
    return c;
}

static bool timers_pending(void) { return atomic_load(&S.ntimers) != 0; }

static void pause_a_moment(void) { nanosleep(&(struct timespec){0, 1000000}, NULL); }

int goc_leak_check(int64_t since_id, goc_duration timeout, FILE *report)
{
    gthread *self = (gthread *)sched_current();
    leak_census c = leak_check_wait(since_id, timeout, census, timers_pending, pause_a_moment);
    if (report && c.alive) {
        dump_sink sink = {report, -1};
        pthread_mutex_lock(&S.lock);
        for (gthread *g = S.all_first; g; g = g->all_next)
            if (g != self && g->pub.id > since_id)
                dump_one(&sink, g, false, (goc_site){NULL, 0, NULL});
        pthread_mutex_unlock(&S.lock);
        fflush(report);
    }
    return c.alive;
}
