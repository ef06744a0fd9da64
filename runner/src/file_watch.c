/* chanlings — the file watcher (file_watch.h). */
#include "file_watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define DEBOUNCE_MS 200

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cl_file_watch_open(cl_file_watch *w, const char *root, char *err, size_t errsz)
{
    w->fd = -1;
    w->due = -1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/exercises", root);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        snprintf(err, errsz, "cannot watch %.3000s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    w->fd = fd;
    return 0;
}

void cl_file_watch_close(cl_file_watch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    w->due = -1;
}

void cl_file_watch_read(cl_file_watch *w, const char *file)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = w->fd >= 0 ? read(w->fd, buf, sizeof buf) : -1;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (const char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->len && strcmp(ev->name, file) == 0)
                w->due = now_ms() + DEBOUNCE_MS; /* each event restarts the wait */
            p += sizeof *ev + ev->len;
        }
    }
}

int cl_file_watch_wait_ms(const cl_file_watch *w)
{
    if (w->due < 0)
        return -1;
    long long left = w->due - now_ms();
    return left > 0 ? (int)left : 0;
}

bool cl_file_watch_fire(cl_file_watch *w)
{
    if (w->due < 0 || now_ms() < w->due)
        return false;
    w->due = -1;
    return true;
}

void cl_file_watch_forget(cl_file_watch *w) { w->due = -1; }
