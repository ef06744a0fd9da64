/* Exercise 04 — buffered channels.
 *
 * Fill in the three functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below (the last three
 *                     lines it prints are a measurement, not graded)
 *   chanlings check   runs the hidden tests against them
 * start_prefetch already works, but its channel has no room: the grader's
 * first red is about that one number. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* Computes the value at `index` (it may take a while). */
typedef int (*produce_fn)(int index, void *ctx);
/* The work of one task. */
typedef void (*task_fn)(int index, void *ctx);
/* One way of getting an answer; several are tried at once. */
typedef int (*attempt_fn)(int index, void *ctx);

/* ---- start_prefetch ------------------------------------------------------ */

struct prefetcher {
    int n;
    produce_fn produce;
    void *ctx;
    goc_chan *out;
};

static void prefetch_main(void *arg)
{
    struct prefetcher p = *(struct prefetcher *)arg;
    free(arg);
    for (int i = 0; i < p.n; i++) {
        int v = p.produce(i, p.ctx);
        goc_send(p.out, &v);
    }
    /* No close: the caller receives exactly n values (lesson 05 closes). */
}

/* GRADED: start_prefetch
 * Starts one goroutine that computes produce(0, ctx) ... produce(n-1, ctx)
 * in order and sends each value on a channel of int with capacity `ahead`
 * (ahead >= 1), so that up to `ahead` values are ready before anyone asks.
 * Returns that channel at once.  The caller receives exactly n values and
 * then frees the channel. */
goc_chan *start_prefetch(int n, int ahead, produce_fn produce, void *ctx)
{
    /* TODO: this channel has no room, so the producer waits for every
     *       receive and nothing is ready in advance.  Give it the capacity
     *       the contract asks for. */
    goc_chan *out = goc_chan_make(int, 0);
    (void)ahead;
    struct prefetcher *p = malloc(sizeof *p);
    if (!p)
        goc_panic("start_prefetch: out of memory");
    *p = (struct prefetcher){n, produce, ctx, out};
    goc_go(prefetch_main, p);
    return out;
}

/* ---- run_limited ----------------------------------------------------------- */

struct limited {
    int index;
    task_fn task;
    void *ctx;
    goc_chan *slots; /* the semaphore: one buffered value per running task */
    goc_waitgroup *wg;
};

static void limited_main(void *arg)
{
    struct limited l = *(struct limited *)arg;
    free(arg);
    /* TODO: take a slot in l.slots before the task (which operation blocks
     *       when all `limit` places are taken?) and give it back after. */
    l.task(l.index, l.ctx);
    goc_wg_done(l.wg);
}

/* GRADED: run_limited
 * Runs task(i, ctx) for every i from 0 to n-1, each in its own goroutine,
 * with at most `limit` of them inside task at any moment (limit >= 1), and
 * returns when all n have returned.  Several run_limited calls may run at
 * the same time; each has its own limit. */
void run_limited(int n, int limit, task_fn task, void *ctx)
{
    /* TODO: make a channel of char with `limit` places (the semaphore), a
     *       goc_waitgroup counting n, start one limited_main per task with
     *       its own struct limited (malloc; the goroutine frees it), wait,
     *       then free the channel. */
    (void)n;
    (void)limit;
    (void)task;
    (void)ctx;
    (void)limited_main; /* silences "unused" until you call it; delete then */
}

/* ---- first_result ------------------------------------------------------------ */

/* Shared by first_result, every attempt and the janitor.  It lives on the
 * heap because first_result returns while the slower attempts still run;
 * the janitor frees it once the last of them is done. */
struct race {
    attempt_fn attempt;
    void *ctx;
    goc_chan *results;  /* capacity n: every attempt can send and leave */
    goc_waitgroup running; /* the attempts that have not finished yet */
};

struct entrant {
    int index;
    struct race *race;
};

static void attempt_main(void *arg)
{
    struct entrant e = *(struct entrant *)arg;
    free(arg);
    int v = e.race->attempt(e.index, e.race->ctx);
    /* TODO: send v on e.race->results (will this send ever find a
     *       receiver if another attempt was faster?), then mark this
     *       attempt done in e.race->running. */
    (void)v;
}

static void janitor_main(void *arg)
{
    struct race *r = arg;
    /* TODO: wait until every attempt is done, then free r->results and r. */
    (void)r;
}

/* GRADED: first_result
 * Starts attempt(i, ctx) for every i from 0 to n-1 (n >= 1), each in its
 * own goroutine, and returns the value of whichever returns first, without
 * waiting for the others.  The slower attempts must still be able to
 * finish (no goroutine may stay blocked), and everything first_result
 * allocated is freed once they have. */
int first_result(int n, attempt_fn attempt, void *ctx)
{
    /* TODO: a struct race on the heap whose results channel has room for
     *       all n answers; count n in r->running; start attempt_main for
     *       each i (a struct entrant each); receive the first answer; then
     *       start janitor_main(r) and return the answer without touching r
     *       again. */
    (void)n;
    (void)attempt;
    (void)ctx;
    (void)attempt_main; /* silences "unused" until you call them; delete then */
    (void)janitor_main;
    return -1;
}

/* ---- the demo --------------------------------------------------------------------- */

static int slow_square(int index, void *ctx)
{
    (void)ctx;
    return index * index;
}

static void show_task(int index, void *ctx)
{
    printf("task %d runs (at most %d at once)\n", index, *(int *)ctx);
}

static int answer_after(int index, void *ctx)
{
    (void)ctx;
    /* A stand-in for replicas of different speed: attempt 2 is fastest. */
    goc_sleep((index == 2 ? 1 : 30) * GOC_MILLISECOND);
    return 100 + index;
}

struct pingpong {
    goc_chan *ch;
    int count;
};

static void pinger(void *arg)
{
    struct pingpong *p = arg;
    for (int i = 0; i < p->count; i++)
        goc_send(p->ch, &i);
}

/* Nanoseconds per value through a channel of the given capacity: one
 * goroutine sends `count` ints while main receives them. */
static double ns_per_value(size_t cap, int count)
{
    struct pingpong p = {goc_chan_make(int, cap), count};
    goc_time start = goc_now();
    goc_go(pinger, &p);
    for (int i = 0; i < count; i++)
        goc_recv_discard(p.ch);
    double ns = (double)goc_since(start) / count;
    goc_chan_free(p.ch);
    return ns;
}

int main(void)
{
    goc_chan *pre = start_prefetch(5, 2, slow_square, NULL);
    printf("prefetched squares:");
    for (int i = 0; i < 5; i++) {
        int v;
        goc_recv(pre, &v);
        printf(" %d", v);
    }
    printf("\n");
    goc_chan_free(pre);

    int limit = 2;
    run_limited(4, limit, show_task, &limit);

    printf("first answer: %d\n", first_result(4, answer_after, NULL));

    /* Not graded: what a buffer does to the cost of each hand-off.  With
     * capacity 0 every value needs both goroutines at the channel at once;
     * with room, the sender runs ahead and the two meet less often. */
    enum { COUNT = 20000 };
    static const size_t caps[] = {0, 1, 64};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
        printf("capacity %2zu: %8.0f ns per value\n", caps[i], ns_per_value(caps[i], COUNT));
    /* The slow attempts of first_result may still be sleeping; leaving
     * main ends them, which is fine for a demo and nothing else. */
    return 0;
}
