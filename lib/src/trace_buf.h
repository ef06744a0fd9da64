/* The execution trace's raw events and per-thread buffers, shared by the
 * recorder (trace.c) and the writer (trace_write.c).
 *
 * Each thread appends to its own buffer, so recording takes no lock and
 * touches no line another CPU writes; only the owner writes a buffer, and
 * publishes each event with a release store of `count`.  The writer reads
 * up to the count it loaded (acquire): a thread still running at exit, or
 * frozen by a stop in the middle of an event, never shows it half written.
 * Memory comes from mmap, never malloc: a stop writes the trace while a
 * frozen thread may hold malloc's lock. */
#ifndef GOC_TRACE_BUF_H
#define GOC_TRACE_BUF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "goc/base.h"

typedef enum trace_kind {
    EV_CREATE,  /* g: parent (0: a timer), other: child, name: track name, site */
    EV_START,   /* g starts or resumes running */
    EV_BLOCK,   /* g parks: reason, site */
    EV_UNBLOCK, /* g: the waker (0: none known), other: the woken; timer: site */
    EV_END,     /* g returned */
    EV_SEND,    /* instants on g: chan, site */
    EV_RECV,
    EV_RECV_CLOSED,
    EV_CLOSE,
    EV_SELECT,  /* other: the case chosen (-1: default), site */
    EV_STOP,    /* g: the reporter; reason: STOP_PANIC or STOP_DEADLOCK (message: trace_meta) */
} trace_kind;

enum { STOP_PANIC = 0, STOP_DEADLOCK = 1 };
enum { UNBLOCK_PLAIN = 0, UNBLOCK_TIMER = 1 };

#define TRACE_NAME_MAX 40

typedef struct trace_ev {
    int64_t ts; /* trace_now() ticks */
    int64_t g;
    int64_t other;
    const char *file; /* the call site: string literals, alive for good */
    int32_t line;
    uint8_t kind;
    uint8_t reason; /* EV_BLOCK: sched_wait_reason; EV_UNBLOCK, EV_STOP: above */
    union {
        const void *chan;
        char name[TRACE_NAME_MAX];
    } u;
} trace_ev;

/* A buffer holds up to TRACE_CHUNK * TRACE_CHUNKS events (a million), in
 * chunks mapped as it fills; TRACE_MAX_CHUNKS bounds them all (2.6 million
 * events, 210 MB).  Past either bound events are dropped and counted
 * (otherData.dropped).  Small chunks: with a thread per goroutine, each
 * thread maps at least one. */
#define TRACE_CHUNK 512
#define TRACE_CHUNKS 2048
#define TRACE_MAX_CHUNKS 5120

typedef struct trace_buf {
    struct trace_buf *next; /* every buffer, never removed (a dead thread's events stay) */
    _Atomic(int) owned;     /* a thread appends here; released when it exits */
    _Atomic(uint64_t) gen;  /* the trace these events belong to (trace_gen) */
    _Atomic(size_t) count;
    size_t snap;            /* the writer's snapshot of count */
    trace_ev *chunk[TRACE_CHUNKS];
} trace_buf;

extern _Atomic(trace_buf *) trace_bufs;
extern _Atomic(uint64_t) trace_gen;

static inline const trace_ev *trace_buf_at(const trace_buf *b, size_t i)
{
    return &b->chunk[i / TRACE_CHUNK][i % TRACE_CHUNK];
}

/* What the writer needs besides the buffers. */
typedef struct trace_meta {
    int64_t t0, tend;   /* trace_now() ticks at start and at the end */
    double ns_per_tick; /* measured between the two */
    const char *end;    /* "exit", "panic", "deadlock", "stop" */
    const char *sched;  /* "thread" or "mn" */
    const char *message; /* a stop's "panic: ..." line, for its instant */
    uint64_t dropped;
} trace_meta;

/* Writes the JSON of every event of the current generation with
 * t0 <= ts <= tend to fd.  No malloc, no stdio: safe while stopping.
 * False if memory or the write failed. */
bool trace_write(int fd, const trace_meta *m);

#endif
