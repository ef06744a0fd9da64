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
 * goroutine dumps (goc_go passes the function's name). */
int64_t goc_go_at(goc_func fn, void *arg, const char *name, goc_site site);

/* The argument is variadic only so that a compound literal with commas,
 * like &(struct job){1, 2}, can be passed without extra parentheses. */
#define goc_go(fn, ...) goc_go_at((fn), (__VA_ARGS__), #fn, GOC_SITE)
#define goc_go_named(name, fn, ...) goc_go_at((fn), (__VA_ARGS__), (name), GOC_SITE)

/* The calling goroutine's id (main is 1, as in Go's dumps). */
int64_t goc_id(void);

/* Goroutines alive now, the caller included (runtime.NumGoroutine). */
int goc_num_goroutine(void);

/* Lets other goroutines run (runtime.Gosched). */
void goc_yield(void);

#endif
