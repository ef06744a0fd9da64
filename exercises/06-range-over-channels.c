/* Exercise 06 — range over channels.
 *
 * Fill in the four functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * goc_range(int, v, ch) { ... } is Go's `for v := range ch`: it receives
 * until ch is closed and drained.
 * Until squares and drain work, main stops with libgoc's panic "goc_chan_free
 * of the channel made at ... while goroutines are still blocked on it": the
 * goroutine sending 1..5 still waits for a receiver, and freeing a channel
 * under a waiting goroutine is a bug libgoc refuses. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* Where the values end up: called once per value received. */
typedef void (*sink_fn)(int value, void *ctx);

/* ---- drain --------------------------------------------------------------------- */

/* GRADED: drain
 * Calls sink(v, ctx) for every value v received from `in`, in order, until
 * `in` is closed and drained; returns how many values there were.  Does
 * not close or free `in`. */
int drain(goc_recvch in, sink_fn sink, void *ctx)
{
    /* TODO: range over in, calling sink for each value and counting. */
    (void)in;
    (void)sink;
    (void)ctx;
    return 0;
}

/* ---- squares ------------------------------------------------------------------- */

struct stage {
    goc_recvch in;
    goc_sendch out;
};

static void squares_main(void *arg)
{
    struct stage s = *(struct stage *)arg;
    free(arg);
    /* TODO: range over s.in, sending v * v on s.out; when the range ends,
     *       say that nothing more will come out (on which channel?). */
    (void)s;
}

/* GRADED: squares
 * A pipeline stage: starts a goroutine that receives every value v from
 * `in` and sends v*v, in the same order, on a new channel, which it closes
 * once `in` is closed and drained.  Returns the receiving side of that new
 * channel at once; the caller owns it (drains it, then goc_chan_free).
 * `in` stays the caller's: the stage never closes or frees it. */
goc_recvch squares(goc_recvch in)
{
    goc_chan *out = goc_chan_make(int, 0);
    /* TODO: instead of closing out here, start squares_main with its own
     *       struct stage (malloc; the goroutine frees it). */
    goc_close(out);
    (void)in;
    (void)squares_main; /* silences "unused" until you call it; delete then */
    return goc_recv_only(out);
}

/* ---- produce_consume ---------------------------------------------------------------- */

struct producer {
    int first, count;
    goc_sendch out;
    goc_waitgroup *producing;
};

static void producer_main(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < p->count; i++)
        goc_send(p->out, &(int){p->first + i});
    /* No close here: the other producers may still be sending. */
    goc_wg_done(p->producing);
}

/* One per produce_consume call.  It can live on produce_consume's stack:
 * produce_consume waits for the consumers, who finish only after the
 * closer's close.  (If you malloc it instead, closer_main frees it.) */
struct closer {
    goc_sendch out;
    goc_waitgroup *producing;
};

static void closer_main(void *arg)
{
    struct closer *c = arg;
    /* TODO: wait until every producer is done, then close c->out. */
    (void)c;
}

struct consumer {
    goc_recvch in;
    sink_fn sink;
    void *ctx;
    int received; /* this consumer's own count: no other goroutine writes it */
    goc_waitgroup *consuming;
};

static void consumer_main(void *arg)
{
    struct consumer *c = arg;
    /* TODO: range over c->in, calling c->sink for each value and counting
     *       it in c->received; then tell c->consuming this consumer is done. */
    (void)c;
}

/* GRADED: produce_consume
 * Producer p (0 <= p < producers) sends the values p*per, p*per+1, ...,
 * p*per+per-1 on one channel shared by everybody; `consumers` goroutines
 * receive from it with goc_range and call sink(v, ctx) for each value.
 * The channel is closed exactly once, after every producer has finished.
 * Returns, once every consumer has finished, how many values the
 * consumers received in all; no sink call happens after it returns. */
int produce_consume(int producers, int per, int consumers, sink_fn sink, void *ctx)
{
    /* TODO, in this order:
     *   1. one channel of int, and arrays of struct consumer / struct
     *      producer (malloc), two goc_waitgroups (producing, consuming);
     *   2. start `consumers` consumer_main goroutines, counted in consuming;
     *   3. start `producers` producer_main goroutines, counted in producing
     *      (producer p sends from p * per, `per` values);
     *   4. start one closer_main: the only goroutine that closes;
     *   5. wait for the consumers, add up their `received`, free what you
     *      made, return the total. */
    (void)producers;
    (void)per;
    (void)consumers;
    (void)sink;
    (void)ctx;
    (void)producer_main; /* silences "unused" until you call them; delete then */
    (void)consumer_main;
    (void)closer_main;
    return 0;
}

/* ---- take ---------------------------------------------------------------------------- */

/* GRADED: take
 * Stores the first k values received from `in` in out[0..k-1] and returns
 * how many it stored (fewer than k if `in` closes first).  It keeps
 * receiving, and discards, everything after the k-th value until `in` is
 * closed, so the sender can always finish.  Does not close or free `in`. */
int take(goc_recvch in, int k, int *out)
{
    /* TODO: keep the first k values in out; what happens to the sender if
     *       you stop receiving after the k-th? */
    (void)in;
    (void)k;
    (void)out;
    return 0;
}

/* ---- the demo -------------------------------------------------------------------------- */

static void print_value(int value, void *ctx)
{
    (void)ctx;
    printf(" %d", value);
}

static void count_value(int value, void *ctx)
{
    (void)value;
    (void)ctx;
}

struct numbers {
    int n;
    goc_sendch out;
};

static void send_numbers(void *arg)
{
    struct numbers *s = arg;
    for (int i = 1; i <= s->n; i++)
        goc_send(s->out, &i);
    goc_close(s->out);
}

int main(void)
{
    goc_chan *nums = goc_chan_make(int, 0);
    struct numbers five = {5, goc_send_only(nums)};
    goc_go(send_numbers, &five);
    goc_recvch sq = squares(goc_recv_only(nums));
    printf("squares:");
    int n = drain(sq, print_value, NULL);
    printf(" (%d values)\n", n);
    goc_chan_free(sq);
    goc_chan_free(nums);

    int got = produce_consume(3, 4, 2, count_value, NULL);
    printf("3 producers x 4 values, 2 consumers: %d values consumed\n", got);

    goc_chan *many = goc_chan_make(int, 0);
    struct numbers twenty = {20, goc_send_only(many)};
    goc_go(send_numbers, &twenty);
    int first[3] = {0};
    int kept = take(goc_recv_only(many), 3, first);
    printf("took %d: %d %d %d; the sender could finish\n", kept, first[0], first[1], first[2]);
    goc_chan_free(many);
    return 0;
}
