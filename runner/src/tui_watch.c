/* The view's w: re-check on save, through the same watcher as `chanlings
 * watch` (file_watch.h), debounced the same way. */
#include "tui_view.h"

#include <stdio.h>

int cl_tui_watch_start(cl_tui *t)
{
    char err[512];
    if (cl_file_watch_open(&t->watch, t->model.root ? t->model.root : ".", err, sizeof err)) {
        snprintf(t->message, sizeof t->message, "%s (watch stays off)", err);
        return -1;
    }
    t->watch_on = 1;
    return 0;
}

void cl_tui_watch_stop(cl_tui *t)
{
    cl_file_watch_close(&t->watch);
    t->watch_on = 0;
}

void cl_tui_watch_read(cl_tui *t)
{
    char file[512];
    snprintf(file, sizeof file, "%s.c", t->model.ex[t->model.current].slug);
    cl_file_watch_read(&t->watch, file);
}
