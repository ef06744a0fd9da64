/* Internal invariants, checked as Go's runtime checks its own with throw()
 * ("spurious wakeup", "G waiting list is corrupted").  On in every build
 * unless NDEBUG is defined: a broken invariant stops the program with a
 * fatal error naming the check, instead of corrupting memory later. */
#ifndef GOC_INVARIANT_H
#define GOC_INVARIANT_H

#include "goc/base.h"

GOC_NORETURN void invariant_broken(const char *what, const char *file, int line);

#ifdef NDEBUG
#define invariant(cond, what) ((void)0)
#else
#define invariant(cond, what) ((cond) ? (void)0 : invariant_broken((what), __FILE__, __LINE__))
#endif

#endif
