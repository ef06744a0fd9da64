/* Grader for exercise 01 — goroutines.
 *
 * The tasks handed to launch_all are the grader's own: they record which
 * index they saw and in which goroutine, and can be held on a gate or a
 * barrier.  Holding them is what makes the checks deterministic: while the
 * tasks cannot finish, a launch_all that returns has returned too early,
 * whatever the scheduler did. */
#include "grader.h"

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

Suite *cl_grader_suite(void)
{
    return CL_SUITE("01-goroutines", launch_all_runs_every_task_once, launch_all_waits_for_every_task,
                    launch_all_runs_tasks_at_the_same_time,
                    launch_all_gives_each_goroutine_its_own_index,
                    launch_all_with_no_tasks_returns_at_once, greet_all_prints_one_line_per_name);
}
