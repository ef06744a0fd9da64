/* chanlings — watch: re-check the exercise every time it is saved.
 *
 * inotify watches the exercises/ directory, not the file: editors that
 * save by writing a new file and renaming it over the old one replace the
 * inode, and a watch on the file would go quiet after the first save.
 * Bursts of events (write, then rename, then attribute changes) are
 * debounced into one check.  Passing never moves on by itself: the learner
 * presses n. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"

#define DEBOUNCE_MS 200

static volatile sig_atomic_t stop_watching;
static void on_signal(int sig) { (void)sig, stop_watching = 1; }

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the inotify events in buf name `file`. */
static bool names_file(const char *buf, ssize_t n, const char *file)
{
    bool hit = false;
    for (const char *p = buf; p < buf + n;) {
        const struct inotify_event *ev = (const struct inotify_event *)p;
        if (ev->len && strcmp(ev->name, file) == 0)
            hit = true;
        p += sizeof *ev + ev->len;
    }
    return hit;
}

static int check_once(cl_ctx *ctx, int i, int count)
{
    const cl_exercise *e = &ctx->catalog->items[i];
    char stamp[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    printf("%s[watch] %s checking exercises/%s.c (%d)%s\n", cl_c(ctx, CL_C_DIM), stamp, e->slug,
           count, cl_c(ctx, CL_C_RESET));
    fflush(stdout);
    char *args[] = {"check", e->slug, NULL};
    int rc = cl_cmd_check(ctx, 2, args);
    if (rc == CL_EXIT_OK && (size_t)i + 1 < ctx->catalog->n)
        printf("[watch] passed: press n for next, q to quit (or keep editing).\n");
    else if (rc == CL_EXIT_OK)
        printf("[watch] passed, and it is the last exercise: press q to quit.\n");
    else
        printf("[watch] waiting for a save of exercises/%s.c (q quits).\n", e->slug);
    fflush(stdout);
    return rc;
}

int cl_cmd_watch(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    int i = cl_cmd_args_exercise(ctx, "watch", argc, argv, NULL, 0, &a);
    if (i < 0)
        return -i;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    char *dir = cl_workbook_join(ctx->root, "exercises");
    if (fd < 0 || !dir ||
        inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        fprintf(stderr, "chanlings watch: cannot watch %s: %s; use `chanlings check` after each "
                "save instead\n", dir ? dir : "exercises/", strerror(errno));
        free(dir);
        return CL_EXIT_INTERNAL;
    }
    free(dir);

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
    int last = check_once(ctx, i, ++checks);
    bool stdin_open = true;
    long long due = -1; /* when the pending re-check runs, -1: none */
    while (!stop_watching) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int timeout = due < 0 ? -1 : (int)(due - now_ms() > 0 ? due - now_ms() : 0);
        int n = poll(p, stdin_open ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (p[0].revents & POLLIN)) {
            char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
            char file[300];
            snprintf(file, sizeof file, "%s.c", ctx->catalog->items[i].slug);
            ssize_t got;
            while ((got = read(fd, buf, sizeof buf)) > 0)
                if (names_file(buf, got, file))
                    due = now_ms() + DEBOUNCE_MS; /* each event restarts the wait */
        }
        if (n > 0 && stdin_open && (p[1].revents & (POLLIN | POLLHUP))) {
            char key;
            if (read(STDIN_FILENO, &key, 1) != 1) {
                stdin_open = false; /* no keyboard (a pipe, /dev/null): only saves matter */
            } else if (key == 'q') {
                break;
            } else if (key == 'n' && last == CL_EXIT_OK && (size_t)i + 1 < ctx->catalog->n) {
                i++;
                char err[512];
                if (cl_progress_set_current(ctx->progress, ctx->catalog->items[i].slug, err, sizeof err))
                    fprintf(stderr, "chanlings watch: %s\n", err);
                printf("[watch] now on %s: `chanlings lesson` in another terminal explains it; "
                       "watching exercises/%s.c.\n", ctx->catalog->items[i].slug,
                       ctx->catalog->items[i].slug);
                fflush(stdout);
                last = CL_EXIT_FAIL;
                due = -1;
            } else if (key == 'n') {
                printf("[watch] n moves on once exercises/%s.c passes; q quits.\n",
                       ctx->catalog->items[i].slug);
                fflush(stdout);
            }
        }
        if (due >= 0 && now_ms() >= due) {
            due = -1;
            last = check_once(ctx, i, ++checks);
        }
    }
    if (raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    close(fd);
    printf("[watch] stopped.\n");
    return last;
}
