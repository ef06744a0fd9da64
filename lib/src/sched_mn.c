/* The M:N scheduler: many goroutines on a few worker threads (SCHED=mn).
 *
 * Go's design (runtime/proc.go), without Go's separate P: each worker
 * thread (an M) owns a run queue, a 256-slot lock-free ring plus a
 * `runnext` slot for the goroutine it just readied, so a ping-pong partner
 * runs next without touching the ring.  A global queue takes overflow and
 * goroutines readied by threads that are not workers (timers, main).  An M
 * with nothing to run steals half of another's ring; at most half the busy
 * Ms spin looking for work, the rest sleep on a futex until `wakep` (Go's
 * name) posts them.  Goroutines switch with a hand-written context switch
 * (arch/ctx.h) on stacks from stack.c.  A goroutine's record and its stack
 * are apart: records are dense, and a stack slot is bound only when the
 * goroutine first runs and given back the moment it ends, so goroutines
 * that wait to start cost a record each and a run of short ones reuses one
 * hot slot.  A parked goroutine costs its record and one page.
 *
 * Threads libgoc did not start (main, a plain pthread) stay goroutines
 * locked to their own thread: they park on a futex token, as in the thread
 * scheduler.  That keeps main's native stack, its thread-local state and
 * Check's fork-per-test exactly as before.
 *
 * Park: the unlock the caller passes runs after the switch, on the next
 * context (Go's park_m), still on the same thread, so a pthread mutex is
 * unlocked by the thread that locked it.  A ready that arrives before the
 * park completes sets G_WOKEN and the goroutine goes straight back on a
 * queue.
 *
 * A monitor thread (sysmon) watches for a worker that stays inside one
 * goroutine (a blocking read, sleep(), printf into a full pipe, a loop that
 * never calls libgoc) while goroutines wait in its queue: it moves that
 * queue to the global one and wakes or starts another worker.
 *
 * Deadlock detection is Go's checkdead: when every worker is idle, nothing
 * is queued, no foreign thread runs (`nforeign` counts those not parked, a
 * waker counting its target before waking it) and no timer is pending,
 * nothing can ever run again.  It is checked when a worker goes idle, a
 * foreign thread parks and the last timer ends, under the queue lock so
 * that workers cannot leave the idle list or take queued work meanwhile:
 * the last of them to happen sees everything else still.  A worker stuck in a system call is not idle,
 * so a goroutine blocked in read() is never reported.  (A global count of
 * running goroutines, as the thread scheduler keeps, would add two
 * contended atomics to every park and ready.)
 *
 * Sanitizers: every goroutine slot is a TSan fiber; this file is built
 * without TSan instrumentation (SCHED_MN_TSAN), switches carry no
 * synchronisation (goroutines sharing a worker still race in TSan's eyes)
 * and the ready -> resume edge is an explicit release/acquire.  ASan is told
 * about every stack switch.  valgrind learns each stack in stack.c. */
#include "sched_mn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch/ctx.h"
#include "goc/goroutine.h"
#include "futex_token.h"
#include "invariant.h"
#include "os_thread.h"
#include "sched_common.h"
#include "sema.h"
#include "stack.h"
#include "timer.h"
#include "trace_hooks.h"

#ifdef SCHED_MN_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define TSAN_SWITCH_NO_SYNC 1u
#define TSAN_RELEASE(p) __tsan_release(p)
#define TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define TSAN_RELEASE(p) ((void)0)
#define TSAN_ACQUIRE(p) ((void)0)
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SCHED_MN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCHED_MN_ASAN 1
#endif
#endif
#ifdef SCHED_MN_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

enum {
    RING = 256,           /* per-M run queue slots */
    MAX_M = 256,          /* worker threads, monitor's extra ones included */
    SPIN_ROUNDS = 16,     /* steal attempts before an idle M sleeps */
    SPIN_PAUSES = 8,      /* pause instructions between two (a few µs in all) */
    GLOBAL_EVERY = 61,    /* schedule ticks between global-queue checks */
    CACHE_G = 64,         /* dead goroutines' records an M keeps */
    CACHE_SLOTS = 32,     /* free stack slots an M keeps */
    RECORD_BATCH = 64,    /* records allocated at once */
    FOREIGN_SPINS = 64,   /* a foreign thread's spin before its futex sleep */
    SIGNAL_STACK = 65536, /* per-M alternate stack for the overflow report */
    TIMER_CHECK_EVERY = 4, /* schedule ticks between two looks for a due timer */
};
/* How long a worker may stay in one goroutine while others wait in its
 * queue before the monitor hands them to another worker: 1 ms when the
 * thread sleeps in the kernel (a blocking call), 10 ms when it is running
 * or waiting for a CPU (Go's preemption period), so a busy goroutine on a
 * loaded machine is not a reason to start threads beyond the CPU count. */
#define HANDOFF_NS 1000000
#define HANDOFF_BUSY_NS 10000000
#define SYSMON_MIN_US 500
#define SYSMON_MAX_US 20000

typedef struct m_t {
    /* owner-only */
    void *g0_sp; /* the scheduler loop's context (the thread's own stack) */
    mg *cur;
    mg *parked; /* finishing its park: see after_switch */
    void (*unlock)(void *);
    void *lock;
    mg *dead;
    mg *yielded;
    uint32_t tick;
    bool spinning;
    uint64_t rng;
    mg *cache;
    int ncache;
    char *slots[CACHE_SLOTS]; /* free stack slots, the last freed on top */
    int nslots;
    const void *g0_lo;
    size_t g0_size;
    void *g0_fake;
    void *g0_fiber;
    mg *tsan_prev; /* switched away from, its TSan fiber not yet left */
    struct m_t *idle_next;
    /* the monitor's view */
    _Alignas(64) _Atomic(uint32_t) schedtick; /* bumped on every switch */
    _Atomic(bool) in_g;                       /* running a goroutine now */
    _Atomic(bool) stuck; /* counted out of the running Ms until its next switch */
    _Atomic(uint32_t) blocking;               /* sched_blocking_begin depth */
    pid_t tid;                                /* for its state in /proc */
    pthread_t thread;                         /* for a stop's freeze */
    uint32_t seen_tick;                       /* sysmon-only from here */
    int64_t seen_at;
    /* read by stealers */
    _Alignas(64) _Atomic(uint32_t) head;
    _Atomic(uint32_t) tail;
    mg *_Atomic ring[RING];
    _Alignas(64) mg *_Atomic runnext;
    _Alignas(64) _Atomic(uint32_t) token; /* wakes it when idle */
} __attribute__((aligned(64))) m_t;

pthread_mutex_t mn_registry_lock = PTHREAD_MUTEX_INITIALIZER;
mg *mn_all_first;
_Atomic(int) mn_ntimers;

static struct {
    mg *all_last;
    mg *abandoned; /* the parent's goroutines, after fork */
    /* qlock: the global queue, idle Ms, starting Ms */
    _Alignas(64) pthread_mutex_t qlock;
    mg **gq_buf; /* the global queue: a ring of pointers, gq_size from gq_start */
    int gq_cap, gq_start;
    m_t *idle;
    bool sysmon_up;
    _Alignas(64) _Atomic(int) gq_size;
    _Alignas(64) _Atomic(int) nidle;
    _Atomic(int) nspinning;
    _Atomic(int) nstuck; /* Ms marked stuck (see mark_stuck) */
    _Atomic(int) nm;
    m_t *_Atomic ms[MAX_M];
    int nprocs;
    _Atomic(uint32_t) sysmon_token;
    /* free records and stack slots beyond the Ms' caches */
    _Alignas(64) pthread_mutex_t free_lock;
    mg *free_g;
    char **free_slots;
    int nfree_slots, free_slots_cap;
    _Alignas(64) _Atomic(int) nforeign;
    _Atomic(int) nhandoff; /* goroutines the monitor holds between two queues */
    char quiescent;        /* TSan: parks release it, the all-parked check acquires */
    _Alignas(64) _Atomic(int64_t) last_id;
    _Atomic(int) nlive;
} S = {.qlock = PTHREAD_MUTEX_INITIALIZER, .free_lock = PTHREAD_MUTEX_INITIALIZER};

const char sched_name[] = "mn";
const bool sched_fires_timers = true;
static __thread m_t *tls_m; /* set on worker threads */
static __thread mg *tls_g;  /* set on foreign threads */
static __thread bool tls_sysmon; /* set on the monitor thread */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t foreign_key;

/* The current M, read afresh: a goroutine may have moved to another
 * thread since its caller last looked, and compilers keep TLS addresses
 * across calls, so nothing here caches it across a switch. */
__attribute__((noinline)) static m_t *getm(void)
{
    m_t *m = tls_m;
    __asm__ volatile("" : "+r"(m));
    return m;
}

mg *mn_current_or_null(void)
{
    m_t *m = getm();
    return m ? m->cur : tls_g;
}

bool mn_is_scheduler_thread(void) { return getm() != NULL || tls_sysmon; }

/* ---- registry and counts ---------------------------------------------------- */

static void registry_add(mg *g)
{
    pthread_mutex_lock(&mn_registry_lock);
    g->all_prev = S.all_last;
    g->all_next = NULL;
    if (S.all_last)
        S.all_last->all_next = g;
    else
        mn_all_first = g;
    S.all_last = g;
    pthread_mutex_unlock(&mn_registry_lock);
}

static void registry_remove_locked(mg *g)
{
    if (g->all_prev)
        g->all_prev->all_next = g->all_next;
    else
        mn_all_first = g->all_next;
    if (g->all_next)
        g->all_next->all_prev = g->all_prev;
    else
        S.all_last = g->all_prev;
}

static bool has_work(void);

/* Under qlock, so the answer is a consistent picture: an idle worker
 * leaves the idle list, and anyone fills the global queue, only under it;
 * a worker that is not idle holds the goroutine it took. */
static void check_dead(void)
{
    /* Before the looks: a timer fired after it makes the verdict stale. */
    uint64_t quiet = sched_timers_quiet();
    pthread_mutex_lock(&S.qlock);
    /* The timers first: a callback readies its goroutine before its timer
     * stops counting, so a count read as zero here means that ready is
     * visible below.  (Read after, a timer firing from a thread that is no
     * worker, such as the fake clock's, between the two looks made a false
     * deadlock report.) */
    bool timers = atomic_load(&mn_ntimers) != 0;
    bool parked = atomic_load(&S.nforeign) == 0 && atomic_load(&S.nidle) == atomic_load(&S.nm) &&
                  atomic_load(&S.nspinning) == 0 && !has_work() && atomic_load(&S.nhandoff) == 0;
    pthread_mutex_unlock(&S.qlock);
    if (!parked)
        return;
    /* Everything the parked goroutines did happens before time moves. */
    TSAN_ACQUIRE(&S.quiescent);
    if (timers)
        sched_timers_all_parked(quiet); /* the fake clock moves on, if on */
    else
        sched_die("fatal error", (goc_site){NULL, 0, NULL}, "all goroutines are asleep - deadlock!");
}

void mn_settled_acquire(void) { TSAN_ACQUIRE(&S.quiescent); }

static void foreign_add(int delta)
{
    if (atomic_fetch_add(&S.nforeign, delta) + delta == 0)
        check_dead();
}

void sched_note_timer(int delta)
{
    atomic_fetch_add(&mn_ntimers, delta);
    /* A worker (firing a timer, or running a goroutine that stopped one) is
     * not idle, so the check could only say no; it checks again itself
     * before it sleeps.  That spares every callback a qlock. */
    if (delta <= 0 && !getm())
        check_dead();
}

/* A goroutine is gone.  Its record stays registered for its next
 * goroutine (dumps skip G_DEAD), so spawn and exit take no global lock;
 * a foreign thread's record is freed and leaves the registry. */
static void goroutine_exit(mg *g)
{
    atomic_store(&g->state, G_DEAD);
    atomic_fetch_sub(&S.nlive, 1);
    if (g->foreign) {
        pthread_mutex_lock(&mn_registry_lock);
        registry_remove_locked(g);
        pthread_mutex_unlock(&mn_registry_lock);
        foreign_add(-1);
    }
}

/* Copies a goroutine's name into its record.  A plain loop, not
 * snprintf: a reused record was last written by whoever spawned its
 * previous goroutine, on another TSan fiber, and the record came back
 * through this file's (uninstrumented) caches, so TSan would call
 * the intercepted libc write a race.  Stores made here are invisible to it,
 * like every other write to the record. */
static void name_copy(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; i + 1 < size && src[i]; i++)
        dst[i] = src[i];
    dst[i] = '\0';
}

static mg *g_init(mg *g, const char *name, goc_site site, int64_t parent)
{
    g->pub.id = atomic_fetch_add(&S.last_id, 1) + 1;
    atomic_store_explicit(&g->pub.select_done, 0, memory_order_relaxed);
    g->pub.param = NULL;
    name_copy(g->name, sizeof g->name, name ? name : "goroutine");
    g->created_at = site;
    g->parent_id = parent;
    atomic_store_explicit(&g->wait_reason, WAIT_NONE, memory_order_relaxed);
    atomic_store_explicit(&g->wait_file, NULL, memory_order_relaxed);
    return g;
}

/* ---- global queue (qlock) ------------------------------------------------------ */

/* The global queue holds pointers, not a list through the goroutines'
 * records: walking a list of records was a cache miss per goroutine (a
 * fifth of spawn + done with one worker, whose ring overflows here 129 at
 * a time, when each record still sat at the top of its own stack slot).
 * Grows by doubling, under qlock; never shrinks. */
static void gq_grow_locked(int need)
{
    int size = atomic_load_explicit(&S.gq_size, memory_order_relaxed);
    int cap = S.gq_cap ? S.gq_cap : 1024;
    while (cap < size + need)
        cap *= 2;
    mg **buf = malloc((size_t)cap * sizeof *buf);
    if (!buf) {
        fputs("fatal error: out of memory growing the run queue\n", stderr);
        _exit(2);
    }
    for (int i = 0; i < size; i++)
        buf[i] = S.gq_buf[(S.gq_start + i) % S.gq_cap];
    free(S.gq_buf);
    S.gq_buf = buf;
    S.gq_cap = cap;
    S.gq_start = 0;
}

static void gq_put_array(mg *const *gs, int n)
{
    pthread_mutex_lock(&S.qlock);
    int size = atomic_load_explicit(&S.gq_size, memory_order_relaxed);
    if (size + n > S.gq_cap)
        gq_grow_locked(n);
    for (int i = 0; i < n; i++)
        S.gq_buf[(S.gq_start + size + i) % S.gq_cap] = gs[i];
    atomic_fetch_add(&S.gq_size, n);
    pthread_mutex_unlock(&S.qlock);
}

static void gq_put(mg *g) { gq_put_array(&g, 1); }

/* Takes up to `max` goroutines from the global queue (Go's globrunqget):
 * the first to run now, the rest into m's ring (m's owner only), no more
 * than a fair share (the queue over the worker count) so that the other
 * workers find some too.  One lock for the batch: a close that readies a
 * thousand goroutines overflows them here 128 at a time, and taking them
 * back one lock each had the workers queue on qlock.  The batch reaches
 * the ring under qlock, so check_dead never sees it in neither queue. */
static mg *gq_get(m_t *m, int max)
{
    if (atomic_load_explicit(&S.gq_size, memory_order_relaxed) == 0)
        return NULL;
    pthread_mutex_lock(&S.qlock);
    int size = atomic_load_explicit(&S.gq_size, memory_order_relaxed);
    uint32_t h = atomic_load_explicit(&m->head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&m->tail, memory_order_relaxed);
    int n = size / S.nprocs + 1, room = 1 + (int)(RING - (t - h));
    n = n < size ? n : size;
    n = n < max ? n : max;
    n = n < room ? n : room;
    mg *first = n > 0 ? S.gq_buf[S.gq_start] : NULL;
    for (int i = 1; i < n; i++)
        atomic_store_explicit(&m->ring[t++ % RING], S.gq_buf[(S.gq_start + i) % S.gq_cap], memory_order_relaxed);
    if (n > 0)
        S.gq_start = (S.gq_start + n) % S.gq_cap;
    atomic_store_explicit(&m->tail, t, memory_order_release);
    atomic_fetch_sub(&S.gq_size, n);
    pthread_mutex_unlock(&S.qlock);
    return n > 0 ? first : NULL;
}

/* ---- per-M queue: Go's runqput / runqget / runqgrab -------------------------------- */

/* Moves the older half of m's full ring, and g, to the global queue in
 * one batch (Go's runqputslow); false if a thief took some meanwhile, and
 * g still needs a place.  Out of line: its 1 KB batch would otherwise
 * make every ring_put set up the frame. */
__attribute__((noinline)) static bool ring_put_slow(m_t *m, mg *g, uint32_t h)
{
    mg *batch[RING / 2 + 1];
    for (uint32_t i = 0; i < RING / 2; i++)
        batch[i] = atomic_load_explicit(&m->ring[(h + i) % RING], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&m->head, &h, h + RING / 2, memory_order_release,
                                                 memory_order_relaxed))
        return false;
    batch[RING / 2] = g;
    gq_put_array(batch, RING / 2 + 1);
    return true;
}

/* Puts g in m's ring (owner only); a full ring sends half of itself to
 * the global queue. */
static void ring_put(m_t *m, mg *g)
{
    for (;;) {
        uint32_t h = atomic_load_explicit(&m->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&m->tail, memory_order_relaxed);
        if (t - h < RING) {
            atomic_store_explicit(&m->ring[t % RING], g, memory_order_relaxed);
            atomic_store_explicit(&m->tail, t + 1, memory_order_release);
            return;
        }
        if (ring_put_slow(m, g, h))
            return;
    }
}

/* Takes up to half of v's ring into out[]; returns how many. */
static uint32_t ring_grab(m_t *v, mg **out, bool all)
{
    for (;;) {
        uint32_t h = atomic_load_explicit(&v->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&v->tail, memory_order_acquire);
        uint32_t n = t - h;
        if (!all)
            n -= n / 2;
        if (n == 0)
            return 0;
        if (n > RING)
            continue; /* inconsistent read: the owner moved on */
        for (uint32_t i = 0; i < n; i++)
            out[i] = atomic_load_explicit(&v->ring[(h + i) % RING], memory_order_relaxed);
        if (atomic_compare_exchange_strong_explicit(&v->head, &h, h + n, memory_order_release,
                                                    memory_order_relaxed))
            return n;
    }
}

static mg *ring_get(m_t *m)
{
    for (;;) {
        uint32_t h = atomic_load_explicit(&m->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&m->tail, memory_order_relaxed);
        if (t == h)
            return NULL;
        mg *g = atomic_load_explicit(&m->ring[h % RING], memory_order_relaxed);
        if (atomic_compare_exchange_strong_explicit(&m->head, &h, h + 1, memory_order_release,
                                                    memory_order_relaxed))
            return g;
    }
}

/* runnext is taken with an exchange: the monitor may empty it too. */
static mg *runnext_take(m_t *m)
{
    if (!atomic_load_explicit(&m->runnext, memory_order_relaxed))
        return NULL;
    return atomic_exchange_explicit(&m->runnext, NULL, memory_order_acquire);
}

static bool has_local_work(m_t *m)
{
    return atomic_load(&m->runnext) || atomic_load(&m->tail) != atomic_load(&m->head);
}

static bool has_work(void)
{
    if (atomic_load(&S.gq_size))
        return true;
    int nm = atomic_load(&S.nm);
    for (int i = 0; i < nm; i++)
        if (has_local_work(atomic_load(&S.ms[i])))
            return true;
    return false;
}

/* ---- worker threads ------------------------------------------------------------------ */

static void *m_main(void *p);
static void *sysmon_main(void *p);

/* Starts a worker (qlock held).  Returns false at the thread cap. */
static m_t *failed_ms; /* Ms whose thread could not start (qlock held) */

static bool start_m_locked(bool spinning)
{
    int n = atomic_load(&S.nm);
    if (n >= MAX_M)
        return false;
    m_t *m = aligned_alloc(64, sizeof(m_t));
    if (!m)
        return false;
    memset(m, 0, sizeof *m);
    m->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(n + 1);
    m->spinning = spinning;
    /* Counted before it runs: a new M with nothing to run at once (one
     * started to watch a timer) steals among S.nm Ms straight away. */
    atomic_store(&S.ms[n], m);
    atomic_store(&S.nm, n + 1);
    int err = os_thread_start(&(os_thread_spec){.fn = m_main, .arg = m}, NULL);
    if (!err && !S.sysmon_up)
        S.sysmon_up = os_thread_start(&(os_thread_spec){.fn = sysmon_main, .block_signals = true}, NULL) == 0;
    if (err) {
        /* A stealer, the monitor or a stop may have read S.ms[n] meanwhile
         * and still look at it: the record stays valid (an M with an empty
         * ring, not running, no thread) until the next start overwrites
         * the slot, and is never freed (kept reachable for leak checkers). */
        atomic_store(&S.nm, n);
        m->idle_next = failed_ms;
        failed_ms = m;
        return false;
    }
    return true;
}

static m_t *idle_pop_locked(void)
{
    m_t *m = S.idle;
    if (m) {
        S.idle = m->idle_next;
        atomic_fetch_sub(&S.nidle, 1);
    }
    return m;
}

/* Go's wakep: gets one more M looking for work, unless one already spins
 * (it will find the work and wake another if there is more).  `extra`: the
 * monitor's call, which may start Ms beyond the CPU count. */
static void wake_m(bool extra)
{
    if (atomic_load(&S.nspinning) != 0)
        return;
    int nm = atomic_load(&S.nm), nidle = atomic_load(&S.nidle);
    if (!extra && nidle == 0 && nm >= S.nprocs)
        return;
    /* At most GOC_MAXPROCS Ms run goroutines (Go's Ps): Ms the monitor
     * started for stuck ones stay idle once those come back. */
    if (nm - nidle - atomic_load(&S.nstuck) >= S.nprocs)
        return;
    int zero = 0;
    if (!atomic_compare_exchange_strong(&S.nspinning, &zero, 1))
        return;
    pthread_mutex_lock(&S.qlock);
    m_t *m = idle_pop_locked();
    bool started = false;
    if (!m && (extra || atomic_load(&S.nm) < S.nprocs))
        started = start_m_locked(true);
    pthread_mutex_unlock(&S.qlock);
    if (m) {
        m->spinning = true;
        token_post(&m->token);
    } else if (!started) {
        atomic_fetch_sub(&S.nspinning, 1);
    }
}

static void wakep(void) { wake_m(false); }

/* Makes g runnable.  On a worker it becomes that worker's next goroutine
 * (next) or joins its ring; elsewhere it joins the global queue.  Another M
 * is woken only for work beyond runnext: the current one runs that at its
 * next switch, and a cross-CPU wake-up costs a futex and more. */
static void enqueue(mg *g, bool next)
{
    m_t *m = getm();
    if (!m) {
        gq_put(g);
        wakep();
        return;
    }
    if (next) {
        /* Only the owner puts a goroutine in runnext; others (the monitor)
         * only take it out.  So an empty slot stays empty until our store,
         * and a plain release store fills it: the exchange, a locked
         * instruction, is only needed to move a goroutine already there,
         * which someone may be taking meanwhile.  A ping-pong's every
         * ready finds it empty. */
        if (!atomic_load_explicit(&m->runnext, memory_order_relaxed)) {
            atomic_store_explicit(&m->runnext, g, memory_order_release);
            return;
        }
        mg *old = atomic_exchange_explicit(&m->runnext, g, memory_order_acq_rel);
        if (!old)
            return;
        g = old;
    }
    ring_put(m, g);
    wakep();
}

/* Work without waiting: the global queue now and then (so it cannot
 * starve), runnext, the ring, the global queue. */
static mg *find_fast(m_t *m)
{
    mg *g;
    if (++m->tick % GLOBAL_EVERY == 0 && (g = gq_get(m, 1)))
        return g;
    if ((g = runnext_take(m)) || (g = ring_get(m)))
        return g;
    return gq_get(m, RING / 2);
}

static mg *try_steal(m_t *m)
{
    mg *g = gq_get(m, RING / 2);
    if (g)
        return g;
    int nm = atomic_load(&S.nm);
    m->rng = m->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    int start = (int)((m->rng >> 33) % (uint64_t)nm);
    for (int k = 0; k < nm; k++) {
        m_t *v = atomic_load(&S.ms[(start + k) % nm]);
        if (v == m)
            continue;
        mg *batch[RING];
        uint32_t n = ring_grab(v, batch, false);
        if (n == 0)
            continue;
        for (uint32_t i = 1; i < n; i++)
            ring_put(m, batch[i]);
        return batch[0];
    }
    return NULL;
}

static void stop_spinning(m_t *m)
{
    if (m->spinning) {
        m->spinning = false;
        /* The last spinner to find work wakes a replacement (Go's resetspinning). */
        if (atomic_fetch_sub(&S.nspinning, 1) == 1)
            wakep();
    }
}

/* Takes m off the idle list if it is there (qlock held).  Whoever takes an
 * M off the list posts its token, exactly once. */
static bool idle_unlink_locked(m_t *m)
{
    m_t **pp = &S.idle;
    while (*pp && *pp != m)
        pp = &(*pp)->idle_next;
    if (*pp != m)
        return false;
    *pp = m->idle_next;
    atomic_fetch_sub(&S.nidle, 1);
    return true;
}

static void idle_remove(m_t *m)
{
    pthread_mutex_lock(&S.qlock);
    bool removed = idle_unlink_locked(m);
    pthread_mutex_unlock(&S.qlock);
    if (!removed)
        token_take(&m->token, 0); /* a waker popped us already and posts */
}

/* ---- timers (timer.c's heap, fired by the workers) ------------------------------------ */

/* The one idle M that sleeps until the earliest timer deadline rather than
 * until woken (Go's M blocked in netpoll with a timeout), or NULL. */
static m_t *_Atomic timer_watcher;

static void sched_init(void);

/* Is a real-time timer due?  The fast path is one load. */
static bool timers_due(void)
{
    int64_t when = timer_next_real();
    return when != INT64_MAX && when <= sched_nanotime();
}

/* Takes the token, or gives up at `deadline` (sched_nanotime clock; INT64_MAX:
 * never).  Returns whether it was taken. */
static bool token_take_until(_Atomic(uint32_t) *tok, int64_t deadline)
{
    if (deadline == INT64_MAX) {
        token_take(tok, 0);
        return true;
    }
    for (;;) {
        uint32_t v = atomic_load(tok);
        if (v == 1) {
            if (atomic_compare_exchange_strong(tok, &v, 0))
                return true;
            continue;
        }
        if (v == 0 && !atomic_compare_exchange_strong(tok, &v, 2))
            continue;
        int64_t left = deadline - sched_nanotime();
        if (left <= 0) {
            uint32_t asleep = 2;
            if (atomic_compare_exchange_strong(tok, &asleep, 0))
                return false;
            continue; /* posted meanwhile: take it */
        }
        struct timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
        /* a relative timeout: the kernel measures it on CLOCK_MONOTONIC */
        if (syscall(SYS_futex, (uint32_t *)tok, FUTEX_WAIT_PRIVATE, 2, &ts, NULL, 0) != 0 && errno == EINTR)
            stop_after_eintr();
    }
}

/* An idle M's sleep (it is on the idle list).  The first to get here
 * watches the timers: it sleeps until the earliest deadline, unless woken
 * first; the others sleep until a waker posts them. */
static void idle_sleep(m_t *m)
{
    m_t *none = NULL;
    if (!atomic_compare_exchange_strong(&timer_watcher, &none, m)) {
        token_take(&m->token, 0); /* posted by wake_m, which made us a spinner */
        return;
    }
    /* Read after becoming the watcher: a start that puts an earlier
     * deadline on top publishes it before it looks for us. */
    bool woken = token_take_until(&m->token, timer_next_real());
    atomic_store(&timer_watcher, NULL);
    if (!woken)
        idle_remove(m); /* the deadline came: leave the idle list ourselves */
}

/* timer.c: a new earliest deadline.  The watcher sleeps until a later one:
 * wake it (unless it is up already, when it reads the new one before it
 * sleeps again); with no watcher, get an M looking (an idle one, or a new
 * one while there are fewer than GOC_MAXPROCS).  Busy Ms see the deadline
 * at their next schedule point, and the monitor fires it if none does. */
void sched_timer_earlier(void)
{
    pthread_once(&init_once, sched_init);
    m_t *w = atomic_load(&timer_watcher);
    if (!w) {
        wakep();
        return;
    }
    pthread_mutex_lock(&S.qlock);
    bool unlinked = idle_unlink_locked(w);
    pthread_mutex_unlock(&S.qlock);
    if (unlinked)
        token_post(&w->token);
}

/* The scheduler side of an M with nothing queued: spin, then sleep. */
static mg *find_work(m_t *m)
{
    for (;;) {
        /* On this M's own context (g0), so what a callback readies
         * lands in this M's queue. */
        if (timers_due()) {
            stop_spinning(m); /* found work: a callback may run long */
            timer_run_due();
        }
        mg *g = find_fast(m);
        if (g) {
            stop_spinning(m);
            return g;
        }
        int busy = atomic_load(&S.nm) - atomic_load(&S.nidle);
        if (!m->spinning && 2 * atomic_load(&S.nspinning) < busy) {
            m->spinning = true;
            atomic_fetch_add(&S.nspinning, 1);
        }
        if (m->spinning) {
            for (int i = 0; i < SPIN_ROUNDS; i++) {
                if ((g = try_steal(m))) {
                    stop_spinning(m);
                    return g;
                }
                for (int k = 0; k < SPIN_PAUSES; k++)
                    cpu_relax();
            }
            m->spinning = false;
            atomic_fetch_sub(&S.nspinning, 1);
        }
        /* Publish ourselves idle, then look once more: a ready between
         * our last look and the publication would else be lost. */
        pthread_mutex_lock(&S.qlock);
        m->idle_next = S.idle;
        S.idle = m;
        atomic_fetch_add(&S.nidle, 1);
        pthread_mutex_unlock(&S.qlock);
        if (has_work()) {
            idle_remove(m);
            continue;
        }
        check_dead();
        idle_sleep(m);
    }
}

/* ---- goroutine records and stack slots -------------------------------------------------- */

/* Records come RECORD_BATCH at a time, 64-byte aligned, and live for ever
 * (registered, reused): a goroutine's pointer may outlive it in a channel's
 * waiter or a dump.  The batch is registered before free_lock is taken
 * (fork's lock order is registry, qlock, free_lock). */
static void records_new(void)
{
    mg *batch = aligned_alloc(_Alignof(mg), RECORD_BATCH * sizeof(mg));
    if (!batch) {
        fputs("fatal error: out of memory for goroutine records\n", stderr);
        _exit(2);
    }
    memset(batch, 0, RECORD_BATCH * sizeof(mg));
    for (int i = 0; i < RECORD_BATCH; i++) {
        mg *g = &batch[i];
        atomic_store(&g->state, G_DEAD);
#ifdef SCHED_MN_TSAN
        g->tsan_fiber = __tsan_create_fiber(0);
#endif
        g->next = i + 1 < RECORD_BATCH ? &batch[i + 1] : NULL;
        registry_add(g);
    }
    pthread_mutex_lock(&S.free_lock);
    batch[RECORD_BATCH - 1].next = S.free_g;
    S.free_g = batch;
    pthread_mutex_unlock(&S.free_lock);
}

/* Takes up to `want` free records from the global list (Go's gfget batch),
 * adding a new batch to it when it is empty; returns a list of `*got`. */
static mg *free_list_take(int want, int *got)
{
    pthread_mutex_lock(&S.free_lock);
    while (!S.free_g) { /* another M may take the new batch first */
        pthread_mutex_unlock(&S.free_lock);
        records_new();
        pthread_mutex_lock(&S.free_lock);
    }
    mg *first = S.free_g, *g = first;
    int n = 0;
    while (g && ++n < want)
        g = g->next;
    if (g) {
        S.free_g = g->next;
        g->next = NULL;
    } else {
        S.free_g = NULL;
    }
    pthread_mutex_unlock(&S.free_lock);
    *got = n;
    return first;
}

static mg *alloc_g(m_t *m)
{
    mg *g;
    if (m) {
        if (!m->cache)
            m->cache = free_list_take(CACHE_G / 2, &m->ncache);
        g = m->cache;
        m->cache = g->next;
        m->ncache--;
    } else {
        int got;
        g = free_list_take(1, &got);
    }
    g->next = NULL;
    g->sp = NULL; /* no stack until it first runs (bind_stack) */
#ifdef SCHED_MN_ASAN
    /* its last goroutine's fake stack (detect_stack_use_after_return) died
     * with it (switch_away passed no save slot): the first switch in must
     * not hand ASan that freed one.  NULL: ASan makes a fresh one. */
    g->asan_fake = NULL;
#endif
    return g;
}

/* Keeps g's record on this M; a full cache gives half to the global list. */
static void free_record(m_t *m, mg *g)
{
    g->next = m->cache;
    m->cache = g;
    if (++m->ncache < CACHE_G)
        return;
    mg *last = m->cache;
    for (int i = 1; i < CACHE_G / 2; i++)
        last = last->next;
    mg *first = m->cache;
    m->cache = last->next;
    m->ncache -= CACHE_G / 2;
    pthread_mutex_lock(&S.free_lock);
    last->next = S.free_g;
    S.free_g = first;
    pthread_mutex_unlock(&S.free_lock);
}

#ifdef SCHED_MN_ASAN
/* The usable stack: the slot above its guard page. */
static const void *slot_stack_lo(const mg *g) { return g->stack_lo + stack_guard_size(); }
static size_t slot_stack_size(const mg *g)
{
    (void)g;
    return stack_slot_size() - stack_guard_size();
}
#endif

static void g_entry(void *arg);

/* A stack slot for g, which is about to run for the first time: the one
 * this M freed last (its top page still in cache), else the global list's,
 * else a new one. */
static void bind_stack(m_t *m, mg *g)
{
    if (m->nslots == 0) {
        pthread_mutex_lock(&S.free_lock);
        while (m->nslots < CACHE_SLOTS / 2 && S.nfree_slots > 0)
            m->slots[m->nslots++] = S.free_slots[--S.nfree_slots];
        pthread_mutex_unlock(&S.free_lock);
    }
    if (m->nslots > 0) {
        g->stack_lo = m->slots[--m->nslots];
#ifdef SCHED_MN_ASAN
        /* frames of the slot's last goroutine left their redzones poisoned */
        __asan_unpoison_memory_region(slot_stack_lo(g), slot_stack_size(g));
#endif
    } else {
        g->stack_lo = stack_new_slot();
    }
    g->sp = ctx_make(g->stack_lo + stack_slot_size(), g_entry, g);
}

#ifndef SCHED_MN_TSAN
/* Gives a dead goroutine's slot back; a full cache gives half to the
 * global list.  (Not under TSan: see bind_own_stack.) */
static void free_stack(m_t *m, mg *g)
{
    m->slots[m->nslots++] = g->stack_lo;
    g->stack_lo = NULL;
    if (m->nslots < CACHE_SLOTS)
        return;
    int give = CACHE_SLOTS / 2;
    pthread_mutex_lock(&S.free_lock);
    if (S.nfree_slots + give > S.free_slots_cap) {
        int cap = S.free_slots_cap ? S.free_slots_cap * 2 : 1024;
        char **buf = realloc(S.free_slots, (size_t)cap * sizeof *buf);
        if (!buf) {
            fputs("fatal error: out of memory keeping free goroutine stacks\n", stderr);
            _exit(2);
        }
        S.free_slots = buf;
        S.free_slots_cap = cap;
    }
    /* The oldest half, at the bottom, goes; the hot ones stay.  Plain
     * loops, not memcpy: TSan intercepts libc's, and would see goroutines
     * sharing this M race on its array (this file's own stores it does
     * not see). */
    for (int i = 0; i < give; i++)
        S.free_slots[S.nfree_slots++] = m->slots[i];
    pthread_mutex_unlock(&S.free_lock);
    for (int i = give; i < m->nslots; i++)
        m->slots[i - give] = m->slots[i];
    m->nslots -= give;
}
#endif

static void free_g(m_t *m, mg *g)
{
#ifndef SCHED_MN_TSAN
    free_stack(m, g);
#endif
    free_record(m, g);
}

#ifdef SCHED_MN_TSAN
/* Under TSan a record keeps its slot for ever and gets it at spawn, as
 * when the record sat in the slot: a TSan fiber belongs to the record, and
 * a slot that moved between fibers would make TSan call one goroutine's
 * stack writes races with the last one's.  TSan (gcc 12's) has no way to
 * forget a range's history, and a release when a slot is freed with an
 * acquire when it is bound would order the slot's last goroutine before
 * its next: one that first runs after another ended would be ordered
 * after it, hiding real races (exercise 13's race pass missed one that
 * way).  A slot bound at spawn is ordered only after goroutines that ended
 * before the spawn, as before records and stacks were apart. */
static void bind_own_stack(mg *g)
{
    if (!g->stack_lo)
        g->stack_lo = stack_new_slot();
    g->sp = ctx_make(g->stack_lo + stack_slot_size(), g_entry, g);
}
#endif

/* ---- switching ---------------------------------------------------------------------------- */

static void asan_start(void **save, mg *to, m_t *m)
{
#ifdef SCHED_MN_ASAN
    if (to)
        __sanitizer_start_switch_fiber(save, slot_stack_lo(to), slot_stack_size(to));
    else
        __sanitizer_start_switch_fiber(save, m->g0_lo, m->g0_size);
#else
    (void)save, (void)to, (void)m;
#endif
}

/* Runs first on whichever context we switched to, on the same thread:
 * finishes the park of the goroutine we left (Go's park_m), requeues a
 * yielded one, recycles a dead one's slot. */
static void after_switch(void)
{
    m_t *m = getm();
#ifdef SCHED_MN_ASAN
    __sanitizer_finish_switch_fiber(m->cur ? m->cur->asan_fake : m->g0_fake, NULL, NULL);
#endif
    mg *p = m->parked;
    if (p) {
        m->parked = NULL;
        int s = G_PARKING;
        if (m->unlock) {
            atomic_store_explicit(&p->state, G_WAITING, memory_order_release);
        } else if (!atomic_compare_exchange_strong(&p->state, &s, G_WAITING)) {
            /* readied while switching away: run it again */
            atomic_store(&p->state, G_RUNNABLE);
            ring_put(m, p);
        }
        void (*unlock)(void *) = m->unlock;
        m->unlock = NULL;
        if (unlock)
            unlock(m->lock);
    }
    if (m->yielded) {
        gq_put(m->yielded);
        m->yielded = NULL;
    }
    if (m->dead) {
        free_g(m, m->dead);
        m->dead = NULL;
    }
#ifdef SCHED_MN_TSAN
    /* The goroutine we left may already be resumed by another M, which
     * must not enter its fiber while this thread is still in it: leave it
     * for this M's own fiber first, then say it is free, then wait until
     * the one we enter is free too. */
    __tsan_switch_to_fiber(m->g0_fiber, TSAN_SWITCH_NO_SYNC);
    if (m->tsan_prev) {
        atomic_store(&m->tsan_prev->tsan_busy, false);
        m->tsan_prev = NULL;
    }
    if (m->cur) {
        while (atomic_load(&m->cur->tsan_busy))
            cpu_relax();
        __tsan_switch_to_fiber(m->cur->tsan_fiber, TSAN_SWITCH_NO_SYNC);
        __tsan_acquire(m->cur); /* its ready (or spawn) happened before this */
        __tsan_acquire(m);      /* and so did the worker's TLS set-up (m_main) */
    }
#endif
}

/* A worker stuck in one goroutine (a blocking call, a loop that never
 * calls libgoc) no longer counts among the GOC_MAXPROCS Ms that run
 * goroutines, so another may be woken in its place (Go's handoffp); it
 * counts again from its next switch. */
static void mark_stuck(m_t *m)
{
    if (!atomic_exchange(&m->stuck, true))
        atomic_fetch_add(&S.nstuck, 1);
}

static void clear_stuck(m_t *m)
{
    if (atomic_load_explicit(&m->stuck, memory_order_relaxed) && atomic_exchange(&m->stuck, false))
        atomic_fetch_sub(&S.nstuck, 1);
}

static void set_running(m_t *m, mg *next)
{
    if (next && !next->sp)
        bind_stack(m, next);
    clear_stuck(m);
    m->cur = next;
    atomic_store_explicit(&m->in_g, next != NULL, memory_order_relaxed);
    atomic_store_explicit(&m->schedtick, m->tick + 1, memory_order_relaxed);
    m->tick++;
    if (next)
        atomic_store_explicit(&next->state, G_RUNNING, memory_order_relaxed);
}

/* Leaves g for the next runnable goroutine, or for this M's scheduler
 * loop when there is none. */
static void switch_away(m_t *m, mg *g, bool dying)
{
    invariant(atomic_load_explicit(&m->blocking, memory_order_relaxed) == 0,
              "a goroutine parked, yielded or ended between sched_blocking_begin and _end");
    TSAN_RELEASE(&S.quiescent);
    /* A due timer: back to the scheduler context, which fires it.  Looked
     * for only when m->tick (which every switch advances) is a multiple of
     * TIMER_CHECK_EVERY: with a timer pending the look reads the clock
     * (some 20 ns here, on a ping-pong's 130). */
    mg *next = (m->tick % TIMER_CHECK_EVERY == 0 && timers_due()) ? NULL : find_fast(m);
    set_running(m, next);
#ifdef SCHED_MN_TSAN
    atomic_store(&g->tsan_busy, true);
    m->tsan_prev = g;
#endif
    /* a dying goroutine passes no save slot: ASan drops its fake stack */
    asan_start(dying ? NULL : &g->asan_fake, next, m);
    ctx_swap(&g->sp, next ? next->sp : m->g0_sp);
    after_switch();
}

static void g_entry(void *arg)
{
    mg *g = arg;
    after_switch();
    TRACE(trace_go_start(&g->pub));
    g->fn(g->arg);
    /* The record stays reachable (registered, reused), so LeakSanitizer
     * scans it: a pointer left here would keep what the goroutine was
     * given alive in its eyes, and a learner's leak of it unreported. */
    g->arg = NULL;
    g->pub.param = NULL;
    TRACE(trace_go_end(&g->pub));
    if (g->foreign) {
        /* Only after fork: the child's forking goroutine became its
         * thread's own and has nowhere to return to. */
        exit(0);
    }
    goroutine_exit(g);
    m_t *m = getm();
    m->dead = g;
    switch_away(m, g, true);
    __builtin_trap();
}

static void thread_stack(const void **lo, size_t *size)
{
    pthread_attr_t a;
    void *addr = NULL;
    *size = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        pthread_attr_getstack(&a, &addr, size);
        pthread_attr_destroy(&a);
    }
    *lo = addr;
}

static void *m_main(void *p)
{
    m_t *m = p;
    /* Not the mask of whoever started us (the monitor, the timer thread):
     * a worker that blocked the freeze ran on through a panic's report. */
    stop_freezable_thread();
    tls_m = m;
    m->tid = (pid_t)syscall(SYS_gettid);
    m->thread = pthread_self();
    if (stop_in_progress())
        stop_block_forever(); /* started while the program stops */
    thread_stack(&m->g0_lo, &m->g0_size);
#ifdef SCHED_MN_TSAN
    m->g0_fiber = __tsan_get_current_fiber();
    /* TSan counts the thread's TLS as written by its start-up; goroutines
     * (other fibers) reading it must see that as ordered before them.  The
     * only release on m: it orders nothing between goroutines. */
    __tsan_release(m);
#endif
    mn_diag_thread_init();
    for (;;) {
        mg *g = find_work(m);
        set_running(m, g);
        asan_start(&m->g0_fake, g, m);
        ctx_swap(&m->g0_sp, g->sp);
        after_switch();
    }
    return NULL;
}

/* ---- the monitor ----------------------------------------------------------------------- */

/* Moves every goroutine queued on m to the global queue and gets another
 * worker to run them (Go's handoffp).  Called by the monitor and by m
 * itself entering a blocking call. */
static void hand_off(m_t *m)
{
    mg *batch[RING + 1];
    atomic_fetch_add(&S.nhandoff, 1); /* in no queue for a moment, yet work */
    uint32_t n = ring_grab(m, batch, true);
    mg *next = atomic_exchange(&m->runnext, NULL);
    if (next)
        batch[n++] = next;
    if (n > 0)
        gq_put_array(batch, (int)n);
    atomic_fetch_sub(&S.nhandoff, 1);
    if (n > 0)
        wake_m(true);
}

/* Go's entersyscallblock: the call is known to block, so the queued
 * goroutines leave now rather than after the monitor's 1 ms, and work in
 * the global queue gets a worker too (this one will not look for a
 * while).  Work that arrives later is the monitor's: it counts a worker
 * in a blocking call as stuck at its next tick. */
void sched_blocking_begin(void)
{
    m_t *m = getm();
    if (!m)
        return; /* a thread of its own (main, a plain pthread, the timer's) */
    uint32_t depth = atomic_load_explicit(&m->blocking, memory_order_relaxed);
    atomic_store_explicit(&m->blocking, depth + 1, memory_order_relaxed);
    if (depth > 0)
        return;
    mark_stuck(m);
    if (has_local_work(m))
        hand_off(m);
    else if (atomic_load_explicit(&S.gq_size, memory_order_relaxed))
        wake_m(true);
}

void sched_blocking_end(void)
{
    m_t *m = getm();
    if (!m)
        return;
    uint32_t depth = atomic_load_explicit(&m->blocking, memory_order_relaxed);
    invariant(depth > 0, "sched_blocking_end without sched_blocking_begin on this worker "
                         "(did the goroutine park inside the bracket?)");
    atomic_store_explicit(&m->blocking, depth - 1, memory_order_relaxed);
    if (depth == 1)
        clear_stuck(m);
}

/* Is m's thread asleep in the kernel (state S or D), rather than running
 * or runnable?  Read only for a worker already suspected of being stuck;
 * with plain system calls, not stdio, which exit() tears down under a
 * thread that is still using it. */
static bool thread_sleeps(m_t *m)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)m->tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return true;
    buf[n] = '\0';
    const char *end = strrchr(buf, ')'); /* the name may hold spaces */
    return !end || end[1] != ' ' || end[2] == 'S' || end[2] == 'D';
}

/* A real-time timer due `late` ns ago that no worker fired: every worker
 * stays inside a goroutine (a loop that never calls libgoc, a blocking
 * call), or none watches.  Past TIMER_LATE_NS the monitor fires it itself
 * (what the callback readies goes to the global queue, which a stuck set of
 * workers gets a new M for); before that it gets an M looking. */
#define TIMER_LATE_NS 1000000
static void sysmon_timers(int64_t now)
{
    int64_t when = timer_next_real();
    if (when == INT64_MAX || when > now)
        return;
    if (now - when >= TIMER_LATE_NS)
        timer_run_due();
    else if (!atomic_load(&timer_watcher))
        wakep();
}

static void *sysmon_main(void *unused)
{
    (void)unused;
    tls_sysmon = true;
    unsigned delay = SYSMON_MIN_US;
    for (;;) {
        struct timespec ts = {0, (long)delay * 1000};
        /* The raw call: a grader wraps nanosleep() to catch learners who
         * sleep to synchronise, and this one is not theirs. */
        syscall(SYS_nanosleep, &ts, NULL);
        int64_t now = sched_nanotime();
        bool busy = false, all_stuck = true;
        int nm = atomic_load(&S.nm);
        for (int i = 0; i < nm; i++) {
            m_t *m = atomic_load(&S.ms[i]);
            uint32_t tick = atomic_load_explicit(&m->schedtick, memory_order_relaxed);
            bool in_g = atomic_load_explicit(&m->in_g, memory_order_relaxed);
            /* in a bracketed blocking call: stuck now, whatever the clocks say */
            bool blocked = in_g && atomic_load_explicit(&m->blocking, memory_order_relaxed);
            if (!in_g || tick != m->seen_tick) {
                m->seen_tick = tick;
                m->seen_at = now;
            }
            if (!in_g) {
                all_stuck = false;
                continue;
            }
            busy = true;
            int64_t stale = now - m->seen_at;
            /* An idle worker takes a busy one's queue after HANDOFF_NS: no
             * thread is started for it, so the longer grace does not apply. */
            bool idle_helper = atomic_load_explicit(&S.nidle, memory_order_relaxed) > 0;
            if (!blocked &&
                (stale < HANDOFF_NS || (stale < HANDOFF_BUSY_NS && !idle_helper && !thread_sleeps(m)))) {
                all_stuck = false;
            } else {
                mark_stuck(m);
                if (has_local_work(m))
                    hand_off(m);
            }
        }
        sysmon_timers(now);
        /* A global queue that no M can serve (all stuck) gets a new one. */
        if (nm > 0 && all_stuck && atomic_load(&S.gq_size))
            wake_m(true);
        /* A pending timer keeps the watch close while nobody sleeps on it. */
        busy |= timer_next_real() != INT64_MAX && !atomic_load(&timer_watcher);
        delay = busy ? SYSMON_MIN_US : (delay * 2 > SYSMON_MAX_US ? SYSMON_MAX_US : delay * 2);
    }
    return NULL;
}

/* Sends a stop's freeze to every worker thread but the caller's; returns
 * how many were sent. */
int mn_freeze_workers(void)
{
    int sent = 0, nm = atomic_load(&S.nm);
    for (int i = 0; i < nm; i++) {
        m_t *m = atomic_load(&S.ms[i]);
        if (m != tls_m && m->thread && stop_freeze_send(m->thread))
            sent++;
    }
    return sent;
}

/* ---- initialisation and fork ---------------------------------------------------------- */

static void foreign_thread_exit(void *p)
{
    mg *g = p;
    goroutine_exit(g);
    free(g);
}

static void atfork_prepare(void)
{
    pthread_mutex_lock(&mn_registry_lock);
    pthread_mutex_lock(&S.qlock);
    pthread_mutex_lock(&S.free_lock);
    stack_atfork_prepare();
}

static void atfork_parent(void)
{
    stack_atfork_parent();
    pthread_mutex_unlock(&S.free_lock);
    pthread_mutex_unlock(&S.qlock);
    pthread_mutex_unlock(&mn_registry_lock);
}

/* Only the forking thread exists in the child.  Its goroutine (even one
 * that ran on a worker) becomes that thread's own, like main; every other
 * goroutine is forgotten (kept reachable, never freed: channels may still
 * point at it), and workers start afresh on the next goc_go. */
static void atfork_child(void)
{
    /* Taken in atfork_prepare by this thread, the one thread here:
     * unlocked, not re-initialised (ThreadSanitizer would still count a
     * re-initialised held mutex as held: "double lock" at the next lock). */
    stack_atfork_child();
    pthread_mutex_unlock(&S.free_lock);
    pthread_mutex_unlock(&S.qlock);
    pthread_mutex_unlock(&mn_registry_lock);
    mg *self = mn_current_or_null();
    if (tls_m) {
        self->foreign = true;
        tls_m = NULL;
        tls_g = self;
    }
    if (self)
        registry_remove_locked(self);
    /* Free records stay registered in the parent's list: abandoned with
     * it.  Free stack slots (S.free_slots) are free here too: kept. */
    S.abandoned = mn_all_first;
    mn_all_first = S.all_last = NULL;
    S.free_g = NULL;
    int n = 0;
    if (self) {
        registry_add(self);
        atomic_store(&self->state, G_RUNNING);
        n = 1;
    }
    S.gq_start = 0; /* the parent's queued goroutines are forgotten with it */
    atomic_store(&S.gq_size, 0);
    S.idle = NULL;
    atomic_store(&S.nidle, 0);
    atomic_store(&S.nspinning, 0);
    atomic_store(&S.nstuck, 0);
    atomic_store(&S.nm, 0);
    S.sysmon_up = false;
    atomic_store(&S.nlive, n);
    atomic_store(&S.nforeign, n);
    atomic_store(&mn_ntimers, 0);
    atomic_store(&timer_watcher, NULL);
    stop_after_fork_child();
    timer_after_fork_child();
    sema_after_fork_child();
}

static void sched_init(void)
{
    pthread_key_create(&foreign_key, foreign_thread_exit);
    os_thread_init(); /* first: its fork handlers run after ours, with qlock held */
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("GOC_MAXPROCS");
    if (env && atoi(env) > 0)
        n = atoi(env);
    S.nprocs = n < 1 ? 1 : n > MAX_M / 2 ? MAX_M / 2 : (int)n;
    stop_init();
    stop_freeze_init();
    mn_diag_init();
}

goc_g *sched_current(void)
{
    mg *g = mn_current_or_null();
    if (g)
        return &g->pub;
    invariant(!mn_is_scheduler_thread(),
              "sched_current() called on a worker between goroutines or on the monitor (from a timer callback?)");
    pthread_once(&init_once, sched_init);
    g = aligned_alloc(_Alignof(mg), sizeof *g);
    if (g)
        memset(g, 0, sizeof *g);
    if (!g) {
        fputs("fatal error: out of memory registering a thread as a goroutine\n", stderr);
        _exit(2);
    }
    g_init(g, "main", (goc_site){NULL, 0, NULL}, 0);
    g->foreign = true;
    g->thread = pthread_self();
    atomic_fetch_add(&S.nlive, 1);
    atomic_fetch_add(&S.nforeign, 1);
    registry_add(g);
    tls_g = g;
    pthread_setspecific(foreign_key, g);
    return &g->pub;
}

/* ---- the seam ------------------------------------------------------------------------------ */

int64_t sched_spawn(goc_func fn, void *arg, const char *name, goc_site site)
{
    /* No sched_current(): a timer callback (goc_after_func) spawns from a
     * worker's scheduler context or a timer/monitor thread, none of which
     * may become a goroutine; its parent is 0. */
    mg *parent = mn_current_or_null();
    pthread_once(&init_once, sched_init);
    m_t *m = getm();
    mg *g = g_init(alloc_g(m), name, site, parent ? parent->pub.id : 0);
    g->fn = fn;
    g->arg = arg;
    g->foreign = false;
#ifdef SCHED_MN_TSAN
    bind_own_stack(g);
#endif
    int64_t id = g->pub.id;
    atomic_fetch_add(&S.nlive, 1);
    atomic_store_explicit(&g->state, G_RUNNABLE, memory_order_relaxed);
    TSAN_RELEASE(g);
    enqueue(g, true);
    return id;
}

static void note_wait(mg *g, sched_wait_reason reason, goc_site site)
{
    atomic_store_explicit(&g->wait_file, site.file, memory_order_relaxed);
    atomic_store_explicit(&g->wait_func, site.func, memory_order_relaxed);
    atomic_store_explicit(&g->wait_line, site.line, memory_order_relaxed);
    atomic_store_explicit(&g->wait_reason, (int)reason, memory_order_relaxed);
}

static void park_foreign(mg *g, void (*unlock)(void *), void *lock)
{
    TSAN_RELEASE(&S.quiescent);
    atomic_store_explicit(&g->state, G_WAITING, memory_order_release);
    if (unlock)
        unlock(lock);
    foreign_add(-1);
    token_take(&g->token, FOREIGN_SPINS);
    TSAN_ACQUIRE(g);
    atomic_store_explicit(&g->state, G_RUNNING, memory_order_relaxed);
}

static void park_switch(mg *g, void (*unlock)(void *), void *lock)
{
    m_t *m = getm();
    m->parked = g;
    m->unlock = unlock;
    m->lock = lock;
    switch_away(m, g, false);
}

void sched_park(sched_wait_reason reason, goc_site site, void (*unlock)(void *), void *lock)
{
    mg *g = (mg *)sched_current();
    TRACE(trace_go_block(&g->pub, reason, site));
    note_wait(g, reason, site);
    if (g->foreign) {
        park_foreign(g, unlock, lock);
    } else if (unlock) {
        /* Our waiter is reachable only through the lock we hold: no ready
         * can come before the unlock (a seam rule), so a plain store. */
        atomic_store_explicit(&g->state, G_PARKING, memory_order_relaxed);
        park_switch(g, unlock, lock);
    } else {
        int s = G_RUNNING;
        if (atomic_compare_exchange_strong(&g->state, &s, G_PARKING))
            park_switch(g, NULL, NULL);
        else
            atomic_store(&g->state, G_RUNNING); /* readied already: the token */
    }
    atomic_store_explicit(&g->wait_reason, WAIT_NONE, memory_order_relaxed);
    TRACE(trace_go_start(&g->pub));
}

void sched_ready(goc_g *pg)
{
    mg *g = (mg *)pg;
    TRACE(trace_go_unblock(pg));
    TSAN_RELEASE(g);
    if (g->foreign) {
        atomic_fetch_add(&S.nforeign, 1);
        atomic_store_explicit(&g->state, G_RUNNING, memory_order_relaxed);
        token_post(&g->token);
        return;
    }
    for (;;) {
        int s = atomic_load(&g->state);
        if (s == G_WAITING) {
            if (atomic_compare_exchange_strong(&g->state, &s, G_RUNNABLE)) {
                enqueue(g, true);
                return;
            }
        } else if (s == G_RUNNING || s == G_PARKING) {
            if (atomic_compare_exchange_strong(&g->state, &s, s | G_WOKEN))
                return;
        } else {
            invariant(false, "a goroutine was readied that was not waiting (readied twice for one wait?)");
        }
    }
}

void sched_gosched(void)
{
    mg *g = (mg *)sched_current();
    m_t *m = getm();
    if (g->foreign || !m) {
        sched_yield();
        return;
    }
    atomic_store(&g->state, G_RUNNABLE);
    m->yielded = g;
    switch_away(m, g, false);
    TRACE(trace_go_start(&g->pub));
}

/* ---- the API that is the scheduler's ------------------------------------------------------- */

int goc_num_goroutine(void)
{
    sched_current();
    return atomic_load(&S.nlive);
}

int64_t goc_last_id(void) { return atomic_load(&S.last_id); }
