/* chanlings — classroom: GitHub Classroom autograding for a workbook that
 * students get as their own repository.
 *
 *   chanlings classroom [N...] --out DIR [--points P]
 *
 * writes DIR/.github/workflows/classroom.yml (GitHub Actions steps of
 * education/autograding-command-grader, one per exercise, and the
 * reporter that adds up the points) and DIR/.github/classroom/
 * autograding.json (the same tests in the format Classroom imports).  Each
 * test builds what is missing and runs `chanlings check N`: an exercise is
 * worth P points (default 1) when its check passes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "cmd_bundle.h"
#include "report_buf.h"

/* The two commands of every test; the workflow installs the Debian
 * packages once before them (`make deps` only checks). */
#define SETUP_COMMAND "make -s deps lib runner"
#define CHECK_COMMAND "./build/chanlings check %d"
/* Minutes a test may take: the build on a fresh runner, then the check. */
#define TEST_TIMEOUT_MIN 10

static char *autograding_json(const cl_ctx *ctx, const bool *sel, int points)
{
    cl_buf b = {0};
    cl_buf_puts(&b, "{\n  \"tests\": [");
    bool first = true;
    for (size_t i = 0; i < ctx->catalog->n; i++) {
        if (!sel[i])
            continue;
        const cl_exercise *e = &ctx->catalog->items[i];
        cl_buf_printf(&b, "%s\n    {\n      \"name\": \"%s\",\n      \"setup\": \"" SETUP_COMMAND
                      "\",\n      \"run\": \"" CHECK_COMMAND "\",\n      \"input\": \"\",\n"
                      "      \"output\": \"\",\n      \"comparison\": \"included\",\n"
                      "      \"timeout\": %d,\n      \"points\": %d\n    }",
                      first ? "" : ",", e->slug, e->number, TEST_TIMEOUT_MIN, points);
        first = false;
    }
    cl_buf_puts(&b, "\n  ]\n}\n");
    return b.oom ? (free(b.s), NULL) : cl_buf_take(&b);
}

static int write_workflow(cl_ctx *ctx, const bool *sel, int points, const char *path)
{
    cl_buf steps = {0}, results = {0}, runners = {0};
    for (size_t i = 0; i < ctx->catalog->n; i++) {
        if (!sel[i])
            continue;
        const cl_exercise *e = &ctx->catalog->items[i];
        cl_buf_printf(&steps, "      - name: %s\n        id: ex%02d\n"
                      "        uses: education/autograding-command-grader@v1\n"
                      "        with:\n          test-name: %s\n          setup-command: "
                      SETUP_COMMAND "\n          command: " CHECK_COMMAND "\n"
                      "          timeout: %d\n          max-score: %d\n",
                      e->slug, e->number, e->slug, e->number, TEST_TIMEOUT_MIN, points);
        cl_buf_printf(&results, "          EX%02d_RESULTS: \"${{steps.ex%02d.outputs.result}}\"\n",
                      e->number, e->number);
        cl_buf_printf(&runners, "%sex%02d", runners.len ? "," : "", e->number);
    }
    char *numbers = cl_bundle_numbers(ctx, sel);
    bool oom = steps.oom || results.oom || runners.oom || !numbers;
    char *s = cl_buf_take(&steps), *r = cl_buf_take(&results), *n = cl_buf_take(&runners);
    const char *vars[] = {"STEPS", s, "RESULTS", r, "RUNNERS", n, "EXERCISES", numbers ? numbers : "",
                          NULL};
    int rc = oom ? -1 : cl_bundle_template(ctx, "classroom", "classroom/classroom.yml", path, vars,
                                           false);
    free(s);
    free(r);
    free(n);
    free(numbers);
    return rc;
}

static const cl_opt_spec spec[] = {
    {"--out", "-o", true},
    {"--points", NULL, true},
};

int cl_cmd_classroom(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    if (cl_args_parse("classroom", argc, argv, spec, sizeof spec / sizeof *spec, 16, &a))
        return CL_EXIT_USAGE;
    if (!a.value[0]) {
        fprintf(stderr, "chanlings classroom: where to? `chanlings classroom --out .` writes "
                ".github/ into the repository students get\n");
        return CL_EXIT_USAGE;
    }
    int points = a.value[1] ? atoi(a.value[1]) : 1;
    if (points < 1 || points > 1000) {
        fprintf(stderr, "chanlings classroom: --points wants a whole number from 1 to 1000\n");
        return CL_EXIT_USAGE;
    }
    bool *sel = calloc(ctx->catalog->n + 1, sizeof *sel);
    if (!sel)
        return CL_EXIT_INTERNAL;
    int n = cl_bundle_pick(ctx, "classroom", &a, sel);
    if (n < 0) {
        free(sel);
        return -n;
    }
    /* Slugs go into JSON and YAML unquoted by design: the catalog only
     * holds [0-9]+-[a-z0-9-]+. */
    for (size_t i = 0; i < ctx->catalog->n; i++)
        if (sel[i] && !cl_catalog_valid_slug(ctx->catalog->items[i].slug)) {
            fprintf(stderr, "chanlings classroom: %s is not a valid slug\n",
                    ctx->catalog->items[i].slug);
            free(sel);
            return CL_EXIT_WORKBOOK;
        }
    char wf[4096], json_path[4096];
    snprintf(wf, sizeof wf, "%s/.github/workflows/classroom.yml", a.value[0]);
    snprintf(json_path, sizeof json_path, "%s/.github/classroom/autograding.json", a.value[0]);
    char *json = autograding_json(ctx, sel, points);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/.github/classroom", a.value[0]);
    int rc = CL_EXIT_INTERNAL;
    if (!json)
        fprintf(stderr, "chanlings classroom: out of memory\n");
    else if (write_workflow(ctx, sel, points, wf) != 0)
        ;
    else if (cl_mkdirs(dir) != 0 || cl_write_file_atomic(json_path, json, strlen(json)) != 0)
        fprintf(stderr, "chanlings classroom: cannot write %s: %s\n", json_path, strerror(errno));
    else {
        printf("wrote %s and %s: %d exercise%s, %d point%s each; commit them to the template "
               "repository of the assignment\n", wf, json_path, n, n == 1 ? "" : "s", points,
               points == 1 ? "" : "s");
        rc = CL_EXIT_OK;
    }
    free(json);
    free(sel);
    return rc;
}
