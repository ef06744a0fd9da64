/* libgoc — goroutines.
 *
 *   Go:    go worker(&job)
 *   C:     goc_go(worker, &job);
 *
 * The argument is a pointer that the goroutine receives as-is; the caller
 * must keep what it points to alive until the goroutine is done with it.
 * Passing &i of a loop counter to every goroutine shares one variable
 * between all of them: give each goroutine its own copy (see lesson 01). */
#ifndef GOC_GOROUTINE_H
#define GOC_GOROUTINE_H

#include "base.h"

/* Starts fn(arg) as a new goroutine; returns its id.  `name` is shown in
 * goroutine dumps (goc_go passes the function's name); it is copied. */
int64_t goc_go_at(goc_func fn, void *arg, const char *name, goc_site site);
/* The same, shown in dumps as the function fn_name with a name of yours. */
int64_t goc_go_named_at(goc_func fn, void *arg, const char *name, const char *fn_name, goc_site site);

/* The argument is variadic only so that a compound literal with commas,
 * like &(struct job){1, 2}, can be passed without extra parentheses. */
#define goc_go(fn, ...) goc_go_at((fn), (__VA_ARGS__), #fn, GOC_SITE)
#define goc_go_named(name, fn, ...) goc_go_named_at((fn), (__VA_ARGS__), (name), #fn, GOC_SITE)

/* The calling goroutine's id (main is 1, as in Go's dumps). */
int64_t goc_id(void);

/* Goroutines alive now, the caller included (runtime.NumGoroutine). */
int goc_num_goroutine(void);

/* Lets other goroutines run (runtime.Gosched). */
void goc_yield(void);

#endif
