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
    *e = (goc_error){.text_ = text, .inner_ = inner, .owned_ = true};
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

/* One allocation: the error, the array of joined errors, the text. */
goc_error *goc_error_join(goc_error *const *errs, size_t n)
{
    size_t count = 0, text_len = 0;
    for (size_t i = 0; i < n; i++)
        if (errs[i]) {
            count++;
            text_len += strlen(errs[i]->text_) + 1; /* its text and a newline (or the NUL) */
        }
    if (count == 0)
        return NULL;
    goc_error *e = malloc(sizeof *e + count * sizeof(goc_error *) + text_len);
    if (!e)
        sched_die("fatal error", GOC_SITE, "out of memory joining errors");
    goc_error **joined = (goc_error **)(e + 1);
    char *text = (char *)(joined + count), *p = text;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!errs[i])
            continue;
        if (k > 0)
            *p++ = '\n';
        size_t len = strlen(errs[i]->text_);
        memcpy(p, errs[i]->text_, len);
        p += len;
        joined[k++] = errs[i];
    }
    *p = '\0';
    *e = (goc_error){.text_ = text, .owned_ = true, .joined_ = joined, .njoined_ = count};
    return e;
}

const goc_error *goc_error_unwrap(const goc_error *err) { return err ? err->inner_ : NULL; }

bool goc_error_is(const goc_error *err, const goc_error *target)
{
    if (!target)
        return err == NULL; /* errors.Is(nil, nil) */
    for (; err; err = err->inner_) {
        if (err == target)
            return true;
        /* errors.Is walks every branch of a join, depth first. */
        for (size_t i = 0; i < err->njoined_; i++)
            if (goc_error_is(err->joined_[i], target))
                return true;
    }
    return false;
}

const char *goc_error_message(const goc_error *err) { return err ? err->text_ : "<nil>"; }

void goc_error_free(goc_error *err)
{
    /* The chain ends at NULL or at the first sentinel: a sentinel never
     * owns anything, and it is never freed. */
    while (err && err->owned_) {
        goc_error *inner = err->inner_;
        for (size_t i = 0; i < err->njoined_; i++)
            goc_error_free(err->joined_[i]);
        free(err);
        err = inner;
    }
}
