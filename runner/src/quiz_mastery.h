/* chanlings — the mastery check: one quiz across every lesson of the
 * workbook, for `chanlings quiz --mastery` and the view's `m` key.
 *
 * Every lesson with a quiz gives `per_lesson` questions (2 by default:
 * one question cannot tell a slip from a gap, two can say "half of it",
 * and 15 lessons make a 30-question sitting); lessons added later (16,
 * 17...) are picked up from the catalog.  Which questions rotate with the
 * number of mastery checks finished (kept in progress): each lesson's
 * questions come round in a fixed order, so with 7 or more per lesson the
 * first three checks never repeat a question (quiz_engine.h,
 * cl_quiz_attempt_start_per_tag).  The seed mixes the questions and
 * shuffles their options.  At the end: a score per lesson, what to
 * revisit, and the first round's score kept as the mastery record. */
#ifndef CL_QUIZ_MASTERY_H
#define CL_QUIZ_MASTERY_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "quiz.h"
#include "quiz_engine.h"
#include "report_buf.h"

#define CL_MASTERY_PER_LESSON 2

/* One lesson's part; its questions carry its index here as their tag. */
typedef struct cl_mastery_lesson {
    int number;         /* the exercise's number */
    char *relpath;      /* lessons/NN-slug.md */
    char *title;
    cl_quiz quiz;
    size_t asked, right; /* in round 1, after cl_mastery_tally */
} cl_mastery_lesson;

typedef struct cl_mastery {
    cl_mastery_lesson *lessons; /* those with a quiz that parses */
    size_t nlessons;
    const char **paths;   /* relpath by tag, for cl_quiz_session.tag_paths */
    size_t per_lesson;
    int turn;             /* mastery checks finished before this one */
    uint64_t seed;
    cl_quiz_attempt attempt;
    cl_buf skipped;       /* a line per lesson left out: `path:LINE: why` */
} cl_mastery;

/* Loads every lesson's quiz and starts an attempt of per_lesson (0: the
 * default) questions from each.  A broken quiz leaves its lesson out (said
 * in m->skipped).  Returns 0; -1 with err when no lesson has a quiz or out
 * of memory (free m either way). */
int cl_mastery_start(cl_mastery *m, cl_ctx *ctx, size_t per_lesson, uint64_t seed, char *err,
                     size_t errsz);
void cl_mastery_free(cl_mastery *m);

/* After round 1: fills each lesson's asked and right; returns how many
 * lessons had a question missed. */
size_t cl_mastery_tally(cl_mastery *m);
/* Lesson k's line of the report, plain text: "05 Directions: 1/2, revisit
 * lessons/05-directions.md" (the missed questions themselves are listed
 * by the score).  Empty when it was not asked. */
void cl_mastery_line(const cl_mastery *m, size_t k, char *buf, size_t size);
/* Keeps round 1's score as the mastery record; 0, or -1 if it could not
 * be saved. */
int cl_mastery_record(const cl_mastery *m, cl_ctx *ctx);

#endif
