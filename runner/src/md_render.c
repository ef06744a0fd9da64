#include "md_render.h"
#include "tui_syntax.h"

#include <cmark.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- styled buffer: text plus spans, the unit everything is built from ---- */

typedef struct {
    char *buf;
    int len, cap;
    cl_md_span *spans;
    int n, ncap;
    int oom;
} sb_t;

static int grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, (size_t)nc * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

static void sb_put(sb_t *b, const char *s, int n, int role, int attrs)
{
    if (n <= 0 || b->oom)
        return;
    if (grow((void **)&b->buf, &b->cap, b->len + n + 1, 1)) {
        b->oom = 1;
        return;
    }
    memcpy(b->buf + b->len, s, (size_t)n);
    cl_md_span *last = b->n ? &b->spans[b->n - 1] : NULL;
    if (last && last->role == role && last->attrs == attrs && last->off + last->len == b->len) {
        last->len += n;
    } else {
        if (grow((void **)&b->spans, &b->ncap, b->n + 1, sizeof *b->spans)) {
            b->oom = 1;
            return;
        }
        b->spans[b->n++] = (cl_md_span){b->len, n, (unsigned char)role, (unsigned char)attrs};
    }
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_puts(sb_t *b, const char *s, int role, int attrs)
{
    sb_put(b, s, (int)strlen(s), role, attrs);
}

/* Appends bytes [from, to) of src to dst, keeping their styles. */
static void sb_copy(sb_t *dst, const sb_t *src, int from, int to)
{
    int lo = 0, hi = src->n - 1, k = 0;
    while (lo <= hi) { /* the span that holds `from` */
        int mid = (lo + hi) / 2;
        if (src->spans[mid].off <= from) {
            k = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    for (; k < src->n && from < to; k++) {
        const cl_md_span *sp = &src->spans[k];
        int end = sp->off + sp->len < to ? sp->off + sp->len : to;
        if (end > from)
            sb_put(dst, src->buf + from, end - from, sp->role, sp->attrs);
        if (end > from)
            from = end;
    }
}

static void sb_append(sb_t *dst, const sb_t *src)
{
    sb_copy(dst, src, 0, src->len);
}

static void sb_free(sb_t *b)
{
    free(b->buf);
    free(b->spans);
    memset(b, 0, sizeof *b);
}

/* ---- UTF-8 columns ---- */

static int u8_next(const char *s, int len, int i, unsigned *cp)
{
    unsigned char c = (unsigned char)s[i];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > len) {
        *cp = 0xFFFD;
        return 1;
    }
    unsigned v = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; k++) {
        unsigned char cc = (unsigned char)s[i + k];
        if ((cc & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (cc & 0x3F);
    }
    *cp = v;
    return n;
}

static const struct { unsigned lo, hi; int w; } width_ranges[] = {
    {0x0300, 0x036F, 0}, {0x200B, 0x200F, 0}, {0xFE00, 0xFE0F, 0},
    {0x1100, 0x115F, 2}, {0x2E80, 0xA4CF, 2}, {0xAC00, 0xD7A3, 2},
    {0xF900, 0xFAFF, 2}, {0xFE30, 0xFE4F, 2}, {0xFF00, 0xFF60, 2},
    {0xFFE0, 0xFFE6, 2}, {0x1F300, 0x1FAFF, 2}, {0x20000, 0x3FFFD, 2},
};

static int cp_cols(unsigned cp)
{
    if (cp < 0x300)
        return 1;
    for (size_t i = 0; i < sizeof width_ranges / sizeof width_ranges[0]; i++)
        if (cp >= width_ranges[i].lo && cp <= width_ranges[i].hi)
            return width_ranges[i].w;
    return 1;
}

int cl_md_cols(const char *s, size_t len)
{
    int cols = 0;
    for (int i = 0; i < (int)len;) {
        unsigned cp;
        i += u8_next(s, (int)len, i, &cp);
        cols += cp_cols(cp);
    }
    return cols;
}

/* ---- documents ---- */

void cl_md_doc_clear(cl_md_doc *doc)
{
    for (int i = 0; i < doc->count; i++) {
        free(doc->lines[i].text);
        free(doc->lines[i].spans);
    }
    doc->count = 0;
}

void cl_md_doc_free(cl_md_doc *doc)
{
    cl_md_doc_clear(doc);
    free(doc->lines);
    memset(doc, 0, sizeof *doc);
}

/* Moves a finished line buffer into the document. */
static int doc_push(cl_md_doc *doc, sb_t *line)
{
    if (line->oom || grow((void **)&doc->lines, &doc->cap, doc->count + 1, sizeof *doc->lines)) {
        sb_free(line);
        return -1;
    }
    if (!line->buf) {
        line->buf = calloc(1, 1);
        if (!line->buf)
            return -1;
    }
    doc->lines[doc->count++] = (cl_md_line){line->buf, line->len, cl_md_cols(line->buf, (size_t)line->len),
                                            line->spans, line->n};
    memset(line, 0, sizeof *line);
    return 0;
}

int cl_md_find(const cl_md_doc *doc, const char *needle, int from, int dir)
{
    if (!needle || !*needle || doc->count == 0)
        return -1;
    size_t nl = strlen(needle);
    int step = dir < 0 ? -1 : 1;
    from = ((from % doc->count) + doc->count) % doc->count;
    for (int k = 0, i = from; k < doc->count; k++, i = (i + step + doc->count) % doc->count) {
        const cl_md_line *l = &doc->lines[i];
        for (int j = 0; j + (int)nl <= l->len; j++)
            if (strncasecmp(l->text + j, needle, nl) == 0)
                return i;
    }
    return -1;
}

/* ---- blocks: the width-independent form ---- */

typedef enum { BLK_WRAP, BLK_PRE, BLK_RULE, BLK_TABLE } blk_kind;

typedef enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } cell_align;

typedef struct {
    blk_kind kind;
    int gap;    /* a blank line goes before it */
    sb_t gapsb; /* prefix drawn on that blank line (quote bars) */
    sb_t first; /* prefix of the first line (list marker) */
    sb_t rest;  /* prefix of the following lines */
    sb_t body;  /* '\n' is a hard line break */
    /* BLK_TABLE: rows x cols cells, row 0 the header */
    sb_t *cells;
    int rows, cols;
    cell_align *align;
} block;

struct cl_md {
    block *blocks;
    int n, cap;
    int oom;
    int ascii;
};

void cl_md_free(cl_md *md)
{
    if (!md)
        return;
    for (int i = 0; i < md->n; i++) {
        sb_free(&md->blocks[i].gapsb);
        sb_free(&md->blocks[i].first);
        sb_free(&md->blocks[i].rest);
        sb_free(&md->blocks[i].body);
        for (int c = 0; c < md->blocks[i].rows * md->blocks[i].cols; c++)
            sb_free(&md->blocks[i].cells[c]);
        free(md->blocks[i].cells);
        free(md->blocks[i].align);
    }
    free(md->blocks);
    free(md);
}

/* ---- the cmark walk ---- */

typedef struct {
    sb_t first, rest;
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

static block *emit_block(walker *w, blk_kind kind)
{
    cl_md *md = w->md;
    if (grow((void **)&md->blocks, &md->cap, md->n + 1, sizeof *md->blocks)) {
        md->oom = 1;
        return NULL;
    }
    block *b = &md->blocks[md->n++];
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
            sb_append(&b->gapsb, &f->rest);
        sb_append(&b->first, f->pending ? &f->first : &f->rest);
        sb_append(&b->rest, &f->rest);
        f->pending = 0;
    }
    /* A blank line's prefix keeps the bars but not trailing blanks. */
    while (b->gapsb.len && b->gapsb.buf[b->gapsb.len - 1] == ' ') {
        b->gapsb.buf[--b->gapsb.len] = '\0';
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
    sb_puts(&f->first, first, role, 0);
    sb_puts(&f->rest, rest, role, 0);
    f->pending = 1;
    return 1;
}

static void pop_frame(walker *w)
{
    frame *f = &w->stack[--w->depth];
    sb_free(&f->first);
    sb_free(&f->rest);
}

static void render_inlines(walker *w, sb_t *out, cmark_node *parent, int role, int attrs);

static void put_literal(sb_t *out, cmark_node *n, int role, int attrs)
{
    const char *s = cmark_node_get_literal(n);
    if (s)
        sb_puts(out, s, role, attrs);
}

static void render_link(walker *w, sb_t *out, cmark_node *n, int attrs, int image)
{
    const char *url = cmark_node_get_url(n);
    sb_t text = {0};
    if (image)
        sb_puts(&text, "[image: ", CL_ROLE_LINK, attrs);
    render_inlines(w, &text, n, CL_ROLE_LINK, attrs | CL_ATTR_UNDERLINE);
    if (image)
        sb_puts(&text, "]", CL_ROLE_LINK, attrs);
    sb_append(out, &text);
    const char *shown = url;
    if (shown && strncmp(shown, "mailto:", 7) == 0)
        shown += 7;
    /* An autolink already shows its address; don't say it twice. */
    if (shown && *shown && !(text.buf && strcmp(text.buf, shown) == 0)) {
        sb_puts(out, " (", CL_ROLE_URL, CL_ATTR_DIM);
        sb_puts(out, shown, CL_ROLE_URL, CL_ATTR_DIM);
        sb_puts(out, ")", CL_ROLE_URL, CL_ATTR_DIM);
    }
    if (text.oom)
        out->oom = 1;
    sb_free(&text);
}

/* Inline containers that only add an attribute. */
static const struct { cmark_node_type type; int attrs; } inline_styles[] = {
    {CMARK_NODE_EMPH, CL_ATTR_ITALIC},
    {CMARK_NODE_STRONG, CL_ATTR_BOLD},
};

static void render_inline(walker *w, sb_t *out, cmark_node *n, int role, int attrs)
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
        sb_puts(out, " ", role, attrs);
        break;
    case CMARK_NODE_LINEBREAK:
        sb_puts(out, "\n", role, attrs);
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

static void render_inlines(walker *w, sb_t *out, cmark_node *parent, int role, int attrs)
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
    block *b = emit_block(w, BLK_WRAP);
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

#define MAX_COLS 16

static int delimiter_row(const char *p, const char *e, cell_align *align, int *ncols)
{
    const char *cs[MAX_COLS], *ce[MAX_COLS];
    int n = split_row(p, e, cs, ce, MAX_COLS);
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
        align[i] = left && right ? ALIGN_CENTER : right ? ALIGN_RIGHT : ALIGN_LEFT;
    }
    *ncols = n;
    return n > 0;
}

static void render_cell(walker *w, sb_t *out, const char *p, const char *e, int attrs)
{
    cmark_node *doc = cmark_parse_document(p, (size_t)(e - p), CMARK_OPT_DEFAULT);
    if (!doc)
        return;
    cmark_node *para = cmark_node_first_child(doc);
    if (para && cmark_node_get_type(para) == CMARK_NODE_PARAGRAPH)
        render_inlines(w, out, para, CL_ROLE_TEXT, attrs);
    else
        sb_put(out, p, (int)(e - p), CL_ROLE_TEXT, attrs);
    cmark_node_free(doc);
}

/* Emits a table block if paragraph n is one; returns whether it did. */
static int render_table(walker *w, cmark_node *n)
{
    int first = cmark_node_get_start_line(n), last = cmark_node_get_end_line(n);
    const char *p, *e, *dp, *de;
    cell_align align[MAX_COLS];
    int ncols;
    if (last <= first || source_line(w, first, &p, &e) || p >= e || *p != '|' ||
        source_line(w, first + 1, &dp, &de) || !delimiter_row(dp, de, align, &ncols))
        return 0;
    int nrows = last - first; /* header + body rows, less the delimiter */
    block *b = emit_block(w, BLK_TABLE);
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
        const char *cs[MAX_COLS], *ce[MAX_COLS];
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
    block *b = emit_block(w, BLK_WRAP);
    if (b)
        render_inlines(w, &b->body, n, w->quote_depth ? CL_ROLE_QUOTE : CL_ROLE_TEXT,
                       w->quote_depth ? CL_ATTR_ITALIC : 0);
}

typedef struct {
    sb_t *out;
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
    sb_put(h->out, h->line + off, (int)len, tok_roles[kind], 0);
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
    block *b = emit_block(w, BLK_PRE);
    pop_frame(w);
    char *code = literal ? expand_tabs(literal) : NULL;
    if (!b || !code) {
        free(code);
        if (b)
            b->body.oom = 1;
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
            sb_put(&b->body, code + i, (int)(e - i), CL_ROLE_CODE_BLOCK, 0);
        }
        if (e < len)
            sb_puts(&b->body, "\n", CL_ROLE_CODE_BLOCK, 0);
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
        emit_block(w, BLK_RULE);
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
        oom |= md->blocks[i].body.oom | md->blocks[i].first.oom | md->blocks[i].rest.oom;
    if (oom) {
        cl_md_free(md);
        return NULL;
    }
    return md;
}

/* ---- layout: blocks to lines of at most `width` columns ---- */

typedef struct {
    cl_md_doc *doc;
    int width;
    int ascii;
    sb_t line;
    int cols;
    int err;
} layout;

static void lay_start(layout *L, const sb_t *prefix)
{
    sb_append(&L->line, prefix);
    L->cols = cl_md_cols(prefix->buf ? prefix->buf : "", (size_t)prefix->len);
}

static void lay_finish(layout *L)
{
    if (doc_push(L->doc, &L->line))
        L->err = 1;
    L->cols = 0;
}

static void lay_break(layout *L, const sb_t *prefix, int *content)
{
    lay_finish(L);
    lay_start(L, prefix);
    *content = 0;
}

/* Bytes of s[from..to) that fit in `room` columns (at least one character,
 * so progress is always made). */
static int fit_bytes(const char *s, int from, int to, int room, int *cols)
{
    int i = from, c = 0;
    while (i < to) {
        unsigned cp;
        int n = u8_next(s, to, i, &cp);
        int w = cp_cols(cp);
        if (c + w > room && i > from)
            break;
        c += w;
        i += n;
    }
    *cols = c;
    return i - from;
}

/* A prefix wider than the line would leave no room: drop it on tiny widths. */
static const sb_t *usable_prefix(const sb_t *p, int width)
{
    static const sb_t empty = {0};
    return cl_md_cols(p->buf ? p->buf : "", (size_t)p->len) < width ? p : &empty;
}

static void lay_wrap(layout *L, const block *b)
{
    const sb_t *rest = usable_prefix(&b->rest, L->width);
    const char *s = b->body.buf ? b->body.buf : "";
    int len = b->body.len, i = 0;
    int content = 0; /* anything after the prefix on this line yet */
    lay_start(L, usable_prefix(&b->first, L->width));
    while (i < len) {
        if (s[i] == '\n') {
            lay_break(L, rest, &content);
            i++;
            continue;
        }
        int sp = i;
        while (i < len && s[i] == ' ')
            i++;
        int ws = i;
        while (i < len && s[i] != ' ' && s[i] != '\n')
            i++;
        if (ws == i)
            continue;
        int wcols = cl_md_cols(s + ws, (size_t)(i - ws));
        if (content && L->cols + 1 + wcols > L->width)
            lay_break(L, rest, &content);
        if (content && sp < ws) {
            sb_copy(&L->line, &b->body, sp, sp + 1);
            L->cols++;
        }
        for (int at = ws; at < i;) { /* a word longer than the line is cut */
            int c, n = fit_bytes(s, at, i, L->width - L->cols, &c);
            sb_copy(&L->line, &b->body, at, at + n);
            L->cols += c;
            at += n;
            content = 1;
            if (at < i)
                lay_break(L, rest, &content);
        }
    }
    lay_finish(L);
}

/* Preformatted text keeps its spaces; a line too wide breaks at its last
 * space that fits, or anywhere when there is none. */
static void lay_pre(layout *L, const block *b)
{
    const sb_t *first = usable_prefix(&b->first, L->width);
    const sb_t *rest = usable_prefix(&b->rest, L->width);
    const char *s = b->body.buf ? b->body.buf : "";
    int len = b->body.len, line_no = 0;
    for (int i = 0;;) {
        int e = i;
        while (e < len && s[e] != '\n')
            e++;
        int at = i;
        do {
            lay_start(L, line_no++ ? rest : first);
            int c, n = fit_bytes(s, at, e, L->width - L->cols, &c);
            if (at + n < e && s[at + n] != ' ') {
                int k = at + n, solid = at;
                while (solid < k && s[solid] == ' ')
                    solid++;
                while (k > solid && s[k - 1] != ' ')
                    k--;
                if (k > solid)
                    n = k - at;
            }
            sb_copy(&L->line, &b->body, at, at + n);
            at += n;
            lay_finish(L);
            while (at < e && s[at] == ' ' && line_no > 0 && b->rest.len)
                at++; /* the hanging indent replaces the spaces at the break */
        } while (at < e);
        if (e >= len)
            break;
        i = e + 1;
    }
}

static void lay_rule(layout *L, const block *b)
{
    const char *dash = L->ascii ? "-" : "\xE2\x94\x80";
    lay_start(L, usable_prefix(&b->first, L->width));
    while (L->cols < L->width) {
        sb_puts(&L->line, dash, CL_ROLE_MARKER, CL_ATTR_DIM);
        L->cols++;
    }
    lay_finish(L);
}

/* A read-only styled view of a laid-out line, for sb_copy. */
static sb_t line_view(const cl_md_line *l)
{
    sb_t v = {0};
    v.buf = l->text;
    v.len = l->len;
    v.spans = l->spans;
    v.n = l->nspans;
    return v;
}

static void lay_pad(layout *L, int n)
{
    for (int i = 0; i < n; i++)
        sb_puts(&L->line, " ", CL_ROLE_TEXT, 0);
    L->cols += n > 0 ? n : 0;
}

/* Wraps each cell of row r to its column; returns the row's height. */
static int lay_row_cells(const block *b, int r, const int *colw, cl_md_doc *cells)
{
    int height = 1;
    for (int c = 0; c < b->cols; c++) {
        block cell = {.kind = BLK_WRAP, .body = b->cells[r * b->cols + c]};
        layout sub = {.doc = &cells[c], .width = colw[c]};
        cl_md_doc_clear(&cells[c]);
        lay_wrap(&sub, &cell);
        sb_free(&sub.line);
        if (cells[c].count > height)
            height = cells[c].count;
    }
    return height;
}

static void lay_table_rule(layout *L, const block *b, const sb_t *prefix, const int *colw)
{
    const char *h = L->ascii ? "-" : "\xE2\x94\x80", *x = L->ascii ? "-+-" : "\xE2\x94\x80\xE2\x94\xBC\xE2\x94\x80";
    lay_start(L, prefix);
    for (int c = 0; c < b->cols; c++) {
        if (c) {
            sb_puts(&L->line, x, CL_ROLE_MARKER, CL_ATTR_DIM);
            L->cols += 3;
        }
        for (int k = 0; k < colw[c]; k++)
            sb_puts(&L->line, h, CL_ROLE_MARKER, CL_ATTR_DIM);
        L->cols += colw[c];
    }
    lay_finish(L);
}

/* Too narrow for columns: each row becomes "header: value" lines. */
static void lay_table_stacked(layout *L, const block *b, const sb_t *prefix)
{
    for (int r = 1; r < b->rows; r++) {
        if (r > 1) {
            lay_start(L, prefix);
            lay_finish(L);
        }
        for (int c = 0; c < b->cols; c++) {
            block item = {.kind = BLK_WRAP};
            sb_append(&item.body, &b->cells[c]);
            sb_puts(&item.body, ": ", CL_ROLE_TEXT, CL_ATTR_BOLD);
            sb_append(&item.body, &b->cells[r * b->cols + c]);
            sb_append(&item.first, prefix);
            sb_append(&item.rest, prefix);
            sb_puts(&item.rest, "  ", CL_ROLE_TEXT, 0);
            lay_wrap(L, &item);
            sb_free(&item.body);
            sb_free(&item.first);
            sb_free(&item.rest);
        }
    }
}

static void lay_table(layout *L, const block *b)
{
    const sb_t *prefix = usable_prefix(&b->first, L->width);
    int room = L->width - cl_md_cols(prefix->buf ? prefix->buf : "", (size_t)prefix->len);
    int colw[MAX_COLS], total = 3 * (b->cols - 1);
    for (int c = 0; c < b->cols; c++) {
        colw[c] = 1;
        for (int r = 0; r < b->rows; r++) {
            const sb_t *cell = &b->cells[r * b->cols + c];
            int cw = cl_md_cols(cell->buf ? cell->buf : "", (size_t)cell->len);
            colw[c] = cw > colw[c] ? cw : colw[c];
        }
        total += colw[c];
    }
    /* Narrow the widest column until the table fits; give up on columns
     * when they would get too thin to read. */
    while (total > room) {
        int widest = 0;
        for (int c = 1; c < b->cols; c++)
            widest = colw[c] > colw[widest] ? c : widest;
        if (colw[widest] <= 8)
            break;
        colw[widest]--;
        total--;
    }
    if (total > room) {
        lay_table_stacked(L, b, prefix);
        return;
    }
    cl_md_doc cells[MAX_COLS];
    memset(cells, 0, sizeof cells);
    const char *sep = L->ascii ? " | " : " \xE2\x94\x82 ";
    for (int r = 0; r < b->rows && !L->err; r++) {
        int height = lay_row_cells(b, r, colw, cells);
        for (int k = 0; k < height; k++) {
            lay_start(L, prefix);
            for (int c = 0; c < b->cols; c++) {
                if (c) {
                    sb_puts(&L->line, sep, CL_ROLE_MARKER, CL_ATTR_DIM);
                    L->cols += 3;
                }
                int used = 0;
                sb_t v = {0};
                if (k < cells[c].count) {
                    v = line_view(&cells[c].lines[k]);
                    used = cells[c].lines[k].cols;
                }
                int pad = colw[c] - used;
                int before = b->align[c] == ALIGN_RIGHT ? pad : b->align[c] == ALIGN_CENTER ? pad / 2 : 0;
                lay_pad(L, before);
                sb_append(&L->line, &v);
                L->cols += used;
                if (c + 1 < b->cols)
                    lay_pad(L, pad - before);
            }
            lay_finish(L);
        }
        if (r == 0)
            lay_table_rule(L, b, prefix, colw);
    }
    for (int c = 0; c < MAX_COLS; c++)
        cl_md_doc_free(&cells[c]);
}

static void (*const lay_kinds[])(layout *, const block *) = {
    [BLK_WRAP] = lay_wrap, [BLK_PRE] = lay_pre, [BLK_RULE] = lay_rule, [BLK_TABLE] = lay_table,
};

int cl_md_layout(const cl_md *md, int width, cl_md_doc *out)
{
    layout L = {.doc = out, .width = width < 1 ? 1 : width, .ascii = md->ascii};
    cl_md_doc_clear(out);
    for (int i = 0; i < md->n && !L.err; i++) {
        const block *b = &md->blocks[i];
        if (b->gap) {
            lay_start(&L, usable_prefix(&b->gapsb, L.width));
            lay_finish(&L);
        }
        lay_kinds[b->kind](&L, b);
    }
    sb_free(&L.line);
    return L.err ? -1 : 0;
}

int cl_md_render(const char *markdown, int width, const cl_md_opts *opts, cl_md_doc *out)
{
    cl_md *md = cl_md_parse(markdown, strlen(markdown), opts);
    if (!md)
        return -1;
    int rc = cl_md_layout(md, width, out);
    cl_md_free(md);
    return rc;
}

/* ---- plain text for the output pane ---- */

/* Length of a leading `path.c:LINE[:COL]:` (after indentation), 0 if none. */
static int location_len(const char *s, int len, int *start)
{
    int i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    *start = i;
    int e = i;
    while (e < len && s[e] != ' ' && s[e] != ':')
        e++;
    if (e - i < 3 || e >= len || s[e] != ':' || s[e - 2] != '.' || !strchr("ch", s[e - 1]))
        return 0;
    int d = e + 1, nums = 0;
    while (d < len && isdigit((unsigned char)s[d])) {
        int k = d;
        while (k < len && isdigit((unsigned char)s[k]))
            k++;
        nums++;
        d = k;
        if (d < len && s[d] == ':')
            d++;
        else
            break;
    }
    return nums ? d - i : 0;
}

/* The style SGR colour escapes select, kept across lines as a terminal
 * keeps it.  This is the whole contract between a check and the view: the
 * report colours its lines (green passed, red failed, yellow other
 * verdicts, dim asides, bold names) and the view shows those colours as
 * roles, without knowing any of the report's wording. */
typedef struct {
    int role, attrs;
} sgr_state;

static const struct {
    int code, role, attrs; /* role -1: keep the role */
} sgr_codes[] = {
    {0, CL_ROLE_TEXT, 0},   {1, -1, CL_ATTR_BOLD},  {2, CL_ROLE_DIM, 0},
    {31, CL_ROLE_FAIL, 0},  {32, CL_ROLE_PASS, 0},  {33, CL_ROLE_WARN, 0},
    {39, CL_ROLE_TEXT, 0},  {22, -1, 0},
};

static void sgr_apply(sgr_state *st, int code)
{
    for (size_t k = 0; k < sizeof sgr_codes / sizeof *sgr_codes; k++) {
        if (sgr_codes[k].code != code)
            continue;
        if (code == 0 || code == 22)
            st->attrs = 0;
        if (sgr_codes[k].role >= 0)
            st->role = sgr_codes[k].role;
        st->attrs |= sgr_codes[k].attrs;
    }
}

/* Skips one escape sequence at s[i] (ESC), applying it when it is SGR;
 * other escapes would fight curses and are dropped. */
static int take_escape(const char *s, int len, int i, sgr_state *st)
{
    i++;
    if (i >= len || s[i] != '[')
        return i < len ? i + 1 : i;
    int start = ++i;
    while (i < len && !(s[i] >= 0x40 && s[i] <= 0x7E))
        i++;
    if (i < len && s[i] == 'm') {
        int code = 0, any = 0;
        for (int k = start; k <= i; k++) {
            if (isdigit((unsigned char)s[k])) {
                code = code * 10 + (s[k] - '0');
                any = 1;
            } else {
                sgr_apply(st, any ? code : 0);
                code = any = 0;
            }
        }
    }
    return i < len ? i + 1 : i;
}

static void sanitize_line(sb_t *out, const char *s, int len, sgr_state *st)
{
    for (int i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1B) {
            i = take_escape(s, len, i, st);
        } else if (c == '\t') {
            sb_puts(out, "    ", st->role, st->attrs);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            if (c != '\r')
                sb_puts(out, "?", st->role, st->attrs);
            i++;
        } else {
            int k = i;
            while (k < len && (unsigned char)s[k] >= 0x20 && s[k] != 0x7F && s[k] != 0x1B)
                k++;
            sb_put(out, s + i, k - i, st->role, st->attrs);
            i = k;
        }
    }
}

int cl_md_text_layout(const char *text, size_t len, int width, cl_md_doc *out)
{
    sgr_state st = {CL_ROLE_TEXT, 0};
    layout L = {.doc = out, .width = width < 1 ? 1 : width};
    cl_md_doc_clear(out);
    block b = {.kind = BLK_PRE};
    size_t i = 0;
    while (i < len && !L.err) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        int start, loc = location_len(text + i, (int)(e - i), &start);
        sb_free(&b.body);
        sb_free(&b.rest);
        if (loc) {
            sanitize_line(&b.body, text + i, start, &st);
            sb_put(&b.body, text + i + start, loc, CL_ROLE_LOCATION, CL_ATTR_BOLD);
            sanitize_line(&b.body, text + i + start + loc, (int)(e - i) - start - loc, &st);
        } else {
            sanitize_line(&b.body, text + i, (int)(e - i), &st);
        }
        /* Wrapped lines hang under the line's own indentation. */
        int indent = 0;
        while (indent < b.body.len && b.body.buf[indent] == ' ')
            indent++;
        for (int k = 0; k < indent && k < L.width / 2; k++)
            sb_puts(&b.rest, " ", CL_ROLE_TEXT, 0);
        if (b.body.oom || b.rest.oom)
            L.err = 1;
        else
            lay_pre(&L, &b);
        i = e + 1;
    }
    sb_free(&b.body);
    sb_free(&b.rest);
    sb_free(&L.line);
    return L.err ? -1 : 0;
}
