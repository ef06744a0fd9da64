/* Must not compile: Go rejects ranging over a send-only channel. */
#include <goc.h>
int f(goc_sendch out) { int n = 0; goc_range(int, v, out) n += v; return n; }
