/* libgoc — context: cancellation, deadlines and request-scoped values.
 *
 *   Go                                        C
 *   ctx := context.Background()               goc_ctx *ctx = goc_ctx_background();
 *   ctx, cancel := context.WithCancel(p)      goc_ctx *ctx = goc_ctx_with_cancel(p);
 *   ctx, cancel := context.WithTimeout(p, d)  goc_ctx *ctx = goc_ctx_with_timeout(p, d);
 *   ctx, cancel := context.WithDeadline(p, t) goc_ctx *ctx = goc_ctx_with_deadline(p, t);
 *   ctx := context.WithValue(p, key, v)       goc_ctx *ctx = goc_ctx_with_value(p, &key, v);
 *   cancel()          (to stop work early)    goc_ctx_cancel(ctx);
 *   defer cancel()    (when the function ends) goc_ctx_release(ctx);
 *   <-ctx.Done()                              goc_recv_discard(goc_ctx_done(ctx));
 *   case <-ctx.Done():  (in a select)         goc_case_recv_discard(goc_ctx_done(ctx))
 *   ctx.Err()                                 goc_ctx_err(ctx)
 *   errors.Is(err, context.Canceled)          goc_error_is(err, goc_canceled)
 *   d, ok := ctx.Deadline()                   bool ok = goc_ctx_deadline(ctx, &d);
 *   ctx.Value(key)                            goc_ctx_value(ctx, &key)
 *   ctx, stop := signal.NotifyContext(p, os.Interrupt, syscall.SIGTERM)
 *                                             goc_ctx *ctx = goc_ctx_with_signals(p, SIGINT, SIGTERM);
 *   defer stop()                              goc_ctx_release(ctx);
 *
 * Memory.  Go's `defer cancel()` both cancels and lets the garbage collector
 * reclaim the context; C splits the two:
 *  - goc_ctx_cancel(ctx) only cancels.  It may be called any number of
 *    times, from any goroutine, while the context is alive.
 *  - goc_ctx_release(ctx) is the deferred cancel: it cancels (if nobody
 *    did yet) and gives up the creator's hold.  Every goc_ctx_with_*
 *    context is released exactly once by the code that made it, after the
 *    goroutines it handed the context to have stopped using it (wait for
 *    them first, as with goc_chan_free).
 * Children keep their parent's memory alive, so a parent may be released
 * before its children; each is freed once it and all its descendants are
 * released.  goc_ctx_background() and goc_ctx_todo() are static and are
 * never released.
 *
 * Keys.  A key is the address of an object of your own (for example
 * `static const char request_id_key;` passed as `&request_id_key`), so two
 * modules can never pick the same key by accident, as with Go's unexported
 * key types. */
#ifndef GOC_CONTEXT_H
#define GOC_CONTEXT_H

#include <signal.h> /* SIGINT, SIGTERM for goc_ctx_with_signals */

#include "base.h"
#include "chan.h"
#include "error.h"
#include "time.h"

typedef struct goc_ctx goc_ctx;

/* context.Canceled and context.DeadlineExceeded: sentinels for goc_error_is. */
extern goc_error *const goc_canceled;
extern goc_error *const goc_deadline_exceeded;

/* Never cancelled, no deadline, no values. */
goc_ctx *goc_ctx_background(void);
/* Same as background; marks code where the right context is still to be decided. */
goc_ctx *goc_ctx_todo(void);

goc_ctx *goc_ctx_with_cancel_at(goc_ctx *parent, goc_site site);
/* The child's deadline is the earlier of `deadline` and the parent's. */
goc_ctx *goc_ctx_with_deadline_at(goc_ctx *parent, goc_time deadline, goc_site site);
goc_ctx *goc_ctx_with_timeout_at(goc_ctx *parent, goc_duration timeout, goc_site site);
goc_ctx *goc_ctx_with_value_at(goc_ctx *parent, const void *key, void *value, goc_site site);
#define goc_ctx_with_cancel(parent) goc_ctx_with_cancel_at((parent), GOC_SITE)
#define goc_ctx_with_deadline(parent, t) goc_ctx_with_deadline_at((parent), (t), GOC_SITE)
#define goc_ctx_with_timeout(parent, d) goc_ctx_with_timeout_at((parent), (d), GOC_SITE)
#define goc_ctx_with_value(parent, key, value) goc_ctx_with_value_at((parent), (key), (value), GOC_SITE)

/* signal.NotifyContext: a cancellable child of parent that is also
 * cancelled (with goc_canceled) when the process receives one of the
 * signals.  Until it is released those signals no longer stop the program;
 * goc_ctx_release (Go's stop()) restores what they did before.  While it
 * waits for a signal, a program blocked on goc_ctx_done(ctx) is not
 * reported as a deadlock. */
goc_ctx *goc_ctx_with_signals_at(goc_ctx *parent, const int *sigs, goc_site site);
#define goc_ctx_with_signals(parent, ...) \
    goc_ctx_with_signals_at((parent), (const int[]){__VA_ARGS__, 0}, GOC_SITE)

/* Cancels ctx and all its descendants with goc_canceled; never its parent.
 * Idempotent.  Only contexts made by with_cancel/with_deadline/with_timeout
 * have a cancel of their own; the others panic with a message. */
void goc_ctx_cancel_at(goc_ctx *ctx, goc_site site);
#define goc_ctx_cancel(ctx) goc_ctx_cancel_at((ctx), GOC_SITE)

/* Cancels (if still live) and releases the creator's hold; see above. */
void goc_ctx_release_at(goc_ctx *ctx, goc_site site);
#define goc_ctx_release(ctx) goc_ctx_release_at((ctx), GOC_SITE)

/* A channel that is closed when ctx is cancelled: receivers see the close.
 * For background/todo it is the nil channel, which never becomes ready. */
goc_recvch goc_ctx_done(goc_ctx *ctx);

/* NULL while live; then goc_canceled or goc_deadline_exceeded (static:
 * never free them). */
goc_error *goc_ctx_err(goc_ctx *ctx);

/* True and *deadline set if ctx (or an ancestor) has a deadline. */
bool goc_ctx_deadline(goc_ctx *ctx, goc_time *deadline);

/* The value stored under key by the nearest ancestor (ctx included), or NULL. */
void *goc_ctx_value(goc_ctx *ctx, const void *key);

#endif
