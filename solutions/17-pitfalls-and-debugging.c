/* Exercise 17 — pitfalls and debugging: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include \
 *      solutions/17-pitfalls-and-debugging.c build/lib/plain/libgoc.a && ./a.out */
#include <goc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- find_first: the first shard whose logs match ----------------------------- */

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

/* GRADED: find_first */
int find_first(int n, match_fn matches, void *ctx)
{
    hunt *h = malloc(sizeof *h + (size_t)n * sizeof h->searches[0]);
    if (!h)
        goc_panic("find_first: out of memory");
    /* Room for every answer: once find_first has its match it stops
     * receiving, and a search that finishes later must still be able to
     * send and exit.  With no buffer those searches wait for a receiver
     * that never comes: a goroutine leak. */
    h->answers = goc_chan_make(int, n);
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

typedef struct stat_bucket {
    goc_mutex mu; /* guards count */
    int64_t count;
} stat_bucket;

/* GRADED: move_stats */
void move_stats(stat_bucket *from, stat_bucket *to, int64_t count)
{
    /* One order for every caller, whichever way the count moves: the lower
     * address first.  Two moves in opposite directions then queue on the
     * same first lock, and nobody holds one lock while waiting for the
     * other's (the cycle a deadlock needs). */
    stat_bucket *first = (uintptr_t)from < (uintptr_t)to ? from : to;
    stat_bucket *second = first == from ? to : from;
    goc_mutex_lock(&first->mu);
    goc_mutex_lock(&second->mu);
    from->count -= count;
    to->count += count;
    goc_mutex_unlock(&second->mu);
    goc_mutex_unlock(&first->mu);
}

/* ---- run_and_stop: a crew of workers, stopped cleanly -------------------------- */

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
    /* A worker never closes results: it is not the only sender, so a close
     * here would end the others' sends with a panic. */
    goc_wg_done(&c->working);
}

/* GRADED: run_and_stop */
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
    /* results is closed once, by its owner, after every sender is gone. */
    goc_wg_wait(&c.working);
    goc_close(c.results);
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
        /* served++ is a read, an add and a write: two handlers at once lose
         * counts, and in C the race alone is undefined behaviour.  volatile
         * would change neither. */
        goc_mutex_lock(&s->mu);
        s->served++;
        goc_mutex_unlock(&s->mu);
    }
    goc_wg_done(&s->handling);
}

/* GRADED: serve_all */
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
    goc_wg_wait(&s.handling); /* every handler's last served++ happens before this returns */
    goc_chan_free(s.requests);
    return s.served;
}

/* ---- group_dump: 500 goroutines, read as a handful of groups ------------------- */

typedef struct dump_group {
    char state[32];
    char site[160];
    int count;
} dump_group;

/* Copies the line [p, end) into dst (at most size-1 bytes, always ended). */
static void copy_text(char *dst, size_t size, const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= size)
        n = size - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

/* The end of the line that starts at p (its '\n', or the final '\0'). */
static const char *line_end(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl : p + strlen(p);
}

/* Adds one goroutine to its group: the same state and the same wait site. */
static int count_in(dump_group *out, int groups, int max, const char *state, const char *site)
{
    for (int g = 0; g < groups; g++)
        if (strcmp(out[g].state, state) == 0 && strcmp(out[g].site, site) == 0) {
            out[g].count++;
            return groups;
        }
    if (groups == max)
        return -1;
    dump_group *g = &out[groups];
    snprintf(g->state, sizeof g->state, "%s", state);
    snprintf(g->site, sizeof g->site, "%s", site);
    g->count = 1;
    return groups + 1;
}

/* GRADED: group_dump */
int group_dump(const char *dump, dump_group *out, int max)
{
    int groups = 0;
    char state[sizeof out->state] = "";
    bool want_site = false; /* after a header, until its first tab-indented line */
    for (const char *p = dump; *p;) {
        const char *end = line_end(p);
        const char *open = memchr(p, '[', (size_t)(end - p));
        const char *close = open ? memchr(open, ']', (size_t)(end - open)) : NULL;
        if (strncmp(p, "goroutine ", 10) == 0 && close) {
            /* The id between "goroutine " and '[' is left out on purpose:
             * every goroutine has its own, and a key holding it makes 500
             * groups of one. */
            copy_text(state, sizeof state, open + 1, close);
            want_site = true;
        } else if (want_site && *p == '\t') {
            /* The first tab line is where the goroutine waits; a later one
             * (under "created by") is where it was started, which many
             * goroutines stuck in many places share. */
            char site[sizeof out->site];
            copy_text(site, sizeof site, p + 1, end);
            groups = count_in(out, groups, max, state, site);
            if (groups < 0)
                return -1;
            want_site = false;
        }
        p = *end ? end + 1 : end;
    }
    /* Largest first; a stable insertion sort keeps equal counts in the
     * order the dump showed them. */
    for (int i = 1; i < groups; i++) {
        dump_group g = out[i];
        int j = i;
        for (; j > 0 && out[j - 1].count < g.count; j--)
            out[j] = out[j - 1];
        out[j] = g;
    }
    return groups;
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
