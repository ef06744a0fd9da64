/* Exercise 04 — buffered channels: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -Ilib/include solutions/04-buffered-channels.c build/lib/plain/libgoc.a -pthread */
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
        /* Returns at once while the buffer has room; once `ahead` values
         * wait unread, it blocks: that is the back-pressure that keeps the
         * producer at most `ahead` values (plus the one in hand) ahead. */
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
    /* Capacity `ahead`, not 0 (the producer would wait for every receive,
     * prefetching nothing) and not n (nothing would ever hold it back). */
    goc_chan *out = goc_chan_make(int, (size_t)ahead);
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
    /* Take a slot: blocks while `limit` tasks already hold one. */
    goc_send(l.slots, &(char){0});
    l.task(l.index, l.ctx);
    /* Give the slot back only after the task returned, or more than
     * `limit` tasks would be inside task() at once. */
    goc_recv_discard(l.slots);
    goc_wg_done(l.wg);
}

/* GRADED: run_limited
 * Runs task(i, ctx) for every i from 0 to n-1, each in its own goroutine,
 * with at most `limit` of them inside task at any moment (limit >= 1), and
 * returns when all n have returned.  Several run_limited calls may run at
 * the same time; each has its own limit. */
void run_limited(int n, int limit, task_fn task, void *ctx)
{
    if (n <= 0)
        return;
    /* A channel with `limit` places is a counting semaphore: a send takes
     * a place, a receive gives one back.  It is local, so two callers never
     * share their places. */
    goc_chan *slots = goc_chan_make(char, (size_t)limit);
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, n);
    for (int i = 0; i < n; i++) {
        struct limited *l = malloc(sizeof *l);
        if (!l)
            goc_panic("run_limited: out of memory");
        *l = (struct limited){i, task, ctx, slots, &wg};
        goc_go(limited_main, l);
    }
    goc_wg_wait(&wg);
    /* Every task gave its slot back before its Done: nobody uses it now. */
    goc_chan_free(slots);
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
    /* Never blocks: the channel has a place for every attempt, so the
     * losers leave even though nobody will ever read their answers. */
    goc_send(e.race->results, &v);
    goc_wg_done(&e.race->running);
}

static void janitor_main(void *arg)
{
    struct race *r = arg;
    /* After the last attempt's Done nobody touches the race any more. */
    goc_wg_wait(&r->running);
    goc_chan_free(r->results); /* the unread answers go with it */
    free(r);
}

/* GRADED: first_result
 * Starts attempt(i, ctx) for every i from 0 to n-1 (n >= 1), each in its
 * own goroutine, and returns the value of whichever returns first, without
 * waiting for the others.  The slower attempts must still be able to
 * finish (no goroutine may stay blocked), and everything first_result
 * allocated is freed once they have. */
int first_result(int n, attempt_fn attempt, void *ctx)
{
    struct race *r = malloc(sizeof *r);
    if (!r)
        goc_panic("first_result: out of memory");
    *r = (struct race){.attempt = attempt, .ctx = ctx, .results = goc_chan_make(int, (size_t)n)};
    goc_wg_add(&r->running, n);
    for (int i = 0; i < n; i++) {
        struct entrant *e = malloc(sizeof *e);
        if (!e)
            goc_panic("first_result: out of memory");
        *e = (struct entrant){i, r};
        goc_go(attempt_main, e);
    }
    int first;
    goc_recv(r->results, &first);
    /* Our receive is over, so we are done with the channel; the attempts
     * may not be.  The janitor frees it after them.  From here on `r`
     * belongs to the janitor: do not touch it. */
    goc_go(janitor_main, r);
    return first;
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
