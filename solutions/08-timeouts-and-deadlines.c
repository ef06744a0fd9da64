/* Exercise 08 — timeouts and deadlines: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -Ilib/include solutions/08-timeouts-and-deadlines.c build/lib/plain/libgoc.a -pthread */
#include <goc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* The error call_with_timeout returns when it gives up.  A sentinel: one
 * object, compared by address with goc_error_is, never freed.  (Go would
 * export the variable, ErrTimeout; here callers in other files, the
 * grader among them, get its address from timeout_error().) */
static goc_error err_timeout = GOC_ERROR_SENTINEL("timed out");

goc_error *timeout_error(void) { return &err_timeout; }

/* ---- call_with_timeout ------------------------------------------------------------ */

typedef int (*op_fn)(void *arg);

/* What the caller and the worker share.  Either may be the last to use it:
 * the caller when the result came in time, the worker when the caller gave
 * up first.  So neither frees it directly; the last one out does. */
struct call {
    op_fn op;
    void *arg;
    goc_chan *result; /* capacity 1: the worker's send never waits, even with nobody left to receive */
    _Atomic(int) users;
};

static void call_release(struct call *c)
{
    if (atomic_fetch_sub(&c->users, 1) == 1) {
        goc_chan_free(c->result);
        free(c);
    }
}

static void call_worker(void *arg)
{
    struct call *c = arg;
    int r = c->op(c->arg);
    goc_send(c->result, &r); /* lands in the buffer whether or not the caller still waits */
    call_release(c);
}

/* GRADED: call_with_timeout
 * Runs op(arg) in a new goroutine and waits at most d for its result.
 *   in time:   stores the result in *out and returns NULL;
 *   too late:  returns &err_timeout at once, *out untouched, while op is
 *              still running.
 * A timeout does not stop op: it finishes later, and must then be able to
 * deliver its result without blocking and without touching memory that
 * has been freed.  Everything the call allocates is freed, by whoever
 * finishes last.  No timer is left running when it returns. */
goc_error *call_with_timeout(op_fn op, void *arg, goc_duration d, int *out)
{
    struct call *c = malloc(sizeof *c);
    if (!c)
        goc_panic("call_with_timeout: out of memory");
    *c = (struct call){op, arg, goc_chan_make(int, 1), 2};
    goc_go(call_worker, c);

    goc_chan *timeout = goc_after(d);
    int r;
    goc_error *err = NULL;
    if (goc_select(goc_case_recv(c->result, &r), goc_case_recv_discard(timeout)) == 0)
        *out = r;
    else
        err = &err_timeout;
    goc_chan_free(timeout); /* stops the timer when the result won */
    call_release(c);        /* the worker may still hold it: it frees last if so */
    return err;
}

/* ---- retry ------------------------------------------------------------------------ */

/* GRADED: retry
 * Calls op(arg) through call_with_timeout up to `tries` times, until one
 * attempt returns a value >= 0 in time (stored in *out; returns NULL).  A
 * negative value is a failed attempt; so is a timeout.  Each attempt gets
 * per_try, but never more than what is left of `overall`, which counts
 * from the call: no attempt runs past it, and none starts once it is
 * spent.  When it gives up, returns a new error (the caller frees it)
 * "after N tries: <last reason>" that wraps &err_timeout when the last
 * attempt timed out. */
goc_error *retry(op_fn op, void *arg, int tries, goc_duration per_try, goc_duration overall,
                 int *out)
{
    static goc_error failed = GOC_ERROR_SENTINEL("attempt failed");
    goc_time end = goc_now() + overall; /* one budget for every attempt */
    goc_error *last = NULL;
    int made = 0;
    while (made < tries) {
        goc_duration left = end - goc_now();
        if (left <= 0)
            break; /* out of budget: do not start another attempt */
        int v = -1;
        made++;
        /* The attempt may take per_try, or what is left, whichever is less. */
        last = call_with_timeout(op, arg, per_try < left ? per_try : left, &v);
        if (!last && v >= 0) {
            *out = v;
            return NULL;
        }
        if (!last)
            last = &failed;
    }
    if (!last)
        last = &err_timeout; /* no attempt fitted in the budget */
    return goc_error_wrap(last, "after %d tries", made);
}

/* ---- poll_until ------------------------------------------------------------------- */

/* GRADED: poll_until
 * Calls ready(arg) once at once, then once per tick of a ticker of period
 * `every`, until it returns true; returns how many calls that took.  If
 * `budget` (counted from the call) runs out first, returns -1 without
 * calling ready again.  The budget is one deadline for the whole loop.
 * Stops its ticker and frees its timer on every path. */
int poll_until(bool (*ready)(void *arg), void *arg, goc_duration every, goc_duration budget)
{
    /* Made once, before the loop: it measures the whole poll, however
     * many ticks come. */
    goc_chan *deadline = goc_after(budget);
    goc_ticker *ticker = goc_ticker_new(every);
    int calls = 0;
    int result = -1;
    for (;;) {
        calls++;
        if (ready(arg)) {
            result = calls;
            break;
        }
        if (goc_select(goc_case_recv_discard(goc_ticker_chan(ticker)),
                       goc_case_recv_discard(deadline)) == 1)
            break; /* out of budget */
    }
    goc_ticker_stop(ticker); /* a ticker runs for ever unless stopped */
    goc_chan_free(deadline);
    return result;
}

/* ---- collect_until ---------------------------------------------------------------- */

/* GRADED: collect_until
 * Receives values from `in` into buf[0..] until `budget` has passed since
 * the call began, `in` is closed, or max values are stored, whichever
 * comes first; returns how many it stored.  The budget is for the whole
 * collection (a deadline), not for the gap between two values.  Never
 * closes or frees `in`; leaves no timer running. */
int collect_until(goc_recvch in, int *buf, int max, goc_duration budget)
{
    goc_chan *deadline = goc_after(budget); /* once: values arriving do not extend it */
    int n = 0;
    while (n < max) {
        int v;
        bool ok;
        if (goc_select(goc_case_recv_ok(in, &v, &ok), goc_case_recv_discard(deadline)) == 1 || !ok)
            break;
        buf[n++] = v;
    }
    goc_chan_free(deadline);
    return n;
}

/* ---- the demo ------------------------------------------------------------------------ */

static int slow_answer(void *arg)
{
    goc_sleep(*(goc_duration *)arg);
    return 42;
}

static bool third_time(void *arg)
{
    return ++*(int *)arg == 3;
}

struct ticker_source {
    goc_chan *out, *stop, *done;
};

static void every_10ms(void *arg)
{
    struct ticker_source *s = arg;
    for (int i = 1;; i++) {
        if (goc_select(goc_case_send(s->out, &i), goc_case_recv_discard(s->stop)) == 1)
            break;
        goc_sleep(10 * GOC_MILLISECOND);
    }
    goc_close(s->done);
}

int main(void)
{
    goc_duration fast = 5 * GOC_MILLISECOND, slow = 200 * GOC_MILLISECOND;
    int v = 0;
    goc_error *err = call_with_timeout(slow_answer, &fast, 100 * GOC_MILLISECOND, &v);
    printf("op of 5 ms, timeout 100 ms: %s, value %d\n", goc_error_message(err), v);
    goc_time start = goc_now();
    err = call_with_timeout(slow_answer, &slow, 50 * GOC_MILLISECOND, &v);
    printf("op of 200 ms, timeout 50 ms: %s (is err_timeout: %s), after 50 ms or more: %s\n",
           goc_error_message(err), goc_error_is(err, &err_timeout) ? "yes" : "no",
           goc_since(start) >= 50 * GOC_MILLISECOND ? "yes" : "no");

    err = retry(slow_answer, &slow, 5, 20 * GOC_MILLISECOND, 50 * GOC_MILLISECOND, &v);
    printf("retry of a 200 ms op, 20 ms per try, 50 ms in all: %s\n", goc_error_message(err));
    goc_error_free(err);

    int tries = 0;
    printf("poll_until: ready after %d calls\n",
           poll_until(third_time, &tries, 10 * GOC_MILLISECOND, GOC_SECOND));

    struct ticker_source s = {goc_chan_make(int, 0), goc_chan_make(char, 0),
                              goc_chan_make(char, 0)};
    goc_go(every_10ms, &s);
    int buf[64];
    int n = collect_until(goc_recv_only(s.out), buf, 64, 55 * GOC_MILLISECOND);
    printf("collect_until, 55 ms budget, a value every 10 ms: %d values\n", n);
    goc_close(s.stop);
    goc_recv_discard(s.done); /* the source has stopped using s.out */
    goc_chan_free(s.out);
    goc_chan_free(s.stop);
    goc_chan_free(s.done);
    /* The 200 ms ops are still running; returning from main ends them with
     * the process.  A real program would tell it to stop (lesson 12). */
    return 0;
}
