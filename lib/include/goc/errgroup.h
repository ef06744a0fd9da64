/* libgoc — errgroup: goroutines working on parts of one task, where the
 * first failure decides the outcome (Go's golang.org/x/sync/errgroup).
 *
 *   Go                                        C
 *   var g errgroup.Group                      goc_errgroup *g = goc_errgroup_new();
 *   g, ctx := errgroup.WithContext(parent)    goc_ctx *ctx;
 *                                             goc_errgroup *g = goc_errgroup_with_context(parent, &ctx);
 *   g.Go(func() error { ... })                goc_errgroup_go(g, fetch, &job);
 *                                               where: goc_error *fetch(void *arg)
 *   ok := g.TryGo(f)                          bool ok = goc_errgroup_try_go(g, fetch, &job);
 *   g.SetLimit(4)                             goc_errgroup_set_limit(g, 4);
 *   err := g.Wait()                           goc_error *err = goc_errgroup_wait(g);
 *   (garbage collection)                      goc_errgroup_free(g);
 *
 * Errors: a function returns NULL for success or an error it owns, which
 * the group takes over.  As in Go, the group keeps the first error of its
 * whole life and frees the others: every goc_errgroup_wait returns that
 * first error (a second wait returns it again; a group used again after a
 * wait with no error reports the next failure).  The group owns it: read
 * it, print it or test it with goc_error_is before goc_errgroup_free,
 * which frees it; never free it yourself.
 *
 * Context: with_context makes a child of `parent` that is cancelled when a
 * function first fails or when wait returns, whichever comes first.  The
 * group owns it: it stays valid until goc_errgroup_free. */
#ifndef GOC_ERRGROUP_H
#define GOC_ERRGROUP_H

#include "base.h"
#include "context.h"
#include "error.h"

typedef struct goc_errgroup goc_errgroup;
typedef goc_error *(*goc_errgroup_func)(void *arg);

goc_errgroup *goc_errgroup_new_at(goc_site site);
goc_errgroup *goc_errgroup_with_context_at(goc_ctx *parent, goc_ctx **ctx, goc_site site);
#define goc_errgroup_new() goc_errgroup_new_at(GOC_SITE)
#define goc_errgroup_with_context(parent, ctx) goc_errgroup_with_context_at((parent), (ctx), GOC_SITE)

/* Runs fn(arg) in a new goroutine; with a limit set, first waits for a free slot. */
void goc_errgroup_go_at(goc_errgroup *g, goc_errgroup_func fn, void *arg, const char *name, goc_site site);
#define goc_errgroup_go(g, fn, ...) goc_errgroup_go_at((g), (fn), (__VA_ARGS__), #fn, GOC_SITE)

/* Starts fn(arg) only if a slot is free now; false (and nothing started) if not. */
bool goc_errgroup_try_go_at(goc_errgroup *g, goc_errgroup_func fn, void *arg, const char *name, goc_site site);
#define goc_errgroup_try_go(g, fn, ...) goc_errgroup_try_go_at((g), (fn), (__VA_ARGS__), #fn, GOC_SITE)

/* At most n of the group's goroutines at once; n < 0 removes the limit.
 * Panics if goroutines of the group are running (as Go does). */
void goc_errgroup_set_limit_at(goc_errgroup *g, int n, goc_site site);
#define goc_errgroup_set_limit(g, n) goc_errgroup_set_limit_at((g), (n), GOC_SITE)

/* Waits for every goroutine started by go/try_go; returns the group's first
 * error (owned by the group, valid until goc_errgroup_free) or NULL. */
goc_error *goc_errgroup_wait_at(goc_errgroup *g, goc_site site);
#define goc_errgroup_wait(g) goc_errgroup_wait_at((g), GOC_SITE)

/* Frees the group, its first error, and releases its context.  Call after
 * wait. */
void goc_errgroup_free(goc_errgroup *g);

#endif
