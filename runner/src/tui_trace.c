/* The trace pane: `chanlings trace N` runs as any job (tui_job.c); when it
 * has left a trace, the output pane shows its timeline, drawn by the same
 * layout as the CLI's (trace_layout.h) at the pane's width, above what the
 * job printed.  Rows scroll like any pane; + and - zoom in time, h and l
 * move earlier and later; Esc gives back the output the trace replaced. */
#include "tui_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_layout.h"

#define MAX_ZOOM 4096

struct cl_tui_trace {
    cl_trace *trace;   /* NULL until the job has left one */
    double zoom;       /* 1: the whole run across the pane */
    double center;     /* 0..1 of the run: what a zoom keeps in view */
    int exercise;      /* whose trace */
    /* the output the trace replaced, back on Esc */
    cl_tui_out_kind kind;
    char *text;
    char title[160];
    int top;
};

void cl_tui_trace_drop(cl_tui *t)
{
    if (!t->trace)
        return;
    cl_trace_free(t->trace->trace);
    free(t->trace->text);
    free(t->trace);
    t->trace = NULL;
    if (t->mode == CL_TUI_MODE_TRACE)
        t->mode = CL_TUI_MODE_MAIN;
    if (t->out_kind == CL_TUI_OUT_TRACE)
        t->out_kind = CL_TUI_OUT_TEXT; /* what the job printed stays */
}

void cl_tui_trace_start(cl_tui *t, int key)
{
    (void)key;
    cl_tui_trace_drop(t);
    struct cl_tui_trace *tr = calloc(1, sizeof *tr);
    if (!tr) {
        snprintf(t->message, sizeof t->message, "trace: out of memory");
        return;
    }
    tr->kind = t->out_kind;
    tr->text = strdup(t->out.s ? t->out.s : "");
    snprintf(tr->title, sizeof tr->title, "%s", t->out_title);
    tr->top = t->right.top;
    tr->zoom = 1;
    tr->center = 0.5;
    cl_tui_start_job(t, "trace", NULL);
    if (!t->job.pid) { /* did not start: the message says why */
        free(tr->text);
        free(tr);
        return;
    }
    t->trace = tr;
}

void cl_tui_trace_job_done(cl_tui *t)
{
    struct cl_tui_trace *tr = t->trace;
    if (!tr || t->job.exit_code < 0) { /* stopped with x: nothing to draw */
        cl_tui_trace_drop(t);
        return;
    }
    char *path = cl_trace_path(t->model.root, t->model.ex[t->job.exercise].slug);
    char err[1024] = "out of memory";
    tr->trace = path ? cl_trace_load(path, err, sizeof err) : NULL;
    free(path);
    if (!tr->trace) {
        /* the job's own words (build error, no recorder...) say why */
        cl_tui_trace_drop(t);
        snprintf(t->message, sizeof t->message, "no timeline to show: the output says why");
        return;
    }
    tr->exercise = t->job.exercise;
    t->out_kind = CL_TUI_OUT_TRACE;
    t->mode = CL_TUI_MODE_TRACE;
    t->right.top = 0;
    t->dirty_layout = 1;
}

int cl_tui_trace_fill(cl_tui *t, int width, cl_md_doc *doc)
{
    struct cl_tui_trace *tr = t->trace;
    if (!tr || !tr->trace)
        return cl_md_text_layout(t->out.s ? t->out.s : "", t->out.len, width, doc);
    /* Colour always: the pane reads it as roles, and the terminal's own
     * setting (NO_COLOR, monochrome) decides how roles look. */
    cl_trace_view v = {.width = width, .zoom = tr->zoom, .center = tr->center, .color = 1,
                       .utf8 = t->utf8};
    char *picture = cl_trace_layout(tr->trace, &v);
    if (!picture)
        return -1;
    double whole = tr->trace->duration - v.whole_from_us;
    if (whole > 0) /* the window was kept inside the run: go on from where it is */
        tr->center = (v.from_us - v.whole_from_us + v.span_us / 2) / whole;
    snprintf(t->out_title, sizeof t->out_title, "trace %s: zoom x%g (+/- zoom, h/l move, Esc back)",
             t->model.ex[tr->exercise].slug, tr->zoom);
    cl_buf all = {0};
    cl_buf_puts(&all, picture);
    cl_buf_puts(&all, "\n");
    if (t->out.s)
        cl_buf_add(&all, t->out.s, t->out.len);
    free(picture);
    int rc = all.oom ? -1 : cl_md_text_layout(all.s, all.len, width, doc);
    free(all.s);
    return rc;
}

void cl_tui_trace_key(cl_tui *t, int key)
{
    struct cl_tui_trace *tr = t->trace;
    if (!tr)
        return;
    if (key == '+' || key == '=')
        tr->zoom = tr->zoom * 2 > MAX_ZOOM ? MAX_ZOOM : tr->zoom * 2;
    else if (key == '-' || key == '_')
        tr->zoom = tr->zoom / 2 < 1 ? 1 : tr->zoom / 2;
    else if (key == 'h' || key == KEY_LEFT)
        tr->center -= 0.25 / tr->zoom;
    else if (key == 'l' || key == KEY_RIGHT)
        tr->center += 0.25 / tr->zoom;
    tr->center = tr->center < 0 ? 0 : tr->center > 1 ? 1 : tr->center;
    if (tr->zoom == 1 && key != '+' && key != '=' && key != '-' && key != '_')
        snprintf(t->message, sizeof t->message, "the whole run is in view: + zooms in");
    t->dirty_layout = 1;
}

void cl_tui_trace_close(cl_tui *t, int key)
{
    (void)key;
    struct cl_tui_trace *tr = t->trace;
    if (!tr)
        return;
    char *text = tr->text;
    cl_tui_out_kind kind = tr->kind;
    char title[160];
    int top = tr->top;
    snprintf(title, sizeof title, "%s", tr->title);
    tr->text = NULL;
    cl_tui_trace_drop(t);
    cl_tui_set_output(t, kind, title, text ? text : "");
    t->right.top = top;
    free(text);
}
