/* tui — the split-pane view: lesson on the left (or top), output of the
 * last run/check on the right (or bottom), bars above and below.  The
 * runner only calls cl_tui_main(); everything else of the view is private
 * to its files (tui_view.h). */
#ifndef CL_TUI_H
#define CL_TUI_H

struct cl_ctx;

/* Runs the view on the terminal until the learner quits; returns an exit
 * code (0, or 1 when there is nothing to show). */
int cl_tui_main(struct cl_ctx *ctx);

#endif
