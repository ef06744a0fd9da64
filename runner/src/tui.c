/* cl_tui_main and the event loop: one poll() over the keyboard, the
 * signal self-pipe, the running job's output and the file watch.  It only
 * wakes on a timer while a job runs (to turn the spinner and reap the
 * child) or a save waits out its debounce; idle, it sleeps in poll() and
 * costs nothing. */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui_view.h"

#define SPIN_MS 100

static void drain_signals(cl_tui *t)
{
    unsigned char c[16];
    ssize_t n;
    while ((n = read(cl_tui_term_signal_fd(), c, sizeof c)) > 0) {
        t->quit = 1;
        t->quit_signal = c[n - 1];
    }
}

static void read_keys(cl_tui *t)
{
    int ch;
    while (!t->quit && (ch = getch()) != ERR) {
        if (ch == KEY_RESIZE)
            continue; /* the next draw lays out for the new size */
        cl_tui_key(t, ch);
    }
}

static void tick(cl_tui *t)
{
    if (!t->job.pid)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double el = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t->job.started;
    t->job.spin = (int)(el * 1000 / SPIN_MS);
}

static void loop(cl_tui *t)
{
    while (!t->quit) {
        cl_tui_draw(t);
        struct pollfd fds[4];
        int n = 0, job_at = -1, watch_at = -1;
        fds[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = cl_tui_term_signal_fd(), .events = POLLIN};
        if (t->job.pid && t->job.fd >= 0) {
            job_at = n;
            fds[n++] = (struct pollfd){.fd = t->job.fd, .events = POLLIN};
        }
        if (t->watch.fd >= 0) {
            watch_at = n;
            fds[n++] = (struct pollfd){.fd = t->watch.fd, .events = POLLIN};
        }
        int timeout = cl_file_watch_wait_ms(&t->watch);
        if (t->job.pid && (timeout < 0 || timeout > SPIN_MS))
            timeout = SPIN_MS;
        int r = poll(fds, (nfds_t)n, timeout);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && fds[1].revents)
            drain_signals(t);
        if (t->job.pid && (r == 0 || (job_at >= 0 && fds[job_at].revents) || t->job.fd < 0))
            cl_tui_job_pump(t);
        tick(t);
        if (watch_at >= 0 && fds[watch_at].revents)
            cl_tui_watch_read(t);
        if (cl_file_watch_fire(&t->watch)) {
            if (t->job.pid)
                t->recheck_pending = 1;
            else
                cl_tui_start_job(t, "check", NULL);
        }
        if (!t->job.pid && t->recheck_pending) {
            t->recheck_pending = 0;
            cl_tui_start_job(t, "check", NULL);
        }
        /* EINTR included: SIGWINCH arrives that way and getch reports it. */
        read_keys(t);
    }
}

int cl_tui_main(struct cl_ctx *ctx)
{
    setlocale(LC_ALL, "");
    cl_tui t;
    memset(&t, 0, sizeof t);
    t.watch = (cl_file_watch){.fd = -1, .due = -1};
    t.job.fd = -1;
    t.mode = CL_TUI_MODE_MAIN;
    t.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    char err[512];
    if (cl_tui_model_load(&t.model, ctx, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (t.model.count == 0) {
        fprintf(stderr, "chanlings: no exercises in %s/lessons; nothing to show. "
                        "`chanlings list` says what it found.\n",
                t.model.root ? t.model.root : ".");
        cl_tui_model_free(&t.model);
        return 1;
    }
    cl_tui_term_start(&t);
    cl_tui_open_exercise(&t, t.model.current);
    loop(&t);
    cl_tui_job_cancel(&t);
    cl_tui_watch_stop(&t);
    cl_tui_quiz_close(&t);
    cl_tui_trace_drop(&t);
    cl_tui_term_stop();
    cl_md_free(t.lesson);
    cl_md_doc_free(&t.left.doc);
    cl_md_doc_free(&t.right.doc);
    free(t.out.s);
    cl_tui_model_free(&t.model);
    if (t.quit_signal) { /* end the way the signal meant, now the terminal is back */
        signal(t.quit_signal, SIG_DFL);
        raise(t.quit_signal);
    }
    return 0;
}
