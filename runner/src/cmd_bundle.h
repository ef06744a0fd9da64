/* chanlings — what the grading-engine commands share (autograder,
 * classroom, prairielearn): which exercises an assignment holds, the
 * workbook's sources copied for a machine that builds them, and the
 * templates of dist/ filled in. */
#ifndef CL_CMD_BUNDLE_H
#define CL_CMD_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"

/* The exercises named by a->pos (numbers, slugs or names, each possibly a
 * comma list "1,2,5"); all of them when none is named.  sel[i] is set for
 * each (sel holds ctx->catalog->n entries).  Returns how many, or minus
 * the exit code after printing what was wrong. */
int cl_bundle_pick(cl_ctx *ctx, const char *cmd, const cl_args *a, bool *sel);

/* The selected exercises' numbers, blank-separated ("1 2 5"), for the
 * templates; malloc'd. */
char *cl_bundle_numbers(const cl_ctx *ctx, const bool *sel);

/* Whether the workbook holds the sources a grading machine builds
 * (Makefile, lib/src, runner/src, scripts/deps.sh); if not, says so for
 * `cmd` and returns false. */
bool cl_bundle_has_sources(const cl_ctx *ctx, const char *cmd);

/* Copies what building and grading need into dest: the Makefile, dist/,
 * lib/, runner/, scripts/, graders/, lessons/, solutions/, and exercises/
 * as shipped (never the instructor's own edits).  0, or -1 after saying
 * what failed. */
int cl_bundle_copy_sources(cl_ctx *ctx, const char *cmd, const char *dest);

/* Writes root/dist/<tmpl> to `to` with each "@KEY@" of vars (pairs, NULL
 * terminated) replaced, mode 0755 when exec.  0, or -1 after saying why. */
int cl_bundle_template(const cl_ctx *ctx, const char *cmd, const char *tmpl, const char *to,
                       const char *const *vars, bool exec);

/* Runs argv (a trusted tool: cp, zip) in cwd and waits; its exit code, or
 * -1 when it could not start (the tool's own message is on stderr). */
int cl_bundle_spawn(char *const *argv, const char *cwd);

#endif
