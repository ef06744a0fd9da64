/* Hand-written context switches for the M:N scheduler (sched_mn.c).
 *
 * A context is a saved stack pointer.  ctx_swap(save, to) pushes the
 * callee-saved registers (and the floating-point control words, so
 * fesetround stays per goroutine as C programs expect) on the current
 * stack, stores the stack pointer in *save, loads `to` and pops the same
 * frame from there.  Everything else is caller-saved in the C ABI, so the
 * compiler has already spilled it around the call.
 *
 * ctx_make builds the first frame of a fresh stack: the switch "returns"
 * into ctx_trampoline, which calls fn(arg).  fn must never return.
 *
 * One header per architecture (x86-64, aarch64); elsewhere only the
 * thread scheduler builds. */
#ifndef GOC_ARCH_CTX_H
#define GOC_ARCH_CTX_H

#include <stdint.h>

void ctx_swap(void **save, void *to);
void ctx_trampoline(void);

#if defined(__x86_64__)
#include "ctx_x86_64.h"
#elif defined(__aarch64__)
#include "ctx_aarch64.h"
#else
#error "the M:N scheduler has no context switch for this architecture: build with SCHED=thread"
#endif

#endif
