/* libgoc — an execution trace: what every goroutine did, and when.
 *
 *   Go:    trace.Start(f) ... trace.Stop(), then go tool trace trace.out
 *   C:     GOC_TRACE=trace.json ./prog      (or goc_trace_start/stop)
 *
 * With GOC_TRACE=FILE in the environment, a program traces from its start
 * and writes FILE when it ends: normal exit, a panic, a fatal error, the
 * deadlock report.  FILE is JSON in the Chrome Trace Event Format: open it
 * at ui.perfetto.dev ("Open trace file") or chrome://tracing.  Each
 * goroutine is a track; it is running, runnable or blocked (on what, at
 * which of your lines, woken by whom), with arrows from a send to the
 * receiver it woke.  Tracing off costs one predictable branch per event. */
#ifndef GOC_TRACE_H
#define GOC_TRACE_H

#include "base.h"

/* Starts recording into `path` (created now, written at goc_trace_stop or
 * when the program ends).  False, with the reason on stderr, when the file
 * cannot be created or a trace is already being recorded. */
bool goc_trace_start(const char *path);

/* Stops recording and writes the trace file.  Does nothing if no trace is
 * being recorded. */
void goc_trace_stop(void);

#endif
