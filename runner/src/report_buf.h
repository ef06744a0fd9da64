/* chanlings — a growing string, the runner's one text builder (grading,
 * reports, the quiz parser, the view's output pane and overlays). */
#ifndef CL_REPORT_BUF_H
#define CL_REPORT_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cl_buf {
    char *s;       /* NUL-terminated once anything was added */
    size_t len, cap;
    bool oom;      /* an append was dropped: out of memory (sticky) */
} cl_buf;

void cl_buf_add(cl_buf *b, const char *s, size_t n);
void cl_buf_puts(cl_buf *b, const char *s);
void cl_buf_printf(cl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string, now the caller's ("" when nothing was added); b is reset. */
char *cl_buf_take(cl_buf *b);

/* strdup that accepts NULL. */
char *cl_strdup_or_null(const char *s);

/* Reads at most `cap` bytes of a file (the head, with a note when more
 * was there); NULL when it cannot be read. */
char *cl_read_text(const char *path, size_t cap);

/* Like cl_read_text, but a longer file keeps its head and its tail (half
 * of `cap` each) around a note of what was cut: a test's output, whose
 * last lines (a sanitizer's report, a dump) matter most. */
char *cl_read_text_ends(const char *path, size_t cap);

#endif
