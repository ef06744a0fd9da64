/* Port of panic_in_goroutine.go. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct worker_args {
    int id;
    goc_waitgroup *wg;
    goc_sendch out;
} worker_args;

static void worker(void *arg)
{
    worker_args *w = arg;
    for (int i = 0; i < 3; i++) {
        char *line = malloc(64);
        snprintf(line, 64, "worker %d step %d", w->id, i);
        goc_send(w->out, &line);
    }
    goc_wg_done(w->wg);
}

static void fail_on_signal(void *arg)
{
    goc_recv_discard((goc_chan *)arg);
    goc_panic("job %d: bad input \"%s\"", 7, "x");
}

int main(void)
{
    goc_waitgroup wg = {0};
    goc_chan *out = goc_chan_make(char *, 0);
    worker_args w = {1, &wg, goc_send_only(out)};
    goc_wg_add(&wg, 1);
    goc_go(worker, &w);
    for (int i = 0; i < 3; i++) {
        char *line;
        goc_recv(out, &line);
        printf("%s\n", line);
        free(line);
    }
    goc_wg_wait(&wg);
    goc_chan *fail = goc_chan_make(bool, 0);
    goc_go(fail_on_signal, fail);
    goc_send(fail, &(bool){true});
    goc_select_forever();
}
