/* md_render's private header, shared by its three files:
 *   md_styled.c  styled text (bytes plus role/attr spans), UTF-8 columns,
 *                documents of lines, search
 *   md_walk.c    the cmark walk: Markdown to width-free blocks, with
 *                GitHub tables and coloured code
 *   md_layout.c  wrapping blocks (and the output pane's plain text) to a
 *                width
 * Nothing outside md_*.c includes it; the view sees md_render.h. */
#ifndef CL_MD_INTERNAL_H
#define CL_MD_INTERNAL_H

#include <stddef.h>

#include "md_render.h"
#include "report_buf.h"

/* ---- styled buffer: text plus spans, the unit everything is built from ---- */

/* The text is a cl_buf, the runner's one growable string; its oom flag is
 * also set when a span could not be added. */
typedef struct {
    cl_buf text;
    cl_md_span *spans;
    int n, ncap;
} cl_md_sb;

/* Grows the array *p (elements of `elem` bytes) to hold `need`: spans,
 * lines, blocks.  0, or -1 out of memory. */
int cl_md_grow(void **p, int *cap, int need, size_t elem);
void cl_md_sb_put(cl_md_sb *b, const char *s, int n, int role, int attrs);
void cl_md_sb_puts(cl_md_sb *b, const char *s, int role, int attrs);
/* Appends bytes [from, to) of src to dst, keeping their styles. */
void cl_md_sb_copy(cl_md_sb *dst, const cl_md_sb *src, int from, int to);
void cl_md_sb_append(cl_md_sb *dst, const cl_md_sb *src);
void cl_md_sb_free(cl_md_sb *b);
/* The text ("" when empty) and its display columns. */
const char *cl_md_sb_text(const cl_md_sb *b);
int cl_md_sb_cols(const cl_md_sb *b);

/* The code point at s[i] (U+FFFD for bad bytes); returns its length. */
int cl_md_u8_next(const char *s, int len, int i, unsigned *cp);
/* Display columns of one code point. */
int cl_md_cp_cols(unsigned cp);
/* Moves a finished line buffer into the document (0, or -1 out of memory). */
int cl_md_doc_push(cl_md_doc *doc, cl_md_sb *line);

/* Columns a table may have; the rest of a wider row is dropped. */
#define CL_MD_MAX_COLS 16

/* ---- blocks: the width-independent form md_walk.c makes and md_layout.c wraps ---- */

typedef enum { CL_MD_BLK_WRAP, CL_MD_BLK_PRE, CL_MD_BLK_RULE, CL_MD_BLK_TABLE } cl_md_blk_kind;

typedef enum { CL_MD_ALIGN_LEFT, CL_MD_ALIGN_CENTER, CL_MD_ALIGN_RIGHT } cl_md_align;

typedef struct {
    cl_md_blk_kind kind;
    int gap;    /* a blank line goes before it */
    cl_md_sb gapsb; /* prefix drawn on that blank line (quote bars) */
    cl_md_sb first; /* prefix of the first line (list marker) */
    cl_md_sb rest;  /* prefix of the following lines */
    cl_md_sb body;  /* '\n' is a hard line break */
    /* CL_MD_BLK_TABLE: rows x cols cells, row 0 the header */
    cl_md_sb *cells;
    int rows, cols;
    cl_md_align *align;
} cl_md_block;

struct cl_md {
    cl_md_block *blocks;
    int n, cap;
    int oom;
    int ascii;
};

#endif
