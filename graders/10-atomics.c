/* The grader of exercise 10: atomic_update, stats_record, config_load and
 * config_publish.  A lost update is made certain, not probable: the
 * grader's f waits at a 2-party barrier on its first call in each of two
 * goroutines, so both have read the same old value before either writes.
 * A compare-and-swap loop then fails once and retries from the new value;
 * a load-then-store ends one update short, every run.  Publication is
 * judged by the race pass: a relaxed store or load of the pointer leaves
 * the config's fields unordered, and ThreadSanitizer reports it. */
#include "grader.h"

#include <stdint.h>

typedef struct stats {
    _Atomic(int64_t) requests;
    _Atomic(int64_t) max_latency;
} stats;
typedef struct config {
    int version;
    const char *name;
} config;
typedef struct config_box {
    const config *_Atomic current;
} config_box;

int64_t atomic_update(_Atomic(int64_t) *slot, int64_t (*f)(int64_t old, void *ctx), void *ctx);
void stats_record(stats *s, int64_t latency);
const config *config_load(config_box *b);
void config_publish(config_box *b, const config *fresh);

#define EX "exercises/10-atomics.c"

/* ---- atomic_update under a forced collision ------------------------------------- */

enum { MAX_CALLS = 8 };

/* One per goroutine: what its f saw, call by call. */
typedef struct updater {
    _Atomic(int64_t) *slot;
    cl_barrier *meet;   /* the first call of f waits here for the other goroutine */
    cl_gate *runaway;   /* a call with the same stale old again parks here */
    int calls;
    bool stale; /* f was called again with the old value the other had replaced */
    int64_t seen[MAX_CALLS];
    int64_t stored;
} updater;

static int64_t plus_one(int64_t old, void *ctx)
{
    updater *u = ctx;
    int n = u->calls++;
    if (n < MAX_CALLS)
        u->seen[n] = old;
    if (n == 0) {
        cl_barrier_arrive_and_wait(u->meet);
    } else if (old == 0 && atomic_load(u->slot) != 0) {
        /* A retry after a failed compare-exchange with the value that had
         * already been replaced: it would fail forever, so stop it here. */
        u->stale = true;
        cl_gate_pass(u->runaway);
    } else if (n >= MAX_CALLS) {
        cl_gate_pass(u->runaway); /* a loop that never ends some other way */
    }
    return old + 1;
}

static void call_update(void *arg)
{
    updater *u = arg;
    u->stored = atomic_update(u->slot, plus_one, u);
}

CL_TEST(atomic_update_retries_when_another_update_won)
{
    _Atomic(int64_t) *slot = cl_alloc(1, sizeof *slot);
    cl_barrier *meet = cl_alloc(1, sizeof *meet);
    cl_gate *runaway = cl_alloc(1, sizeof *runaway);
    cl_barrier_init(meet, 2);
    cl_gate_init(runaway);
    updater *u = cl_alloc(2, sizeof *u);
    cl_call c[2];
    for (int i = 0; i < 2; i++) {
        u[i] = (updater){.slot = slot, .meet = meet, .runaway = runaway};
        cl_spawn_call(&c[i], call_update, &u[i]);
    }
    bool back = cl_call_await(&c[0], 5) && cl_call_await(&c[1], 5);
    int64_t value = atomic_load(slot);
    int calls = u[0].calls + u[1].calls;
    updater *retrier = u[0].calls > 1 ? &u[0] : &u[1];
    cl_expect(!u[0].stale && !u[1].stale,
              "a failed compare-exchange to be retried with the value that beat it (1)",
              "atomic_compare_exchange_weak(slot, &old, fresh) writes the current value into "
              "`old` when it fails; compute f again from that, do not reset `old` yourself",
              "the retry passed the same old value (%lld) to f again, so it can never succeed "
              "(" EX ", atomic_update).",
              (long long)retrier->seen[0]);
    cl_expect(back, "both atomic_update calls to return", "one CAS loop, no other waiting",
              "one was still running or waiting (" EX ", atomic_update).");
    cl_expect(value == 2,
              "two updates of +1 from 0 to end at 2",
              "read-modify-write as one step: compute f(old), then store it only if *slot still "
              "holds old (atomic_compare_exchange_weak), and when that fails, call f again with "
              "the value that won, in a loop",
              "two updates ran, but the value went from 0 to %lld (f ran %d times): both computed "
              "from 0, and one result was lost, either stored over the other's (a load then a "
              "separate store) or dropped after a failed compare-exchange that was not retried "
              "(" EX ", atomic_update).",
              (long long)value, calls);
    cl_expect(calls >= 3 && retrier->seen[1] == 1,
              "f to run 3 times: once each, then once more for the loser, with old = 1",
              "the loser retries from the winner's value",
              "f ran %d times; the retry saw old = %lld (" EX ", atomic_update).", calls,
              (long long)retrier->seen[1]);
    cl_expect((u[0].stored == 1 && u[1].stored == 2) || (u[0].stored == 2 && u[1].stored == 1),
              "atomic_update to return the value it stored (1 for one, 2 for the other)",
              "return the fresh value of the successful compare-exchange",
              "they returned %lld and %lld (" EX ", atomic_update).", (long long)u[0].stored,
              (long long)u[1].stored);
}
CL_END_TEST

static int64_t times_three(int64_t old, void *ctx)
{
    (void)ctx;
    return old * 3;
}

CL_TEST(atomic_update_stores_f_of_old)
{
    _Atomic(int64_t) *slot = cl_alloc(1, sizeof *slot);
    atomic_store(slot, 7);
    int64_t got = atomic_update(slot, times_three, NULL);
    cl_expect(got == 21 && atomic_load(slot) == 21,
              "atomic_update(7, x3) to store and return 21",
              "store f(old) and return it",
              "it returned %lld and the slot holds %lld (" EX ", atomic_update).", (long long)got,
              (long long)atomic_load(slot));
}
CL_END_TEST

/* ---- stats_record ------------------------------------------------------------------ */

enum { RECORDERS = 8, RECORDS_EACH = 5000 };
static stats *shared_stats;

static void record_many(int caller, void *arg)
{
    (void)arg;
    for (int i = 0; i < RECORDS_EACH; i++)
        stats_record(shared_stats, (int64_t)caller * RECORDS_EACH + i);
}

CL_TEST(stats_record_from_eight_goroutines_counts_every_request)
{
    shared_stats = cl_alloc(1, sizeof *shared_stats);
    cl_expect(cl_call_concurrently(RECORDERS, record_many, NULL), "all 8 recorders to return",
              "no waiting in stats_record", "some were still running (" EX ", stats_record).");
    int64_t want = (int64_t)RECORDERS * RECORDS_EACH;
    int64_t got = atomic_load(&shared_stats->requests);
    cl_expect(got == want, "8 x 5000 records to count 40000 requests",
              "atomic_fetch_add(&s->requests, 1) is one indivisible step; a load followed by a "
              "store lets another goroutine's increment fall between them",
              "requests is %lld: %lld increments were lost (" EX ", stats_record).",
              (long long)got, (long long)(want - got));
    int64_t max = atomic_load(&shared_stats->max_latency);
    cl_expect(max == want - 1, "the largest latency recorded (39999) as the maximum",
              "raise the maximum with atomic_update (a CAS loop): a check-then-store can "
              "overwrite a larger value stored in between",
              "max_latency is %lld (" EX ", stats_record).", (long long)max);
}
CL_END_TEST

/* ---- config_load / config_publish ------------------------------------------------ */

CL_TEST(config_load_returns_what_was_published)
{
    config_box *box = cl_alloc(1, sizeof *box);
    cl_expect(config_load(box) == NULL, "config_load to return NULL before any publish",
              "load the box's pointer", "it returned %p (" EX ", config_load).",
              (void *)config_load(box));
    config *a = cl_alloc(1, sizeof *a), *b = cl_alloc(1, sizeof *b);
    *a = (config){1, "one"};
    *b = (config){2, "two"};
    config_publish(box, a);
    const config *got_a = config_load(box);
    config_publish(box, b);
    const config *got_b = config_load(box);
    cl_expect(got_a == a && got_b == b, "each load to return the config published last",
              "config_publish stores the pointer, config_load loads it",
              "after publishing %p and %p, loads returned %p and %p (" EX ").", (void *)a,
              (void *)b, (void *)got_a, (void *)got_b);
}
CL_END_TEST

typedef struct publication {
    config_box *box;
    config *fresh;
    int seen_version;
    const char *seen_name;
} publication;

static void publisher(int caller, void *arg)
{
    publication *p = arg;
    if (caller == 0) {
        p->fresh->version = 42; /* plain writes, then the publish */
        p->fresh->name = "forty-two";
        config_publish(p->box, p->fresh);
        return;
    }
    /* The reader synchronises with the publisher through the box only:
     * nothing else orders the two goroutines. */
    const config *c;
    while ((c = config_load(p->box)) == NULL)
        goc_yield();
    p->seen_version = c->version;
    p->seen_name = c->name;
}

/* A publisher fills a config and publishes it; a reader that sees the
 * pointer reads the fields.  Only the box orders them: with a relaxed
 * store or load, the race pass reports the fields' race. */
CL_TEST(config_publish_makes_the_fields_visible)
{
    publication *p = cl_alloc(1, sizeof *p);
    p->box = cl_alloc(1, sizeof *p->box);
    p->fresh = cl_alloc(1, sizeof *p->fresh);
    cl_expect(cl_call_concurrently(2, publisher, p), "the publisher and the reader to return",
              "config_load returns the published pointer",
              "the reader never saw the config (" EX ", config_load).");
    cl_expect(p->seen_version == 42 && p->seen_name && strcmp(p->seen_name, "forty-two") == 0,
              "a reader that sees the new config to see its fields (version 42)",
              "publish with the default (seq_cst) atomic_store or memory_order_release, and load "
              "with atomic_load or memory_order_acquire; relaxed orders nothing but the pointer",
              "it saw version %d (" EX ", config_publish / config_load).", p->seen_version);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("10-atomics", atomic_update_retries_when_another_update_won,
                    atomic_update_stores_f_of_old,
                    stats_record_from_eight_goroutines_counts_every_request,
                    config_load_returns_what_was_published, config_publish_makes_the_fields_visible);
}
