/* tui_syntax — a small table-driven tokenizer that colours C (and Go) code
 * blocks in lessons.  It knows nothing about curses: it reports token kinds
 * by byte range so md_render can turn them into styled spans. */
#ifndef CL_TUI_SYNTAX_H
#define CL_TUI_SYNTAX_H

#include <stddef.h>

typedef enum {
    CL_TOK_PLAIN,
    CL_TOK_KEYWORD,
    CL_TOK_TYPE,
    CL_TOK_STRING,
    CL_TOK_COMMENT,
    CL_TOK_NUMBER,
    CL_TOK_PREPROC,
} cl_tok_kind;

typedef struct cl_syntax_lang cl_syntax_lang;

/* The language for a fenced code block's info string ("c", "go", ...);
 * NULL when the block should stay uncoloured. */
const cl_syntax_lang *cl_syntax_for_info(const char *info);

/* Tokenizes one line.  *in_comment carries an open block comment from one
 * line to the next (start each block with 0).  emit() gets every token in
 * order; together they cover the whole line. */
typedef void (*cl_syntax_emit)(void *user, size_t off, size_t len, cl_tok_kind kind);
void cl_syntax_line(const cl_syntax_lang *lang, const char *line, size_t len,
                    int *in_comment, cl_syntax_emit emit, void *user);

#endif
