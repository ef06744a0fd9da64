/* chanlings — the mastery check across every lesson (quiz_mastery.h). */
#include "quiz_mastery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lesson.h"
#include "progress.h"
#include "workbook.h"

static void lesson_free(cl_mastery_lesson *l)
{
    free(l->relpath);
    free(l->title);
    cl_quiz_free(&l->quiz);
    memset(l, 0, sizeof *l);
}

void cl_mastery_free(cl_mastery *m)
{
    for (size_t k = 0; k < m->nlessons; k++)
        lesson_free(&m->lessons[k]);
    free(m->lessons);
    free(m->paths);
    cl_quiz_attempt_free(&m->attempt);
    free(m->skipped.s);
    memset(m, 0, sizeof *m);
}

/* Lesson i of the catalog into *l: 0; 1 when it has no quiz (nothing to
 * ask, not an error); -1 with err (`path:LINE: ...`). */
static int lesson_load(cl_ctx *ctx, size_t i, cl_mastery_lesson *l, char *err, size_t errsz)
{
    const cl_exercise *ex = &ctx->catalog->items[i];
    cl_lesson lesson;
    memset(l, 0, sizeof *l);
    l->number = ex->number;
    if (cl_catalog_lesson(ctx->catalog, ctx->root, i, &lesson, err, errsz))
        return -1;
    int rc = 1;
    l->relpath = cl_workbook_relpath(ex->slug, CL_FILE_LESSON);
    l->title = cl_strdup_or_null(lesson.title ? lesson.title : ex->title);
    if (!l->relpath || !l->title) {
        snprintf(err, errsz, "out of memory");
        rc = -1;
    } else if (lesson.quiz) {
        rc = cl_quiz_parse(lesson.quiz, l->relpath, lesson.quiz_line, &l->quiz, err, errsz);
        if (rc == 0 && l->quiz.nquestions == 0)
            rc = 1;
    }
    cl_lesson_free(&lesson);
    return rc;
}

int cl_mastery_start(cl_mastery *m, cl_ctx *ctx, size_t per_lesson, uint64_t seed, char *err,
                     size_t errsz)
{
    memset(m, 0, sizeof *m);
    size_t n = ctx->catalog->n;
    m->per_lesson = per_lesson ? per_lesson : CL_MASTERY_PER_LESSON;
    m->turn = cl_progress_mastery_of(ctx->progress)->attempts;
    m->seed = seed;
    m->lessons = calloc(n ? n : 1, sizeof *m->lessons);
    m->paths = calloc(n ? n : 1, sizeof *m->paths);
    if (!m->lessons || !m->paths) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ctx->catalog->items[i].has[CL_FILE_LESSON])
            continue;
        char why[1024];
        cl_mastery_lesson *l = &m->lessons[m->nlessons];
        int rc = lesson_load(ctx, i, l, why, sizeof why);
        if (rc < 0)
            cl_buf_printf(&m->skipped, "%s\n", why);
        if (rc != 0) {
            lesson_free(l);
            continue;
        }
        m->paths[m->nlessons++] = l->relpath;
    }
    cl_quiz_attempt_init(&m->attempt, seed);
    for (size_t k = 0; k < m->nlessons; k++)
        for (size_t q = 0; q < m->lessons[k].quiz.nquestions; q++)
            if (cl_quiz_attempt_add(&m->attempt, &m->lessons[k].quiz.questions[q], (int)k)) {
                snprintf(err, errsz, "out of memory");
                return -1;
            }
    if (m->nlessons == 0) {
        snprintf(err, errsz, "no lesson has a quiz yet (or none that can be read), so there is "
                 "nothing to ask");
        return -1;
    }
    if (cl_quiz_attempt_start_per_tag(&m->attempt, m->per_lesson, (unsigned)m->turn)) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    return 0;
}

size_t cl_mastery_tally(cl_mastery *m)
{
    size_t weak = 0;
    for (size_t k = 0; k < m->nlessons; k++)
        m->lessons[k].asked = m->lessons[k].right = 0;
    for (size_t i = 0; i < m->attempt.nitems; i++) {
        const cl_quiz_item *it = &m->attempt.items[i];
        cl_mastery_lesson *l = &m->lessons[it->tag];
        l->asked++;
        l->right += !it->ever_missed;
    }
    for (size_t k = 0; k < m->nlessons; k++)
        weak += m->lessons[k].right < m->lessons[k].asked;
    return weak;
}

void cl_mastery_line(const cl_mastery *m, size_t k, char *buf, size_t size)
{
    const cl_mastery_lesson *l = &m->lessons[k];
    buf[0] = '\0';
    if (l->asked)
        snprintf(buf, size, "%02d %s: %zu/%zu%s%s", l->number, l->title, l->right, l->asked,
                 l->right < l->asked ? ", revisit " : "", l->right < l->asked ? l->relpath : "");
}

int cl_mastery_record(const cl_mastery *m, cl_ctx *ctx)
{
    cl_quiz_score s = cl_quiz_attempt_score(&m->attempt);
    return cl_progress_record_mastery(ctx->progress, (int)s.first_correct, (int)s.first_total);
}
