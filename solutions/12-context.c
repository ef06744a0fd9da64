/* Exercise 12 — context: the reference solution.
 *
 * Build and run it on its own:
 *   cc -std=c11 -Ilib/include solutions/12-context.c build/lib/plain/libgoc.a -pthread */
#include <goc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- run_steps ---------------------------------------------------------------- */

typedef goc_error *(*step_fn)(goc_ctx *ctx, int step, void *arg);

/* GRADED: run_steps
 * Runs step(ctx, 0, arg), step(ctx, 1, arg), ... step(ctx, n-1, arg) in
 * order, on the caller's goroutine.  Before each step it looks at ctx: once
 * ctx is done (cancelled, or past its deadline) it runs no further step and
 * returns goc_ctx_err(ctx).  A step that returns an error stops the run:
 * that error is returned (and owned by the caller).  NULL when all n ran. */
goc_error *run_steps(goc_ctx *ctx, int n, step_fn step, void *arg)
{
    for (int i = 0; i < n; i++) {
        /* Checking between steps is what makes cancellation prompt: a
         * cancelled caller pays for at most the step already running. */
        goc_error *done = goc_ctx_err(ctx);
        if (done)
            return done;
        goc_error *err = step(ctx, i, arg);
        if (err)
            return err;
    }
    return NULL;
}

/* ---- wait_or_cancel ------------------------------------------------------------- */

/* GRADED: wait_or_cancel
 * Waits for a value from `ch` or for ctx to be done, whichever comes first.
 * A value: stores it in *v and returns NULL.  ctx done first: returns
 * goc_ctx_err(ctx) (goc_canceled or goc_deadline_exceeded), *v untouched.
 * `ch` is never closed in this exercise. */
goc_error *wait_or_cancel(goc_ctx *ctx, goc_recvch ch, int *v)
{
    int got;
    /* Done is a channel that is closed on cancellation: a receive case on
     * it becomes ready at that moment, for every goroutine watching. */
    if (goc_select(goc_case_recv(ch, &got), goc_case_recv_discard(goc_ctx_done(ctx))) == 1)
        return goc_ctx_err(ctx);
    *v = got;
    return NULL;
}

/* ---- fetch_each ------------------------------------------------------------------- */

typedef goc_error *(*fetch_fn)(goc_ctx *ctx, int i, void *arg);

struct item {
    goc_ctx *ctx; /* this item's own child context */
    int i;
    fetch_fn fetch;
    void *arg;
    goc_error **err;
    goc_waitgroup *wg;
};

static void item_main(void *p)
{
    struct item *it = p;
    *it->err = it->fetch(it->ctx, it->i, it->arg);
    goc_wg_done(it->wg);
}

/* GRADED: fetch_each
 * Calls fetch(ctx_i, i, arg) for i = 0..n-1, each in its own goroutine, all
 * at once, and stores its result in errs[i].  ctx_i is a child of `parent`
 * with a timeout of per_item: it carries the parent's values, is cancelled
 * when the parent is, and is done per_item after it was made.  Returns when
 * every fetch has returned, having released every context it made. */
void fetch_each(goc_ctx *parent, int n, goc_duration per_item, fetch_fn fetch, void *arg,
                goc_error **errs)
{
    struct item *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items)
        goc_panic("fetch_each: out of memory");
    goc_waitgroup wg = {0};
    for (int i = 0; i < n; i++) {
        /* Derived from parent, never from background: a cancelled request
         * must cancel its items, and they must see its values. */
        items[i] = (struct item){goc_ctx_with_timeout(parent, per_item), i, fetch, arg, &errs[i], &wg};
        goc_wg_add(&wg, 1);
        goc_go(item_main, &items[i]);
    }
    goc_wg_wait(&wg);
    /* Go's defer cancel(): only now, when no goroutine uses them any more. */
    for (int i = 0; i < n; i++)
        goc_ctx_release(items[i].ctx);
    free(items);
}

/* ---- request ids ---------------------------------------------------------------------- */

/* The key is the address of this object: no other file can make the same
 * key by accident, as a string could (Go: an unexported key type). */
static const char request_id_key;

/* GRADED: with_request_id
 * Returns a child of parent that carries `id` (not copied: the caller keeps
 * it alive) as its request id.  The caller releases it. */
goc_ctx *with_request_id(goc_ctx *parent, const char *id)
{
    return goc_ctx_with_value(parent, &request_id_key, (void *)id);
}

/* GRADED: request_id
 * The request id carried by ctx (the nearest one set with with_request_id),
 * or NULL if there is none. */
const char *request_id(goc_ctx *ctx)
{
    return goc_ctx_value(ctx, &request_id_key);
}

/* ---- the demo ---------------------------------------------------------------------- */

static goc_error *slow_step(goc_ctx *ctx, int step, void *arg)
{
    (void)arg;
    const char *id = request_id(ctx);
    printf("step %d (request %s)\n", step, id ? id : "none");
    goc_sleep(20 * GOC_MILLISECOND);
    return NULL;
}

static goc_error *fetch_slow_odd(goc_ctx *ctx, int i, void *arg)
{
    (void)arg;
    if (i % 2 == 0)
        return NULL;
    goc_recv_discard(goc_ctx_done(ctx)); /* an odd item takes longer than its timeout */
    return goc_ctx_err(ctx);
}

int main(void)
{
    goc_ctx *req = with_request_id(goc_ctx_background(), "req-7");
    goc_ctx *ctx = goc_ctx_with_timeout(req, 50 * GOC_MILLISECOND);
    goc_error *err = run_steps(ctx, 10, slow_step, NULL);
    printf("run_steps: %s\n", goc_error_message(err));
    goc_ctx_release(ctx);

    goc_error *errs[4];
    fetch_each(req, 4, 30 * GOC_MILLISECOND, fetch_slow_odd, NULL, errs);
    for (int i = 0; i < 4; i++)
        printf("item %d: %s\n", i, goc_error_message(errs[i]));
    goc_ctx_release(req);

    /* Go's signal.NotifyContext: Ctrl-C (here raised by the program
     * itself) cancels the context instead of killing the process. */
    goc_ctx *sig = goc_ctx_with_signals(goc_ctx_background(), SIGINT, SIGTERM);
    raise(SIGINT);
    goc_recv_discard(goc_ctx_done(sig));
    printf("after SIGINT: %s\n", goc_error_message(goc_ctx_err(sig)));
    goc_ctx_release(sig);
    return 0;
}
