/* Scratch workbooks for the runner's unit tests: a fresh temp directory
 * per test, files written by path, everything removed afterwards. */
#ifndef CL_TESTDIR_H
#define CL_TESTDIR_H

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "fs.h"
#include "workbook.h"

static inline char *td_make(void)
{
    char tmpl[] = "/tmp/chanlings-unit.XXXXXX";
    char *d = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(d);
    return strdup(d);
}

/* Writes root/rel (creating directories) with text. */
static inline void td_write(const char *root, const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    ck_assert_int_eq(cl_mkdirs(path), 0);
    *slash = '/';
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static inline void td_remove(char *root)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
    free(root);
}

#define TD_LESSON(title)                                                                      \
    "---\ntitle: " title "\ndifficulty: beginner\nminutes: 5\nconcepts: c\n---\n# " title "\n"

/* A workbook with exercises 1 and 2 complete. */
static inline char *td_workbook(void)
{
    char *root = td_make();
    static const char *const slugs[] = {"01-first", "02-second"};
    for (int i = 0; i < 2; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "lessons/%s.md", slugs[i]);
        td_write(root, rel, i ? TD_LESSON("Second") : TD_LESSON("First"));
        static const char *const dirs[] = {"exercises", "solutions", "graders"};
        for (int d = 0; d < 3; d++) {
            snprintf(rel, sizeof rel, "%s/%s.c", dirs[d], slugs[i]);
            td_write(root, rel, "int x;\n");
        }
    }
    return root;
}

#endif
