/* Exercise 14 — fan-in and fan-out: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -D_GNU_SOURCE -pthread -Ilib/include solutions/14-fan-in-fan-out.c \
 *      build/lib/plain/libgoc.a && ./a.out */
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
    return goc_select(goc_case_send(out, &v), goc_case_recv_discard(goc_ctx_done(ctx))) == 0;
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
    for (int i = 0; i < g.n; i++)
        if (!send_or_done(g.ctx, g.out, g.vals[i]))
            break; /* cancelled: nobody wants the rest */
    goc_close(g.out); /* the stage closes its own output, on every path */
}

/* GRADED: gen */
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
    goc_range(int, v, s->in) {
        if (cancelled)
            continue;
        cancelled = !send_or_done(s->ctx, s->out, s->f(v, s->fctx));
    }
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

/* GRADED: fan_out */
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
    for (int i = 0; i < workers; i++)
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

static void merge_closer(void *arg)
{
    struct merge *m = arg;
    goc_wg_wait(&m->forwarders);
    goc_close(m->out);
    free(m);
}

/* GRADED: merge */
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
    goc_wg_add(&m->forwarders, n);
    for (int i = 0; i < n; i++) {
        struct forward *f = malloc(sizeof *f);
        if (!f)
            goc_panic("merge: out of memory");
        *f = (struct forward){m, ins[i]};
        goc_go(forward_main, f);
    }
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
        goc_mutex_lock(&r->mu);
        if (!r->first) {
            /* Keep the first error: the later ones are mostly "canceled",
             * caused by this one.  Wrap it with the value that failed. */
            r->first = goc_error_wrap(err, "value %d", v);
            err = NULL;
        }
        goc_mutex_unlock(&r->mu);
        goc_error_free(err);      /* not kept: ours to free (NULL is fine) */
        goc_ctx_cancel(r->ctx);   /* stop gen and the other workers */
    }
}

/* GRADED: pipeline_sum */
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
