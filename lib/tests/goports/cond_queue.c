/* Port of cond_queue.go. */
#include <goc.h>
#include <stdio.h>

typedef struct queue {
    goc_mutex mu;
    goc_cond cond;
    int items[16];
    int head, tail;
    bool closed;
    goc_chan *done;
} queue;

static void consume(void *arg)
{
    queue *q = arg;
    int sum = 0;
    goc_mutex_lock(&q->mu);
    for (;;) {
        while (q->head == q->tail && !q->closed)
            goc_cond_wait(&q->cond);
        if (q->head == q->tail)
            break;
        int item = q->items[q->head++];
        printf("took %d\n", item);
        sum += item;
    }
    goc_mutex_unlock(&q->mu);
    goc_send(q->done, &sum);
}

int main(void)
{
    queue q = {.done = goc_chan_make(int, 0)};
    q.cond = goc_cond_make(&q.mu);
    goc_go(consume, &q);
    for (int i = 1; i <= 5; i++) {
        goc_mutex_lock(&q.mu);
        q.items[q.tail++] = i;
        goc_mutex_unlock(&q.mu);
        goc_cond_signal(&q.cond);
    }
    goc_mutex_lock(&q.mu);
    q.closed = true;
    goc_mutex_unlock(&q.mu);
    goc_cond_broadcast(&q.cond);
    int sum;
    goc_recv(q.done, &sum);
    printf("sum %d\n", sum);
    goc_chan_free(q.done);
    return 0;
}
