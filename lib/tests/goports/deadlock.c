/* Port of deadlock.go. */
#include <goc.h>
#include <stdio.h>

static void send_one(void *arg) { goc_send((goc_chan *)arg, &(int){1}); }

int main(void)
{
    goc_chan *results = goc_chan_make(int, 0);
    goc_go(send_one, results);
    int v;
    goc_recv(results, &v);
    printf("first %d\n", v);
    printf("waiting for a second result nobody sends\n");
    goc_recv(results, &v);
    printf("%d\n", v);
    return 0;
}
