/* Port of wg_negative.go. */
#include <goc.h>
#include <stdio.h>

typedef struct job {
    int id;
    goc_waitgroup *wg;
    goc_chan *done;
} job;

static void worker(void *arg)
{
    job *j = arg;
    printf("worker %d done\n", j->id);
    goc_wg_done(j->wg);
    goc_send(j->done, &(bool){true});
}

int main(void)
{
    goc_waitgroup wg = {0};
    goc_wg_add(&wg, 2);
    goc_chan *done = goc_chan_make(bool, 0);
    job jobs[2];
    for (int i = 0; i < 2; i++) {
        jobs[i] = (job){i, &wg, done};
        goc_go(worker, &jobs[i]);
        goc_recv_discard(done);
    }
    goc_wg_wait(&wg);
    printf("all done; one more Done:\n");
    goc_wg_done(&wg);
    return 0;
}
