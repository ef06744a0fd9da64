/* md_render — Markdown to styled, wrapped lines, independent of curses.
 *
 * Rendering is two steps so a resize only pays for the cheap one:
 * cl_md_parse() turns Markdown (via libcmark) into width-free blocks,
 * cl_md_layout() wraps those blocks to a width.  The result is a list of
 * lines, each a UTF-8 string with (role, attrs) spans over byte ranges; the
 * view maps roles to curses colours (tui_draw.c), tests read them directly.
 *
 * The same line type carries the view's output pane (cl_md_text_layout),
 * so both panes draw, scroll and search the same way. */
#ifndef CL_MD_RENDER_H
#define CL_MD_RENDER_H

#include <stddef.h>

/* What a span is; the view picks a colour per role. */
typedef enum {
    CL_ROLE_TEXT,
    CL_ROLE_H1,
    CL_ROLE_H2,
    CL_ROLE_H3, /* level 3 and deeper */
    CL_ROLE_CODE,       /* inline `code` */
    CL_ROLE_CODE_BLOCK, /* uncoloured text inside a code block */
    CL_ROLE_LINK,
    CL_ROLE_URL,
    CL_ROLE_QUOTE,
    CL_ROLE_MARKER, /* list bullets and numbers, quote bars, rules */
    CL_ROLE_KEYWORD,
    CL_ROLE_TYPE,
    CL_ROLE_STRING,
    CL_ROLE_COMMENT,
    CL_ROLE_NUMBER,
    CL_ROLE_PREPROC,
    /* output pane */
    CL_ROLE_PASS,
    CL_ROLE_FAIL,
    CL_ROLE_WARN,
    CL_ROLE_LOCATION,
    CL_ROLE_DIM,
    CL_ROLE_COUNT
} cl_md_role;

enum {
    CL_ATTR_BOLD = 1,
    CL_ATTR_ITALIC = 2,
    CL_ATTR_UNDERLINE = 4,
    CL_ATTR_DIM = 8,
};

typedef struct {
    int off, len; /* bytes of the line's text */
    unsigned char role, attrs;
} cl_md_span;

typedef struct {
    char *text; /* NUL-terminated UTF-8 */
    int len;    /* bytes */
    int cols;   /* display columns, never more than the layout width */
    cl_md_span *spans; /* in order, covering the whole text */
    int nspans;
} cl_md_line;

typedef struct {
    cl_md_line *lines;
    int count, cap;
} cl_md_doc;

typedef struct {
    int ascii; /* ASCII bullets and bars instead of UTF-8 ones */
} cl_md_opts;

typedef struct cl_md cl_md; /* parsed, width-independent */

/* Parses Markdown (a lesson's body: lesson.c alone knows the lesson file's
 * format and removes front matter, hints and quiz).  NULL only when out of
 * memory. */
cl_md *cl_md_parse(const char *markdown, size_t len, const cl_md_opts *opts);
void cl_md_free(cl_md *md);

/* Wraps to `width` columns (at least 1) into *out (replacing its lines).
 * Returns 0, or -1 when out of memory. */
int cl_md_layout(const cl_md *md, int width, cl_md_doc *out);

/* parse + layout in one call. */
int cl_md_render(const char *markdown, int width, const cl_md_opts *opts, cl_md_doc *out);

/* Plain text (program output, reports) wrapped to `width`.  SGR colour
 * escapes pick roles (red CL_ROLE_FAIL, green PASS, yellow WARN, dim DIM,
 * bold an attribute): a check run with CHANLINGS_COLOR=always hands the
 * view its report's own colours.  Other escapes and control bytes are
 * dropped; a leading `file:line:` becomes CL_ROLE_LOCATION. */
int cl_md_text_layout(const char *text, size_t len, int width, cl_md_doc *out);

void cl_md_doc_clear(cl_md_doc *doc);
void cl_md_doc_free(cl_md_doc *doc);

/* Next line at or after `from` (dir > 0) or at or before it (dir < 0) whose
 * text contains `needle`, ignoring ASCII case; wraps around the ends.
 * -1 when no line matches. */
int cl_md_find(const cl_md_doc *doc, const char *needle, int from, int dir);

/* Display columns of a UTF-8 string (wide CJK/emoji count 2, combining 0,
 * invalid bytes 1). */
int cl_md_cols(const char *s, size_t len);

#endif
