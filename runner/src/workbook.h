/* chanlings — the workbook: where it is, the four files of a slug, and the
 * context every command receives.
 *
 * The root is the directory holding `lessons/` and `exercises/`: taken from
 * $CHANLINGS_ROOT when set, else found by walking up from the current
 * directory, so the runner works from any subdirectory of the workbook. */
#ifndef CL_WORKBOOK_H
#define CL_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fs.h"

/* Exit codes of the chanlings program (README.md, "Exit codes"). */
enum {
    CL_EXIT_OK = 0,        /* done / check passed */
    CL_EXIT_FAIL = 1,      /* check (or verify, grade) found failures */
    CL_EXIT_USAGE = 2,     /* bad command line */
    CL_EXIT_WORKBOOK = 3,  /* workbook missing or broken (missing files...) */
    CL_EXIT_INTERNAL = 4,  /* the runner could not do its job */
};

/* The four files of a slug, in this order everywhere. */
typedef enum cl_file_kind {
    CL_FILE_LESSON,    /* lessons/NN-slug.md */
    CL_FILE_EXERCISE,  /* exercises/NN-slug.c */
    CL_FILE_SOLUTION,  /* solutions/NN-slug.c */
    CL_FILE_GRADER,    /* graders/NN-slug.c */
    CL_FILE_COUNT
} cl_file_kind;

struct cl_catalog;
struct cl_progress;

/* What every command gets.  Owned by main; commands read it and update
 * progress through progress.h (which keeps ctx->progress current). */
typedef struct cl_ctx {
    char *root;                   /* absolute workbook root */
    struct cl_catalog *catalog;   /* every slug, ordered by number */
    struct cl_progress *progress; /* learner state as last read/written */
    bool color;                   /* stdout gets colour escapes */
    bool tty;                     /* stdin and stdout are terminals */
    const char *self;             /* path of this executable (for children) */
} cl_ctx;

/* Directory ("lessons", ...) and extension (".md" / ".c") of a kind. */
const char *cl_file_dir(cl_file_kind kind);
const char *cl_file_ext(cl_file_kind kind);

/* "<dir>/<slug><ext>", relative to the root (malloc'd). */
char *cl_workbook_relpath(const char *slug, cl_file_kind kind);
/* "<root>/<dir>/<slug><ext>" (malloc'd). */
char *cl_workbook_path(const char *root, const char *slug, cl_file_kind kind);
/* "<root>/<rel>" (malloc'd). */
char *cl_workbook_join(const char *root, const char *rel);

/* Finds the root ($CHANLINGS_ROOT or walking up from cwd).  Returns a
 * malloc'd absolute path, or NULL with a message in err. */
char *cl_workbook_find(char *err, size_t errsz);

/* True when colour escapes should go to `f`: a terminal and NO_COLOR unset
 * (or empty), and TERM is not "dumb". */
bool cl_workbook_color(FILE *f);

/* Fills ctx: root, catalog, progress, colour.  Returns a CL_EXIT_* code;
 * on failure err says what is missing and what to do. */
int cl_ctx_open(cl_ctx *ctx, char *err, size_t errsz);
/* Same with a known root (tests, `verify` of another tree). */
int cl_ctx_open_root(cl_ctx *ctx, const char *root, char *err, size_t errsz);
void cl_ctx_close(cl_ctx *ctx);

/* Reads a whole file (malloc'd, NUL-terminated; *len if not NULL), or NULL
 * with errno set. */
char *cl_read_file(const char *path, size_t *len);
/* Writes a whole file atomically: temp file in the same directory, fsync,
 * rename.  Returns 0 or -1 with errno set. */
int cl_write_file_atomic(const char *path, const char *data, size_t len);
/* Whether a regular file exists. */
bool cl_file_exists(const char *path);

#endif
