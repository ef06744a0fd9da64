/* WRONG ON PURPOSE — compute_in_goroutine sends on its unbuffered channel with no receiver.
 * graders/tests/run.sh checks that the 03 grader rejects this file with
 * the message graders/tests/wrong.tsv names. */
/* Exercise 03 — unbuffered channels, done wrong. */
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
    int r = c->f(c->x);
    /* The handshake: this send completes only when the caller has taken
     * the value, so after it nothing here touches c or the channel. */
    goc_send(c->result, &r);
}

/* GRADED: compute_in_goroutine
 * Runs f(x) in a new goroutine and returns its result, handed back over an
 * unbuffered channel that compute_in_goroutine makes and frees. */
int compute_in_goroutine(int (*f)(int), int x)
{
    struct computation c = {f, x, goc_chan_make(int, 0)};
    (void)compute;
    int r = f(x);
    goc_send(c.result, &r); /* the mistake: nobody is receiving yet, so this waits forever */
    goc_recv(c.result, &r);
    /* The maker frees, and only after the last operation on it. */
    goc_chan_free(c.result);
    return r;
}

/* ---- relay ------------------------------------------------------------------ */

/* GRADED: relay
 * Receives n ints from `in`, one at a time, and sends each one plus one on
 * `out` before receiving the next.  Returns after the n-th send.  The
 * channels belong to the caller. */
void relay(goc_chan *in, goc_chan *out, int n)
{
    for (int i = 0; i < n; i++) {
        int v;
        goc_recv(in, &v);
        v++;
        goc_send(out, &v);
    }
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
    b.task(b.ctx);
    /* Sent after the task, never before: receiving it must mean "done". */
    bool finished = true;
    goc_send(b.done, &finished);
}

/* GRADED: run_with_done
 * Starts task(ctx) in a new goroutine and returns at once.  When task has
 * returned, that goroutine sends true on `done` (an unbuffered channel of
 * bool that the caller made, receives from, and frees). */
void run_with_done(void (*task)(void *), void *ctx, goc_chan *done)
{
    struct background *b = malloc(sizeof *b);
    if (!b)
        goc_panic("run_with_done: no memory");
    *b = (struct background){task, ctx, done};
    goc_go(background_main, b);
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
    for (int i = 0; i < c.n; i++)
        goc_send(c.out, &i); /* each send waits for the caller's receive */
    /* Exactly n sends: one more would wait for a receive that never comes,
     * and this goroutine would be stuck for good (a leak). */
}

/* GRADED: start_counter
 * Makes an unbuffered channel of int, starts a goroutine that sends 0, 1,
 * ..., n-1 on it and then returns, and returns the channel at once.  The
 * caller receives the n values and then frees the channel. */
goc_chan *start_counter(int n)
{
    struct counter *c = malloc(sizeof *c);
    if (!c)
        goc_panic("start_counter: no memory");
    *c = (struct counter){n, goc_chan_make(int, 0)};
    goc_chan *ch = c->out; /* read before goc_go: c belongs to the goroutine after */
    goc_go(count_up, c);
    return ch;
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
