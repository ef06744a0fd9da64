/* Helpers every grader shares.  Header-only on purpose: a grader is one
 * file the runner compiles beside grader_main.c, with nothing else to link.
 *
 *   CL_TEST(name) { ... } CL_END_TEST    a test; its stdout/stderr go to
 *                                        $CL_OUTPUT_DIR/<name>.out and it
 *                                        ends with libgoc's leak check
 *   CL_SUITE("01-goroutines", t1, t2...) one TCase per test, named after it
 *   cl_latch / cl_barrier / cl_gate      synchronisation built on libgoc
 *                                        channels, so the deadlock detector
 *                                        and the leak check can see them
 *   cl_quiet_wait / cl_quiet_signal      an order in real time that TSan
 *                                        does not see: a race pass reports
 *                                        an unlocked read in every run
 *   cl_settle()                          wait until every goroutine the test
 *                                        started is parked or gone
 *   cl_spawn_call()                      run the learner's function in its
 *                                        own goroutine and watch it return
 *   cl_capture_*                         what the learner printed
 *   cl_expect(cond, expected, revisit, happened...)   a teaching failure
 *   cl_alloc(n, size) / cl_free          grader memory; whatever is left,
 *                                        and every latch channel, is freed
 *                                        when the test ends, so the memory
 *                                        pass reports only the learner's
 *
 * The bug kinds every graded function is tested against have helpers too
 * (docs/authoring.md, "The checklist"):
 *   cl_crowd_start/_await, cl_call_concurrently(k, body, arg)
 *                       k callers released from one barrier: shared
 *                       static state across calls shows up
 *   CL_LARGE_N          more items than any plausible static array
 *   cl_probe (CL_HOLD_GATE / CL_HOLD_BARRIER)
 *                       every task held so they overlap: TSan sees races
 *                       that reused threads would otherwise order
 *   cl_spawn_mark(), cl_spawned_since(mark)
 *                       how many goroutines a call started
 *   cl_fake_clock(), cl_settle_and_advance(d), cl_settle_and_next()
 *                       virtual time for the test (goc/fakeclock.h): exact
 *                       timeouts, and long learner timers never stall settle
 *   cl_expect_no_pending_timers(call, where)
 *                       no ticker/timer/sleep left running after a call
 *   cl_expect_chan_untouched(ch, ...)
 *                       the caller's channel is still open, not closed,
 *                       not written to or drained by the callee
 *   cl_expect_whole_lines(text, lines, n, ...)
 *                       every captured line is one of the expected ones
 *   cl_stdout_interleave(n) / _end
 *                       (schedule point) the n writers' first stdio calls
 *                       all happen before any second one: a line written
 *                       in pieces is torn, every time
 *   cl_forbid_learner_sleeps()
 *                       (schedule point) a sleep in the learner's file
 *                       fails the test that ran it
 *   cl_point_hold_every(CL_BEFORE_WG_ADD), cl_point_drive
 *                       (schedule point) every learner goc_wg_add waits
 *                       until everything else has stopped: an Add inside
 *                       the new goroutine always comes too late
 *   cl_point_hold(CL_AFTER_LOCK, nth), cl_point_is_held, cl_point_release
 *                       (schedule point) hold a learner goroutine at the
 *                       nth call from the learner's file: before or right
 *                       after a goc_mutex_lock, or before a
 *                       goc_mutex_unlock, until the test releases it
 *
 * Schedule points work through the linker: the lesson's front matter lists
 * `wrap: goc_mutex_lock_at usleep ...`, the runner (and
 * graders/tests/run.sh) links with -Wl,--wrap=NAME for each, and the
 * __wrap_NAME functions at the end of this file run the real call and then
 * the point.  Only calls made from the learner's file count (goc_site.file
 * for libgoc calls; for libc calls, any thread that is not inside a
 * grader.h wait).  Without the wrap a point never fires, so a grader must
 * not rely on one its lesson does not list.
 *
 * Why settle instead of sleeping: a test that wants to know "did the
 * learner's function return before the tasks finished?" holds the tasks
 * on a gate and waits until nothing can move any more.  At that point the
 * answer is final, whatever the machine's load, so the test is
 * deterministic; time is only the upper bound for code that never stops
 * running (a busy loop). */
#ifndef CL_GRADER_H
#define CL_GRADER_H

#include <check.h>
#include <fcntl.h>
#include <goc.h>
#include <goc/fakeclock.h>
#include <goc/testing.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grader_protocol.h"

/* Upper bound for "wait until things stop moving" and for the end-of-test
 * leak check.  Generous: a correct solution reaches the state in
 * microseconds; only code that never stops running uses the whole bound. */
#ifndef CL_SETTLE_SECONDS
#define CL_SETTLE_SECONDS 3
#endif

/* ---- teaching failures ---------------------------------------------------- */

/* Fails the test with a message in three parts: what the grader expected,
 * what happened, and which idea to revisit.  `...` is printf-style and
 * describes what happened. */
#define cl_expect(cond, expected, revisit, ...)                                      \
    do {                                                                             \
        if (!(cond)) {                                                               \
            char cl_happened_[1024];                                                 \
            snprintf(cl_happened_, sizeof cl_happened_, __VA_ARGS__);                 \
            ck_abort_msg("expected: %s\nhappened: %s\nrevisit:  %s", (expected),       \
                         cl_happened_, (revisit));                                   \
        }                                                                            \
    } while (0)

/* ---- small waits ------------------------------------------------------------ */

/* The goroutines now inside one of grader.h's own waits (which call
 * libgoc's leak check, which sleeps in small steps): the libc sleep and
 * stdout schedule points ignore those and count only the learner's.  Kept
 * by goroutine id, not in a thread-local flag: under the M:N scheduler
 * goroutines share worker threads and move between them, so one's flag
 * was seen by the next goroutine on its thread (a learner's sleep() or
 * printf went uncounted; TSan called it a race on the learner's printf). */
typedef struct cl__grader_wait {
    int64_t goroutine;
    struct cl__grader_wait *next;
} cl__grader_wait;
static struct {
    pthread_mutex_t lock;
    cl__grader_wait *first; /* on the waiters' own stacks */
    atomic_int n;           /* how many: 0 answers without the lock */
} cl__grader_waits = {.lock = PTHREAD_MUTEX_INITIALIZER};

static inline void cl__grader_wait_begin(cl__grader_wait *w)
{
    w->goroutine = goc_id();
    pthread_mutex_lock(&cl__grader_waits.lock);
    w->next = cl__grader_waits.first;
    cl__grader_waits.first = w;
    atomic_fetch_add(&cl__grader_waits.n, 1);
    pthread_mutex_unlock(&cl__grader_waits.lock);
}

static inline void cl__grader_wait_end(cl__grader_wait *w)
{
    pthread_mutex_lock(&cl__grader_waits.lock);
    cl__grader_wait **p = &cl__grader_waits.first;
    while (*p != w)
        p = &(*p)->next;
    *p = w->next;
    atomic_fetch_sub(&cl__grader_waits.n, 1);
    pthread_mutex_unlock(&cl__grader_waits.lock);
}

/* Is the calling goroutine inside one of grader.h's waits? */
static inline bool cl__in_grader_wait(void)
{
    if (atomic_load(&cl__grader_waits.n) == 0)
        return false; /* nobody is: the usual answer, and no goc_id() */
    int64_t me = goc_id();
    pthread_mutex_lock(&cl__grader_waits.lock);
    const cl__grader_wait *w = cl__grader_waits.first;
    while (w && w->goroutine != me)
        w = w->next;
    pthread_mutex_unlock(&cl__grader_waits.lock);
    return w != NULL;
}

static inline void cl_pause_ms(long ms)
{
    /* poll, not a sleep function: the sleep wraps must not see it */
    poll(NULL, 0, (int)ms);
}

/* goc_leak_check marked as the grader's own waiting. */
static inline int cl__leak_check(int64_t since, goc_duration timeout, FILE *report)
{
    cl__grader_wait w;
    cl__grader_wait_begin(&w);
    int n = goc_leak_check(since, timeout, report);
    cl__grader_wait_end(&w);
    return n;
}

/* ---- what the grader allocates, freed at the end of the test ----------------- */

/* Every channel and block grader.h makes is listed here and released by
 * CL_END_TEST once the leak check has passed (no goroutine can still wait
 * on them then), so the memory pass (LeakSanitizer) reports the learner's
 * leaks and never the grader's. */
#define CL_MAX_OWNED 4096
static struct {
    void *chans[CL_MAX_OWNED];
    void *blocks[CL_MAX_OWNED];
} cl__owned;

static inline void cl__own(void **slots, void *p)
{
    for (int i = 0; i < CL_MAX_OWNED; i++)
        if (!slots[i]) {
            slots[i] = p;
            return;
        }
    ck_abort_msg("grader: more than %d grader objects in one test", CL_MAX_OWNED);
}

static inline bool cl__disown(void **slots, void *p)
{
    for (int i = 0; i < CL_MAX_OWNED; i++)
        if (slots[i] == p) {
            slots[i] = NULL;
            return true;
        }
    return false;
}

/* calloc that the end of the test frees (or cl_free, earlier). */
static inline void *cl_alloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    ck_assert_msg(p != NULL, "grader: out of memory");
    cl__own(cl__owned.blocks, p);
    return p;
}

static inline void cl_free(void *p)
{
    if (p && cl__disown(cl__owned.blocks, p))
        free(p);
}

static inline void cl__free_owned(void)
{
    for (int i = 0; i < CL_MAX_OWNED; i++) {
        if (cl__owned.chans[i])
            goc_chan_free(cl__owned.chans[i]);
        free(cl__owned.blocks[i]);
        cl__owned.chans[i] = NULL;
        cl__owned.blocks[i] = NULL;
    }
}

/* The grader's own time limits run on the real clock: with the fake clock
 * on (goc/fakeclock.h), goc_now() stands still while the test polls, and a
 * limit measured with it would never expire. */
static inline goc_time cl__now(void) { return goc_real_now(); }

/* ---- latches, gates, barriers ------------------------------------------------ */

/* goc/testing.h's latch, gate and barrier (one piece of code serves the
 * graders and everyone else); here each latch's channel is also listed
 * with what the test owns, so the end of the test frees it even when the
 * latch lived in a frame that is gone. */
typedef goc_latch cl_latch;

static inline void cl_latch_init(cl_latch *l, int n)
{
    goc_latch_init(l, n);
    cl__own(cl__owned.chans, l->open);
}

static inline void cl_latch_count_down(cl_latch *l) { goc_latch_count_down(l); }

/* Blocks (parks, visible to libgoc) until the latch opens. */
static inline void cl_latch_wait(cl_latch *l) { goc_latch_wait(l); }

static inline bool cl_latch_is_open(cl_latch *l) { return goc_latch_is_open(l); }

/* How many count_downs have happened so far, given the initial n. */
static inline int cl_latch_arrived(cl_latch *l, int n) { return n - atomic_load(&l->left); }

/* The test thread's wait: polls, so that a learner deadlock among their
 * own goroutines becomes a teaching failure instead of killing the test.
 * Returns false if the latch is still closed after `seconds`. */
static inline bool cl_latch_await(cl_latch *l, int seconds)
{
    return goc_latch_wait_for(l, seconds * GOC_SECOND);
}

/* Frees the channel; only when no goroutine can still be waiting on it. */
static inline void cl_latch_destroy(cl_latch *l)
{
    if (l->open && cl__disown(cl__owned.chans, l->open))
        goc_latch_free(l);
    l->open = NULL;
}

/* A gate is a latch of one: closed until the test opens it. */
typedef cl_latch cl_gate;
static inline void cl_gate_init(cl_gate *g) { cl_latch_init(g, 1); }
static inline void cl_gate_open(cl_gate *g) { goc_gate_open(g); }
static inline void cl_gate_pass(cl_gate *g) { goc_gate_pass(g); }

/* A single-use barrier for n parties: nobody leaves until all n arrived,
 * which proves that n goroutines were running at the same time. */
typedef cl_latch cl_barrier;
static inline void cl_barrier_init(cl_barrier *b, int n) { cl_latch_init(b, n); }
static inline void cl_barrier_arrive_and_wait(cl_barrier *b) { goc_barrier_wait(b); }

/* ---- an order ThreadSanitizer does not see ------------------------------------ */

/* The race pass reports an unlocked read only when nothing orders it after
 * the write it races with.  Left to chance, libgoc's own locks (a wake-up,
 * a yield, the run queue) often do order the two, and the race slips past
 * one run in ten.  cl_quiet_wait holds a goroutine until cl_quiet_signal,
 * through a relaxed flag, which TSan does not count as synchronisation:
 * whatever the waiter does next is unordered with everything the
 * signaller did before, in every run, and only the learner's own locks
 * can order it.  The waiter spins (sched_yield, no libgoc call, so
 * cl_settle never settles while it waits): signal from a point the code
 * under test surely reaches, and from the test when it gives up. */
typedef struct cl_quiet {
    _Atomic(int) set;
} cl_quiet;

static inline void cl_quiet_signal(cl_quiet *q) { atomic_store_explicit(&q->set, 1, memory_order_relaxed); }

static inline void cl_quiet_wait(cl_quiet *q)
{
    while (!atomic_load_explicit(&q->set, memory_order_relaxed))
        sched_yield();
}

/* ---- the test's own goroutines ---------------------------------------------- */

/* Goroutines with an id above this were started by the current test. */
static int64_t cl_since_id;

/* Waits until every goroutine the test started is parked on a channel,
 * lock or WaitGroup, or has exited, with no timer pending: nothing can
 * change after that without the test acting.  Returns false if something
 * was still running after CL_SETTLE_SECONDS (a busy loop, or a sleep that
 * outlasts it). */
static inline bool cl_settle(void)
{
    cl__grader_wait cl__gw_;
    cl__grader_wait_begin(&cl__gw_);
    bool settled = goc_settle(cl_since_id, CL_SETTLE_SECONDS * GOC_SECOND);
    cl__grader_wait_end(&cl__gw_);
    return settled;
}

/* A learner function running in its own goroutine, so the test can watch
 * whether (and when) it returns.  `body` calls the learner's function
 * with whatever arguments it keeps in `arg`. */
typedef struct cl_call {
    void (*body)(void *arg);
    void *arg;
    _Atomic(int) returned;
    cl_latch done;
} cl_call;

static inline void cl__call_main(void *p)
{
    cl_call *c = p;
    c->body(c->arg);
    atomic_store(&c->returned, 1);
    cl_latch_count_down(&c->done);
}

static inline void cl_spawn_call(cl_call *c, void (*body)(void *), void *arg)
{
    c->body = body;
    c->arg = arg;
    atomic_init(&c->returned, 0);
    cl_latch_init(&c->done, 1);
    goc_go_named("graded call", cl__call_main, c);
}

static inline bool cl_call_returned(cl_call *c) { return atomic_load(&c->returned) != 0; }

/* Waits until the call has returned or nothing is moving any more (so it
 * never will without the test acting); true if it returned.  `seconds`
 * bounds code that keeps running (a busy loop). */
static inline bool cl_call_await(cl_call *c, int seconds)
{
    if (!cl_latch_is_open(&c->done))
        cl__leak_check(cl_since_id, seconds * GOC_SECOND, NULL);
    return cl_latch_is_open(&c->done);
}

/* Writes every goroutine's state into buf (for failure messages that show
 * where the learner's goroutines are stuck). */
static inline void cl_dump(char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fmemopen(buf, size, "w");
    if (!f)
        return;
    goc_dump_goroutines(f);
    fclose(f);
    buf[size - 1] = '\0';
}

/* ---- the fake clock ------------------------------------------------------------ */

/* Virtual time for this test (goc/fakeclock.h; Go 1.25's testing/synctest
 * is the model): goc_now, sleeps, goc_after, tickers, timers and context
 * deadlines all read it, and it moves only when the test moves it, or by
 * itself when every goroutine is parked in libgoc with a timer pending.
 * Call first in the test, before the learner's code runs.  Timeouts and
 * deadlines become exact facts ("returned after exactly 50 ms"), and a
 * learner's goc_after(GOC_HOUR) no longer stalls cl_settle. */
static inline void cl_fake_clock(void) { goc_fakeclock_enable(); }

/* Settles, lets d of virtual time pass (each timer due on the way fires,
 * and everything it wakes runs until it parks again), and settles again:
 * the state afterwards is final for that instant.  False if something
 * kept running (a busy loop) instead of settling. */
static inline bool cl_settle_and_advance(goc_duration d)
{
    bool settled = cl_settle();
    cl__grader_wait w;
    cl__grader_wait_begin(&w);
    goc_fakeclock_advance(d);
    cl__grader_wait_end(&w);
    return cl_settle() && settled;
}

/* Settles and jumps to the next pending timer's deadline (firing what is
 * due), then settles again.  False when no timer was pending. */
static inline bool cl_settle_and_next(void)
{
    cl_settle();
    cl__grader_wait w;
    cl__grader_wait_begin(&w);
    bool fired = goc_fakeclock_next();
    cl__grader_wait_end(&w);
    cl_settle();
    return fired;
}

/* After a call: no timer, ticker, sleep or context deadline the call
 * started is still pending ("a ticker made at file:line is still
 * running").  Timers the test itself started must be stopped first. */
static inline void cl_expect_no_pending_timers(const char *call, const char *where)
{
    char list[1024] = "";
    FILE *f = fmemopen(list, sizeof list - 1, "w");
    int n = goc_pending_timers(f);
    if (f)
        fclose(f);
    cl_expect(n == 0, "no timer left running once the call returned",
              "stop what you start: goc_ticker_stop for a ticker, goc_timer_stop (or let it "
              "fire) for a timer, goc_chan_free for a goc_after channel you stop waiting on",
              "after %s returned, %d timer%s still pending (%s):\n%.600s", call, n,
              n == 1 ? " was" : "s were", where, list);
}

/* ---- channel operations with an upper bound ----------------------------- */

/* Sends *val on ch, waiting at most `seconds` for a receiver, or less when
 * `peer` (the learner's call expected to receive; may be NULL) has
 * returned and so will never receive.  It polls the non-blocking send, so
 * a learner goroutine that never receives turns into a failure message
 * instead of a deadlock of the whole test. */
static inline bool cl__send_within(goc_chan *ch, const void *val, size_t size, int seconds,
                                   cl_call *peer)
{
    goc_time end = cl__now() + seconds * GOC_SECOND;
    for (;;) {
        bool gone = peer && cl_call_returned(peer);
        if (goc_chan_try_send_at(ch, val, size, GOC_SITE))
            return true;
        if (gone || cl__now() >= end)
            return false;
        cl_pause_ms(1);
    }
}
#define cl_send_within(ch, valptr, seconds, peer) \
    cl__send_within((ch), (valptr), sizeof *(valptr), (seconds), (peer))

/* Receives into *val within `seconds` (or until `peer` has returned):
 * GOC_RECEIVED, GOC_CLOSED, or GOC_WOULD_BLOCK when nothing came. */
static inline goc_try_result cl__recv_within(goc_chan *ch, void *val, size_t size, int seconds,
                                             cl_call *peer)
{
    goc_time end = cl__now() + seconds * GOC_SECOND;
    for (;;) {
        bool gone = peer && cl_call_returned(peer);
        goc_try_result r = goc_chan_try_recv_at(ch, val, size, GOC_SITE);
        if (r != GOC_WOULD_BLOCK || gone || cl__now() >= end)
            return r;
        cl_pause_ms(1);
    }
}
#define cl_recv_within(ch, valptr, seconds, peer) \
    cl__recv_within((ch), (valptr), sizeof *(valptr), (seconds), (peer))

/* ---- a probe task: the work graders hand to the learner's code ------------ */

/* Records which index each call saw and in which goroutine, and can hold
 * the calls on a gate (until the test opens it) or a barrier (until all n
 * are inside at once).  Its signature, void (int index, void *ctx), is the
 * task/work type of the early exercises; ctx is the probe. */
typedef enum cl_hold { CL_HOLD_NONE, CL_HOLD_GATE, CL_HOLD_BARRIER } cl_hold;

/* Fixed-size tables in graders stay below this; probes take any n. */
#define CL_PROBE_MAX 64

/* "More items than any plausible static array": a learner's
 * `static struct job jobs[64]` (or 256, or 512) overflows.  Smaller under
 * ThreadSanitizer, whose goroutines are many times slower: the race pass
 * looks for races, the plain and memory passes for fixed-size arrays, and
 * 1500 TSan goroutines on a loaded machine can outlast a test's timeout. */
#if defined(__SANITIZE_THREAD__)
#define CL__UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CL__UNDER_TSAN 1
#endif
#endif
#ifdef CL__UNDER_TSAN
#define CL_LARGE_N 600
#else
#define CL_LARGE_N 1500
#endif

typedef struct cl_probe {
    int n;
    cl_hold hold;
    _Atomic(int) *runs;    /* n entries, freed at the end of the test */
    _Atomic(int64_t) *gid;
    _Atomic(int) bad_calls, bad_index;
    _Atomic(int) started, finished, finished_at_return;
    cl_gate gate;
    cl_barrier barrier;
} cl_probe;

static inline void cl_probe_init(cl_probe *p, int n, cl_hold hold)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->hold = hold;
    p->runs = cl_alloc((size_t)n, sizeof *p->runs);
    p->gid = cl_alloc((size_t)n, sizeof *p->gid);
    cl_gate_init(&p->gate);
    cl_barrier_init(&p->barrier, n);
}

static inline void cl_probe_destroy(cl_probe *p)
{
    cl_latch_destroy(&p->gate);
    cl_latch_destroy(&p->barrier);
    cl_free(p->runs);
    cl_free(p->gid);
    p->runs = NULL;
    p->gid = NULL;
}

static inline void cl_probe_task(int index, void *ctx)
{
    cl_probe *p = ctx;
    if (index < 0 || index >= p->n) {
        atomic_fetch_add(&p->bad_calls, 1);
        atomic_store(&p->bad_index, index);
    } else {
        atomic_fetch_add(&p->runs[index], 1);
        atomic_store(&p->gid[index], goc_id());
    }
    atomic_fetch_add(&p->started, 1);
    if (p->hold == CL_HOLD_BARRIER)
        cl_barrier_arrive_and_wait(&p->barrier);
    else if (p->hold == CL_HOLD_GATE)
        cl_gate_pass(&p->gate);
    atomic_fetch_add(&p->finished, 1);
}

static inline int cl_probe_running(cl_probe *p)
{
    return atomic_load(&p->started) - atomic_load(&p->finished);
}

/* A call that ran nothing says so first: other messages assume it tried.
 * `call` shows the call ("launch_all(6, ...)"), `where` the learner's file
 * and function. */
static inline void cl_probe_expect_started(cl_probe *p, const char *call, const char *where)
{
    cl_expect(atomic_load(&p->started) > 0, "the tasks to be started, each in its own goroutine",
              "the go statement: goc_go(fn, arg) starts fn(arg) in a new goroutine",
              "%s ran none of its %d tasks (%s).", call, p->n, where);
}

/* Each index 0..n-1 ran exactly once; nothing outside that range. */
static inline void cl_probe_expect_each_index_once(cl_probe *p, const char *call, const char *where)
{
    int bad = atomic_load(&p->bad_calls);
    cl_expect(bad == 0, "every task to receive its own index, from 0 to n-1",
              "each goroutine needs its own copy of its index (its own struct), because &i is "
              "one variable shared by every goroutine and by the loop",
              "%s called the task with index %d, outside 0..%d (%d such calls): the goroutine "
              "read its index from a variable that the loop had already moved on. Passing &i "
              "of the loop variable gives every goroutine the same int (%s).",
              call, atomic_load(&p->bad_index), p->n - 1, bad, where);
    for (int i = 0; i < p->n; i++) {
        int runs = atomic_load(&p->runs[i]);
        cl_expect(runs <= 1, "each index to be run exactly once",
                  "give each goroutine its own struct; never a pointer to the loop counter",
                  "%s ran index %d %d times: several goroutines saw the same index, which "
                  "happens when they all read one shared variable (%s).",
                  call, i, runs, where);
    }
    int ran = 0;
    for (int i = 0; i < p->n; i++)
        ran += atomic_load(&p->runs[i]) > 0;
    for (int i = 0; i < p->n; i++)
        cl_expect(atomic_load(&p->runs[i]) == 1, "the task to run once for every index 0..n-1",
                  "the go statement: goc_go(fn, arg) starts one goroutine per call",
                  "%s never ran the task for index %d (it ran %d of %d). Start one goroutine "
                  "per index (%s).",
                  call, i, ran, p->n, where);
}

/* ---- several callers at once ------------------------------------------------ */

/* k goroutines that call body(caller, arg) (caller = 0..k-1), released
 * together from one barrier, so that the learner's function really runs
 * twice (or k times) at once: a `static` array, a global channel or a
 * global WaitGroup shared by the calls then shows up as lost, doubled or
 * foreign work, or as one call waiting for the other's tasks. */
typedef struct cl_crowd {
    int k;
    void (*body)(int caller, void *arg);
    void *arg;
    cl_barrier start;
    cl_latch done;
    _Atomic(int) returned;
} cl_crowd;

typedef struct cl__crowd_seat {
    cl_crowd *crowd;
    int caller;
} cl__crowd_seat;

static inline void cl__crowd_seat_main(void *p)
{
    cl__crowd_seat *s = p;
    cl_barrier_arrive_and_wait(&s->crowd->start);
    s->crowd->body(s->caller, s->crowd->arg);
    atomic_fetch_add(&s->crowd->returned, 1);
    cl_latch_count_down(&s->crowd->done);
}

/* Starts the k callers; they call body as soon as all k are running. */
static inline void cl_crowd_start(cl_crowd *c, int k, void (*body)(int caller, void *arg),
                                  void *arg)
{
    c->k = k;
    c->body = body;
    c->arg = arg;
    atomic_init(&c->returned, 0);
    cl_barrier_init(&c->start, k);
    cl_latch_init(&c->done, k);
    cl__crowd_seat *seats = cl_alloc((size_t)k, sizeof *seats);
    for (int i = 0; i < k; i++) {
        seats[i] = (cl__crowd_seat){c, i};
        goc_go_named("concurrent caller", cl__crowd_seat_main, &seats[i]);
    }
}

static inline int cl_crowd_returned(cl_crowd *c) { return atomic_load(&c->returned); }

/* Waits until all k calls returned, or nothing moves any more (`seconds`
 * bounds busy code); true if all returned. */
static inline bool cl_crowd_await(cl_crowd *c, int seconds)
{
    if (!cl_latch_is_open(&c->done))
        cl__leak_check(cl_since_id, seconds * GOC_SECOND, NULL);
    return cl_latch_is_open(&c->done);
}

/* The whole thing in one call: true if all k calls returned.  A false
 * answer must end the test (cl_expect): the callers may still use c. */
static inline bool cl_call_concurrently(int k, void (*body)(int caller, void *arg), void *arg)
{
    cl_crowd *c = cl_alloc(1, sizeof *c);
    cl_crowd_start(c, k, body, arg);
    return cl_crowd_await(c, 5);
}

/* ---- how many goroutines a call started ----------------------------------- */

/* Take the mark on the goroutine that makes the call, right before it:
 * goroutine ids only grow, so every id above the mark was started during
 * (or after) the call.  Only meaningful while the test starts no
 * goroutines of its own at the same time. */
static inline int64_t cl_spawn_mark(void) { return goc_last_id(); }
static inline int cl_spawned_since(int64_t mark) { return (int)(goc_last_id() - mark); }

/* ---- channels the caller owns ------------------------------------------------ */

/* After a call (and a cl_settle), a channel that belongs to the caller
 * must be as the caller left it: open, and with nothing waiting on it nor
 * taken from it (`len` values buffered, as the caller put them).  Checked
 * with one non-blocking receive, which a value waiting would answer; the
 * value is then lost, so call this last.  `name` is the parameter ("in"),
 * `call` the call, `where` the learner's file and function. */
static inline void cl_expect_chan_untouched(goc_chan *ch, size_t len, const char *name,
                                            const char *call, const char *where)
{
    size_t now = goc_chan_len(ch);
    cl_expect(now == len, "the caller's channel to keep what the caller put in it",
              "a function receives from or sends on a channel it was given only as its "
              "contract says; the rest belongs to the caller",
              "after %s, `%s` held %zu values instead of %zu (%s).", call, name, now, len, where);
    if (len)
        return;
    char scratch[64];
    size_t size = goc_chan_elem_size(ch);
    goc_try_result r = goc_chan_try_recv_at(ch, size <= sizeof scratch ? scratch : NULL,
                                            size <= sizeof scratch ? size : (size_t)-1,
                                            GOC_SITE);
    cl_expect(r != GOC_CLOSED, "the caller's channel to be open after the call",
              "only the owner closes a channel (whoever made it, or its only sender by "
              "agreement); a callee that closes what its caller owns makes the caller's "
              "next send panic, and a close after the caller freed it is a use-after-free",
              "after %s, `%s` was closed: the callee closed a channel its caller owns (%s).",
              call, name, where);
    cl_expect(r == GOC_WOULD_BLOCK, "nothing left waiting on the caller's channel",
              "send exactly as many values as the contract says; an extra send waits forever",
              "after %s returned, a goroutine was still sending on `%s` (%s).", call, name,
              where);
}

/* ---- capturing what the learner prints ------------------------------------- */

typedef struct cl_capture {
    int saved_fd;
    FILE *tmp;
} cl_capture;

/* From here until cl_capture_end, stdout goes to a temporary file. */
static inline void cl_capture_begin(cl_capture *c)
{
    fflush(stdout);
    c->tmp = tmpfile();
    ck_assert_msg(c->tmp != NULL, "grader: cannot create a temporary file for capturing output");
    c->saved_fd = dup(STDOUT_FILENO);
    dup2(fileno(c->tmp), STDOUT_FILENO);
}

/* Restores stdout and returns what was printed (malloc'd, NUL-terminated). */
static inline char *cl_capture_end(cl_capture *c)
{
    fflush(stdout);
    dup2(c->saved_fd, STDOUT_FILENO);
    close(c->saved_fd);
    /* The learner wrote through fd 1, not through c->tmp's stdio buffer:
     * the file's real size is the truth. */
    off_t size = lseek(fileno(c->tmp), 0, SEEK_END);
    if (size < 0)
        size = 0;
    char *text = malloc((size_t)size + 1);
    ck_assert_msg(text != NULL, "grader: out of memory reading captured output");
    size_t got = (size_t)pread(fileno(c->tmp), text, (size_t)size, 0);
    text[got <= (size_t)size ? got : 0] = '\0';
    fclose(c->tmp);
    return text;
}

/* How many lines of `text` are exactly `line`. */
static inline int cl_count_lines(const char *text, const char *line)
{
    int n = 0;
    size_t len = strlen(line);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l == len && strncmp(p, line, len) == 0)
            n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

/* Every line of `text` is one of lines[0..n-1] (each whole, on its own
 * line).  A line that is none of them is a torn line: pieces of two
 * goroutines' output mixed, which happens when one line is written with
 * several calls (fputs, then fputs, then putchar) and another goroutine
 * writes in between. */
static inline void cl_expect_whole_lines(const char *text, const char *const lines[], int n,
                                         const char *call, const char *where)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        bool known = false;
        for (int i = 0; i < n && !known; i++)
            known = strlen(lines[i]) == l && strncmp(p, lines[i], l) == 0;
        cl_expect(known && nl, "each line printed whole, in one call",
                  "stdio locks the stream for one call at a time: print a whole line with one "
                  "printf (\"hello, %s!\\n\"); a line written with several calls can be "
                  "split by another goroutine's output",
                  "%s printed the line \"%.*s\"%s, which is not one whole line: another "
                  "goroutine wrote between the pieces of one line. Output:\n%s(%s)",
                  call, (int)(l > 200 ? 200 : l), p, nl ? "" : " with no newline", text, where);
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* ---- schedule points -------------------------------------------------------- */

/* Whether a goc_site is in the learner's file: not libgoc's, not the
 * grader's (__BASE_FILE__ is the grader .c that includes this header). */
static inline bool cl_is_learner_file(const char *file)
{
    if (!file || strstr(file, "lib/src/") || strstr(file, "lib/include/"))
        return false;
    size_t n = strlen(file);
    return strcmp(file, __BASE_FILE__) != 0 && !(n >= 8 && strcmp(file + n - 8, "grader.h") == 0);
}

typedef enum cl_point {
    CL_BEFORE_LOCK,   /* goc_mutex_lock_at is called: not held yet */
    CL_AFTER_LOCK,    /* goc_mutex_lock_at returned: the lock is held */
    CL_BEFORE_UNLOCK, /* goc_mutex_unlock_at is about to release it */
    CL_BEFORE_WG_ADD, /* goc_wg_add_at with a positive delta (not Done) */
    CL_N_POINTS
} cl_point;

typedef struct cl__point_state {
    _Atomic(int) hits;     /* calls from the learner's file so far */
    _Atomic(int) hold_nth; /* the call to hold (1 = first); 0 = hold none */
    _Atomic(int) held;
    goc_site site; /* of the held call */
    cl_gate gate;
    _Atomic(goc_chan *) round; /* hold_nth == CL_EVERY_CALL: this step's gate */
    _Atomic(int) waiting;
} cl__point_state;

/* hold_nth for "hold every call, a step at a time" (cl_point_step). */
#define CL_EVERY_CALL (-1)

static cl__point_state cl__points[CL_N_POINTS];

/* From now on, the nth call (1 = the first) from the learner's file to
 * the point holds its goroutine there (the lock held, for CL_AFTER_LOCK)
 * until cl_point_release.  Hits are counted from this call. */
static inline void cl_point_hold(cl_point p, int nth)
{
    cl__point_state *s = &cl__points[p];
    cl_gate_init(&s->gate);
    atomic_store(&s->held, 0);
    atomic_store(&s->hits, 0);
    atomic_store(&s->hold_nth, nth);
}

static inline bool cl_point_is_held(cl_point p) { return atomic_load(&cl__points[p].held) != 0; }
static inline int cl_point_hits(cl_point p) { return atomic_load(&cl__points[p].hits); }
static inline goc_site cl_point_site(cl_point p) { return cl__points[p].site; }

static inline goc_chan *cl__new_round(void)
{
    goc_chan *g = goc_chan_make(char, 0);
    cl__own(cl__owned.chans, g);
    return g;
}

/* Every learner call to the point waits there until the test's next
 * cl_point_step, which lets all the waiting ones go at once.  Driving a
 * call step by step (cl_point_drive) lets everything else run to a stop
 * before each held call goes on: "the parent's Done before the child's
 * Add" becomes the order of every run. */
static inline void cl_point_hold_every(cl_point p)
{
    cl__point_state *s = &cl__points[p];
    cl_gate_init(&s->gate);
    atomic_store(&s->round, cl__new_round());
    atomic_store(&s->waiting, 0);
    atomic_store(&s->hits, 0);
    atomic_store(&s->hold_nth, CL_EVERY_CALL);
}

static inline int cl_point_waiting(cl_point p) { return atomic_load(&cl__points[p].waiting); }

static inline void cl_point_step(cl_point p)
{
    goc_chan *old = atomic_exchange(&cl__points[p].round, cl__new_round());
    goc_close(old);
}

/* Settle, let the held calls go, again, until nobody waits at the point
 * after a settle, or until `watch` (may be NULL) has returned: a call
 * that returned too early is then looked at before anything else runs
 * (its goroutines may still use its frame).  Returns the number of steps. */
static inline int cl_point_drive(cl_point p, cl_call *watch)
{
    int steps = 0;
    for (;;) {
        cl_settle();
        if (cl_point_waiting(p) == 0 || (watch && cl_call_returned(watch)))
            return steps;
        cl_point_step(p);
        steps++;
    }
}

static inline void cl_point_release(cl_point p)
{
    cl__point_state *s = &cl__points[p];
    atomic_store(&s->hold_nth, 0);
    cl_gate_open(&s->gate);
    goc_chan *round = atomic_load(&s->round);
    if (round)
        goc_close(round);
    atomic_store(&s->round, NULL);
}

static inline void cl__point_pass(cl_point p, goc_site site)
{
    if (!cl_is_learner_file(site.file))
        return;
    cl__point_state *s = &cl__points[p];
    int n = atomic_fetch_add(&s->hits, 1) + 1;
    if (atomic_load(&s->hold_nth) == CL_EVERY_CALL) {
        goc_chan *round = atomic_load(&s->round);
        if (round) {
            atomic_fetch_add(&s->waiting, 1);
            goc_recv_discard(round);
            atomic_fetch_sub(&s->waiting, 1);
        }
    } else if (n == atomic_load(&s->hold_nth)) {
        s->site = site;
        atomic_store(&s->held, 1);
        cl_gate_pass(&s->gate);
        atomic_store(&s->held, 0);
    }
}

/* ---- sleeping to synchronise ----------------------------------------------- */

/* Sleeps the learner's code made (goc_sleep from their file; libc sleeps
 * from any thread that is not in a grader.h wait).  Deterministic: a call
 * is a call, however long it was and however loaded the machine. */
static struct {
    pthread_mutex_t lock;
    int count;
    char first[160];
    bool forbidden;
} cl__sleeps = {.lock = PTHREAD_MUTEX_INITIALIZER};

static inline void cl__sleep_seen(const char *what, goc_site site)
{
    pthread_mutex_lock(&cl__sleeps.lock);
    if (cl__sleeps.count++ == 0) {
        if (site.file)
            snprintf(cl__sleeps.first, sizeof cl__sleeps.first, "%s at %s:%d (in %s)", what,
                     site.file, site.line, site.func ? site.func : "?");
        else
            snprintf(cl__sleeps.first, sizeof cl__sleeps.first, "%s", what);
    }
    pthread_mutex_unlock(&cl__sleeps.lock);
}

/* Call from cl_grader_suite: then every test fails when the learner's
 * code slept during it (the lesson must list the sleeps in `wrap:`). */
static inline void cl_forbid_learner_sleeps(void) { cl__sleeps.forbidden = true; }

static inline int cl_learner_sleeps(void)
{
    pthread_mutex_lock(&cl__sleeps.lock);
    int n = cl__sleeps.count;
    pthread_mutex_unlock(&cl__sleeps.lock);
    return n;
}

static inline void cl_expect_no_learner_sleeps(void)
{
    int n = cl_learner_sleeps();
    cl_expect(n == 0, "no sleeps: goroutines wait for each other with a WaitGroup or a channel",
              "a sleep is a guess at how long other goroutines take; on a loaded machine the "
              "guess is wrong and the program reads unfinished work. Block on what you wait "
              "for: goc_wg_wait, or a receive",
              "the code slept %d time%s during this test, first with %s.", n, n == 1 ? "" : "s",
              cl__sleeps.first);
}

/* ---- the stdout interleaver: torn lines, every time --------------------------- */

/* While on, the first stdio call of each of `n` writers waits until all
 * n are at their first call, and any later call of a writer waits until
 * every writer has made its first one.  A line written with one call is
 * untouched; a line written in pieces is torn on every run instead of on
 * an unlucky one.  A writer never waits for ever: when nothing else can
 * move (the writers run one after another) it goes on.  Call the function
 * that starts the writers with cl_spawn_call, not on the test's own
 * goroutine: the test's goroutine is invisible to that "nothing else can
 * move", and a writer could give up while its launcher is still starting
 * the others. */
#define CL_MAX_WRITERS 64
static struct {
    _Atomic(int) on;
    int n;
    cl_barrier first_call;
    cl_latch all_first_done;
    pthread_mutex_t lock;
    int64_t writers[CL_MAX_WRITERS];
    int nwriters;
} cl__tear = {.lock = PTHREAD_MUTEX_INITIALIZER};

static inline void cl_stdout_interleave(int n)
{
    ck_assert_msg(n > 0 && n <= CL_MAX_WRITERS, "grader: cl_stdout_interleave(%d)", n);
    cl__tear.n = n;
    cl__tear.nwriters = 0;
    cl_barrier_init(&cl__tear.first_call, n);
    cl_latch_init(&cl__tear.all_first_done, n);
    atomic_store(&cl__tear.on, 1);
}

static inline void cl_stdout_interleave_end(void) { atomic_store(&cl__tear.on, 0); }

/* Waits for the latch, or until every other goroutine of the test is
 * parked or gone (then nobody will open it). */
static inline void cl__wait_unless_alone(cl_latch *l)
{
    goc_time give_up = cl__now() + CL_SETTLE_SECONDS * GOC_SECOND;
    while (!cl_latch_is_open(l) && cl__now() < give_up) {
        goc_time t = cl__now();
        cl__leak_check(cl_since_id, 2 * GOC_MILLISECOND, NULL);
        if (!cl_latch_is_open(l) && (cl__now() - t) < 2 * GOC_MILLISECOND)
            return; /* everybody else is parked: the latch stays shut */
    }
}

/* Called before each stdio call on stdout; true for a writer's first. */
static inline bool cl__stdio_point(FILE *f)
{
    if (f != stdout || !atomic_load(&cl__tear.on) || cl__in_grader_wait())
        return false;
    int64_t me = goc_id();
    pthread_mutex_lock(&cl__tear.lock);
    bool first = true;
    for (int i = 0; i < cl__tear.nwriters && first; i++)
        first = cl__tear.writers[i] != me;
    if (first && cl__tear.nwriters < CL_MAX_WRITERS)
        cl__tear.writers[cl__tear.nwriters++] = me;
    pthread_mutex_unlock(&cl__tear.lock);
    if (first) {
        cl_latch_count_down(&cl__tear.first_call);
        cl__wait_unless_alone(&cl__tear.first_call);
    } else {
        cl__wait_unless_alone(&cl__tear.all_first_done);
    }
    return first;
}

/* Called after a writer's first call has written. */
static inline void cl__stdio_written(FILE *f, bool was_first)
{
    if (was_first && f == stdout && atomic_load(&cl__tear.on) && !cl__in_grader_wait())
        cl_latch_count_down(&cl__tear.all_first_done);
}

/* ---- per-test setup, leak check and registration -------------------------- */

/* Sends this test's stdout and stderr to $CL_OUTPUT_DIR/<name>.out, so a
 * panic, a deadlock dump or a TSan report lands beside its test. */
static inline void cl__redirect_output(const char *name)
{
    const char *dir = getenv(CL_ENV_OUTPUT_DIR);
    if (!dir || !*dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.out", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    fflush(stdout);
    fflush(stderr);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    /* Line-buffered, so what the learner printed before a crash is kept. */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void cl__test_begin(const char *name)
{
    cl__redirect_output(name);
    (void)goc_id(); /* the test thread becomes a goroutine before we count */
    cl_since_id = goc_last_id();
}

/* How many goroutines the test's code left behind, with libgoc's dump of
 * where each one waits in *report (static storage, until the next call).
 * A goroutine that was just woken can still look parked for a moment, so
 * a report is confirmed by a second look before it counts. */
static inline int cl_leaked(const char **report)
{
    static char buf[8192];
    int leaked = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0)
            cl_pause_ms(20);
        memset(buf, 0, sizeof buf);
        FILE *f = fmemopen(buf, sizeof buf - 1, "w");
        leaked = cl__leak_check(cl_since_id, CL_SETTLE_SECONDS * GOC_SECOND, f);
        if (f)
            fclose(f);
        if (leaked == 0)
            break;
    }
    *report = buf;
    return leaked;
}

/* Fails with "leaked goroutines: ..." naming each goroutine the test's code
 * left behind (a grader with a message of its own calls cl_leaked).  Tests
 * call it themselves before freeing a channel the learner's goroutines
 * might still block on; CL_END_TEST calls it last. */
static inline void cl_expect_no_leaks(void)
{
    const char *report;
    int leaked = cl_leaked(&report);
    if (leaked == 0)
        return;
    ck_abort_msg(CL_MARK_LEAKED " %d still alive after the graded function returned; each "
                 "one below is stuck where it waits (a send nobody receives, a receive nobody "
                 "sends to, a wait nobody ends):\n%s",
                 leaked, report);
}

static inline void cl__test_end(void)
{
    cl_stdout_interleave_end();
    if (cl__sleeps.forbidden)
        cl_expect_no_learner_sleeps();
    cl_expect_no_leaks();
    cl__free_owned();
}

#define CL_TEST(name)                                                                \
    START_TEST(name)                                                                 \
    {                                                                                \
        cl__test_begin(#name);

#define CL_END_TEST                                                                  \
        cl__test_end();                                                              \
    }                                                                                \
    END_TEST

/* Per-test timeout in seconds: $CL_TEST_TIMEOUT, default 10. */
static inline double cl__timeout(void)
{
    const char *t = getenv(CL_ENV_TEST_TIMEOUT);
    double v = t ? atof(t) : 0;
    return v > 0 ? v : 10;
}

/* One TCase per test, named after the test, so every result line carries
 * the test's own name. */
static inline Suite *cl_suite_of(const char *name, const TTest *const *tests, size_t n)
{
    Suite *s = suite_create(name);
    for (size_t i = 0; i < n; i++) {
        TCase *tc = tcase_create(tests[i]->name);
        tcase_set_timeout(tc, cl__timeout());
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}

#define CL_SUITE(name, ...)                                                          \
    cl_suite_of((name), (const TTest *const[]){__VA_ARGS__},                         \
                sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(const TTest *))

/* ---- the wraps behind the schedule points ------------------------------------ */

/* Each __wrap_NAME is used only when the program is linked with
 * -Wl,--wrap=NAME (the lesson's `wrap:` list); __real_NAME is weak so that
 * a grader linked without it still links.  Calls the grader makes itself
 * never count: they are not in the learner's file, or not on stdout, or
 * made inside a grader.h wait. */
#define CL__WEAK __attribute__((weak))

/* A weak reference does not pull a member out of libgoc.a, and with the
 * wrap on nothing else names the real function: a strong reference to a
 * neighbour in the same object (never wrapped) brings it in. */
__attribute__((used)) static void *const cl__link_anchors[] = {
    (void *)goc_mutex_trylock_at, /* sync_mutex.o: goc_mutex_lock_at, _unlock_at */
    (void *)goc_since,            /* time.o: goc_sleep_at */
    (void *)goc_wg_wait_at,       /* sync_waitgroup.o: goc_wg_add_at */
};

void __real_goc_mutex_lock_at(goc_mutex *m, goc_site site) CL__WEAK;
void __real_goc_mutex_unlock_at(goc_mutex *m, goc_site site) CL__WEAK;
void __real_goc_sleep_at(goc_duration d, goc_site site) CL__WEAK;
void __real_goc_wg_add_at(goc_waitgroup *wg, int64_t delta, goc_site site) CL__WEAK;

void __wrap_goc_wg_add_at(goc_waitgroup *wg, int64_t delta, goc_site site)
{
    if (delta > 0)
        cl__point_pass(CL_BEFORE_WG_ADD, site);
    __real_goc_wg_add_at(wg, delta, site);
}

void __wrap_goc_mutex_lock_at(goc_mutex *m, goc_site site)
{
    cl__point_pass(CL_BEFORE_LOCK, site);
    __real_goc_mutex_lock_at(m, site);
    cl__point_pass(CL_AFTER_LOCK, site);
}

void __wrap_goc_mutex_unlock_at(goc_mutex *m, goc_site site)
{
    cl__point_pass(CL_BEFORE_UNLOCK, site);
    __real_goc_mutex_unlock_at(m, site);
}

void __wrap_goc_sleep_at(goc_duration d, goc_site site)
{
    if (cl_is_learner_file(site.file))
        cl__sleep_seen("goc_sleep", site);
    __real_goc_sleep_at(d, site);
}

/* libc sleeps carry no site: what is not a grader.h wait is the learner's
 * (libgoc itself sleeps only inside the leak check, which grader.h marks). */
unsigned int __real_sleep(unsigned int s) CL__WEAK;
int __real_usleep(useconds_t us) CL__WEAK;
int __real_nanosleep(const struct timespec *req, struct timespec *rem) CL__WEAK;
int __real_clock_nanosleep(clockid_t c, int flags, const struct timespec *req,
                           struct timespec *rem) CL__WEAK;

static inline void cl__libc_sleep(const char *what)
{
    if (!cl__in_grader_wait())
        cl__sleep_seen(what, (goc_site){NULL, 0, NULL});
}

unsigned int __wrap_sleep(unsigned int s)
{
    cl__libc_sleep("sleep()");
    return __real_sleep(s);
}

int __wrap_usleep(useconds_t us)
{
    cl__libc_sleep("usleep()");
    return __real_usleep(us);
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
    cl__libc_sleep("nanosleep()");
    return __real_nanosleep(req, rem);
}

int __wrap_clock_nanosleep(clockid_t c, int flags, const struct timespec *req,
                           struct timespec *rem)
{
    cl__libc_sleep("clock_nanosleep()");
    return __real_clock_nanosleep(c, flags, req, rem);
}

/* stdio on stdout: the interleaver's points. */
int __real_vfprintf(FILE *f, const char *fmt, va_list ap) CL__WEAK;
int __real_vprintf(const char *fmt, va_list ap) CL__WEAK;
int __real_fputs(const char *s, FILE *f) CL__WEAK;
int __real_puts(const char *s) CL__WEAK;
size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f) CL__WEAK;
int __real_fputc(int c, FILE *f) CL__WEAK;
int __real_putc(int c, FILE *f) CL__WEAK;
int __real_putchar(int c) CL__WEAK;

/* The unwrapped vfprintf, whether or not vfprintf itself is wrapped. */
static inline int cl__vfprintf(FILE *f, const char *fmt, va_list ap)
{
    return __real_vfprintf ? __real_vfprintf(f, fmt, ap) : vfprintf(f, fmt, ap);
}

#define CL__STDIO(f, call)                                                           \
    do {                                                                             \
        bool cl_first_ = cl__stdio_point(f);                                         \
        r = (call);                                                                  \
        cl__stdio_written((f), cl_first_);                                           \
    } while (0)

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    int r;
    CL__STDIO(f, __real_vfprintf(f, fmt, ap));
    return r;
}

int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r;
    CL__STDIO(f, cl__vfprintf(f, fmt, ap));
    va_end(ap);
    return r;
}

int __wrap_vprintf(const char *fmt, va_list ap)
{
    int r;
    CL__STDIO(stdout, __real_vprintf(fmt, ap));
    return r;
}

int __wrap_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r;
    CL__STDIO(stdout, cl__vfprintf(stdout, fmt, ap));
    va_end(ap);
    return r;
}

int __wrap_fputs(const char *s, FILE *f)
{
    int r;
    CL__STDIO(f, __real_fputs(s, f));
    return r;
}

int __wrap_puts(const char *s)
{
    int r;
    CL__STDIO(stdout, __real_puts(s));
    return r;
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    size_t r;
    CL__STDIO(f, __real_fwrite(p, size, n, f));
    return r;
}

int __wrap_fputc(int c, FILE *f)
{
    int r;
    CL__STDIO(f, __real_fputc(c, f));
    return r;
}

int __wrap_putc(int c, FILE *f)
{
    int r;
    CL__STDIO(f, __real_putc(c, f));
    return r;
}

int __wrap_putchar(int c)
{
    int r;
    CL__STDIO(stdout, __real_putchar(c));
    return r;
}

#endif
