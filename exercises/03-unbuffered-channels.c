/* Exercise 03 — unbuffered channels.
 *
 * Fill in the four functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * Until a function is written, main may stop with libgoc's report
 * "fatal error: all goroutines are asleep - deadlock!": a receive or send
 * that nothing will ever answer.  The lesson shows how to read it. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- compute_in_goroutine ------------------------------------------------ */

struct computation {
    int (*f)(int);
    int x;
    goc_chan *result; /* unbuffered: the send waits for the receiver */
};

static void compute(void *arg)
{
    struct computation *c = arg;
    /* TODO: compute c->f(c->x) and send the result on c->result. */
    (void)c;
}

/* GRADED: compute_in_goroutine
 * Runs f(x) in a new goroutine and returns its result, handed back over an
 * unbuffered channel that compute_in_goroutine makes and frees. */
int compute_in_goroutine(int (*f)(int), int x)
{
    /* TODO: make an unbuffered channel of int, start compute in a new
     *       goroutine, receive the result, free the channel, return it. */
    (void)f;
    (void)x;
    (void)compute; /* silences "unused" until you call it; delete then */
    return 0;
}

/* ---- relay ------------------------------------------------------------------ */

/* GRADED: relay
 * Receives n ints from `in`, one at a time, and sends each one plus one on
 * `out` before receiving the next.  Returns after the n-th send.  The
 * channels belong to the caller. */
void relay(goc_chan *in, goc_chan *out, int n)
{
    /* TODO: n times: receive an int from in, send it plus one on out. */
    (void)in;
    (void)out;
    (void)n;
}

/* ---- run_with_done ------------------------------------------------------- */

struct background {
    void (*task)(void *);
    void *ctx;
    goc_chan *done;
};

static void background_main(void *arg)
{
    /* run_with_done has long returned: the goroutine owns its copy of the
     * arguments and frees it. */
    struct background b = *(struct background *)arg;
    free(arg);
    /* TODO: run the task, then send true on b.done. */
    (void)b;
}

/* GRADED: run_with_done
 * Starts task(ctx) in a new goroutine and returns at once.  When task has
 * returned, that goroutine sends true on `done` (an unbuffered channel of
 * bool that the caller made, receives from, and frees). */
void run_with_done(void (*task)(void *), void *ctx, goc_chan *done)
{
    /* TODO: malloc a struct background with task, ctx and done, and start
     *       background_main with it in a new goroutine.  Do not wait. */
    (void)task;
    (void)ctx;
    (void)done;
    (void)background_main; /* silences "unused" until you call it; delete then */
}

/* ---- start_counter ------------------------------------------------------- */

struct counter {
    int n;
    goc_chan *out;
};

static void count_up(void *arg)
{
    struct counter c = *(struct counter *)arg;
    free(arg);
    /* TODO: send 0, 1, ..., c.n - 1 on c.out, then return. */
    (void)c;
}

/* GRADED: start_counter
 * Makes an unbuffered channel of int, starts a goroutine that sends 0, 1,
 * ..., n-1 on it and then returns, and returns the channel at once.  The
 * caller receives the n values and then frees the channel. */
goc_chan *start_counter(int n)
{
    /* TODO: make an unbuffered channel of int, start count_up in a new
     *       goroutine with a struct counter (malloc) holding n and the
     *       channel, and return the channel. */
    (void)n;
    (void)count_up; /* silences "unused" until you call it; delete then */
    return NULL;
}

/* ---- demo ------------------------------------------------------------------ */

static int square(int x) { return x * x; }

static void relay_three(void *arg)
{
    goc_chan **chans = arg;
    relay(chans[0], chans[1], 3);
}

static void say_hello(void *ctx) { printf("background task says %s\n", (const char *)ctx); }

int main(void)
{
    printf("7 squared, computed in another goroutine: %d\n", compute_in_goroutine(square, 7));

    goc_chan *chans[2] = {goc_chan_make(int, 0), goc_chan_make(int, 0)};
    goc_go(relay_three, chans);
    for (int v = 10; v <= 30; v += 10) {
        int back;
        goc_send(chans[0], &v);
        goc_recv(chans[1], &back);
        printf("sent %d, the relay answered %d\n", v, back);
    }
    goc_chan_free(chans[0]);
    goc_chan_free(chans[1]);

    goc_chan *done = goc_chan_make(bool, 0);
    run_with_done(say_hello, "hello", done);
    bool ok;
    goc_recv(done, &ok); /* blocks until the task has finished */
    goc_chan_free(done);

    goc_chan *count = start_counter(4);
    printf("the counter sent:");
    for (int i = 0; i < 4; i++) { /* exactly as many receives as sends */
        int v;
        goc_recv(count, &v);
        printf(" %d", v);
    }
    printf("\n");
    goc_chan_free(count); /* the caller frees: it is the last one to use it */
    return 0;
}
