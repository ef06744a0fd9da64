/* WRONG ON PURPOSE — launch_all returns without waiting for its goroutines.
 * graders/tests/run.sh checks that the 01 grader rejects this file with
 * the message graders/tests/wrong.tsv names. */
/* Exercise 01 — goroutines, done wrong.
 *
 * Build and run it on its own:
 *   cc -std=c11 -Ilib/include solutions/01-goroutines.c build/lib/plain/libgoc.a -pthread */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* A task is the work one goroutine does: it receives its own index and the
 * context pointer that launch_all was given. */
typedef void (*task_fn)(int index, void *ctx);

/* Everything one goroutine needs.  Each goroutine gets its own job, so no
 * goroutine reads a value another one (or the launching loop) changes. */
struct job {
    int index;
    task_fn task;
    void *ctx;
    goc_waitgroup *wg;
};

static void run_job(void *arg)
{
    struct job *j = arg;
    j->task(j->index, j->ctx);
    /* Last touch of the job: once every goroutine has said done, the
     * launcher frees the jobs array. */
    goc_wg_done(j->wg);
}

/* GRADED: launch_all
 * Runs task(i, ctx) for every i from 0 to n-1, each call in its own
 * goroutine, all of them running at the same time.  Returns only after
 * every call has returned.  Each goroutine sees its own index exactly once.
 * n == 0 returns at once without calling task. */
void launch_all(int n, task_fn task, void *ctx)
{
    if (n <= 0)
        return;
    struct job *jobs = malloc(sizeof *jobs * (size_t)n);
    if (!jobs)
        goc_panic("launch_all: no memory for %d jobs", n);

    /* Counted before any goroutine starts, so the wait below cannot see
     * zero while work is still on its way. */
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, n);
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct job){.index = i, .task = task, .ctx = ctx, .wg = &wg};
        goc_go(run_job, &jobs[i]);
    }
    /* Returning now would end the goroutines' world: the jobs and the
     * WaitGroup live in this frame. */
    /* the mistake: no goc_wg_wait, so this returns while the goroutines run
     * (the jobs and the WaitGroup are left to them, never freed) */
}

static void greet(int index, void *ctx)
{
    const char *const *names = ctx;
    /* One printf per line: stdio locks the stream for the whole call, so
     * lines from different goroutines never interleave mid-line. */
    printf("hello, %s!\n", names[index]);
}

/* GRADED: greet_all
 * Prints "hello, NAME!" on a line of its own for every name in names[0..n-1],
 * each line printed by its own goroutine (in whatever order they run).
 * Returns after every line has been printed. */
void greet_all(const char *const names[], int n)
{
    launch_all(n, greet, (void *)names);
}

static void announce(int index, void *ctx)
{
    (void)ctx;
    printf("task %d runs in goroutine %lld\n", index, (long long)goc_id());
}

int main(void)
{
    printf("main runs in goroutine %lld\n", (long long)goc_id());
    launch_all(4, announce, NULL);

    const char *names[] = {"Ada", "Grace", "Ken"};
    greet_all(names, 3);

    /* Run it a few times: the order of the lines above changes, the set of
     * lines does not, and this line always comes last. */
    puts("main: every goroutine finished before this line");
    return 0;
}
