/* chanlings — the passes a grade runs: the plain build, and with the
 * lesson's `race: true` / `asan: true` the same tests again under
 * ThreadSanitizer (race) and AddressSanitizer + LeakSanitizer + UBSan
 * (memory).  Shared by build.h (which flags and libgoc flavour) and
 * report.h (which pass a verdict came from). */
#ifndef CL_PASS_H
#define CL_PASS_H

/* Plain is 0 and race is 1, so a `bool race` still names its pass. */
typedef enum cl_pass {
    CL_PASS_PLAIN,
    CL_PASS_RACE,
    CL_PASS_MEMORY,
    CL_PASS_COUNT
} cl_pass;

#endif
