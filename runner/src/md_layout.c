/* Wrapping: blocks, and the output pane's plain text, to lines of at most
 * a width (md_internal.h). */
#include "md_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- layout: blocks to lines of at most `width` columns ---- */

typedef struct {
    cl_md_doc *doc;
    int width;
    int ascii;
    cl_md_sb line;
    int cols;
    int err;
} layout;

static void lay_start(layout *L, const cl_md_sb *prefix)
{
    cl_md_sb_append(&L->line, prefix);
    L->cols = cl_md_sb_cols(prefix);
}

static void lay_finish(layout *L)
{
    if (cl_md_doc_push(L->doc, &L->line))
        L->err = 1;
    L->cols = 0;
}

static void lay_break(layout *L, const cl_md_sb *prefix, int *content)
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
        int n = cl_md_u8_next(s, to, i, &cp);
        int w = cl_md_cp_cols(cp);
        if (c + w > room && i > from)
            break;
        c += w;
        i += n;
    }
    *cols = c;
    return i - from;
}

/* A prefix wider than the line would leave no room: drop it on tiny widths. */
static const cl_md_sb *usable_prefix(const cl_md_sb *p, int width)
{
    static const cl_md_sb empty = {0};
    return cl_md_sb_cols(p) < width ? p : &empty;
}

static void lay_wrap(layout *L, const cl_md_block *b)
{
    const cl_md_sb *rest = usable_prefix(&b->rest, L->width);
    const char *s = cl_md_sb_text(&b->body);
    int len = (int)b->body.text.len, i = 0;
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
            cl_md_sb_copy(&L->line, &b->body, sp, sp + 1);
            L->cols++;
        }
        for (int at = ws; at < i;) { /* a word longer than the line is cut */
            int c, n = fit_bytes(s, at, i, L->width - L->cols, &c);
            cl_md_sb_copy(&L->line, &b->body, at, at + n);
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
static void lay_pre(layout *L, const cl_md_block *b)
{
    const cl_md_sb *first = usable_prefix(&b->first, L->width);
    const cl_md_sb *rest = usable_prefix(&b->rest, L->width);
    const char *s = cl_md_sb_text(&b->body);
    int len = (int)b->body.text.len, line_no = 0;
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
            cl_md_sb_copy(&L->line, &b->body, at, at + n);
            at += n;
            lay_finish(L);
            while (at < e && s[at] == ' ' && line_no > 0 && b->rest.text.len)
                at++; /* the hanging indent replaces the spaces at the break */
        } while (at < e);
        if (e >= len)
            break;
        i = e + 1;
    }
}

static void lay_rule(layout *L, const cl_md_block *b)
{
    const char *dash = L->ascii ? "-" : "\xE2\x94\x80";
    lay_start(L, usable_prefix(&b->first, L->width));
    while (L->cols < L->width) {
        cl_md_sb_puts(&L->line, dash, CL_ROLE_MARKER, CL_ATTR_DIM);
        L->cols++;
    }
    lay_finish(L);
}

/* A read-only styled view of a laid-out line, for sb_copy. */
static cl_md_sb line_view(const cl_md_line *l)
{
    cl_md_sb v = {0};
    v.text.s = l->text;
    v.text.len = (size_t)l->len;
    v.spans = l->spans;
    v.n = l->nspans;
    return v;
}

static void lay_pad(layout *L, int n)
{
    for (int i = 0; i < n; i++)
        cl_md_sb_puts(&L->line, " ", CL_ROLE_TEXT, 0);
    L->cols += n > 0 ? n : 0;
}

/* Wraps each cell of row r to its column; returns the row's height. */
static int lay_row_cells(const cl_md_block *b, int r, const int *colw, cl_md_doc *cells)
{
    int height = 1;
    for (int c = 0; c < b->cols; c++) {
        cl_md_block cell = {.kind = CL_MD_BLK_WRAP, .body = b->cells[r * b->cols + c]};
        layout sub = {.doc = &cells[c], .width = colw[c]};
        cl_md_doc_clear(&cells[c]);
        lay_wrap(&sub, &cell);
        cl_md_sb_free(&sub.line);
        if (cells[c].count > height)
            height = cells[c].count;
    }
    return height;
}

static void lay_table_rule(layout *L, const cl_md_block *b, const cl_md_sb *prefix, const int *colw)
{
    const char *h = L->ascii ? "-" : "\xE2\x94\x80", *x = L->ascii ? "-+-" : "\xE2\x94\x80\xE2\x94\xBC\xE2\x94\x80";
    lay_start(L, prefix);
    for (int c = 0; c < b->cols; c++) {
        if (c) {
            cl_md_sb_puts(&L->line, x, CL_ROLE_MARKER, CL_ATTR_DIM);
            L->cols += 3;
        }
        for (int k = 0; k < colw[c]; k++)
            cl_md_sb_puts(&L->line, h, CL_ROLE_MARKER, CL_ATTR_DIM);
        L->cols += colw[c];
    }
    lay_finish(L);
}

/* Too narrow for columns: each row becomes "header: value" lines. */
static void lay_table_stacked(layout *L, const cl_md_block *b, const cl_md_sb *prefix)
{
    for (int r = 1; r < b->rows; r++) {
        if (r > 1) {
            lay_start(L, prefix);
            lay_finish(L);
        }
        for (int c = 0; c < b->cols; c++) {
            cl_md_block item = {.kind = CL_MD_BLK_WRAP};
            cl_md_sb_append(&item.body, &b->cells[c]);
            cl_md_sb_puts(&item.body, ": ", CL_ROLE_TEXT, CL_ATTR_BOLD);
            cl_md_sb_append(&item.body, &b->cells[r * b->cols + c]);
            cl_md_sb_append(&item.first, prefix);
            cl_md_sb_append(&item.rest, prefix);
            cl_md_sb_puts(&item.rest, "  ", CL_ROLE_TEXT, 0);
            lay_wrap(L, &item);
            cl_md_sb_free(&item.body);
            cl_md_sb_free(&item.first);
            cl_md_sb_free(&item.rest);
        }
    }
}

static void lay_table(layout *L, const cl_md_block *b)
{
    const cl_md_sb *prefix = usable_prefix(&b->first, L->width);
    int room = L->width - cl_md_sb_cols(prefix);
    int colw[CL_MD_MAX_COLS], total = 3 * (b->cols - 1);
    for (int c = 0; c < b->cols; c++) {
        colw[c] = 1;
        for (int r = 0; r < b->rows; r++) {
            const cl_md_sb *cell = &b->cells[r * b->cols + c];
            int cw = cl_md_sb_cols(cell);
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
    cl_md_doc cells[CL_MD_MAX_COLS];
    memset(cells, 0, sizeof cells);
    const char *sep = L->ascii ? " | " : " \xE2\x94\x82 ";
    for (int r = 0; r < b->rows && !L->err; r++) {
        int height = lay_row_cells(b, r, colw, cells);
        for (int k = 0; k < height; k++) {
            lay_start(L, prefix);
            for (int c = 0; c < b->cols; c++) {
                if (c) {
                    cl_md_sb_puts(&L->line, sep, CL_ROLE_MARKER, CL_ATTR_DIM);
                    L->cols += 3;
                }
                int used = 0;
                cl_md_sb v = {0};
                if (k < cells[c].count) {
                    v = line_view(&cells[c].lines[k]);
                    used = cells[c].lines[k].cols;
                }
                int pad = colw[c] - used;
                int before = b->align[c] == CL_MD_ALIGN_RIGHT ? pad : b->align[c] == CL_MD_ALIGN_CENTER ? pad / 2 : 0;
                lay_pad(L, before);
                cl_md_sb_append(&L->line, &v);
                L->cols += used;
                if (c + 1 < b->cols)
                    lay_pad(L, pad - before);
            }
            lay_finish(L);
        }
        if (r == 0)
            lay_table_rule(L, b, prefix, colw);
    }
    for (int c = 0; c < CL_MD_MAX_COLS; c++)
        cl_md_doc_free(&cells[c]);
}

static void (*const lay_kinds[])(layout *, const cl_md_block *) = {
    [CL_MD_BLK_WRAP] = lay_wrap, [CL_MD_BLK_PRE] = lay_pre, [CL_MD_BLK_RULE] = lay_rule, [CL_MD_BLK_TABLE] = lay_table,
};

int cl_md_layout(const cl_md *md, int width, cl_md_doc *out)
{
    layout L = {.doc = out, .width = width < 1 ? 1 : width, .ascii = md->ascii};
    cl_md_doc_clear(out);
    for (int i = 0; i < md->n && !L.err; i++) {
        const cl_md_block *b = &md->blocks[i];
        if (b->gap) {
            lay_start(&L, usable_prefix(&b->gapsb, L.width));
            lay_finish(&L);
        }
        lay_kinds[b->kind](&L, b);
    }
    cl_md_sb_free(&L.line);
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

static void sanitize_line(cl_md_sb *out, const char *s, int len, sgr_state *st)
{
    for (int i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1B) {
            i = take_escape(s, len, i, st);
        } else if (c == '\t') {
            cl_md_sb_puts(out, "    ", st->role, st->attrs);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            if (c != '\r')
                cl_md_sb_puts(out, "?", st->role, st->attrs);
            i++;
        } else {
            int k = i;
            while (k < len && (unsigned char)s[k] >= 0x20 && s[k] != 0x7F && s[k] != 0x1B)
                k++;
            cl_md_sb_put(out, s + i, k - i, st->role, st->attrs);
            i = k;
        }
    }
}

int cl_md_text_layout(const char *text, size_t len, int width, cl_md_doc *out)
{
    sgr_state st = {CL_ROLE_TEXT, 0};
    layout L = {.doc = out, .width = width < 1 ? 1 : width};
    cl_md_doc_clear(out);
    cl_md_block b = {.kind = CL_MD_BLK_PRE};
    size_t i = 0;
    while (i < len && !L.err) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        int start, loc = location_len(text + i, (int)(e - i), &start);
        cl_md_sb_free(&b.body);
        cl_md_sb_free(&b.rest);
        if (loc) {
            sanitize_line(&b.body, text + i, start, &st);
            cl_md_sb_put(&b.body, text + i + start, loc, CL_ROLE_LOCATION, CL_ATTR_BOLD);
            sanitize_line(&b.body, text + i + start + loc, (int)(e - i) - start - loc, &st);
        } else {
            sanitize_line(&b.body, text + i, (int)(e - i), &st);
        }
        /* Wrapped lines hang under the line's own indentation. */
        int indent = 0;
        while (indent < (int)b.body.text.len && b.body.text.s[indent] == ' ')
            indent++;
        for (int k = 0; k < indent && k < L.width / 2; k++)
            cl_md_sb_puts(&b.rest, " ", CL_ROLE_TEXT, 0);
        if (b.body.text.oom || b.rest.text.oom)
            L.err = 1;
        else
            lay_pre(&L, &b);
        i = e + 1;
    }
    cl_md_sb_free(&b.body);
    cl_md_sb_free(&b.rest);
    cl_md_sb_free(&L.line);
    return L.err ? -1 : 0;
}

