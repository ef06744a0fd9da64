/* chanlings — sanitizer reports in a test's output: ThreadSanitizer's
 * `WARNING: ThreadSanitizer: ...`, AddressSanitizer's and LeakSanitizer's
 * `ERROR: ...Sanitizer: ...` and UBSan's `file:line:col: runtime error:`.
 * Each is recognised by a table (report kind -> verdict, explanation),
 * trimmed to what a learner can act on (the story lines and the frames in
 * the learner's file) and summed up in one headline naming file:line. */
#ifndef CL_SANITIZER_H
#define CL_SANITIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

typedef struct cl_san_report {
    cl_verdict_kind kind;  /* RACE, MEMORY, MEMLEAK, UNDEFINED or SANITIZER */
    const char *explain;   /* what it means and what to look at (static) */
    const char *start;     /* the report's first line, inside the output */
    int family;            /* private: which sanitizer wrote it */
} cl_san_report;

/* Does this stack frame (or addr2line location) line point into the
 * learner's file?  The whole relative path must match as the end of the
 * frame's path, because the grader has the same file name in graders/. */
bool cl_frame_in_file(const char *line, size_t len, const char *file);

/* Finds the first report in `output`.  at_exit false: the reports made
 * while the test ran (TSan, ASan, UBSan); true: LeakSanitizer's, made when
 * the test's process exited, which only count when nothing else explains
 * how the test ended.  Returns false when there is none. */
bool cl_sanitizer_find(const char *output, bool at_exit, cl_san_report *rep);

/* The report from its first line to its SUMMARY, keeping the headline,
 * the story lines ("READ of size 4 by thread T1", "freed by thread T0
 * here:", "Direct leak of 16 byte(s)...") and only the frames in the
 * learner's file, without addresses, pids and the shadow-byte dump.
 * learner_file may be NULL (then no frame is kept).  Newly allocated. */
char *cl_sanitizer_trim(const char *report, const char *learner_file);

/* The verdict's message: the explanation, then where in the learner's
 * file it happened ("It happened at FILE:LINE, in FUNC()."), where the
 * memory was freed for a use after free, or allocated for a leak.  Newly
 * allocated. */
char *cl_sanitizer_message(const cl_san_report *rep, const char *learner_file);

#endif
