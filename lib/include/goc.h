/* libgoc — Go's concurrency model for C.
 *
 * One include for everything: goroutines, channels, select, time, the sync
 * package, context, errgroup and error values, and the runtime's
 * diagnostics.  docs/go-to-c.md shows every Go construct beside its form
 * here. */
#ifndef GOC_H
#define GOC_H

#include <stdatomic.h>

#include "goc/base.h"
#include "goc/goroutine.h"
#include "goc/chan.h"
#include "goc/select.h"
#include "goc/time.h"
#include "goc/sync.h"
#include "goc/runtime.h"
#include "goc/error.h"
#include "goc/context.h"
#include "goc/errgroup.h"
#include "goc/trace.h"

#define GOC_VERSION "0.1.0"

#endif
