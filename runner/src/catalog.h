/* chanlings — the exercises of a workbook, discovered from its files.
 *
 * A slug (`03-unbuffered-channels`) exists when any of its four files
 * exists; the number gives the order.  Loading never fails on a missing or
 * malformed piece: each becomes a problem message naming the file (and
 * line), which `verify` reports; the other commands speak up only when
 * they need the missing file.  Only a workbook without `lessons/` or `exercises/`
 * fails to load. */
#ifndef CL_CATALOG_H
#define CL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"
#include "workbook.h"

typedef struct cl_exercise {
    int number;                 /* 3 */
    char *slug;                 /* "03-unbuffered-channels" */
    char *name;                 /* "unbuffered-channels" */
    char *title;                /* front matter title, else from the name */
    bool has[CL_FILE_COUNT];    /* which of the four files exist */
} cl_exercise;

typedef struct cl_catalog {
    cl_exercise *items;         /* ordered by number, then slug */
    size_t n;
    char **problems;            /* "lessons/03-x.md:2: ..." messages */
    size_t nproblems;
} cl_catalog;

/* Returns 0, or -1 with err saying which directory is missing. */
int cl_catalog_load(cl_catalog *c, const char *root, char *err, size_t errsz);
void cl_catalog_free(cl_catalog *c);

/* Index of the exercise `key` names: a number ("3", "03"), a slug
 * ("03-unbuffered-channels") or a name ("unbuffered-channels"); -1 if none. */
int cl_catalog_find(const cl_catalog *c, const char *key);

/* Splits a file name "NN-slug.ext" (ext given, e.g. ".md"): returns the
 * number and writes the slug (without extension) to slug, or -1 if the
 * name does not have that shape. */
int cl_catalog_parse_name(const char *file, const char *ext, char *slug, size_t slugsz);

/* The one lesson loader: reads and parses lessons/<slug>.md of item i
 * under root.  0, or -1 with err naming the file (l is then zeroed). */
int cl_catalog_lesson(const cl_catalog *c, const char *root, size_t i, cl_lesson *l, char *err,
                      size_t errsz);

/* Whether `s` is a valid slug: digits, '-', then [a-z0-9-]+. */
bool cl_catalog_valid_slug(const char *s);

#endif
