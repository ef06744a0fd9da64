/* Exercise 14 — fan-in and fan-out.
 *
 * Fill in the functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them
 * As shipped, everything "works" on the happy path of the demo: but gen
 * ignores cancellation, fan_out has one worker, merge reads its inputs one
 * after another, and pipeline_sum ignores errors.
 *
 * Ownership, for every stage: a stage takes over the channel(s) it is
 * given and frees each once it has been closed and drained; it returns
 * its output, which it closes when it is done (also after a cancel), and
 * which the caller frees after seeing it closed. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* The work of a fan-out stage: one value in, one value out. */
typedef int (*map_fn)(int v, void *fctx);
/* The work of pipeline_sum: may fail; *out is set on success. */
typedef goc_error *(*step_fn)(goc_ctx *ctx, int in, int *out, void *fctx);

/* Sends v on out unless ctx is cancelled first.  Every send of every
 * stage goes through here: a plain goc_send would wait forever once the
 * consumer has stopped reading, and that goroutine would leak. */
static bool send_or_done(goc_ctx *ctx, goc_chan *out, int v)
{
    /* TODO: a goc_select between sending v on out and receiving from
     *       goc_ctx_done(ctx); true if the value was sent. */
    (void)ctx;
    goc_send(out, &v);
    return true;
}

/* ---- gen -------------------------------------------------------------------- */

struct gen {
    goc_ctx *ctx;
    const int *vals;
    int n;
    goc_chan *out;
};

static void gen_main(void *arg)
{
    struct gen g = *(struct gen *)arg;
    free(arg);
    /* TODO: stop early when the context is cancelled (send_or_done). */
    for (int i = 0; i < g.n; i++)
        goc_send(g.out, &g.vals[i]);
    goc_close(g.out);
}

/* GRADED: gen
 * Returns a channel on which one goroutine sends vals[0..n-1] in order and
 * then closes it.  Once ctx is cancelled it sends nothing more and closes
 * the channel at once (it never stays blocked in a send).  The caller keeps
 * vals alive until the channel is closed. */
goc_recvch gen(goc_ctx *ctx, const int *vals, int n)
{
    struct gen *g = malloc(sizeof *g);
    if (!g)
        goc_panic("gen: out of memory");
    *g = (struct gen){ctx, vals, n, goc_chan_make(int, 0)};
    goc_chan *out = g->out; /* g is the goroutine's from here on */
    goc_go(gen_main, g);
    return goc_recv_only(out);
}

/* ---- fan_out ------------------------------------------------------------------ */

struct fan {
    goc_ctx *ctx;
    goc_recvch in;
    map_fn f;
    void *fctx;
    goc_chan *out;
    goc_waitgroup workers;
};

/* Many workers range over the same input: each value goes to one of them.
 * After a cancel a worker stops sending but keeps receiving, so the stage
 * upstream is never left blocked on us; it stops too and closes. */
static void fan_worker(void *arg)
{
    struct fan *s = arg;
    bool cancelled = false;
    /* TODO: after a cancel, keep receiving but stop calling f and sending
     *       (no break: fan_closer frees `in` as soon as the workers return,
     *       and the stage upstream may still be sending on it). */
    (void)cancelled;
    goc_range(int, v, s->in)
        send_or_done(s->ctx, s->out, s->f(v, s->fctx));
}

/* The one closer: a worker cannot close the shared output (the others may
 * still send on it), so this goroutine waits for all of them first. */
static void fan_closer(void *arg)
{
    struct fan *s = arg;
    goc_wg_wait(&s->workers);
    goc_chan_free(s->in); /* closed and drained: ours since fan_out took it */
    goc_close(s->out);
    free(s);
}

/* GRADED: fan_out
 * Starts `workers` goroutines that all take values from `in` and send
 * f(v, fctx) on one output channel, which is closed once, after the last
 * worker is done.  Results come in any order.  After a cancel no worker
 * stays blocked sending; they drain `in` to its close and the output is
 * closed.  fan_out takes `in` over and frees it once it is drained. */
goc_recvch fan_out(goc_ctx *ctx, goc_recvch in, int workers, map_fn f, void *fctx)
{
    struct fan *s = calloc(1, sizeof *s); /* zeroed: the WaitGroup */
    if (!s)
        goc_panic("fan_out: out of memory");
    s->ctx = ctx;
    s->in = in;
    s->f = f;
    s->fctx = fctx;
    s->out = goc_chan_make(int, 0);
    goc_chan *out = s->out;
    /* TODO: `workers` workers, not one. */
    (void)workers;
    goc_wg_go(&s->workers, fan_worker, s);
    goc_go(fan_closer, s);
    return goc_recv_only(out);
}

/* ---- merge -------------------------------------------------------------------- */

struct merge {
    goc_ctx *ctx;
    goc_chan *out;
    goc_waitgroup forwarders;
};

struct forward {
    struct merge *m;
    goc_recvch in;
};

/* One forwarder per input, all at once: a quiet input holds up only its
 * own forwarder, never the others. */
static void forward_main(void *arg)
{
    struct forward f = *(struct forward *)arg;
    free(arg);
    bool cancelled = false;
    goc_range(int, v, f.in) {
        if (!cancelled)
            cancelled = !send_or_done(f.m->ctx, f.m->out, v);
    }
    goc_chan_free(f.in); /* closed by its producer: ours to free */
    goc_wg_done(&f.m->forwarders);
}

/* As shipped: input 1 is read only after input 0 was closed, and so on.
 * Delete it when merge starts a forward_main per input. */
struct sequential {
    struct merge *m;
    int n;
    goc_recvch ins[];
};

static void sequential_main(void *arg)
{
    struct sequential *q = arg;
    for (int i = 0; i < q->n; i++) {
        goc_range(int, v, q->ins[i])
            send_or_done(q->m->ctx, q->m->out, v);
        goc_chan_free(q->ins[i]);
    }
    goc_wg_done(&q->m->forwarders);
    free(q);
}

static void merge_closer(void *arg)
{
    struct merge *m = arg;
    goc_wg_wait(&m->forwarders);
    goc_close(m->out);
    free(m);
}

/* GRADED: merge
 * Returns one channel carrying every value from ins[0..n-1] (each input
 * read as soon as it has values, whatever the others do), closed once,
 * after every input was closed.  After a cancel nothing more is sent, the
 * inputs are still drained to their close, and the output is closed.
 * merge takes the inputs over and frees each once it is closed; it copies
 * the array `ins`. */
goc_recvch merge(goc_ctx *ctx, goc_recvch *ins, int n)
{
    struct merge *m = calloc(1, sizeof *m);
    if (!m)
        goc_panic("merge: out of memory");
    m->ctx = ctx;
    m->out = goc_chan_make(int, 0);
    goc_chan *out = m->out;
    /* Count every forwarder before starting any: otherwise the closer
     * could see zero and close while some are still to come. */
    /* TODO: one forward_main goroutine per input, all at once, counted
     *       in m->forwarders before any starts.  As shipped, one goroutine
     *       forwards the inputs one after another. */
    struct sequential *q = malloc(sizeof *q + (size_t)n * sizeof *ins);
    if (!q)
        goc_panic("merge: out of memory");
    q->m = m;
    q->n = n;
    for (int i = 0; i < n; i++)
        q->ins[i] = ins[i];
    goc_wg_add(&m->forwarders, 1);
    goc_go(sequential_main, q);
    (void)forward_main; /* silences "unused" until you call it; delete then */
    goc_go(merge_closer, m);
    return goc_recv_only(out);
}

/* ---- pipeline_sum --------------------------------------------------------------- */

struct run {
    goc_ctx *ctx;
    goc_recvch in;
    step_fn f;
    void *fctx;
    goc_mutex mu;
    goc_error *first; /* the error that caused the cancel; owned by the run */
    goc_waitgroup workers;
};

struct step_worker {
    struct run *r;
    long partial; /* this worker's own sum: no sharing, no lock */
};

static void step_main(void *arg)
{
    struct step_worker *w = arg;
    struct run *r = w->r;
    goc_range(int, v, r->in) {
        int out;
        goc_error *err = r->f(r->ctx, v, &out, r->fctx);
        if (!err) {
            w->partial += out;
            continue;
        }
        /* TODO: keep the first error (read and set r->first only under
         *       r->mu), wrapped as "value <v>: ...", free the others, and
         *       cancel r->ctx. */
        goc_error_free(err);
    }
}

/* GRADED: pipeline_sum
 * Runs f(ctx, v, &out, fctx) for every value on `workers` goroutines (fed
 * by gen) and sets *sum to the sum of the outs; returns NULL.  The first
 * f that fails cancels everything, and pipeline_sum returns that error
 * wrapped as "value <v>: <error>" (the caller frees it).  If `parent` is
 * cancelled, returns an error for which goc_error_is(err, goc_canceled)
 * holds.  No goroutine it started is running when it returns. */
goc_error *pipeline_sum(goc_ctx *parent, const int *vals, int n, int workers, step_fn f,
                        void *fctx, long *sum)
{
    struct run r = {.f = f, .fctx = fctx};
    r.ctx = goc_ctx_with_cancel(parent);
    r.in = gen(r.ctx, vals, n);
    struct step_worker *ws = calloc((size_t)workers, sizeof *ws);
    if (!ws)
        goc_panic("pipeline_sum: out of memory");
    for (int i = 0; i < workers; i++) {
        ws[i].r = &r;
        goc_wg_go(&r.workers, step_main, &ws[i]);
    }
    /* Wait for every worker before returning, error or not: r lives on
     * this stack, and "no goroutine outlives the call" is the contract. */
    goc_wg_wait(&r.workers);
    *sum = 0;
    for (int i = 0; i < workers; i++)
        *sum += ws[i].partial;
    free(ws);
    goc_chan_free(r.in); /* the workers ranged it to the close */
    goc_error *err = r.first;
    if (!err && goc_ctx_err(parent)) /* cancelled from above, before any f saw it */
        err = goc_error_wrap(goc_ctx_err(parent), "pipeline_sum");
    goc_ctx_release(r.ctx);
    return err;
}

/* ---- the demo ------------------------------------------------------------------ */

static int square(int v, void *fctx)
{
    (void)fctx;
    return v * v;
}

static goc_error err_negative = GOC_ERROR_SENTINEL("negative input");

static goc_error *checked_double(goc_ctx *ctx, int in, int *out, void *fctx)
{
    (void)ctx;
    (void)fctx;
    if (in < 0)
        return goc_error_wrap(&err_negative, "checked_double");
    *out = 2 * in;
    return NULL;
}

int main(void)
{
    goc_ctx *bg = goc_ctx_background();
    static const int vals[] = {1, 2, 3, 4, 5, 6};
    long total = 0;
    goc_recvch sq = fan_out(bg, gen(bg, vals, 6), 3, square, NULL);
    goc_range(int, v, sq)
        total += v;
    goc_chan_free(sq);
    printf("sum of squares (3 workers): %ld\n", total);

    goc_recvch ins[2] = {gen(bg, vals, 3), gen(bg, vals + 3, 3)};
    goc_recvch all = merge(bg, ins, 2);
    int count = 0;
    goc_range(int, v, all)
        count++;
    goc_chan_free(all);
    printf("merged %d values\n", count);

    long sum = 0;
    goc_error *err = pipeline_sum(bg, vals, 6, 2, checked_double, NULL, &sum);
    printf("pipeline_sum: %ld, error: %s\n", sum, goc_error_message(err));
    static const int bad[] = {1, -2, 3};
    err = pipeline_sum(bg, bad, 3, 2, checked_double, NULL, &sum);
    printf("pipeline_sum with -2: error: %s\n", goc_error_message(err));
    printf("is err_negative: %s\n", goc_error_is(err, &err_negative) ? "yes" : "no");
    goc_error_free(err);
    return 0;
}
