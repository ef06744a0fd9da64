/* Grader for exercise 01 — goroutines.
 *
 * The tasks handed to launch_all are the grader's own: they record which
 * index they saw and in which goroutine, and can be held on a gate or a
 * barrier.  Holding them is what makes the checks deterministic: while the
 * tasks cannot finish, a launch_all that returns has returned too early,
 * whatever the scheduler did. */
#include "grader.h"

#include <sched.h>

typedef void (*task_fn)(int index, void *ctx);
void launch_all(int n, task_fn task, void *ctx);
void greet_all(const char *const names[], int n);

#define EX "exercises/01-goroutines.c"
#define WHERE EX ", launch_all"

static void call_launch_all(void *arg)
{
    cl_probe *p = arg;
    launch_all(p->n, cl_probe_task, p);
    atomic_store(&p->finished_at_return, atomic_load(&p->finished));
}

/* Every index runs once, and the call returns. */
CL_TEST(launch_all_runs_every_task_once)
{
    static cl_probe p;
    cl_probe_init(&p, 8, CL_HOLD_NONE);
    cl_call c;
    cl_spawn_call(&c, call_launch_all, &p);
    cl_expect(cl_call_await(&c, 5), "launch_all(8, task, ctx) to return once its tasks are done",
              "waiting: goc_wg_wait returns when every goroutine has called goc_wg_done",
              "it was still waiting when nothing else could run; look for a wait that nothing ends "
              "(" EX ", launch_all).");
    cl_settle(); /* tasks a wrong launch_all left running finish first */
    cl_probe_expect_each_index_once(&p, "launch_all(8, ...)", WHERE);
}
CL_END_TEST

/* The tasks are held on a gate: launch_all must still be waiting when
 * everything else has stopped, and may return only after they finished. */
CL_TEST(launch_all_waits_for_every_task)
{
    static cl_probe p;
    cl_probe_init(&p, 6, CL_HOLD_GATE);
    cl_call c;
    cl_spawn_call(&c, call_launch_all, &p);
    bool settled = cl_settle();
    cl_probe_expect_started(&p, "launch_all(6, ...)", WHERE);
    cl_expect(!cl_call_returned(&c), "launch_all to wait while its tasks are still running",
              "main returning early: when the function that started goroutines returns, "
              "nothing waits for them (in main, the program ends and they die mid-work). "
              "Wait with goc_wg_wait, not with goc_sleep: a sleep is a guess, never a promise",
              "launch_all(6, ...) returned while %d of its 6 tasks were still running (the "
              "grader held them). " EX ", launch_all must wait for its goroutines before it "
              "returns.",
              cl_probe_running(&p));
    cl_expect(settled, "launch_all to block while waiting, not to spin",
              "goc_wg_wait blocks without using the CPU",
              "launch_all(6, ...) kept running for %d s while its tasks were held: a loop that "
              "checks over and over never lets the grader see it wait (" EX ").",
              CL_SETTLE_SECONDS);
    cl_gate_open(&p.gate);
    cl_expect(cl_call_await(&c, 5), "launch_all to return once its tasks have finished",
              "every goroutine must call goc_wg_done exactly once, after its task",
              "all tasks were released, but launch_all(6, ...) was still waiting once nothing else was running "
              "(" EX ", launch_all).");
    cl_expect(atomic_load(&p.finished_at_return) == 6,
              "all 6 tasks to have finished when launch_all returns",
              "goc_wg_add(&wg, n) before starting the goroutines, goc_wg_wait(&wg) before "
              "returning",
              "only %d of 6 tasks had finished when launch_all returned (" EX ").",
              atomic_load(&p.finished_at_return));
    cl_probe_expect_each_index_once(&p, "launch_all(6, ...)", WHERE);
}
CL_END_TEST

/* A barrier for all 8 tasks: nobody passes until all 8 are inside their
 * task at once, which only happens if each runs in its own goroutine. */
CL_TEST(launch_all_runs_tasks_at_the_same_time)
{
    static cl_probe p;
    cl_probe_init(&p, 8, CL_HOLD_BARRIER);
    cl_call c;
    cl_spawn_call(&c, call_launch_all, &p);
    cl_settle();
    cl_probe_expect_started(&p, "launch_all(8, ...)", WHERE);
    int started = atomic_load(&p.started);
    cl_expect(started >= 8 || cl_latch_is_open(&p.barrier),
              "all 8 tasks to be running at the same time",
              "goroutines run concurrently; a plain call runs to completion before the "
              "next line. Start each task with goc_go instead of calling it",
              "each task waited at a barrier for the other 7, but only %d of 8 ever got there "
              "and everything stopped: launch_all ran the tasks one after another, not in a "
              "goroutine each (" EX ", launch_all).",
              started);
    cl_expect(cl_call_await(&c, 5), "launch_all to return after the tasks passed the barrier",
              "every goroutine must call goc_wg_done exactly once",
              "launch_all(8, ...) was still waiting after its tasks finished (" EX ").");
}
CL_END_TEST

/* Twenty rounds of 16: each task must see its own index and run in a
 * goroutine of its own, different from the caller's.  Sharing &i shows up
 * as repeated or out-of-range indices almost at once, so many rounds make
 * a lucky pass practically impossible. */
CL_TEST(launch_all_gives_each_goroutine_its_own_index)
{
    static cl_probe p;
    for (int round = 0; round < 20; round++) {
        cl_probe_init(&p, 16, CL_HOLD_NONE);
        launch_all(16, cl_probe_task, &p);
        cl_settle();
        cl_probe_expect_each_index_once(&p, "launch_all(16, ...)", WHERE);
        int64_t me = goc_id();
        for (int i = 0; i < 16; i++) {
            int64_t g = atomic_load(&p.gid[i]);
            cl_expect(g != me, "each task to run in a new goroutine",
                      "goc_go(fn, arg) runs fn in a new goroutine; calling fn directly runs it "
                      "in the caller",
                      "task %d ran in the caller's own goroutine (%lld) (" EX ", launch_all).",
                      i, (long long)me);
            for (int j = 0; j < i; j++)
                cl_expect(g != atomic_load(&p.gid[j]), "one goroutine per task",
                          "start one goroutine per index, each running one task",
                          "tasks %d and %d ran in the same goroutine %lld (" EX ", launch_all).",
                          j, i, (long long)g);
        }
        cl_probe_destroy(&p);
    }
}
CL_END_TEST

/* Pinned to one CPU, the 8 tasks must still all be inside at once:
 * concurrency (tasks in progress together) needs no parallelism (tasks
 * executing at the same instant).  The barrier opens because a blocked
 * goroutine gives the CPU to the others, as GOMAXPROCS=1 would in Go. */
CL_TEST(launch_all_runs_concurrently_on_one_cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
    /* The test process is a fresh fork with one thread: every thread it
     * starts from now on inherits this mask. */
    cl_expect(sched_setaffinity(0, sizeof one, &one) == 0, "the grader to pin itself to one CPU",
              "(a grader problem, not yours)", "sched_setaffinity failed.");
    static cl_probe p;
    cl_probe_init(&p, 8, CL_HOLD_BARRIER);
    cl_call c;
    cl_spawn_call(&c, call_launch_all, &p);
    cl_settle();
    cl_probe_expect_started(&p, "launch_all(8, ...)", WHERE);
    cl_expect(cl_latch_is_open(&p.barrier), "all 8 tasks in progress together on one CPU",
              "concurrency is not parallelism: goroutines take turns on one CPU (Go: "
              "GOMAXPROCS=1), and a goroutine that blocks lets the others run",
              "on one CPU only %d of 8 tasks reached the barrier before everything stopped "
              "(" EX ", launch_all).",
              atomic_load(&p.started));
    cl_expect(cl_call_await(&c, 5), "launch_all to return after the barrier",
              "every goroutine calls goc_wg_done exactly once",
              "launch_all(8, ...) was still waiting (" EX ").");
}
CL_END_TEST

/* Two calls at once, each with its own tasks: call A's tasks are held,
 * then call B's are held too; A's tasks are released first.  A must
 * return, and B must not.  A jobs array or a WaitGroup kept in a static
 * or global variable is shared by both calls, and then either A waits
 * for B's tasks or B is counted down by A's. */
static cl_probe two_a, two_b;
CL_TEST(launch_all_calls_do_not_share_state)
{
    cl_probe_init(&two_a, 4, CL_HOLD_GATE);
    cl_probe_init(&two_b, 4, CL_HOLD_GATE);
    cl_call a, b;
    cl_spawn_call(&a, call_launch_all, &two_a);
    cl_settle();
    cl_spawn_call(&b, call_launch_all, &two_b);
    cl_settle();
    cl_probe_expect_started(&two_a, "launch_all(4, ...) (the first call)", WHERE);
    cl_probe_expect_started(&two_b, "launch_all(4, ...) (the second call)", WHERE);
    cl_gate_open(&two_a.gate);
    bool a_back = cl_call_await(&a, 5);
    cl_expect(!cl_call_returned(&b),
              "a call of launch_all to wait for its own tasks, whatever another call does",
              "state that lives beyond one call (a static array of jobs, a global "
              "WaitGroup) is shared by every call at once: keep it in the call (a local "
              "WaitGroup, jobs from malloc)",
              "two calls ran at once; the second returned while its 4 tasks were still held, "
              "when the first call's tasks finished: the first call's goroutines signalled "
              "the second call's WaitGroup, so both calls share their jobs or WaitGroup (" WHERE
              ").");
    cl_expect(a_back, "the first call to return once its own 4 tasks finished",
              "state that lives beyond one call (a static or global WaitGroup or jobs array) "
              "is shared by every call: keep it in the call",
              "two calls ran at once; the first one's tasks all finished, but it kept waiting "
              "while the second call's tasks were held: both calls count on one WaitGroup (" WHERE
              ").");
    cl_gate_open(&two_b.gate);
    cl_expect(cl_call_await(&b, 5), "the second call to return once its tasks finished",
              "one WaitGroup per call", "it kept waiting (" WHERE ").");
    cl_probe_expect_each_index_once(&two_a, "launch_all(4, ...) (the first call)", WHERE);
    cl_probe_expect_each_index_once(&two_b, "launch_all(4, ...) (the second call)", WHERE);
}
CL_END_TEST

/* Four callers released together, 16 tasks each. */
static cl_probe crowd[4];
static void launch_from_crowd(int caller, void *arg)
{
    (void)arg;
    launch_all(16, cl_probe_task, &crowd[caller]);
}

CL_TEST(launch_all_from_four_goroutines_at_once)
{
    for (int i = 0; i < 4; i++)
        cl_probe_init(&crowd[i], 16, CL_HOLD_NONE);
    cl_expect(cl_call_concurrently(4, launch_from_crowd, NULL),
              "four calls made at the same moment to all return",
              "each call keeps its own jobs and WaitGroup (a local, or malloc)",
              "some were still waiting once nothing else could run (" WHERE ").");
    for (int i = 0; i < 4; i++)
        cl_probe_expect_each_index_once(&crowd[i], "launch_all(16, ...) called from 4 goroutines at once", WHERE);
}
CL_END_TEST

/* More tasks than any fixed-size array a learner might reach for. */
CL_TEST(launch_all_runs_many_tasks)
{
    static cl_probe p;
    cl_probe_init(&p, CL_LARGE_N, CL_HOLD_NONE);
    int64_t mark = cl_spawn_mark();
    launch_all(CL_LARGE_N, cl_probe_task, &p);
    int spawned = cl_spawned_since(mark);
    cl_settle();
    cl_expect(atomic_load(&p.finished) == CL_LARGE_N,
              "launch_all(n, ...) with a large n to run all n tasks before it returns",
              "make room for exactly n jobs (malloc(n * sizeof *jobs)): a fixed-size array "
              "overflows for a larger n",
              "%d of %d tasks had run (" WHERE ").", atomic_load(&p.finished), CL_LARGE_N);
    char call[64];
    snprintf(call, sizeof call, "launch_all(%d, ...)", CL_LARGE_N);
    cl_probe_expect_each_index_once(&p, call, WHERE);
    cl_expect(spawned >= CL_LARGE_N, "one goroutine per task",
              "goc_go once per index", "%s started %d goroutines (" WHERE ").",
              call, spawned);
}
CL_END_TEST

CL_TEST(launch_all_with_no_tasks_returns_at_once)
{
    static cl_probe p;
    cl_probe_init(&p, 0, CL_HOLD_NONE);
    launch_all(0, cl_probe_task, &p);
    cl_expect(atomic_load(&p.started) == 0, "launch_all(0, ...) to call no task",
              "a loop from 0 to n-1 runs no times when n is 0",
              "task was called %d times (" EX ", launch_all).", atomic_load(&p.started));
}
CL_END_TEST

CL_TEST(greet_all_prints_one_line_per_name)
{
    static const char *const names[] = {"Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret"};
    enum { N = sizeof names / sizeof names[0] };
    cl_capture cap;
    cl_capture_begin(&cap);
    greet_all(names, N);
    char *out = cl_capture_end(&cap);
    cl_expect_no_leaks();
    int lines = 0;
    for (const char *q = out; *q; q++)
        lines += *q == '\n';
    for (int i = 0; i < N; i++) {
        char want[64];
        snprintf(want, sizeof want, "hello, %s!", names[i]);
        int got = cl_count_lines(out, want);
        cl_expect(got == 1, "each greeting printed exactly once before greet_all returns",
                  "greet_all can reuse launch_all: a task that prints names[index], and names "
                  "as the context; launch_all already waits",
                  "\"%s\" was printed %d times. greet_all printed:\n%s(" EX ", greet_all)",
                  want, got, *out ? out : "(nothing)\n");
    }
    cl_expect(lines == N, "exactly 6 lines, one per name", "print one line per goroutine",
              "greet_all printed %d lines:\n%s(" EX ", greet_all)", lines, out);
    free(out);
}
CL_END_TEST

/* greet_all runs in a goroutine of its own so that the stdout point can
 * see it: a writer waiting for the others gives up only once greet_all
 * itself has stopped (in its wait), never while it is still starting
 * greeters on a slow machine. */
typedef struct greet_call {
    const char *const *names;
    int n;
} greet_call;

static void call_greet_all(void *arg)
{
    greet_call *g = arg;
    greet_all(g->names, g->n);
}

/* The 8 greeters' first writes all happen before any second write (the
 * stdout schedule point): a greeting printed in one call stays whole, one
 * printed in pieces is torn on every run, not once in a thousand. */
CL_TEST(greet_all_prints_each_line_whole)
{
    static const char *const names[] = {"Ada", "Grace", "Linus", "Barbara",
                                        "Ken", "Margaret", "Dennis", "Frances"};
    enum { N = sizeof names / sizeof names[0] };
    char lines[N][32];
    const char *want[N];
    for (int i = 0; i < N; i++) {
        snprintf(lines[i], sizeof lines[i], "hello, %s!", names[i]);
        want[i] = lines[i];
    }
    cl_capture cap;
    cl_capture_begin(&cap);
    cl_stdout_interleave(N);
    static greet_call g;
    g = (greet_call){names, N};
    cl_call c;
    cl_spawn_call(&c, call_greet_all, &g);
    bool back = cl_call_await(&c, 5);
    cl_stdout_interleave_end();
    char *out = cl_capture_end(&cap);
    cl_expect(back, "greet_all(names, 8) to return once every greeting was printed",
              "greet_all waits for its greeters (launch_all does)",
              "it was still waiting once nothing else could run (" EX ", greet_all).");
    cl_expect_no_leaks();
    cl_expect(*out, "greet_all(names, 8) to print 8 greetings", "one printf per goroutine",
              "it printed nothing (" EX ", greet_all).");
    cl_expect_whole_lines(out, want, N, "greet_all(names, 8)", EX ", greet_all");
    free(out);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("01-goroutines", launch_all_runs_every_task_once, launch_all_waits_for_every_task,
                    launch_all_runs_tasks_at_the_same_time, launch_all_runs_concurrently_on_one_cpu,
                    launch_all_gives_each_goroutine_its_own_index,
                    launch_all_calls_do_not_share_state, launch_all_from_four_goroutines_at_once,
                    launch_all_runs_many_tasks, launch_all_with_no_tasks_returns_at_once,
                    greet_all_prints_one_line_per_name, greet_all_prints_each_line_whole);
}
