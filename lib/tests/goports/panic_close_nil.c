/* Port of panic_close_nil.go. */
#include <goc.h>
#include <stdio.h>

int main(void)
{
    goc_chan *ch = NULL;
    printf("closing a nil channel\n");
    goc_close(ch);
    return 0;
}
