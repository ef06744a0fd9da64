/* Markdown to width-free blocks: one cmark walk, with GitHub-style tables
 * (plain CommonMark leaves them as paragraphs) and C/Go code coloured by
 * tui_syntax (md_internal.h). */
#include "md_internal.h"

#include <cmark.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_syntax.h"

void cl_md_free(cl_md *md)
{
    if (!md)
        return;
    for (int i = 0; i < md->n; i++) {
        cl_md_sb_free(&md->blocks[i].gapsb);
        cl_md_sb_free(&md->blocks[i].first);
        cl_md_sb_free(&md->blocks[i].rest);
        cl_md_sb_free(&md->blocks[i].body);
        for (int c = 0; c < md->blocks[i].rows * md->blocks[i].cols; c++)
            cl_md_sb_free(&md->blocks[i].cells[c]);
        free(md->blocks[i].cells);
        free(md->blocks[i].align);
    }
    free(md->blocks);
    free(md);
}

/* ---- the cmark walk ---- */

typedef struct {
    cl_md_sb first, rest;
    int pending; /* first line not yet drawn: use `first` */
} frame;

#define MAX_DEPTH 24

typedef struct {
    cl_md *md;
    const cl_md_opts *opts;
    frame stack[MAX_DEPTH];
    int depth;
    int quote_depth;
    int tight;        /* nearest enclosing list is tight */
    int parent_tight; /* ... and the list around that one */
    int list_start;   /* no leaf emitted yet in the current list */
    int list_level;
    const char *src;  /* the Markdown cmark parsed (tables are read from it) */
    size_t srclen;
} walker;

static cl_md_block *emit_block(walker *w, cl_md_blk_kind kind)
{
    cl_md *md = w->md;
    if (cl_md_grow((void **)&md->blocks, &md->cap, md->n + 1, sizeof *md->blocks)) {
        md->oom = 1;
        return NULL;
    }
    cl_md_block *b = &md->blocks[md->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    if (md->n == 1)
        b->gap = 0;
    else if (w->tight)
        b->gap = w->list_start && !w->parent_tight;
    else
        b->gap = 1;
    w->list_start = 0;
    int started = 1;
    for (int i = 0; i < w->depth; i++) {
        frame *f = &w->stack[i];
        if (f->pending)
            started = 0;
        if (started)
            cl_md_sb_append(&b->gapsb, &f->rest);
        cl_md_sb_append(&b->first, f->pending ? &f->first : &f->rest);
        cl_md_sb_append(&b->rest, &f->rest);
        f->pending = 0;
    }
    /* A blank line's prefix keeps the bars but not trailing blanks. */
    while (b->gapsb.text.len && b->gapsb.text.s[b->gapsb.text.len - 1] == ' ') {
        b->gapsb.text.s[--b->gapsb.text.len] = '\0';
        cl_md_span *sp = &b->gapsb.spans[b->gapsb.n - 1];
        if (--sp->len == 0)
            b->gapsb.n--;
    }
    return b;
}

static int push_frame(walker *w, const char *first, const char *rest, int role)
{
    if (w->depth >= MAX_DEPTH)
        return 0; /* deeper nesting is drawn flush with its parent */
    frame *f = &w->stack[w->depth++];
    memset(f, 0, sizeof *f);
    cl_md_sb_puts(&f->first, first, role, 0);
    cl_md_sb_puts(&f->rest, rest, role, 0);
    f->pending = 1;
    return 1;
}

static void pop_frame(walker *w)
{
    frame *f = &w->stack[--w->depth];
    cl_md_sb_free(&f->first);
    cl_md_sb_free(&f->rest);
}

static void render_inlines(walker *w, cl_md_sb *out, cmark_node *parent, int role, int attrs);

static void put_literal(cl_md_sb *out, cmark_node *n, int role, int attrs)
{
    const char *s = cmark_node_get_literal(n);
    if (s)
        cl_md_sb_puts(out, s, role, attrs);
}

static void render_link(walker *w, cl_md_sb *out, cmark_node *n, int attrs, int image)
{
    const char *url = cmark_node_get_url(n);
    cl_md_sb text = {0};
    if (image)
        cl_md_sb_puts(&text, "[image: ", CL_ROLE_LINK, attrs);
    render_inlines(w, &text, n, CL_ROLE_LINK, attrs | CL_ATTR_UNDERLINE);
    if (image)
        cl_md_sb_puts(&text, "]", CL_ROLE_LINK, attrs);
    cl_md_sb_append(out, &text);
    const char *shown = url;
    if (shown && strncmp(shown, "mailto:", 7) == 0)
        shown += 7;
    /* An autolink already shows its address; don't say it twice. */
    if (shown && *shown && strcmp(cl_md_sb_text(&text), shown) != 0) {
        cl_md_sb_puts(out, " (", CL_ROLE_URL, CL_ATTR_DIM);
        cl_md_sb_puts(out, shown, CL_ROLE_URL, CL_ATTR_DIM);
        cl_md_sb_puts(out, ")", CL_ROLE_URL, CL_ATTR_DIM);
    }
    if (text.text.oom)
        out->text.oom = true;
    cl_md_sb_free(&text);
}

/* Inline containers that only add an attribute. */
static const struct { cmark_node_type type; int attrs; } inline_styles[] = {
    {CMARK_NODE_EMPH, CL_ATTR_ITALIC},
    {CMARK_NODE_STRONG, CL_ATTR_BOLD},
};

static void render_inline(walker *w, cl_md_sb *out, cmark_node *n, int role, int attrs)
{
    cmark_node_type t = cmark_node_get_type(n);
    for (size_t i = 0; i < sizeof inline_styles / sizeof inline_styles[0]; i++)
        if (inline_styles[i].type == t) {
            render_inlines(w, out, n, role, attrs | inline_styles[i].attrs);
            return;
        }
    switch (t) {
    case CMARK_NODE_CODE:
        put_literal(out, n, CL_ROLE_CODE, attrs);
        break;
    case CMARK_NODE_SOFTBREAK:
        cl_md_sb_puts(out, " ", role, attrs);
        break;
    case CMARK_NODE_LINEBREAK:
        cl_md_sb_puts(out, "\n", role, attrs);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
        render_link(w, out, n, attrs, t == CMARK_NODE_IMAGE);
        break;
    default: /* text, inline HTML: shown as written */
        put_literal(out, n, role, attrs);
        break;
    }
}

static void render_inlines(walker *w, cl_md_sb *out, cmark_node *parent, int role, int attrs)
{
    for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c))
        render_inline(w, out, c, role, attrs);
}

static const int heading_roles[] = {CL_ROLE_H1, CL_ROLE_H1, CL_ROLE_H2, CL_ROLE_H3};

static void render_heading(walker *w, cmark_node *n)
{
    int level = cmark_node_get_heading_level(n);
    int role = heading_roles[level < 3 ? level : 3];
    int attrs = CL_ATTR_BOLD | (level == 1 ? CL_ATTR_UNDERLINE : 0);
    cl_md_block *b = emit_block(w, CL_MD_BLK_WRAP);
    if (b)
        render_inlines(w, &b->body, n, role, attrs);
}

/* ---- tables (GitHub style), which plain CommonMark leaves as a paragraph:
 * recognised from the paragraph's source lines ---- */

/* Bounds of source line `no` (1-based), without leading blanks and quote marks. */
static int source_line(const walker *w, int no, const char **start, const char **end)
{
    const char *p = w->src, *lim = w->src + w->srclen;
    for (int i = 1; i < no && p < lim; i++) {
        const char *nl = memchr(p, '\n', (size_t)(lim - p));
        p = nl ? nl + 1 : lim;
    }
    if (p >= lim)
        return -1;
    const char *e = memchr(p, '\n', (size_t)(lim - p));
    e = e ? e : lim;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '>'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    *start = p;
    *end = e;
    return 0;
}

/* Splits a row at '|' outside `code` and not escaped; outer pipes optional.
 * Returns the number of cells (at most max). */
static int split_row(const char *p, const char *e, const char **cs, const char **ce, int max)
{
    if (p < e && *p == '|')
        p++;
    if (e > p && e[-1] == '|' && !(e - 1 > p && e[-2] == '\\'))
        e--;
    int n = 0, tick = 0;
    const char *cell = p;
    for (const char *q = p; q <= e && n < max; q++) {
        if (q < e && *q == '\\' && q + 1 < e) {
            q++;
            continue;
        }
        if (q < e && *q == '`')
            tick = !tick;
        if (q == e || (*q == '|' && !tick)) {
            const char *a = cell, *b = q;
            while (a < b && *a == ' ')
                a++;
            while (b > a && b[-1] == ' ')
                b--;
            cs[n] = a;
            ce[n] = b;
            n++;
            cell = q + 1;
        }
    }
    return n;
}

static int delimiter_row(const char *p, const char *e, cl_md_align *align, int *ncols)
{
    const char *cs[CL_MD_MAX_COLS], *ce[CL_MD_MAX_COLS];
    int n = split_row(p, e, cs, ce, CL_MD_MAX_COLS);
    for (int i = 0; i < n; i++) {
        const char *a = cs[i], *b = ce[i];
        int left = a < b && *a == ':', right = b > a && b[-1] == ':';
        a += left;
        b -= right;
        if (a >= b)
            return 0;
        for (; a < b; a++)
            if (*a != '-')
                return 0;
        align[i] = left && right ? CL_MD_ALIGN_CENTER : right ? CL_MD_ALIGN_RIGHT : CL_MD_ALIGN_LEFT;
    }
    *ncols = n;
    return n > 0;
}

static void render_cell(walker *w, cl_md_sb *out, const char *p, const char *e, int attrs)
{
    cmark_node *doc = cmark_parse_document(p, (size_t)(e - p), CMARK_OPT_DEFAULT);
    if (!doc)
        return;
    cmark_node *para = cmark_node_first_child(doc);
    if (para && cmark_node_get_type(para) == CMARK_NODE_PARAGRAPH)
        render_inlines(w, out, para, CL_ROLE_TEXT, attrs);
    else
        cl_md_sb_put(out, p, (int)(e - p), CL_ROLE_TEXT, attrs);
    cmark_node_free(doc);
}

/* Emits a table block if paragraph n is one; returns whether it did. */
static int render_table(walker *w, cmark_node *n)
{
    int first = cmark_node_get_start_line(n), last = cmark_node_get_end_line(n);
    const char *p, *e, *dp, *de;
    cl_md_align align[CL_MD_MAX_COLS];
    int ncols;
    if (last <= first || source_line(w, first, &p, &e) || p >= e || *p != '|' ||
        source_line(w, first + 1, &dp, &de) || !delimiter_row(dp, de, align, &ncols))
        return 0;
    int nrows = last - first; /* header + body rows, less the delimiter */
    cl_md_block *b = emit_block(w, CL_MD_BLK_TABLE);
    if (!b)
        return 1;
    b->cells = calloc((size_t)(nrows * ncols), sizeof *b->cells);
    b->align = malloc(sizeof *b->align * (size_t)ncols);
    if (!b->cells || !b->align) {
        w->md->oom = 1;
        return 1;
    }
    memcpy(b->align, align, sizeof *b->align * (size_t)ncols);
    b->rows = nrows;
    b->cols = ncols;
    for (int r = 0; r < nrows; r++) {
        if (source_line(w, r == 0 ? first : first + 1 + r, &p, &e))
            break;
        const char *cs[CL_MD_MAX_COLS], *ce[CL_MD_MAX_COLS];
        int n = split_row(p, e, cs, ce, ncols);
        for (int c = 0; c < n; c++)
            render_cell(w, &b->cells[r * ncols + c], cs[c], ce[c], r == 0 ? CL_ATTR_BOLD : 0);
    }
    return 1;
}

static void render_paragraph(walker *w, cmark_node *n)
{
    if (render_table(w, n))
        return;
    cl_md_block *b = emit_block(w, CL_MD_BLK_WRAP);
    if (b)
        render_inlines(w, &b->body, n, w->quote_depth ? CL_ROLE_QUOTE : CL_ROLE_TEXT,
                       w->quote_depth ? CL_ATTR_ITALIC : 0);
}

typedef struct {
    cl_md_sb *out;
    const char *line;
} hl_ctx;

static const int tok_roles[] = {
    [CL_TOK_PLAIN] = CL_ROLE_CODE_BLOCK, [CL_TOK_KEYWORD] = CL_ROLE_KEYWORD,
    [CL_TOK_TYPE] = CL_ROLE_TYPE,       [CL_TOK_STRING] = CL_ROLE_STRING,
    [CL_TOK_COMMENT] = CL_ROLE_COMMENT, [CL_TOK_NUMBER] = CL_ROLE_NUMBER,
    [CL_TOK_PREPROC] = CL_ROLE_PREPROC,
};

static void hl_emit(void *user, size_t off, size_t len, cl_tok_kind kind)
{
    hl_ctx *h = user;
    cl_md_sb_put(h->out, h->line + off, (int)len, tok_roles[kind], 0);
}

/* Code keeps its own layout; tabs become spaces so columns are known. */
static char *expand_tabs(const char *s)
{
    size_t n = strlen(s), tabs = 0;
    for (size_t i = 0; i < n; i++)
        tabs += s[i] == '\t';
    char *out = malloc(n + tabs * 3 + 1), *o = out;
    if (!out)
        return NULL;
    int col = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\t') {
            do
                *o++ = ' ';
            while (++col % 4);
        } else {
            *o++ = s[i];
            col = s[i] == '\n' ? 0 : col + 1;
        }
    }
    *o = '\0';
    return out;
}

static void render_code(walker *w, const char *literal, const char *info)
{
    if (!push_frame(w, "  ", "  ", CL_ROLE_CODE_BLOCK))
        return;
    cl_md_block *b = emit_block(w, CL_MD_BLK_PRE);
    pop_frame(w);
    char *code = literal ? expand_tabs(literal) : NULL;
    if (!b || !code) {
        free(code);
        if (b)
            b->body.text.oom = true;
        return;
    }
    size_t len = strlen(code);
    while (len && code[len - 1] == '\n')
        code[--len] = '\0';
    const cl_syntax_lang *lang = cl_syntax_for_info(info);
    int in_comment = 0;
    for (size_t i = 0; i <= len;) {
        size_t e = i;
        while (e < len && code[e] != '\n')
            e++;
        if (lang) {
            hl_ctx h = {&b->body, code + i};
            cl_syntax_line(lang, code + i, e - i, &in_comment, hl_emit, &h);
        } else {
            cl_md_sb_put(&b->body, code + i, (int)(e - i), CL_ROLE_CODE_BLOCK, 0);
        }
        if (e < len)
            cl_md_sb_puts(&b->body, "\n", CL_ROLE_CODE_BLOCK, 0);
        i = e + 1;
    }
    free(code);
}

static void render_block(walker *w, cmark_node *n);

static void render_children(walker *w, cmark_node *n)
{
    for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c))
        render_block(w, c);
}

static const char *const bullets_utf8[] = {"\xE2\x80\xA2 ", "\xE2\x97\xA6 ", "\xE2\x96\xAA "};
static const char *const bullets_ascii[] = {"* ", "- ", "+ "};

static void render_list(walker *w, cmark_node *n)
{
    walker saved = *w;
    w->parent_tight = w->tight;
    w->tight = cmark_node_get_list_tight(n);
    w->list_start = 1;
    w->list_level++;
    int ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    int num = cmark_node_get_list_start(n);
    int items = 0;
    for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c))
        items++;
    int numw = snprintf(NULL, 0, "%d", num + items - 1);
    const char *const *bullets = w->opts->ascii ? bullets_ascii : bullets_utf8;
    for (cmark_node *item = cmark_node_first_child(n); item; item = cmark_node_next(item), num++) {
        char first[32], rest[32];
        if (ordered)
            snprintf(first, sizeof first, "%*d. ", numw, num);
        else
            snprintf(first, sizeof first, "%s", bullets[(w->list_level - 1) % 3]);
        int cols = cl_md_cols(first, strlen(first));
        snprintf(rest, sizeof rest, "%*s", cols, "");
        int pushed = push_frame(w, first, rest, CL_ROLE_MARKER);
        render_children(w, item);
        if (pushed)
            pop_frame(w);
    }
    w->tight = saved.tight;
    w->parent_tight = saved.parent_tight;
    w->list_level = saved.list_level;
}

static void render_quote(walker *w, cmark_node *n)
{
    const char *bar = w->opts->ascii ? "| " : "\xE2\x94\x82 ";
    int pushed = push_frame(w, bar, bar, CL_ROLE_MARKER);
    w->quote_depth++;
    render_children(w, n);
    w->quote_depth--;
    if (pushed)
        pop_frame(w);
}

static void render_block(walker *w, cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_HEADING:
        render_heading(w, n);
        break;
    case CMARK_NODE_PARAGRAPH:
        render_paragraph(w, n);
        break;
    case CMARK_NODE_CODE_BLOCK:
        render_code(w, cmark_node_get_literal(n), cmark_node_get_fence_info(n));
        break;
    case CMARK_NODE_HTML_BLOCK: {
        const char *s = cmark_node_get_literal(n);
        if (s && strncmp(s, "<!--", 4) != 0) /* comments are notes to authors */
            render_code(w, s, NULL);
        break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        emit_block(w, CL_MD_BLK_RULE);
        break;
    case CMARK_NODE_LIST:
        render_list(w, n);
        break;
    case CMARK_NODE_BLOCK_QUOTE:
        render_quote(w, n);
        break;
    default:
        render_children(w, n);
        break;
    }
}

cl_md *cl_md_parse(const char *markdown, size_t len, const cl_md_opts *opts)
{
    static const cl_md_opts defaults = {0};
    cl_md *md = calloc(1, sizeof *md);
    if (!md)
        return NULL;
    cmark_node *doc = cmark_parse_document(markdown, len, CMARK_OPT_DEFAULT);
    if (!doc) {
        free(md);
        return NULL;
    }
    walker w = {.md = md, .opts = opts ? opts : &defaults, .src = markdown, .srclen = len};
    md->ascii = w.opts->ascii;
    for (cmark_node *c = cmark_node_first_child(doc); c; c = cmark_node_next(c))
        render_block(&w, c);
    cmark_node_free(doc);
    int oom = md->oom;
    for (int i = 0; i < md->n; i++)
        oom |= md->blocks[i].body.text.oom | md->blocks[i].first.text.oom |
               md->blocks[i].rest.text.oom;
    if (oom) {
        cl_md_free(md);
        return NULL;
    }
    return md;
}

