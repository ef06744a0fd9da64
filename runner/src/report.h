/* chanlings — the result of checking or running one exercise, and how it is
 * shown to people (a terminal) and to machines (TAP, JUnit XML, JSON,
 * Gradescope results.json).
 *
 * A cl_report is plain data: grade.c fills it, the commands and the view
 * only read it.  Every string is owned by the report (cl_report_free). */
#ifndef CL_REPORT_H
#define CL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pass.h"

/* One verdict per test; docs/ARCHITECTURE.md has the table that maps a
 * grader's result line and output to these. */
typedef enum cl_verdict_kind {
    CL_VERDICT_PASSED,
    CL_VERDICT_FAILED,   /* an assertion failed: message says what */
    CL_VERDICT_LEAKED,   /* goroutines left behind: detail names them */
    CL_VERDICT_TIMEOUT,  /* the test ran past its timeout */
    CL_VERDICT_DEADLOCK, /* all goroutines asleep: detail is the dump */
    CL_VERDICT_RACE,     /* TSan data race: detail is the trimmed report */
    CL_VERDICT_PANIC,    /* panic:/fatal error: from libgoc: detail is the dump */
    CL_VERDICT_CRASHED,  /* killed by a signal (segfault, abort...) */
    CL_VERDICT_EXITED,   /* exit() called inside a graded function */
    CL_VERDICT_MEMORY,   /* ASan (or TSan) memory error: use after free,
                            double free, overflow; detail is the trimmed report */
    CL_VERDICT_MEMLEAK,  /* LeakSanitizer: memory never freed */
    CL_VERDICT_UNDEFINED, /* UBSan runtime error */
    CL_VERDICT_SANITIZER, /* any other ThreadSanitizer warning (lock order,
                             unlock of an unlocked mutex, ...) */
    CL_VERDICT_COUNT
} cl_verdict_kind;

/* "passed", "failed", "leaked goroutines", "timed out", "deadlock",
 * "data race", "panicked", "crashed", "exited", "memory error",
 * "memory leak", "undefined behaviour", "sanitizer warning". */
const char *cl_verdict_name(cl_verdict_kind kind);

typedef struct cl_test_verdict {
    char *name;          /* the test's name, as the grader registered it */
    cl_verdict_kind kind;
    char *where;         /* file:line the grader reported, or NULL */
    char *message;       /* one line or a few: what happened, what to look at */
    char *detail;        /* goroutine dump, trimmed race report...; or NULL */
    char *output;        /* what the test printed (capped), or NULL */
    bool race_pass;      /* this verdict comes from the ThreadSanitizer run */
    bool memory_pass;    /* this verdict comes from the AddressSanitizer run */
} cl_test_verdict;

typedef enum cl_status {
    CL_STATUS_PASSED,        /* grade: every test passed; run: exit status 0 */
    CL_STATUS_FAILED,        /* grade: a test did not pass; run: nonzero exit */
    CL_STATUS_COMPILE_ERROR, /* the learner's file did not compile or link */
    CL_STATUS_TIMEOUT,       /* the whole program hit its wall-clock deadline */
    CL_STATUS_CRASHED,       /* the grader/program died outside any test */
    CL_STATUS_INTERNAL,      /* the runner could not do its job (error says why) */
    CL_STATUS_COUNT
} cl_status;

/* "passed", "failed", "compile error", "timed out", "crashed", "error". */
const char *cl_status_name(cl_status status);

/* Frees a verdict's strings (defined in verdict.c, which fills them). */
void cl_test_verdict_clear(cl_test_verdict *v);

/* "SIGSEGV (segmentation fault: ...)" — a name and what usually causes it
 * (defined in verdict.c beside the crash verdicts). */
const char *cl_signal_describe(int sig, char *buf, size_t size);

typedef struct cl_report {
    char *slug;              /* e.g. "03-unbuffered-channels" */
    char *source;            /* the learner's file, as given */
    cl_status status;
    bool ran_main;           /* cl_run's report: output and exit status,
                                no tests */
    bool compiled;           /* false: see diagnostics / missing_function */
    char *diagnostics;       /* compiler output, first error first, paths
                                relative to the workbook root; or NULL */
    char *missing_function;  /* link failed because the grader calls this
                                function and the file does not define it */
    cl_test_verdict *tests;  /* in the grader's order; race-pass failures
                                follow (race_pass), then memory-pass
                                failures (memory_pass) */
    size_t ntests;
    char *output;            /* run: the program's stdout+stderr; grade:
                                anything the grader printed outside a test */
    size_t output_cut;       /* bytes dropped from the middle of output */
    int exit_code;           /* exit status, or -1 if killed by a signal */
    int term_signal;         /* the signal that ended it, or 0 */
    char *crash_site;        /* run: where it crashed, "FILE:LINE, in FUNC()",
                                when that is in the learner's file */
    double seconds;          /* wall time of build + run */
    bool cached;             /* the build was already in the cache */
    bool race_checked;       /* the ThreadSanitizer pass ran (its failures
                                are in tests with race_pass set) */
    bool memory_checked;     /* the AddressSanitizer pass ran (memory_pass) */
    char *warnings;          /* the compiler's warnings about the learner's
                                file that point at real bugs (a build that
                                succeeded), or NULL */
    char *error;             /* CL_STATUS_INTERNAL: what went wrong, what to do */
} cl_report;

/* Frees the report's contents and the report itself (NULL is fine). */
void cl_report_free(cl_report *r);

/* The failure to start with (NULL if none): the one that teaches most
 * (deadlock, race, panic, leak, failed assertion, exit, timeout, crash),
 * the grader's first of its kind on a tie, so the headline does not
 * depend on which test a timing-dependent crash happened to hit. */
const cl_test_verdict *cl_report_lead(const cl_report *r);

/* Counts of tests passed / total (both passes). */
size_t cl_report_passed(const cl_report *r);

/* For people: a summary line, then per test ✓/✗ (ASCII "ok"/"FAIL" when the
 * locale is not UTF-8), messages and details, diagnostics first error
 * first.  Colour escapes only when color is true. */
void cl_report_print(FILE *out, const cl_report *r, bool color);

/* One graded submission for the batch serialisers. */
typedef struct cl_graded {
    const char *student;     /* submission name (directory or file stem) */
    const char *exercise;    /* slug */
    const cl_report *report;
} cl_graded;

/* Batch output; each returns 0, or -1 if writing failed. */
int cl_report_tap(FILE *out, const cl_graded *items, size_t n);
int cl_report_junit(FILE *out, const cl_graded *items, size_t n);
int cl_report_json(FILE *out, const cl_graded *items, size_t n);
/* Gradescope results.json: one test per (exercise, test), score 1 per
 * passed test, max_score 1, output the message and detail. */
int cl_report_gradescope(FILE *out, const cl_graded *items, size_t n);
/* PrairieLearn's external-grader results.json: gradable, score (the
 * fraction of tests passed), one test per (exercise, test) worth 1 point. */
int cl_report_prairielearn(FILE *out, const cl_graded *items, size_t n);

#endif
