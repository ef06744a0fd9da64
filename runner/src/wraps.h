/* chanlings — the functions a lesson's `wrap:` line may name, for the
 * lesson parser (which refuses the rest with file:line) and the build
 * (which links the grader with -Wl,--wrap=NAME and checks again).
 * libgoc's entry points (`goc_` and a C identifier), and of the C library
 * only the sleeps and stdout writers a grader watches: a lesson must not
 * reroute the rest of the C library (allocation, exit, files, processes)
 * under the learner's code and the sandbox. */
#ifndef CL_WRAPS_H
#define CL_WRAPS_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a lesson's `wrap:` names, one blank between them. */
#define CL_WRAP_MAX 512

/* May a lesson's `wrap:` name this function (`len` bytes of `name`)? */
bool cl_wrap_allowed(const char *name, size_t len);

#endif
