/* errgroup: a WaitGroup, a first-error slot, an optional context to cancel
 * and, with a limit, a buffered channel used as a counting semaphore (a
 * send takes a slot, a receive gives it back), as Go's errgroup does. */
#include "goc/errgroup.h"

#include <stdio.h>
#include <stdlib.h>

#include "goc/chan.h"
#include "goc/goroutine.h"
#include "goc/sync.h"
#include "sched.h"

struct goc_errgroup {
    goc_waitgroup wg;
    goc_mutex mu;
    goc_error *first; /* under mu: set once for the group's life (Go's errOnce) */
    goc_ctx *ctx;     /* NULL without with_context */
    goc_chan *slots;  /* NULL: no limit */
    goc_site site;
};

typedef struct group_task {
    goc_errgroup *g;
    goc_errgroup_func fn;
    void *arg;
} group_task;

goc_errgroup *goc_errgroup_new_at(goc_site site)
{
    goc_errgroup *g = calloc(1, sizeof *g);
    if (!g)
        sched_die("fatal error", site, "out of memory creating an errgroup");
    g->site = site;
    return g;
}

goc_errgroup *goc_errgroup_with_context_at(goc_ctx *parent, goc_ctx **ctx, goc_site site)
{
    goc_errgroup *g = goc_errgroup_new_at(site);
    g->ctx = goc_ctx_with_cancel_at(parent, site);
    if (ctx)
        *ctx = g->ctx;
    return g;
}

static void group_record(goc_errgroup *g, goc_error *err)
{
    goc_mutex_lock(&g->mu);
    bool first = !g->first;
    if (first)
        g->first = err;
    goc_mutex_unlock(&g->mu);
    if (!first) {
        goc_error_free(err);
        return;
    }
    if (g->ctx)
        goc_ctx_cancel(g->ctx);
}

static void group_run(void *arg)
{
    group_task t = *(group_task *)arg;
    free(arg);
    goc_error *err = t.fn(t.arg);
    if (err)
        group_record(t.g, err);
    if (t.g->slots)
        goc_recv_discard(t.g->slots);
    goc_wg_done(&t.g->wg); /* the last touch of g: wait may free it next */
}

static void group_start(goc_errgroup *g, goc_errgroup_func fn, void *arg, const char *name, goc_site site)
{
    group_task *t = malloc(sizeof *t);
    if (!t)
        sched_die("fatal error", site, "out of memory starting an errgroup goroutine");
    *t = (group_task){g, fn, arg};
    goc_wg_add_at(&g->wg, 1, site);
    goc_go_at(group_run, t, name, site);
}

void goc_errgroup_go_at(goc_errgroup *g, goc_errgroup_func fn, void *arg, const char *name, goc_site site)
{
    if (g->slots)
        goc_chan_send_at(g->slots, &(char){0}, 1, site);
    group_start(g, fn, arg, name, site);
}

bool goc_errgroup_try_go_at(goc_errgroup *g, goc_errgroup_func fn, void *arg, const char *name, goc_site site)
{
    if (g->slots && !goc_chan_try_send_at(g->slots, &(char){0}, 1, site))
        return false;
    group_start(g, fn, arg, name, site);
    return true;
}

void goc_errgroup_set_limit_at(goc_errgroup *g, int n, goc_site site)
{
    size_t active = g->slots ? goc_chan_len(g->slots) : 0;
    if (active) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "errgroup: modify limit while %zu goroutines in the group are still active.\n"
                 "Call goc_errgroup_set_limit before the first goc_errgroup_go, or after wait.",
                 active);
        sched_die("panic", site, msg);
    }
    goc_chan_free_at(g->slots, site);
    g->slots = n < 0 ? NULL : goc_chan_make_at(1, (size_t)n, "char (errgroup slot)", site);
}

goc_error *goc_errgroup_wait_at(goc_errgroup *g, goc_site site)
{
    goc_wg_wait_at(&g->wg, site);
    if (g->ctx)
        goc_ctx_cancel_at(g->ctx, site);
    goc_mutex_lock(&g->mu);
    goc_error *err = g->first; /* still the group's: every wait returns it */
    goc_mutex_unlock(&g->mu);
    return err;
}

void goc_errgroup_free(goc_errgroup *g)
{
    if (!g)
        return;
    if (g->ctx)
        goc_ctx_release(g->ctx);
    goc_chan_free(g->slots);
    goc_error_free(g->first);
    free(g);
}
