/* Port of panic_close_closed.go. */
#include <goc.h>
#include <stdio.h>

typedef struct chans {
    goc_chan *ch, *done;
} chans;

static void closer(void *arg)
{
    chans *c = arg;
    goc_close(c->ch);
    goc_send(c->done, &(bool){true});
}

int main(void)
{
    chans c = {goc_chan_make(int, 0), goc_chan_make(bool, 0)};
    goc_go(closer, &c);
    goc_recv_discard(c.done);
    printf("closed once\n");
    goc_close(c.ch);
    return 0;
}
