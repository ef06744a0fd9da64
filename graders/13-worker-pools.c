/* Grader for exercise 13 — worker pools.
 *
 * A pool's promises are counts, so every check holds jobs on gates, waits
 * until nothing moves (cl_settle) and counts: how many goroutines
 * pool_start made, how many jobs are inside fn at once, how many submits
 * went through before the queue was full, which jobs ran while one was
 * held.  No sleeps, no timing: scalability is taught in the quiz. */
#include "grader.h"

typedef void (*job_fn)(int job, void *ctx);
typedef struct pool pool;
pool *pool_start(int workers, int queue, job_fn fn, void *ctx);
bool pool_submit(pool *p, int job);
void pool_shutdown(pool *p);
void pool_free(pool *p);
void pool_map(int workers, const int *in, int *out, int n, int (*f)(int, void *), void *ctx);

#define EX "exercises/13-worker-pools.c"
#define MAX_JOBS 32

static const char ONE_QUEUE[] =
    "start the workers once, in pool_start (goc_go or goc_wg_go, `workers` times); each one "
    "ranges over the one shared jobs channel, and pool_submit only sends on it";

/* The leak check with this exercise's revisit line and goc_leak_check's
 * dump of where the leaked goroutines wait (as in graders 04-06). */
static void expect_no_leaks_after(const char *call, const char *revisit)
{
    const char *report;
    int leaked = cl_leaked(&report);
    if (leaked == 0)
        return;
    ck_abort_msg("expected: every worker to exit once the pool is shut down\n"
                 "happened: leaked goroutines: %d still blocked after %s returned (" EX ")\n"
                 "revisit:  %s\n%s",
                 leaked, call, revisit, report);
}

/* pool_shutdown did not return: say so, and show where every goroutine
 * waits (the workers still in goc_range name the missing close). */
static void expect_shutdown_returned(cl_call *c, const char *after)
{
    if (cl_call_await(c, 5))
        return;
    static char dump[8192];
    cl_dump(dump, sizeof dump);
    ck_abort_msg("expected: pool_shutdown to return once every job was done\n"
                 "happened: pool_shutdown never returned after %s (" EX ")\n"
                 "revisit:  close the jobs channel (once, under the mutex) so each worker's "
                 "goc_range ends, then goc_wg_wait for the workers. Where each goroutine "
                 "waits:\n%s",
                 after, dump);
}

/* ---- a job function that counts, and can hold ------------------------------ */

typedef struct job_probe {
    _Atomic(int) runs[MAX_JOBS]; /* how often each job number ran */
    _Atomic(int) running;        /* inside fn right now */
    _Atomic(int) total;
    int held_job;                /* -1: hold every job; else only this one */
    bool hold;
    int barrier_n;               /* the first barrier_n jobs meet here first */
    cl_barrier barrier;
    cl_gate gate;
    cl_latch others;             /* counted down by every job that is not held */
} job_probe;

static void probe_init(job_probe *p, bool hold, int held_job, int barrier_n, int others)
{
    memset(p, 0, sizeof *p);
    p->hold = hold;
    p->held_job = held_job;
    p->barrier_n = barrier_n;
    cl_barrier_init(&p->barrier, barrier_n > 0 ? barrier_n : 1);
    cl_gate_init(&p->gate);
    cl_latch_init(&p->others, others > 0 ? others : 1);
}

static void probe_job(int job, void *ctx)
{
    job_probe *p = ctx;
    atomic_fetch_add(&p->running, 1);
    if (job >= 0 && job < MAX_JOBS)
        atomic_fetch_add(&p->runs[job], 1);
    if (job < p->barrier_n)
        cl_barrier_arrive_and_wait(&p->barrier);
    bool held = p->hold && (p->held_job < 0 || p->held_job == job);
    if (held)
        cl_gate_pass(&p->gate);
    atomic_fetch_sub(&p->running, 1);
    atomic_fetch_add(&p->total, 1);
    if (!held)
        cl_latch_count_down(&p->others);
}

/* Each job 0..n-1 ran exactly once. */
static void expect_each_job_once(job_probe *p, int n, const char *call)
{
    for (int j = 0; j < n; j++) {
        int r = atomic_load(&p->runs[j]);
        cl_expect(r == 1, "every accepted job to run exactly once",
                  "a queued job stays in the channel after goc_close: let the workers range "
                  "over it until it is drained, and wait for them in pool_shutdown",
                  "after %s, job %d ran %d times; %d jobs ran in all (" EX ").", call, j, r,
                  atomic_load(&p->total));
    }
}

/* ---- calls in their own goroutines ------------------------------------------ */

typedef struct submitter {
    pool *p;
    int from, to;            /* submits jobs from..to-1 */
    _Atomic(int) returned;   /* how many of those submits returned */
    _Atomic(int) accepted;
    _Atomic(int) last_ok;    /* what the last submit returned */
} submitter;

static void call_submit(void *arg)
{
    submitter *s = arg;
    for (int j = s->from; j < s->to; j++) {
        bool ok = pool_submit(s->p, j);
        atomic_store(&s->last_ok, ok);
        atomic_fetch_add(&s->accepted, ok);
        atomic_fetch_add(&s->returned, 1);
    }
}

static void call_shutdown(void *arg) { pool_shutdown(arg); }

static void submit_in_call(cl_call *c, submitter *s, pool *p, int from, int to)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->from = from;
    s->to = to;
    cl_spawn_call(c, call_submit, s);
}

static void shut_down_and_free(pool *p, job_probe *probe, const char *call)
{
    cl_gate_open(&probe->gate);
    cl_call c;
    cl_spawn_call(&c, call_shutdown, p);
    expect_shutdown_returned(&c, call);
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_free(p);
}

/* ---- the tests ------------------------------------------------------------------ */

/* pool_start makes exactly 4 goroutines; with every job held and 20
 * submitted, exactly 4 are inside fn, and the first 4 meet at a barrier
 * of 4 (so they really run at the same time). */
CL_TEST(pool_runs_exactly_workers_jobs_at_once)
{
    enum { W = 4, N = 20 };
    static job_probe probe;
    probe_init(&probe, true, -1, W, 0);
    int64_t mark = cl_spawn_mark();
    pool *p = pool_start(W, 8, probe_job, &probe);
    int spawned = cl_spawned_since(mark);
    cl_expect(p != NULL, "pool_start to return the pool", "calloc the pool and return it",
              "pool_start returned NULL (" EX ").");
    cl_expect(spawned == W, "pool_start(4, ...) to start exactly 4 goroutines", ONE_QUEUE,
              "it started %d (" EX ", pool_start).", spawned);
    static submitter s;
    cl_call c;
    submit_in_call(&c, &s, p, 0, N);
    cl_settle();
    int running = atomic_load(&probe.running);
    bool met = cl_latch_is_open(&probe.barrier);
    int submitted = atomic_load(&s.returned);
    cl_gate_open(&probe.gate);
    cl_expect(running <= W, "at most 4 jobs inside fn at once with a pool of 4", ONE_QUEUE,
              "%d jobs ran at once with a pool of 4 (" EX ", pool_submit).", running);
    cl_expect(met && running == W, "4 jobs inside fn at once, meeting at a barrier of 4",
              ONE_QUEUE,
              "only %d job%s ran while the grader held them, and the barrier of 4 %s; %d "
              "submits had returned (" EX ").",
              running, running == 1 ? "" : "s", met ? "opened" : "never opened", submitted);
    cl_expect(cl_call_await(&c, 5), "every submit to return once the jobs were released",
              "pool_submit blocks only while the queue is full",
              "the submitter was still blocked after %d of %d submits (" EX ", pool_submit).",
              atomic_load(&s.returned), N);
    shut_down_and_free(p, &probe, "20 jobs");
    expect_each_job_once(&probe, N, "pool_shutdown");
}
CL_END_TEST

/* Job 0 is held for good; jobs 1..15 are quick.  With one shared queue the
 * 3 free workers run all 15; handing jobs out in turns (job i to worker
 * i % 4) strands 4, 8 and 12 behind job 0. */
CL_TEST(pool_keeps_free_workers_busy_while_one_job_is_slow)
{
    enum { W = 4, N = 16 };
    static job_probe probe;
    probe_init(&probe, true, 0, 0, N - 1);
    pool *p = pool_start(W, N, probe_job, &probe);
    static submitter s;
    cl_call c;
    submit_in_call(&c, &s, p, 0, N);
    cl_settle();
    char stranded[256] = "";
    int n_stranded = 0;
    for (int j = 1; j < N; j++)
        if (atomic_load(&probe.runs[j]) == 0) {
            size_t len = strlen(stranded);
            snprintf(stranded + len, sizeof stranded - len, "%s%d", n_stranded ? ", " : "", j);
            n_stranded++;
        }
    cl_gate_open(&probe.gate);
    cl_expect(n_stranded == 0, "jobs 1-15 to run on the 3 free workers while job 0 was held",
              "hand out jobs from one shared channel: whichever worker is free takes the next "
              "job. A queue per worker (or jobs dealt out in turns) strands the jobs behind a "
              "slow one",
              "job%s %s never ran while job 0 was held and 3 workers were idle (" EX ").",
              n_stranded == 1 ? "" : "s", stranded);
    cl_expect(cl_call_await(&c, 5), "every submit to return", "pool_submit only sends",
              "the submitter was still blocked (" EX ", pool_submit).");
    shut_down_and_free(p, &probe, "16 jobs");
    expect_each_job_once(&probe, N, "pool_shutdown");
}
CL_END_TEST

/* One worker held on job 0 and a queue of 2: submits 0, 1 and 2 return,
 * submit 3 waits for room.  That wait is the back-pressure. */
CL_TEST(pool_submit_blocks_while_the_queue_is_full)
{
    static job_probe probe;
    probe_init(&probe, true, 0, 0, 3);
    pool *p = pool_start(1, 2, probe_job, &probe);
    static submitter s;
    cl_call c;
    submit_in_call(&c, &s, p, 0, 4);
    cl_settle();
    int returned = atomic_load(&s.returned);
    cl_expect(returned >= 3,
              "submits 0, 1 and 2 to return (job 0 in the worker, 1 and 2 in the queue of 2)",
              "the jobs channel has capacity `queue`: goc_chan_make(int, queue)",
              "only %d submit%s returned while the worker held job 0 (" EX ", pool_start).",
              returned, returned == 1 ? "" : "s");
    cl_expect(returned == 3, "submit 3 to wait: 1 worker busy, queue of 2 full",
              "a bounded queue is back-pressure: the jobs channel has exactly `queue` places "
              "and pool_submit sends on it (no extra goroutine, no bigger buffer)",
              "all 4 submits returned with the worker held and a queue of 2 (" EX
              ", pool_submit).");
    cl_gate_open(&probe.gate);
    cl_expect(cl_call_await(&c, 5), "submit 3 to return once the worker took a job",
              "the send completes when a worker makes room", "it never returned (" EX ").");
    shut_down_and_free(p, &probe, "4 jobs");
    expect_each_job_once(&probe, 4, "pool_shutdown");
}
CL_END_TEST

/* 10 jobs accepted, the worker held on job 0: pool_shutdown must not
 * return until it is released, and then all 10 have run. */
CL_TEST(pool_shutdown_runs_queued_jobs_and_waits)
{
    static job_probe probe;
    probe_init(&probe, true, 0, 0, 9);
    pool *p = pool_start(1, 10, probe_job, &probe);
    static submitter s;
    cl_call c;
    submit_in_call(&c, &s, p, 0, 10);
    cl_expect(cl_call_await(&c, 5), "10 submits to a queue of 10 to return",
              "pool_submit sends on a channel of capacity `queue`",
              "the submitter was blocked after %d of 10 submits (" EX ", pool_submit).",
              atomic_load(&s.returned));
    cl_settle(); /* the worker is inside job 0 before shutdown starts */
    cl_expect(atomic_load(&probe.running) == 1, "the worker to be running job 0",
              "a worker takes jobs from the queue as soon as they are submitted",
              "%d jobs were running after 10 submits (" EX ").", atomic_load(&probe.running));
    cl_call sd;
    cl_spawn_call(&sd, call_shutdown, p);
    cl_settle();
    bool early = cl_call_returned(&sd);
    int ran = atomic_load(&probe.total);
    cl_gate_open(&probe.gate);
    cl_expect(!early, "pool_shutdown to wait while job 0 was still running",
              "after closing the queue, goc_wg_wait for every worker: returning at once "
              "leaves jobs running with nobody waiting for them",
              "pool_shutdown returned while job 0 was held and %d jobs had finished (" EX ").",
              ran);
    expect_shutdown_returned(&sd, "job 0 was released");
    int total = atomic_load(&probe.total);
    cl_expect(total == 10, "all 10 accepted jobs to run before pool_shutdown returned",
              "graceful shutdown: close the queue and let the workers drain it; never drop "
              "what pool_submit accepted",
              "only %d of 10 queued jobs ran (" EX ", pool_shutdown).", total);
    expect_each_job_once(&probe, 10, "pool_shutdown");
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_shutdown(p); /* a second call is harmless */
    pool_free(p);
}
CL_END_TEST

/* After pool_shutdown, pool_submit says no (and never panics); a submit
 * blocked on a full queue while pool_shutdown starts either gets its job
 * run (true) or is refused (false), never both, never a panic. */
CL_TEST(pool_submit_during_and_after_shutdown_never_panics)
{
    static job_probe probe;
    probe_init(&probe, true, 0, 0, 2);
    pool *p = pool_start(1, 1, probe_job, &probe);
    static submitter s, late;
    cl_call c, sd, cl;
    submit_in_call(&c, &s, p, 0, 3); /* job 0 held, 1 queued, 2 blocked */
    cl_settle();
    cl_spawn_call(&sd, call_shutdown, p);
    cl_settle();
    cl_gate_open(&probe.gate);
    cl_expect(cl_call_await(&c, 5), "a submit blocked on a full queue to return once the worker made room",
              "pool_submit checks `closed` and sends under the pool's mutex, so shutdown "
              "cannot close the channel under a waiting sender",
              "pool_submit never returned (" EX ").");
    /* The submit is back: a shutdown still waiting now waits for its workers,
     * and the dump shows where (a missing close leaves them in goc_range). */
    expect_shutdown_returned(&sd, "a submit it raced with had returned");
    bool ok2 = atomic_load(&s.last_ok);
    int ran2 = atomic_load(&probe.runs[2]);
    cl_expect(ok2 == (ran2 == 1), "job 2 to run exactly when pool_submit returned true",
              "true means accepted, and accepted jobs run; false means not run",
              "pool_submit(2) returned %s and job 2 ran %d times (" EX ").",
              ok2 ? "true" : "false", ran2);
    submit_in_call(&cl, &late, p, 7, 8);
    cl_expect(cl_call_await(&cl, 5), "pool_submit after pool_shutdown to return",
              "check a closed flag under the pool's mutex and return false",
              "it never returned (" EX ", pool_submit).");
    cl_expect(atomic_load(&late.accepted) == 0 && atomic_load(&probe.runs[7]) == 0,
              "pool_submit after pool_shutdown to return false and run nothing",
              "check a closed flag under the pool's mutex before sending",
              "it returned %s and job 7 ran %d times (" EX ", pool_submit).",
              atomic_load(&late.accepted) ? "true" : "false", atomic_load(&probe.runs[7]));
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_free(p);
}
CL_END_TEST

/* Submits until refused while pool_shutdown runs beside it: the locked
 * check-and-send gives every job a clear fate.  A `closed` read outside
 * the mutex often meets shutdown's write unordered here too, but not in
 * every run (the next test makes sure of it). */
typedef struct until_refused {
    pool *p;
    _Atomic(int) accepted;
    _Atomic(int) refused; /* 1 once a submit returned false */
} until_refused;

enum { RACE_SUBMITS = 200000 }; /* a bound for a shutdown that never happens */

static void call_submit_until_refused(void *arg)
{
    until_refused *u = arg;
    for (int j = 0; j < RACE_SUBMITS; j++) {
        if (!pool_submit(u->p, MAX_JOBS + j)) { /* above MAX_JOBS: counted in total only */
            atomic_store(&u->refused, 1);
            return;
        }
        atomic_fetch_add(&u->accepted, 1);
        goc_yield(); /* room for pool_shutdown to take the mutex */
    }
}

CL_TEST(pool_submit_racing_shutdown_is_accepted_or_refused_cleanly)
{
    static job_probe probe;
    probe_init(&probe, false, -1, 0, 0);
    pool *p = pool_start(2, 2, probe_job, &probe);
    static until_refused u;
    memset(&u, 0, sizeof u);
    u.p = p;
    cl_call c, sd;
    cl_spawn_call(&c, call_submit_until_refused, &u);
    cl_spawn_call(&sd, call_shutdown, p);
    cl_expect(cl_call_await(&c, 10), "the submitter to return once pool_shutdown had begun",
              "pool_submit returns false once shutdown has begun; it never waits on a "
              "closed pool",
              "pool_submit never returned after %d accepted jobs (" EX ", pool_submit).",
              atomic_load(&u.accepted));
    expect_shutdown_returned(&sd, "racing a submitter");
    cl_expect(atomic_load(&u.refused) == 1,
              "pool_submit to return false once pool_shutdown had run",
              "check `closed` under the pool's mutex in every pool_submit",
              "%d submits in a row were accepted while pool_shutdown ran beside them (" EX
              ", pool_submit).",
              atomic_load(&u.accepted));
    int ran = atomic_load(&probe.total), accepted = atomic_load(&u.accepted);
    cl_expect(ran == accepted, "every accepted job to run, and no refused one",
              "true means the job was sent and will run; false means it was not sent",
              "pool_submit accepted %d jobs and %d ran (" EX ", pool_submit).", accepted, ran);
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_free(p);
}
CL_END_TEST

/* A submit that comes after pool_shutdown in real time, ordered after it by
 * nothing but the pool's mutex: the submitter starts before the shutdown
 * and waits quietly (cl_quiet, which the race pass does not count as an
 * order).  A look at `closed` outside the mutex is then unordered with
 * shutdown's write in every run; in the racing test above, libgoc's own
 * wake-ups order the two about one run in ten. */
typedef struct quiet_submit {
    pool *p;
    cl_quiet go;
    _Atomic(int) accepted;
} quiet_submit;

static void call_submit_when_told(void *arg)
{
    quiet_submit *q = arg;
    cl_quiet_wait(&q->go);
    atomic_store(&q->accepted, pool_submit(q->p, 5));
}

static void call_shutdown_then_tell(void *arg)
{
    quiet_submit *q = arg;
    pool_shutdown(q->p);
    cl_quiet_signal(&q->go);
}

/* A pool of 2 and two calls on it: `after` (spawned first) waits quietly
 * until `shutdown`, a pool_shutdown, has returned. */
static pool *start_quiet_pair(job_probe *probe, quiet_submit *q, cl_call *after,
                              void (*after_fn)(void *), cl_call *shutdown)
{
    probe_init(probe, false, -1, 0, 0);
    pool *p = pool_start(2, 2, probe_job, probe);
    memset(q, 0, sizeof *q);
    q->p = p;
    cl_spawn_call(after, after_fn, q);
    cl_spawn_call(shutdown, call_shutdown_then_tell, q);
    return p;
}

CL_TEST(pool_submit_reads_closed_only_under_the_mutex)
{
    static job_probe probe;
    static quiet_submit q;
    cl_call c, sd;
    pool *p = start_quiet_pair(&probe, &q, &c, call_submit_when_told, &sd);
    bool back = cl_call_await(&c, 5);
    if (!back)
        cl_quiet_signal(&q.go); /* never leave it spinning */
    /* also what orders pool_free below after the workers' last Done */
    expect_shutdown_returned(&sd, "no job was submitted");
    cl_expect(back || cl_call_await(&c, 5), "pool_submit after pool_shutdown to return",
              "check `closed` under the pool's mutex and return false",
              "it never returned (" EX ", pool_submit).");
    cl_expect(atomic_load(&q.accepted) == 0 && atomic_load(&probe.runs[5]) == 0,
              "pool_submit after pool_shutdown to return false and run nothing",
              "check `closed` under the pool's mutex before sending",
              "it returned %s and job 5 ran %d times (" EX ", pool_submit).",
              atomic_load(&q.accepted) ? "true" : "false", atomic_load(&probe.runs[5]));
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_free(p);
}
CL_END_TEST

/* The same for a second pool_shutdown ("calling it twice is harmless"):
 * it starts before the first and waits quietly until the first has
 * returned, so a look at `closed` outside the mutex (a "fast path" that
 * skips the lock once the pool is closed) is unordered with the first
 * one's write.  Run at the same moment, two such shutdowns can both see
 * `false` and close the channel twice; the race pass catches the look
 * every time, the close only now and then. */
static void call_shutdown_when_told(void *arg)
{
    quiet_submit *q = arg;
    cl_quiet_wait(&q->go);
    pool_shutdown(q->p);
}

CL_TEST(pool_shutdown_reads_closed_only_under_the_mutex)
{
    static job_probe probe;
    static quiet_submit q;
    cl_call second, first;
    pool *p = start_quiet_pair(&probe, &q, &second, call_shutdown_when_told, &first);
    expect_shutdown_returned(&first, "no job was submitted");
    cl_expect(cl_call_await(&second, 5), "a second pool_shutdown, after the first, to return",
              "look at `closed` under the pool's mutex, and close the jobs channel only the "
              "first time",
              "it never returned (" EX ", pool_shutdown).");
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_free(p);
}
CL_END_TEST

/* Every goc_wg_add made from the exercise waits until everything else has
 * stopped (a schedule point).  A WaitGroup counted by pool_start, before
 * the workers exist, is unaffected; a worker that counts itself (goc_wg_add
 * at the top of worker_main) always comes too late: pool_shutdown's wait
 * sees zero and returns while the workers have not started, and pool_free
 * would free the pool under them. */
typedef struct start_stop {
    pool *p;
    job_probe *probe;
} start_stop;

static void call_start_and_shutdown(void *arg)
{
    start_stop *s = arg;
    s->p = pool_start(3, 2, probe_job, s->probe);
    pool_shutdown(s->p);
}

CL_TEST(pool_counts_its_workers_before_they_start)
{
    static job_probe probe;
    probe_init(&probe, false, -1, 0, 0);
    static start_stop s;
    s = (start_stop){NULL, &probe};
    cl_call c;
    cl_point_hold_every(CL_BEFORE_WG_ADD);
    cl_spawn_call(&c, call_start_and_shutdown, &s);
    cl_point_drive(CL_BEFORE_WG_ADD, &c);
    int uncounted = cl_point_waiting(CL_BEFORE_WG_ADD);
    bool returned = cl_call_returned(&c);
    cl_point_release(CL_BEFORE_WG_ADD);
    cl_expect(!(returned && uncounted > 0),
              "pool_shutdown to wait for the 3 workers pool_start started",
              "count the workers where they are started: goc_wg_go (or goc_wg_add before "
              "goc_go) in pool_start, never goc_wg_add inside worker_main. A goroutine that "
              "counts itself may not have run yet when goc_wg_wait looks",
              "pool_shutdown returned while %d worker%s had not counted %s yet: %s goc_wg_add "
              "was still to come (" EX ", pool_start).",
              uncounted, uncounted == 1 ? "" : "s", uncounted == 1 ? "itself" : "themselves",
              uncounted == 1 ? "its" : "their");
    expect_shutdown_returned(&c, "pool_start(3, ...) with no job");
    expect_no_leaks_after("pool_shutdown", ONE_QUEUE);
    pool_free(s.p);
}
CL_END_TEST

/* ---- pool_map -------------------------------------------------------------------- */

typedef struct map_probe {
    job_probe jobs; /* reuses the counters; the "job" is the input value */
    int offset;
} map_probe;

static int probe_f(int x, void *ctx)
{
    map_probe *m = ctx;
    probe_job(x - m->offset, &m->jobs);
    return 3 * x + 1;
}

typedef struct map_call {
    int workers, n;
    int64_t mark; /* taken by the calling goroutine right before pool_map */
    int in[MAX_JOBS], out[MAX_JOBS];
    map_probe probe;
} map_call;

static void map_call_init(map_call *m, int workers, int n, int offset, bool hold, int held,
                          int barrier_n)
{
    memset(m, 0, sizeof *m);
    m->workers = workers;
    m->n = n;
    m->probe.offset = offset;
    for (int i = 0; i < n; i++) {
        m->in[i] = offset + i;
        m->out[i] = -1;
    }
    probe_init(&m->probe.jobs, hold, held, barrier_n, held >= 0 ? n - 1 : n);
}

static void call_pool_map(void *arg)
{
    map_call *m = arg;
    m->mark = cl_spawn_mark();
    pool_map(m->workers, m->in, m->out, m->n, probe_f, &m->probe);
}

static void expect_map_results(map_call *m, const char *call)
{
    for (int i = 0; i < m->n; i++)
        cl_expect(m->out[i] == 3 * m->in[i] + 1, "out[i] = f(in[i]) for every i",
                  "use the index as the job number and write out[i] in the job: results "
                  "land in their own slot, whatever order the workers finish in",
                  "after %s, out[%d] = %d, expected f(%d) = %d (" EX ", pool_map).", call, i,
                  m->out[i], m->in[i], 3 * m->in[i] + 1);
}

/* Every call held: exactly 3 goroutines and 3 calls of f at once. */
CL_TEST(pool_map_uses_exactly_workers_goroutines)
{
    static map_call m;
    map_call_init(&m, 3, 12, 0, true, -1, 3);
    cl_call c;
    cl_spawn_call(&c, call_pool_map, &m);
    cl_settle();
    int spawned = cl_spawned_since(m.mark);
    int running = atomic_load(&m.probe.jobs.running);
    cl_gate_open(&m.probe.jobs.gate);
    cl_expect(running == 3 && spawned == 3,
              "pool_map(3, ...) to start 3 goroutines and run f in 3 of them at once",
              "pool_map is a pool: pool_start(workers, ...), submit each index, "
              "pool_shutdown, pool_free",
              "it started %d goroutines and %d calls of f ran at once (" EX ", pool_map).",
              spawned, running);
    cl_expect(cl_call_await(&c, 5), "pool_map to return", "shut the pool down and free it",
              "it never returned (" EX ", pool_map).");
    expect_map_results(&m, "pool_map(3, in, out, 12, ...)");
    expect_no_leaks_after("pool_map", ONE_QUEUE);
}
CL_END_TEST

/* Item 0 finishes last, after the other 11: its result still belongs in
 * out[0], not in the slot of whoever finished 12th. */
CL_TEST(pool_map_keeps_each_result_in_its_place)
{
    static map_call m;
    map_call_init(&m, 3, 12, 100, true, 0, 0);
    cl_call c;
    cl_spawn_call(&c, call_pool_map, &m);
    cl_settle();
    int others = cl_latch_arrived(&m.probe.jobs.others, 11);
    cl_gate_open(&m.probe.jobs.gate);
    cl_expect(others == 11, "items 1-11 to finish on the 2 free workers while item 0 was held",
              "one shared queue: a free worker takes the next index",
              "only %d of them finished (" EX ", pool_map).", others);
    cl_expect(cl_call_await(&c, 5), "pool_map to return", "shut the pool down and free it",
              "it never returned (" EX ", pool_map).");
    expect_map_results(&m, "pool_map with item 0 finishing last");
    expect_no_leaks_after("pool_map", ONE_QUEUE);
}
CL_END_TEST

static map_call crowd[2];

static void map_in_crowd(int caller, void *arg)
{
    (void)arg;
    call_pool_map(&crowd[caller]);
}

/* Two pool_map calls at once, each with its own inputs and outputs. */
CL_TEST(pool_map_from_two_callers_at_once)
{
    map_call_init(&crowd[0], 2, 20, 0, false, -1, 2);
    map_call_init(&crowd[1], 4, 20, 1000, false, -1, 4);
    cl_expect(cl_call_concurrently(2, map_in_crowd, NULL), "two pool_map calls to return",
              "each call makes its own pool; nothing static is shared",
              "a call never returned (" EX ", pool_map).");
    expect_map_results(&crowd[0], "pool_map(2, ...) beside another call");
    expect_map_results(&crowd[1], "pool_map(4, ...) beside another call");
    expect_no_leaks_after("pool_map", ONE_QUEUE);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("13-worker-pools", pool_runs_exactly_workers_jobs_at_once,
                    pool_keeps_free_workers_busy_while_one_job_is_slow,
                    pool_submit_blocks_while_the_queue_is_full,
                    pool_shutdown_runs_queued_jobs_and_waits,
                    pool_submit_during_and_after_shutdown_never_panics,
                    pool_submit_racing_shutdown_is_accepted_or_refused_cleanly,
                    pool_submit_reads_closed_only_under_the_mutex,
                    pool_shutdown_reads_closed_only_under_the_mutex,
                    pool_counts_its_workers_before_they_start, pool_map_uses_exactly_workers_goroutines,
                    pool_map_keeps_each_result_in_its_place, pool_map_from_two_callers_at_once);
}
