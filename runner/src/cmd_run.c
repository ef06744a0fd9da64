/* chanlings — doing: run the learner's main, check against the grader. */
#include <stdio.h>
#include <stdlib.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"

int cl_cmd_exit_of(const cl_report *r)
{
    static const int codes[CL_STATUS_COUNT] = {
        [CL_STATUS_PASSED] = CL_EXIT_OK,       [CL_STATUS_FAILED] = CL_EXIT_FAIL,
        [CL_STATUS_COMPILE_ERROR] = CL_EXIT_FAIL, [CL_STATUS_TIMEOUT] = CL_EXIT_FAIL,
        [CL_STATUS_CRASHED] = CL_EXIT_FAIL,    [CL_STATUS_INTERNAL] = CL_EXIT_INTERNAL,
    };
    return codes[r->status];
}

int cl_cmd_target(cl_ctx *ctx, const char *cmd, int argc, char **argv, const cl_opt_spec *spec,
                  size_t nspec, cl_args *a, int *index, char **path)
{
    int i = cl_cmd_args_exercise(ctx, cmd, argc, argv, spec, nspec, a);
    if (i < 0)
        return -i;
    const cl_exercise *e = &ctx->catalog->items[i];
    *path = cl_workbook_path(ctx->root, e->slug, CL_FILE_EXERCISE);
    if (!*path)
        return CL_EXIT_INTERNAL;
    if (!cl_file_exists(*path)) {
        fprintf(stderr, "chanlings %s: exercises/%s.c is missing; `chanlings reset %d` restores "
                "it as shipped\n", cmd, e->slug, e->number);
        free(*path);
        return CL_EXIT_WORKBOOK;
    }
    *index = i;
    return CL_EXIT_OK;
}

int cl_cmd_run(cl_ctx *ctx, int argc, char **argv)
{
    int i;
    char *path;
    cl_args a;
    int rc = cl_cmd_target(ctx, "run", argc, argv, NULL, 0, &a, &i, &path);
    if (rc)
        return rc;
    cl_grade_opts o;
    cl_cmd_grade_opts(ctx, i, path, &o);
    cl_report *r = cl_run(&o);
    free(path);
    if (!r) {
        fprintf(stderr, "chanlings run: out of memory\n");
        return CL_EXIT_INTERNAL;
    }
    cl_report_print(stdout, r, ctx->color);
    rc = cl_cmd_exit_of(r);
    cl_report_free(r);
    return rc;
}

int cl_cmd_check(cl_ctx *ctx, int argc, char **argv)
{
    int i;
    char *path;
    cl_args a;
    int rc = cl_cmd_target(ctx, "check", argc, argv, NULL, 0, &a, &i, &path);
    if (rc)
        return rc;
    const cl_exercise *e = &ctx->catalog->items[i];
    if (!e->has[CL_FILE_GRADER]) {
        fprintf(stderr, "chanlings check: graders/%s.c is missing, so %s cannot be checked; "
                "the workbook is incomplete (an instructor runs `chanlings verify`)\n", e->slug,
                e->slug);
        free(path);
        return CL_EXIT_WORKBOOK;
    }
    cl_grade_opts o;
    cl_cmd_grade_opts(ctx, i, path, &o);
    cl_report *r = cl_grade(&o);
    free(path);
    if (!r) {
        fprintf(stderr, "chanlings check: out of memory\n");
        return CL_EXIT_INTERNAL;
    }
    cl_report_print(stdout, r, ctx->color);
    rc = cl_cmd_exit_of(r);
    if (r->status == CL_STATUS_PASSED) {
        char err[512];
        bool was = cl_progress_done(ctx->progress, e->slug);
        if (cl_progress_mark_done(ctx->progress, e->slug, err, sizeof err) != 0)
            fprintf(stderr, "chanlings check: passed, but %s\n", err);
        else if (!was)
            printf("%s%s is done.%s ", cl_c(ctx, CL_C_GREEN), e->slug, cl_c(ctx, CL_C_RESET));
        cl_cmd_print_after_pass(ctx, i);
    }
    cl_report_free(r);
    return rc;
}
