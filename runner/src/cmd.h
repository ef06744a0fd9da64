/* chanlings — the commands of the CLI and what they share.
 *
 * Every command is `int cl_cmd_NAME(cl_ctx *ctx, int argc, char **argv)`,
 * argv[0] being the command's name, returning a CL_EXIT_* code.  main.c's
 * table maps names to these and to their help text. */
#ifndef CL_CMD_H
#define CL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "grade.h"
#include "lesson.h"
#include "context.h"
#include "fs.h"

/* Exit codes of the chanlings program (README.md, "Exit codes"). */
enum {
    CL_EXIT_OK = 0,        /* done / check passed */
    CL_EXIT_FAIL = 1,      /* check (or verify, grade) found failures */
    CL_EXIT_USAGE = 2,     /* bad command line */
    CL_EXIT_WORKBOOK = 3,  /* workbook missing or broken (missing files...) */
    CL_EXIT_INTERNAL = 4,  /* the runner could not do its job */
};

typedef int (*cl_cmd_fn)(cl_ctx *ctx, int argc, char **argv);

int cl_cmd_status(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_list(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_progress(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_lesson(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_hint(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_run(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_check(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_next(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_prev(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_go(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_reset(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_solution(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_watch(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_verify(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_new(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_grade(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_quiz(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_autograder(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_classroom(cl_ctx *ctx, int argc, char **argv);
int cl_cmd_trace(cl_ctx *ctx, int argc, char **argv);

/* ---- shared by the commands (cmd_common.c) ---- */

/* Colour escapes for ctx (empty strings when colour is off). */
typedef enum { CL_C_RESET, CL_C_BOLD, CL_C_DIM, CL_C_GREEN, CL_C_RED, CL_C_YELLOW, CL_C_CYAN } cl_colour;
const char *cl_c(const cl_ctx *ctx, cl_colour c);

/* Command-line options of a command: flags (`--yes`), valued options
 * (`-j 4`, `--out DIR`, `--format=a,b`), and the positional rest. */
typedef struct cl_opt_spec {
    const char *name;   /* "--yes", "-j" */
    const char *alias;  /* another spelling, or NULL */
    bool takes_value;
} cl_opt_spec;
typedef struct cl_args {
    const char *value[8];  /* by spec index; flags get "" when given */
    char *pos[16];
    int npos;
} cl_args;
/* Returns 0, or CL_EXIT_USAGE after printing what was wrong. */
int cl_args_parse(const char *cmd, int argc, char **argv, const cl_opt_spec *spec, size_t nspec,
                  int max_pos, cl_args *out);

/* The exercise a command works on: `key` (number, slug or name) or, when
 * NULL, the current one.  Returns its index, or -1 after printing why
 * (unknown key, empty workbook). */
int cl_cmd_pick(cl_ctx *ctx, const char *key);

/* For commands of the form `cmd [N] [options]`: parses argv and picks the
 * exercise.  Returns its index, or minus the exit code after printing why. */
int cl_cmd_args_exercise(cl_ctx *ctx, const char *cmd, int argc, char **argv,
                         const cl_opt_spec *spec, size_t nspec, cl_args *a);

/* For commands that build the learner's exercise (run, check, trace):
 * parses argv like cl_cmd_args_exercise and finds the exercise's file
 * (*path, malloc'd).  Returns 0, or an exit code after saying why. */
int cl_cmd_target(cl_ctx *ctx, const char *cmd, int argc, char **argv, const cl_opt_spec *spec,
                  size_t nspec, cl_args *a, int *index, char **path);

/* What a run's or check's report means as an exit code. */
int cl_cmd_exit_of(const cl_report *r);

/* Columns of the terminal (COLUMNS when stdout is not one), at least 20. */
int cl_cmd_columns(void);

/* Asks a yes/no question on the terminal; false when not a terminal. */
bool cl_cmd_confirm(const char *question);

/* Loads the lesson of exercise i quietly: on failure `l` is zeroed and
 * the error goes to `err`. */
int cl_cmd_lesson_of(cl_ctx *ctx, int i, cl_lesson *l, char *err, size_t errsz);

/* Grade options for exercise i with `source` (the learner's file by
 * default): race, asan, wrap and timeout from its lesson.  Strings
 * borrow ctx. */
void cl_cmd_grade_opts(cl_ctx *ctx, int i, const char *source, cl_grade_opts *o);

/* What to do after exercise i passed, in the words of where the learner
 * reads it (ctx->front: the shell's commands, the view's keys, watch). */
void cl_cmd_print_after_pass(cl_ctx *ctx, int i);

/* Says where the learner is and what to do next (status, next, go...). */
void cl_cmd_print_next_step(cl_ctx *ctx, int i);

/* Runs fn(i, arg) for i in [0, n) on `jobs` threads; on a terminal (when
 * `label` is set) keeps one updating line "label 3/10 <what>" on stderr,
 * where what(i, arg) names item i. */
void cl_cmd_parallel(size_t n, int jobs, void (*fn)(size_t i, void *arg), void *arg,
                     const char *label, const char *(*what)(size_t i, void *arg));

/* Default parallelism: the CPUs online, at least 1, at most 8. */
int cl_cmd_default_jobs(void);

/* The exercise as shipped (git HEAD, else .chanlings/pristine/), written to
 * .chanlings/shipped/<slug>.c for the workbook's own tests, which must
 * never grade the learner's edits.  Returns that path (malloc'd), or NULL
 * when no shipped copy is known (a new exercise not yet committed).  Not
 * thread-safe: call it before starting workers. */
char *cl_cmd_shipped_copy(cl_ctx *ctx, const char *slug);

/* Keeps a pristine copy of every exercise in .chanlings/pristine/ the first
 * time the workbook is used, so reset can restore it without git. */
void cl_cmd_snapshot_pristine(cl_ctx *ctx);

#endif
