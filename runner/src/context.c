/* chanlings — opening the workbook: root, catalog, progress, colour. */
#include "context.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workbook.h"

bool cl_ctx_color(FILE *f)
{
    const char *force = getenv("CHANLINGS_COLOR");
    if (force && strcmp(force, "always") == 0)
        return true;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f));
}

cl_ctx_result cl_ctx_open_root(cl_ctx *ctx, const char *root, char *err, size_t errsz)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->root = strdup(root);
    ctx->catalog = calloc(1, sizeof *ctx->catalog);
    ctx->progress = calloc(1, sizeof *ctx->progress);
    if (!ctx->root || !ctx->catalog || !ctx->progress) {
        snprintf(err, errsz, "out of memory");
        return CL_CTX_FAILED;
    }
    ctx->color = cl_ctx_color(stdout);
    ctx->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    static const char *const fronts[] = {[CL_FRONT_VIEW] = "view", [CL_FRONT_WATCH] = "watch"};
    const char *front = getenv("CHANLINGS_FRONT");
    ctx->front = CL_FRONT_CLI;
    for (size_t i = 0; front && i < sizeof fronts / sizeof *fronts; i++)
        if (fronts[i] && strcmp(front, fronts[i]) == 0)
            ctx->front = (cl_front)i;
    if (cl_catalog_load(ctx->catalog, root, err, errsz) != 0)
        return CL_CTX_BROKEN;
    if (cl_progress_load(ctx->progress, ctx->root, err, errsz) < 0)
        return CL_CTX_FAILED;
    return CL_CTX_OK;
}

cl_ctx_result cl_ctx_open(cl_ctx *ctx, char *err, size_t errsz)
{
    memset(ctx, 0, sizeof *ctx);
    char *root = cl_workbook_find(err, errsz);
    if (!root)
        return CL_CTX_BROKEN;
    cl_ctx_result rc = cl_ctx_open_root(ctx, root, err, errsz);
    free(root);
    return rc;
}

void cl_ctx_close(cl_ctx *ctx)
{
    if (ctx->catalog) {
        cl_catalog_free(ctx->catalog);
        free(ctx->catalog);
    }
    if (ctx->progress) {
        cl_progress_free(ctx->progress);
        free(ctx->progress);
    }
    free(ctx->root);
    memset(ctx, 0, sizeof *ctx);
}

int cl_ctx_current_index(const cl_ctx *ctx)
{
    const char *cur = cl_progress_current(ctx->progress);
    int i = cur ? cl_catalog_find(ctx->catalog, cur) : -1;
    return i < 0 ? 0 : i;
}

size_t cl_ctx_done_count(const cl_ctx *ctx)
{
    size_t n = 0;
    for (size_t i = 0; i < ctx->catalog->n; i++)
        n += cl_progress_done(ctx->progress, ctx->catalog->items[i].slug);
    return n;
}
