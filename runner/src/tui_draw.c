/* Layout and drawing.  Every frame is drawn whole onto stdscr and curses
 * sends only what changed, so drawing stays simple and a resize is just
 * another frame. */
#include "tui_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_buf.h"

#define MIN_COLS 40
#define MIN_ROWS 10
#define WIDE_COLS 100

static void relayout_pane(cl_tui_pane *p, int width, int (*fill)(cl_tui *, int, cl_md_doc *), cl_tui *t)
{
    int old_count = p->doc.count, old_top = p->top;
    int was_at_end = old_count > 0 && old_top >= old_count - p->h;
    if (fill(t, width, &p->doc) != 0)
        cl_md_doc_clear(&p->doc);
    if (old_count > 0)
        p->top = (int)((long)old_top * p->doc.count / old_count);
    if (was_at_end && t->job.pid && p == &t->right)
        p->top = p->doc.count; /* follow a running job's output */
    cl_tui_scroll(t, p, 0);
}

static int fill_lesson(cl_tui *t, int width, cl_md_doc *doc)
{
    if (t->lesson)
        return cl_md_layout(t->lesson, width, doc);
    const char *msg = t->lesson_err[0] ? t->lesson_err : "(no lesson)";
    return cl_md_text_layout(msg, strlen(msg), width, doc);
}

static int fill_output(cl_tui *t, int width, cl_md_doc *doc)
{
    const char *s = t->out.s ? t->out.s : "";
    if (t->out_kind == CL_TUI_OUT_TRACE)
        return cl_tui_trace_fill(t, width, doc);
    if (t->out_kind == CL_TUI_OUT_MARKDOWN) {
        cl_md_opts opts = {.ascii = !t->utf8};
        return cl_md_render(s, width, &opts, doc);
    }
    return cl_md_text_layout(s, t->out.len, width, doc);
}

static void layout(cl_tui *t)
{
    getmaxyx(stdscr, t->rows, t->cols);
    if (t->cols < MIN_COLS || t->rows < MIN_ROWS) {
        if (t->mode != CL_TUI_MODE_SMALL) {
            t->mode_before_small = t->mode; /* an open quiz or list survives */
            t->mode = CL_TUI_MODE_SMALL;
        }
        return;
    }
    if (t->mode == CL_TUI_MODE_SMALL)
        t->mode = t->mode_before_small ? t->mode_before_small : CL_TUI_MODE_MAIN;
    int msg = t->message[0] ? 1 : 0;
    int body = t->rows - 2 - msg; /* rows between the bars */
    int lw_old = t->left.w, rw_old = t->right.w;
    t->wide = t->cols >= WIDE_COLS;
    if (t->wide) {
        int lw = (t->cols - 1) / 2;
        t->left = (cl_tui_pane){t->left.doc, t->left.top, 2, 0, body - 1, lw, 1};
        t->right = (cl_tui_pane){t->right.doc, t->right.top, 2, lw + 2, body - 1, t->cols - lw - 2, 1};
    } else {
        int lh = (body - 2) * 3 / 5;
        t->left = (cl_tui_pane){t->left.doc, t->left.top, 2, 0, lh, t->cols, 1};
        t->right = (cl_tui_pane){t->right.doc, t->right.top, 3 + lh, 0, body - lh - 2, t->cols, 2 + lh};
    }
    if (t->dirty_layout || lw_old != t->left.w)
        relayout_pane(&t->left, t->left.w - 1, fill_lesson, t);
    if (t->dirty_layout || rw_old != t->right.w)
        relayout_pane(&t->right, t->right.w - 1, fill_output, t);
    cl_tui_scroll(t, &t->left, 0);
    cl_tui_scroll(t, &t->right, 0);
    t->dirty_layout = 0;
}

/* A full-width bar: text on the left, `right` flush right, in `attr`. */
static void bar(int y, int cols, int attr, const char *text, const char *right)
{
    attrset(attr);
    mvhline(y, 0, ' ', cols);
    mvaddnstr(y, 0, text, cols);
    int rl = right ? (int)strlen(right) : 0;
    if (rl && (int)strlen(text) + rl + 1 < cols)
        mvaddstr(y, cols - rl, right);
    attrset(A_NORMAL);
}

static const char *const spin_utf8[] = {"\xE2\xA0\x8B", "\xE2\xA0\x99", "\xE2\xA0\xB9",
                                        "\xE2\xA0\xB8", "\xE2\xA0\xBC", "\xE2\xA0\xB4",
                                        "\xE2\xA0\xA6", "\xE2\xA0\xA7", "\xE2\xA0\x87",
                                        "\xE2\xA0\x8F"};
static const char *const spin_ascii[] = {"|", "/", "-", "\\"};

static void pane_title(cl_tui *t, cl_tui_pane *p, const char *name, int focused)
{
    char right[64] = "";
    if (p->doc.count > p->h)
        snprintf(right, sizeof right, "%d-%d/%d ", p->top + 1,
                 p->top + p->h < p->doc.count ? p->top + p->h : p->doc.count, p->doc.count);
    char text[256];
    snprintf(text, sizeof text, " %s%s", focused ? "> " : "  ", name);
    if (p == &t->right && t->job.pid) {
        int n = t->utf8 ? 10 : 4;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double el = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t->job.started;
        size_t l = strlen(text);
        snprintf(text + l, sizeof text - l, "  %s %s, %.0f s (x stops)",
                 (t->utf8 ? spin_utf8 : spin_ascii)[t->job.spin % n],
                 strcmp(t->job.verb, "check") == 0 ? "checking" : "running", el);
    }
    int attr = focused ? A_REVERSE | A_BOLD : A_UNDERLINE;
    attrset(attr);
    mvhline(p->ty, p->x, ' ', p->w);
    mvaddnstr(p->ty, p->x, text, p->w);
    int rl = (int)strlen(right);
    if (rl && (int)strlen(text) + rl < p->w)
        mvaddstr(p->ty, p->x + p->w - rl, right);
    attrset(A_NORMAL);
}

static void pane_body(cl_tui *t, cl_tui_pane *p, const char *highlight)
{
    for (int r = 0; r < p->h && p->top + r < p->doc.count; r++)
        cl_tui_draw_line(&p->doc.lines[p->top + r], p->y + r, p->x, p->w - 1, highlight, !t->utf8);
}

static void draw_box(int y, int x, int h, int w, const char *title)
{
    attrset(A_NORMAL);
    for (int r = y; r < y + h; r++)
        mvhline(r, x, ' ', w);
    mvhline(y, x, ACS_HLINE, w);
    mvhline(y + h - 1, x, ACS_HLINE, w);
    mvvline(y, x, ACS_VLINE, h);
    mvvline(y, x + w - 1, ACS_VLINE, h);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
    attrset(A_BOLD);
    mvaddnstr(y, x + 2, title, w - 4);
    attrset(A_NORMAL);
}

static void draw_list(cl_tui *t)
{
    int w = t->cols - 4 < 64 ? t->cols - 4 : 64;
    int inner = t->rows - 6 < t->model.count ? t->rows - 6 : t->model.count;
    int h = inner + 2, y = (t->rows - h) / 2, x = (t->cols - w) / 2;
    int done = 0;
    for (int i = 0; i < t->model.count; i++)
        done += t->model.ex[i].done;
    char title[80];
    snprintf(title, sizeof title, " Exercises: %d of %d done ", done, t->model.count);
    draw_box(y, x, h, w, title);
    int first = t->list_sel - inner / 2;
    if (first > t->model.count - inner)
        first = t->model.count - inner;
    if (first < 0)
        first = 0;
    for (int r = 0; r < inner && first + r < t->model.count; r++) {
        int i = first + r;
        const cl_tui_exercise *e = &t->model.ex[i];
        char line[160];
        const char *mark = e->done ? (t->utf8 ? "\xE2\x9C\x93" : "x") : " ";
        snprintf(line, sizeof line, " %s %02d %s%s", mark, e->number, e->title,
                 i == t->model.current ? "  (current)" : "");
        attrset(i == t->list_sel ? A_REVERSE : (e->done && t->color ? COLOR_PAIR(CL_ROLE_PASS + 1) : 0));
        mvhline(y + 1 + r, x + 1, ' ', w - 2);
        mvaddnstr(y + 1 + r, x + 1, line, w - 2);
        attrset(A_NORMAL);
    }
}

/* The help: every key of the main mode with what it does, descriptions
 * wrapped under themselves; it scrolls when the terminal is short. */
static void draw_help(cl_tui *t)
{
    enum { KEYCOL = 11, MAXROWS = 48 };
    const char *names[MAXROWS], *helps[MAXROWS];
    int nrows = cl_tui_help_rows(names, helps, MAXROWS);
    int w = t->cols - 4 < 84 ? t->cols - 4 : 84;
    cl_buf text = {0};
    cl_md_doc wrapped = {0}, lines = {0};
    for (int i = 0; i < nrows; i++) {
        if (cl_md_text_layout(helps[i], strlen(helps[i]), w - 4 - KEYCOL, &wrapped) != 0)
            break;
        for (int k = 0; k < wrapped.count; k++)
            cl_buf_printf(&text, "%-*s%s\n", KEYCOL, k ? "" : names[i], wrapped.lines[k].text);
    }
    if (text.s && cl_md_text_layout(text.s, text.len, w - 4, &lines) != 0)
        cl_md_doc_clear(&lines);
    cl_md_doc_free(&wrapped);
    free(text.s);
    int inner = t->rows - 4 < lines.count ? t->rows - 4 : lines.count;
    t->help_h = inner;
    t->help_count = lines.count;
    cl_tui_scroll_by(&t->help_top, 0, lines.count, inner);
    int h = inner + 2, y = (t->rows - h) / 2, x = (t->cols - w) / 2;
    draw_box(y, x, h, w, " Keys (Esc closes) ");
    if (lines.count > inner) {
        char where[48];
        snprintf(where, sizeof where, " %d-%d/%d, j/k scroll ", t->help_top + 1,
                 t->help_top + inner, lines.count);
        mvaddstr(y + h - 1, x + w - 2 - (int)strlen(where), where);
    }
    for (int r = 0; r < inner && t->help_top + r < lines.count; r++)
        cl_tui_draw_line(&lines.lines[t->help_top + r], y + 1 + r, x + 2, w - 4, NULL, !t->utf8);
    cl_md_doc_free(&lines);
}

static void draw_quiz(cl_tui *t)
{
    int w = t->cols - 4 < 90 ? t->cols - 4 : 90;
    int h = t->rows - 4, y = 2, x = (t->cols - w) / 2;
    char title[160];
    cl_tui_quiz_title(t, title, sizeof title);
    draw_box(y, x, h, w, title);
    cl_tui_quiz_draw(t, y + 1, x + 2, h - 2, w - 4);
}

static void draw_small(cl_tui *t)
{
    char size[64];
    snprintf(size, sizeof size, "%dx%d, need %dx%d", t->cols, t->rows, MIN_COLS, MIN_ROWS);
    const char *lines[] = {"terminal too small", size, "enlarge it, or q quits"};
    int n = (int)(sizeof lines / sizeof lines[0]);
    int y = (t->rows - n) / 2;
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(lines[i]);
        int x = len < t->cols ? (t->cols - len) / 2 : 0;
        if (y + i >= 0 && y + i < t->rows)
            mvaddnstr(y + i, x, lines[i], t->cols);
    }
}

static void draw_top(cl_tui *t)
{
    const cl_tui_exercise *e = &t->model.ex[t->model.current];
    int done = 0;
    for (int i = 0; i < t->model.count; i++)
        done += t->model.ex[i].done;
    /* Done once is not done now: after a failing check the title says so. */
    const char *mark = t->check_failed ? (t->utf8 ? " \xE2\x9C\x97 failing" : " (failing)")
                       : e->done       ? (t->utf8 ? " \xE2\x9C\x93" : " (done)")
                                       : "";
    char text[256];
    snprintf(text, sizeof text, " chanlings  %02d/%02d %s%s  |  done %d/%d  |  watch %s", e->number,
             t->model.count, e->title, mark, done, t->model.count, t->watch_on ? "on" : "off");
    bar(0, t->cols, A_REVERSE | A_BOLD, text, "? help ");
}

static void draw_bottom(cl_tui *t)
{
    char keys[512];
    if (t->mode == CL_TUI_MODE_SEARCH) {
        snprintf(keys, sizeof keys, "find in lesson: %s_   (Enter find, Esc cancel)", t->search);
    } else if (t->mode == CL_TUI_MODE_CONFIRM) {
        snprintf(keys, sizeof keys, " %s", t->confirm_question);
    } else {
        size_t room = (size_t)t->cols + 1 < sizeof keys ? (size_t)t->cols : sizeof keys;
        cl_tui_key_bar(t, keys + 1, room - 1);
        keys[0] = ' ';
    }
    bar(t->rows - 1, t->cols, A_REVERSE, keys, NULL);
    if (t->message[0]) {
        attrset(A_BOLD);
        mvhline(t->rows - 2, 0, ' ', t->cols);
        mvaddnstr(t->rows - 2, 1, t->message, t->cols - 2);
        attrset(A_NORMAL);
    }
}

void cl_tui_draw(cl_tui *t)
{
    layout(t);
    erase();
    if (t->mode == CL_TUI_MODE_SMALL) {
        draw_small(t);
        refresh();
        return;
    }
    draw_top(t);
    pane_title(t, &t->left, "Lesson", t->focus == CL_TUI_FOCUS_LESSON);
    pane_title(t, &t->right, t->out_title[0] ? t->out_title : "Output", t->focus == CL_TUI_FOCUS_OUTPUT);
    pane_body(t, &t->left, t->last_search[0] ? t->last_search : NULL);
    pane_body(t, &t->right, NULL);
    if (t->wide) {
        mvvline(1, t->left.w, ACS_VLINE, t->left.h + 1);
    }
    draw_bottom(t);
    if (t->mode == CL_TUI_MODE_LIST)
        draw_list(t);
    else if (t->mode == CL_TUI_MODE_HELP)
        draw_help(t);
    else if (t->mode == CL_TUI_MODE_QUIZ && t->quiz)
        draw_quiz(t);
    refresh();
}
