/* chanlings — turn what a grader program left behind (result lines and
 * per-test output files, docs/ARCHITECTURE.md "grader protocol") into one
 * verdict per test, following the verdict table in that document. */
#ifndef CL_VERDICT_H
#define CL_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* One line of CL_RESULTS, unescaped. */
typedef struct cl_result_line {
    char *rtype;   /* "pass", "fail" or "error" */
    char *name;
    char *where;   /* file:line */
    char *message;
} cl_result_line;

/* Splits and unescapes one result line (without its newline); -1 when the
 * line does not have four tab-separated fields. */
int cl_result_line_parse(const char *line, cl_result_line *out);
void cl_result_line_free(cl_result_line *l);

/* Decides the verdict for one test from its result line and its output
 * (may be NULL).  learner_file (as compiled, may be NULL) is used to trim
 * a sanitizer report to the learner's frames and name its file:line.
 * `pass` says which pass ran the test.  Fills v; strings are owned by v. */
void cl_verdict_decide(const cl_result_line *line, const char *output,
                       const char *learner_file, cl_pass pass,
                       cl_test_verdict *v);

/* Every verdict of a results file: reads <output_dir>/<test>.out beside
 * each line.  Appends to *tests / *n (realloc'd).  Returns how many lines
 * it could not parse. */
int cl_verdict_read_results(const char *results_text, const char *output_dir,
                            const char *learner_file, cl_pass pass,
                            cl_test_verdict **tests, size_t *n);


/* The program offsets grader_main printed ("chanlings-frame: 0x...")
 * when a test crashed; fills up to `max`, returns how many. */
size_t cl_verdict_crash_frames(const char *output, unsigned long *offsets, size_t max);

/* Given `addr2line -f` output for those frames (function and file:line
 * per frame), adds "at FILE:LINE in FUNC()" to the message for the first
 * frame in the learner's file, and drops the frame lines from the output. */
void cl_verdict_place_crash(cl_test_verdict *v, const char *addr2line_out,
                            const char *learner_file);

/* The parts of cl_verdict_place_crash: "FILE:LINE, in FUNC()" for the
 * first frame in the learner's file (or NULL), and the output without the
 * frame lines (NULL when nothing else is left).  Newly allocated. */
char *cl_verdict_crash_site(const char *addr2line_out, const char *learner_file);
char *cl_verdict_strip_frames(const char *output);

#endif
