/* Exercise 05 — channel directions and closing.
 *
 * Fill in the four functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * Until broadcast_stop is right, main ends in libgoc's deadlock report:
 * two workers still wait on `stop`, because a send wakes only one of them.
 * The lesson shows how to read it. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- generate ---------------------------------------------------------------- */

struct generator {
    int from, to;
    goc_sendch out; /* the generator only sends: it cannot receive by mistake */
};

static void generate_main(void *arg)
{
    struct generator g = *(struct generator *)arg;
    free(arg);
    /* TODO: send every value from g.from to g.to - 1 on g.out, then tell
     *       the receiver that nothing more will come. */
    (void)g;
}

/* GRADED: generate
 * Returns a channel on which a new goroutine sends from, from+1, ..., to-1
 * and then closes it (from >= to: closed with nothing sent).  The caller
 * gets only the receiving side; it receives until the channel is closed,
 * then frees it with goc_chan_free. */
goc_recvch generate(int from, int to)
{
    goc_chan *ch = goc_chan_make(int, 0);
    /* TODO: instead of closing the channel here, start generate_main in a
     *       goroutine with its own struct generator (malloc; the goroutine
     *       frees it) holding goc_send_only(ch). */
    goc_close(ch);
    (void)from;
    (void)to;
    (void)generate_main; /* silences "unused" until you call it; delete then */
    return goc_recv_only(ch);
}

/* ---- sum_all ------------------------------------------------------------------ */

/* GRADED: sum_all
 * Receives every value from `in` until it is closed and drained, stores
 * how many values there were in *count, and returns their sum.  Zero is an
 * ordinary value.  Never closes `in` (it only receives) and does not free
 * it.  Several sum_all calls may share one channel: each value goes to
 * exactly one of them. */
long sum_all(goc_recvch in, int *count)
{
    /* TODO: receive until the channel says it is closed (how does
     *       goc_recv tell you?), adding up the values and counting them. */
    (void)in;
    *count = 0;
    return 0;
}

/* ---- split ---------------------------------------------------------------------- */

/* GRADED: split
 * Receives every value from `in` until it is closed, sends each even value
 * on `evens` and each odd value (negative ones too) on `odds`, in the
 * order received; once `in` is closed and drained, closes both outputs,
 * exactly once each, and returns.  It never closes `in`. */
void split(goc_recvch in, goc_sendch evens, goc_sendch odds)
{
    /* TODO: receive from in until it is closed, forwarding each value to
     *       evens or odds; then close what you sent on (and only that). */
    (void)in;
    (void)evens;
    (void)odds;
}

/* ---- broadcast_stop ---------------------------------------------------------------- */

/* GRADED: broadcast_stop
 * Tells every goroutine that receives from `stop` — those waiting now and
 * any that receive later — that it is time to stop, without blocking.
 * Called once. */
void broadcast_stop(goc_sendch stop)
{
    /* TODO: this wakes one waiting receiver.  What reaches every receiver,
     *       the ones waiting now and the ones that come later? */
    goc_send(stop, &(char){0});
}

/* ---- the demo ------------------------------------------------------------------------ */

struct summer {
    goc_recvch in;
    const char *name;
    goc_chan *done;
};

static void summer_main(void *arg)
{
    struct summer *s = arg;
    int count;
    long sum = sum_all(s->in, &count);
    printf("%s: %d values, sum %ld\n", s->name, count, sum);
    goc_send(s->done, &(char){0});
}

struct stopper {
    int id;
    goc_recvch stop;
    goc_waitgroup *wg;
};

static void wait_for_stop(void *arg)
{
    struct stopper *w = arg;
    goc_recv_discard(w->stop); /* returns at once when stop is closed */
    printf("worker %d saw stop\n", w->id);
    goc_wg_done(w->wg);
}

int main(void)
{
    goc_recvch numbers = generate(-3, 7);
    goc_chan *evens = goc_chan_make(int, 0), *odds = goc_chan_make(int, 0);
    goc_chan *done = goc_chan_make(char, 0);
    struct summer se = {goc_recv_only(evens), "evens", done};
    struct summer so = {goc_recv_only(odds), "odds", done};
    goc_go(summer_main, &se);
    goc_go(summer_main, &so);
    split(numbers, goc_send_only(evens), goc_send_only(odds));
    goc_recv_discard(done);
    goc_recv_discard(done);
    goc_chan_free(numbers); /* the receiver owns what generate returned */
    goc_chan_free(evens);
    goc_chan_free(odds);
    goc_chan_free(done);

    /* Try it: uncomment the next line and build.  A goc_recvch cannot be
     * sent on; the compiler says so, as Go's does. */
    /* goc_send(numbers, &(int){1}); */

    goc_chan *stop = goc_chan_make(char, 0);
    goc_waitgroup wg = {0};
    struct stopper workers[3];
    goc_wg_add(&wg, 3);
    for (int i = 0; i < 3; i++) {
        workers[i] = (struct stopper){i, goc_recv_only(stop), &wg};
        goc_go(wait_for_stop, &workers[i]);
    }
    broadcast_stop(goc_send_only(stop));
    goc_wg_wait(&wg);
    char c;
    bool ok = goc_recv(stop, &c);
    printf("after the close, a receive returns at once: ok = %s\n", ok ? "true" : "false");
    goc_chan_free(stop);
    return 0;
}
