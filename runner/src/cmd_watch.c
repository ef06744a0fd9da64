/* chanlings — watch: re-check the exercise every time it is saved.
 *
 * Saves come from file_watch.h, the watcher the view uses too.  Passing never moves on by itself: the learner
 * presses n, which checks the next exercise at once (its verdict says what
 * to do there).  q is how a learner stops: it exits 0, whatever the last
 * check said.  Each check runs as `chanlings check N` in a child, the way
 * the view runs it, so all three show the same report; watch word-wraps
 * it and its own lines to the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "file_watch.h"
#include "progress.h"

static volatile sig_atomic_t stop_watching;
static void on_signal(int sig) { (void)sig, stop_watching = 1; }

/* Display columns of s[0..n): SGR escapes take none, a UTF-8 character
 * one. */
static int visible_cols(const char *s, size_t n)
{
    int cols = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\x1b') {
            while (i < n && s[i] != 'm')
                i++;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            cols++;
        }
    }
    return cols;
}

/* Prints one line wrapped at spaces to the terminal's width; continuation
 * lines hang under the line's own indentation plus `hang`. */
static void put_wrapped(const char *line, size_t len, int hang)
{
    int width = cl_cmd_columns() - 1, indent = 0;
    while ((size_t)indent < len && line[indent] == ' ')
        indent++;
    int cont = indent + hang < width / 2 ? indent + hang : width / 2;
    fwrite(line, 1, (size_t)indent, stdout);
    int col = indent, first = 1;
    for (size_t at = (size_t)indent; at < len;) {
        size_t gap = at; /* the spaces before a word are kept unless it wraps */
        while (at < len && line[at] == ' ')
            at++;
        gap = at - gap;
        size_t w = at;
        while (w < len && line[w] != ' ')
            w++;
        if (w == at)
            break;
        int wc = visible_cols(line + at, w - at);
        if (!first && col + (int)gap + wc > width) {
            printf("\n%*s", cont, "");
            col = cont;
        } else if (!first) {
            printf("%*s", (int)gap, "");
            col += (int)gap;
        }
        fwrite(line + at, 1, w - at, stdout);
        col += wc;
        first = 0;
        at = w;
    }
    putchar('\n');
}

/* One "[watch] ..." message, wrapped, continuation lines under the text. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(text, sizeof text, "[watch] ");
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    put_wrapped(text, strlen(text), 8);
    fflush(stdout);
}

/* Runs `chanlings check SLUG` as a child, exactly as the view does, and
 * prints its report wrapped; returns its exit code. */
static int run_check(cl_ctx *ctx, const char *slug)
{
    int fds[2];
    if (pipe(fds) != 0)
        return CL_EXIT_INTERNAL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        setenv("CHANLINGS_ROOT", ctx->root, 1);
        setenv("CHANLINGS_FRONT", "watch", 1);
        if (ctx->color)
            setenv("CHANLINGS_COLOR", "always", 1);
        else
            setenv("NO_COLOR", "1", 1);
        const char *self = ctx->self ? ctx->self : "/proc/self/exe";
        execl(self, "chanlings", "check", slug, (char *)NULL);
        fprintf(stderr, "chanlings watch: cannot run %s check: %s\n", self, strerror(errno));
        _exit(CL_EXIT_INTERNAL);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return CL_EXIT_INTERNAL;
    }
    FILE *in = fdopen(fds[0], "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (in && (n = getline(&line, &cap, in)) >= 0) {
        if (n && line[n - 1] == '\n')
            n--;
        put_wrapped(line, (size_t)n, 4);
    }
    free(line);
    if (in)
        fclose(in);
    else
        close(fds[0]);
    fflush(stdout);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return CL_EXIT_INTERNAL;
    return WIFEXITED(status) ? WEXITSTATUS(status) : CL_EXIT_INTERNAL;
}

static int check_once(cl_ctx *ctx, int i, int count)
{
    const cl_exercise *e = &ctx->catalog->items[i];
    char stamp[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    say("%s checking exercises/%s.c (%d)", stamp, e->slug, count);
    int rc = run_check(ctx, e->slug);
    if (rc == CL_EXIT_OK && (size_t)i + 1 < ctx->catalog->n)
        say("passed: press n to check the next exercise, q to quit (or keep editing).");
    else if (rc == CL_EXIT_OK)
        say("passed, and it is the last exercise: press q to quit.");
    else
        say("waiting for a save of exercises/%s.c (q quits).", e->slug);
    return rc;
}

int cl_cmd_watch(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    int i = cl_cmd_args_exercise(ctx, "watch", argc, argv, NULL, 0, &a);
    if (i < 0)
        return -i;
    cl_file_watch w;
    char err[512];
    if (cl_file_watch_open(&w, ctx->root, err, sizeof err) != 0) {
        fprintf(stderr, "chanlings watch: %s; use `chanlings check` after each save instead\n",
                err);
        return CL_EXIT_INTERNAL;
    }

    /* keys without Enter on a terminal; lines otherwise */
    struct termios saved;
    bool raw = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &t);
    }
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    int checks = 0;
    int last = check_once(ctx, i, ++checks); /* n moves on only after a pass */
    bool stdin_open = true;
    while (!stop_watching) {
        struct pollfd p[2] = {{w.fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int n = poll(p, stdin_open ? 2 : 1, cl_file_watch_wait_ms(&w));
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (p[0].revents & POLLIN)) {
            char file[300];
            snprintf(file, sizeof file, "%s.c", ctx->catalog->items[i].slug);
            cl_file_watch_read(&w, file);
        }
        if (n > 0 && stdin_open && (p[1].revents & (POLLIN | POLLHUP))) {
            char key;
            if (read(STDIN_FILENO, &key, 1) != 1) {
                stdin_open = false; /* no keyboard (a pipe, /dev/null): only saves matter */
            } else if (key == 'q') {
                break;
            } else if (key == 'n' && last == CL_EXIT_OK && (size_t)i + 1 < ctx->catalog->n) {
                i++;
                if (cl_progress_set_current(ctx->progress, ctx->catalog->items[i].slug, err, sizeof err))
                    fprintf(stderr, "chanlings watch: %s\n", err);
                say("now on %s: `chanlings lesson` in another terminal explains it; "
                    "watching exercises/%s.c.", ctx->catalog->items[i].slug,
                    ctx->catalog->items[i].slug);
                cl_file_watch_forget(&w);
                last = check_once(ctx, i, ++checks);
            } else if (key == 'n') {
                say("n moves on once exercises/%s.c passes; q quits.",
                    ctx->catalog->items[i].slug);
            }
        }
        if (cl_file_watch_fire(&w))
            last = check_once(ctx, i, ++checks);
    }
    if (raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    cl_file_watch_close(&w);
    say("stopped.");
    return CL_EXIT_OK; /* quitting is not a failure, whatever the last check said */
}
