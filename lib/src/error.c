/* Error values: one allocation per link holding the struct and its full
 * message, built once at creation so that reading needs no locking. */
#include "goc/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"

/* Formats "<prefix>[: <suffix>]" into a new error's own storage. */
static goc_error *error_build(goc_error *inner, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int prefix = vsnprintf(NULL, 0, fmt, ap);
    if (prefix < 0)
        prefix = 0;
    const char *tail = inner ? inner->text_ : NULL;
    size_t tail_len = tail ? strlen(tail) + 2 : 0; /* ": " + inner text */
    size_t total = (size_t)prefix + tail_len + 1;
    goc_error *e = malloc(sizeof *e + total);
    if (!e) {
        va_end(again);
        sched_die("fatal error", GOC_SITE, "out of memory creating an error value");
    }
    char *text = (char *)(e + 1);
    vsnprintf(text, (size_t)prefix + 1, fmt, again);
    va_end(again);
    if (tail) {
        memcpy(text + prefix, ": ", 2);
        memcpy(text + prefix + 2, tail, tail_len - 2 + 1);
    }
    e->text_ = text;
    e->inner_ = inner;
    e->owned_ = true;
    return e;
}

goc_error *goc_error_new(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    goc_error *e = error_build(NULL, fmt, ap);
    va_end(ap);
    return e;
}

goc_error *goc_error_wrap(goc_error *inner, const char *fmt, ...)
{
    if (!inner)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    goc_error *e = error_build(inner, fmt, ap);
    va_end(ap);
    return e;
}

const goc_error *goc_error_unwrap(const goc_error *err) { return err ? err->inner_ : NULL; }

bool goc_error_is(const goc_error *err, const goc_error *target)
{
    if (!target)
        return err == NULL; /* errors.Is(nil, nil) */
    for (; err; err = err->inner_)
        if (err == target)
            return true;
    return false;
}

const char *goc_error_message(const goc_error *err) { return err ? err->text_ : "<nil>"; }

void goc_error_free(goc_error *err)
{
    /* The chain ends at NULL or at the first sentinel: a sentinel never
     * owns anything, and it is never freed. */
    while (err && err->owned_) {
        goc_error *inner = err->inner_;
        free(err);
        err = inner;
    }
}
