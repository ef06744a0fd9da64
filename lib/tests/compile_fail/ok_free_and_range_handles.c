/* Must compile: the owner frees through whichever handle it holds, and
 * ranges over a receive-only handle. */
#include <goc.h>
void drop_recv(goc_recvch in) { goc_chan_free(in); }
void drop_send(goc_sendch out) { goc_chan_free(out); }
void drop_nil(void) { goc_chan_free(NULL); }
int sum(goc_recvch in) { int n = 0; goc_range(int, v, in) n += v; return n; }
