/* Scheduler-independent runtime pieces: wait-reason wording, dump
 * formatting, and the stop sequence's parts (claim, stdout flush, report
 * header, exit).  See sched_common.h. */
#include "sched_common.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "goc/goroutine.h"
#include "goc/runtime.h"
#include "invariant.h"
#include "trace_hooks.h"

/* ---- wait reasons ---------------------------------------------------------------- */

/* Go 1.24's wording (runtime2.go's waitReasonStrings).  Go 1.19 to 1.23
 * print [semacquire] for a WaitGroup, and 1.19 also for Mutex and RWMutex
 * waits; Once.Do waits inside Mutex.Lock, so Go shows that. */
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
    [WAIT_ONCE] = "sync.Mutex.Lock",
    [WAIT_COND] = "sync.Cond.Wait",
};

const char *sched_wait_reason_name(sched_wait_reason r)
{
    return (r >= 0 && r < WAIT_REASON_COUNT && wait_reason_names[r]) ? wait_reason_names[r] : "waiting";
}

/* ---- sinks and dumps ------------------------------------------------------------ */

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            return; /* nothing better to do while stopping */
        p += w;
        n -= (size_t)w;
    }
}

void sink_printf(dump_sink *s, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (s->file)
        fwrite(line, 1, len, s->file);
    else
        write_all(s->fd, line, len);
}

static const char *func_or_unknown(const char *f) { return f ? f : "?"; }

/* A label is the goroutine's function, then for goc_go_named a space and
 * its quoted name: `fetch "fetcher 3"`. */
static void split_label(const char *label, int *func_len, const char **name)
{
    const char *space = strchr(label, ' ');
    *func_len = space ? (int)(space - label) : (int)strlen(label);
    *name = space ? space + 1 : NULL;
}

void dump_goroutine(dump_sink *s, const dump_record *r)
{
    sink_printf(s, "goroutine %lld [%s]:\n", (long long)r->id, r->state);
    int flen;
    const char *name;
    split_label(r->foreign || !r->label ? "main" : r->label, &flen, &name);
    const char *func = r->foreign || !r->label ? "main" : r->label;
    if (r->at.file) {
        const char *at_func = func_or_unknown(r->at.func);
        sink_printf(s, "%s(...)\n\t%s:%d\n", at_func, r->at.file, r->at.line);
        /* Go shows the stack down to the goroutine's function; we know its
         * top and its bottom. */
        bool same = (int)strlen(at_func) == flen && strncmp(at_func, func, (size_t)flen) == 0;
        if (!r->foreign && !same)
            sink_printf(s, "...\n%.*s(...)\n", flen, func);
        if (!r->foreign && (!same || name))
            sink_printf(s, "\t(the goroutine's function%s%s)\n", name ? ", named " : "", name ? name : "");
    } else {
        sink_printf(s, "%.*s(...)\n\t(running outside a libgoc call%s%s)\n", flen, func,
                    name ? "; named " : "", name ? name : "");
    }
    if (r->created_at.file)
        sink_printf(s, "created by %s in goroutine %lld\n\t%s:%d\n", func_or_unknown(r->created_at.func),
                    (long long)r->parent_id, r->created_at.file, r->created_at.line);
    else if (r->foreign && r->id != 1)
        sink_printf(s, "created by a thread libgoc did not start\n");
    sink_printf(s, "\n");
}

/* ---- invariants ---------------------------------------------------------------- */

void invariant_broken(const char *what, const char *file, int line)
{
    char msg[512];
    snprintf(msg, sizeof msg,
             "libgoc: internal invariant broken: %s (checked at %s:%d).\n"
             "Either the program wrote over memory libgoc uses (an overflow, or a use after "
             "free: try the ASan build) or libgoc has a bug.", what, file, line);
    sched_die("fatal error", (goc_site){NULL, 0, NULL}, msg);
}

/* ---- the API that only needs the seam ------------------------------------------- */

int64_t goc_go_at(goc_func fn, void *arg, const char *name, goc_site site)
{
    if (!fn)
        sched_die("panic", site, "goc_go: the function to run is NULL");
    goc_g *self = sched_current(); /* a thread's first goc_go makes it a goroutine */
    int64_t when = TRACE_ON() ? trace_now() : 0; /* before the child can start */
    int64_t id = sched_spawn(fn, arg, name ? name : "goroutine", site);
    TRACE(trace_go_create(when, self->id, id, name, site));
    return id;
}

int64_t goc_id(void) { return sched_current()->id; }

void goc_yield(void) { sched_gosched(); }

void goc_dump_goroutines(FILE *out)
{
    sched_current();
    sched_blocking_begin(); /* `out` may be a full pipe */
    sched_dump(out ? out : stderr);
    fflush(out ? out : stderr);
    sched_blocking_end();
}

/* ---- goroutine names ----------------------------------------------------------- */

int64_t goc_go_named_at(goc_func fn, void *arg, const char *name, const char *fn_name, goc_site site)
{
    char label[160];
    snprintf(label, sizeof label, "%s \"%s\"", fn_name ? fn_name : "?", name ? name : "");
    return goc_go_at(fn, arg, label, site);
}

/* ---- stopping ---------------------------------------------------------------------- */

enum { STOP_NONE = 0, STOP_DYING = 1, STOP_EXITING = 2 };
static _Atomic(int) stop_state;
static _Atomic(uintptr_t) exiting_thread; /* pthread_self() of the thread in exit() */

bool stop_claim(bool everyone_parked)
{
    int seen = STOP_NONE;
    if (atomic_compare_exchange_strong(&stop_state, &seen, STOP_DYING))
        return true;
    /* exit() has begun.  Its own thread may still stop the program (an
     * atexit handler that panics), and so may a deadlock (the exiting
     * thread is parked, not flushing): neither races exit's flush. */
    if (seen == STOP_EXITING &&
        (everyone_parked || atomic_load(&exiting_thread) == (uintptr_t)pthread_self()))
        return atomic_compare_exchange_strong(&stop_state, &seen, STOP_DYING);
    return false;
}

bool stop_in_progress(void) { return atomic_load(&stop_state) == STOP_DYING; }

/* A real-time signal, so learners' own signal handling (SIGINT, SIGTERM,
 * SIGUSR1...) is untouched. */
#define FREEZE_SIGNAL (SIGRTMIN + 3)

void stop_block_forever(void)
{
    /* Everything blocked but the freeze: a thread that blocks here by
     * itself (it lost the claim to another stop, or a worker started while
     * the program stops) may already be sent the freeze, and the stop
     * waits for it to acknowledge (it waited its full 3 s before). */
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, FREEZE_SIGNAL);
    for (;;)
        sigsuspend(&all);
}

void stop_flush_stdout(void)
{
    if (ftrylockfile(stdout) == 0) {
        fflush_unlocked(stdout);
        funlockfile(stdout);
        return;
    }
#ifdef __GLIBC__
    /* A frozen goroutine is inside a printf: its line is half built.  The
     * lines before it are complete; write those straight from the buffer
     * (the stream is never touched again: we exit next). */
    const char *base = stdout->_IO_write_base, *ptr = stdout->_IO_write_ptr;
    if (base && ptr > base) {
        const char *nl = memrchr(base, '\n', (size_t)(ptr - base));
        if (nl)
            write_all(STDOUT_FILENO, base, (size_t)(nl + 1 - base));
    }
#endif
}

void stop_write_header(const char *kind, goc_site site, const char *msg)
{
    /* Every stop writes its header once, with the world frozen: the
     * moment to write the trace, if one is being recorded. */
    trace_on_stop(kind, site, msg);
    dump_sink err = {NULL, STDERR_FILENO};
    sink_printf(&err, "%s: ", kind);
    write_all(STDERR_FILENO, msg, strlen(msg)); /* may be longer than a sink line */
    sink_printf(&err, "\n");
    if (site.file)
        sink_printf(&err, "\t(at %s:%d in %s)\n", site.file, site.line, func_or_unknown(site.func));
    sink_printf(&err, "\n");
}

#if defined(__SANITIZE_THREAD__)
#define STOP_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STOP_UNDER_TSAN 1
#endif
#endif

void stop_exit(int status)
{
#ifdef STOP_UNDER_TSAN
    /* TSan's _exit waits a second for other threads before leaving; races
     * were already reported when they happened. */
    syscall(SYS_exit_group, status);
#endif
    _exit(status);
}

/* exit() flushes stdio without taking the streams' locks.  Racing a stop
 * that flushes too, the same buffer could be written twice, and the exit
 * status would be 0 instead of 2: so exit waits for the stop, and a stop
 * that starts after exit has begun gives way to it. */
static void exit_guard(void)
{
    atomic_store(&exiting_thread, (uintptr_t)pthread_self());
    int none = STOP_NONE;
    if (!atomic_compare_exchange_strong(&stop_state, &none, STOP_EXITING) && none == STOP_DYING)
        stop_block_forever();
}

/* Go's os.Stdout is unbuffered: each Println is out before whatever comes
 * next, a panic included.  Line buffering is the closest C has without a
 * write per printf call. */
void stop_init(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    atexit(exit_guard);
}

/* ---- freezing ------------------------------------------------------------------ */

/* How long a stop waits for the other threads to acknowledge the freeze.
 * They answer within microseconds, but valgrind runs one thread at a time
 * and delivers dozens of signals slowly; past this the report goes on. */
#define FREEZE_WAIT_NS (3000 * 1000000LL)
/* When a scheduler's threads get the freeze once more (see stop_freeze_wait
 * in sched_common.h). */
#define FREEZE_RESEND_NS (50 * 1000000LL)

static _Atomic(int) frozen; /* threads that acknowledged a stop's freeze */
static __thread bool frozen_here; /* this thread is counted: a resent freeze is not */

static void on_freeze(int sig)
{
    (void)sig;
    if (!frozen_here) {
        frozen_here = true;
        atomic_fetch_add(&frozen, 1);
    }
    stop_block_forever();
}

/* The mask threads that run goroutines take (stop_freezable_thread). */
static sigset_t goroutine_sigmask;

void stop_freeze_init(void)
{
    pthread_sigmask(SIG_SETMASK, NULL, &goroutine_sigmask);
    sigdelset(&goroutine_sigmask, FREEZE_SIGNAL);
    sigdelset(&goroutine_sigmask, SIGSEGV); /* the M:N stack-overflow report */
    sigdelset(&goroutine_sigmask, SIGBUS);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigfillset(&sa.sa_mask);
    sa.sa_handler = on_freeze;
    sigaction(FREEZE_SIGNAL, &sa, NULL);
}

bool stop_freeze_send(pthread_t thread) { return pthread_kill(thread, FREEZE_SIGNAL) == 0; }

void stop_freezable_thread(void) { pthread_sigmask(SIG_SETMASK, &goroutine_sigmask, NULL); }

void stop_freeze_wait(int sent, int (*resend)(void))
{
    int64_t deadline = sched_nanotime() + FREEZE_WAIT_NS;
    int64_t resend_at = sched_nanotime() + FREEZE_RESEND_NS;
    while (atomic_load(&frozen) < sent && sched_nanotime() < deadline) {
        if (resend && sched_nanotime() >= resend_at) {
            resend();
            resend = NULL;
        }
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

bool stop_trylock(pthread_mutex_t *lock)
{
    for (int i = 0; i < 1000; i++) {
        if (pthread_mutex_trylock(lock) == 0)
            return true;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    return false;
}

void stop_after_eintr(void)
{
#ifdef STOP_UNDER_TSAN
    /* ThreadSanitizer defers a signal that arrives outside a call it
     * intercepts and runs the handler at the next one; a raw futex is not
     * one.  A zero sleep is. */
    nanosleep(&(struct timespec){0, 0}, NULL);
#endif
}

void stop_after_fork_child(void)
{
    atomic_store(&stop_state, STOP_NONE);
    atomic_store(&frozen, 0);
}

/* ---- the leak check ---------------------------------------------------------------- */

leak_census leak_check_wait(int64_t since_id, int64_t timeout_ns,
                            leak_census (*census)(int64_t since_id, uint64_t timers_quiet),
                            bool (*timers_pending)(void), void (*pause)(void))
{
    int64_t deadline = sched_nanotime() + timeout_ns;
    for (;;) {
        uint64_t quiet = sched_timers_quiet();
        leak_census c = census(since_id, quiet);
        if (c.alive == 0)
            return c;
        /* Everyone left is parked and no timer will fire (none pending, or
         * fake time that only moves when told): the answer is final now. */
        bool timers_idle = !timers_pending() || (quiet && quiet == sched_timers_quiet());
        if ((c.settled == c.alive && timers_idle) || sched_nanotime() >= deadline)
            return c;
        pause();
    }
}

/* ---- panics and fatal errors --------------------------------------------------------- */

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
