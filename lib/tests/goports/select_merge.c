/* Port of select_merge.go. */
#include <goc.h>
#include <stdio.h>

typedef struct producer {
    goc_chan *ch;
    int from, n;
} producer;

static void produce(void *arg)
{
    producer *p = arg;
    for (int i = 0; i < p->n; i++)
        goc_send(p->ch, &(int){p->from + i});
    goc_close(p->ch);
}

int main(void)
{
    goc_chan *a = goc_chan_make(int, 0);
    int v;
    if (goc_select_default(goc_case_recv(a, &v)) == 0)
        printf("got %d\n", v);
    else
        printf("nothing ready\n");

    goc_chan *never = NULL;
    goc_chan *ready = goc_chan_make(int, 1);
    goc_send(ready, &(int){7});
    switch (goc_select(goc_case_recv(never, &v), goc_case_recv(ready, &v))) {
    case 0: printf("nil channel fired %d\n", v); break;
    case 1: printf("ready %d\n", v); break;
    }

    goc_chan *b = goc_chan_make(int, 0);
    goc_chan *free_a = a, *free_b = b;
    producer pa = {a, 100, 5}, pb = {b, 200, 3};
    goc_go(produce, &pa);
    goc_go(produce, &pb);
    int sum = 0, count = 0;
    while (a || b) {
        bool ok;
        switch (goc_select(goc_case_recv_ok(a, &v, &ok), goc_case_recv_ok(b, &v, &ok))) {
        case 0:
            if (!ok) {
                a = NULL;
                continue;
            }
            sum += v;
            count++;
            break;
        case 1:
            if (!ok) {
                b = NULL;
                continue;
            }
            sum += v;
            count++;
            break;
        }
    }
    printf("merged %d values, sum %d\n", count, sum);
    goc_chan_free(free_a);
    goc_chan_free(free_b);
    goc_chan_free(ready);
    return 0;
}
