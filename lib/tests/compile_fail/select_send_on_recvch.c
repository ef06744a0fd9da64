/* Must not compile: a select case cannot send on a receive-only channel. */
#include <goc.h>
int f(goc_recvch in) { int v = 1; return goc_select(goc_case_send(in, &v)); }
