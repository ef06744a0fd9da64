/* The M:N scheduler's reports: goroutine dumps, fatal errors and panics,
 * SIGQUIT, the leak check, and the stack-overflow report.  The wording is
 * the thread scheduler's (sched_thread.c), so tests and learners see the
 * same messages whichever scheduler runs. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "goc/runtime.h"
#include "sched_mn.h"
#include "stack.h"

static _Atomic(int) dying;

static const char *const wait_reason_names[WAIT_REASON_COUNT] = {
    [WAIT_NONE] = "running",
    [WAIT_CHAN_SEND] = "chan send",
    [WAIT_CHAN_RECV] = "chan receive",
    [WAIT_CHAN_SEND_NIL] = "chan send (nil chan)",
    [WAIT_CHAN_RECV_NIL] = "chan receive (nil chan)",
    [WAIT_SELECT] = "select",
    [WAIT_SELECT_NO_CASES] = "select (no cases)",
    [WAIT_SLEEP] = "sleep",
    [WAIT_WAITGROUP] = "sync.WaitGroup.Wait",
    [WAIT_MUTEX] = "sync.Mutex.Lock",
    [WAIT_RWMUTEX_R] = "sync.RWMutex.RLock",
    [WAIT_RWMUTEX_W] = "sync.RWMutex.Lock",
    [WAIT_SEMACQUIRE] = "semacquire",
    [WAIT_ONCE] = "sync.Once.Do",
};

const char *sched_wait_reason_name(sched_wait_reason r)
{
    return (r >= 0 && r < WAIT_REASON_COUNT && wait_reason_names[r]) ? wait_reason_names[r] : "waiting";
}

/* Parked, or on its way to parking: what a dump calls waiting. */
static bool is_waiting(const mg *g)
{
    int s = atomic_load_explicit(&g->state, memory_order_acquire) & ~G_WOKEN;
    return s == G_WAITING || (s == G_PARKING && atomic_load(&g->wait_reason) != WAIT_NONE);
}

/* ---- dumps ---------------------------------------------------------------- */

static const char *short_func(const char *f) { return f ? f : "?"; }

static void dump_one(FILE *out, mg *g, const char *state_override, goc_site here)
{
    bool waiting = !state_override && is_waiting(g);
    const char *reason = state_override ? state_override
                         : waiting      ? sched_wait_reason_name((sched_wait_reason)atomic_load(&g->wait_reason))
                                        : "running";
    fprintf(out, "goroutine %lld [%s]:\n", (long long)g->pub.id, reason);
    const char *file = here.file, *func = here.func;
    int line = here.line;
    if (waiting) {
        file = atomic_load_explicit(&g->wait_file, memory_order_relaxed);
        func = atomic_load_explicit(&g->wait_func, memory_order_relaxed);
        line = atomic_load_explicit(&g->wait_line, memory_order_relaxed);
    }
    if (file)
        fprintf(out, "%s(...)\n\t%s:%d\n", short_func(func), file, line);
    else
        fprintf(out, "%s(...)\n\t(running outside a libgoc call)\n", g->foreign ? "main" : g->name);
    if (g->created_at.file)
        fprintf(out, "created by %s in goroutine %lld\n\t%s:%d\n", short_func(g->created_at.func),
                (long long)g->parent_id, g->created_at.file, g->created_at.line);
    else if (g->foreign && g->pub.id != 1)
        fputs("created by a thread libgoc did not start\n", out);
    fputc('\n', out);
}

static bool is_live(const mg *g) { return (atomic_load(&g->state) & ~G_WOKEN) != G_DEAD; }

/* Prints every live goroutine other than self newer than since_id, in
 * the order their records were made (Go's allgs order: records are
 * reused, so ids are not always ascending; main always comes first).  No
 * allocation: this also runs in the SIGQUIT handler. */
static void dump_others(FILE *out, mg *self, int64_t since_id)
{
    for (mg *g = mn_all_first; g; g = g->all_next)
        if (g != self && is_live(g) && g->pub.id > since_id)
            dump_one(out, g, NULL, (goc_site){NULL, 0, NULL});
}

static void dump_all(FILE *out, mg *self, const char *self_state, goc_site here)
{
    bool locked = pthread_mutex_trylock(&mn_registry_lock) == 0;
    if (self)
        dump_one(out, self, self_state, here);
    dump_others(out, self, 0);
    if (locked)
        pthread_mutex_unlock(&mn_registry_lock);
}

void sched_dump(FILE *out) { dump_all(out, mn_current_or_null(), "running", (goc_site){NULL, 0, NULL}); }

void goc_dump_goroutines(FILE *out)
{
    sched_current();
    sched_dump(out ? out : stderr);
    fflush(out ? out : stderr);
}

/* Flush what the program printed so far, but never wait for a stdout lock
 * another thread holds: the program is stopping. */
static void flush_stdout_if_free(void)
{
    if (ftrylockfile(stdout) == 0) {
        fflush_unlocked(stdout);
        funlockfile(stdout);
    }
}

void sched_die(const char *kind, goc_site site, const char *msg)
{
    if (atomic_exchange(&dying, 1)) {
        for (;;)
            pause(); /* another goroutine is already reporting */
    }
    flush_stdout_if_free();
    fprintf(stderr, "%s: %s\n", kind, msg);
    if (site.file)
        fprintf(stderr, "\t(at %s:%d in %s)\n", site.file, site.line, short_func(site.func));
    fputc('\n', stderr);
    bool deadlock = strstr(msg, "deadlock") != NULL;
    mg *self = mn_current_or_null();
    if (!deadlock && !self)
        self = (mg *)sched_current(); /* a thread's first libgoc call can be its fatal one */
    /* In a deadlock the reporter is parked like everyone else: list all
     * in creation order, main first, as Go does. */
    dump_all(stderr, deadlock ? NULL : self, "running", site);
    fflush(stderr);
    _exit(2);
}

GOC_NORETURN static void vdie(const char *kind, goc_site site, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    sched_current();
    sched_die(kind, site, msg);
}

void goc_panic_at(goc_site site, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdie("panic", site, fmt, ap);
}

void goc_fatal_at(goc_site site, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdie("fatal error", site, fmt, ap);
}

/* Go prints every goroutine on SIGQUIT and exits 2.  Not strictly
 * async-signal-safe (stdio); it only runs when the program is being
 * stopped by the user anyway. */
static void on_sigquit(int sig)
{
    (void)sig;
    fprintf(stderr, "SIGQUIT: quit\n\n");
    dump_all(stderr, mn_current_or_null(), "running", (goc_site){NULL, 0, NULL});
    fflush(stderr);
    _exit(2);
}

/* ---- stack overflow ---------------------------------------------------------- */

static struct sigaction old_segv;

/* A fault in the guard page below the running goroutine's stack is an
 * overflow: say so, name the goroutine, dump, exit 2.  Any other fault is
 * not ours: put the previous handler back and let the access fault again. */
static void on_sigsegv(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    mg *g = mn_current_or_null();
    if (g && g->stack_lo && stack_in_guard(g->stack_lo, si->si_addr)) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "stack overflow in goroutine %lld (%s): it used all of its %zu KB stack.\n"
                 "Look for unbounded recursion or a large local array in that goroutine; "
                 "GOC_STACK_KB=256 (for example) gives every goroutine a bigger stack.",
                 (long long)g->pub.id, g->name, stack_slot_size() / 1024);
        sched_die("fatal error", g->created_at, msg);
    }
    sigaction(sig, &old_segv, NULL);
}

/* Installed only over the default action: a sanitizer's or the program's
 * own handler keeps the signal. */
void mn_diag_init(void)
{
    struct sigaction old, sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
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

/* ---- leak check --------------------------------------------------------------- */

typedef struct leak_census {
    int alive;   /* other goroutines newer than since_id */
    int settled; /* of those, parked with no timer that could wake them */
} leak_census;

static leak_census census(int64_t since_id, mg *self)
{
    leak_census c = {0, 0};
    pthread_mutex_lock(&mn_registry_lock);
    for (mg *g = mn_all_first; g; g = g->all_next) {
        if (g == self || !is_live(g) || g->pub.id <= since_id)
            continue;
        c.alive++;
        if (atomic_load(&g->state) == G_WAITING && atomic_load(&g->wait_reason) != WAIT_SLEEP)
            c.settled++;
    }
    pthread_mutex_unlock(&mn_registry_lock);
    return c;
}

int goc_leak_check(int64_t since_id, goc_duration timeout, FILE *report)
{
    mg *self = (mg *)sched_current();
    int64_t deadline = sched_nanotime() + timeout;
    leak_census c;
    for (;;) {
        c = census(since_id, self);
        if (c.alive == 0)
            return 0;
        /* Everyone left is parked and no timer will fire: nothing can
         * change any more, so the answer is final now. */
        if (c.settled == c.alive && atomic_load(&mn_ntimers) == 0)
            break;
        if (sched_nanotime() >= deadline)
            break;
        if (self->foreign) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        } else {
            goc_sleep(1000000); /* a goroutine waits without holding its worker */
        }
    }
    if (report) {
        pthread_mutex_lock(&mn_registry_lock);
        dump_others(report, self, since_id);
        pthread_mutex_unlock(&mn_registry_lock);
        fflush(report);
    }
    return c.alive;
}
