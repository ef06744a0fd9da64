/* libgoc — error values.
 *
 *   Go                                   C
 *   errors.New("boom")                   goc_error *e = goc_error_new("boom");
 *   fmt.Errorf("job %d failed", n)       goc_error_new("job %d failed", n)
 *   fmt.Errorf("reading %s: %w", p, e)   goc_error_wrap(e, "reading %s", p)
 *   errors.Unwrap(e)                     goc_error_unwrap(e)
 *   errors.Join(e1, e2)                  goc_error_join((goc_error *[]){e1, e2}, 2)
 *   errors.Is(e, ErrNotFound)            goc_error_is(e, &err_not_found)
 *   e.Error()                            goc_error_message(e)
 *   var ErrNotFound = errors.New("...")  static goc_error err_not_found =
 *                                            GOC_ERROR_SENTINEL("not found");
 *   err == nil                           err == NULL
 *
 * Ownership, because C has no garbage collector:
 *  - goc_error_new and goc_error_wrap return an error the caller owns.
 *  - goc_error_wrap takes ownership of the error it wraps, and
 *    goc_error_join of the errors it joins: free only the outermost error;
 *    goc_error_free releases the whole tree.
 *  - Sentinels (GOC_ERROR_SENTINEL, goc_canceled, goc_deadline_exceeded)
 *    are static and never freed: goc_error_free ignores them, so a chain
 *    may end in one.
 *  - Whoever receives an owned error either frees it or hands it on
 *    (returns it, wraps it, sends it on a channel); exactly one owner at a
 *    time.  An error never changes after creation, so any goroutine may
 *    read it while its owner keeps it alive. */
#ifndef GOC_ERROR_H
#define GOC_ERROR_H

#include "base.h"

/* The fields are private; the type is complete only so that sentinels can
 * be defined statically. */
typedef struct goc_error {
    const char *text_;             /* the full message, inner errors included */
    struct goc_error *inner_;      /* the wrapped error, or NULL */
    bool owned_;                   /* heap-allocated (false: a sentinel) */
    struct goc_error **joined_;    /* goc_error_join: the joined errors */
    size_t njoined_;
} goc_error;

#define GOC_ERROR_SENTINEL(message) {(message), NULL, false, NULL, 0}

/* A new error whose message is the formatted text. */
goc_error *goc_error_new(const char *fmt, ...) GOC_PRINTF(1, 2);

/* A new error "<formatted text>: <inner's message>" that owns `inner`.
 * Returns NULL when inner is NULL, so `return goc_error_wrap(err, ...)`
 * never turns success into a failure. */
goc_error *goc_error_wrap(goc_error *inner, const char *fmt, ...) GOC_PRINTF(2, 3);

/* errors.Join: an error whose message is the messages of the non-NULL
 * errors in errs[0..n), one per line, and which takes ownership of them.
 * NULL if every one is NULL.  goc_error_is looks into every joined error;
 * goc_error_unwrap of a joined error is NULL, as Go's errors.Unwrap. */
goc_error *goc_error_join(goc_error *const *errs, size_t n);

/* The error err wraps, or NULL; still owned by err. */
const goc_error *goc_error_unwrap(const goc_error *err);

/* True if err or any error it wraps or joins is `target` (compared by
 * identity, as Go compares sentinels). */
bool goc_error_is(const goc_error *err, const goc_error *target);

/* The full message; "<nil>" for NULL.  Valid while err lives. */
const char *goc_error_message(const goc_error *err);

/* Frees err and every error it wraps or joins; NULL and sentinels are
 * ignored. */
void goc_error_free(goc_error *err);

#endif
