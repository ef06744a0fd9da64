/* chanlings — the one file watcher, for `watch` and the view's w.
 *
 * inotify on <root>/exercises/, not on the file: editors that save by
 * writing a new file and renaming it over the old one replace the inode,
 * and a watch on the file would go quiet after the first save.  Writes,
 * renames and creations of the watched name all count as a save; a burst of
 * them (write, rename, attribute changes) is debounced into one. */
#ifndef CL_FILE_WATCH_H
#define CL_FILE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cl_file_watch {
    int fd;         /* poll() it for POLLIN; -1 when not watching */
    long long due;  /* monotonic ms when the pending save counts; -1: none */
} cl_file_watch;

/* Starts watching; 0, or -1 with err saying what failed (w->fd stays -1). */
int cl_file_watch_open(cl_file_watch *w, const char *root, char *err, size_t errsz);
void cl_file_watch_close(cl_file_watch *w);

/* Reads what inotify has; a save of `file` (a name in exercises/, such as
 * "03-unbuffered-channels.c") restarts the debounce wait. */
void cl_file_watch_read(cl_file_watch *w, const char *file);
/* Milliseconds until a pending save counts (0: now), -1 when none: the
 * poll() timeout. */
int cl_file_watch_wait_ms(const cl_file_watch *w);
/* True, once, when a pending save's wait is over. */
bool cl_file_watch_fire(cl_file_watch *w);
/* Drops a pending save (the learner moved to another exercise). */
void cl_file_watch_forget(cl_file_watch *w);

#endif
