/* chanlings — build a learner's exercise and grade it, or run its main.
 *
 * Both compile the learner's file with -Dmain=chanlings_learner_main,
 * reuse cached objects (.chanlings/cache/) so a re-check only recompiles
 * the learner's file and links, and run the result as a sandboxed child
 * (proc.h): its own process group, a wall-clock deadline, resource limits,
 * stdin from /dev/null, output capped, cwd in a scratch directory, an
 * unprivileged user when the runner is root.  Nothing the learner's code
 * does can change the learner's files or progress.
 *
 * Both always return a report (NULL only when out of memory); problems the
 * learner can fix are a status in it, problems of the setup are
 * CL_STATUS_INTERNAL with `error` saying what to do.  Safe to call from
 * several threads at once (batch grading): no global state. */
#ifndef CL_GRADE_H
#define CL_GRADE_H

#include <stdbool.h>

#include "build.h"
#include "report.h"

typedef struct cl_grade_opts {
    const char *root;        /* workbook root: holds lib/, graders/, build/ */
    const char *source;      /* learner's file; may be outside the workbook */
    const char *grader;      /* graders/NN-slug.c (ignored by cl_run); NULL:
                                <root>/graders/<slug>.c */
    const char *slug;        /* names the report and the cache entry */
    bool race;               /* grade again under ThreadSanitizer */
    bool asan;               /* grade again under AddressSanitizer with
                                LeakSanitizer and UBSan (the memory pass) */
    char wrap[CL_WRAP_MAX]; /* libgoc functions the grader wraps
                                (-Wl,--wrap=NAME), blank-separated; "" none */
    int test_timeout;        /* seconds per test; 0: 10 */
    int deadline;            /* seconds for the whole program; 0: derived
                                (run: 10; grade: from test_timeout) */
    const char *cache_dir;   /* NULL: <root>/.chanlings/cache */
    const volatile int *cancel; /* if set and becomes nonzero, the child is
                                   killed and the report says so (TUI) */
    const char *trace_to;    /* cl_run: the program records an execution trace
                                (GOC_TRACE, in its scratch directory), copied
                                here afterwards when it left one; NULL: none */
} cl_grade_opts;

/* Builds source + grader + grader_main + libgoc + Check and runs the
 * suite: one verdict per test.  With race / asan the same suite runs
 * again beside it under ThreadSanitizer / AddressSanitizer; their
 * failures follow the plain pass's verdicts, and only count when the plain
 * pass passed (a failing or stuck program is fixed first). */
cl_report *cl_grade(const cl_grade_opts *opts);

/* Builds source + libgoc with main left alone, runs it with limits and
 * captures its output (report->output, exit_code, term_signal). */
cl_report *cl_run(const cl_grade_opts *opts);

#endif
