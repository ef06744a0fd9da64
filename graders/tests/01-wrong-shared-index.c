/* WRONG ON PURPOSE — every goroutine gets &i, the address of the one loop counter.
 * graders/tests/run.sh checks that the 01 grader rejects this file with
 * the message graders/tests/wrong.tsv names. */
/* Exercise 01 — goroutines, done wrong. */
#include <goc.h>
#include <stdio.h>

typedef void (*task_fn)(int index, void *ctx);

static task_fn the_task;
static void *the_ctx;
static goc_waitgroup wg;

static void run_index(void *arg)
{
    int index = *(int *)arg; /* reads i whenever this goroutine gets to run */
    the_task(index, the_ctx);
    goc_wg_done(&wg);
}

void launch_all(int n, task_fn task, void *ctx)
{
    the_task = task;
    the_ctx = ctx;
    goc_wg_add(&wg, n);
    for (int i = 0; i < n; i++)
        goc_go(run_index, &i); /* the mistake: one variable for everyone */
    goc_wg_wait(&wg);
}

static void greet(int index, void *ctx)
{
    const char *const *names = ctx;
    printf("hello, %s!\n", names[index]);
}

void greet_all(const char *const names[], int n)
{
    launch_all(n, greet, (void *)names);
}

int main(void)
{
    const char *names[] = {"Ada", "Grace", "Ken"};
    greet_all(names, 3);
    return 0;
}
