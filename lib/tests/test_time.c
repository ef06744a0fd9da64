/* Time: the timer seam, sleep, after-channels, timers, after-funcs and
 * tickers.
 *
 * No assertion here depends on how fast the machine is: order is proven by
 * the fire times the channels carry, waits are proven by latches, and real
 * time appears only as a lower bound ("slept at least d").  The Go 1.23
 * timer rules are tested on the fake clock, where every time is exact. */
#include <goc/fakeclock.h>
#include <sched.h>

#include "../src/sched.h"
#include "testing.h"
#include "tsan_options.h"

#define MS GOC_MILLISECOND


/* Spins (yielding) until *flag reaches want; the test's timeout bounds it. */
static void await_int(atomic_int *flag, int want)
{
    while (atomic_load(flag) != want)
        goc_yield();
}

/* ---- the timer seam ------------------------------------------------------- */

/* The seam is called by goroutines; a test thread becomes one on its first
 * libgoc call, so these tests make that call before using the seam (else
 * deadlock detection sees nobody running when a timer fires). */
static void become_goroutine(void) { (void)goc_id(); }

static void count_fire(sched_timer *t, void *arg)
{
    (void)t;
    atomic_fetch_add((atomic_int *)arg, 1);
}

START_TEST(stop_before_fire_cancels)
{
    become_goroutine();
    atomic_int fired = 0;
    sched_timer t;
    sched_timer_init(&t, count_fire, &fired);
    sched_timer_start(&t, sched_nanotime() + GOC_HOUR, 0);
    ck_assert_msg(sched_timer_stop(&t), "stopping a pending timer must report that it removed it");
    ck_assert_msg(!sched_timer_stop(&t), "a second stop must find nothing pending");
    ck_assert_int_eq(atomic_load(&fired), 0);
}
END_TEST

START_TEST(stop_after_fire_reports_false)
{
    become_goroutine();
    atomic_int fired = 0;
    sched_timer t;
    sched_timer_init(&t, count_fire, &fired);
    sched_timer_start(&t, sched_nanotime(), 0);
    await_int(&fired, 1);
    ck_assert_msg(!sched_timer_stop(&t), "a timer that already fired is not pending");
}
END_TEST

/* A callback that holds the timer thread until the test lets it go. */
typedef struct held_callback {
    atomic_int entered, release, finished;
    atomic_int finished_seen_by_stopper;
    atomic_int stopping, stopper_done;
    sched_timer t;
} held_callback;

static void hold(sched_timer *t, void *arg)
{
    (void)t;
    held_callback *h = arg;
    atomic_store(&h->entered, 1);
    while (!atomic_load(&h->release))
        sched_yield();
    atomic_store(&h->finished, 1);
}

static void stopper(void *arg)
{
    held_callback *h = arg;
    atomic_store(&h->stopping, 1);
    sched_timer_stop(&h->t);
    atomic_store(&h->finished_seen_by_stopper, atomic_load(&h->finished));
    atomic_store(&h->stopper_done, 1);
}

START_TEST(stop_waits_for_a_running_callback)
{
    become_goroutine();
    held_callback h = {0};
    sched_timer_init(&h.t, hold, &h);
    sched_timer_start(&h.t, sched_nanotime(), 0);
    await_int(&h.entered, 1);
    goc_go(stopper, &h);
    /* Give the stopper time to be inside sched_timer_stop before letting
     * the callback finish (if it is not yet, the test proves less, but
     * never fails wrongly). */
    await_int(&h.stopping, 1);
    for (int i = 0; i < 1000; i++)
        goc_yield();
    ck_assert_msg(atomic_load(&h.stopper_done) == 0,
                  "sched_timer_stop returned while the callback was still running");
    atomic_store(&h.release, 1);
    await_int(&h.stopper_done, 1);
    ck_assert_msg(atomic_load(&h.finished_seen_by_stopper) == 1,
                  "sched_timer_stop returned while the callback was still running");
}
END_TEST

typedef struct self_stopper {
    sched_timer t;
    atomic_int runs;
    atomic_int stop_result;
} self_stopper;

static void stop_myself(sched_timer *t, void *arg)
{
    self_stopper *s = arg;
    atomic_store(&s->stop_result, sched_timer_stop(t) ? 1 : 0);
    atomic_fetch_add(&s->runs, 1);
}

/* A periodic timer stopping itself from its callback must neither deadlock
 * nor fire again. */
START_TEST(periodic_timer_can_stop_itself)
{
    become_goroutine();
    self_stopper s = {0};
    s.stop_result = -1;
    sched_timer_init(&s.t, stop_myself, &s);
    sched_timer_start(&s.t, sched_nanotime(), MS);
    await_int(&s.runs, 1);
    ck_assert_int_eq(atomic_load(&s.stop_result), 1);
    /* Proof that it did not re-arm: a later one-shot timer fires after any
     * tick that would have been due before it. */
    goc_chan *later = goc_after(5 * MS);
    goc_recv_discard(later);
    goc_chan_free(later);
    ck_assert_int_eq(atomic_load(&s.runs), 1);
}
END_TEST

START_TEST(periodic_timer_rearms)
{
    become_goroutine();
    atomic_int fired = 0;
    sched_timer t;
    sched_timer_init(&t, count_fire, &fired);
    sched_timer_start(&t, sched_nanotime(), MS);
    while (atomic_load(&fired) < 5)
        goc_yield();
    ck_assert(sched_timer_stop(&t));
}
END_TEST

enum { RACERS = 8, RACE_TIMERS = 400 };

typedef struct race_slot {
    sched_timer t;
    atomic_int fired;
} race_slot;

typedef struct racer {
    race_slot slots[RACE_TIMERS];
    atomic_int broken; /* slots where stop's answer and the callback disagree */
    goc_waitgroup *wg;
} racer;

static void mark_fired(sched_timer *t, void *arg)
{
    (void)t;
    atomic_fetch_add(&((race_slot *)arg)->fired, 1);
}

/* Stops each timer right around its deadline.  Whatever the timing, stop
 * returning true means the callback never runs, and false means it has
 * already run to completion, exactly once. */
static void race_stop_against_fire(void *arg)
{
    racer *r = arg;
    for (int i = 0; i < RACE_TIMERS; i++) {
        race_slot *s = &r->slots[i];
        sched_timer_init(&s->t, mark_fired, s);
        sched_timer_start(&s->t, sched_nanotime() + (i % 4) * 20 * GOC_MICROSECOND, 0);
        if (i % 2)
            goc_yield();
        bool removed = sched_timer_stop(&s->t);
        if (atomic_load(&s->fired) != (removed ? 0 : 1))
            atomic_fetch_add(&r->broken, 1);
    }
    goc_wg_done(r->wg);
}

START_TEST(stop_racing_fire_is_exact)
{
    static racer racers[RACERS];
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, RACERS);
    for (int i = 0; i < RACERS; i++) {
        racers[i].wg = &wg;
        goc_go(race_stop_against_fire, &racers[i]);
    }
    goc_wg_wait(&wg);
    /* A stopped timer must not fire later either: by the time this one
     * fires, every deadline above has long passed. */
    goc_chan *after_all = goc_after(2 * MS);
    goc_recv_discard(after_all);
    goc_chan_free(after_all);
    int broken = 0, fired = 0;
    for (int i = 0; i < RACERS; i++) {
        broken += atomic_load(&racers[i].broken);
        for (int j = 0; j < RACE_TIMERS; j++)
            fired += atomic_load(&racers[i].slots[j].fired);
    }
    ck_assert_msg(broken == 0, "%d timers: sched_timer_stop's answer disagreed with the callback", broken);
    ck_assert_int_le(fired, RACERS * RACE_TIMERS);
}
END_TEST

/* ---- now, since, sleep ------------------------------------------------------- */

START_TEST(sleep_lasts_at_least_d)
{
    goc_time start = goc_now();
    goc_sleep(20 * MS);
    goc_duration took = goc_since(start);
    ck_assert_msg(took >= 20 * MS, "goc_sleep(20ms) returned after %lld ns", (long long)took);
    goc_sleep(0); /* returns at once, like Go's time.Sleep(0) */
    goc_sleep(-5);
}
END_TEST

typedef struct napper {
    atomic_int seen; /* main saw us asleep in a dump */
    goc_chan *done;
} napper;

/* Naps until main has seen it asleep, then one more nap, during which main
 * is parked on `done`: only the pending timer can wake anyone then. */
static void nap_then_report(void *arg)
{
    napper *n = arg;
    while (!atomic_load(&n->seen))
        goc_sleep(MS);
    goc_sleep(20 * MS);
    goc_send(n->done, &(int){1});
}

static bool dump_shows_sleeper(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    goc_dump_goroutines(f);
    fclose(f);
    bool seen = strstr(buf, "[sleep]:") && strstr(buf, "nap_then_report");
    free(buf);
    return seen;
}

/* A sleeping goroutine shows [sleep] in dumps, and while the only other
 * goroutine waits for it, no deadlock is reported: its timer will wake it. */
START_TEST(sleeping_goroutine_is_not_deadlocked)
{
    napper n = {.done = goc_chan_make(int, 0)};
    goc_go(nap_then_report, &n);
    while (!dump_shows_sleeper())
        goc_yield();
    atomic_store(&n.seen, 1);
    int v = 0;
    goc_recv(n.done, &v);
    ck_assert_int_eq(v, 1);
    goc_chan_free(n.done);
}
END_TEST

enum { SLEEPERS = 64 };

static void sleep_a_little(void *arg)
{
    goc_waitgroup *wg = arg;
    for (int i = 0; i < 5; i++)
        goc_sleep((goc_id() % 7 + 1) * 100 * GOC_MICROSECOND);
    goc_wg_done(wg);
}

/* Many goroutines sleeping at once, with deadlines interleaved: every one
 * of them is woken (a lost wake-up would hang the wait). */
START_TEST(many_sleepers_all_wake)
{
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, SLEEPERS);
    for (int i = 0; i < SLEEPERS; i++)
        goc_go(sleep_a_little, &wg);
    goc_wg_wait(&wg);
    ck_assert_int_eq(goc_leak_check(0, 10 * GOC_SECOND, NULL), 0);
}
END_TEST

/* ---- after ------------------------------------------------------------------------ */

/* Started out of order; each channel carries the time it fired, and those
 * times must follow the deadlines, whatever order we receive in.  A
 * deadline lies between the clock readings just before and just after its
 * goc_after call; only pairs whose deadlines are ordered for certain are
 * compared (on a slow machine the calls themselves take time). */
START_TEST(after_channels_fire_in_deadline_order)
{
    enum { N = 6 };
    static const int delay_ms[N] = {50, 10, 60, 30, 20, 40};
    goc_chan *ch[N];
    goc_time earliest[N], latest[N];
    for (int i = 0; i < N; i++) {
        earliest[i] = goc_now() + delay_ms[i] * MS;
        ch[i] = goc_after(delay_ms[i] * MS);
        latest[i] = goc_now() + delay_ms[i] * MS;
    }
    goc_time fired[N];
    for (int i = 0; i < N; i++) {
        ck_assert(goc_recv(ch[i], &fired[i]));
        ck_assert_msg(fired[i] >= earliest[i], "goc_after(%d ms) fired %lld ns early", delay_ms[i],
                      (long long)(earliest[i] - fired[i]));
    }
    int compared = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            if (latest[i] < earliest[j]) {
                compared++;
                ck_assert_msg(fired[i] <= fired[j], "goc_after(%d ms) fired after goc_after(%d ms)",
                              delay_ms[i], delay_ms[j]);
            }
    ck_assert_msg(compared > 0, "creating the timers took longer than their spacing: nothing compared");
    for (int i = 0; i < N; i++)
        goc_chan_free(ch[i]);
}
END_TEST

START_TEST(after_channel_has_capacity_one)
{
    goc_chan *c = goc_after(MS);
    ck_assert_int_eq(goc_cap(c), 1);
    goc_time when;
    ck_assert(goc_recv(c, &when));
    ck_assert_int_eq(goc_try_recv(c, &when), GOC_WOULD_BLOCK); /* it fires once */
    goc_chan_free(c);
}
END_TEST

/* The maker frees the channel before, while or after its timer fires:
 * freeing stops the timer, waiting out a callback in progress (ASan and
 * TSan runs check the memory). */
START_TEST(after_freed_before_firing_is_safe)
{
    for (int i = 0; i < 20; i++)
        goc_chan_free(goc_after((i % 3) * MS));
    goc_chan *later = goc_after(10 * MS);
    goc_recv_discard(later);
    goc_chan_free(later);
}
END_TEST

static void do_wait_after_fork(void *p)
{
    (void)p;
    goc_chan *c = goc_after(MS);
    goc_recv_discard(c);
    goc_chan_free(c);
    goc_chan *nil = NULL;
    goc_recv_discard(nil); /* the parent's pending timer must not keep us alive */
}

/* The parent has a pending timer and a running timer thread at fork time;
 * the child gets a fresh timer thread, and the parent's timer is not
 * counted as pending there (so the deadlock is still seen). */
START_TEST(timers_work_after_fork)
{
    /* The timer thread is up and idle (not allocating) when we fork: a
     * sanitizer's allocator lock held at fork() would hang the child. */
    goc_chan *warm = goc_after(MS);
    goc_recv_discard(warm);
    goc_chan_free(warm);
    goc_chan *pending = goc_after(GOC_HOUR);
    dying_result r;
    run_dying(do_wait_after_fork, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 2, "child exited %d (signal %d): %s", r.exit_status, r.signal, r.out);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
    goc_chan_free(pending);
}
END_TEST

static void do_block_with_pending_after(void *p)
{
    (void)p;
    goc_chan *unread = goc_after(5 * MS); /* nobody will receive from it */
    (void)unread;
    goc_chan *c = goc_chan_make(int, 0);
    goc_recv_discard(c);
}

/* While the timer is pending it could still wake someone; once it has
 * fired and woken nobody, the deadlock is reported (from the timer thread). */
START_TEST(deadlock_reported_once_last_timer_fires)
{
    dying_result r;
    run_dying(do_block_with_pending_after, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 2, "child exited %d (signal %d): %s", r.exit_status, r.signal, r.out);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
    ck_assert_contains(r.out, "goroutine 1 [chan receive]:");
    ck_assert_contains(r.out, "do_block_with_pending_after");
}
END_TEST

/* ---- tickers ----------------------------------------------------------------------- */

START_TEST(ticker_ticks_then_stop_frees)
{
    goc_time start = goc_now();
    goc_ticker *k = goc_ticker_new(2 * MS);
    goc_time prev = start;
    for (int i = 0; i < 4; i++) {
        goc_time tick;
        ck_assert(goc_recv(goc_ticker_chan(k), &tick));
        ck_assert_msg(tick > prev, "tick %d at %lld is not after the previous one at %lld", i, (long long)tick,
                      (long long)prev);
        ck_assert_msg(tick - start >= (i + 1) * 2 * MS, "tick %d came early", i);
        prev = tick;
    }
    goc_ticker_stop(k); /* frees ticker and channel: ASan checks */
}
END_TEST

/* A receiver that falls behind finds one stale tick waiting, then a fresh
 * one: the missed ticks were dropped, not queued. */
START_TEST(ticker_drops_ticks_for_slow_receiver)
{
    goc_ticker *k = goc_ticker_new(MS);
    goc_chan *behind = goc_after(30 * MS); /* ~30 ticks are due meanwhile */
    goc_recv_discard(behind);
    goc_chan_free(behind);
    goc_time caught_up = goc_now();
    ck_assert_int_eq(goc_len(goc_ticker_chan(k)), 1);
    goc_time stale, fresh;
    goc_recv(goc_ticker_chan(k), &stale);
    goc_recv(goc_ticker_chan(k), &fresh);
    ck_assert_msg(stale < caught_up, "the buffered tick should be the old one");
    ck_assert_msg(fresh >= caught_up, "the tick after the buffered one is %lld ns stale: ticks were queued",
                  (long long)(caught_up - fresh));
    goc_ticker_stop(k);
}
END_TEST

static void do_stop_then_block(void *p)
{
    (void)p;
    goc_ticker *k = goc_ticker_new(MS);
    goc_recv_discard(goc_ticker_chan(k));
    goc_ticker_stop(k);
    goc_chan *nil = NULL;
    goc_recv_discard(nil);
}

/* A running ticker is a pending timer (it keeps a blocked program alive,
 * as in Go); once stopped it is not, so the deadlock is reported. */
START_TEST(stopped_ticker_no_longer_pending)
{
    dying_result r;
    run_dying(do_stop_then_block, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 2, "child exited %d (signal %d): %s", r.exit_status, r.signal, r.out);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
    ck_assert_contains(r.out, "[chan receive (nil chan)]");
}
END_TEST

static void do_zero_ticker(void *p)
{
    (void)p;
    goc_ticker_new(0);
}

START_TEST(non_positive_ticker_panics)
{
    dying_result r;
    run_dying(do_zero_ticker, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: non-positive interval for NewTicker");
    ck_assert_contains(r.out, "test_time.c:");
}
END_TEST


/* ---- goc_after freed early (Go >= 1.23 collects the timer) ------------------------ */

static void park_on(void *c) { goc_recv_discard((goc_chan *)c); }

/* CURRICULUM P0-2: an hour-long goc_after freed before it fires used to
 * stay pending, so every leak check waited out its whole bound.  Freeing
 * it now stops the timer: the check answers at once. */
START_TEST(after_freed_early_stops_its_timer)
{
    goc_chan *hour = goc_after(GOC_HOUR);
    ck_assert_int_eq(goc_pending_timers(NULL), 1);
    goc_chan_free(hour);
    ck_assert_int_eq(goc_pending_timers(NULL), 0);
    goc_chan *c = goc_chan_make(int, 0);
    int64_t since = goc_last_id();
    goc_go(park_on, c);
    goc_time start = goc_now();
    ck_assert_int_eq(goc_leak_check(since, 20 * GOC_SECOND, NULL), 1);
    ck_assert_msg(goc_since(start) < 10 * GOC_SECOND, "the leak check waited %lld ms for a freed timer",
                  (long long)(goc_since(start) / MS));
    goc_close(c);
    ck_assert_int_eq(goc_leak_check(since, 20 * GOC_SECOND, NULL), 0);
    goc_chan_free(c);
}
END_TEST

/* ---- goc_pending_timers ---------------------------------------------------------------- */

static void sleep_five_hours(void *p)
{
    (void)p;
    goc_sleep(5 * GOC_HOUR);
}

static void nothing(void *p) { (void)p; }

static void expect_line(const char *out, const char *kind, int line, const char *rest)
{
    char want[256];
    snprintf(want, sizeof want, "%s made at %s:%d (in ", kind, __FILE__, line);
    ck_assert_contains(out, want);
    ck_assert_contains(out, rest);
}

/* Every kind is listed with where it was made, in deadline order, with the
 * exact time left on the fake clock. */
START_TEST(pending_timers_name_kind_site_and_time_left)
{
    goc_fakeclock_enable();
    int at[6];
    at[0] = __LINE__ + 1;
    goc_chan *after = goc_after(GOC_HOUR);
    at[1] = __LINE__ + 1;
    goc_ticker *k = goc_ticker_new(5 * MS);
    at[2] = __LINE__ + 1;
    goc_timer *t = goc_timer_new(2 * GOC_HOUR);
    at[3] = __LINE__ + 1;
    goc_timer *f = goc_after_func(3 * GOC_HOUR, nothing, NULL);
    at[4] = __LINE__ + 1;
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), 4 * GOC_HOUR);
    goc_go(sleep_five_hours, NULL);
    goc_fakeclock_advance(0); /* the sleeper is asleep */
    char *out = NULL;
    size_t len = 0;
    FILE *f_out = open_memstream(&out, &len);
    ck_assert_int_eq(goc_pending_timers(f_out), 6);
    fclose(f_out);
    expect_line(out, "goc_ticker", at[1], "ticks every 5ms, next in 5ms\n");
    expect_line(out, "goc_after", at[0], "fires in 1h0m0s\n");
    expect_line(out, "goc_timer", at[2], "fires in 2h0m0s\n");
    expect_line(out, "goc_after_func", at[3], "fires in 3h0m0s\n");
    expect_line(out, "goc_ctx_with_timeout", at[4], "fires in 4h0m0s\n");
    ck_assert_contains(out, "goc_sleep made at ");
    ck_assert_contains(out, "(in sleep_five_hours): fires in 5h0m0s\n");
    ck_assert_msg(strstr(out, "goc_ticker") < strstr(out, "goc_after ") &&
                      strstr(out, "goc_after ") < strstr(out, "goc_timer ") &&
                      strstr(out, "goc_ctx_with_timeout") < strstr(out, "goc_sleep"),
                  "not in deadline order:\n%s", out);
    free(out);
    goc_ticker_stop(k);
    goc_timer_free(t);
    goc_timer_free(f);
    goc_ctx_release(ctx);
    goc_chan_free(after);
    ck_assert_int_eq(goc_pending_timers(NULL), 1); /* the sleeper */
    goc_fakeclock_advance(5 * GOC_HOUR);
    ck_assert_int_eq(goc_pending_timers(stderr), 0);
}
END_TEST

/* ---- goc_timer: Go 1.23's Stop and Reset ------------------------------------------------- */

START_TEST(timer_fires_once_at_its_deadline)
{
    goc_fakeclock_enable();
    goc_time t0 = goc_now();
    goc_timer *t = goc_timer_new(30 * MS);
    goc_time when;
    ck_assert(goc_recv(goc_timer_chan(t), &when)); /* parks: time jumps */
    ck_assert_int_eq(when - t0, 30 * MS);
    goc_fakeclock_advance(GOC_HOUR);
    ck_assert_int_eq(goc_try_recv(goc_timer_chan(t), &when), GOC_WOULD_BLOCK);
    ck_assert_msg(!goc_timer_stop(t), "a timer that fired and was received: Stop must return false");
    goc_timer_free(t);
}
END_TEST

START_TEST(timer_stop_before_fire)
{
    goc_fakeclock_enable();
    goc_timer *t = goc_timer_new(10 * MS);
    ck_assert_msg(goc_timer_stop(t), "stopping a pending timer must return true");
    ck_assert_msg(!goc_timer_stop(t), "a second Stop finds nothing to stop");
    ck_assert_int_eq(goc_pending_timers(NULL), 0);
    goc_fakeclock_advance(GOC_HOUR);
    ck_assert_int_eq(goc_len(goc_timer_chan(t)), 0);
    goc_timer_free(t);
}
END_TEST

/* Fired, but nobody received: Go 1.23 says Stop prevented it (true) and no
 * stale value can be received afterwards. */
START_TEST(timer_stop_after_unreceived_fire_discards_the_value)
{
    goc_fakeclock_enable();
    goc_timer *t = goc_timer_new(10 * MS);
    goc_fakeclock_advance(10 * MS);
    ck_assert_int_eq(goc_len(goc_timer_chan(t)), 1);
    ck_assert_msg(goc_timer_stop(t), "Stop of a fired but unreceived timer must return true (Go 1.23)");
    ck_assert_int_eq(goc_len(goc_timer_chan(t)), 0);
    ck_assert(!goc_timer_stop(t));
    goc_timer_free(t);
}
END_TEST

START_TEST(timer_reset_rules)
{
    goc_fakeclock_enable();
    goc_time t0 = goc_now();
    goc_timer *t = goc_timer_new(10 * MS);
    goc_time when;
    /* pending: Reset says it was active and moves the deadline */
    ck_assert(goc_timer_reset(t, 50 * MS));
    goc_fakeclock_advance(49 * MS);
    ck_assert_int_eq(goc_len(goc_timer_chan(t)), 0);
    ck_assert(goc_recv(goc_timer_chan(t), &when));
    ck_assert_int_eq(when - t0, 50 * MS);
    /* fired and received: not active; fires again d after the Reset */
    ck_assert(!goc_timer_reset(t, 20 * MS));
    ck_assert(goc_recv(goc_timer_chan(t), &when));
    ck_assert_int_eq(when - t0, 70 * MS);
    /* fired, not received: active (Go 1.23), and the stale value is gone */
    ck_assert(!goc_timer_reset(t, 10 * MS));
    goc_fakeclock_advance(10 * MS);
    ck_assert_int_eq(goc_len(goc_timer_chan(t)), 1);
    ck_assert(goc_timer_reset(t, 5 * MS));
    ck_assert(goc_recv(goc_timer_chan(t), &when));
    ck_assert_int_eq(when - t0, 85 * MS); /* the new fire, not the stale 80 ms */
    goc_timer_free(t);
}
END_TEST

/* Real time, no fake clock: a timer freed while it fires or after it fired
 * (ASan/TSan check the memory). */
START_TEST(timer_free_at_any_moment_is_safe)
{
    for (int i = 0; i < 50; i++) {
        goc_timer *t = goc_timer_new((i % 3) * 10 * GOC_MICROSECOND);
        if (i % 5 == 0)
            goc_recv_discard(goc_timer_chan(t));
        goc_timer_free(t);
    }
    goc_timer_free(NULL);
    ck_assert_int_eq(goc_pending_timers(NULL), 0);
}
END_TEST

/* ---- goc_after_func ------------------------------------------------------------------------ */

typedef struct func_probe {
    atomic_int runs;
    int64_t goroutine;
    goc_time at;
} func_probe;

static void record_run(void *p)
{
    func_probe *f = p;
    f->goroutine = goc_id();
    f->at = goc_now();
    atomic_fetch_add(&f->runs, 1);
}

START_TEST(after_func_runs_in_its_own_goroutine_at_its_deadline)
{
    goc_fakeclock_enable();
    goc_time t0 = goc_now();
    func_probe f = {0};
    goc_timer *t = goc_after_func(40 * MS, record_run, &f);
    ck_assert_ptr_null(goc_timer_chan(t));
    goc_fakeclock_advance(39 * MS);
    ck_assert_int_eq(atomic_load(&f.runs), 0);
    goc_fakeclock_advance(1 * MS); /* returns once fn's goroutine is done */
    ck_assert_int_eq(atomic_load(&f.runs), 1);
    ck_assert_int_eq(f.at - t0, 40 * MS);
    ck_assert_int_ne(f.goroutine, goc_id());
    ck_assert_msg(!goc_timer_stop(t), "fn already ran: Stop must return false");
    ck_assert(!goc_timer_reset(t, 10 * MS)); /* runs it once more */
    goc_fakeclock_advance(10 * MS);
    ck_assert_int_eq(atomic_load(&f.runs), 2);
    ck_assert_int_eq(f.at - t0, 50 * MS);
    goc_timer_free(t);
    ck_assert_int_eq(goc_leak_check(0, 10 * GOC_SECOND, NULL), 0);
}
END_TEST

START_TEST(after_func_stopped_never_runs)
{
    goc_fakeclock_enable();
    func_probe f = {0};
    goc_timer *t = goc_after_func(40 * MS, record_run, &f);
    ck_assert_msg(goc_timer_stop(t), "Stop before the deadline must return true");
    goc_fakeclock_advance(GOC_HOUR);
    ck_assert_int_eq(atomic_load(&f.runs), 0);
    goc_timer_free(t);
}
END_TEST

static void after_func_then_block(void *p)
{
    (void)p;
    func_probe f = {0};
    goc_timer *t = goc_after_func(MS, record_run, &f);
    (void)t;
    goc_chan *nil = NULL;
    goc_recv_discard(nil);
}

/* Real time: fn's goroutine is started from the timer thread, which must
 * not become a goroutine itself, or this deadlock would never be seen. */
START_TEST(after_func_leaves_deadlock_detection_intact)
{
    dying_result r;
    run_dying(after_func_then_block, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 2, "child exited %d (signal %d): %s", r.exit_status, r.signal, r.out);
    ck_assert_contains(r.out, "fatal error: all goroutines are asleep - deadlock!");
}
END_TEST

/* ---- ticker reset and ownership -------------------------------------------------------------- */

START_TEST(ticker_reset_changes_period_and_drops_the_stale_tick)
{
    goc_fakeclock_enable();
    goc_time t0 = goc_now();
    goc_ticker *k = goc_ticker_new(5 * MS);
    goc_fakeclock_advance(7 * MS);
    ck_assert_int_eq(goc_len(goc_ticker_chan(k)), 1); /* the 5 ms tick, unreceived */
    goc_ticker_reset(k, 20 * MS);
    ck_assert_int_eq(goc_len(goc_ticker_chan(k)), 0);
    goc_time when;
    for (int i = 1; i <= 3; i++) {
        ck_assert(goc_recv(goc_ticker_chan(k), &when));
        ck_assert_int_eq(when - t0, 7 * MS + i * 20 * MS);
    }
    goc_ticker_stop(k);
    ck_assert_int_eq(goc_pending_timers(NULL), 0);
}
END_TEST

static void do_reset_ticker_to_zero(void *p)
{
    (void)p;
    goc_ticker *k = goc_ticker_new(MS);
    goc_ticker_reset(k, 0);
}

START_TEST(ticker_reset_non_positive_panics)
{
    dying_result r;
    run_dying(do_reset_ticker_to_zero, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: non-positive interval for Ticker.Reset");
    ck_assert_contains(r.out, "test_time.c:");
}
END_TEST

static void do_free_ticker_channel(void *p)
{
    (void)p;
    goc_ticker *k = goc_ticker_new(MS);
    goc_chan_free(goc_ticker_chan(k));
}

START_TEST(freeing_a_tickers_channel_alone_panics_with_advice)
{
    dying_result r;
    run_dying(do_free_ticker_channel, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "goc_chan_free of the channel of the goc_ticker made at");
    ck_assert_contains(r.out, "call goc_ticker_stop(t) instead");
    ck_assert_contains(r.out, "(at lib/tests/test_time.c:"); /* the goc_chan_free line */
}
END_TEST

static void do_use_ticker_after_stop(void *p)
{
    (void)p;
    goc_ticker *k = goc_ticker_new(MS);
    goc_chan *c = goc_ticker_chan(k);
    int stop_line = __LINE__ + 1;
    goc_ticker_stop(k);
    fprintf(stderr, "stopped at line %d\n", stop_line); /* what the report must name */
    goc_recv_discard(c);
}

/* The report of a use after goc_ticker_stop names the stop call's line as
 * where the channel was freed, not a line inside libgoc. */
START_TEST(use_after_ticker_stop_names_the_stop_line)
{
    dying_result r;
    run_dying(do_use_ticker_after_stop, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    int stop_line = 0;
    ck_assert_int_eq(sscanf(r.out, "stopped at line %d", &stop_line), 1);
    char want[128];
    snprintf(want, sizeof want, "freed by goc_chan_free at %s:%d", __FILE__, stop_line);
    ck_assert_contains(r.out, want);
    ck_assert_msg(strstr(r.out, "src/time.c") == NULL, "the report names libgoc's own file:\n%s", r.out);
}
END_TEST

static Suite *time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("time");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, stop_before_fire_cancels);
    tcase_add_test(tc, stop_after_fire_reports_false);
    tcase_add_test(tc, stop_waits_for_a_running_callback);
    tcase_add_test(tc, periodic_timer_can_stop_itself);
    tcase_add_test(tc, periodic_timer_rearms);
    tcase_add_test(tc, stop_racing_fire_is_exact);
    tcase_add_test(tc, sleep_lasts_at_least_d);
    tcase_add_test(tc, sleeping_goroutine_is_not_deadlocked);
    tcase_add_test(tc, many_sleepers_all_wake);
    tcase_add_test(tc, after_channels_fire_in_deadline_order);
    tcase_add_test(tc, after_channel_has_capacity_one);
    tcase_add_test(tc, after_freed_before_firing_is_safe);
    tcase_add_test(tc, timers_work_after_fork);
    tcase_add_test(tc, deadlock_reported_once_last_timer_fires);
    tcase_add_test(tc, ticker_ticks_then_stop_frees);
    tcase_add_test(tc, ticker_drops_ticks_for_slow_receiver);
    tcase_add_test(tc, stopped_ticker_no_longer_pending);
    tcase_add_test(tc, non_positive_ticker_panics);
    tcase_add_test(tc, after_freed_early_stops_its_timer);
    tcase_add_test(tc, pending_timers_name_kind_site_and_time_left);
    tcase_add_test(tc, timer_fires_once_at_its_deadline);
    tcase_add_test(tc, timer_stop_before_fire);
    tcase_add_test(tc, timer_stop_after_unreceived_fire_discards_the_value);
    tcase_add_test(tc, timer_reset_rules);
    tcase_add_test(tc, timer_free_at_any_moment_is_safe);
    tcase_add_test(tc, after_func_runs_in_its_own_goroutine_at_its_deadline);
    tcase_add_test(tc, after_func_stopped_never_runs);
    tcase_add_test(tc, after_func_leaves_deadlock_detection_intact);
    tcase_add_test(tc, ticker_reset_changes_period_and_drops_the_stale_tick);
    tcase_add_test(tc, ticker_reset_non_positive_panics);
    tcase_add_test(tc, freeing_a_tickers_channel_alone_panics_with_advice);
    tcase_add_test(tc, use_after_ticker_stop_names_the_stop_line);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(time_suite)
