/* Must compile: the allowed uses of directional handles. */
#include <goc.h>
void produce(goc_sendch out) { goc_send(out, &(int){1}); goc_close(out); }
int consume(goc_recvch in) { int v = 0; goc_recv(in, &v); return v + (int)goc_len(in); }
