/* The execution trace's recorder: GOC_TRACE, goc_trace_start/stop, the
 * hooks of trace_hooks.h, and the three ways a trace ends (stop, exit, a
 * stopping program).  The buffers are described in trace_buf.h; the file
 * is written by trace_write.c. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "goc/trace.h"
#include "trace_buf.h"
#include "trace_hooks.h"

_Atomic(int) trace_enabled;
_Atomic(trace_buf *) trace_bufs;
_Atomic(uint64_t) trace_gen;

static _Atomic(int) nchunks;       /* mapped, all buffers together */
static _Atomic(uint64_t) ndropped; /* events past the bounds */

/* The trace being recorded: `fd` is open from start to the end, so ending
 * (maybe in a stopping program) needs no open().  `active` is claimed by
 * whoever ends it, so it is written once. */
static struct {
    pthread_mutex_t lock; /* serialises start and stop */
    _Atomic(int) active;
    int fd;
    int64_t t0, t0_ns; /* ticks and sched_nanotime() at the start */
} R = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

static __thread trace_buf *tls_buf;
static __thread int64_t tls_g;             /* the goroutine this thread runs, as hooks last saw it */
static __thread const char *tls_timer_kind; /* inside a timer callback: its kind and site */
static __thread goc_site tls_timer_site;
static pthread_key_t buf_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* ---- the clock ------------------------------------------------------------------- */

/* Every event reads the clock, so it is the largest part of what tracing
 * costs: the time-stamp counter when the kernel itself trusts it as its
 * clock source (the same on every CPU, constant rate; about half the cost
 * of clock_gettime on the VMs measured, docs/PERFORMANCE.md), else the
 * monotonic clock.  Ticks become ns when the trace is written, by the rate
 * measured between its start and its end. */
static _Atomic(bool) use_tsc; /* relaxed: set before tracing is switched on */

static bool kernel_trusts_tsc(void)
{
#if defined(__x86_64__)
    char src[16] = "";
    FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (f) {
        if (!fgets(src, sizeof src, f))
            src[0] = '\0';
        fclose(f);
    }
    return strcmp(src, "tsc\n") == 0;
#else
    return false;
#endif
}

int64_t trace_now(void)
{
#if defined(__x86_64__)
    if (atomic_load_explicit(&use_tsc, memory_order_relaxed))
        return (int64_t)__rdtsc();
#endif
    return sched_nanotime();
}

/* ---- buffers ------------------------------------------------------------------ */

static void *map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A thread that exits leaves its events; the next new thread appends after
 * them (one owner at a time, so each buffer stays in time order). */
static void buf_release(void *p)
{
    tls_buf = NULL; /* runs on the exiting thread: a later event claims again */
    atomic_store(&((trace_buf *)p)->owned, 0);
}

static void make_key(void) { pthread_key_create(&buf_key, buf_release); }

static trace_buf *buf_claim(void)
{
    pthread_once(&key_once, make_key);
    trace_buf *b;
    for (b = atomic_load(&trace_bufs); b; b = b->next) {
        int free_ = 0;
        if (atomic_load_explicit(&b->owned, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&b->owned, &free_, 1))
            break;
    }
    if (!b) {
        b = map(sizeof *b);
        if (!b)
            return NULL;
        atomic_store_explicit(&b->owned, 1, memory_order_relaxed);
        b->next = atomic_load(&trace_bufs);
        while (!atomic_compare_exchange_weak(&trace_bufs, &b->next, b))
            ;
    }
    tls_buf = b;
    pthread_setspecific(buf_key, b);
    return b;
}

static trace_ev *chunk_for(trace_buf *b, size_t n)
{
    trace_ev **slot = &b->chunk[n / TRACE_CHUNK];
    if (*slot)
        return *slot;
    if (atomic_fetch_add(&nchunks, 1) >= TRACE_MAX_CHUNKS)
        return NULL;
    *slot = map(TRACE_CHUNK * sizeof(trace_ev));
    return *slot;
}

/* Appends e to this thread's buffer (stamping it now unless e has a time). */
static void record(trace_ev *e)
{
    trace_buf *b = tls_buf ? tls_buf : buf_claim();
    uint64_t gen = atomic_load_explicit(&trace_gen, memory_order_relaxed);
    if (b && atomic_load_explicit(&b->gen, memory_order_relaxed) != gen) {
        atomic_store_explicit(&b->count, 0, memory_order_relaxed); /* a previous trace's */
        atomic_store_explicit(&b->gen, gen, memory_order_release);
    }
    size_t n = b ? atomic_load_explicit(&b->count, memory_order_relaxed) : 0;
    trace_ev *c = b && n < (size_t)TRACE_CHUNK * TRACE_CHUNKS ? chunk_for(b, n) : NULL;
    if (!c) {
        atomic_fetch_add_explicit(&ndropped, 1, memory_order_relaxed);
        return;
    }
    if (!e->ts)
        e->ts = trace_now();
    c[n % TRACE_CHUNK] = *e;
    atomic_store_explicit(&b->count, n + 1, memory_order_release);
}

static void record_on(uint8_t kind, int64_t g, int64_t other, goc_site site)
{
    trace_ev e = {.kind = kind, .g = g, .other = other, .file = site.file, .line = site.line};
    record(&e);
}

/* The calling goroutine, for hooks that run only in goroutines. */
static int64_t self(void) { return tls_g = sched_current()->id; }

/* ---- hooks ------------------------------------------------------------------- */

/* The track's name: goc_go_named's name (the label is `fn "name"`), else
 * the function's. */
static void track_name(char *out, const char *label)
{
    const char *q = label ? strchr(label, '"') : NULL;
    const char *from = q ? q + 1 : label ? label : "goroutine";
    size_t n = q ? strcspn(from, "\"") : strlen(from);
    if (n > TRACE_NAME_MAX - 1)
        n = TRACE_NAME_MAX - 1;
    memcpy(out, from, n);
    out[n] = '\0';
}

void trace_go_create(int64_t when, int64_t parent, int64_t child, const char *label, goc_site site)
{
    if (parent)
        tls_g = parent;
    trace_ev e = {.kind = EV_CREATE, .ts = when, .g = parent, .other = child, .file = site.file,
                  .line = site.line};
    track_name(e.u.name, label);
    record(&e);
}

void trace_go_start(const goc_g *g)
{
    tls_g = g->id;
    record_on(EV_START, g->id, 0, (goc_site){0});
}

void trace_go_block(const goc_g *g, sched_wait_reason reason, goc_site site)
{
    tls_g = g->id;
    trace_ev e = {.kind = EV_BLOCK, .g = g->id, .reason = (uint8_t)reason, .file = site.file, .line = site.line};
    record(&e);
}

void trace_go_unblock(const goc_g *g)
{
    if (tls_timer_kind) {
        trace_ev e = {.kind = EV_UNBLOCK, .g = 0, .other = g->id, .reason = UNBLOCK_TIMER,
                      .file = tls_timer_site.file, .line = tls_timer_site.line};
        record(&e);
        return;
    }
    record_on(EV_UNBLOCK, tls_g, g->id, (goc_site){0});
}

void trace_go_end(const goc_g *g) { record_on(EV_END, g->id, 0, (goc_site){0}); }

void trace_chan(trace_chan_op op, const void *chan, goc_site site)
{
    static const uint8_t kinds[] = {[TRACE_SEND] = EV_SEND, [TRACE_RECV] = EV_RECV,
                                    [TRACE_RECV_CLOSED] = EV_RECV_CLOSED, [TRACE_CLOSE] = EV_CLOSE};
    trace_ev e = {.kind = kinds[op], .g = self(), .file = site.file, .line = site.line, .u.chan = chan};
    record(&e);
}

void trace_select(int chosen, goc_site site) { record_on(EV_SELECT, self(), chosen, site); }

void trace_timer_begin(const char *kind, goc_site site)
{
    tls_g = 0; /* the timer thread is no goroutine */
    tls_timer_kind = kind ? kind : "timer";
    tls_timer_site = site;
}

void trace_timer_end(void) { tls_timer_kind = NULL; }

/* ---- starting and ending --------------------------------------------------------- */

static void warn(const char *path, const char *what)
{
    fprintf(stderr, "libgoc: trace %s: %s.\n", path, what);
}

/* Ends the trace once, whoever gets here first: writes and closes the
 * file.  No stdio or malloc (a stop calls it with other threads frozen). */
static void finish(const char *end, const char *message)
{
    int on = 1;
    if (!atomic_compare_exchange_strong(&R.active, &on, 0))
        return;
    atomic_store(&trace_enabled, 0);
    trace_meta m = {.t0 = R.t0, .tend = trace_now(), .end = end, .sched = sched_name,
                    .dropped = atomic_load(&ndropped), .message = message, .ns_per_tick = 1};
    int64_t ns = sched_nanotime() - R.t0_ns;
    if (use_tsc && m.tend > m.t0)
        m.ns_per_tick = (double)ns / (double)(m.tend - m.t0);
    if (!trace_write(R.fd, &m)) {
        static const char msg[] = "libgoc: the trace file could not be written in full (out of memory or disk)\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
    }
    close(R.fd);
    R.fd = -1;
}

static void at_exit(void) { finish("exit", NULL); }

/* A forked child does not continue its parent's trace: the file and its
 * offset are the parent's (Check forks once per test).  The child may
 * start a trace of its own. */
static void after_fork_child(void)
{
    pthread_mutex_init(&R.lock, NULL);
    atomic_store(&trace_enabled, 0);
    if (atomic_exchange(&R.active, 0))
        close(R.fd);
    R.fd = -1;
}

bool goc_trace_start(const char *path)
{
    if (!path || !*path) {
        warn("(no file name)", "goc_trace_start needs the path of the file to write; not tracing");
        return false;
    }
    pthread_mutex_lock(&R.lock);
    if (atomic_load(&R.active)) {
        pthread_mutex_unlock(&R.lock);
        warn(path, "not started: a trace is already being recorded (call goc_trace_stop first)");
        return false;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot create the file (%s); the program runs without tracing",
                 strerror(errno));
        pthread_mutex_unlock(&R.lock);
        warn(path, why);
        return false;
    }
    static bool hooked;
    if (!hooked) {
        hooked = true;
        atexit(at_exit);
        pthread_atfork(NULL, NULL, after_fork_child);
    }
    R.fd = fd;
    atomic_store(&ndropped, 0);
    atomic_fetch_add(&trace_gen, 1);
    use_tsc = kernel_trusts_tsc();
    R.t0_ns = sched_nanotime();
    R.t0 = trace_now();
    atomic_store(&R.active, 1);
    atomic_store(&trace_enabled, 1);
    pthread_mutex_unlock(&R.lock);
    return true;
}

void goc_trace_stop(void)
{
    pthread_mutex_lock(&R.lock);
    sched_blocking_begin(); /* sorting and writing every event: milliseconds */
    finish("stop", NULL);
    sched_blocking_end();
    pthread_mutex_unlock(&R.lock);
}

void trace_on_stop(const char *kind, goc_site site, const char *msg)
{
    if (!atomic_load(&R.active))
        return;
    bool deadlock = msg && strstr(msg, "deadlock");
    /* A deadlock's reporter is whichever thread parked last: show it on
     * main's track; a panic on the goroutine that panicked. */
    trace_ev e = {.kind = EV_STOP, .g = deadlock || !tls_g ? 1 : tls_g, .reason = deadlock ? STOP_DEADLOCK : STOP_PANIC,
                  .file = site.file, .line = site.line};
    record(&e);
    static char line[1024]; /* "panic: <msg>"; static: the stack may be a goroutine's small one */
    snprintf(line, sizeof line, "%s: %s", kind, msg ? msg : "");
    finish(deadlock ? "deadlock" : "panic", line);
}

/* GOC_TRACE=FILE: trace the whole program. */
__attribute__((constructor)) static void trace_from_env(void)
{
    const char *path = getenv("GOC_TRACE");
    if (path && *path)
        goc_trace_start(path);
}
