/* chanlings — the context every command receives: the workbook's root, its
 * catalog and the learner's progress, and how to talk to the terminal.
 *
 * It sits above catalog.h and progress.h (it opens both); nothing below it
 * knows about it. */
#ifndef CL_CONTEXT_H
#define CL_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "catalog.h"
#include "progress.h"

/* Where the learner reads a command's output, so messages name the keys
 * they have there: a shell, the view or watch (their `chanlings check`
 * children get CHANLINGS_FRONT=view or watch). */
typedef enum cl_front { CL_FRONT_CLI, CL_FRONT_VIEW, CL_FRONT_WATCH } cl_front;

/* Owned by main; commands read it and update progress through progress.h
 * (which keeps *ctx->progress current). */
typedef struct cl_ctx {
    char *root;              /* absolute workbook root */
    cl_catalog *catalog;     /* every slug, ordered by number */
    cl_progress *progress;   /* learner state as last read/written */
    bool color;              /* stdout gets colour escapes */
    bool tty;                /* stdin and stdout are terminals */
    const char *self;        /* path of this executable (for children) */
    cl_front front;          /* where the output is read */
} cl_ctx;

/* How opening went; main turns this into an exit code. */
typedef enum cl_ctx_result {
    CL_CTX_OK = 0,
    CL_CTX_BROKEN,   /* no workbook here, or a broken one: err says what to do */
    CL_CTX_FAILED,   /* the runner could not read it (memory, I/O) */
} cl_ctx_result;

/* Fills ctx: root ($CHANLINGS_ROOT or walking up), catalog, progress,
 * colour; on failure err says what is missing and what to do. */
cl_ctx_result cl_ctx_open(cl_ctx *ctx, char *err, size_t errsz);
/* Same with a known root (tests, `verify` of another tree). */
cl_ctx_result cl_ctx_open_root(cl_ctx *ctx, const char *root, char *err, size_t errsz);
void cl_ctx_close(cl_ctx *ctx);

/* True when colour escapes should go to `f`: CHANLINGS_COLOR=always (the
 * view asks its child for colour: that is how it learns each line's role),
 * else a terminal with NO_COLOR unset (or empty) and TERM not "dumb". */
bool cl_ctx_color(FILE *f);

/* Index in ctx->catalog of the current exercise (0 if unset/unknown). */
int cl_ctx_current_index(const cl_ctx *ctx);
/* How many of the catalog's exercises are done. */
size_t cl_ctx_done_count(const cl_ctx *ctx);

#endif
