/* The sync package: WaitGroup, Mutex, RWMutex, Once, their misuse reports
 * and the copy check.
 *
 * Concurrency is proven with latches: a goroutine that must be blocked is
 * observed blocked (through the object's own waiter count, or by the state
 * it could not have reached), never assumed blocked after a sleep. */
#include "testing.h"
#include "tsan_options.h"

/* Spins (yielding) until cond holds; the test's timeout bounds it. */
#define AWAIT(cond)            \
    do {                       \
        while (!(cond))        \
            goc_yield();       \
    } while (0)

/* A start line: every worker waits on `go` until the test closes it, so
 * they really run at the same time. */
static goc_chan *start_line(void) { return goc_chan_make(int, 0); }
static void wait_start(goc_chan *go) { goc_recv_discard(go); }

/* ---- WaitGroup ------------------------------------------------------------ */

enum { WG_WORKERS = 32 };

typedef struct wg_job {
    goc_waitgroup *wg;
    goc_chan *go;
    atomic_int *finished;
} wg_job;

static void wg_worker(void *arg)
{
    wg_job *j = arg;
    wait_start(j->go);
    atomic_fetch_add(j->finished, 1);
    goc_wg_done(j->wg);
}

typedef struct opener {
    goc_waitgroup *wg;
    goc_chan *go;
} opener;

/* Opens the start line only once main is inside Wait (the low 32 bits of
 * the state count waiters), so Wait provably blocked with work pending. */
static void open_when_main_waits(void *arg)
{
    opener *o = arg;
    AWAIT((uint32_t)atomic_load(&o->wg->count) == 1);
    goc_close(o->go);
}

START_TEST(wg_waits_for_every_goroutine)
{
    goc_waitgroup wg = {0};
    goc_chan *go = start_line();
    atomic_int finished = 0;
    wg_job job = {&wg, go, &finished};
    for (int i = 0; i < WG_WORKERS; i++) {
        goc_wg_add(&wg, 1);
        goc_go(wg_worker, &job);
    }
    opener o = {&wg, go};
    goc_go(open_when_main_waits, &o);
    goc_wg_wait(&wg);
    ck_assert_int_eq(atomic_load(&finished), WG_WORKERS);
    goc_wg_wait(&wg); /* a zero counter returns at once */
    ck_assert_int_eq(goc_leak_check(0, 10 * GOC_SECOND, NULL), 0);
    goc_chan_free(go);
}
END_TEST

START_TEST(wg_can_be_reused_after_wait)
{
    goc_waitgroup wg = {0};
    atomic_int finished = 0;
    for (int round = 1; round <= 20; round++) {
        goc_chan *go = start_line();
        wg_job job = {&wg, go, &finished};
        goc_wg_add(&wg, 4);
        for (int i = 0; i < 4; i++)
            goc_go(wg_worker, &job);
        goc_close(go);
        goc_wg_wait(&wg);
        ck_assert_int_eq(atomic_load(&finished), 4 * round);
        goc_chan_free(go);
    }
}
END_TEST

static void do_negative_counter(void *p)
{
    (void)p;
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, 1);
    goc_wg_done(&wg);
    goc_wg_done(&wg);
}

START_TEST(wg_negative_counter_panics)
{
    dying_result r;
    run_dying(do_negative_counter, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: sync: negative WaitGroup counter\n");
    ck_assert_contains(r.out, "goc_wg_add(&wg, 1)");
    ck_assert_contains(r.out, "test_sync.c:");
    ck_assert_contains(r.out, "goroutine 1 [running]:");
}
END_TEST

typedef struct reuse_probe {
    goc_waitgroup *wg;
    goc_chan *returned;
} reuse_probe;

static void wait_then_report(void *arg)
{
    reuse_probe *p = arg;
    goc_wg_wait(p->wg);
    goc_send(p->returned, &(int){1});
}

/* Add right after the Done that releases a waiter, before the waiter can
 * return.  The waiter usually loses that race on the first round; rounds
 * it wins end normally and the next round tries again. */
static void do_reuse_before_wait_returns(void *p)
{
    (void)p;
    goc_waitgroup wg = {0};
    reuse_probe probe = {&wg, goc_chan_make(int, 0)};
    for (int round = 0; round < 10000; round++) {
        goc_wg_add(&wg, 1);
        goc_go(wait_then_report, &probe);
        AWAIT((uint32_t)atomic_load(&wg.count) == 1);
        goc_wg_done(&wg);
        goc_wg_add(&wg, 1);
        goc_recv_discard(probe.returned);
        goc_wg_done(&wg);
    }
}

START_TEST(wg_reuse_before_wait_returned_panics)
{
    dying_result r;
    run_dying(do_reuse_before_wait_returns, NULL, 30, &r);
    ck_assert_msg(r.exit_status == 2, "exit %d, signal %d: %s", r.exit_status, r.signal, r.out);
    ck_assert_contains(r.out, "panic: sync: WaitGroup is reused before previous Wait has returned");
    ck_assert_contains(r.out, "wait_then_report");
}
END_TEST

static void done_by_value(goc_waitgroup wg) /* the mistake: wg, not &wg */
{
    goc_wg_done(&wg);
}

static void do_copied_waitgroup(void *p)
{
    (void)p;
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, 1);
    done_by_value(wg);
}

START_TEST(wg_copy_is_detected)
{
    dying_result r;
    run_dying(do_copied_waitgroup, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "fatal error: sync: WaitGroup was copied after first use\n");
    ck_assert_contains(r.out, "Pass &wg, not wg, to functions and goroutines");
    ck_assert_contains(r.out, "test_sync.c:");
    ck_assert_contains(r.out, "done_by_value");
}
END_TEST

static void do_wait_forever(void *p)
{
    (void)p;
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, 1);
    goc_wg_wait(&wg); /* nobody calls done */
}

START_TEST(wg_wait_forever_is_a_deadlock)
{
    dying_result r;
    run_dying(do_wait_forever, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
    ck_assert_contains(r.out, "goroutine 1 [sync.WaitGroup.Wait]:");
}
END_TEST

static void count_one(void *p) { atomic_fetch_add((atomic_int *)p, 1); }

/* Go 1.25's wg.Go: Add(1) before the goroutine starts, Done when it ends. */
START_TEST(wg_go_runs_and_waits_like_add_go_done)
{
    enum { N = 50 };
    goc_waitgroup wg = {0};
    atomic_int n = 0;
    for (int i = 0; i < N; i++)
        goc_wg_go(&wg, count_one, &n);
    goc_wg_wait(&wg);
    ck_assert_int_eq(atomic_load(&n), N);
    goc_wg_go(&wg, count_one, &n); /* reusable after wait */
    goc_wg_wait(&wg);
    ck_assert_int_eq(atomic_load(&n), N + 1);
}
END_TEST

/* ---- Cond ---------------------------------------------------------------------- */

typedef struct queue {
    goc_mutex mu;
    goc_cond nonempty;
    int items, taken;
    bool closed;
    goc_waitgroup wg;
} queue;

static void consumer(void *p)
{
    queue *q = p;
    goc_mutex_lock(&q->mu);
    for (;;) {
        while (q->items == 0 && !q->closed)
            goc_cond_wait(&q->nonempty);
        if (q->items == 0)
            break;
        q->items--;
        q->taken++;
    }
    goc_mutex_unlock(&q->mu);
    goc_wg_done(&q->wg);
}

START_TEST(cond_hands_work_to_waiting_consumers)
{
    enum { CONSUMERS = 4, ITEMS = 2000 };
    queue q = {.items = 0};
    q.nonempty = goc_cond_make(&q.mu);
    goc_wg_add(&q.wg, CONSUMERS);
    for (int i = 0; i < CONSUMERS; i++)
        goc_go(consumer, &q);
    for (int i = 0; i < ITEMS; i++) {
        goc_mutex_lock(&q.mu);
        q.items++;
        goc_mutex_unlock(&q.mu);
        goc_cond_signal(&q.nonempty);
    }
    goc_mutex_lock(&q.mu);
    q.closed = true;
    goc_mutex_unlock(&q.mu);
    goc_cond_broadcast(&q.nonempty);
    goc_wg_wait(&q.wg);
    ck_assert_int_eq(q.taken, ITEMS);
    ck_assert_int_eq(q.items, 0);
}
END_TEST

typedef struct gathering {
    goc_mutex mu;
    goc_cond cond;
    int go_ahead; /* how many may leave */
    int woken;
} gathering;

static void wait_for_turn(void *p)
{
    gathering *g = p;
    goc_mutex_lock(&g->mu);
    while (g->go_ahead == 0)
        goc_cond_wait(&g->cond);
    g->go_ahead--;
    g->woken++;
    goc_mutex_unlock(&g->mu);
}

static int woken_now(gathering *g)
{
    goc_mutex_lock(&g->mu);
    int n = g->woken;
    goc_mutex_unlock(&g->mu);
    return n;
}

/* Signal wakes one waiter and broadcast all; a signal with nobody waiting
 * is lost, as in Go.  "Everyone is parked" is the leak check's settle. */
START_TEST(cond_signal_wakes_one_and_broadcast_all)
{
    enum { N = 5 };
    int64_t base = goc_last_id();
    gathering g = {.go_ahead = 0};
    g.cond = goc_cond_make(&g.mu);
    goc_cond_signal(&g.cond); /* nobody waits: nothing is kept */
    for (int i = 0; i < N; i++)
        goc_go(wait_for_turn, &g);
    ck_assert_int_eq(goc_leak_check(base, 10 * GOC_SECOND, NULL), N);
    goc_mutex_lock(&g.mu);
    g.go_ahead = N; /* everyone may go, but only one is told */
    goc_mutex_unlock(&g.mu);
    goc_cond_signal(&g.cond);
    ck_assert_int_eq(goc_leak_check(base, 10 * GOC_SECOND, NULL), N - 1);
    ck_assert_int_eq(woken_now(&g), 1);
    goc_cond_broadcast(&g.cond);
    ck_assert_int_eq(goc_leak_check(base, 10 * GOC_SECOND, NULL), 0);
    ck_assert_int_eq(woken_now(&g), N);
}
END_TEST

static void do_cond_wait_unlocked(void *p)
{
    (void)p;
    goc_mutex mu = {0};
    goc_cond c = goc_cond_make(&mu);
    goc_cond_wait(&c);
}

static void do_cond_wait_forever(void *p)
{
    (void)p;
    goc_mutex mu = {0};
    goc_cond c = goc_cond_make(&mu);
    goc_mutex_lock(&mu);
    goc_cond_wait(&c);
}

static void do_cond_without_mutex(void *p)
{
    (void)p;
    goc_cond c = {0};
    goc_cond_signal(&c);
}

/* ---- Mutex ------------------------------------------------------------------ */

enum { MU_WORKERS = 8, MU_ROUNDS = 20000 };

typedef struct counter {
    goc_mutex mu;
    long value; /* plain: only the mutex protects it */
    goc_chan *go;
    goc_waitgroup wg;
} counter;

static void increment_many(void *arg)
{
    counter *c = arg;
    wait_start(c->go);
    for (int i = 0; i < MU_ROUNDS; i++) {
        goc_mutex_lock(&c->mu);
        c->value++;
        goc_mutex_unlock(&c->mu);
    }
    goc_wg_done(&c->wg);
}

START_TEST(mutex_excludes_under_contention)
{
    counter c = {.go = start_line()};
    goc_wg_add(&c.wg, MU_WORKERS);
    for (int i = 0; i < MU_WORKERS; i++)
        goc_go(increment_many, &c);
    goc_close(c.go);
    goc_wg_wait(&c.wg);
    ck_assert_int_eq(c.value, (long)MU_WORKERS * MU_ROUNDS);
    goc_chan_free(c.go);
}
END_TEST

static void try_from_other(void *arg)
{
    counter *c = arg;
    c->value = goc_mutex_trylock(&c->mu) ? 1 : 0;
    goc_wg_done(&c->wg);
}

START_TEST(mutex_trylock)
{
    counter c = {0};
    ck_assert(goc_mutex_trylock(&c.mu));
    ck_assert_msg(!goc_mutex_trylock(&c.mu), "trylock of a held mutex must fail");
    c.value = -1;
    goc_wg_add(&c.wg, 1);
    goc_go(try_from_other, &c);
    goc_wg_wait(&c.wg);
    ck_assert_int_eq(c.value, 0);
    goc_mutex_unlock(&c.mu);
    ck_assert(goc_mutex_trylock(&c.mu));
    goc_mutex_unlock(&c.mu);
    goc_mutex_lock(&c.mu); /* and the ordinary lock still works */
    goc_mutex_unlock(&c.mu);
}
END_TEST

typedef struct handover {
    goc_mutex mu;
    atomic_int locked_by_other;
} handover;

static void lock_then_flag(void *arg)
{
    handover *h = arg;
    goc_mutex_lock(&h->mu);
    atomic_store(&h->locked_by_other, 1);
    goc_mutex_unlock(&h->mu);
}

/* A goroutine that finds the mutex held waits (it is observed queued) and
 * gets it once the holder unlocks. */
START_TEST(mutex_blocks_until_unlocked)
{
    handover h = {0};
    goc_mutex_lock(&h.mu);
    goc_go(lock_then_flag, &h);
    AWAIT(atomic_load(&h.mu.state) >> 3 == 1); /* one waiter queued */
    ck_assert_int_eq(atomic_load(&h.locked_by_other), 0);
    goc_mutex_unlock(&h.mu);
    ck_assert_int_eq(goc_leak_check(0, 10 * GOC_SECOND, NULL), 0);
    ck_assert_int_eq(atomic_load(&h.locked_by_other), 1);
}
END_TEST

enum { SLOW_WORKERS = 4, SLOW_ROUNDS = 15 };

typedef struct slow_holder {
    goc_mutex mu;
    int holders;  /* plain: how many hold the lock right now */
    int overlaps; /* plain: times a holder found another inside */
    long value;
    goc_chan *go;
    goc_waitgroup wg;
} slow_holder;

/* Holding the lock across a 2 ms nap makes waiters wait past Go's 1 ms
 * starvation threshold, so the mutex goes through starvation mode and
 * direct hand-off (checked by hand: the starving bit is seen in nearly
 * every run; not asserted, since it depends on timing); exclusion must
 * hold through all of it. */
static void hold_slowly(void *arg)
{
    slow_holder *h = arg;
    wait_start(h->go);
    for (int i = 0; i < SLOW_ROUNDS; i++) {
        goc_mutex_lock(&h->mu);
        if (h->holders++ != 0)
            h->overlaps++;
        goc_sleep(2 * GOC_MILLISECOND);
        h->value++;
        h->holders--;
        goc_mutex_unlock(&h->mu);
    }
    goc_wg_done(&h->wg);
}

START_TEST(mutex_excludes_through_starvation_mode)
{
    slow_holder h = {.go = start_line()};
    goc_wg_add(&h.wg, SLOW_WORKERS);
    for (int i = 0; i < SLOW_WORKERS; i++)
        goc_go(hold_slowly, &h);
    goc_close(h.go);
    goc_wg_wait(&h.wg);
    ck_assert_int_eq(h.overlaps, 0);
    ck_assert_int_eq(h.value, (long)SLOW_WORKERS * SLOW_ROUNDS);
    ck_assert_int_eq(atomic_load(&h.mu.state), 0); /* unlocked, nobody queued, not starving */
    goc_chan_free(h.go);
}
END_TEST

static void do_unlock_unlocked(void *p)
{
    (void)p;
    goc_mutex mu = {0};
    goc_mutex_unlock(&mu);
}

static void do_lock_twice(void *p)
{
    (void)p;
    goc_mutex mu = {0};
    goc_mutex_lock(&mu);
    goc_mutex_lock(&mu);
}

static void do_copied_mutex(void *p)
{
    (void)p;
    goc_mutex mu = {0};
    goc_mutex_lock(&mu);
    goc_mutex copy = mu;
    goc_mutex_unlock(&copy);
}

static void do_runlock_unlocked(void *p)
{
    (void)p;
    goc_rwmutex rw = {0};
    goc_rwmutex_runlock(&rw);
}

static void do_unlock_unlocked_rw(void *p)
{
    (void)p;
    goc_rwmutex rw = {0};
    goc_rwmutex_rlock(&rw);
    goc_rwmutex_unlock(&rw);
}

static void do_copied_rwmutex(void *p)
{
    (void)p;
    goc_rwmutex rw = {0};
    goc_rwmutex_rlock(&rw);
    goc_rwmutex copy = rw;
    goc_rwmutex_runlock(&copy);
}

/* Memory that was freed or never initialised, reached through a pointer:
 * garbage, which is neither a fresh object nor a copy of a used one. */
typedef union junk {
    goc_waitgroup wg;
    goc_mutex mu;
    unsigned char bytes[sizeof(goc_rwmutex)];
} junk;

static void do_garbage_waitgroup(void *p)
{
    (void)p;
    junk j;
    memset(j.bytes, 0x5a, sizeof j.bytes);
    goc_wg_done(&j.wg);
}

/* What a freed job array really leaves: `self` points at live memory
 * (glibc keeps its own pointers in freed blocks), but that memory is no
 * WaitGroup of ours. */
static void do_freed_waitgroup(void *p)
{
    (void)p;
    static long other;
    junk j;
    memset(j.bytes, 0, sizeof j.bytes);
    atomic_store(&j.wg.self, (void *)&other);
    goc_wg_add(&j.wg, 1);
}

static void do_garbage_mutex(void *p)
{
    (void)p;
    junk j;
    memset(j.bytes, 0xa5, sizeof j.bytes);
    goc_mutex_lock(&j.mu);
}

static void block_on_nil(void *p)
{
    (void)p;
    goc_recv_discard((goc_chan *)NULL);
}

static goc_once stuck_once;

static void first_once_call(void *p)
{
    (void)p;
    goc_once_do(&stuck_once, block_on_nil, NULL);
}

/* Go 1.24's dump: a second Once.Do waits inside Mutex.Lock. */
static void do_second_once_waits(void *p)
{
    (void)p;
    goc_go(first_once_call, NULL);
    goc_leak_check(0, 10 * GOC_SECOND, NULL);
    goc_once_do(&stuck_once, block_on_nil, NULL);
}

static void do_rlock_under_writer(void *p)
{
    (void)p;
    goc_rwmutex rw = {0};
    goc_rwmutex_lock(&rw);
    goc_rwmutex_rlock(&rw);
}

/* Each misuse, Go's words for it, and the status: a table, one row each. */
static const struct {
    const char *name;
    void (*fn)(void *);
    const char *want[3];
} deaths[] = {
    {"unlock of unlocked mutex", do_unlock_unlocked,
     {"fatal error: sync: unlock of unlocked mutex\n", "do_unlock_unlocked", "goroutine 1 [running]:"}},
    {"lock twice", do_lock_twice,
     {"fatal error: all goroutines are asleep - deadlock!", "goroutine 1 [sync.Mutex.Lock]:", "do_lock_twice"}},
    {"copied mutex", do_copied_mutex,
     {"fatal error: sync: Mutex was copied after first use\n", "Pass &mu, not mu", "test_sync.c:"}},
    {"RUnlock of unlocked", do_runlock_unlocked,
     {"fatal error: sync: RUnlock of unlocked RWMutex\n", "do_runlock_unlocked", "test_sync.c:"}},
    {"Unlock of unlocked RWMutex", do_unlock_unlocked_rw,
     {"fatal error: sync: Unlock of unlocked RWMutex\n", "do_unlock_unlocked_rw", "test_sync.c:"}},
    {"copied rwmutex", do_copied_rwmutex,
     {"fatal error: sync: RWMutex was copied after first use\n", "Pass &rw, not rw", "test_sync.c:"}},
    {"garbage waitgroup", do_garbage_waitgroup,
     {"fatal error: sync: WaitGroup used at 0x", "freed too early", "test_sync.c:"}},
    {"freed waitgroup", do_freed_waitgroup,
     {"which holds no live goc_waitgroup\n", "free it only after goc_wg_wait has returned", "test_sync.c:"}},
    {"garbage mutex", do_garbage_mutex,
     {"fatal error: sync: Mutex used at 0x", "never initialised", "do_garbage_mutex"}},
    {"second once.Do waits for the first", do_second_once_waits,
     {"fatal error: all goroutines are asleep - deadlock!", "goroutine 1 [sync.Mutex.Lock]:",
      "[chan receive (nil chan)]:\nblock_on_nil(...)"}},
    {"cond wait without the lock", do_cond_wait_unlocked,
     {"fatal error: sync: unlock of unlocked mutex\n", "do_cond_wait_unlocked", "test_sync.c:"}},
    {"cond wait that nobody signals", do_cond_wait_forever,
     {"fatal error: all goroutines are asleep - deadlock!", "goroutine 1 [sync.Cond.Wait]:",
      "do_cond_wait_forever"}},
    {"cond without a mutex", do_cond_without_mutex,
     {"panic: goc_cond_signal on a goc_cond with no mutex.\n", "goc_cond_make(&mu)", "test_sync.c:"}},
    {"rlock under own writer lock", do_rlock_under_writer,
     {"fatal error: all goroutines are asleep - deadlock!", "goroutine 1 [sync.RWMutex.RLock]:",
      "do_rlock_under_writer"}},
};

START_TEST(misuse_stops_like_go)
{
    dying_result r;
    run_dying(deaths[_i].fn, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 2, "%s: exit %d (signal %d), output:\n%s", deaths[_i].name, r.exit_status,
                  r.signal, r.out);
    for (int k = 0; k < 3; k++)
        ck_assert_contains(r.out, deaths[_i].want[k]);
}
END_TEST

/* ---- RWMutex ----------------------------------------------------------------- */

enum { READERS = 4 };

typedef struct shared_rw {
    goc_rwmutex rw;
    atomic_int inside;         /* readers holding the read lock now */
    atomic_int met;            /* readers that reached the barrier (never decreases) */
    atomic_int leave;          /* readers may unlock */
    atomic_int inside_at_write; /* what the writer saw when it got in (-1: not yet) */
    atomic_int writer_done;
    atomic_int late_reader_in;
    atomic_int late_reader_saw_writer_done;
    goc_waitgroup wg;
} shared_rw;

static void reader_meets_others(void *arg)
{
    shared_rw *s = arg;
    goc_rwmutex_rlock(&s->rw);
    atomic_fetch_add(&s->inside, 1);
    atomic_fetch_add(&s->met, 1);
    /* The barrier: only passable if all READERS hold the lock at once. */
    AWAIT(atomic_load(&s->met) == READERS && atomic_load(&s->leave));
    atomic_fetch_sub(&s->inside, 1);
    goc_rwmutex_runlock(&s->rw);
    goc_wg_done(&s->wg);
}

static void writer(void *arg)
{
    shared_rw *s = arg;
    goc_rwmutex_lock(&s->rw);
    atomic_store(&s->inside_at_write, atomic_load(&s->inside));
    atomic_store(&s->writer_done, 1);
    goc_rwmutex_unlock(&s->rw);
    goc_wg_done(&s->wg);
}

static void late_reader(void *arg)
{
    shared_rw *s = arg;
    goc_rwmutex_rlock(&s->rw);
    atomic_store(&s->late_reader_in, 1);
    atomic_store(&s->late_reader_saw_writer_done, atomic_load(&s->writer_done));
    goc_rwmutex_runlock(&s->rw);
    goc_wg_done(&s->wg);
}

/* READERS readers are inside together; a writer arriving then waits for
 * all of them to leave; a reader arriving after the writer queued waits
 * for the writer (Go's writer preference, so writers are not starved). */
START_TEST(rwmutex_shares_with_readers_and_excludes_writers)
{
    shared_rw s = {.inside_at_write = -1};
    goc_wg_add(&s.wg, READERS + 2);
    for (int i = 0; i < READERS; i++)
        goc_go(reader_meets_others, &s);
    AWAIT(atomic_load(&s.inside) == READERS);
    goc_go(writer, &s);
    AWAIT(atomic_load(&s.rw.readers) < 0 || atomic_load(&s.writer_done)); /* the writer announced itself */
    ck_assert_msg(!atomic_load(&s.writer_done), "the writer got in while %d readers held the lock", READERS);
    goc_go(late_reader, &s);
    /* The late reader has counted itself in while the writer waits, so it queues. */
    AWAIT(atomic_load(&s.rw.readers) == READERS + 1 - (1 << 30) || atomic_load(&s.late_reader_in));
    ck_assert_msg(!atomic_load(&s.late_reader_in), "a reader went in while a writer was waiting");
    ck_assert_int_eq(atomic_load(&s.writer_done), 0);
    atomic_store(&s.leave, 1);
    goc_wg_wait(&s.wg);
    ck_assert_msg(atomic_load(&s.inside_at_write) == 0, "the writer got in with %d readers inside",
                  atomic_load(&s.inside_at_write));
    ck_assert_msg(atomic_load(&s.late_reader_saw_writer_done) == 1,
                  "a reader that arrived after a waiting writer went in before it");
}
END_TEST

enum { RW_WRITERS = 4, RW_READERS = 4, RW_ROUNDS = 3000 };

typedef struct even_counter {
    goc_rwmutex rw;
    long value; /* plain; writers add 2 in two steps, so readers must never see it odd */
    atomic_int odd_seen;
    goc_chan *go;
    goc_waitgroup wg;
} even_counter;

static void add_two(void *arg)
{
    even_counter *c = arg;
    wait_start(c->go);
    for (int i = 0; i < RW_ROUNDS; i++) {
        goc_rwmutex_lock(&c->rw);
        c->value++;
        c->value++;
        goc_rwmutex_unlock(&c->rw);
    }
    goc_wg_done(&c->wg);
}

static void check_even(void *arg)
{
    even_counter *c = arg;
    wait_start(c->go);
    for (int i = 0; i < RW_ROUNDS; i++) {
        goc_rwmutex_rlock(&c->rw);
        if (c->value % 2)
            atomic_store(&c->odd_seen, 1);
        goc_rwmutex_runlock(&c->rw);
    }
    goc_wg_done(&c->wg);
}

START_TEST(rwmutex_under_contention)
{
    even_counter c = {.go = start_line()};
    goc_wg_add(&c.wg, RW_WRITERS + RW_READERS);
    for (int i = 0; i < RW_WRITERS; i++)
        goc_go(add_two, &c);
    for (int i = 0; i < RW_READERS; i++)
        goc_go(check_even, &c);
    goc_close(c.go);
    goc_wg_wait(&c.wg);
    ck_assert_int_eq(c.value, 2L * RW_WRITERS * RW_ROUNDS);
    ck_assert_msg(!atomic_load(&c.odd_seen), "a reader saw a writer's half-done update");
    goc_chan_free(c.go);
}
END_TEST

/* ---- Once ---------------------------------------------------------------------- */

enum { ONCE_CALLERS = 16 };

typedef struct once_race {
    goc_once once;
    atomic_int arrived;   /* callers about to call goc_once_do */
    atomic_int calls;     /* times init ran */
    atomic_int finished;  /* init has returned */
    atomic_int early;     /* callers that returned before init finished */
    goc_chan *go;
    goc_waitgroup wg;
} once_race;

/* Holds until every caller has arrived, so the others are inside
 * goc_once_do (or about to be) while it runs. */
static void init(void *arg)
{
    once_race *o = arg;
    atomic_fetch_add(&o->calls, 1);
    AWAIT(atomic_load(&o->arrived) == ONCE_CALLERS);
    for (int i = 0; i < 100; i++)
        goc_yield();
    atomic_store(&o->finished, 1);
}

static void call_once(void *arg)
{
    once_race *o = arg;
    wait_start(o->go);
    atomic_fetch_add(&o->arrived, 1);
    goc_once_do(&o->once, init, o);
    if (!atomic_load(&o->finished))
        atomic_fetch_add(&o->early, 1);
    goc_wg_done(&o->wg);
}

START_TEST(once_runs_exactly_once)
{
    once_race o = {.go = start_line()};
    goc_wg_add(&o.wg, ONCE_CALLERS);
    for (int i = 0; i < ONCE_CALLERS; i++)
        goc_go(call_once, &o);
    goc_close(o.go);
    goc_wg_wait(&o.wg);
    ck_assert_int_eq(atomic_load(&o.calls), 1);
    ck_assert_msg(atomic_load(&o.early) == 0, "%d callers returned before the first call finished",
                  atomic_load(&o.early));
    goc_once_do(&o.once, init, &o); /* the fast path afterwards */
    ck_assert_int_eq(atomic_load(&o.calls), 1);
    goc_chan_free(o.go);
}
END_TEST

static Suite *sync_suite(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("sync");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, wg_waits_for_every_goroutine);
    tcase_add_test(tc, wg_can_be_reused_after_wait);
    tcase_add_test(tc, wg_negative_counter_panics);
    tcase_add_test(tc, wg_reuse_before_wait_returned_panics);
    tcase_add_test(tc, wg_copy_is_detected);
    tcase_add_test(tc, wg_wait_forever_is_a_deadlock);
    tcase_add_test(tc, mutex_excludes_under_contention);
    tcase_add_test(tc, mutex_trylock);
    tcase_add_test(tc, mutex_blocks_until_unlocked);
    tcase_add_test(tc, mutex_excludes_through_starvation_mode);
    tcase_add_loop_test(tc, misuse_stops_like_go, 0, (int)(sizeof deaths / sizeof deaths[0]));
    tcase_add_test(tc, rwmutex_shares_with_readers_and_excludes_writers);
    tcase_add_test(tc, rwmutex_under_contention);
    tcase_add_test(tc, once_runs_exactly_once);
    tcase_add_test(tc, wg_go_runs_and_waits_like_add_go_done);
    tcase_add_test(tc, cond_hands_work_to_waiting_consumers);
    tcase_add_test(tc, cond_signal_wakes_one_and_broadcast_all);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(sync_suite)
