/* chanlings — one lesson file: front matter, body, hints, raw quiz.
 *
 *   ---
 *   title: Goroutines
 *   difficulty: beginner | intermediate | advanced
 *   minutes: 45
 *   concepts: go statement, scheduling
 *   race: false          (true: check also runs under ThreadSanitizer)
 *   asan: false          (true: check also runs under AddressSanitizer,
 *                         LeakSanitizer and UBSan: the memory pass)
 *   wrap: goc_mutex_lock_at goc_mutex_unlock_at
 *                        (optional: functions the grader wraps with
 *                         -Wl,--wrap=: goc_ names and the C library's sleeps
 *                         and stdout writers, cl_wrap_allowed)
 *   timeout: 10          (optional: seconds per test)
 *   ---
 *   # Goroutines ... (body: Markdown)
 *   ## Hints
 *   1. ... (continuation lines indented by three spaces)
 *   ## Quiz
 *   ### question ... (parsed by quiz.h)
 *
 * Errors are `path:LINE: what is wrong; what to do`. */
#ifndef CL_LESSON_H
#define CL_LESSON_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cl_lesson {
    char *path;          /* as given to load/parse */
    char *title;
    char *difficulty;    /* "beginner", "intermediate" or "advanced" */
    int minutes;
    char *concepts;      /* as written, comma separated */
    bool race;
    bool asan;
    char *wrap;          /* `wrap:` names, one blank between; NULL: none */
    int timeout;         /* seconds per test; 0: not given */
    char *body;          /* Markdown without front matter, Hints and Quiz */
    int body_line;       /* line of the body's first line in the file */
    char **hints;        /* each hint's Markdown, indentation removed */
    size_t nhints;
    char *quiz;          /* lines after `## Quiz`, or NULL if none */
    int quiz_line;       /* file line of quiz's first line */
} cl_lesson;

/* Reads and parses `path`.  Returns 0, or -1 with err filled. */
int cl_lesson_load(cl_lesson *l, const char *path, char *err, size_t errsz);
/* Parses `text` (path only names it in messages).  0 or -1 with err. */
int cl_lesson_parse(cl_lesson *l, const char *text, const char *path, char *err, size_t errsz);
void cl_lesson_free(cl_lesson *l);

/* Reads only the title of a lesson (for listings); malloc'd or NULL. */
char *cl_lesson_title(const char *path);

#endif
