/* Exercise 07 — select.
 *
 * Fill in the three functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * Until merge2 is right, the demo still prints its values: the stub reads
 * a to the end and then b, which works here only because a never waits. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>
/* ---- merge2 ------------------------------------------------------------------ */

/* GRADED: merge2
 * Forwards every value received from `a` and from `b` to `out`, each as
 * soon as it arrives, whichever input it comes from: while one input is
 * idle, values from the other keep flowing.  When both inputs are ready,
 * either may go first (select picks at random, which keeps it fair).
 * Once an input is closed, no value is ever taken from it again.  After
 * both inputs are closed and drained, closes `out` (merge2 is its only
 * sender) and returns how many values it forwarded.  Never closes or
 * frees `a` or `b`. */
int merge2(goc_recvch a, goc_recvch b, goc_sendch out)
{
    /* TODO: this reads a to the end before it looks at b, so while a is
     *       idle, b's values wait.  Replace both loops with one loop around
     *       a goc_select on both inputs (goc_case_recv_ok tells you when an
     *       input is closed; what must happen to a closed input's case?). */
    int forwarded = 0;
    goc_range(int, v, a) {
        goc_send(out, &v);
        forwarded++;
    }
    goc_range(int, v, b) {
        goc_send(out, &v);
        forwarded++;
    }
    goc_close(out);
    return forwarded;
}

/* ---- drain_ready -------------------------------------------------------------- */

/* GRADED: drain_ready
 * Receives the values that `in` can deliver right now, without ever
 * waiting: stops when nothing is ready, when `in` is closed and drained,
 * or when `max` values are stored.  Stores them in buf[0..] in order and
 * returns how many.  A sender already blocked on an unbuffered `in` counts
 * as ready.  Never closes or frees `in`. */
int drain_ready(goc_recvch in, int *buf, int max)
{
    /* TODO: receive in a loop, but never wait: a select with a default
     *       case (goc_select_default) tells you when nothing is ready. */
    (void)in;
    (void)buf;
    (void)max;
    return 0;
}

/* ---- recv_timeout ------------------------------------------------------------------ */

/* GRADED: recv_timeout
 * Waits at most d for a value from `in`:
 *   GOC_RECEIVED     a value arrived within d (stored in *v);
 *   GOC_CLOSED       `in` is closed and drained (*v untouched);
 *   GOC_WOULD_BLOCK  d passed with nothing received.
 * Returns as soon as a value arrives, not at the end of d.  A NULL `in`
 * (the nil channel) never delivers, so it always times out.  Leaves no
 * timer running after it returns: the goc_after channel it makes is
 * freed on every path. */
goc_try_result recv_timeout(goc_recvch in, int *v, goc_duration d)
{
    /* TODO: wait for whichever comes first, a value from in or the end of
     *       d (goc_after(d) is a channel that receives once, after d), and
     *       free the goc_after channel before returning. */
    (void)in;
    (void)v;
    (void)d;
    return GOC_WOULD_BLOCK;
}

/* ---- the demo ------------------------------------------------------------------------ */

struct source {
    int first, count;
    goc_sendch out;
};

static void source_main(void *arg)
{
    struct source *s = arg;
    for (int i = 0; i < s->count; i++)
        goc_send(s->out, &(int){s->first + i});
    goc_close(s->out);
}

struct merge_args {
    goc_recvch a, b;
    goc_sendch out;
};

static void merge_main(void *arg)
{
    struct merge_args *m = arg;
    merge2(m->a, m->b, m->out);
}

static void merge_demo(void)
{
    goc_chan *a = goc_chan_make(int, 0), *b = goc_chan_make(int, 0);
    goc_chan *out = goc_chan_make(int, 0);
    struct source sa = {100, 3, goc_send_only(a)}, sb = {200, 2, goc_send_only(b)};
    goc_go(source_main, &sa);
    goc_go(source_main, &sb);
    /* merge2 blocks until both inputs close, so it runs in a goroutine of
     * its own while main receives what comes out. */
    struct merge_args m = {goc_recv_only(a), goc_recv_only(b), goc_send_only(out)};
    goc_go(merge_main, &m);
    int sum = 0, n = 0;
    printf("out:");
    goc_range(int, v, out) {
        printf(" %d", v);
        sum += v;
        n++;
    }
    printf("\nmerge2: %d values reached out, sum %d\n", n, sum);
    goc_chan_free(a);
    goc_chan_free(b);
    goc_chan_free(out);
}

int main(void)
{
    merge_demo();

    /* drain_ready takes what is waiting and never blocks. */
    goc_chan *ch = goc_chan_make(int, 8);
    for (int v = 7; v <= 9; v++)
        goc_send(ch, &v);
    int buf[8];
    int n = drain_ready(goc_recv_only(ch), buf, 8);
    printf("drain_ready took %d values:", n);
    for (int i = 0; i < n; i++)
        printf(" %d", buf[i]);
    printf("\n");
    printf("drain_ready on the empty channel took %d values, without waiting\n",
           drain_ready(goc_recv_only(ch), buf, 8));

    /* recv_timeout: nobody sends, so it gives up after 50 ms. */
    goc_time start = goc_now();
    int v = -1;
    goc_try_result r = recv_timeout(goc_recv_only(ch), &v, 50 * GOC_MILLISECOND);
    printf("recv_timeout on a silent channel: %s after at least 50 ms: %s\n",
           r == GOC_WOULD_BLOCK ? "timed out" : "did not time out",
           goc_since(start) >= 50 * GOC_MILLISECOND ? "yes" : "no");
    goc_send(ch, &(int){42});
    r = recv_timeout(goc_recv_only(ch), &v, GOC_HOUR);
    printf("recv_timeout with a value waiting: %s %d at once\n",
           r == GOC_RECEIVED ? "received" : "did not receive", v);
    goc_close(ch);
    r = recv_timeout(goc_recv_only(ch), &v, GOC_HOUR);
    printf("recv_timeout on a closed channel: %s\n", r == GOC_CLOSED ? "closed" : "not closed");
    goc_chan_free(ch);

    /* Fairness: both inputs always ready; select picks each about half the time. */
    goc_chan *x = goc_chan_make(char, 1), *y = goc_chan_make(char, 1);
    int from_x = 0, from_y = 0;
    for (int i = 0; i < 1000; i++) {
        goc_try_send(x, &(char){'x'});
        goc_try_send(y, &(char){'y'});
        char c;
        if (goc_select(goc_case_recv(x, &c), goc_case_recv(y, &c)) == 0)
            from_x++;
        else
            from_y++;
    }
    printf("1000 selects with both cases ready: x %d times, y %d times\n", from_x, from_y);
    goc_chan_free(x);
    goc_chan_free(y);
    return 0;
}
