/* Exercise 17 — pitfalls and debugging.
 *
 * A small log shipper, shipped BROKEN on purpose: each of the first four
 * GRADED functions has one planted concurrency bug (a goroutine leak, a
 * deadlock, a double close, a data race).  Find each one (run it, read
 * what libgoc prints, read the dump) and fix it with as small a change as
 * you can.  The fifth, group_dump, is new code: the tool that turns a dump
 * of hundreds of goroutines into a few lines you can read.
 *   chanlings run     builds this file and runs main below: as shipped it
 *                     ends in a panic or a deadlock report, with your lines
 *   chanlings check   runs the hidden tests (and again under
 *                     ThreadSanitizer and AddressSanitizer)
 * Every bug is made certain in the grader (it holds goroutines at chosen
 * points), so a fix that only makes the bug rarer still fails. */
#include <goc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- find_first: the first shard whose logs match ----------------------------- */

/* Does this shard's log hold what we look for?  Called once per shard,
 * each in its own goroutine; may be slow. */
typedef bool (*match_fn)(int shard, void *ctx);

typedef struct hunt hunt;
typedef struct search {
    hunt *h;
    int shard;
} search;

/* Shared by find_first and its searches; whoever lets go of it last frees
 * it, because find_first returns before the slow searches are done. */
struct hunt {
    goc_chan *answers; /* int: a matching shard, or -1 */
    match_fn matches;
    void *ctx;
    _Atomic(int) users; /* searches still running, plus find_first itself */
    search searches[];
};

static void hunt_let_go(hunt *h)
{
    if (atomic_fetch_sub(&h->users, 1) == 1) {
        goc_chan_free(h->answers);
        free(h);
    }
}

static void search_shard(void *arg)
{
    search *s = arg;
    hunt *h = s->h;
    int answer = h->matches(s->shard, h->ctx) ? s->shard : -1;
    goc_send(h->answers, &answer);
    hunt_let_go(h);
}

/* GRADED: find_first
 * Searches shards 0..n-1 at once (one goroutine each) and returns the first
 * shard that reported a match, as soon as it has one, without waiting for
 * slower searches; -1 when none of the n matches.  Every search goroutine
 * must still finish and exit afterwards (nothing left blocked), and the
 * hunt is freed by whoever is done with it last.
 * TODO: one planted bug.  Symptom: run main and read the leak report. */
int find_first(int n, match_fn matches, void *ctx)
{
    hunt *h = malloc(sizeof *h + (size_t)n * sizeof h->searches[0]);
    if (!h)
        goc_panic("find_first: out of memory");
    h->answers = goc_chan_make(int, 0);
    h->matches = matches;
    h->ctx = ctx;
    atomic_init(&h->users, n + 1);
    for (int i = 0; i < n; i++) {
        h->searches[i] = (search){h, i};
        goc_go(search_shard, &h->searches[i]);
    }
    int first = -1;
    for (int received = 0; received < n && first < 0; received++)
        goc_recv(h->answers, &first);
    hunt_let_go(h);
    return first;
}

/* ---- move_stats: two counters, two locks --------------------------------------- */

/* A counter of shipped (or pending, or failed) log lines. */
typedef struct stat_bucket {
    goc_mutex mu; /* guards count */
    int64_t count;
} stat_bucket;

/* GRADED: move_stats
 * Moves `count` from from->count to to->count (two different buckets),
 * holding both buckets' locks for the whole move, so nobody ever sees the
 * count in both buckets or in neither.  Called from many goroutines at
 * once, in both directions between the same two buckets.
 * TODO: one planted bug.  Symptom: main (usually) stops with a deadlock
 * report; read which line each waits at.  Keep both locks for the move. */
void move_stats(stat_bucket *from, stat_bucket *to, int64_t count)
{
    goc_mutex_lock(&from->mu);
    goc_mutex_lock(&to->mu);
    from->count -= count;
    to->count += count;
    goc_mutex_unlock(&to->mu);
    goc_mutex_unlock(&from->mu);
}

/* ---- run_and_stop: a crew of workers, stopped cleanly -------------------------- */

/* One job's work; called by a worker. */
typedef void (*job_fn)(int job, void *ctx);

typedef struct crew {
    goc_chan *jobs;        /* int, unbuffered: fed by run_and_stop */
    goc_chan *results;     /* int, room for every job: a worker never waits to report */
    goc_waitgroup working; /* workers that have not exited yet */
    job_fn fn;
    void *ctx;
} crew;

static void crew_worker(void *arg)
{
    crew *c = arg;
    goc_range(int, job, c->jobs) {
        c->fn(job, c->ctx);
        goc_send(c->results, &job);
    }
    goc_close(c->results); /* no more results from this worker */
    goc_wg_done(&c->working);
}

/* GRADED: run_and_stop
 * Runs fn(job, ctx) once for every job 0..jobs-1 on `workers` (>= 1)
 * worker goroutines that take jobs from one channel, and returns how many
 * results the workers reported (jobs, when all is well).  It returns only
 * after every job has finished and every worker has exited; it closes and
 * frees every channel it made.
 * TODO: one planted bug.  Symptom: a panic; results must still be closed once. */
int run_and_stop(int workers, int jobs, job_fn fn, void *ctx)
{
    crew c = {.fn = fn, .ctx = ctx};
    c.jobs = goc_chan_make(int, 0);
    c.results = goc_chan_make(int, jobs);
    goc_wg_add(&c.working, workers);
    for (int w = 0; w < workers; w++)
        goc_go(crew_worker, &c);
    for (int j = 0; j < jobs; j++)
        goc_send(c.jobs, &j);
    goc_close(c.jobs); /* no more jobs: each worker's range ends */
    goc_wg_wait(&c.working);
    int done = 0;
    goc_range(int, job, c.results) {
        (void)job;
        done++;
    }
    goc_chan_free(c.jobs);
    goc_chan_free(c.results);
    return done;
}

/* ---- serve_all: handlers counting what they served ----------------------------- */

/* Handles one request; called by a handler goroutine. */
typedef void (*handler_fn)(int request, void *ctx);

typedef struct server {
    goc_chan *requests; /* int, unbuffered */
    goc_waitgroup handling;
    goc_mutex mu;       /* guards served */
    int64_t served;
    handler_fn handle;
    void *ctx;
} server;

static void handler_main(void *arg)
{
    server *s = arg;
    goc_range(int, request, s->requests) {
        s->handle(request, s->ctx);
        s->served++;
    }
    goc_wg_done(&s->handling);
}

/* GRADED: serve_all
 * Serves requests 0..requests-1 with `handlers` (>= 1) goroutines at once,
 * each calling handle(request, ctx) for the requests it takes, and returns
 * how many requests were served (exactly `requests`).  Returns after every
 * handler has exited.
 * TODO: one planted bug.  Symptom: a count sometimes a little short; always
 * a race report from `chanlings check` (its race pass runs once all pass). */
int64_t serve_all(int requests, int handlers, handler_fn handle, void *ctx)
{
    server s = {.handle = handle, .ctx = ctx};
    s.requests = goc_chan_make(int, 0);
    goc_wg_add(&s.handling, handlers);
    for (int h = 0; h < handlers; h++)
        goc_go(handler_main, &s);
    for (int r = 0; r < requests; r++)
        goc_send(s.requests, &r);
    goc_close(s.requests);
    goc_wg_wait(&s.handling);
    goc_chan_free(s.requests);
    return s.served;
}

/* ---- group_dump: 500 goroutines, read as a handful of groups ------------------- */

typedef struct dump_group {
    char state[32];
    char site[160];
    int count;
} dump_group;

/* GRADED: group_dump
 * `dump` is the text goc_dump_goroutines writes: for each goroutine a
 * header line "goroutine <id> [<state>]:", then lines about where it is,
 * the first of them starting with a tab being its wait site ("\tfile:line",
 * or "\t(running outside a libgoc call)"), maybe more lines, then a blank
 * line.  Count the goroutines per (state, wait site): one dump_group each,
 * `state` the text between the brackets, `site` that first tab line
 * without its tab.  Write the groups to out, the largest count first
 * (equal counts in the order they first appear in the dump), and return
 * how many there are: 0 for an empty dump, -1 if there are more than
 * `max`.  `dump` is not changed.
 * TODO: write it (new code, nothing planted). */
int group_dump(const char *dump, dump_group *out, int max)
{
    (void)dump;
    (void)out;
    (void)max;
    return 0;
}

/* ---- the demo -------------------------------------------------------------------- */

enum { SHARDS = 16, REQUESTS = 20000, HANDLERS = 4, MOVES = 100000, JOBS = 12 };

static bool has_error_line(int shard, void *ctx)
{
    (void)ctx;
    return shard == 11;
}

static void handle_request(int request, void *ctx)
{
    (void)request;
    (void)ctx;
}

static stat_bucket shipped = {.count = MOVES}, pending = {.count = MOVES};
static goc_waitgroup movers;

static void ship_all(void *arg)
{
    (void)arg;
    for (int i = 0; i < MOVES; i++)
        move_stats(&pending, &shipped, 1);
    goc_wg_done(&movers);
}

static void unship_all(void *arg)
{
    (void)arg;
    for (int i = 0; i < MOVES; i++)
        move_stats(&shipped, &pending, 1);
    goc_wg_done(&movers);
}

static void ship_job(int job, void *ctx)
{
    (void)job;
    (void)ctx;
}

/* The pile-up the dump shows: stuck readers, and a few lockers. */
static goc_chan *backlog;
static goc_mutex config_lock;

static void stuck_reader(void *arg)
{
    (void)arg;
    goc_recv_discard(backlog);
}

static void stuck_locker(void *arg)
{
    (void)arg;
    goc_mutex_lock(&config_lock);
    goc_mutex_unlock(&config_lock);
}

int main(void)
{
    int64_t before = goc_last_id();
    int shard = find_first(SHARDS, has_error_line, NULL);
    printf("find_first: shard %d of %d holds the error line\n", shard, SHARDS);
    /* goc_leak_check: every goroutine started since `before` that is still
     * alive once the others have stopped, with where it waits. */
    fflush(stdout);
    int leaked = goc_leak_check(before, GOC_SECOND, stdout);
    printf("leak check after find_first: %d goroutines left behind\n", leaked);

    int64_t served = serve_all(REQUESTS, HANDLERS, handle_request, NULL);
    printf("serve_all: %lld of %d requests counted\n", (long long)served, REQUESTS);

    goc_wg_add(&movers, 2);
    goc_go(ship_all, NULL);
    goc_go(unship_all, NULL);
    goc_wg_wait(&movers);
    printf("move_stats: %d moves each way, total still %lld\n", MOVES,
           (long long)(shipped.count + pending.count));

    printf("run_and_stop: %d of %d jobs done\n", run_and_stop(3, JOBS, ship_job, NULL), JOBS);

    /* 40 readers wait on a channel nobody sends to, 3 lockers on a mutex
     * main holds: a small leak, read the way you would read 500. */
    backlog = goc_chan_make(int, 0);
    goc_mutex_lock(&config_lock);
    before = goc_last_id();
    for (int i = 0; i < 40; i++)
        goc_go(stuck_reader, NULL);
    for (int i = 0; i < 3; i++)
        goc_go(stuck_locker, NULL);
    goc_leak_check(before, GOC_SECOND, NULL); /* returns once all 43 are parked */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    goc_dump_goroutines(f);
    fclose(f);
    dump_group groups[16];
    int n = group_dump(text, groups, 16);
    printf("group_dump: %d groups\n", n);
    for (int g = 0; g < n && g < 3; g++)
        printf("  %3d  [%s]  %s\n", groups[g].count, groups[g].state, groups[g].site);
    free(text);
    goc_close(backlog);
    goc_mutex_unlock(&config_lock);
    goc_leak_check(before, GOC_SECOND, NULL);
    goc_chan_free(backlog);
    return 0;
}
