/* The key table.  One row per action: the modes it works in, its keys, how
 * the bottom bar and the help overlay name it, and what it does.  Dispatch,
 * the bar and the help text are all read from here, so they cannot drift. */
#include "tui_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27
#define KEY_TAB '\t'

typedef struct {
    int modes;
    int keys[7]; /* 0-terminated */
    const char *keyname;
    const char *bar;  /* label on the bottom bar; NULL: help only */
    const char *help; /* the help overlay's line */
    void (*fn)(cl_tui *t, int key);
    int (*ok)(const cl_tui *t); /* NULL: always available */
} key_row;

/* In `modes`: kept on the bar however narrow it gets (help, quit). */
#define PIN 0x1000
/* In `modes`: the row takes a class of keys rather than a list (below,
 * key_classes): every key tui_scroll.c reads as scrolling
 * (cl_tui_scroll_delta, so which keys scroll is written down once), the
 * letters that pick a quiz answer, the characters typed into a search,
 * or any key at all (a y/n question: whatever is not y says no). */
#define SCROLLS 0x2000
#define LETTERS 0x4000
#define TYPED 0x8000
#define ANY_KEY 0x10000

/* ---- availability ---- */

static int idle(const cl_tui *t) { return t->job.pid == 0; }
static int busy(const cl_tui *t) { return t->job.pid != 0; }
static int has_prev(const cl_tui *t) { return t->model.current > 0; }
static int has_next(const cl_tui *t) { return t->model.current + 1 < t->model.count; }
static int has_search(const cl_tui *t) { return t->last_search[0] != '\0'; }

/* ---- handlers ---- */

static cl_tui_pane *focused(cl_tui *t)
{
    return t->focus == CL_TUI_FOCUS_LESSON ? &t->left : &t->right;
}

static void do_run(cl_tui *t, int key) { (void)key; cl_tui_start_job(t, "run", NULL); }
static void do_check(cl_tui *t, int key) { (void)key; cl_tui_start_job(t, "check", NULL); }

static void do_solution(cl_tui *t, int key)
{
    (void)key;
    const cl_tui_exercise *e = &t->model.ex[t->model.current];
    if (e->done) {
        cl_tui_start_job(t, "solution", NULL);
        return;
    }
    char q[256];
    snprintf(q, sizeof q, "You have not passed %s yet. Show the solution anyway? (y/n)", e->slug);
    cl_tui_confirm(t, q, "solution", "--yes");
}

static void do_reset(cl_tui *t, int key)
{
    (void)key;
    char q[256];
    snprintf(q, sizeof q, "Replace exercises/%s.c with the shipped version? Yours is backed up "
             "in .chanlings/backups first. (y/n)", t->model.ex[t->model.current].slug);
    cl_tui_confirm(t, q, "reset", "--yes");
}

static void do_confirm_yes(cl_tui *t, int key)
{
    (void)key;
    t->mode = CL_TUI_MODE_MAIN;
    cl_tui_start_job(t, t->confirm_verb, t->confirm_extra);
}

static void do_confirm_no(cl_tui *t, int key)
{
    (void)key;
    t->mode = CL_TUI_MODE_MAIN;
    snprintf(t->message, sizeof t->message, "nothing changed");
}
static void do_cancel(cl_tui *t, int key) { (void)key; cl_tui_job_cancel(t); }

static void do_hint(cl_tui *t, int key)
{
    (void)key;
    char err[512];
    char *md = cl_tui_model_next_hint(&t->model, t->model.current, err, sizeof err);
    if (!md) {
        snprintf(t->message, sizeof t->message, "%s", err);
        return;
    }
    cl_tui_set_output_markdown(t, "Hints", md);
    free(md);
    t->right.top = t->right.doc.count; /* show the newest hint */
    cl_tui_scroll(t, &t->right, 0);
    t->focus = CL_TUI_FOCUS_OUTPUT;
}

static void do_quiz(cl_tui *t, int key) { (void)key; cl_tui_quiz_open(t); }
static void do_mastery(cl_tui *t, int key) { (void)key; cl_tui_quiz_open_mastery(t); }
static void do_quiz_enter(cl_tui *t, int key) { (void)key; cl_tui_quiz_enter(t); }
static void do_quiz_retry(cl_tui *t, int key) { (void)key; cl_tui_quiz_retry(t); }
static void do_quiz_close(cl_tui *t, int key) { (void)key; cl_tui_quiz_close(t); }
static void do_quiz_scroll(cl_tui *t, int key) { cl_tui_quiz_scroll(t, key); }
static int quiz_retry_ok(const cl_tui *t) { return cl_tui_quiz_can_retry(t); }
static void do_edit(cl_tui *t, int key) { (void)key; cl_tui_do_edit(t); }

static void do_next(cl_tui *t, int key) { (void)key; cl_tui_open_exercise(t, t->model.current + 1); }
static void do_prev(cl_tui *t, int key) { (void)key; cl_tui_open_exercise(t, t->model.current - 1); }

static void do_list(cl_tui *t, int key)
{
    (void)key;
    t->list_sel = t->model.current;
    t->mode = CL_TUI_MODE_LIST;
}

static void do_watch(cl_tui *t, int key)
{
    (void)key;
    if (t->watch_on) {
        cl_tui_watch_stop(t);
        snprintf(t->message, sizeof t->message, "watch off");
    } else if (cl_tui_watch_start(t) == 0) {
        snprintf(t->message, sizeof t->message, "watch on: saving the exercise re-checks it");
    }
}

static void do_focus(cl_tui *t, int key)
{
    (void)key;
    t->focus = t->focus == CL_TUI_FOCUS_LESSON ? CL_TUI_FOCUS_OUTPUT : CL_TUI_FOCUS_LESSON;
}

static void do_scroll(cl_tui *t, int key)
{
    cl_tui_pane *p = focused(t);
    cl_tui_scroll(t, p, cl_tui_scroll_delta(key, p->h, p->doc.count));
}

static void do_mouse(cl_tui *t, int key)
{
    (void)key;
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    int delta = (ev.bstate & BUTTON4_PRESSED) ? -3 : (ev.bstate & BUTTON5_PRESSED) ? 3 : 0;
    cl_tui_pane *p = (ev.x >= t->right.x && ev.y >= t->right.ty && ev.y < t->right.y + t->right.h)
                         ? &t->right : &t->left;
    cl_tui_scroll(t, p, delta);
}

static void find_from(cl_tui *t, int from, int dir)
{
    int hit = cl_md_find(&t->left.doc, t->last_search, from, dir);
    if (hit < 0) {
        snprintf(t->message, sizeof t->message, "\"%s\" is not in this lesson", t->last_search);
        return;
    }
    t->focus = CL_TUI_FOCUS_LESSON;
    t->left.top = hit;
    cl_tui_scroll(t, &t->left, 0);
    snprintf(t->message, sizeof t->message, "\"%s\" found at line %d (n: next, N: previous)",
             t->last_search, hit + 1);
}

static void do_search(cl_tui *t, int key)
{
    (void)key;
    t->search_len = 0;
    t->search[0] = '\0';
    t->mode = CL_TUI_MODE_SEARCH;
}

static void do_find_next(cl_tui *t, int key) { (void)key; find_from(t, t->left.top + 1, 1); }
static void do_find_prev(cl_tui *t, int key) { (void)key; find_from(t, t->left.top - 1, -1); }

static void do_help(cl_tui *t, int key)
{
    (void)key;
    t->help_top = 0;
    t->mode = CL_TUI_MODE_HELP;
}
static void do_help_scroll(cl_tui *t, int key)
{
    cl_tui_scroll_by(&t->help_top, cl_tui_scroll_delta(key, t->help_h, t->help_count),
                     t->help_count, t->help_h);
}
static void do_close(cl_tui *t, int key) { (void)key; t->mode = CL_TUI_MODE_MAIN; }
static void do_quit(cl_tui *t, int key) { (void)key; t->quit = 1; }

/* The selection moves like a one-line view over the list. */
static void do_list_move(cl_tui *t, int key)
{
    cl_tui_scroll_by(&t->list_sel, cl_tui_scroll_delta(key, 12, t->model.count),
                     t->model.count, 1);
}

static void do_list_jump(cl_tui *t, int key)
{
    (void)key;
    t->mode = CL_TUI_MODE_MAIN;
    if (t->list_sel != t->model.current)
        cl_tui_open_exercise(t, t->list_sel);
}

static void do_search_go(cl_tui *t, int key)
{
    (void)key;
    t->mode = CL_TUI_MODE_MAIN;
    if (t->search_len == 0)
        return;
    snprintf(t->last_search, sizeof t->last_search, "%s", t->search);
    find_from(t, t->left.top, 1);
}

static void do_search_type(cl_tui *t, int key)
{
    if (t->search_len + 1 < (int)sizeof t->search) {
        t->search[t->search_len++] = (char)key;
        t->search[t->search_len] = '\0';
    }
}

static void do_search_erase(cl_tui *t, int key)
{
    (void)key;
    if (t->search_len > 0)
        t->search[--t->search_len] = '\0';
}

#define MAIN CL_TUI_MODE_MAIN
#define LIST CL_TUI_MODE_LIST
#define HELP CL_TUI_MODE_HELP
#define SEARCH CL_TUI_MODE_SEARCH
#define SMALL CL_TUI_MODE_SMALL
#define QUIZ CL_TUI_MODE_QUIZ
#define CONFIRM CL_TUI_MODE_CONFIRM
#define TRACE CL_TUI_MODE_TRACE

static const key_row keys[] = {
    {MAIN, {'r'}, "r", "run", "build and run your main() in the output pane", do_run, idle},
    {MAIN, {'c'}, "c", "check", "grade the exercise: a verdict for every test", do_check, idle},
    {MAIN, {'x'}, "x", "stop", "stop the run or check in progress", do_cancel, busy},
    {MAIN, {'s'}, "s", NULL, "show the solution (asks first if you have not passed yet)", do_solution, idle},
    {MAIN, {'X'}, "X", NULL, "reset the exercise to as shipped (asks first; yours is backed up)", do_reset, idle},
    {MAIN, {'h'}, "h", "hint", "show the next hint (they are counted)", do_hint, NULL},
    {MAIN, {'e'}, "e", "edit", "open the exercise in $EDITOR, check it when you close it", do_edit, idle},
    {MAIN, {'z'}, "z", "quiz", "take this lesson's quiz (scores are kept)", do_quiz, NULL},
    {MAIN, {'t'}, "t", "trace", "trace your main(): every goroutine's timeline in the output "
     "pane (+/- zoom, h/l earlier/later, Esc back)", cl_tui_trace_start, idle},
    {MAIN, {'m'}, "m", "mastery", "the mastery check: 2 questions from every lesson, a score per "
     "lesson (your best is kept)", do_mastery, NULL},
    {MAIN | PIN, {'>', '.'}, ">", "next", "go to the next exercise", do_next, has_next},
    {MAIN, {'<', ','}, "<", "prev", "go to the previous exercise", do_prev, has_prev},
    {MAIN | PIN, {'l'}, "l", "list", "list every exercise (done ones marked) and jump to one", do_list, NULL},
    {MAIN, {'w'}, "w", "watch", "watch on/off: re-check each time you save the exercise", do_watch, NULL},
    {MAIN, {KEY_TAB}, "Tab", "focus", "switch which pane the scroll keys move", do_focus, NULL},
    {MAIN | SCROLLS, {0}, "j/k", NULL, "scroll one line (also the arrow keys)", do_scroll, NULL},
    {MAIN | SCROLLS, {0}, "PgUp/PgDn", NULL, "scroll a page (also b / space)", do_scroll, NULL},
    {MAIN | SCROLLS, {0}, "Home/End", NULL, "go to the top / bottom (also g / G)", do_scroll, NULL},
    {MAIN, {KEY_MOUSE}, "wheel", NULL, "the mouse wheel scrolls the pane under it", do_mouse, NULL},
    {MAIN, {'/'}, "/", "find", "search the lesson", do_search, NULL},
    {MAIN, {'n'}, "n", NULL, "next match of the last search", do_find_next, has_search},
    {MAIN, {'N'}, "N", NULL, "previous match of the last search", do_find_prev, has_search},
    {MAIN | PIN, {'?'}, "?", "help", "this help", do_help, NULL},
    {MAIN | SMALL | PIN, {'q', CTRL('c')}, "q", "quit", "quit (your progress is saved as you go)", do_quit, NULL},

    {LIST | SCROLLS, {0}, "j/k", "move", NULL, do_list_move, NULL},
    {LIST, {'\r', '\n', KEY_ENTER}, "Enter", "open", NULL, do_list_jump, NULL},
    {LIST, {KEY_ESC, 'l', 'q'}, "Esc", "close", NULL, do_close, NULL},

    {HELP | SCROLLS, {0}, "j/k", "scroll", NULL, do_help_scroll, NULL},
    {HELP, {KEY_ESC, '?', 'q'}, "Esc", "close", NULL, do_close, NULL},

    {QUIZ | LETTERS, {0}, "a-z", "pick", NULL, cl_tui_quiz_letter, NULL},
    {QUIZ, {'\r', '\n', KEY_ENTER}, "Enter", "answer/next", NULL, do_quiz_enter, NULL},
    {QUIZ, {'R'}, "R", "retry missed", NULL, do_quiz_retry, quiz_retry_ok},
    /* letters pick answers here, so only the keys that are no letter scroll */
    {QUIZ, {KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE, KEY_HOME, KEY_END}, "arrows", "scroll", NULL,
     do_quiz_scroll, NULL},
    {QUIZ, {KEY_ESC}, "Esc", "close", NULL, do_quiz_close, NULL},

    {CONFIRM, {'y', 'Y'}, "y", "yes", NULL, do_confirm_yes, idle},
    {CONFIRM | ANY_KEY, {0}, "n", "no", NULL, do_confirm_no, NULL}, /* only y says yes */

    {SEARCH, {'\r', '\n', KEY_ENTER}, "Enter", "find", NULL, do_search_go, NULL},
    {SEARCH, {KEY_BACKSPACE, 127, CTRL('h')}, "Backspace", NULL, NULL, do_search_erase, NULL},
    {SEARCH, {KEY_ESC}, "Esc", "cancel", NULL, do_close, NULL},
    {SEARCH | TYPED, {0}, "text", NULL, NULL, do_search_type, NULL},

    {TRACE | SCROLLS, {0}, "j/k", "scroll", NULL, do_scroll, NULL},
    {TRACE, {'+', '=', '-', '_'}, "+/-", "zoom", NULL, cl_tui_trace_key, NULL},
    {TRACE, {'h', 'l', KEY_LEFT, KEY_RIGHT}, "h/l", "earlier/later", NULL, cl_tui_trace_key, NULL},
    {TRACE, {KEY_ESC, 'q', 't'}, "Esc", "back", NULL, cl_tui_trace_close, NULL},
};

static int scroll_key(int key) { return cl_tui_scroll_delta(key, 3, 3) != 0; }
static int letter_key(int key) { return key >= 'a' && key <= 'z'; }
static int typed_key(int key) { return key >= 0x20 && key < 0x7f; }
static int any_key(int key) { (void)key; return 1; }

static const struct {
    int flag;
    int (*takes)(int key);
} key_classes[] = {
    {SCROLLS, scroll_key},
    {LETTERS, letter_key},
    {TYPED, typed_key},
    {ANY_KEY, any_key},
};

static const key_row *find_row(int mode, int key)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!(keys[i].modes & mode))
            continue;
        for (size_t c = 0; c < sizeof key_classes / sizeof key_classes[0]; c++)
            if ((keys[i].modes & key_classes[c].flag) && key_classes[c].takes(key))
                return &keys[i];
        for (const int *k = keys[i].keys; *k; k++)
            if (*k == key)
                return &keys[i];
    }
    return NULL;
}

void cl_tui_key(cl_tui *t, int key)
{
    const key_row *r = find_row(t->mode, key);
    if (r) {
        if (r->ok && !r->ok(t)) {
            snprintf(t->message, sizeof t->message, "%s: not now (%s)", r->keyname,
                     busy(t) ? "wait for the current job, or x to stop it" : "nothing to do");
            return;
        }
        t->message[0] = '\0';
        r->fn(t, key);
        return;
    }
    /* No row takes it: only the main view says so (an overlay ignores it). */
    if (t->mode == CL_TUI_MODE_MAIN && key != ERR && key != KEY_ESC) {
        const char *name = keyname(key);
        snprintf(t->message, sizeof t->message, "key %s does nothing here; ? lists the keys",
                 name ? name : "?");
    }
}

static int on_bar(const cl_tui *t, const key_row *r)
{
    return (r->modes & t->mode) && r->bar && !(r->ok && !r->ok(t));
}

/* Appends "key label" to buf if it fits in `limit`; returns whether it did. */
static int bar_add(char *buf, size_t *at, size_t limit, const key_row *r)
{
    int n = snprintf(buf + *at, limit - *at, "%s%s %s", *at ? "  " : "", r->keyname, r->bar);
    if (n < 0 || (size_t)n >= limit - *at) {
        buf[*at] = '\0';
        return 0;
    }
    *at += (size_t)n;
    return 1;
}

void cl_tui_key_bar(const cl_tui *t, char *buf, size_t size)
{
    /* Pinned keys (help, quit) go last but their room is kept first. */
    size_t pinned = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if ((keys[i].modes & PIN) && on_bar(t, &keys[i]))
            pinned += strlen(keys[i].keyname) + strlen(keys[i].bar) + 3;
    size_t at = 0, limit = size > pinned ? size - pinned : 1;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!(keys[i].modes & PIN) && on_bar(t, &keys[i]) && !bar_add(buf, &at, limit, &keys[i]))
            break;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if ((keys[i].modes & PIN) && on_bar(t, &keys[i]))
            bar_add(buf, &at, size, &keys[i]);
}

int cl_tui_help_rows(const char **names, const char **helps, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && n < max; i++)
        if ((keys[i].modes & CL_TUI_MODE_MAIN) && keys[i].help) {
            names[n] = keys[i].keyname;
            helps[n++] = keys[i].help;
        }
    return n;
}
