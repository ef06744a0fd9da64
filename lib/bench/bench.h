/* libgoc benchmarks: the shared harness.
 *
 * Each benchmark is a function that performs n operations and returns the
 * nanoseconds its measured part took (setup such as spawning watchers is
 * left out of the figure).  The harness grows n until a run lasts long
 * enough to trust, then prints one line per benchmark:
 *
 *   key <TAB> value <TAB> unit <TAB> description
 *
 * lib/bench/go prints the same keys, so lib/bench/table.sh can join them. */
#ifndef BENCH_H
#define BENCH_H

#include <goc.h>
#include <stdint.h>

typedef int64_t (*bench_fn)(long n);

typedef struct bench_case {
    const char *key;
    const char *label;
    bench_fn fn;
    double scale; /* ns per op is divided by this (1000: report microseconds) */
    const char *unit;
} bench_case;

/* Benchmarks by area; each file lists its cases in a table. */
extern const bench_case bench_chan_cases[];
extern const bench_case bench_sync_cases[];
extern const bench_case bench_ctx_cases[];
extern const bench_case bench_timer_cases[];

/* Times from here to bench_stop (monotonic ns). */
static inline int64_t bench_start(void) { return goc_now(); }
static inline int64_t bench_stop(int64_t start) { return goc_now() - start; }

/* A team of goroutines that start together: each waits at a start line,
 * runs work(team) and is counted out.  bench_parallel times from opening
 * the line to the last one finishing, so spawning is not measured. */
typedef struct bench_team {
    void (*work)(struct bench_team *t);
    long ops;     /* per worker */
    void *shared; /* the benchmark's own state */
    goc_chan *go;
    goc_waitgroup wg;
} bench_team;

int64_t bench_parallel(int workers, long ops_each, void (*work)(bench_team *t), void *shared);

/* The unbuffered ping-pong (bench_chan.c), for variants elsewhere. */
int64_t bench_pingpong(long n);

/* The goroutines-alive probe: prints its own lines. */
void bench_alive(long cap);

#endif
