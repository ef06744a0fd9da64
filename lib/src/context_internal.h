/* What other libgoc modules may do to a context beyond the public API. */
#ifndef GOC_CONTEXT_INTERNAL_H
#define GOC_CONTEXT_INTERNAL_H

#include "goc/context.h"

/* Cancels a with_cancel context with goc_canceled from any thread (a
 * goroutine or not); never panics. */
void ctx_cancel_internal(goc_ctx *c);

/* Called first thing in goc_ctx_release of c, before c is cancelled and
 * freed: the place to stop anything that could still cancel it. */
typedef void (*ctx_release_hook)(goc_ctx *c);
void ctx_set_release_hook(goc_ctx *c, ctx_release_hook hook);

#endif
