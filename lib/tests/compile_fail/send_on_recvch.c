/* Must not compile: Go rejects sending on a receive-only channel. */
#include <goc.h>
void f(goc_recvch in) { goc_send(in, &(int){1}); }
