/* chanlings trace [N]: run the learner's main as `run` does (same build,
 * sandbox and limits) with libgoc recording an execution trace, then draw
 * the goroutines' timeline in the terminal and say where the file is, for
 * Perfetto.  The view runs this too (CHANLINGS_FRONT=view) and draws the
 * timeline itself, in its pane, from the same file and the same layout. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "trace_layout.h"

enum { OPT_FILE, OPT_WIDTH };
static const cl_opt_spec trace_opts[] = {
    [OPT_FILE] = {"--file", NULL, true},   /* hidden: draw this trace, run nothing (tests) */
    [OPT_WIDTH] = {"--width", NULL, true}, /* columns; default: the terminal's */
};

static void print_timeline(const cl_ctx *ctx, const cl_trace *t, int width)
{
    setlocale(LC_CTYPE, "");
    cl_trace_view v = {.width = width, .zoom = 1, .center = 0.5, .color = ctx->color,
                       .utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0};
    char *text = cl_trace_layout(t, &v);
    if (text)
        fputs(text, stdout);
    else
        fprintf(stderr, "chanlings trace: out of memory drawing the timeline\n");
    free(text);
}

/* Loads and draws `path`; 0, or CL_EXIT_FAIL after saying what is wrong. */
static int show(const cl_ctx *ctx, const char *path, int width, bool draw)
{
    char err[1024];
    cl_trace *t = cl_trace_load(path, err, sizeof err);
    if (!t) {
        fprintf(stderr, "chanlings trace: %s.\n", err);
        return CL_EXIT_FAIL;
    }
    if (draw)
        print_timeline(ctx, t, width);
    cl_trace_free(t);
    return CL_EXIT_OK;
}

static void print_where(const cl_ctx *ctx, const char *path)
{
    printf("\n%sThe trace is in %s%s\nFor a closer look, open it in Perfetto: "
           "https://ui.perfetto.dev, then \"Open trace file\" and choose that file "
           "(it stays on your machine).\n",
           cl_c(ctx, CL_C_BOLD), path, cl_c(ctx, CL_C_RESET));
}

/* Why a finished run left no trace to draw, by how it ended. */
static void no_trace(const cl_report *r)
{
    static const char *const why[CL_STATUS_COUNT] = {
        [CL_STATUS_TIMEOUT] = "the program was stopped before it ended, and libgoc writes the "
                              "trace as the program ends. Make it finish (a goroutine that never "
                              "returns? a loop that never ends?) and trace again.",
        [CL_STATUS_CRASHED] = "the program crashed before libgoc could write the trace. Fix the "
                              "crash first: the report above says where it happened.",
    };
    const char *w = why[r->status] ? why[r->status]
                    : "the program ran but wrote no trace. Either the libgoc it links has no "
                      "trace recorder yet (run `make` in the workbook and try again), or the "
                      "program left in a way that skips writing it (_exit, a signal).";
    fprintf(stderr, "chanlings trace: %s\n", w);
}

int cl_cmd_trace(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    size_t nopts = sizeof trace_opts / sizeof *trace_opts;
    if (cl_args_parse("trace", argc, argv, trace_opts, nopts, 1, &a))
        return CL_EXIT_USAGE;
    int width = cl_cmd_columns();
    if (a.value[OPT_WIDTH] && (width = atoi(a.value[OPT_WIDTH])) < 30) {
        fprintf(stderr, "chanlings trace: --width wants a number of columns, at least 30\n");
        return CL_EXIT_USAGE;
    }
    if (a.value[OPT_FILE])
        return show(ctx, a.value[OPT_FILE], width, true);
    bool draw = ctx->front != CL_FRONT_VIEW; /* the view draws it in its pane */

    int i;
    char *source;
    int rc = cl_cmd_target(ctx, "trace", argc, argv, trace_opts, nopts, &a, &i, &source);
    if (rc)
        return rc;
    const cl_exercise *e = &ctx->catalog->items[i];
    char *path = cl_trace_path(ctx->root, e->slug);
    char *dir = path ? strdup(path) : NULL;
    if (!path || !dir) {
        free(source), free(path), free(dir);
        return CL_EXIT_INTERNAL;
    }
    *strrchr(dir, '/') = '\0';
    if (cl_mkdirs(dir) != 0) {
        fprintf(stderr, "chanlings trace: cannot create %s: %s\n", dir, strerror(errno));
        free(source), free(path), free(dir);
        return CL_EXIT_INTERNAL;
    }
    unlink(path); /* a trace left from an earlier run is not this run's */
    cl_grade_opts o;
    cl_cmd_grade_opts(ctx, i, source, &o);
    o.trace_to = path;
    cl_report *r = cl_run(&o);
    free(source);
    free(dir);
    if (!r) {
        fprintf(stderr, "chanlings trace: out of memory\n");
        free(path);
        return CL_EXIT_INTERNAL;
    }
    cl_report_print(stdout, r, ctx->color);
    rc = cl_cmd_exit_of(r);
    if (r->compiled && r->status != CL_STATUS_INTERNAL) {
        if (!cl_file_exists(path)) {
            no_trace(r);
            rc = CL_EXIT_FAIL;
        } else {
            putchar('\n');
            fflush(stdout);
            int shown = show(ctx, path, width, draw);
            rc = shown ? shown : rc;
            print_where(ctx, path);
        }
    }
    cl_report_free(r);
    free(path);
    return rc;
}
