/* chanlings — the workbook: where it is and the four files of a slug.
 *
 * The root is the directory holding `lessons/` and `exercises/`: taken from
 * $CHANLINGS_ROOT when set, else found by walking up from the current
 * directory, so the runner works from any subdirectory of the workbook. */
#ifndef CL_WORKBOOK_H
#define CL_WORKBOOK_H

#include <stdbool.h>
#include <stddef.h>

/* The four files of a slug, in this order everywhere. */
typedef enum cl_file_kind {
    CL_FILE_LESSON,    /* lessons/NN-slug.md */
    CL_FILE_EXERCISE,  /* exercises/NN-slug.c */
    CL_FILE_SOLUTION,  /* solutions/NN-slug.c */
    CL_FILE_GRADER,    /* graders/NN-slug.c */
    CL_FILE_COUNT
} cl_file_kind;

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

#endif
