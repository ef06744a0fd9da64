/* Exercise 01 — goroutines.
 *
 * Fill in the two functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against launch_all and greet_all
 * The lesson (chanlings lesson) explains goc_go and goc_waitgroup. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* A task is the work one goroutine does: it receives its own index and the
 * context pointer that launch_all was given. */
typedef void (*task_fn)(int index, void *ctx);

/* Everything one goroutine needs. */
struct job {
    int index;
    task_fn task;
    void *ctx;
    goc_waitgroup *wg;
};

/* The body of each goroutine: runs its task, then reports that it is done. */
static void run_job(void *arg)
{
    struct job *j = arg;
    j->task(j->index, j->ctx);
    goc_wg_done(j->wg);
}

/* GRADED: launch_all
 * Runs task(i, ctx) for every i from 0 to n-1, each call in its own
 * goroutine, all of them running at the same time.  Returns only after
 * every call has returned.  Each goroutine sees its own index exactly once.
 * n == 0 returns at once without calling task. */
void launch_all(int n, task_fn task, void *ctx)
{
    /* TODO: make room for n jobs, one per goroutine (malloc), so that no two
     *       goroutines share a variable that the loop keeps changing. */
    /* TODO: declare a goc_waitgroup and add n to it before starting anyone. */
    /* TODO: for each i, fill in jobs[i] and start goc_go(run_job, &jobs[i]). */
    /* TODO: wait for all of them (goc_wg_wait), then free the jobs. */
    (void)n;
    (void)task;
    (void)ctx;
    (void)run_job; /* silences "unused" until you call it; delete then */
}

/* GRADED: greet_all
 * Prints "hello, NAME!" on a line of its own for every name in names[0..n-1],
 * each line printed by its own goroutine (in whatever order they run).
 * Returns after every line has been printed. */
void greet_all(const char *const names[], int n)
{
    /* TODO: write a task that prints one greeting for its index, and hand it
     *       to launch_all together with names as the context. */
    (void)names;
    (void)n;
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

    /* Once launch_all works: run this a few times.  The order of the lines
     * above changes, the set of lines does not, and this line comes last. */
    puts("main: every goroutine finished before this line");
    return 0;
}
