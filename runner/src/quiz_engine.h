/* chanlings — one attempt at a quiz, for the CLI and the split-pane view.
 *
 * Plain data and pure functions, no I/O: the caller shows the current
 * question, hands over the learner's letters, shows the feedback.  Options
 * are shuffled per attempt from a seed (so the right answer moves about,
 * and tests can fix the seed); retrying starts a new round holding only
 * the questions missed, each with its options in the order the learner
 * saw them: the letters of round 1 still name the same answers, so a
 * scripted retry (`--answers`) can be written from the first round.
 *
 *     cl_quiz_attempt a;
 *     cl_quiz_attempt_init(&a, seed);
 *     for each question: cl_quiz_attempt_add(&a, q, tag);
 *     cl_quiz_attempt_start(&a);
 *     while ((item = cl_quiz_attempt_current(&a))) {
 *         show item->question->text and cl_quiz_item_option(item, 0..n-1)
 *         if (cl_quiz_attempt_answer(&a, letters, &fb, err, sizeof err))
 *             show err, ask again
 *         else show fb
 *     }
 *     show cl_quiz_attempt_score(&a); cl_quiz_attempt_retry(&a) if wanted
 *     cl_quiz_attempt_free(&a); */
#ifndef CL_QUIZ_ENGINE_H
#define CL_QUIZ_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quiz.h"

/* One question as presented in this attempt. */
typedef struct cl_quiz_item {
    const cl_quiz_question *question; /* borrowed: must outlive the attempt */
    int tag;                  /* the caller's (e.g. which lesson it is from) */
    unsigned char order[CL_QUIZ_MAX_OPTIONS]; /* letter i shows option order[i] */
    bool answered;            /* in the current round */
    bool correct;             /* last answer was exactly the right set */
    bool ever_missed;         /* missed in some round of this attempt */
    uint32_t chosen;          /* letters picked last: bit i = letter 'a'+i */
} cl_quiz_item;

typedef struct cl_quiz_attempt {
    cl_quiz_item *items;
    size_t nitems;
    size_t *round;            /* indexes into items asked this round */
    size_t nround;
    size_t pos;               /* position in round; == nround: round over */
    int round_no;             /* 1 for the first pass, 2 for the first retry... */
    uint64_t rng;
    size_t first_correct;     /* score of round 1 (the one worth keeping) */
} cl_quiz_attempt;

/* What an answer earned, to show at once.  Pointers borrow the quiz. */
typedef struct cl_quiz_feedback {
    bool correct;
    uint32_t chosen;          /* letters the learner picked */
    uint32_t right;           /* letters that were right */
    /* explanations of each option whose box the learner got wrong, by
     * letter (NULL where the author wrote none or it was judged right) */
    const char *option_explain[CL_QUIZ_MAX_OPTIONS];
    const char *explanation;  /* the question's explanation */
} cl_quiz_feedback;

typedef struct cl_quiz_score {
    size_t correct;           /* right answers in this round */
    size_t total;             /* questions in this round */
    size_t first_correct;     /* right answers in round 1 */
    size_t first_total;       /* questions in round 1 */
    size_t missed;            /* wrong answers in this round */
    int round_no;
} cl_quiz_score;

void cl_quiz_attempt_init(cl_quiz_attempt *a, uint64_t seed);
/* Adds a question (before start).  Returns -1 if out of memory. */
int cl_quiz_attempt_add(cl_quiz_attempt *a, const cl_quiz_question *q, int tag);
/* Begins round 1 over every added question in the order added, options
 * shuffled.  Returns -1 if out of memory. */
int cl_quiz_attempt_start(cl_quiz_attempt *a);
/* Keeps `per_tag` of the added questions of each tag (all of a tag that
 * has fewer; all if per_tag is 0), mixes the kept ones in random order and
 * starts round 1.  Which ones rotate with `turn`: each tag's questions
 * stand in a fixed order (by their text), and turn t asks the per_tag
 * after those turn t - 1 asked, wrapping at the end, so every question of
 * a tag is asked once before any is asked twice.  -1 if out of memory. */
int cl_quiz_attempt_start_per_tag(cl_quiz_attempt *a, size_t per_tag, unsigned turn);
void cl_quiz_attempt_free(cl_quiz_attempt *a);

/* The item to answer next, or NULL when the round is over. */
const cl_quiz_item *cl_quiz_attempt_current(const cl_quiz_attempt *a);
/* The option shown at letter index i (0 = 'a') of an item. */
const cl_quiz_option *cl_quiz_item_option(const cl_quiz_item *item, size_t i);
size_t cl_quiz_item_noptions(const cl_quiz_item *item);
/* 1-based position of the current item in this round. */
size_t cl_quiz_attempt_number(const cl_quiz_attempt *a);
size_t cl_quiz_attempt_round_size(const cl_quiz_attempt *a);

/* Reads letters ("b", "ac", "A, C", "a c") for the current item into a
 * bitmask.  Returns -1 with a message in err when there are none or one is
 * not an option of this item. */
int cl_quiz_parse_letters(const cl_quiz_item *item, const char *text,
                          uint32_t *mask, char *err, size_t errsz);
/* Answers the current item and moves on.  Returns -1 (nothing changes)
 * when the letters do not parse, with the reason in err. */
int cl_quiz_attempt_answer(cl_quiz_attempt *a, const char *letters,
                           cl_quiz_feedback *fb, char *err, size_t errsz);

cl_quiz_score cl_quiz_attempt_score(const cl_quiz_attempt *a);
/* Starts a round of the questions missed in the round just finished.
 * Returns the number of them (0: nothing to retry, no new round), or -1
 * if the round is not over or out of memory. */
int cl_quiz_attempt_retry(cl_quiz_attempt *a);

/* Letters of a mask, "ac", in buf (at least CL_QUIZ_MAX_OPTIONS + 1). */
char *cl_quiz_letters(uint32_t mask, char *buf);

#endif
