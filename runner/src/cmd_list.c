/* chanlings — where the learner is: status, list, progress. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"

static int no_args(const char *cmd, int argc, char **argv)
{
    cl_args a;
    return cl_args_parse(cmd, argc, argv, NULL, 0, 0, &a);
}

int cl_cmd_status(cl_ctx *ctx, int argc, char **argv)
{
    if (argc > 0 && no_args("status", argc, argv))
        return CL_EXIT_USAGE;
    const cl_catalog *c = ctx->catalog;
    if (c->n == 0) {
        printf("This workbook (%s) has no exercises yet; `chanlings new SLUG` adds one.\n",
               ctx->root);
        return CL_EXIT_OK;
    }
    int i = cl_ctx_current_index(ctx);
    const cl_exercise *e = &c->items[i];
    printf("chanlings: exercise %02d of %zu, %s (%s)%s\n", e->number, c->n, e->title, e->slug,
           cl_progress_done(ctx->progress, e->slug) ? " - done" : "");
    printf("Progress: %zu of %zu exercises done.\n", cl_ctx_done_count(ctx), c->n);
    if (cl_progress_done(ctx->progress, e->slug) && (size_t)i + 1 < c->n)
        printf("Next: `chanlings next` moves on to %s.\n", c->items[i + 1].slug);
    else
        cl_cmd_print_next_step(ctx, i);
    printf("On a terminal, `chanlings` alone opens the split-pane view; `chanlings --help` "
           "lists every command.\n");
    return CL_EXIT_OK;
}

int cl_cmd_list(cl_ctx *ctx, int argc, char **argv)
{
    if (no_args("list", argc, argv))
        return CL_EXIT_USAGE;
    const cl_catalog *c = ctx->catalog;
    int cur = cl_ctx_current_index(ctx);
    for (size_t i = 0; i < c->n; i++) {
        const cl_exercise *e = &c->items[i];
        bool done = cl_progress_done(ctx->progress, e->slug);
        printf("%s %s[%s]%s %02d  %-28s %s%s%s\n", (int)i == cur ? ">" : " ",
               cl_c(ctx, done ? CL_C_GREEN : CL_C_DIM), done ? "x" : " ", cl_c(ctx, CL_C_RESET),
               e->number, e->title, cl_c(ctx, CL_C_DIM), e->slug, cl_c(ctx, CL_C_RESET));
    }
    printf("%zu of %zu done; > marks the current exercise (`chanlings go N` moves there).\n",
           cl_ctx_done_count(ctx), c->n);
    return CL_EXIT_OK;
}

static void bar(cl_ctx *ctx, size_t done, size_t total)
{
    const int width = 30;
    int fill = total ? (int)(done * (size_t)width / total) : 0;
    printf("[%s", cl_c(ctx, CL_C_GREEN));
    for (int k = 0; k < width; k++)
        putchar(k < fill ? '#' : '.');
    printf("%s] %zu/%zu (%d%%)\n", cl_c(ctx, CL_C_RESET), done, total,
           total ? (int)(done * 100 / total) : 0);
}

static const char *day_of(time_t when, char *buf, size_t size)
{
    struct tm tm;
    localtime_r(&when, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
    return buf;
}

int cl_cmd_progress(cl_ctx *ctx, int argc, char **argv)
{
    if (no_args("progress", argc, argv))
        return CL_EXIT_USAGE;
    const cl_catalog *c = ctx->catalog;
    bar(ctx, cl_ctx_done_count(ctx), c->n);
    printf("%-4s %-30s %-6s %-6s %s\n", "", "exercise", "done", "hints", "quiz (best/last)");
    for (size_t i = 0; i < c->n; i++) {
        const cl_exercise *e = &c->items[i];
        int best, last, total;
        time_t when;
        char quiz[96] = "-", day[32];
        if (cl_progress_quiz(ctx->progress, e->slug, &best, &last, &total, &when))
            snprintf(quiz, sizeof quiz, "%d/%d, last %d/%d on %s", best, total, last, total,
                     day_of(when, day, sizeof day));
        printf("%02d   %-30.30s %-6s %-6d %s\n", e->number, e->slug,
               cl_progress_done(ctx->progress, e->slug) ? "yes" : "-", cl_progress_hints(ctx->progress, e->slug), quiz);
    }
    const cl_progress_mastery *m = cl_progress_mastery_of(ctx->progress);
    char day[32];
    if (m->attempts)
        printf("Mastery check (every lesson): best %d/%d, last %d/%d on %s, %d taken.\n",
               m->best, m->best_total, m->last, m->last_total, day_of(m->when, day, sizeof day),
               m->attempts);
    else
        printf("Mastery check (every lesson): not taken yet (`chanlings quiz --mastery`).\n");
    if (c->n) {
        int cur = cl_ctx_current_index(ctx);
        printf("Current: %s. ", c->items[cur].slug);
        cl_cmd_print_next_step(ctx, cur);
    }
    return CL_EXIT_OK;
}
