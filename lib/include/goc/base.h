/* libgoc — shared basics: call sites and function types.
 *
 * Every blocking call in libgoc is a macro that records where it was made
 * (file, line, enclosing function).  That is what lets a deadlock report say
 * "goroutine 7 [chan send]: worker at exercises/03.c:14" the way Go does. */
#ifndef GOC_BASE_H
#define GOC_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a call was written in the learner's source. */
typedef struct goc_site {
    const char *file;
    int line;
    const char *func;
} goc_site;

#define GOC_SITE ((goc_site){__FILE__, __LINE__, __func__})

/* The body of a goroutine: Go's `go f(x)` becomes goc_go(f, &x). */
typedef void (*goc_func)(void *arg);

#if defined(__GNUC__) || defined(__clang__)
#define GOC_NORETURN __attribute__((noreturn))
#define GOC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define GOC_COMPILE_ERROR(msg) __attribute__((error(msg)))
#else
#define GOC_NORETURN _Noreturn
#define GOC_PRINTF(fmt, args)
#define GOC_COMPILE_ERROR(msg)
#endif

#endif
