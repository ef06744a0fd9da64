/* The quiz inside the view: an overlay driven by quiz_engine (the same
 * attempt logic as `chanlings quiz`), for a lesson's quiz or the mastery
 * check across every lesson (quiz_mastery.h, as `quiz --mastery`).  Each screen is written as Markdown
 * and drawn through md_render, so questions keep their `code` and emphasis
 * and wrap to the box like the lesson does. */
#include "tui_view.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "quiz.h"
#include "progress.h"
#include "quiz_engine.h"
#include "quiz_mastery.h"
#include "report_buf.h"

typedef enum { Q_ASK, Q_FEEDBACK, Q_DONE } q_phase;

struct cl_tui_quiz {
    cl_quiz quiz;             /* a lesson's quiz (unused for mastery) */
    cl_quiz_attempt own;      /* its attempt */
    cl_mastery *mastery;      /* the mastery check, or NULL */
    cl_quiz_attempt *attempt; /* &own or &mastery->attempt */
    char best[160];           /* the mastery record once saved */
    q_phase phase;
    uint32_t chosen;
    cl_quiz_feedback fb;
    const cl_quiz_item *shown; /* the item on screen (feedback is about it) */
    char err[256];
    char keys[160]; /* what to press now: kept on the box's last lines */
    cl_md_doc doc;
    int top;
    int h;     /* lines of the doc shown at the last draw */
    int width; /* the doc was laid out for */
};

/* Every line of `text` behind "> ", so explanations read as asides. */
static void put_quoted(cl_buf *b, const char *indent, const char *text)
{
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        int n = e ? (int)(e - p) : (int)strlen(p);
        cl_buf_printf(b, "%s> %.*s\n", indent, n, p);
        p += n + (e ? 1 : 0);
    }
    cl_buf_printf(b, "\n");
}

static void free_quiz(cl_tui_quiz *q)
{
    if (!q)
        return;
    cl_quiz_attempt_free(&q->own);
    cl_quiz_free(&q->quiz);
    if (q->mastery)
        cl_mastery_free(q->mastery);
    free(q->mastery);
    cl_md_doc_free(&q->doc);
    free(q);
}

void cl_tui_quiz_close(cl_tui *t)
{
    free_quiz(t->quiz);
    t->quiz = NULL;
    t->mode = CL_TUI_MODE_MAIN;
}

static uint64_t fresh_seed(void)
{
    return (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
}

static void show(cl_tui *t, cl_tui_quiz *q)
{
    q->shown = cl_quiz_attempt_current(q->attempt);
    t->quiz = q;
    t->mode = CL_TUI_MODE_QUIZ;
}

int cl_tui_quiz_open(cl_tui *t)
{
    char *text = NULL, *path = NULL;
    int first_line = 0;
    char err[512];
    if (cl_tui_model_quiz(&t->model, t->model.current, &text, &path, &first_line, err, sizeof err)) {
        snprintf(t->message, sizeof t->message, "%s", err);
        return -1;
    }
    cl_tui_quiz *q = calloc(1, sizeof *q);
    int rc = q ? cl_quiz_parse(text, path, first_line, &q->quiz, err, sizeof err) : -1;
    free(text);
    free(path);
    if (rc != 0) {
        snprintf(t->message, sizeof t->message, "the quiz cannot be taken: %s", q ? err : "out of memory");
        free(q);
        return -1;
    }
    q->attempt = &q->own;
    cl_quiz_attempt_init(q->attempt, fresh_seed());
    for (size_t i = 0; i < q->quiz.nquestions; i++)
        if (cl_quiz_attempt_add(q->attempt, &q->quiz.questions[i], 0) != 0)
            rc = -1;
    if (rc || q->quiz.nquestions == 0 || cl_quiz_attempt_start(q->attempt) != 0) {
        snprintf(t->message, sizeof t->message, "this lesson has no quiz questions to take");
        free_quiz(q);
        return -1;
    }
    show(t, q);
    return 0;
}

int cl_tui_quiz_open_mastery(cl_tui *t)
{
    cl_tui_quiz *q = calloc(1, sizeof *q);
    char err[512] = "out of memory";
    if (!q || !(q->mastery = calloc(1, sizeof *q->mastery)) ||
        cl_tui_model_mastery(&t->model, q->mastery, fresh_seed(), err, sizeof err) != 0) {
        snprintf(t->message, sizeof t->message, "the mastery check cannot start: %s", err);
        free_quiz(q);
        return -1;
    }
    q->attempt = &q->mastery->attempt;
    if (q->mastery->skipped.s) /* its first line; `chanlings verify` lists them all */
        snprintf(t->message, sizeof t->message, "left out until fixed: %.*s",
                 (int)strcspn(q->mastery->skipped.s, "\n"), q->mastery->skipped.s);
    show(t, q);
    return 0;
}

static void ask_screen(cl_tui_quiz *q, cl_buf *b)
{
    const cl_quiz_item *it = q->shown;
    char from[32] = "";
    if (q->mastery)
        snprintf(from, sizeof from, " (lesson %02d)", q->mastery->lessons[it->tag].number);
    cl_buf_printf(b, "### Question %zu of %zu%s%s\n\n%s\n\n", cl_quiz_attempt_number(q->attempt),
        cl_quiz_attempt_round_size(q->attempt),
        q->attempt->round_no > 1 ? " (the ones missed)" : "", from, it->question->text);
    if (it->question->prompt)
        cl_buf_printf(b, "%s\n\n", it->question->prompt);
    for (size_t i = 0; i < cl_quiz_item_noptions(it); i++)
        cl_buf_printf(b, "- **[%s] %c)** %s\n", (q->chosen >> i) & 1 ? "x" : " ", (int)('a' + i),
            cl_quiz_item_option(it, i)->text);
    snprintf(q->keys, sizeof q->keys, "%s, then Enter.",
             it->question->ncorrect > 1 ? "Press the letters of every right answer (more than "
                                          "one is right)"
                                        : "Press the letter of the right answer");
    if (q->err[0])
        cl_buf_printf(b, "\n**%s**\n", q->err);
}

static void feedback_screen(cl_tui_quiz *q, cl_buf *b, int utf8)
{
    const cl_quiz_item *it = q->shown;
    char chosen[CL_QUIZ_MAX_OPTIONS + 1], right[CL_QUIZ_MAX_OPTIONS + 1];
    cl_buf_printf(b, "### %s\n\n%s\n\n", q->fb.correct ? "Right!" : "Not quite.", it->question->text);
    for (size_t i = 0; i < cl_quiz_item_noptions(it); i++) {
        int was_right = (q->fb.right >> i) & 1, picked = (q->fb.chosen >> i) & 1;
        const char *mark = was_right ? (utf8 ? "\xE2\x9C\x93" : "right") : picked ? (utf8 ? "\xE2\x9C\x97" : "wrong") : "\xC2\xB7";
        cl_buf_printf(b, "- %s **%c)** %s%s\n", mark, (int)('a' + i), cl_quiz_item_option(it, i)->text,
            picked ? " *(your pick)*" : "");
        if (q->fb.option_explain[i]) {
            cl_buf_printf(b, "\n");
            put_quoted(b, "  ", q->fb.option_explain[i]);
        }
    }
    cl_buf_printf(b, "\nYou picked **%s**; right: **%s**.\n\n", cl_quiz_letters(q->fb.chosen, chosen),
        cl_quiz_letters(q->fb.right, right));
    if (q->fb.explanation)
        put_quoted(b, "", q->fb.explanation);
    snprintf(q->keys, sizeof q->keys, "Enter: %s; Esc closes.",
             cl_quiz_attempt_current(q->attempt) ? "next question" : "see your score");
}

static void done_screen(cl_tui_quiz *q, cl_buf *b)
{
    cl_quiz_score s = cl_quiz_attempt_score(q->attempt);
    cl_buf_printf(b, "### %s done\n\nFirst try: **%zu of %zu** right.\n\n",
                  q->mastery ? "Mastery check" : "Quiz", s.first_correct, s.first_total);
    if (q->mastery) {
        for (size_t k = 0; k < q->mastery->nlessons; k++) {
            char line[512];
            cl_mastery_line(q->mastery, k, line, sizeof line);
            if (*line)
                cl_buf_printf(b, "- %s\n", line);
        }
        cl_buf_printf(b, "\n%s\n\n", q->best);
    }
    if (s.round_no > 1)
        cl_buf_printf(b, "This round (retry %d): %zu of %zu right.\n\n", s.round_no - 1, s.correct, s.total);
    if (s.missed)
        snprintf(q->keys, sizeof q->keys, "R retries the %zu missed; Enter or Esc closes.", s.missed);
    else
        snprintf(q->keys, sizeof q->keys, "Enter or Esc closes.");
}

/* Re-writes and re-wraps the overlay's text for a box `width` wide. */
static void refresh_doc(cl_tui *t, int width)
{
    cl_tui_quiz *q = t->quiz;
    cl_buf b = {0};
    if (q->phase == Q_ASK)
        ask_screen(q, &b);
    else if (q->phase == Q_FEEDBACK)
        feedback_screen(q, &b, t->utf8);
    else
        done_screen(q, &b);
    cl_md_opts opts = {.ascii = !t->utf8};
    if (!b.s || cl_md_render(b.s, width, &opts, &q->doc) != 0)
        cl_md_doc_clear(&q->doc);
    free(b.s);
    q->width = width;
}

static void record_score(cl_tui *t)
{
    cl_tui_quiz *q = t->quiz;
    cl_quiz_score s = cl_quiz_attempt_score(q->attempt);
    if (s.round_no != 1)
        return;
    if (!q->mastery) {
        cl_tui_model_quiz_score(&t->model, t->model.current, (int)s.first_correct, (int)s.first_total);
        return;
    }
    size_t weak = cl_mastery_tally(q->mastery);
    const cl_progress_mastery *rec = cl_tui_model_mastery_score(&t->model, q->mastery);
    if (rec)
        snprintf(q->best, sizeof q->best, "Your best mastery check: **%d of %d** (%d taken). %s",
                 rec->best, rec->best_total, rec->attempts,
                 weak ? "Reread the lessons to revisit and take their quizzes again (z)."
                      : "Every lesson holds up.");
    else
        snprintf(q->best, sizeof q->best, "**The score could not be saved** in "
                 ".chanlings/state; check that the workbook directory is writable.");
}

void cl_tui_quiz_enter(cl_tui *t)
{
    cl_tui_quiz *q = t->quiz;
    q->err[0] = '\0';
    q->top = 0;
    if (q->phase == Q_ASK) {
        char letters[CL_QUIZ_MAX_OPTIONS + 1];
        cl_quiz_letters(q->chosen, letters);
        if (cl_quiz_attempt_answer(q->attempt, letters, &q->fb, q->err, sizeof q->err) == 0)
            q->phase = Q_FEEDBACK;
    } else if (q->phase == Q_FEEDBACK) {
        q->chosen = 0;
        q->shown = cl_quiz_attempt_current(q->attempt);
        q->phase = q->shown ? Q_ASK : Q_DONE;
        if (!q->shown)
            record_score(t);
    } else {
        cl_tui_quiz_close(t);
        return;
    }
    q->width = 0;
}

void cl_tui_quiz_retry(cl_tui *t)
{
    cl_tui_quiz *q = t->quiz;
    if (q->phase != Q_DONE || cl_quiz_attempt_retry(q->attempt) <= 0)
        return;
    q->shown = cl_quiz_attempt_current(q->attempt);
    q->phase = Q_ASK;
    q->chosen = 0;
    q->top = 0;
    q->width = 0;
}

int cl_tui_quiz_can_retry(const cl_tui *t)
{
    return t->quiz && t->quiz->phase == Q_DONE && cl_quiz_attempt_score(t->quiz->attempt).missed > 0;
}

void cl_tui_quiz_letter(cl_tui *t, int key)
{
    cl_tui_quiz *q = t->quiz;
    if (q->phase != Q_ASK || key < 'a' || key > 'z')
        return;
    size_t i = (size_t)(key - 'a');
    if (i < cl_quiz_item_noptions(q->shown)) {
        q->chosen ^= 1u << i;
        q->err[0] = '\0';
        q->width = 0;
    }
}

void cl_tui_quiz_scroll(cl_tui *t, int key)
{
    cl_tui_quiz *q = t->quiz;
    cl_tui_scroll_by(&q->top, cl_tui_scroll_delta(key, q->h, q->doc.count), q->doc.count, q->h);
}

void cl_tui_quiz_title(const cl_tui *t, char *buf, size_t size)
{
    if (t->quiz && t->quiz->mastery)
        snprintf(buf, size, " Mastery check %d: every lesson ", t->quiz->mastery->turn + 1);
    else
        snprintf(buf, size, " Quiz: %s ", t->model.ex[t->model.current].title);
}

/* The question (or feedback) scrolls; what to press stays on the box's
 * last lines, so a small terminal never cuts the instructions. */
void cl_tui_quiz_draw(cl_tui *t, int y, int x, int h, int w)
{
    cl_tui_quiz *q = t->quiz;
    if (q->width != w)
        refresh_doc(t, w);
    char keys[200];
    snprintf(keys, sizeof keys, "\x1b[2m%s%s\x1b[0m", q->keys,
             q->doc.count > h - 2 ? " Arrows scroll." : "");
    cl_md_doc foot = {0};
    int nfoot = cl_md_text_layout(keys, strlen(keys), w, &foot) == 0 ? foot.count : 0;
    q->h = h - nfoot - (nfoot > 0);
    if (q->h < 1)
        q->h = 1;
    cl_tui_scroll_by(&q->top, 0, q->doc.count, q->h);
    for (int r = 0; r < q->h && q->top + r < q->doc.count; r++)
        cl_tui_draw_line(&q->doc.lines[q->top + r], y + r, x, w, NULL, !t->utf8);
    for (int r = 0; r < nfoot && q->h + 1 + r < h; r++)
        cl_tui_draw_line(&foot.lines[r], y + q->h + 1 + r, x, w, NULL, !t->utf8);
    cl_md_doc_free(&foot);
}
