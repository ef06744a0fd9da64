/* Port of panic_send_closed.go. */
#include <goc.h>
#include <stdio.h>

int main(void)
{
    goc_chan *ch = goc_chan_make(int, 1);
    printf("sending once\n");
    goc_send(ch, &(int){1});
    goc_close(ch);
    int v;
    goc_recv(ch, &v);
    printf("received %d\n", v);
    goc_send(ch, &(int){2});
    printf("never printed\n");
    return 0;
}
