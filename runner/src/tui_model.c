/* The view's window on the workbook: the only file of the view that talks
 * to catalog, lesson and progress, so the rest only sees cl_tui_model. */
#include "tui_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "context.h"
#include "lesson.h"
#include "progress.h"
#include "quiz_mastery.h"

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

void cl_tui_model_refresh(cl_tui_model *m)
{
    char err[512];
    cl_ctx *ctx = m->ctx;
    /* Another runner (a check child, `chanlings` in another terminal) may
     * have written the state; a damaged file still leaves what was read. */
    if (cl_progress_load(ctx->progress, ctx->root, err, sizeof err) < 0)
        return;
    for (int i = 0; i < m->count; i++)
        m->ex[i].done = cl_progress_done(ctx->progress, m->ex[i].slug);
}

int cl_tui_model_load(cl_tui_model *m, struct cl_ctx *ctx, char *err, size_t errsz)
{
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->self = ctx->self;
    const cl_catalog *c = ctx->catalog;
    m->root = strdup(ctx->root);
    m->ex = calloc(c->n ? c->n : 1, sizeof *m->ex);
    if (!m->root || !m->ex) {
        snprintf(err, errsz, "chanlings: out of memory opening the view");
        cl_tui_model_free(m);
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        m->ex[i].slug = dup_or_empty(c->items[i].slug);
        m->ex[i].title = dup_or_empty(c->items[i].title);
        m->ex[i].number = c->items[i].number;
        m->count++;
    }
    cl_tui_model_refresh(m);
    m->current = cl_ctx_current_index(ctx);
    if (m->current < 0 || m->current >= m->count)
        m->current = 0;
    return 0;
}

void cl_tui_model_free(cl_tui_model *m)
{
    for (int i = 0; i < m->count; i++) {
        free(m->ex[i].slug);
        free(m->ex[i].title);
    }
    free(m->ex);
    free(m->root);
    memset(m, 0, sizeof *m);
}

void cl_tui_model_go(cl_tui_model *m, int index)
{
    char err[512];
    m->current = index;
    /* Failing to save where the learner is costs nothing now; the next
     * save tries again. */
    cl_progress_set_current(m->ctx->progress, m->ex[index].slug, err, sizeof err);
}

static int load_lesson(cl_tui_model *m, int index, cl_lesson *l, char *err, size_t errsz)
{
    return cl_catalog_lesson(m->ctx->catalog, m->ctx->root, (size_t)index, l, err, errsz);
}

char *cl_tui_model_lesson(cl_tui_model *m, int index, char *err, size_t errsz)
{
    cl_lesson l;
    if (load_lesson(m, index, &l, err, errsz) != 0) {
        /* Shown in the lesson pane: say what to do about it. */
        size_t n = strlen(err);
        snprintf(err + n, errsz - n, "\n\nFix the lesson file (or run `chanlings verify`), then "
                                     "come back to this exercise with < or >.");
        return NULL;
    }
    char *body = l.body;
    l.body = NULL;
    cl_lesson_free(&l);
    return body ? body : strdup("");
}

char *cl_tui_model_next_hint(cl_tui_model *m, int index, char *err, size_t errsz)
{
    cl_lesson l;
    if (load_lesson(m, index, &l, err, errsz) != 0)
        return NULL;
    const char *slug = m->ex[index].slug;
    if (l.nhints == 0) {
        snprintf(err, errsz, "lessons/%s.md has no hints", slug);
        cl_lesson_free(&l);
        return NULL;
    }
    int shown = cl_progress_reveal_hint(m->ctx->progress, slug, (int)l.nhints, err, errsz);
    if (shown < 0) {
        cl_lesson_free(&l);
        return NULL;
    }
    cl_buf md = {0};
    for (int i = 0; i < shown; i++)
        cl_buf_printf(&md, "### Hint %d of %zu\n\n%s\n\n", i + 1, l.nhints, l.hints[i]);
    cl_buf_puts(&md, shown < (int)l.nhints ? "*h shows the next hint.*\n"
                                           : "*That was the last hint. The lesson has the rest.*\n");
    cl_lesson_free(&l);
    if (md.oom) {
        free(md.s);
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    return cl_buf_take(&md);
}

char *cl_tui_model_exercise_path(cl_tui_model *m, int index)
{
    return cl_workbook_path(m->root, m->ex[index].slug, CL_FILE_EXERCISE);
}

int cl_tui_model_quiz(cl_tui_model *m, int index, char **text, char **path, int *first_line,
                      char *err, size_t errsz)
{
    cl_lesson l;
    if (load_lesson(m, index, &l, err, errsz) != 0)
        return -1;
    if (!l.quiz) {
        snprintf(err, errsz, "lessons/%s.md has no ## Quiz section, so there is no quiz here",
                 m->ex[index].slug);
        cl_lesson_free(&l);
        return -1;
    }
    *text = l.quiz;
    *path = l.path;
    *first_line = l.quiz_line;
    l.quiz = NULL;
    l.path = NULL;
    cl_lesson_free(&l);
    return 0;
}

void cl_tui_model_quiz_score(cl_tui_model *m, int index, int correct, int total)
{
    cl_progress_record_quiz(m->ctx->progress, m->ex[index].slug, correct, total);
}

int cl_tui_model_mastery(cl_tui_model *m, struct cl_mastery *out, uint64_t seed, char *err,
                         size_t errsz)
{
    return cl_mastery_start(out, m->ctx, 0, seed, err, errsz);
}

const cl_progress_mastery *cl_tui_model_mastery_score(cl_tui_model *m,
                                                      const struct cl_mastery *mc)
{
    return cl_mastery_record(mc, m->ctx) == 0 ? cl_progress_mastery_of(m->ctx->progress) : NULL;
}
