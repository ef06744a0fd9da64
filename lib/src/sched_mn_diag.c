/* The M:N scheduler's reports: goroutine dumps, the stop sequence (panic,
 * fatal error, deadlock, SIGQUIT), the leak check, and the stack-overflow
 * report.  Wording and the stop's pieces are sched_common.c's, shared with
 * the thread scheduler; this file only knows how to find the goroutines
 * and the threads to freeze. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "goc/runtime.h"
#include "goc/time.h"
#include "sched_common.h"
#include "sched_mn.h"
#include "stack.h"

static bool is_live(const mg *g) { return (atomic_load(&g->state) & ~G_WOKEN) != G_DEAD; }

/* Parked, or on its way to parking: what a dump calls waiting. */
static bool is_waiting(const mg *g)
{
    int s = atomic_load_explicit(&g->state, memory_order_acquire) & ~G_WOKEN;
    return s == G_WAITING || (s == G_PARKING && atomic_load(&g->wait_reason) != WAIT_NONE);
}

/* ---- dumps ---------------------------------------------------------------- */

/* One goroutine's record; the reporter itself is shown running at `here`. */
static dump_record record_of(mg *g, bool reporter, goc_site here)
{
    dump_record r = {.id = g->pub.id, .label = g->name, .foreign = g->foreign,
                     .created_at = g->created_at, .parent_id = g->parent_id, .state = "running", .at = here};
    if (!reporter && is_waiting(g)) {
        r.state = sched_wait_reason_name((sched_wait_reason)atomic_load(&g->wait_reason));
        r.at.file = atomic_load_explicit(&g->wait_file, memory_order_relaxed);
        r.at.func = atomic_load_explicit(&g->wait_func, memory_order_relaxed);
        r.at.line = atomic_load_explicit(&g->wait_line, memory_order_relaxed);
    } else if (!reporter) {
        r.at = (goc_site){NULL, 0, NULL};
    }
    return r;
}

/* Every live goroutine but self newer than since_id, in the order their
 * records were made (Go's allgs order: records are reused, so ids are not
 * always ascending; main comes first).  Registry lock held, or the world
 * stopped.  No allocation: this also runs while the program stops. */
static void dump_others(dump_sink *out, mg *self, int64_t since_id)
{
    for (mg *g = mn_all_first; g; g = g->all_next)
        if (g != self && is_live(g) && g->pub.id > since_id) {
            dump_record r = record_of(g, false, (goc_site){NULL, 0, NULL});
            dump_goroutine(out, &r);
        }
}

void sched_dump(FILE *out)
{
    dump_sink sink = {out, -1};
    mg *self = mn_current_or_null();
    pthread_mutex_lock(&mn_registry_lock);
    if (self) {
        dump_record r = record_of(self, true, (goc_site){NULL, 0, NULL});
        dump_goroutine(&sink, &r);
    }
    dump_others(&sink, self, 0);
    pthread_mutex_unlock(&mn_registry_lock);
}

/* ---- stopping the world --------------------------------------------------------- */

/* Freezes every thread that runs goroutines but the caller's: the
 * workers, and the foreign threads (main, plain pthreads). */
static bool freeze_others(mg *self)
{
    bool locked = stop_trylock(&mn_registry_lock); /* a frozen goroutine may hold it */
    int sent = mn_freeze_workers();
    for (mg *g = mn_all_first; g; g = g->all_next)
        if (g != self && g->foreign && is_live(g) && !pthread_equal(g->thread, pthread_self()) &&
            stop_freeze_send(g->thread))
            sent++;
    stop_freeze_wait(sent, mn_freeze_workers);
    return locked;
}

GOC_NORETURN static void stop_the_world(const char *kind, goc_site site, const char *msg, bool dump_self)
{
    if (!stop_claim(!dump_self)) /* a deadlock report may still come during exit */
        stop_block_forever(); /* another goroutine is already reporting */
    mg *self = mn_current_or_null();
    freeze_others(self);
    stop_flush_stdout();
    stop_write_header(kind, site, msg);
    dump_sink err = {NULL, STDERR_FILENO};
    if (self && dump_self) {
        dump_record r = record_of(self, true, site);
        dump_goroutine(&err, &r);
    }
    dump_others(&err, dump_self ? self : NULL, 0);
    stop_exit(2);
}

void sched_die(const char *kind, goc_site site, const char *msg)
{
    /* In a deadlock the reporter is parked like everyone else: list all
     * in order, main first, as Go does. */
    bool deadlock = strstr(msg, "deadlock") != NULL;
    if (!deadlock && !mn_current_or_null() && !mn_is_scheduler_thread() && !stop_in_progress())
        sched_current(); /* a thread's first libgoc call can be its fatal one */
    stop_the_world(kind, site, msg, !deadlock);
}

/* Go prints every goroutine on SIGQUIT and exits 2.  The stop uses no
 * stdio lock and no malloc, so a handler that interrupted either is safe. */
static void on_sigquit(int sig)
{
    (void)sig;
    stop_the_world("SIGQUIT", (goc_site){NULL, 0, NULL}, "quit", true);
}

/* ---- stack overflow ------------------------------------------------------------- */

static struct sigaction old_segv;

/* A fault in the guard page below the running goroutine's stack is an
 * overflow: say so, name the goroutine, stop.  Any other fault is not
 * ours: put the previous handler back and let the access fault again. */
void goc_stack_overflow_check(const void *fault_addr)
{
    mg *g = mn_current_or_null();
    if (g && g->stack_lo && stack_in_guard(g->stack_lo, fault_addr)) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "stack overflow in goroutine %lld (%s): it used all of its %zu KB stack.\n"
                 "Look for unbounded recursion or a large local array in that goroutine; "
                 "GOC_STACK_KB=256 (for example) gives every goroutine a bigger stack.",
                 (long long)g->pub.id, g->name, stack_slot_size() / 1024);
        sched_die("fatal error", g->created_at, msg);
    }
}

static void on_sigsegv(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    goc_stack_overflow_check(si->si_addr);
    sigaction(sig, &old_segv, NULL);
}

/* Installed only over the default action: a sanitizer's or the program's
 * own handler keeps the signal. */
void mn_diag_init(void)
{
    struct sigaction old, sa;
    memset(&sa, 0, sizeof sa);
    sigfillset(&sa.sa_mask);
    if (sigaction(SIGQUIT, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
        sa.sa_handler = on_sigquit;
        sigaction(SIGQUIT, &sa, NULL);
    }
    if (sigaction(SIGSEGV, NULL, &old_segv) == 0 && !(old_segv.sa_flags & SA_SIGINFO) &&
        old_segv.sa_handler == SIG_DFL) {
        sa.sa_sigaction = on_sigsegv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGSEGV, &sa, NULL);
    }
}

/* The overflow report runs on its own stack: the goroutine's is full. */
void mn_diag_thread_init(void)
{
    enum { SIZE = 65536 };
    void *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return;
    stack_t ss = {.ss_sp = p, .ss_size = SIZE, .ss_flags = 0};
    sigaltstack(&ss, NULL);
}

/* ---- leak check ------------------------------------------------------------------ */

/* With the fake clock on and no timer due, a sleeper is durably blocked:
 * `timers_quiet` (a sched_timers_quiet stamp) counts it as settled. */
static leak_census census(int64_t since_id, uint64_t timers_quiet)
{
    mg *self = mn_current_or_null();
    leak_census c = {0, 0};
    pthread_mutex_lock(&mn_registry_lock);
    for (mg *g = mn_all_first; g; g = g->all_next) {
        if (g == self || !is_live(g) || g->pub.id <= since_id)
            continue;
        c.alive++;
        if (atomic_load(&g->state) == G_WAITING && (timers_quiet || atomic_load(&g->wait_reason) != WAIT_SLEEP))
            c.settled++;
    }
    pthread_mutex_unlock(&mn_registry_lock);
    if (c.settled == c.alive)
        mn_settled_acquire();
    return c;
}

static bool timers_pending(void) { return atomic_load(&mn_ntimers) != 0; }

/* A sleep, not a loop of yields, which would keep a CPU busy for the
 * whole wait: bracketed, so the goroutines queued on this worker (those
 * the check waits for, perhaps) move to another one at once. */
static void pause_a_moment(void)
{
    sched_blocking_begin();
    nanosleep(&(struct timespec){0, 1000000}, NULL);
    sched_blocking_end();
}

int goc_leak_check(int64_t since_id, goc_duration timeout, FILE *report)
{
    mg *self = (mg *)sched_current();
    leak_census c = leak_check_wait(since_id, timeout, census, timers_pending, pause_a_moment);
    if (report && c.alive) {
        dump_sink sink = {report, -1};
        sched_blocking_begin(); /* `report` may be a full pipe */
        pthread_mutex_lock(&mn_registry_lock);
        dump_others(&sink, self, since_id);
        pthread_mutex_unlock(&mn_registry_lock);
        fflush(report);
        sched_blocking_end();
    }
    return c.alive;
}
