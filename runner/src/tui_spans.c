/* Draws one md_render line with curses attributes: spans give the style,
 * search matches are reversed, and without a UTF-8 locale every non-ASCII
 * character is shown as its closest ASCII. */
#include "tui_view.h"

#include <curses.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *utf8, *ascii;
} ascii_subst[] = {
    {"\xE2\x80\x94", "-"},  {"\xE2\x80\x93", "-"},   {"\xE2\x80\x98", "'"},
    {"\xE2\x80\x99", "'"},  {"\xE2\x80\x9C", "\""},  {"\xE2\x80\x9D", "\""},
    {"\xE2\x80\xA6", "..."}, {"\xE2\x80\xA2", "*"},  {"\xE2\x86\x92", "->"},
    {"\xE2\x86\x90", "<-"}, {"\xE2\x9C\x93", "v"},   {"\xE2\x9C\x97", "x"},
    {"\xE2\x94\x82", "|"},  {"\xE2\x94\x80", "-"},   {"\xC3\x97", "x"},
    {"\xC2\xB7", "."},
};

/* Adds s[0..n) in ASCII; returns columns used (at most room). */
static int add_ascii(const char *s, int n, int room)
{
    int used = 0;
    for (int i = 0; i < n && used < room;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            addch(c);
            used++;
            i++;
            continue;
        }
        int len = 1;
        while (i + len < n && ((unsigned char)s[i + len] & 0xC0) == 0x80)
            len++;
        const char *rep = "?";
        for (size_t k = 0; k < sizeof ascii_subst / sizeof ascii_subst[0]; k++)
            if ((int)strlen(ascii_subst[k].utf8) == len && memcmp(s + i, ascii_subst[k].utf8, (size_t)len) == 0)
                rep = ascii_subst[k].ascii;
        for (; *rep && used < room; rep++, used++)
            addch((unsigned char)*rep);
        i += len;
    }
    return used;
}

static int add_run(const char *s, int n, int room, int ascii)
{
    if (ascii)
        return add_ascii(s, n, room);
    int cols = cl_md_cols(s, (size_t)n);
    if (cols > room) /* layout keeps lines within the pane; this is a guard */
        return add_ascii(s, n, room);
    addnstr(s, n);
    return cols;
}

void cl_tui_draw_line(const cl_md_line *line, int y, int x, int w, const char *highlight, int ascii)
{
    size_t hl = highlight ? strlen(highlight) : 0;
    int col = 0;
    move(y, x);
    for (int k = 0; k < line->nspans && col < w; k++) {
        const cl_md_span *sp = &line->spans[k];
        int attr = cl_tui_role_attr(sp->role, sp->attrs);
        int at = sp->off, end = sp->off + sp->len;
        while (at < end && col < w) {
            /* Split the span where a search match starts or ends. */
            int next = end, hit = 0;
            if (hl) {
                for (int j = at - (int)hl + 1 > 0 ? at - (int)hl + 1 : 0; j < end; j++)
                    if (j + (int)hl <= line->len && strncasecmp(line->text + j, highlight, hl) == 0) {
                        if (j <= at) {
                            hit = 1;
                            next = j + (int)hl < end ? j + (int)hl : end;
                        } else {
                            next = j;
                        }
                        break;
                    }
            }
            attrset(attr | (hit ? A_REVERSE : 0));
            col += add_run(line->text + at, next - at, w - col, ascii);
            at = next;
        }
    }
    attrset(A_NORMAL);
}
