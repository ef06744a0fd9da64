/* Goroutine stacks for the M:N scheduler: fixed-size slots carved from big
 * lazily-committed mappings, each with a guard page at its low end. */
#ifndef GOC_STACK_H
#define GOC_STACK_H

#include <stdbool.h>
#include <stddef.h>

/* Slot size in bytes (GOC_STACK_KB, default 64 KB), guard page included. */
size_t stack_slot_size(void);
size_t stack_guard_size(void);

/* A new slot's lowest address.  Slots are never unmapped: the scheduler
 * keeps dead goroutines' slots (with their records) for reuse. */
char *stack_new_slot(void);

/* Does addr fall in the guard page of the slot starting at lo? */
bool stack_in_guard(const char *lo, const void *addr);

void stack_atfork_prepare(void);
void stack_atfork_parent(void);
void stack_atfork_child(void);

#endif
