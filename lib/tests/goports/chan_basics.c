/* Port of chan_basics.go. */
#include <goc.h>
#include <stdio.h>

typedef struct pair {
    goc_recvch ping;
    goc_sendch pong;
} pair;

static void ponger(void *arg)
{
    pair *p = arg;
    goc_range(int, v, p->ping) {
        goc_send(p->pong, &(int){v * 10});
    }
    goc_close(p->pong);
}

int main(void)
{
    goc_chan *ping = goc_chan_make(int, 0);
    goc_chan *pong = goc_chan_make(int, 0);
    pair p = {goc_recv_only(ping), goc_send_only(pong)};
    goc_go(ponger, &p);
    for (int i = 1; i <= 3; i++) {
        goc_send(ping, &i);
        int r;
        goc_recv(pong, &r);
        printf("ping %d pong %d\n", i, r);
    }
    goc_close(ping);
    int v;
    bool ok = goc_recv(pong, &v);
    printf("after close: %d %s\n", v, ok ? "true" : "false");

    goc_chan *buf = goc_chan_make(const char *, 3);
    goc_send(buf, &(const char *){"a"});
    goc_send(buf, &(const char *){"b"});
    printf("len %zu cap %zu\n", goc_len(buf), goc_cap(buf));
    goc_send(buf, &(const char *){"c"});
    const char *x, *y, *z;
    goc_recv(buf, &x);
    goc_recv(buf, &y);
    goc_recv(buf, &z);
    printf("%s %s %s\n", x, y, z);
    goc_chan_free(ping);
    goc_chan_free(pong);
    goc_chan_free(buf);
    return 0;
}
