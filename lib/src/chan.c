/* Channels: Go's runtime/chan.go, on the scheduler seam.
 *
 * Send:    closed -> panic; a receiver waiting -> hand the value straight
 *          to it; room in the buffer -> enqueue; else park on sendq.
 * Receive: a sender waiting -> take its value (for a full buffer: take the
 *          head and put the sender's value at the tail, keeping FIFO);
 *          buffered value -> take it; closed -> zero value, ok=false;
 *          else park on recvq.
 * Close:   wake every waiter; receivers get the zero value, senders panic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan_internal.h"
#include "trace_hooks.h"

/* ---- wait queues ---------------------------------------------------------- */

/* The links around w agree with the queue's ends (Go's "G waiting list
 * is corrupted"). */
static void waitq_check_links(const chan_waitq *q, const chan_waiter *w)
{
    invariant(w->prev ? w->prev->next == w : q->first == w, "a channel's waiter queue is corrupted");
    invariant(w->next ? w->next->prev == w : q->last == w, "a channel's waiter queue is corrupted");
}

void waitq_enqueue(chan_waitq *q, chan_waiter *w)
{
    invariant(!w->queued, "a waiter was queued twice on a channel");
    invariant((q->first == NULL) == (q->last == NULL), "a channel's waiter queue is corrupted");
    w->next = NULL;
    w->prev = q->last;
    if (q->last)
        q->last->next = w;
    else
        q->first = w;
    q->last = w;
    w->queued = true;
}

void waitq_remove(chan_waitq *q, chan_waiter *w)
{
    if (!w->queued)
        return;
    waitq_check_links(q, w);
    if (w->prev)
        w->prev->next = w->next;
    else
        q->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->last = w->prev;
    w->prev = w->next = NULL;
    w->queued = false;
}

chan_waiter *waitq_dequeue(chan_waitq *q)
{
    for (;;) {
        chan_waiter *w = q->first;
        if (!w)
            return NULL;
        waitq_remove(q, w);
        if (w->is_select) {
            uint32_t zero = 0;
            /* Another case of that select already won: skip it. */
            if (!atomic_compare_exchange_strong(&w->g->select_done, &zero, 1))
                continue;
        }
        return w;
    }
}

/* ---- checks ------------------------------------------------------------------ */

void chan_unlock_parked(void *c) { chan_unlock(c); }

static const char *plural_bytes(size_t n) { return n == 1 ? "byte" : "bytes"; }

GOC_NORETURN static void die_not_live(const goc_chan *c, const char *op, goc_site site)
{
    char msg[640];
    if (c->magic == CHAN_FREED_MAGIC || (c->magic == CHAN_MAGIC && atomic_load(&c->owner_freed)))
        snprintf(msg, sizeof msg,
                 "%s on a channel that was already freed (made at %s:%d, freed by goc_chan_free at %s:%d).\n"
                 "%s", op, c->made_at.file, c->made_at.line, c->freed_at.file ? c->freed_at.file : "?",
                 c->freed_at.line,
                 strcmp(op, "goc_chan_free") == 0
                     ? "It is freed twice: free a channel exactly once, in the code that made it."
                     : "It was freed too early: free a channel only after every goroutine using it "
                       "has finished (wait for them first, e.g. with a WaitGroup).");
    else
        snprintf(msg, sizeof msg,
                 "%s on something that is not a live channel: never made (an uninitialised pointer), "
                 "freed long ago, or a stray pointer.\n"
                 "Check that the channel was made with goc_chan_make and is not yet freed.", op);
    sched_die("panic", site, msg);
}

void chan_invalid(const goc_chan *c, size_t elem_size, const char *op, goc_site site)
{
    if (c->magic != CHAN_MAGIC || atomic_load_explicit(&((goc_chan *)c)->owner_freed, memory_order_relaxed))
        die_not_live(c, op, site);
    /* The size does not fit.  goc_recv(ch, NULL) measures sizeof(void), 1
     * in GNU C: the learner meant to drop the value, and goc_recv_discard
     * is how. */
    bool dropped = elem_size == 1 && strcmp(op, "receive") == 0;
    char msg[640];
    snprintf(msg, sizeof msg,
             "%s of a %zu-byte value on a channel of %s (%zu %s), made at %s:%d.\n"
             "Pass a pointer to a %s: the value's type must be the channel's element type.%s",
             op, elem_size, c->elem_type, c->elem_size, plural_bytes(c->elem_size), c->made_at.file,
             c->made_at.line, c->elem_type,
             dropped ? "\nIf you passed NULL to throw the value away, write goc_recv_discard(ch)." : "");
    sched_die("panic", site, msg);
}

/* ---- make / free --------------------------------------------------------------- */

goc_chan *goc_chan_make_at(size_t elem_size, size_t cap, const char *elem_type, goc_site site)
{
    sched_current();
    if (cap > ((size_t)1 << 40) / (elem_size ? elem_size : 1))
        sched_die("panic", site, "makechan: size out of range");
    futex_lock_setup();
    goc_chan *c = calloc(1, sizeof *c);
    char *buf = cap ? calloc(cap, elem_size ? elem_size : 1) : NULL;
    if (!c || (cap && !buf))
        sched_die("fatal error", site, "out of memory making a channel");
    c->magic = CHAN_MAGIC;
    c->elem_size = elem_size;
    c->cap = cap;
    c->buf = buf;
    c->elem_type = elem_type ? elem_type : "?";
    c->made_at = site;
    atomic_init(&c->refs, 1);
    return c;
}

void chan_retain(goc_chan *c) { atomic_fetch_add(&c->refs, 1); }

/* Released channels wait here, marked CHAN_FREED_MAGIC, before their memory
 * goes back to malloc: a double goc_chan_free or a use after free within
 * the next QUARANTINE frees reads the mark (not reused memory) and names
 * the mistake.  The slots are static, so leak checkers still see them. */
#define QUARANTINE 64
static goc_chan *_Atomic quarantine[QUARANTINE];
static _Atomic(unsigned) quarantine_next;

void chan_release(goc_chan *c)
{
    if (atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    c->magic = CHAN_FREED_MAGIC;
    futex_lock_destroy(&c->lock);
    free(c->buf);
    c->buf = NULL;
    unsigned i = atomic_fetch_add(&quarantine_next, 1) % QUARANTINE;
    free(atomic_exchange(&quarantine[i], c));
}

void goc_chan_free_at(goc_chan *c, goc_site site)
{
    if (!c)
        return;
    chan_validate(c, (size_t)-1, "goc_chan_free", site);
    if (atomic_exchange(&c->owner_freed, true))
        die_not_live(c, "goc_chan_free", site); /* two goroutines freed it at once */
    c->freed_at = site;
    chan_lock(c);
    bool waiting = c->recvq.first || c->sendq.first;
    chan_unlock(c);
    if (waiting) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "goc_chan_free of the channel made at %s:%d while goroutines are still blocked on it.\n"
                 "Free a channel only when no goroutine uses it any more (close it first, and wait "
                 "for its users to finish).", c->made_at.file, c->made_at.line);
        sched_die("panic", site, msg);
    }
    if (c->on_free)
        c->on_free(c, c->on_free_arg, site);
    chan_release(c);
}

/* ---- buffer and hand-off -------------------------------------------------------- */

void chan_zero(const goc_chan *c, void *elem)
{
    if (elem)
        memset(elem, 0, c->elem_size);
}

void chan_send_to_waiter(goc_chan *c, chan_waiter *w, const void *elem)
{
    chan_assert_locked(c);
    invariant(!w->queued && w->c == c, "a receiver was handed a value while still queued");
    if (w->elem)
        chan_copy(w->elem, elem, c->elem_size);
    w->success = true;
}

void chan_recv_from_waiter(goc_chan *c, chan_waiter *w, void *elem)
{
    chan_assert_locked(c);
    invariant(!w->queued && w->c == c, "a sender's value was taken while it was still queued");
    invariant(c->cap == 0 || c->count == c->cap, "a sender waited although the buffer had room");
    if (c->cap == 0) {
        if (elem)
            chan_copy(elem, w->elem, c->elem_size);
    } else {
        /* The buffer is full (a sender is waiting): take its head and move
         * the sender's value into the freed slot, which is the tail. */
        if (elem)
            chan_copy(elem, chan_slot(c, c->recvx), c->elem_size);
        chan_copy(chan_slot(c, c->recvx), w->elem, c->elem_size);
        if (++c->recvx == c->cap)
            c->recvx = 0;
        c->sendx = c->recvx;
    }
    w->success = true;
}

void chan_wake(chan_waiter *w)
{
    w->g->param = w;
    sched_ready(w->g);
}

/* ---- send ----------------------------------------------------------------------------- */

GOC_NORETURN static void block_forever(sched_wait_reason reason, goc_site site)
{
    sched_current();
    for (;;)
        sched_park(reason, site, NULL, NULL);
}

static void send_on_closed(goc_chan *c, goc_site site)
{
    chan_unlock(c);
    sched_die("panic", site, "send on closed channel");
}

/* Tries to send without blocking; returns with c unlocked either way when
 * it succeeded, with c still locked when it did not. */
static bool send_now(goc_chan *c, const void *elem, goc_site site)
{
    if (c->closed)
        send_on_closed(c, site);
    chan_waiter *w = waitq_dequeue(&c->recvq);
    if (w) {
        chan_send_to_waiter(c, w, elem);
        chan_unlock(c);
        chan_wake(w);
        return true;
    }
    if (c->count < c->cap) {
        chan_buf_put(c, elem);
        chan_unlock(c);
        return true;
    }
    return false;
}

void goc_chan_send_at(goc_chan *c, const void *elem, size_t elem_size, goc_site site)
{
    if (!c)
        block_forever(WAIT_CHAN_SEND_NIL, site);
    chan_validate(c, elem_size, "send", site);
    goc_g *g = sched_current();
    chan_lock(c);
    if (send_now(c, elem, site)) {
        TRACE(trace_chan(TRACE_SEND, c, site));
        return;
    }
    chan_waiter w = {.g = g, .elem = (void *)elem, .c = c};
    waitq_enqueue(&c->sendq, &w);
    g->param = NULL;
    sched_park(WAIT_CHAN_SEND, site, chan_unlock_parked, c);
    invariant(g->param == &w && !w.queued, "spurious wakeup of a goroutine blocked in send");
    if (!w.success)
        sched_die("panic", site, "send on closed channel");
    TRACE(trace_chan(TRACE_SEND, c, site));
}

bool goc_chan_try_send_at(goc_chan *c, const void *elem, size_t elem_size, goc_site site)
{
    if (!c)
        return false;
    chan_validate(c, elem_size, "try-send", site);
    sched_current();
    chan_lock(c);
    if (send_now(c, elem, site)) {
        TRACE(trace_chan(TRACE_SEND, c, site));
        return true;
    }
    chan_unlock(c);
    return false;
}

bool chan_try_send_internal(goc_chan *c, const void *elem)
{
    chan_lock(c);
    if (c->closed) {
        chan_unlock(c);
        return false;
    }
    if (send_now(c, elem, (goc_site){NULL, 0, NULL}))
        return true;
    chan_unlock(c);
    return false;
}

/* ---- receive ---------------------------------------------------------------------------- */

typedef enum { RECV_BLOCKED, RECV_GOT, RECV_CLOSED } recv_outcome;

/* Like send_now: unlocks c unless the result is RECV_BLOCKED. */
static recv_outcome recv_now(goc_chan *c, void *elem)
{
    chan_waiter *w = waitq_dequeue(&c->sendq);
    if (w) {
        chan_recv_from_waiter(c, w, elem);
        chan_unlock(c);
        chan_wake(w);
        return RECV_GOT;
    }
    if (c->count > 0) {
        chan_buf_take(c, elem);
        chan_unlock(c);
        return RECV_GOT;
    }
    if (c->closed) {
        chan_unlock(c);
        chan_zero(c, elem);
        return RECV_CLOSED;
    }
    return RECV_BLOCKED;
}

bool goc_chan_recv_at(goc_chan *c, void *elem, size_t elem_size, goc_site site)
{
    if (!c)
        block_forever(WAIT_CHAN_RECV_NIL, site);
    chan_validate(c, elem_size, "receive", site);
    goc_g *g = sched_current();
    chan_lock(c);
    recv_outcome r = recv_now(c, elem);
    if (r == RECV_BLOCKED) {
        chan_waiter w = {.g = g, .elem = elem, .c = c};
        waitq_enqueue(&c->recvq, &w);
        g->param = NULL;
        sched_park(WAIT_CHAN_RECV, site, chan_unlock_parked, c);
        invariant(g->param == &w && !w.queued, "spurious wakeup of a goroutine blocked in receive");
        r = w.success ? RECV_GOT : RECV_CLOSED;
    }
    TRACE(trace_chan(r == RECV_GOT ? TRACE_RECV : TRACE_RECV_CLOSED, c, site));
    return r == RECV_GOT;
}

goc_try_result goc_chan_try_recv_at(goc_chan *c, void *elem, size_t elem_size, goc_site site)
{
    if (!c)
        return GOC_WOULD_BLOCK;
    chan_validate(c, elem_size, "try-receive", site);
    sched_current();
    chan_lock(c);
    recv_outcome r = recv_now(c, elem);
    if (r == RECV_BLOCKED) {
        chan_unlock(c);
        return GOC_WOULD_BLOCK;
    }
    TRACE(trace_chan(r == RECV_GOT ? TRACE_RECV : TRACE_RECV_CLOSED, c, site));
    return r == RECV_GOT ? GOC_RECEIVED : GOC_CLOSED;
}

/* ---- close, len, cap ------------------------------------------------------------------------ */

bool chan_close_internal(goc_chan *c)
{
    chan_lock(c);
    if (c->closed) {
        chan_unlock(c);
        return false;
    }
    c->closed = true;
    /* Collect everyone first: once readied, a waiter's memory may vanish. */
    chan_waiter *wake = NULL, *w;
    while ((w = waitq_dequeue(&c->recvq))) {
        chan_zero(c, w->elem);
        w->success = false;
        w->next = wake;
        wake = w;
    }
    while ((w = waitq_dequeue(&c->sendq))) {
        w->success = false;
        w->next = wake;
        wake = w;
    }
    chan_unlock(c);
    while (wake) {
        w = wake;
        wake = w->next;
        chan_wake(w);
    }
    return true;
}

void goc_chan_close_at(goc_chan *c, goc_site site)
{
    if (!c)
        sched_die("panic", site, "close of nil channel");
    chan_validate(c, (size_t)-1, "close", site);
    sched_current();
    if (!chan_close_internal(c))
        sched_die("panic", site, "close of closed channel");
    TRACE(trace_chan(TRACE_CLOSE, c, site));
}

size_t goc_chan_len(const goc_chan *c)
{
    if (!c)
        return 0;
    goc_chan *m = (goc_chan *)c;
    chan_lock(m);
    size_t n = m->count;
    chan_unlock(m);
    return n;
}

size_t goc_chan_cap(const goc_chan *c) { return c ? c->cap : 0; }

size_t goc_chan_elem_size(const goc_chan *c) { return c ? c->elem_size : 0; }
