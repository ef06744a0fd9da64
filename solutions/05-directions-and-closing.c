/* Exercise 05 — channel directions and closing: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -Ilib/include solutions/05-directions-and-closing.c build/lib/plain/libgoc.a -pthread */
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
    for (int v = g.from; v < g.to; v++)
        goc_send(g.out, &v);
    /* The sender is the one who knows nothing more will come, so it
     * closes, and only after its last send. */
    goc_close(g.out);
}

/* GRADED: generate
 * Returns a channel on which a new goroutine sends from, from+1, ..., to-1
 * and then closes it (from >= to: closed with nothing sent).  The caller
 * gets only the receiving side; it receives until the channel is closed,
 * then frees it with goc_chan_free. */
goc_recvch generate(int from, int to)
{
    goc_chan *ch = goc_chan_make(int, 0);
    struct generator *g = malloc(sizeof *g);
    if (!g)
        goc_panic("generate: out of memory");
    *g = (struct generator){from, to, goc_send_only(ch)};
    goc_go(generate_main, g);
    /* Handing out only the receive side: the caller cannot send into or
     * close a channel whose sender is our goroutine. */
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
    long sum = 0;
    int n = 0;
    int v;
    /* Comma-ok: false only once the channel is closed *and* empty.  The
     * value cannot tell (a 0 may be real data); ok can. */
    while (goc_recv(in, &v)) {
        sum += v;
        n++;
    }
    *count = n;
    return sum;
}

/* ---- split ---------------------------------------------------------------------- */

/* GRADED: split
 * Receives every value from `in` until it is closed, sends each even value
 * on `evens` and each odd value (negative ones too) on `odds`, in the
 * order received; once `in` is closed and drained, closes both outputs,
 * exactly once each, and returns.  It never closes `in`. */
void split(goc_recvch in, goc_sendch evens, goc_sendch odds)
{
    int v;
    while (goc_recv(in, &v)) {
        /* v % 2 is -1 for negative odd numbers in C: test for "not 0". */
        if (v % 2 != 0)
            goc_send(odds, &v);
        else
            goc_send(evens, &v);
    }
    /* split is the only sender on both outputs, so it closes them; `in`
     * belongs to whoever sends on it. */
    goc_close(evens);
    goc_close(odds);
}

/* ---- broadcast_stop ---------------------------------------------------------------- */

/* GRADED: broadcast_stop
 * Tells every goroutine that receives from `stop` — those waiting now and
 * any that receive later — that it is time to stop, without blocking.
 * Called once. */
void broadcast_stop(goc_sendch stop)
{
    /* A send wakes one receiver and blocks when nobody is there; a close
     * wakes all of them, now and later, and never blocks. */
    goc_close(stop);
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
