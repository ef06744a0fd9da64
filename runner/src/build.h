/* chanlings — compile the learner's file and link it into a grader or a
 * runnable program, with a content-addressed cache.
 *
 * Objects and programs live in <cache>/obj and <cache>/bin under a hash of
 * everything that decides their bytes: compiler, flags, source content and
 * libgoc.a's size and mtime (headers changing rebuilds libgoc.a).  So a
 * re-check after an edit compiles only the learner's file and links; the
 * grader and grader_main objects are reused.  Entries are written to a
 * temporary name and renamed, so two runners can share a cache. */
#ifndef CL_BUILD_H
#define CL_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "pass.h"
#include "wraps.h"

typedef struct cl_build_opts {
    const char *root;         /* workbook root: lib/include, build/lib, graders/ */
    const char *cache_dir;    /* where objects and programs go */
    cl_pass pass;             /* plain; race: ThreadSanitizer (tsan libgoc);
                                 memory: AddressSanitizer + UBSan (asan libgoc) */
    const volatile int *cancel;
    const char *wrap;         /* grader only: libgoc functions to link with
                                 -Wl,--wrap=NAME, separated by blanks; each
                                 must pass cl_wrap_allowed; NULL: none */
} cl_build_opts;

typedef struct cl_build_result {
    bool ok;
    bool cached;              /* nothing needed compiling or linking */
    char *exe;                /* the program, when ok */
    char *diagnostics;        /* compiler/linker output, first error first,
                                 paths relative to the workbook root */
    char *missing_function;   /* link failed: a function the grader calls
                                 that the learner's file lacks */
    char *error;              /* the build could not be attempted: why and
                                 what to do (libgoc not built, no compiler) */
    char *warnings;           /* ok: the compiler's warnings about the
                                 learner's file that point at real bugs
                                 (cl_build_bug_warnings), also when the
                                 object came from the cache; or NULL */
} cl_build_result;

/* Learner file + grader + graders/grader_main.c + libgoc + Check. */
int cl_build_grader(const cl_build_opts *o, const char *source, const char *grader,
                    cl_build_result *res);

/* Learner file (its own main) + libgoc. */
int cl_build_program(const cl_build_opts *o, const char *source, cl_build_result *res);

void cl_build_result_free(cl_build_result *res);

/* The warnings in `diagnostics` that are about `learner_file` and point at
 * real bugs (use after free, uninitialised values, format strings,
 * returning a local's address...), each with its "In function" line and
 * its source excerpt; NULL when there are none.  Newly allocated. */
char *cl_build_bug_warnings(const char *diagnostics, const char *learner_file);

/* The link failed on the `wrap:` contract: the grader lacks a __wrap_
 * the lesson asks for, or calls a __real_ the lesson does not list.  What
 * to fix, naming the grader, or NULL for any other failure.  Newly
 * allocated. */
char *cl_build_wrap_link_error(const char *diagnostics, const char *grader_rel);

/* Path of `path` relative to root when it lies inside it, else path as is
 * (newly allocated). */
char *cl_build_relative(const char *root, const char *path);

/* Puts the first error (with its "In function" context) before anything
 * that came earlier; newly allocated. */
char *cl_build_first_error_first(const char *diagnostics);

/* The function a link error says is undefined where the caller's line is
 * in `grader` (so the grader needs it from the learner's file), or NULL.
 * "main" stands for the learner's renamed main. */
char *cl_build_missing_function(const char *diagnostics, const char *grader);

#endif
