/* chanlings — the `## Quiz` section of a lesson, parsed into questions.
 *
 * Format (docs/authoring.md, "Quiz format"): each `### ` heading is one
 * question; optional prompt text (paragraphs, code blocks) may follow the
 * heading; then `- [ ]` / `- [x]` options (at least two, at least one
 * correct), each optionally followed by indented `> ` lines explaining it;
 * then a required `> ` block explaining the question.
 *
 * The parser is strict on purpose: a quiz that is silently half-read would
 * mark learners wrong for the author's typo.  The first problem found is
 * reported as `path:LINE: what is wrong; how to fix it`. */
#ifndef CL_QUIZ_H
#define CL_QUIZ_H

#include <stdbool.h>
#include <stddef.h>

/* Options are answered by letter, a to z. */
#define CL_QUIZ_MAX_OPTIONS 26

typedef struct cl_quiz_option {
    char *text;       /* the option, Markdown inline text */
    bool correct;     /* written `- [x]` */
    char *explain;    /* from the indented `> ` lines under it, or NULL */
    int line;         /* line of the option in the lesson file */
} cl_quiz_option;

typedef struct cl_quiz_question {
    char *text;       /* the `### ` heading, without the marker */
    char *prompt;     /* Markdown between heading and options, or NULL */
    cl_quiz_option *options;
    size_t noptions;
    size_t ncorrect;
    char *explanation; /* the `> ` block after the options (required) */
    int line;          /* line of the `### ` heading in the lesson file */
} cl_quiz_question;

typedef struct cl_quiz {
    cl_quiz_question *questions;
    size_t nquestions;
} cl_quiz;

/* Parses `text`, the body of a lesson's `## Quiz` section, whose first line
 * is line `first_line` of `path` (a leading `## Quiz` heading line, if the
 * caller left it in, is skipped).  Returns 0 and fills *out (free it with
 * cl_quiz_free), or -1 with *out empty and, if err is not NULL, a message
 * `path:LINE: ...` in err (also -1 when out of memory). */
int cl_quiz_parse(const char *text, const char *path, int first_line,
                  cl_quiz *out, char *err, size_t errsz);

void cl_quiz_free(cl_quiz *quiz);

#endif
