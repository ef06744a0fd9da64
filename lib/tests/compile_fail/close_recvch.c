/* Must not compile: Go rejects closing a receive-only channel. */
#include <goc.h>
void f(goc_recvch in) { goc_close(in); }
