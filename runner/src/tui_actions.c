/* What the keys do beyond moving the view: switch exercise, start a run or
 * check, suspend for the editor or the quiz. */
#include "tui_view.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void cl_tui_set_output(cl_tui *t, cl_tui_out_kind kind, const char *title, const char *text)
{
    cl_tui_trace_drop(t); /* a check started on save replaces a trace too */
    t->out_kind = kind;
    t->out.len = 0;
    if (t->out.s)
        t->out.s[0] = '\0';
    cl_tui_out_append(t, text, strlen(text));
    snprintf(t->out_title, sizeof t->out_title, "%s", title);
    t->right.top = 0;
    t->dirty_layout = 1;
}

static void set_output_text(cl_tui *t, const char *title, const char *text)
{
    cl_tui_set_output(t, CL_TUI_OUT_TEXT, title, text);
}

void cl_tui_set_output_markdown(cl_tui *t, const char *title, const char *md)
{
    cl_tui_set_output(t, CL_TUI_OUT_MARKDOWN, title, md);
}

/* What a newcomer needs to get going, in the output pane until the
 * first run or check replaces it. */
static void welcome(cl_tui *t)
{
    const cl_tui_exercise *ex = &t->model.ex[t->model.current];
    char text[1024];
    snprintf(text, sizeof text,
             "## Exercise %02d: %s%s\n\n"
             "Your file: `exercises/%s.c`\n\n"
             "1. Read the lesson (Tab switches pane, j/k scroll).\n"
             "2. Press **e** to edit the file: look for the `TODO` marks.\n"
             "3. Press **c** to check it: every test gets a verdict here. "
             "Press **r** to run your `main()` and see what it prints.\n"
             "4. Stuck? **h** shows a hint. All tests pass? **z** takes the quiz, "
             "**>** goes on to the next exercise.\n",
             ex->number, ex->title, ex->done ? " (done)" : "", ex->slug);
    cl_tui_set_output_markdown(t, "Output", text);
}

void cl_tui_open_exercise(cl_tui *t, int index)
{
    if (index < 0 || index >= t->model.count)
        return;
    if (t->job.pid)
        cl_tui_job_cancel(t);
    cl_tui_model_go(&t->model, index);
    cl_md_free(t->lesson);
    t->lesson = NULL;
    t->lesson_err[0] = '\0';
    char *body = cl_tui_model_lesson(&t->model, index, t->lesson_err, sizeof t->lesson_err);
    if (body) {
        cl_md_opts opts = {.ascii = !t->utf8};
        t->lesson = cl_md_parse(body, strlen(body), &opts);
        if (!t->lesson)
            snprintf(t->lesson_err, sizeof t->lesson_err, "out of memory rendering the lesson");
        free(body);
    }
    t->left.top = 0;
    t->recheck_pending = 0;
    t->check_failed = 0;
    cl_file_watch_forget(&t->watch); /* a save of the old exercise is not this one's */
    welcome(t);
    t->dirty_layout = 1;
}

void cl_tui_confirm(cl_tui *t, const char *question, const char *verb, const char *extra)
{
    snprintf(t->confirm_question, sizeof t->confirm_question, "%s", question);
    t->confirm_verb = verb;
    t->confirm_extra = extra;
    t->mode = CL_TUI_MODE_CONFIRM;
}

void cl_tui_start_job(cl_tui *t, const char *verb, const char *extra)
{
    if (t->job.pid) {
        snprintf(t->message, sizeof t->message, "a %s is already running; x stops it", t->job.verb);
        return;
    }
    char title[160];
    snprintf(title, sizeof title, "%s %s", verb, t->model.ex[t->model.current].slug);
    set_output_text(t, title, "");
    if (cl_tui_job_start(t, verb, extra, t->model.current) != 0)
        return;
    t->focus = CL_TUI_FOCUS_OUTPUT;
}

/* Runs argv in the foreground with curses suspended, the way system()
 * would: while it runs, ^C belongs to the child, not to the view. */
static int run_foreground(char *const argv[])
{
    struct sigaction ign, old_int, old_quit;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    cl_tui_term_suspend();
    int status = -1;
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "chanlings: cannot start %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    cl_tui_term_resume();
    return pid < 0 ? -1 : status;
}

void cl_tui_do_edit(cl_tui *t)
{
    const char *editor = getenv("VISUAL");
    if (!editor || !*editor)
        editor = getenv("EDITOR");
    if (!editor || !*editor)
        editor = "vi";
    char *path = cl_tui_model_exercise_path(&t->model, t->model.current);
    if (!path)
        return;
    /* Through sh so EDITOR may carry arguments ("code -w"). */
    char *argv[] = {"sh", "-c", "exec $0 \"$1\"", (char *)editor, path, NULL};
    int st = run_foreground(argv);
    free(path);
    t->dirty_layout = 1;
    if (st != 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        snprintf(t->message, sizeof t->message,
                 "the editor (%s) did not exit cleanly (status %d); set $EDITOR to one you use",
                 editor, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return;
    }
    cl_tui_start_job(t, "check", NULL);
}
