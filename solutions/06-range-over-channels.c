/* Exercise 06 — range over channels: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -Ilib/include solutions/06-range-over-channels.c build/lib/plain/libgoc.a -pthread */
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
    int n = 0;
    /* The loop ends on the close, never because the channel is empty for
     * a moment: that is the whole contract of range. */
    goc_range(int, v, in) {
        sink(v, ctx);
        n++;
    }
    return n;
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
    goc_range(int, v, s.in) {
        int sq = v * v;
        goc_send(s.out, &sq);
    }
    /* Our input is closed and drained, so nothing more will come out:
     * close the output we own, and leave the input to its sender. */
    goc_close(s.out);
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
    struct stage *s = malloc(sizeof *s);
    if (!s)
        goc_panic("squares: out of memory");
    *s = (struct stage){in, goc_send_only(out)};
    goc_go(squares_main, s);
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
    /* The one goroutine that knows when every producer is finished. */
    goc_wg_wait(c->producing);
    goc_close(c->out);
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
    goc_range(int, v, c->in) {
        c->sink(v, c->ctx);
        c->received++;
    }
    goc_wg_done(c->consuming);
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
    goc_chan *ch = goc_chan_make(int, 0);
    struct producer *ps = malloc(sizeof *ps * (size_t)producers);
    struct consumer *cs = malloc(sizeof *cs * (size_t)consumers);
    if ((producers && !ps) || (consumers && !cs))
        goc_panic("produce_consume: out of memory");
    goc_waitgroup producing = {0}, consuming = {0};

    goc_wg_add(&consuming, consumers);
    for (int i = 0; i < consumers; i++) {
        cs[i] = (struct consumer){goc_recv_only(ch), sink, ctx, 0, &consuming};
        goc_go(consumer_main, &cs[i]);
    }
    goc_wg_add(&producing, producers);
    for (int p = 0; p < producers; p++) {
        ps[p] = (struct producer){p * per, per, goc_send_only(ch), &producing};
        goc_go(producer_main, &ps[p]);
    }
    struct closer closer = {goc_send_only(ch), &producing};
    goc_go(closer_main, &closer);

    /* The consumers end only after the close, and the close comes only
     * after the producers: this one wait covers everybody's use of ch. */
    goc_wg_wait(&consuming);
    int total = 0;
    for (int i = 0; i < consumers; i++)
        total += cs[i].received; /* safe: each consumer is done writing */
    /* The closer may still be returning from goc_close, but it touches
     * neither `ch` nor `closer` again; ranging consumers saw the close. */
    goc_chan_free(ch);
    free(ps);
    free(cs);
    return total;
}

/* ---- take ---------------------------------------------------------------------------- */

/* GRADED: take
 * Stores the first k values received from `in` in out[0..k-1] and returns
 * how many it stored (fewer than k if `in` closes first).  It keeps
 * receiving, and discards, everything after the k-th value until `in` is
 * closed, so the sender can always finish.  Does not close or free `in`. */
int take(goc_recvch in, int k, int *out)
{
    int n = 0;
    goc_range(int, v, in) {
        if (n < k)
            out[n++] = v;
        /* No break: a sender blocked on a channel nobody reads any more
         * would never finish (lesson 12 shows how to tell it to stop
         * instead of reading everything). */
    }
    return n;
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
