/* chanlings — the swimlane timeline of a trace, as text: one row per
 * goroutine, time across, a glyph (and colour) per state, wake-ups marked
 * on the waker's and the woken row, a legend, and where everyone stopped
 * when the program deadlocked or panicked.
 *
 * The one layout `chanlings trace` prints and the view's trace pane shows
 * (the view reads its SGR colours as roles, md_render.h), so they cannot
 * drift apart.  No curses, no I/O: unit-tested at any width. */
#ifndef CL_TRACE_LAYOUT_H
#define CL_TRACE_LAYOUT_H

#include "trace.h"

typedef struct {
    int width;     /* columns of every line (at least 30 are used) */
    double zoom;   /* 1: the whole run across the width; 4: a quarter of it */
    double center; /* which part when zoomed: 0 start .. 1 end of the run */
    int color;     /* SGR colour escapes */
    int utf8;      /* block glyphs and arrows; else ASCII only */
    /* out: where the cells are, for callers that point into a row */
    int name_cols; /* each row: the name padded to this, a space, the cells */
    int cells;     /* how many columns of time */
    double from_us, span_us; /* the window shown */
    double whole_from_us;    /* where zoom 1 starts: 0, or where a long
                                stretch of main alone ends */
} cl_trace_view;

/* The whole picture (malloc'd, lines ending in '\n'; NULL when out of
 * memory).  v's out fields are filled in. */
char *cl_trace_layout(const cl_trace *t, cl_trace_view *v);

/* The glyph of the running state and of a blocked reason ("chan send"),
 * ASCII; for tests and the lessons' words. */
char cl_trace_glyph(cl_trace_state state, const char *reason);

#endif
