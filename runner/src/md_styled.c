/* Styled text, UTF-8 columns, documents of lines and search (md_internal.h). */
#include "md_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cl_md_grow(void **p, int *cap, int need, size_t elem)
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

void cl_md_sb_put(cl_md_sb *b, const char *s, int n, int role, int attrs)
{
    if (n <= 0 || b->text.oom)
        return;
    int at = (int)b->text.len;
    cl_md_span *last = b->n ? &b->spans[b->n - 1] : NULL;
    if (last && last->role == role && last->attrs == attrs && last->off + last->len == at) {
        last->len += n;
    } else {
        if (cl_md_grow((void **)&b->spans, &b->ncap, b->n + 1, sizeof *b->spans)) {
            b->text.oom = true;
            return;
        }
        b->spans[b->n++] = (cl_md_span){at, n, (unsigned char)role, (unsigned char)attrs};
    }
    cl_buf_add(&b->text, s, (size_t)n);
}

void cl_md_sb_puts(cl_md_sb *b, const char *s, int role, int attrs)
{
    cl_md_sb_put(b, s, (int)strlen(s), role, attrs);
}

/* Appends bytes [from, to) of src to dst, keeping their styles. */
void cl_md_sb_copy(cl_md_sb *dst, const cl_md_sb *src, int from, int to)
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
            cl_md_sb_put(dst, src->text.s + from, end - from, sp->role, sp->attrs);
        if (end > from)
            from = end;
    }
}

void cl_md_sb_append(cl_md_sb *dst, const cl_md_sb *src)
{
    cl_md_sb_copy(dst, src, 0, (int)src->text.len);
}

void cl_md_sb_free(cl_md_sb *b)
{
    free(b->text.s);
    free(b->spans);
    memset(b, 0, sizeof *b);
}

const char *cl_md_sb_text(const cl_md_sb *b)
{
    return b->text.s ? b->text.s : "";
}

int cl_md_sb_cols(const cl_md_sb *b)
{
    return cl_md_cols(cl_md_sb_text(b), b->text.len);
}

/* ---- UTF-8 columns ---- */

int cl_md_u8_next(const char *s, int len, int i, unsigned *cp)
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

int cl_md_cp_cols(unsigned cp)
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
        i += cl_md_u8_next(s, (int)len, i, &cp);
        cols += cl_md_cp_cols(cp);
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
int cl_md_doc_push(cl_md_doc *doc, cl_md_sb *line)
{
    int len = (int)line->text.len;
    char *text = NULL;
    if (line->text.oom ||
        cl_md_grow((void **)&doc->lines, &doc->cap, doc->count + 1, sizeof *doc->lines) ||
        !(text = cl_buf_take(&line->text))) {
        cl_md_sb_free(line);
        return -1;
    }
    doc->lines[doc->count++] = (cl_md_line){text, len, cl_md_cols(text, (size_t)len), line->spans,
                                            line->n};
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

