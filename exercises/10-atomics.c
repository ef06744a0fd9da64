/* Exercise 10 — atomic operations.
 *
 * Fill in the four functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below (main ends with
 *                     a measured mutex-vs-atomic demo; it is not graded)
 *   chanlings check   runs the hidden tests against them (and again under
 *                     ThreadSanitizer)
 * As given, atomic_update reads and then writes in two steps, stats_record
 * counts with a load and a store, and the config box uses relaxed order:
 * every single operation is atomic, and the program is still wrong. */
#include <goc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

/* ---- a compare-and-swap loop ------------------------------------------------------- */

/* GRADED: atomic_update
 * Replaces *slot with f(old, ctx), where old is the value *slot held, as
 * one indivisible step: if another goroutine changes *slot between the
 * read and the write, f is called again with the new value.  Returns the
 * value it stored.  f may be called more than once; it must not have
 * side effects that matter (the grader counts its calls). */
int64_t atomic_update(_Atomic(int64_t) *slot, int64_t (*f)(int64_t old, void *ctx), void *ctx)
{
    /* TODO: a read and a separate write lose updates made in between.
     * Store f(old) only over an unchanged old: atomic_compare_exchange_weak,
     * in a loop. */
    int64_t old = atomic_load(slot);
    int64_t fresh = f(old, ctx);
    atomic_store(slot, fresh);
    return fresh;
}

/* ---- counters ------------------------------------------------------------------------ */

typedef struct stats {
    _Atomic(int64_t) requests;
    _Atomic(int64_t) max_latency;
} stats;

static int64_t max_of(int64_t old, void *ctx)
{
    int64_t latency = *(int64_t *)ctx;
    return latency > old ? latency : old;
}

/* GRADED: stats_record
 * Counts one request and raises s->max_latency to `latency` if it is
 * larger.  Called from many goroutines at once. */
void stats_record(stats *s, int64_t latency)
{
    /* TODO: count in one indivisible step. */
    atomic_store(&s->requests, atomic_load(&s->requests) + 1);
    /* There is no atomic "max" in C11 (nor in Go): a CAS loop builds one. */
    atomic_update(&s->max_latency, max_of, &latency);
}

/* ---- publishing a configuration ----------------------------------------------------- */

typedef struct config {
    int version;
    const char *name;
} config;

/* Configs are never freed in this exercise: a reader may still hold the
 * old pointer after a publish, and deciding when nobody does is a problem
 * of its own (reference counting, epochs, hazard pointers) that Go leaves
 * to its garbage collector. */
typedef struct config_box {
    const config *_Atomic current;
} config_box;

/* GRADED: config_load
 * Returns the config last published in b (NULL before the first), such
 * that the caller may read its fields: everything the publisher wrote
 * into it before config_publish is visible. */
const config *config_load(config_box *b)
{
    /* TODO: relaxed orders nothing: the caller may not see the fields. */
    return atomic_load_explicit(&b->current, memory_order_relaxed);
}

/* GRADED: config_publish
 * Makes `fresh` (fully filled in by the caller) the current config. */
void config_publish(config_box *b, const config *fresh)
{
    /* TODO: relaxed publishes the pointer, not what it points to. */
    atomic_store_explicit(&b->current, fresh, memory_order_relaxed);
}

/* ---- the demo: a mutex and an atomic counter, measured ------------------------------- */

enum { INCREMENTS = 200000 };

typedef struct bench {
    goc_mutex mu;
    int64_t locked_count;
    _Atomic(int64_t) atomic_count;
    bool use_atomic;
    goc_waitgroup done;
} bench;

static void count_up(void *arg)
{
    bench *b = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        if (b->use_atomic) {
            atomic_fetch_add(&b->atomic_count, 1);
        } else {
            goc_mutex_lock(&b->mu);
            b->locked_count++;
            goc_mutex_unlock(&b->mu);
        }
    }
    goc_wg_done(&b->done);
}

/* Nanoseconds per increment with `workers` goroutines hammering one counter. */
static double ns_per_op(int workers, bool use_atomic)
{
    static bench b;
    b = (bench){.use_atomic = use_atomic};
    goc_time start = goc_now();
    goc_wg_add(&b.done, workers);
    for (int i = 0; i < workers; i++)
        goc_go(count_up, &b);
    goc_wg_wait(&b.done);
    double ns = (double)goc_since(start);
    int64_t total = use_atomic ? atomic_load(&b.atomic_count) : b.locked_count;
    if (total != (int64_t)workers * INCREMENTS)
        printf("lost increments: %lld\n", (long long)total);
    return ns / ((double)workers * INCREMENTS);
}

static int64_t add_ten(int64_t old, void *ctx)
{
    (void)ctx;
    return old + 10;
}

int main(void)
{
    _Atomic(int64_t) slot = 5;
    printf("atomic_update(5, +10) stored %lld\n", (long long)atomic_update(&slot, add_ten, NULL));

    static stats s;
    int64_t latencies[] = {12, 40, 7, 33};
    for (int i = 0; i < 4; i++)
        stats_record(&s, latencies[i]);
    printf("stats: %lld requests, max latency %lld\n", (long long)atomic_load(&s.requests),
           (long long)atomic_load(&s.max_latency));

    static config_box box;
    static config v2 = {2, "blue"};
    config_publish(&box, &v2);
    const config *c = config_load(&box);
    printf("config: version %d, %s\n", c ? c->version : -1, c ? c->name : "none");

    printf("ns per increment of one shared counter (measured, varies by machine):\n");
    for (int workers = 1; workers <= 4; workers *= 2)
        printf("  %d goroutine(s): mutex %6.1f   atomic %6.1f\n", workers,
               ns_per_op(workers, false), ns_per_op(workers, true));
    return 0;
}
