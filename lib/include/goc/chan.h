/* libgoc — channels.
 *
 *   Go                          C
 *   ch := make(chan int)        goc_chan *ch = goc_chan_make(int, 0);
 *   ch := make(chan int, 8)     goc_chan *ch = goc_chan_make(int, 8);
 *   ch <- v                     goc_send(ch, &v);   or goc_send(ch, &(int){42});
 *   v := <-ch                   goc_recv(ch, &v);
 *   v, ok := <-ch               bool ok = goc_recv(ch, &v);
 *   <-ch                        goc_recv_discard(ch);
 *   close(ch)                   goc_close(ch);
 *   len(ch), cap(ch)            goc_len(ch), goc_cap(ch)
 *   for v := range ch {}        goc_range(int, v, ch) { ... }
 *   var out chan<- int = ch     goc_sendch out = goc_send_only(ch);
 *   var in  <-chan int = ch     goc_recvch in  = goc_recv_only(ch);
 *   (no GC in C)                goc_chan_free(ch);  when nobody uses it any more
 *                               (ch may be a goc_chan *, goc_sendch or goc_recvch)
 *
 * Values are copied in and out by value; every operation checks that the
 * value's size matches the channel's element size.  A NULL channel is Go's
 * nil channel: send and receive block forever, close panics. */
#ifndef GOC_CHAN_H
#define GOC_CHAN_H

#include "base.h"

typedef struct goc_chan goc_chan;

/* Directional handles: distinct types, so misuse does not compile. */
typedef struct goc_sendch { goc_chan *ch; } goc_sendch; /* Go: chan<- T */
typedef struct goc_recvch { goc_chan *ch; } goc_recvch; /* Go: <-chan T */

goc_chan *goc_chan_make_at(size_t elem_size, size_t cap, const char *elem_type, goc_site site);
#define goc_chan_make(T, cap) goc_chan_make_at(sizeof(T), (cap), #T, GOC_SITE)

/* Releases the maker's reference.  Panics if goroutines are still blocked
 * on it; a pending goc_after timer keeps it alive until it fires.  Called
 * through goc_chan_free(ch), which also takes a directional handle (the
 * owner of a channel may hold only a goc_recvch) and NULL (no-op). */
void goc_chan_free_at(goc_chan *ch, goc_site site);

void goc_chan_send_at(goc_chan *ch, const void *elem, size_t elem_size, goc_site site);
bool goc_chan_recv_at(goc_chan *ch, void *elem, size_t elem_size, goc_site site);
void goc_chan_close_at(goc_chan *ch, goc_site site);
size_t goc_chan_len(const goc_chan *ch);
size_t goc_chan_cap(const goc_chan *ch);
size_t goc_chan_elem_size(const goc_chan *ch);

/* Non-blocking forms: Go's select with one case and a default. */
typedef enum goc_try_result {
    GOC_WOULD_BLOCK = 0, /* nothing was ready: the default case */
    GOC_RECEIVED = 1,    /* a value was received */
    GOC_CLOSED = 2       /* the channel is closed and drained: zero value */
} goc_try_result;
bool goc_chan_try_send_at(goc_chan *ch, const void *elem, size_t elem_size, goc_site site);
goc_try_result goc_chan_try_recv_at(goc_chan *ch, void *elem, size_t elem_size, goc_site site);

/* ---- handle conversions (what Go does implicitly) ---------------------- */

static inline goc_sendch goc_send_only(goc_chan *ch) { return (goc_sendch){ch}; }
static inline goc_recvch goc_recv_only(goc_chan *ch) { return (goc_recvch){ch}; }

static inline goc_chan *goc__chan_id(goc_chan *ch) { return ch; }
static inline goc_chan *goc__chan_of_send(goc_sendch s) { return s.ch; }
static inline goc_chan *goc__chan_of_recv(goc_recvch r) { return r.ch; }

/* Selected only on misuse, so the compiler names the mistake. */
goc_chan *goc_error_cannot_send_on_a_receive_only_channel(goc_recvch)
    GOC_COMPILE_ERROR("send or close on a goc_recvch (receive-only channel); Go says: invalid operation: send to receive-only channel");
goc_chan *goc_error_cannot_receive_from_a_send_only_channel(goc_sendch)
    GOC_COMPILE_ERROR("receive from a goc_sendch (send-only channel); Go says: invalid operation: receive from send-only channel");

#define goc__sendable(ch) _Generic((ch), \
    goc_chan *: goc__chan_id, goc_sendch: goc__chan_of_send, \
    goc_recvch: goc_error_cannot_send_on_a_receive_only_channel)(ch)
#define goc__recvable(ch) _Generic((ch), \
    goc_chan *: goc__chan_id, goc_recvch: goc__chan_of_recv, \
    goc_sendch: goc_error_cannot_receive_from_a_send_only_channel)(ch)
#define goc__anychan(ch) _Generic((ch), \
    goc_chan *: goc__chan_id, goc_sendch: goc__chan_of_send, goc_recvch: goc__chan_of_recv)(ch)

/* ---- the operations ----------------------------------------------------- */

/* The value is variadic so &(struct point){1, 2} needs no extra parentheses. */
#define goc_send(ch, ...) \
    goc_chan_send_at(goc__sendable(ch), (__VA_ARGS__), sizeof *(__VA_ARGS__), GOC_SITE)
#define goc_recv(ch, valptr) \
    goc_chan_recv_at(goc__recvable(ch), (valptr), sizeof *(valptr), GOC_SITE)
#define goc_recv_discard(ch) \
    goc_chan_recv_at(goc__recvable(ch), NULL, (size_t)-1, GOC_SITE)
#define goc_close(ch) goc_chan_close_at(goc__sendable(ch), GOC_SITE)
#define goc_try_send(ch, ...) \
    goc_chan_try_send_at(goc__sendable(ch), (__VA_ARGS__), sizeof *(__VA_ARGS__), GOC_SITE)
#define goc_try_recv(ch, valptr) \
    goc_chan_try_recv_at(goc__recvable(ch), (valptr), sizeof *(valptr), GOC_SITE)
#define goc_len(ch) goc_chan_len(goc__anychan(ch))
/* Whoever owns the channel frees it, whichever handle it holds; NULL (a
 * bare `void *`) is accepted like free(NULL). */
#define goc_chan_free(ch) goc_chan_free_at(_Generic((ch), \
    goc_chan *: goc__chan_id, void *: goc__chan_id, \
    goc_sendch: goc__chan_of_send, goc_recvch: goc__chan_of_recv)(ch), GOC_SITE)
#define goc_cap(ch) goc_chan_cap(goc__anychan(ch))

/* for v := range ch { ... }  — ends when ch is closed and drained.
 * `ch` (a goc_chan * or goc_recvch) is evaluated once, before the first
 * receive, as Go evaluates a range expression once: range over
 * next_stage() starts one stage, not one per value.  The outer one-pass
 * loop only holds that channel; `break` and `continue` in the body act on
 * the inner loop, and a break also ends the outer one (its step clears
 * `once`).  A NULL channel blocks forever, as ranging over nil does. */
#define goc_range(T, v, ch)                                                         \
    for (struct { goc_chan *c; bool once; } goc__range_ = {goc__recvable(ch), true}; \
         goc__range_.once; goc__range_.once = false)                                \
        for (T v; goc_chan_recv_at(goc__range_.c, &v, sizeof v, GOC_SITE);)

#endif
