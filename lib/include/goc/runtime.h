/* libgoc — panics, goroutine dumps and the leak check.
 *
 * Misuse stops the program the way Go does: a "panic: ..." or
 * "fatal error: ..." line on stderr, a dump of every goroutine (its state,
 * the file:line where it waits, where it was created), exit status 2.
 * SIGQUIT (Ctrl-\) prints the dump too, as in Go. */
#ifndef GOC_RUNTIME_H
#define GOC_RUNTIME_H

#include <stdio.h>

#include "base.h"
#include "time.h"

/* panic(fmt.Sprintf(...)): prints "panic: <message>", the dump, exit 2. */
GOC_NORETURN void goc_panic_at(goc_site site, const char *fmt, ...) GOC_PRINTF(2, 3);
#define goc_panic(...) goc_panic_at(GOC_SITE, __VA_ARGS__)

/* A runtime "fatal error: <message>" with the dump, exit 2. */
GOC_NORETURN void goc_fatal_at(goc_site site, const char *fmt, ...) GOC_PRINTF(2, 3);

/* Writes every goroutine's state, wait site and creation site to out. */
void goc_dump_goroutines(FILE *out);

/* The highest goroutine id handed out so far; pass it to goc_leak_check to
 * ignore goroutines that existed before a test started. */
int64_t goc_last_id(void);

/* Waits up to `timeout` for every goroutine with id > since_id (other than
 * the caller) to exit.  Goroutines parked on a channel or lock are
 * reported at once as leaks once all others have stopped running.
 * Returns how many are still alive; names each (id, state, where it waits,
 * where it was created) on `report` when not NULL. */
int goc_leak_check(int64_t since_id, goc_duration timeout, FILE *report);

/* For a program with a SIGSEGV handler of its own (libgoc installs its
 * stack-overflow report only where the default action stands): call it
 * first thing in that handler with siginfo's si_addr.  When the fault is
 * in the guard page below the running goroutine's stack, it reports
 * "fatal error: stack overflow in goroutine N (name)" with the dump and
 * exits 2; otherwise it returns and the handler goes on.  The handler must
 * run on an alternate stack (SA_ONSTACK): the goroutine's is full.  With
 * the thread scheduler it always returns. */
void goc_stack_overflow_check(const void *fault_addr);

#endif
