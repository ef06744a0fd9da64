/* chanlings — reading: the lesson and its hints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"

/* Loads exercise i's lesson or says what is wrong with it. */
static int load(cl_ctx *ctx, int i, cl_lesson *l)
{
    char err[1024];
    if (cl_cmd_lesson_of(ctx, i, l, err, sizeof err) == 0)
        return 0;
    fprintf(stderr, "chanlings: %s\n(the lesson file must parse; docs/authoring.md describes "
            "its format)\n", err);
    return -1;
}

/* Light rendering for a terminal: headings bold, code dimmed; the full
 * Markdown view is the split-pane view's job. */
static void print_markdown(cl_ctx *ctx, const char *md)
{
    bool code = false;
    for (const char *p = md; *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        bool fence = strncmp(p, "```", 3) == 0 || strncmp(p, "~~~", 3) == 0;
        if (fence)
            code = !code;
        cl_colour col = fence || code ? CL_C_CYAN : p[0] == '#' ? CL_C_BOLD : CL_C_RESET;
        printf("%s%.*s%s\n", cl_c(ctx, col), len, p, cl_c(ctx, CL_C_RESET));
        p += len + (nl != NULL);
    }
}

int cl_cmd_lesson(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    int i = cl_cmd_args_exercise(ctx, "lesson", argc, argv, NULL, 0, &a);
    if (i < 0)
        return -i;
    cl_lesson l;
    if (load(ctx, i, &l))
        return CL_EXIT_WORKBOOK;
    const cl_exercise *e = &ctx->catalog->items[i];
    printf("%s%02d %s%s  (%s, about %d minutes; %s)\n\n", cl_c(ctx, CL_C_DIM), e->number, e->slug,
           cl_c(ctx, CL_C_RESET), l.difficulty, l.minutes, l.concepts);
    print_markdown(ctx, l.body);
    printf("\n%s--%s Edit exercises/%s.c, then `chanlings check %d`. %zu hint%s "
           "(`chanlings hint %d`)%s.\n",
           cl_c(ctx, CL_C_DIM), cl_c(ctx, CL_C_RESET), e->slug, e->number, l.nhints,
           l.nhints == 1 ? "" : "s", e->number, l.quiz ? ", a quiz (`chanlings quiz`)" : "");
    cl_lesson_free(&l);
    return CL_EXIT_OK;
}

int cl_cmd_hint(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    int i = cl_cmd_args_exercise(ctx, "hint", argc, argv, NULL, 0, &a);
    if (i < 0)
        return -i;
    cl_lesson l;
    if (load(ctx, i, &l))
        return CL_EXIT_WORKBOOK;
    const cl_exercise *e = &ctx->catalog->items[i];
    if (l.nhints == 0) {
        printf("lessons/%s.md has no hints; the lesson itself is the best guide "
               "(`chanlings lesson %d`).\n", e->slug, e->number);
        cl_lesson_free(&l);
        return CL_EXIT_OK;
    }
    int before = cl_progress_hints(ctx->progress, e->slug);
    char err[512];
    int shown = cl_progress_reveal_hint(ctx->progress, e->slug, (int)l.nhints, err, sizeof err);
    if (shown < 0) {
        fprintf(stderr, "chanlings: %s\n", err);
        cl_lesson_free(&l);
        return CL_EXIT_INTERNAL;
    }
    for (int h = 0; h < shown; h++) {
        bool fresh = h >= before;
        printf("%sHint %d of %zu%s%s:\n", cl_c(ctx, fresh ? CL_C_BOLD : CL_C_DIM), h + 1,
               l.nhints, fresh ? " (new)" : "", cl_c(ctx, CL_C_RESET));
        print_markdown(ctx, l.hints[h]);
        putchar('\n');
    }
    if (shown == before)
        printf("That was every hint for %s. Still stuck? `chanlings solution %d` shows the "
               "reference solution (it asks first if you have not passed yet).\n",
               e->slug, e->number);
    else if ((size_t)shown < l.nhints)
        printf("%zu more hint%s: run `chanlings hint %d` again.\n", l.nhints - (size_t)shown,
               l.nhints - (size_t)shown == 1 ? "" : "s", e->number);
    cl_lesson_free(&l);
    return CL_EXIT_OK;
}
