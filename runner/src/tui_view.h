/* tui_view — the view's own header, shared by its files.  The split-pane view: lesson on the left (or top), output of the
 * last run/check on the right (or bottom), bars above and below.
 *
 * Pieces, one file each:
 *   tui.c         cl_tui_main and the one poll() event loop
 *   tui_term.c    curses setup, colours, terminal restore on every exit
 *   tui_spans.c   drawing md_render lines with curses attributes
 *   tui_draw.c    layout (wide / stacked / too small), bars, overlays
 *   tui_keys.c    the key table: dispatch, bottom bar and help in one place
 *   tui_actions.c what each key does
 *   tui_job.c     run/check in a child process (`chanlings check N`)
 *   tui_watch.c   inotify on exercises/, re-check on save
 *   tui_quiz.c    the quiz overlay (a lesson's, or the mastery check), on
 *                 quiz_engine
 *   tui_model.c   the only file that talks to catalog/lesson/progress
 *   tui_syntax.c  C/Go token colours for md_render's code blocks
 *   tui_scroll.c  scrolling, one rule for panes, help, quiz and list
 *   tui_trace.c   the trace's timeline in the output pane, zoomed and moved
 * This header is private to those files; main.c sees only tui.h. */
#ifndef CL_TUI_VIEW_H
#define CL_TUI_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "file_watch.h"
#include "md_render.h"
#include "report_buf.h"

/* ---- model: what the view needs to know about the workbook ---- */

typedef struct {
    char *slug;   /* "01-goroutines" */
    char *title;  /* "Goroutines" */
    int number;   /* 1 */
    int done;
} cl_tui_exercise;

typedef struct {
    struct cl_ctx *ctx;
    char *root;
    const char *self; /* this program, to run `chanlings check N` */
    cl_tui_exercise *ex;
    int count;
    int current; /* index into ex */
} cl_tui_model;

int cl_tui_model_load(cl_tui_model *m, struct cl_ctx *ctx, char *err, size_t errsz);
void cl_tui_model_free(cl_tui_model *m);
/* Re-reads the done marks and the current exercise (after a child ran). */
void cl_tui_model_refresh(cl_tui_model *m);
/* Makes `index` the current exercise and saves that. */
void cl_tui_model_go(cl_tui_model *m, int index);
/* The lesson body (Markdown, without Hints and Quiz) of `index`, malloc'd,
 * or NULL with a message naming the file in err. */
char *cl_tui_model_lesson(cl_tui_model *m, int index, char *err, size_t errsz);
/* Reveals the next hint of `index` and returns Markdown listing every hint
 * revealed so far (malloc'd), or NULL with a message in err. */
char *cl_tui_model_next_hint(cl_tui_model *m, int index, char *err, size_t errsz);
/* Path of the learner's exercise file of `index` (malloc'd). */
char *cl_tui_model_exercise_path(cl_tui_model *m, int index);
/* The raw `## Quiz` section of `index`, the lesson's path and the section's
 * first line number (all malloc'd), or -1 with a message in err. */
int cl_tui_model_quiz(cl_tui_model *m, int index, char **text, char **path, int *first_line,
                      char *err, size_t errsz);
/* Records a finished quiz attempt's first-round score. */
void cl_tui_model_quiz_score(cl_tui_model *m, int index, int correct, int total);
struct cl_mastery;
struct cl_progress_mastery;
/* Starts the mastery check over every lesson (quiz_mastery.h); 0, or -1
 * with err (free *out either way). */
int cl_tui_model_mastery(cl_tui_model *m, struct cl_mastery *out, uint64_t seed, char *err,
                         size_t errsz);
/* Keeps a finished mastery check's first round; the record as it stands
 * now, or NULL when it could not be saved. */
const struct cl_progress_mastery *cl_tui_model_mastery_score(cl_tui_model *m,
                                                             const struct cl_mastery *mc);

/* ---- the view's state ---- */

typedef struct {
    cl_md_doc doc;
    int top;          /* first line shown */
    int y, x, h, w;   /* text area on screen */
    int ty;           /* row of the pane's title (-1: none) */
} cl_tui_pane;

typedef enum { CL_TUI_FOCUS_LESSON, CL_TUI_FOCUS_OUTPUT } cl_tui_focus;

typedef enum {
    CL_TUI_MODE_MAIN = 1,
    CL_TUI_MODE_LIST = 2,
    CL_TUI_MODE_HELP = 4,
    CL_TUI_MODE_SEARCH = 8,
    CL_TUI_MODE_SMALL = 16, /* terminal too small: only quit and resize work */
    CL_TUI_MODE_QUIZ = 32,
    CL_TUI_MODE_CONFIRM = 64, /* y/n for a job that changes or reveals something */
    CL_TUI_MODE_TRACE = 128,  /* the output pane shows a trace's timeline */
} cl_tui_mode;

typedef struct cl_tui_quiz cl_tui_quiz; /* tui_quiz.c */

typedef enum { CL_TUI_OUT_TEXT, CL_TUI_OUT_MARKDOWN, CL_TUI_OUT_TRACE } cl_tui_out_kind;
typedef struct cl_tui_trace cl_tui_trace; /* tui_trace.c */

typedef struct {
    pid_t pid;         /* 0: nothing running */
    int fd;            /* read end of the child's stdout+stderr */
    const char *verb;  /* "run" or "check" */
    int exercise;
    int exit_code;     /* of the last finished job, -1 if killed */
    int spin;          /* spinner frame */
    double started;
} cl_tui_job;

typedef struct cl_tui {
    cl_tui_model model;
    cl_md *lesson;
    char lesson_err[512];
    cl_tui_pane left, right;
    cl_tui_focus focus;
    int mode;
    int mode_before_small;
    int wide;      /* panes side by side */
    int rows, cols;

    /* output pane source: raw text of a job, or Markdown (hints) */
    cl_tui_out_kind out_kind;
    cl_buf out;
    char out_title[160];

    cl_tui_job job;
    int recheck_pending; /* a save arrived while a check was running */
    int check_failed;    /* the last check of the current exercise failed */

    int watch_on;
    cl_file_watch watch;

    cl_tui_quiz *quiz; /* open quiz overlay, or NULL */
    cl_tui_trace *trace; /* a trace job's or shown trace's state, or NULL */

    int help_top, help_h, help_count; /* the help overlay's scroll */
    int list_sel;
    char search[128];
    int search_len;
    char last_search[128];
    char message[1024]; /* one-line notice in the bottom bar */
    char confirm_question[256];
    const char *confirm_verb, *confirm_extra;

    int utf8, color;
    int quit;
    int quit_signal; /* SIGINT/TERM/HUP that asked us to quit, re-raised after cleanup */
    int dirty_layout; /* re-wrap panes before the next draw */
} cl_tui;

/* tui_term.c */
void cl_tui_term_start(cl_tui *t);
void cl_tui_term_stop(void);
/* Colour pairs (or the monochrome fallback) for the current screen. */
void cl_tui_term_colours(cl_tui *t);
int cl_tui_term_signal_fd(void);          /* readable when SIGINT/TERM/HUP came */
void cl_tui_term_suspend(void);           /* before running the editor */
void cl_tui_term_resume(void);
int cl_tui_role_attr(int role, int attrs); /* curses attributes of a span */

/* tui_spans.c */
void cl_tui_draw_line(const cl_md_line *line, int y, int x, int w, const char *highlight, int ascii);

/* tui_draw.c */
void cl_tui_draw(cl_tui *t);

/* tui_keys.c */
void cl_tui_key(cl_tui *t, int key);
/* Key bar text for the current mode into buf. */
void cl_tui_key_bar(const cl_tui *t, char *buf, size_t size);
/* The help's rows: each key's name and what it does, one per table row of
 * the main mode; returns how many (at most max). */
int cl_tui_help_rows(const char **names, const char **helps, int max);

/* tui_actions.c: what the keys do (each takes the view) */
void cl_tui_open_exercise(cl_tui *t, int index);
void cl_tui_set_output_markdown(cl_tui *t, const char *title, const char *md);
/* Replaces the output pane (a shown trace is dropped). */
void cl_tui_set_output(cl_tui *t, cl_tui_out_kind kind, const char *title, const char *text);
/* Starts `chanlings VERB N [extra]` for the current exercise. */
void cl_tui_start_job(cl_tui *t, const char *verb, const char *extra);
/* Asks `question` (y/n) before running the job. */
void cl_tui_confirm(cl_tui *t, const char *question, const char *verb, const char *extra);
void cl_tui_do_edit(cl_tui *t);

/* tui_scroll.c: every scrollable thing (panes, help, quiz, list) moves by
 * these two, so keys mean the same everywhere. */
/* How far `key` scrolls a view `visible` lines high over `total` lines:
 * lines, pages, or to either end; 0 if it is no scroll key. */
int cl_tui_scroll_delta(int key, int visible, int total);
/* Moves *top by delta, kept within [0, total - visible]. */
void cl_tui_scroll_by(int *top, int delta, int total, int visible);
void cl_tui_scroll(cl_tui *t, cl_tui_pane *p, int delta);

/* tui_quiz.c */
int cl_tui_quiz_open(cl_tui *t);
int cl_tui_quiz_open_mastery(cl_tui *t); /* the quiz across every lesson */
void cl_tui_quiz_close(cl_tui *t);
void cl_tui_quiz_enter(cl_tui *t);  /* answer / next question / close */
void cl_tui_quiz_retry(cl_tui *t);
int cl_tui_quiz_can_retry(const cl_tui *t);
void cl_tui_quiz_letter(cl_tui *t, int key);
void cl_tui_quiz_scroll(cl_tui *t, int key); /* a scroll key (tui_scroll.c) */
void cl_tui_quiz_draw(cl_tui *t, int y, int x, int h, int w);
/* The overlay box's title: " Quiz: <lesson> " or " Mastery check N ". */
void cl_tui_quiz_title(const cl_tui *t, char *buf, size_t size);

/* tui_job.c */
int cl_tui_job_start(cl_tui *t, const char *verb, const char *extra, int exercise);
/* Reads what the child wrote; returns 1 when the job has finished. */
int cl_tui_job_pump(cl_tui *t);
void cl_tui_job_cancel(cl_tui *t);
void cl_tui_out_append(cl_tui *t, const char *s, size_t n);

/* tui_trace.c; the key handlers take the key table's (t, key) */
void cl_tui_trace_start(cl_tui *t, int key);  /* runs `chanlings trace N` */
void cl_tui_trace_job_done(cl_tui *t);        /* that job ended: show its trace */
void cl_tui_trace_key(cl_tui *t, int key);    /* + - zoom, h l move in time */
void cl_tui_trace_close(cl_tui *t, int key);  /* the output it replaced comes back */
void cl_tui_trace_drop(cl_tui *t);            /* forget it, keep the pane's text */
/* The output pane as a timeline at `width` above the job's text. */
int cl_tui_trace_fill(cl_tui *t, int width, cl_md_doc *doc);

/* tui_watch.c */
int cl_tui_watch_start(cl_tui *t);
void cl_tui_watch_stop(cl_tui *t);
/* Reads the watcher's events for the current exercise; a save is due
 * (cl_file_watch_fire) after the debounce. */
void cl_tui_watch_read(cl_tui *t);

#endif
