/* chanlings — verify, for instructors: the workbook is sound when every
 * slug has its four files, every lesson and quiz parses, every solution
 * passes its grader and every untouched exercise compiles and fails it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "quiz.h"

/* One grading job: exercise i's solution (must pass) or stub (must fail). */
typedef struct {
    int ex;
    bool solution;
    char *source; /* the file to grade (--shipped: the stub as shipped) */
    cl_report *report;
} job;

typedef struct {
    cl_ctx *ctx;
    job *jobs;
    char what[64][128]; /* progress-line names, per job slot modulo 64 */
} verify_run;

static void run_job(size_t k, void *arg)
{
    verify_run *v = arg;
    job *j = &v->jobs[k];
    const cl_exercise *e = &v->ctx->catalog->items[j->ex];
    char *src = j->source ? j->source
                          : cl_workbook_path(v->ctx->root, e->slug,
                                             j->solution ? CL_FILE_SOLUTION : CL_FILE_EXERCISE);
    j->source = NULL;
    cl_grade_opts o;
    cl_cmd_grade_opts(v->ctx, j->ex, src, &o);
    j->report = src ? cl_grade(&o) : NULL;
    free(src);
}

static const char *job_name(size_t k, void *arg)
{
    verify_run *v = arg;
    job *j = &v->jobs[k];
    char *w = v->what[k % 64];
    snprintf(w, 128, "%s %s", j->solution ? "solution" : "exercise",
             v->ctx->catalog->items[j->ex].slug);
    return w;
}

/* Prints one problem and counts it. */
static void problem(cl_ctx *ctx, int *count, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  %sFAIL%s ", cl_c(ctx, CL_C_RED), cl_c(ctx, CL_C_RESET));
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    (*count)++;
}

/* The first test that did not pass, for a one-line reason. */
static const cl_test_verdict *first_failure(const cl_report *r)
{
    for (size_t t = 0; t < r->ntests; t++)
        if (r->tests[t].kind != CL_VERDICT_PASSED)
            return &r->tests[t];
    return NULL;
}

static void judge_solution(cl_ctx *ctx, const char *slug, const cl_report *r, int *count)
{
    if (r->status == CL_STATUS_PASSED)
        return;
    if (r->status == CL_STATUS_INTERNAL) {
        problem(ctx, count, "solutions/%s.c: could not be graded: %s", slug, r->error);
        return;
    }
    const cl_test_verdict *t = first_failure(r);
    problem(ctx, count, "solutions/%s.c: %s%s%s%s%s; the reference solution must pass "
            "graders/%s.c", slug, cl_status_name(r->status), t ? " in " : "", t ? t->name : "",
            t && t->message ? ": " : "", t && t->message ? t->message : "", slug);
    if (!r->compiled && r->diagnostics)
        printf("%s\n", r->diagnostics);
}

static void judge_stub(cl_ctx *ctx, const char *slug, const cl_report *r, int *count)
{
    if (r->status == CL_STATUS_INTERNAL)
        problem(ctx, count, "exercises/%s.c: could not be graded: %s", slug, r->error);
    else if (!r->compiled)
        problem(ctx, count, "exercises/%s.c: does not compile (%s); the untouched exercise must "
                "compile and fail its grader", slug,
                r->missing_function ? r->missing_function : "see the diagnostics below");
    else if (r->status == CL_STATUS_PASSED)
        problem(ctx, count, "exercises/%s.c: passes graders/%s.c untouched; leave TODOs the "
                "grader catches", slug, slug);
}

static void check_lesson(cl_ctx *ctx, int i, int *count)
{
    const cl_exercise *e = &ctx->catalog->items[i];
    cl_lesson l;
    char err[1024];
    if (cl_cmd_lesson_of(ctx, i, &l, err, sizeof err) != 0) {
        problem(ctx, count, "%s", err);
        return;
    }
    if (l.nhints == 0)
        problem(ctx, count, "lessons/%s.md: no ## Hints section; add numbered hints", e->slug);
    if (!l.quiz) {
        problem(ctx, count, "lessons/%s.md: no ## Quiz section; add at least one question",
                e->slug);
    } else {
        cl_quiz q;
        char path[300];
        snprintf(path, sizeof path, "lessons/%s.md", e->slug);
        if (cl_quiz_parse(l.quiz, path, l.quiz_line, &q, err, sizeof err) != 0) {
            problem(ctx, count, "%s", err);
        } else {
            if (q.nquestions == 0)
                problem(ctx, count, "%s:%d: ## Quiz has no questions (### headings)", path,
                        l.quiz_line);
            cl_quiz_free(&q);
        }
    }
    cl_lesson_free(&l);
}

static const cl_opt_spec verify_spec[] = {{"-j", "--jobs", true}, {"--shipped", NULL, false}};

int cl_cmd_verify(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    if (cl_args_parse("verify", argc, argv, verify_spec, 2, 16, &a))
        return CL_EXIT_USAGE;
    int jobs = a.value[0] ? atoi(a.value[0]) : cl_cmd_default_jobs();
    if (jobs < 1) {
        fprintf(stderr, "chanlings verify: -j wants a positive number, e.g. -j 2\n");
        return CL_EXIT_USAGE;
    }
    const cl_catalog *c = ctx->catalog;
    bool want[1024] = {0};
    for (int p = 0; p < a.npos; p++) {
        int i = cl_cmd_pick(ctx, a.pos[p]);
        if (i < 0)
            return CL_EXIT_USAGE;
        if (i < 1024)
            want[i] = true;
    }
    verify_run *v = calloc(1, sizeof *v);
    v->ctx = ctx;
    v->jobs = calloc(2 * c->n + 1, sizeof *v->jobs);
    size_t nj = 0;
    for (size_t i = 0; i < c->n; i++) {
        const cl_exercise *e = &c->items[i];
        if ((a.npos && !want[i]) || !e->has[CL_FILE_GRADER])
            continue;
        if (e->has[CL_FILE_SOLUTION])
            v->jobs[nj++] = (job){(int)i, true, NULL, NULL};
        if (e->has[CL_FILE_EXERCISE]) /* --shipped: never the learner's edits */
            v->jobs[nj++] = (job){(int)i, false,
                                  a.value[1] ? cl_cmd_shipped_copy(ctx, e->slug) : NULL, NULL};
    }
    cl_cmd_parallel(nj, jobs, run_job, v, "verify", job_name);

    int total = 0, internal = 0;
    if (!a.npos && c->nproblems) {
        printf("workbook\n");
        for (size_t p = 0; p < c->nproblems; p++)
            problem(ctx, &total, "%s", c->problems[p]);
    }
    size_t k = 0, checked = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (a.npos && !want[i])
            continue;
        const cl_exercise *e = &c->items[i];
        int before = total;
        printf("%02d %s\n", e->number, e->slug);
        if (e->has[CL_FILE_LESSON])
            check_lesson(ctx, (int)i, &total);
        for (; k < nj && v->jobs[k].ex == (int)i; k++) {
            const cl_report *r = v->jobs[k].report;
            if (!r) {
                problem(ctx, &total, "out of memory grading %s", e->slug);
                continue;
            }
            internal += r->status == CL_STATUS_INTERNAL;
            (v->jobs[k].solution ? judge_solution : judge_stub)(ctx, e->slug, r, &total);
        }
        if (a.npos)
            for (int f = 0; f < CL_FILE_COUNT; f++)
                if (!e->has[f])
                    problem(ctx, &total, "%s/%s%s: missing", cl_file_dir((cl_file_kind)f), e->slug,
                            cl_file_ext((cl_file_kind)f));
        if (total == before)
            printf("  %sok%s   lesson, quiz, solution passes, exercise fails as shipped\n",
                   cl_c(ctx, CL_C_GREEN), cl_c(ctx, CL_C_RESET));
        checked++;
    }
    for (size_t j = 0; j < nj; j++)
        cl_report_free(v->jobs[j].report);
    free(v->jobs);
    free(v);
    if (checked == 0 && total == 0)
        printf("no exercises to verify in %s\n", ctx->root);
    printf("verify: %zu exercise%s, %d problem%s\n", checked, checked == 1 ? "" : "s", total,
           total == 1 ? "" : "s");
    if (internal)
        return CL_EXIT_INTERNAL;
    return total ? CL_EXIT_FAIL : CL_EXIT_OK;
}
