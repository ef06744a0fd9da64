/* The grader protocol's names and markers, one definition for both sides:
 * the grader program (grader_main.c, grader.h) writes them, the runner
 * (runner/src/grade.c, verdict.c) reads them.  docs/ARCHITECTURE.md, "The
 * grader protocol", says what each means.  Plain C, no includes. */
#ifndef CL_GRADER_PROTOCOL_H
#define CL_GRADER_PROTOCOL_H

/* Environment the runner sets for the grader program. */
#define CL_ENV_RESULTS "CL_RESULTS"          /* file for the result lines */
#define CL_ENV_OUTPUT_DIR "CL_OUTPUT_DIR"    /* <test>.out per test */
#define CL_ENV_TEST_TIMEOUT "CL_TEST_TIMEOUT" /* seconds per test */
/* When the runner grades: inherited descriptors for the result lines and
 * the per-run secret that vouches for them (docs/ARCHITECTURE.md, "The
 * threat model"). */
#define CL_ENV_RESULTS_FD "CL_RESULTS_FD"
#define CL_ENV_SECRET_FD "CL_SECRET_FD"

/* A crash: one line per frame of the program, "chanlings-frame: 0x<offset>". */
#define CL_MARK_FRAME "chanlings-frame: "
/* exit() inside a graded function: "chanlings: exit(<status>) ..." in the
 * test's output, and the test process ends with this status. */
#define CL_MARK_EXIT "chanlings: exit("
#define CL_EXIT_IN_BODY_STATUS 86
/* The start of a failed test's message when goroutines were left behind. */
#define CL_MARK_LEAKED "leaked goroutines:"

#endif
