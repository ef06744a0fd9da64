/* Watch mode: inotify on exercises/.  Editors save either in place
 * (close-after-write) or by renaming a temporary file over the old one
 * (moved-to); both count as a save. */
#include "tui_view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

int cl_tui_watch_start(cl_tui *t)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/exercises", t->model.root ? t->model.root : ".");
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        snprintf(t->message, sizeof t->message, "cannot watch %.300s: %s (watch stays off)", dir,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    t->watch_fd = fd;
    t->watch_on = 1;
    return 0;
}

void cl_tui_watch_stop(cl_tui *t)
{
    if (t->watch_fd >= 0)
        close(t->watch_fd);
    t->watch_fd = -1;
    t->watch_on = 0;
}

int cl_tui_watch_pump(cl_tui *t)
{
    if (t->watch_fd < 0)
        return 0;
    char want[512];
    snprintf(want, sizeof want, "%s.c", t->model.ex[t->model.current].slug);
    int saved = 0;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(t->watch_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->len && strcmp(ev->name, want) == 0)
                saved = 1;
            p += sizeof *ev + ev->len;
        }
    }
    return saved;
}
