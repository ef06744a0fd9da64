/* Port of close_range.go. */
#include <goc.h>
#include <stdio.h>

typedef struct job {
    goc_sendch out;
    int n;
} job;

static void squares(void *arg)
{
    job *j = arg;
    for (int i = 1; i <= j->n; i++)
        goc_send(j->out, &(int){i * i});
    goc_close(j->out);
}

int main(void)
{
    goc_chan *ch = goc_chan_make(int, 2);
    job j = {goc_send_only(ch), 5};
    goc_go(squares, &j);
    int total = 0;
    goc_range(int, v, ch) {
        printf("square %d\n", v);
        total += v;
    }
    printf("total %d\n", total);
    int v;
    bool ok = goc_recv(ch, &v);
    printf("closed: %d %s\n", v, ok ? "true" : "false");
    goc_chan_free(ch);
    return 0;
}
