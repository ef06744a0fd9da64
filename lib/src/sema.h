/* Semaphores keyed by address, after Go's runtime/sema.go.
 *
 * The semaphore is any zeroed uint32 inside a sync object; waiters live in a
 * fixed table of buckets hashed by that address, so a zero-initialised
 * WaitGroup or Mutex needs no init call and no free.  sema_acquire waits
 * until *addr > 0 and decrements it; sema_release increments it and wakes
 * the first waiter on that address (FIFO). */
#ifndef GOC_SEMA_H
#define GOC_SEMA_H

#include "sched.h"

void sema_acquire(_Atomic(uint32_t) *addr, sched_wait_reason reason, goc_site site);
/* Queues at the front instead of the back: for a waiter that was woken but
 * lost the race and must wait again (Go's queueLifo for Mutex). */
void sema_acquire_lifo(_Atomic(uint32_t) *addr, sched_wait_reason reason, goc_site site);
/* handoff: the count goes straight to the woken waiter, so a goroutine that
 * arrives meanwhile cannot take it (Mutex starvation mode). */
void sema_release(_Atomic(uint32_t) *addr, bool handoff);

/* Call in the child after fork(): waiters of the parent are gone. */
void sema_after_fork_child(void);

#endif
