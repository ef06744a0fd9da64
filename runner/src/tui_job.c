/* Run and check happen in a child: this same program with the CLI verb
 * (`chanlings check 3`), its report's colours kept (CHANLINGS_COLOR=always)
 * and read through poll(), so the view keeps reading keys and animating while it works.
 * The child gets its own process group: stop and quit kill all of it. */
#include "tui_view.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Output past this is dropped (the pane says so): a learner's runaway
 * printf loop must not eat the machine. The runner caps it too. */
#define OUT_CAP (4u << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cl_tui_out_append(cl_tui *t, const char *s, size_t n)
{
    if (t->out.len + n > OUT_CAP)
        n = t->out.len < OUT_CAP ? OUT_CAP - t->out.len : 0;
    cl_buf_add(&t->out, s, n);
    t->dirty_layout = 1;
}

int cl_tui_job_start(cl_tui *t, const char *verb, const char *extra, int exercise)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(t->message, sizeof t->message, "cannot start %s: pipe: %s", verb, strerror(errno));
        return -1;
    }
    char num[16];
    snprintf(num, sizeof num, "%d", t->model.ex[exercise].number);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(t->message, sizeof t->message, "cannot start %s: fork: %s", verb, strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        /* The view's signal dispositions must not leak into the job. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        /* The report's colours are how the view learns each line's role
         * (md_render.h, cl_md_text_layout); the view draws them as roles. */
        if (strcmp(verb, "solution") != 0) { /* that one is shown as code */
            unsetenv("NO_COLOR");
            setenv("CHANLINGS_COLOR", "always", 1);
        } else {
            setenv("NO_COLOR", "1", 1);
        }
        setenv("CHANLINGS_FRONT", "view", 1); /* "Next:" names the view's keys */
        if (t->model.root)
            setenv("CHANLINGS_ROOT", t->model.root, 1);
        execl("/proc/self/exe", "chanlings", verb, num, extra, (char *)NULL);
        if (t->model.self) /* no /proc: the path main was started by */
            execl(t->model.self, "chanlings", verb, num, extra, (char *)NULL);
        fprintf(stderr, "chanlings: cannot re-run itself for `%s`: %s\n", verb, strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    t->job = (cl_tui_job){.pid = pid, .fd = fds[0], .verb = verb, .exercise = exercise,
                          .started = now()};
    return 0;
}

static void finish(cl_tui *t, int status)
{
    cl_tui_job *j = &t->job;
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
    j->pid = 0;
    j->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    double secs = now() - j->started;
    const char *how = j->exit_code == 0 ? (strcmp(j->verb, "check") == 0 ? "passed" : "finished")
                                        : "failed";
    char title[160];
    snprintf(title, sizeof title, "%s %s: %s (%.1f s)", j->verb, t->model.ex[j->exercise].slug,
             WIFSIGNALED(status) ? "stopped" : how, secs);
    snprintf(t->out_title, sizeof t->out_title, "%s", title);
    cl_tui_model_refresh(&t->model);
    if (strcmp(j->verb, "check") == 0 && j->exercise == t->model.current)
        t->check_failed = j->exit_code != 0;
    if (WIFSIGNALED(status))
        cl_tui_out_append(t, "\n\x1b[33m[stopped]\x1b[0m\n", 20);
    if (strcmp(j->verb, "solution") == 0 && j->exit_code == 0 && t->out.s) {
        /* Show the code as code: coloured like the lesson's examples. */
        char *code = strdup(t->out.s);
        if (code) {
            t->out.len = 0;
            t->out_kind = CL_TUI_OUT_MARKDOWN;
            cl_tui_out_append(t, "```c\n", 5);
            cl_tui_out_append(t, code, strlen(code));
            cl_tui_out_append(t, "\n```\n", 5);
            free(code);
        }
    }
    if (t->out.len == 0) {
        const char *msg = "(no output)\n";
        cl_tui_out_append(t, msg, strlen(msg));
    }
    if (strcmp(j->verb, "check") == 0 && j->exit_code == 0 && t->model.current + 1 < t->model.count)
        snprintf(t->message, sizeof t->message,
                 "all tests pass: > goes on to the next exercise, z takes the quiz");
    if (strcmp(j->verb, "trace") == 0)
        cl_tui_trace_job_done(t);
}

int cl_tui_job_pump(cl_tui *t)
{
    cl_tui_job *j = &t->job;
    if (!j->pid)
        return 0;
    char buf[8192];
    for (;;) {
        ssize_t n = j->fd >= 0 ? read(j->fd, buf, sizeof buf) : 0;
        if (n > 0) {
            cl_tui_out_append(t, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 0;
        break; /* EOF or a real error: the child is done writing */
    }
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
    int status;
    pid_t r = waitpid(j->pid, &status, WNOHANG);
    if (r == 0)
        return 0; /* closed its output but not yet gone: the timer polls again */
    finish(t, r < 0 ? 0 : status);
    return 1;
}

void cl_tui_job_cancel(cl_tui *t)
{
    cl_tui_job *j = &t->job;
    if (!j->pid)
        return;
    kill(-j->pid, SIGTERM);
    int status = 0;
    /* A generous grace, then no more asking. */
    for (int i = 0; i < 50; i++) {
        if (waitpid(j->pid, &status, WNOHANG) == j->pid)
            break;
        if (i == 49) {
            kill(-j->pid, SIGKILL);
            waitpid(j->pid, &status, 0);
            break;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(-j->pid, SIGKILL); /* anything left in its group */
    finish(t, status);
}
