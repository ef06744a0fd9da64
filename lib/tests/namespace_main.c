/* The program of namespace_test.sh: it is linked with a file that defines
 * every internal name of libgoc (each aborting), and must still run on
 * libgoc's own: goroutines, channels, select, a WaitGroup, a mutex, a
 * timer and a context deadline touch every module. */
#include <goc.h>
#include <stdio.h>

static goc_mutex mu;
static goc_waitgroup wg;
static long sum;

static void add(void *arg)
{
    goc_chan *ch = arg;
    int v;
    while (goc_recv(ch, &v)) {
        goc_mutex_lock(&mu);
        sum += v;
        goc_mutex_unlock(&mu);
    }
    goc_wg_done(&wg);
}

int main(void)
{
    goc_chan *ch = goc_chan_make(int, 4);
    goc_wg_add(&wg, 2);
    goc_go(add, ch);
    goc_go(add, ch);
    for (int i = 0; i < 100; i++) {
        goc_chan *tick = goc_after(GOC_HOUR);
        switch (goc_select(goc_case_send(ch, &i), goc_case_recv_discard(tick))) {
        case 0: break;
        default: return 1;
        }
        goc_chan_free(tick);
    }
    goc_close(ch);
    goc_wg_wait(&wg);
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), GOC_MILLISECOND);
    goc_recv_discard(goc_ctx_done(ctx));
    int ok = goc_error_is(goc_ctx_err(ctx), goc_deadline_exceeded);
    goc_ctx_release(ctx);
    goc_chan_free(ch);
    printf("sum %ld\n", ok ? sum : -1);
    return 0;
}
