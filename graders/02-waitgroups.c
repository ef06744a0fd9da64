/* Grader for exercise 02 — WaitGroups.
 *
 * The work handed to the learner's functions is the grader's probe task:
 * it records what it saw and can be held on a gate or a barrier, so
 * "returned too early" and "ran one after another" are facts the grader
 * observes once everything has stopped moving, not guesses about timing. */
#include "grader.h"

typedef void (*work_fn)(int index, void *ctx);
typedef int (*fetch_fn)(int index, void *ctx, int *out);
void start_workers(goc_waitgroup *wg, int n, work_fn work, void *ctx);
void run_all(int n, work_fn work, void *ctx);
int fetch_all(int n, fetch_fn fetch, void *ctx, int results[]);

#define EX "exercises/02-waitgroups.c"

/* The WaitGroup's counter right now.  libgoc keeps it private (the high 32
 * bits of `count`, as Go packs it); the grader reads it because "was every
 * worker counted before start_workers returned?" has no other answer that
 * does not depend on how fast the new goroutines start. */
static int wg_counter(goc_waitgroup *wg)
{
    return (int32_t)((uint64_t)atomic_load(&wg->count) >> 32);
}

typedef struct wg_call {
    goc_waitgroup *wg;
} wg_call;

static void call_wait(void *arg) { goc_wg_wait(((wg_call *)arg)->wg); }

/* Ten rounds of 16 held workers: the counter must already be 16 when
 * start_workers returns.  A worker that adds for itself, inside its
 * goroutine, has in almost every round not even started yet. */
CL_TEST(start_workers_counts_every_worker_before_returning)
{
    static cl_probe p;
    for (int round = 0; round < 10; round++) {
        goc_waitgroup wg = {0};
        cl_probe_init(&p, 16, CL_HOLD_GATE);
        start_workers(&wg, 16, cl_probe_task, &p);
        int counted = wg_counter(&wg);
        if (counted != 16) {
            cl_settle();
            cl_probe_expect_started(&p, "start_workers(&wg, 16, ...)", EX ", start_workers");
        }
        cl_expect(counted == 16, "the WaitGroup to count all 16 workers when start_workers returns",
                  "Add before go: goc_wg_add(wg, 1) in the starting loop, before goc_go. Inside "
                  "the goroutine it runs too late: a goc_wg_wait made first sees 0 and returns",
                  "its counter was %d right after start_workers(&wg, 16, ...) returned (" EX
                  ", start_workers).",
                  counted);
        cl_gate_open(&p.gate);
        wg_call w = {&wg};
        cl_call c;
        cl_spawn_call(&c, call_wait, &w);
        cl_expect(cl_call_await(&c, 5), "goc_wg_wait(&wg) to return once all 16 workers finished",
                  "each worker calls goc_wg_done(wg) exactly once, on the WaitGroup it was given",
                  "the wait was still blocked after every worker finished its work and nothing else ran; %d of 16 "
                  "workers are counted as not done (" EX ", worker_main).",
                  wg_counter(&wg));
        cl_probe_expect_each_index_once(&p, "start_workers(&wg, 16, ...)", EX ", start_workers");
        cl_probe_destroy(&p);
    }
}
CL_END_TEST

/* The caller's WaitGroup is the one the workers must count on: a wait on
 * it blocks while they are held, and ends when they finish. */
CL_TEST(start_workers_uses_the_callers_waitgroup)
{
    static cl_probe p;
    static goc_waitgroup wg;
    cl_probe_init(&p, 4, CL_HOLD_GATE);
    start_workers(&wg, 4, cl_probe_task, &p);
    cl_settle();
    cl_probe_expect_started(&p, "start_workers(&wg, 4, ...)", EX ", start_workers");
    wg_call w = {&wg};
    cl_call c;
    cl_spawn_call(&c, call_wait, &w);
    cl_settle();
    cl_expect(!cl_call_returned(&c), "goc_wg_wait(&wg) to block while the 4 workers are running",
              "pass &wg, never a copy: a goc_waitgroup copied into a struct or a parameter "
              "counts on its own, and the caller's stays at 0",
              "the caller's wait returned at once although %d workers were still running: "
              "they were not counted on the WaitGroup start_workers was given (" EX
              ", start_workers).",
              cl_probe_running(&p));
    cl_gate_open(&p.gate);
    cl_expect(cl_call_await(&c, 5), "the caller's wait to end once the workers finished",
              "each worker must call goc_wg_done on the caller's WaitGroup (the pointer in its "
              "struct worker) exactly once",
              "it was still blocked once nothing else was running (" EX ", worker_main).");
}
CL_END_TEST

/* start_workers only starts: the caller decides when to wait. */
static struct {
    goc_waitgroup wg;
    cl_probe p;
} starter;

static void call_start_workers(void *arg)
{
    (void)arg;
    start_workers(&starter.wg, 3, cl_probe_task, &starter.p);
}

CL_TEST(start_workers_returns_without_waiting)
{
    cl_probe_init(&starter.p, 3, CL_HOLD_GATE);
    cl_call c;
    cl_spawn_call(&c, call_start_workers, NULL);
    cl_settle();
    cl_probe_expect_started(&starter.p, "start_workers(&wg, 3, ...)", EX ", start_workers");
    cl_expect(cl_call_returned(&c), "start_workers to return while its workers still run",
              "start_workers only starts and counts; the caller waits when it chooses to (as "
              "run_all does)",
              "start_workers(&wg, 3, ...) was still inside, blocked, while its 3 workers were "
              "held: it waits, so the caller can never do anything alongside them (" EX
              ", start_workers).");
    cl_gate_open(&starter.p.gate);
    goc_wg_wait(&starter.wg);
}
CL_END_TEST

/* A WaitGroup may be used again once its wait has returned. */
CL_TEST(start_workers_reuses_a_waitgroup_after_wait)
{
    static cl_probe p;
    goc_waitgroup wg = {0};
    for (int round = 0; round < 5; round++) {
        cl_probe_init(&p, 3, CL_HOLD_NONE);
        start_workers(&wg, 3, cl_probe_task, &p);
        goc_wg_wait(&wg);
        cl_expect(atomic_load(&p.finished) == 3,
                  "all 3 workers finished when goc_wg_wait returns, round after round",
                  "a WaitGroup is reusable once every wait on it has returned: Add again, then "
                  "wait again",
                  "in round %d only %d of 3 workers had finished when the wait returned (" EX
                  ", start_workers).",
                  round + 1, atomic_load(&p.finished));
        cl_probe_expect_each_index_once(&p, "start_workers(&wg, 3, ...)", EX ", start_workers");
        cl_probe_destroy(&p);
    }
}
CL_END_TEST

static void call_run_all(void *arg)
{
    cl_probe *p = arg;
    run_all(p->n, cl_probe_task, p);
    atomic_store(&p->finished_at_return, atomic_load(&p->finished));
}

/* Held workers: run_all must still be waiting when nothing else moves. */
CL_TEST(run_all_waits_for_every_worker)
{
    static cl_probe p;
    cl_probe_init(&p, 5, CL_HOLD_GATE);
    cl_call c;
    cl_spawn_call(&c, call_run_all, &p);
    cl_settle();
    cl_probe_expect_started(&p, "run_all(5, ...)", EX ", run_all");
    cl_expect(!cl_call_returned(&c), "run_all to wait while its workers run",
              "the function that starts goroutines waits for them: goc_wg_wait(&wg) before "
              "returning",
              "run_all(5, ...) returned while %d of its 5 workers were still running (the "
              "grader held them) (" EX ", run_all).",
              cl_probe_running(&p));
    cl_gate_open(&p.gate);
    cl_expect(cl_call_await(&c, 5), "run_all to return once its workers finished",
              "every worker calls goc_wg_done exactly once",
              "run_all(5, ...) was still waiting after its workers finished (" EX ", run_all).");
    cl_expect(atomic_load(&p.finished_at_return) == 5,
              "all 5 workers finished when run_all returns", "Add before go, Wait before return",
              "%d of 5 had finished (" EX ", run_all).", atomic_load(&p.finished_at_return));
}
CL_END_TEST

/* One held worker, thirty times: a run_all whose goroutine adds for itself
 * reaches its wait while the counter is still 0 and returns at once. */
CL_TEST(run_all_counts_before_starting)
{
    static cl_probe p;
    for (int round = 0; round < 30; round++) {
        cl_probe_init(&p, 1, CL_HOLD_GATE);
        cl_call c;
        cl_spawn_call(&c, call_run_all, &p);
        cl_settle();
        cl_expect(!cl_call_returned(&c), "run_all(1, ...) to wait for its one worker",
                  "Add before go: the goroutine may not have run at all when the wait starts, "
                  "so an Add inside it comes too late",
                  "in round %d run_all returned while its worker %s (" EX ", run_all).",
                  round + 1,
                  atomic_load(&p.started) ? "was still running" : "had not even started yet");
        cl_gate_open(&p.gate);
        cl_expect(cl_call_await(&c, 5), "run_all to return once its worker finished",
                  "every worker calls goc_wg_done exactly once",
                  "still waiting once nothing else was running (" EX ", run_all).");
        cl_probe_destroy(&p);
    }
}
CL_END_TEST

/* A barrier for all 6 workers proves they ran at the same time. */
CL_TEST(run_all_runs_workers_at_the_same_time)
{
    static cl_probe p;
    cl_probe_init(&p, 6, CL_HOLD_BARRIER);
    cl_call c;
    cl_spawn_call(&c, call_run_all, &p);
    cl_settle();
    cl_probe_expect_started(&p, "run_all(6, ...)", EX ", run_all");
    cl_expect(cl_latch_is_open(&p.barrier), "all 6 workers running at the same time",
              "each worker in its own goroutine (goc_go), all started before the wait",
              "each worker waited at a barrier for the others, but only %d of 6 got there and "
              "everything stopped (" EX ", run_all).",
              atomic_load(&p.started));
    cl_expect(cl_call_await(&c, 5), "run_all to return after the barrier",
              "every worker calls goc_wg_done", "still waiting once nothing else was running (" EX ", run_all).");
    cl_probe_expect_each_index_once(&p, "run_all(6, ...)", EX ", run_all");
}
CL_END_TEST

/* fetch_all's probe: odd items fail.  Each fetch records that it ran. */
typedef struct fetch_probe {
    _Atomic(int) calls;
    _Atomic(int) seen[CL_PROBE_MAX];
} fetch_probe;

static int probe_fetch(int index, void *ctx, int *out)
{
    fetch_probe *f = ctx;
    atomic_fetch_add(&f->calls, 1);
    if (index >= 0 && index < CL_PROBE_MAX)
        atomic_fetch_add(&f->seen[index], 1);
    if (index % 2)
        return 1;
    *out = 10 * index;
    return 0;
}

typedef struct fetch_call {
    fetch_probe f;
    int n;
    int results[CL_PROBE_MAX];
    int ok;
} fetch_call;

static void call_fetch_all(void *arg)
{
    fetch_call *fc = arg;
    fc->ok = fetch_all(fc->n, probe_fetch, &fc->f, fc->results);
}

/* Half the fetches fail and take the early return: fetch_all must still
 * come back, which needs goc_wg_done on that path too. */
CL_TEST(fetch_all_is_done_on_every_path)
{
    static fetch_call fc = {.n = 8};
    cl_call c;
    cl_spawn_call(&c, call_fetch_all, &fc);
    bool back = cl_call_await(&c, 5);
    cl_expect(atomic_load(&fc.f.calls) > 0, "fetch_all to call fetch, one goroutine per item",
              "start a goroutine per item with goc_go(fetcher_main, ...)",
              "fetch_all(8, ...) never called fetch (" EX ", fetch_all).");
    cl_expect(back, "fetch_all to return once all 8 fetches returned",
              "C has no defer: a goroutine that returns early must call goc_wg_done before "
              "that return too; Done exactly once on every path",
              "all %d fetches returned (4 of them failed), but fetch_all was still waiting "
              "with nothing left running: the goroutines that took the failure path never called goc_wg_done (" EX
              ", fetcher_main).",
              atomic_load(&fc.f.calls));
}
CL_END_TEST

CL_TEST(fetch_all_fills_results_and_counts_successes)
{
    static fetch_call fc = {.n = 10};
    for (int i = 0; i < 10; i++)
        fc.results[i] = 12345;
    cl_call c;
    cl_spawn_call(&c, call_fetch_all, &fc);
    cl_expect(cl_call_await(&c, 5), "fetch_all to return",
              "C has no defer: call goc_wg_done on every return path",
              "fetch_all(10, ...) was still waiting once nothing else was running (" EX ", fetch_all).");
    for (int i = 0; i < 10; i++) {
        cl_expect(atomic_load(&fc.f.seen[i]) == 1, "fetch called once for every item",
                  "one goroutine per item, each with its own index",
                  "item %d was fetched %d times (" EX ", fetch_all).", i,
                  atomic_load(&fc.f.seen[i]));
        int want = i % 2 ? -1 : 10 * i;
        cl_expect(fc.results[i] == want, "results[i] = the value, or -1 when the fetch failed",
                  "each goroutine writes only its own slot, before goc_wg_done",
                  "results[%d] was %d, expected %d (item %d %s) (" EX ", fetch_all).", i,
                  fc.results[i], want, i, i % 2 ? "failed" : "succeeded");
    }
    cl_expect(fc.ok == 5, "fetch_all to return 5 (items 0, 2, 4, 6 and 8 succeed)",
              "count after goc_wg_wait, when every slot is final",
              "it returned %d (" EX ", fetch_all).", fc.ok);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    return CL_SUITE("02-waitgroups", start_workers_counts_every_worker_before_returning,
                    start_workers_uses_the_callers_waitgroup, start_workers_returns_without_waiting,
                    start_workers_reuses_a_waitgroup_after_wait, run_all_waits_for_every_worker,
                    run_all_counts_before_starting, run_all_runs_workers_at_the_same_time,
                    fetch_all_is_done_on_every_path, fetch_all_fills_results_and_counts_successes);
}
