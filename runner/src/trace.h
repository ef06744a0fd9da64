/* chanlings — an execution trace as libgoc writes it (GOC_TRACE=FILE): the
 * Chrome Trace Event JSON of /work/TRACE-FORMAT.md, read into goroutines,
 * their state spans, the wake-ups between them and how the program ended.
 *
 * Only what the timeline draws is kept; unknown phases and fields are
 * skipped, so a newer libgoc's extras do not break an older runner.  A file
 * that is not that JSON (damaged, truncated, some other program's trace) is
 * refused with a message saying what is wrong and where, never a crash. */
#ifndef CL_TRACE_H
#define CL_TRACE_H

#include <stddef.h>

/* What a goroutine is doing during a span. */
typedef enum { CL_TRACE_RUNNING, CL_TRACE_RUNNABLE, CL_TRACE_BLOCKED } cl_trace_state;

typedef struct {
    double ts, dur;       /* microseconds from the trace's first event */
    cl_trace_state state;
    const char *reason;   /* blocked: Go's wait reason ("chan send"); else NULL */
    const char *site;     /* blocked: "exercises/03-x.c:42", or NULL */
} cl_trace_span;

/* Marks on a goroutine's track that the timeline shows. */
typedef enum { CL_TRACE_MARK_PANIC, CL_TRACE_MARK_DEADLOCK, CL_TRACE_MARK_END } cl_trace_mark_kind;

typedef struct {
    double ts;
    cl_trace_mark_kind kind;
    const char *site;    /* args.site, or NULL */
    const char *message; /* args.message ("panic: send on closed channel"), or NULL */
} cl_trace_mark;

typedef struct {
    long id;              /* goroutine id (1 = main) */
    const char *name;     /* "g7 fetcher 3"; "g7" when the file names none */
    long sort;            /* thread_sort_index, else id */
    cl_trace_span *spans; /* in time order */
    size_t nspans;
    cl_trace_mark *marks;
    size_t nmarks;
} cl_trace_g;

/* A wake-up: `from` did something (a send, close, unlock, Done) at
 * `from_ts` that made `to` runnable at `to_ts`. */
typedef struct {
    long from, to;
    double from_ts, to_ts;
} cl_trace_flow;

typedef struct cl_trace {
    cl_trace_g *gs;       /* sorted by (sort, id) */
    size_t ngs;
    cl_trace_flow *flows; /* both ends found */
    size_t nflows;
    double duration;      /* microseconds from the first event to the last */
    const char *end;      /* otherData.end: "exit", "panic", "deadlock", "stop"; "" unknown */
    const char *scheduler;/* otherData.scheduler: "thread", "mn"; "" unknown */
    long dropped;         /* otherData.dropped: events the recorder lost */
    void *pool_;          /* private: owns the strings */
} cl_trace;

/* Parses a trace held in memory.  Returns NULL with a message in err
 * (what is wrong, and the event's index when one event is) when it is not
 * a trace the timeline can draw. */
cl_trace *cl_trace_parse(const char *json, size_t len, char *err, size_t errsz);

/* Reads and parses the file at path (at most CL_TRACE_MAX_BYTES; a regular
 * file, never through a symlink: the program that wrote it is the
 * learner's).  NULL with a message naming the file in err. */
#define CL_TRACE_MAX_BYTES (64u << 20)
cl_trace *cl_trace_load(const char *path, char *err, size_t errsz);

void cl_trace_free(cl_trace *t);

/* Where `chanlings trace` keeps the last trace of an exercise:
 * <root>/.chanlings/traces/<slug>.json (malloc'd; NULL when out of memory). */
char *cl_trace_path(const char *root, const char *slug);

#endif
