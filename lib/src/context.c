/* context: a tree of contexts, cancelled from the top down.
 *
 * Shape (after Go's context.go): a cancellable context owns a done channel,
 * an error and a list of cancellable descendants; value contexts only point
 * up.  Each cancellable context sits in the child list of its nearest
 * cancellable ancestor (`owner`), which is how cancellation flows down.
 *
 * Locks: a canceller holds its own lock while it cancels its children, so
 * locks are only ever taken from ancestor to descendant.  A release takes
 * the owner's lock to unlink itself only after dropping its own, and a
 * timer callback takes only its own context's lock and its descendants',
 * which is what makes it safe to stop a timer with ancestors locked.
 *
 * Memory: every context counts the holds on it, one for its creator (given
 * up by release) and one per direct child (each child reads its parent for
 * values and deadlines).  The last hold to go frees it and drops its own
 * hold on its parent. */
#include "goc/context.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "chan_internal.h"
#include "context_internal.h"
#include "sched.h"

static goc_error canceled_error = GOC_ERROR_SENTINEL("context canceled");
static goc_error deadline_error = GOC_ERROR_SENTINEL("context deadline exceeded");
goc_error *const goc_canceled = &canceled_error;
goc_error *const goc_deadline_exceeded = &deadline_error;

typedef enum ctx_kind { CTX_ROOT, CTX_CANCEL, CTX_VALUE } ctx_kind;

struct goc_ctx {
    ctx_kind kind;
    const char *made_by; /* the constructor's name, for messages */
    goc_site site;
    goc_ctx *parent;
    goc_ctx *canceller; /* nearest cancellable context, self included; NULL: none */
    _Atomic(int) holds;
    _Atomic(bool) released;
    bool has_deadline;
    goc_time deadline;
    const void *key;
    void *value;

    /* Cancellable contexts only. */
    pthread_mutex_t mu;
    goc_chan *done;
    goc_error *_Atomic err;
    goc_ctx *children; /* cancellable descendants that have us as owner (under mu) */
    goc_ctx *owner;    /* whose children list holds us, or NULL */
    goc_ctx *prev, *next; /* links in owner->children (under owner->mu) */
    bool linked;          /* in owner->children (under owner->mu) */
    bool has_timer;
    sched_timer timer;
    ctx_release_hook on_release; /* e.g. context_signal.c's: stop watching */
};

static goc_ctx background_ctx = {.kind = CTX_ROOT, .made_by = "goc_ctx_background"};
static goc_ctx todo_ctx = {.kind = CTX_ROOT, .made_by = "goc_ctx_todo"};

goc_ctx *goc_ctx_background(void) { return &background_ctx; }
goc_ctx *goc_ctx_todo(void) { return &todo_ctx; }

/* ---- messages -------------------------------------------------------------------- */

GOC_NORETURN static void ctx_panic(goc_site site, const goc_ctx *c, const char *what, const char *advice)
{
    char msg[512];
    if (c->kind == CTX_ROOT)
        snprintf(msg, sizeof msg, "%s the context from %s(), which is never cancelled.\n%s", what,
                 c->made_by, advice);
    else
        snprintf(msg, sizeof msg, "%s the context made by %s at %s:%d.\n%s", what, c->made_by,
                 c->site.file, c->site.line, advice);
    sched_die("panic", site, msg);
}

static void check_parent(goc_ctx *parent, goc_site site)
{
    if (!parent)
        sched_die("panic", site,
                  "cannot create context from nil parent.\n"
                  "Pass goc_ctx_background() at the top of the program, or the context you were given.");
    if (parent->kind != CTX_ROOT && atomic_load(&parent->released))
        ctx_panic(site, parent, "new context derived from already released",
                  "Release a context only after everything made from it has been made.");
}

/* ---- cancellation ----------------------------------------------------------------- */

static void ctx_cancel(goc_ctx *c, goc_error *err)
{
    pthread_mutex_lock(&c->mu);
    if (atomic_load(&c->err)) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    atomic_store(&c->err, err);
    /* Deadlines cancel from the timer thread: chan_close_internal never
     * makes it a goroutine. */
    chan_close_internal(c->done);
    goc_ctx *child = c->children;
    while (child) {
        goc_ctx *next = child->next;
        child->linked = false;
        child->prev = child->next = NULL;
        ctx_cancel(child, err);
        child = next;
    }
    c->children = NULL;
    pthread_mutex_unlock(&c->mu);
    /* Outside our lock: a callback that is running wants it (see top). */
    if (c->has_timer)
        sched_timer_stop(&c->timer);
}

static void ctx_timer_fired(sched_timer *t, void *arg)
{
    (void)t;
    ctx_cancel(arg, goc_deadline_exceeded);
}

static void link_child(goc_ctx *owner, goc_ctx *c)
{
    pthread_mutex_lock(&owner->mu);
    goc_error *err = atomic_load(&owner->err);
    if (!err) {
        c->owner = owner;
        c->next = owner->children;
        if (owner->children)
            owner->children->prev = c;
        owner->children = c;
        c->linked = true;
    }
    pthread_mutex_unlock(&owner->mu);
    if (err)
        ctx_cancel(c, err); /* born under a cancelled ancestor: cancelled at once */
}

static void unlink_child(goc_ctx *c)
{
    goc_ctx *owner = c->owner;
    if (!owner)
        return;
    pthread_mutex_lock(&owner->mu);
    if (c->linked) {
        if (c->prev)
            c->prev->next = c->next;
        else
            owner->children = c->next;
        if (c->next)
            c->next->prev = c->prev;
        c->linked = false;
    }
    pthread_mutex_unlock(&owner->mu);
}

/* ---- construction and release ------------------------------------------------------ */

static goc_ctx *ctx_new(goc_ctx *parent, ctx_kind kind, const char *made_by, goc_site site)
{
    check_parent(parent, site);
    goc_ctx *c = calloc(1, sizeof *c);
    if (!c)
        sched_die("fatal error", site, "out of memory creating a context");
    c->kind = kind;
    c->made_by = made_by;
    c->site = site;
    c->parent = parent;
    c->canceller = parent->canceller;
    c->has_deadline = parent->has_deadline;
    c->deadline = parent->deadline;
    atomic_init(&c->holds, 1);
    if (parent->kind != CTX_ROOT)
        atomic_fetch_add(&parent->holds, 1);
    return c;
}

static goc_ctx *cancel_ctx_new(goc_ctx *parent, const char *made_by, goc_site site)
{
    goc_ctx *c = ctx_new(parent, CTX_CANCEL, made_by, site);
    pthread_mutex_init(&c->mu, NULL);
    c->done = goc_chan_make_at(sizeof(char), 0, "struct{} (a context's done channel)", site);
    c->canceller = c;
    if (parent->canceller)
        link_child(parent->canceller, c);
    return c;
}

goc_ctx *goc_ctx_with_cancel_at(goc_ctx *parent, goc_site site)
{
    return cancel_ctx_new(parent, "goc_ctx_with_cancel", site);
}

static goc_ctx *deadline_ctx_new(goc_ctx *parent, goc_time deadline, const char *made_by, goc_site site)
{
    goc_ctx *c = cancel_ctx_new(parent, made_by, site);
    /* An earlier parent deadline already covers this one: the parent's
     * timer will cancel us with deadline exceeded. */
    if (c->has_deadline && c->deadline <= deadline)
        return c;
    c->has_deadline = true;
    c->deadline = deadline;
    if (deadline <= sched_timer_now()) {
        ctx_cancel(c, goc_deadline_exceeded);
        return c;
    }
    pthread_mutex_lock(&c->mu);
    if (!atomic_load(&c->err)) {
        sched_timer_init(&c->timer, ctx_timer_fired, c);
        c->timer.kind = made_by; /* goc_pending_timers names it */
        c->timer.site = site;
        c->has_timer = true;
        sched_timer_start(&c->timer, deadline, 0);
    }
    pthread_mutex_unlock(&c->mu);
    return c;
}

goc_ctx *goc_ctx_with_deadline_at(goc_ctx *parent, goc_time deadline, goc_site site)
{
    return deadline_ctx_new(parent, deadline, "goc_ctx_with_deadline", site);
}

goc_ctx *goc_ctx_with_timeout_at(goc_ctx *parent, goc_duration timeout, goc_site site)
{
    goc_time now = sched_timer_now();
    goc_time deadline = timeout > INT64_MAX - now ? INT64_MAX : now + timeout;
    return deadline_ctx_new(parent, deadline, "goc_ctx_with_timeout", site);
}

goc_ctx *goc_ctx_with_value_at(goc_ctx *parent, const void *key, void *value, goc_site site)
{
    if (!key)
        sched_die("panic", site,
                  "goc_ctx_with_value: nil key.\n"
                  "Use the address of a static object of your own as the key, e.g. &request_id_key.");
    goc_ctx *c = ctx_new(parent, CTX_VALUE, "goc_ctx_with_value", site);
    c->key = key;
    c->value = value;
    return c;
}

static void ctx_drop_hold(goc_ctx *c)
{
    while (c && c->kind != CTX_ROOT && atomic_fetch_sub(&c->holds, 1) == 1) {
        goc_ctx *parent = c->parent;
        if (c->kind == CTX_CANCEL) {
            if (c->has_timer)
                sched_timer_stop(&c->timer); /* waits out a callback still running */
            goc_chan_free(c->done);
            pthread_mutex_destroy(&c->mu);
        }
        free(c);
        c = parent;
    }
}

void ctx_cancel_internal(goc_ctx *c) { ctx_cancel(c, goc_canceled); }

void ctx_set_release_hook(goc_ctx *c, ctx_release_hook hook) { c->on_release = hook; }

void goc_ctx_release_at(goc_ctx *c, goc_site site)
{
    if (!c)
        sched_die("panic", site, "goc_ctx_release of a NULL context");
    if (c->kind == CTX_ROOT)
        return;
    if (atomic_exchange(&c->released, true))
        ctx_panic(site, c, "goc_ctx_release called twice on",
                  "Release each context exactly once, in the code that made it "
                  "(where Go would write defer cancel()).");
    if (c->on_release)
        c->on_release(c);
    if (c->kind == CTX_CANCEL) {
        ctx_cancel(c, goc_canceled);
        unlink_child(c);
    }
    ctx_drop_hold(c);
}

void goc_ctx_cancel_at(goc_ctx *c, goc_site site)
{
    if (!c)
        sched_die("panic", site, "goc_ctx_cancel of a NULL context");
    if (c->kind == CTX_ROOT)
        ctx_panic(site, c, "goc_ctx_cancel of",
                  "Make a cancellable child, goc_ctx_with_cancel(goc_ctx_background()), and cancel that.");
    if (c->kind != CTX_CANCEL)
        ctx_panic(site, c, "goc_ctx_cancel of",
                  "Only contexts from goc_ctx_with_cancel, _with_timeout and _with_deadline can be "
                  "cancelled; cancel the context this one was derived from.");
    if (atomic_load(&c->released))
        ctx_panic(site, c, "goc_ctx_cancel after goc_ctx_release of",
                  "Release comes last: cancel early with goc_ctx_cancel, release once everyone is done.");
    ctx_cancel(c, goc_canceled);
}

/* ---- queries -------------------------------------------------------------------------- */

goc_recvch goc_ctx_done(goc_ctx *c)
{
    return goc_recv_only(c && c->canceller ? c->canceller->done : NULL);
}

goc_error *goc_ctx_err(goc_ctx *c)
{
    return c && c->canceller ? atomic_load(&c->canceller->err) : NULL;
}

bool goc_ctx_deadline(goc_ctx *c, goc_time *deadline)
{
    if (!c || !c->has_deadline)
        return false;
    if (deadline)
        *deadline = c->deadline;
    return true;
}

void *goc_ctx_value(goc_ctx *c, const void *key)
{
    for (; c; c = c->parent)
        if (c->kind == CTX_VALUE && c->key == key)
            return c->value;
    return NULL;
}
