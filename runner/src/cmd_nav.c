/* chanlings — moving between exercises: next, prev, go. */
#include <stdio.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"

/* Makes exercise i current and tells the learner what to do there. */
static int move_to(cl_ctx *ctx, int i)
{
    const cl_exercise *e = &ctx->catalog->items[i];
    char err[512];
    if (cl_progress_set_current(ctx->progress, e->slug, err, sizeof err) != 0) {
        fprintf(stderr, "chanlings: %s\n", err);
        return CL_EXIT_INTERNAL;
    }
    printf("Now at %02d %s (%s)%s.\n", e->number, e->title, e->slug,
           cl_progress_done(ctx->progress, e->slug) ? ", already done" : "");
    cl_cmd_print_next_step(ctx, i);
    return CL_EXIT_OK;
}

static int step(cl_ctx *ctx, const char *cmd, int argc, char **argv, int delta)
{
    cl_args a;
    if (cl_args_parse(cmd, argc, argv, NULL, 0, 0, &a))
        return CL_EXIT_USAGE;
    int cur = cl_cmd_pick(ctx, NULL);
    if (cur < 0)
        return CL_EXIT_WORKBOOK;
    int to = cur + delta;
    if (to < 0 || (size_t)to >= ctx->catalog->n) {
        printf("%02d %s is the %s exercise; nothing %s it. `chanlings list` shows them all.\n",
               ctx->catalog->items[cur].number, ctx->catalog->items[cur].slug,
               delta > 0 ? "last" : "first", delta > 0 ? "after" : "before");
        return CL_EXIT_OK;
    }
    return move_to(ctx, to);
}

int cl_cmd_next(cl_ctx *ctx, int argc, char **argv) { return step(ctx, "next", argc, argv, 1); }
int cl_cmd_prev(cl_ctx *ctx, int argc, char **argv) { return step(ctx, "prev", argc, argv, -1); }

int cl_cmd_go(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    if (cl_args_parse("go", argc, argv, NULL, 0, 1, &a))
        return CL_EXIT_USAGE;
    if (a.npos != 1) {
        fprintf(stderr, "chanlings go: which exercise? e.g. `chanlings go 3`; `chanlings list` "
                "shows the numbers\n");
        return CL_EXIT_USAGE;
    }
    int i = cl_cmd_pick(ctx, a.pos[0]);
    return i < 0 ? CL_EXIT_USAGE : move_to(ctx, i);
}
