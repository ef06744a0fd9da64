/* chanlings — new, for instructors: scaffold the four files of an
 * exercise from templates.  The templates are a complete, tiny exercise:
 * the stub compiles and fails, the solution passes, lesson and quiz parse,
 * so `chanlings verify` accepts the scaffold before any real content. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"

/* %1$s slug, %2$s title, %3$s C identifier, %4$d the number */
static const char lesson_tpl[] =
    "---\n"
    "title: %2$s\n"
    "difficulty: beginner\n"
    "minutes: 30\n"
    "concepts: %2$s\n"
    "race: false\n"
    "---\n"
    "# %2$s\n"
    "\n"
    "TODO(author): the idea as Go has it, then its form with libgoc (docs/go-to-c.md), a\n"
    "worked example, and the mistakes people make.  docs/authoring.md has the rules.\n"
    "\n"
    "The exercise (exercises/%1$s.c) asks for `%3$s()`, which returns 42.\n"
    "\n"
    "## Hints\n"
    "1. TODO(author): a first nudge towards the idea.\n"
    "2. TODO(author): a closer one, naming the libgoc call.\n"
    "3. `%3$s` only has to `return 42;`.\n"
    "\n"
    "## Quiz\n"
    "\n"
    "### What does %3$s return?\n"
    "- [x] 42\n"
    "- [ ] 0\n"
    "  > 0 is what the untouched exercise returns.\n"
    "\n"
    "> TODO(author): a question about the idea itself, and why its answer is right.\n";

static const char exercise_tpl[] =
    "/* Exercise %4$02d - %2$s (%1$s).\n"
    " *\n"
    " * Fill in the function marked GRADED so that every TODO is gone.\n"
    " *   chanlings run     builds this file and runs main below\n"
    " *   chanlings check   runs the hidden tests against %3$s */\n"
    "#include <goc.h>\n"
    "#include <stdio.h>\n"
    "\n"
    "/* GRADED: %3$s\n"
    " * Returns 42. */\n"
    "int %3$s(void)\n"
    "{\n"
    "    /* TODO: return the answer. */\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    printf(\"%3$s() = %%d\\n\", %3$s());\n"
    "    return 0;\n"
    "}\n";

static const char solution_tpl[] =
    "/* Exercise %4$02d - %2$s (%1$s): reference solution. */\n"
    "#include <goc.h>\n"
    "#include <stdio.h>\n"
    "\n"
    "/* GRADED: %3$s\n"
    " * Returns 42. */\n"
    "int %3$s(void)\n"
    "{\n"
    "    return 42;\n"
    "}\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    printf(\"%3$s() = %%d\\n\", %3$s());\n"
    "    return 0;\n"
    "}\n";

static const char grader_tpl[] =
    "/* Grader for exercise %4$02d - %2$s.  graders/grader.h has the helpers;\n"
    " * docs/authoring.md the rules (deterministic, teaching messages). */\n"
    "#include \"grader.h\"\n"
    "\n"
    "int %3$s(void);\n"
    "\n"
    "CL_TEST(%3$s_returns_42)\n"
    "{\n"
    "    int got = %3$s();\n"
    "    cl_expect(got == 42, \"%3$s() to return 42\", \"the lesson's example\",\n"
    "              \"it returned %%d (exercises/%1$s.c, %3$s)\", got);\n"
    "}\n"
    "CL_END_TEST\n"
    "\n"
    "Suite *cl_grader_suite(void)\n"
    "{\n"
    "    return CL_SUITE(\"%1$s\", %3$s_returns_42);\n"
    "}\n";

static const char *const templates[CL_FILE_COUNT] = {
    [CL_FILE_LESSON] = lesson_tpl,
    [CL_FILE_EXERCISE] = exercise_tpl,
    [CL_FILE_SOLUTION] = solution_tpl,
    [CL_FILE_GRADER] = grader_tpl,
};

static bool valid_name(const char *s)
{
    if (!islower((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return false;
    return s[-1] != '-';
}

int cl_cmd_new(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    if (cl_args_parse("new", argc, argv, NULL, 0, 1, &a))
        return CL_EXIT_USAGE;
    if (a.npos != 1 || !valid_name(a.pos[0]) || strlen(a.pos[0]) > 60) {
        fprintf(stderr, "chanlings new: give the new exercise a name of lower-case letters, "
                "digits and '-', starting with a letter, e.g. `chanlings new worker-pools`; "
                "the number is added for you\n");
        return CL_EXIT_USAGE;
    }
    const char *name = a.pos[0];
    const cl_catalog *c = ctx->catalog;
    if (cl_catalog_find(c, name) >= 0) {
        fprintf(stderr, "chanlings new: an exercise named %s exists already (`chanlings list`)\n",
                name);
        return CL_EXIT_USAGE;
    }
    int number = c->n ? c->items[c->n - 1].number + 1 : 1;
    char slug[80], title[80], ident[80];
    snprintf(slug, sizeof slug, "%02d-%s", number, name);
    snprintf(title, sizeof title, "%s", name);
    snprintf(ident, sizeof ident, "%s", name);
    for (char *p = title; *p; p++)
        if (*p == '-')
            *p = ' ';
    title[0] = (char)toupper((unsigned char)title[0]);
    for (char *p = ident; *p; p++)
        if (*p == '-')
            *p = '_';

    char *paths[CL_FILE_COUNT] = {0};
    int rc = CL_EXIT_OK;
    for (int k = 0; k < CL_FILE_COUNT && rc == CL_EXIT_OK; k++) {
        paths[k] = cl_workbook_path(ctx->root, slug, (cl_file_kind)k);
        char *dir = cl_workbook_join(ctx->root, cl_file_dir((cl_file_kind)k));
        if (!paths[k] || !dir || cl_mkdirs(dir) != 0 || cl_file_exists(paths[k])) {
            fprintf(stderr, "chanlings new: cannot create %s/%s%s: %s\n",
                    cl_file_dir((cl_file_kind)k), slug, cl_file_ext((cl_file_kind)k),
                    cl_file_exists(paths[k] ? paths[k] : "") ? "it exists already"
                                                             : strerror(errno));
            rc = CL_EXIT_WORKBOOK;
        }
        free(dir);
    }
    for (int k = 0; k < CL_FILE_COUNT && rc == CL_EXIT_OK; k++) {
        char buf[4096];
        int n = snprintf(buf, sizeof buf, templates[k], slug, title, ident, number);
        if (n < 0 || (size_t)n >= sizeof buf || cl_write_file_atomic(paths[k], buf, (size_t)n)) {
            fprintf(stderr, "chanlings new: cannot write %s: %s\n", paths[k], strerror(errno));
            rc = CL_EXIT_INTERNAL;
        } else {
            printf("created %s/%s%s\n", cl_file_dir((cl_file_kind)k), slug,
                   cl_file_ext((cl_file_kind)k));
        }
    }
    for (int k = 0; k < CL_FILE_COUNT; k++)
        free(paths[k]);
    if (rc == CL_EXIT_OK)
        printf("Next: write the lesson and the grader (docs/authoring.md), then "
               "`chanlings verify %s`.\n", slug);
    return rc;
}
