/* chanlings — a quiz attempt on a text stream: the `quiz` command's half
 * of the conversation (the view draws the same attempt in curses).
 *
 * Answers come from a person at a terminal (prompted, re-asked on a typo,
 * "quit" or end of input stops), or from a script: a comma-separated list
 * (`--answers "a,bc,y,d"`) or lines on a non-terminal stdin, echoed so the
 * transcript reads like the interactive one.  A script's bad answer stops
 * the quiz with a message naming the question, since re-asking would read
 * the next answer as a reply to the wrong question. */
#ifndef CL_QUIZ_SESSION_H
#define CL_QUIZ_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "quiz_engine.h"

struct cl_ctx;

typedef struct cl_quiz_session {
    FILE *out;
    const struct cl_ctx *ctx; /* for colours (cl_c) */
    size_t width;           /* columns to fill text to; 0: 80 */
    const char *answers;    /* --answers list, consumed as read; or NULL */
    FILE *in;               /* else answers are lines from here */
    bool prompt;            /* a person types: prompt, re-ask on mistakes */
    /* where each tag's questions come from ("lessons/01-x.md"), indexed by
     * cl_quiz_item.tag; used to point at a missed question's line */
    const char *const *tag_paths;
} cl_quiz_session;

typedef enum cl_quiz_outcome {
    CL_QUIZ_ROUND_DONE,     /* every question of the round answered */
    CL_QUIZ_STOPPED,        /* out of answers, end of input or "quit" */
    CL_QUIZ_BAD_ANSWER      /* a script gave an answer that is no option */
} cl_quiz_outcome;

/* Asks every question of the attempt's current round, with feedback after
 * each.  Returns how the round ended. */
cl_quiz_outcome cl_quiz_session_round(cl_quiz_session *s, cl_quiz_attempt *a);

/* "Score: 5 of 6 (83%)" for the round just finished, then the questions
 * missed with where each is written. */
void cl_quiz_session_score(cl_quiz_session *s, const cl_quiz_attempt *a);

/* Offers to retry the questions missed; true if the learner said yes and
 * a new round has started. */
bool cl_quiz_session_offer_retry(cl_quiz_session *s, cl_quiz_attempt *a);

/* Reads the next answer token (trimmed) into buf.  False when there are no
 * more answers.  `ask` is printed as the prompt (or before the echo). */
bool cl_quiz_session_read(cl_quiz_session *s, const char *ask, char *buf, size_t sz);

/* Prints n bytes of text as one paragraph filled to the session's width:
 * `first` leads the first line, `indent` the others. */
void cl_quiz_session_para(const cl_quiz_session *s, const char *first, const char *indent,
                          const char *text, size_t n);

#endif
