/* Must not compile: Go rejects receiving from a send-only channel. */
#include <goc.h>
void f(goc_sendch out) { int v; goc_recv(out, &v); }
