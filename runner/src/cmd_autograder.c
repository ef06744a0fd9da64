/* chanlings — autograder: a Gradescope autograder bundle, and the grading
 * its run_autograder does for each submission.
 *
 *   chanlings autograder [N...] --out DIR
 *       writes DIR/autograder.zip: the workbook's sources, setup.sh (the
 *       Debian packages, then the build) and run_autograder (dist/gradescope/)
 *   chanlings autograder [N...] --grade SUBMISSION --results DIR [-j N]
 *                        [--format gradescope|prairielearn]
 *       what run_autograder runs: grades the student's files for exercises
 *       N... with the hidden graders and writes DIR/results.json in
 *       Gradescope's format, or PrairieLearn's (dist/prairielearn/grade,
 *       the entry point of the Dockerfile's image).
 *
 * The grading is `grade`'s: the same options from each lesson
 * (cl_cmd_grade_opts), the same cl_grade and the same results.json writer,
 * so an instructor's `chanlings grade` of the same files gives the same
 * score.  An exercise of the assignment the student did not hand in (or
 * handed in as something other than a plain file) still gets a failing
 * entry, so the total is the same for every student. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "cmd_bundle.h"
#include "report_buf.h"

/* A submitted file bigger than this is not an exercise (as in grade). */
#define MAX_SUBMISSION_BYTES (1 << 20)

typedef struct {
    cl_ctx *ctx;
    int *ex;              /* the assignment's exercises, in order */
    char **path;          /* the student's file for ex[k], or NULL */
    char **refusal;       /* set: not graded, and this says why */
    cl_report **report;
    size_t n;
} assignment;

/* Why a file is not graded, or NULL (symbolic links could lead anywhere
 * the grading machine can read; a FIFO would hold the compiler). */
static const char *refuse(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return "it cannot be read";
    if (S_ISLNK(st.st_mode))
        return "it is a symbolic link; hand in the file itself";
    if (!S_ISREG(st.st_mode))
        return "it is not a plain file";
    if (st.st_size > MAX_SUBMISSION_BYTES)
        return "it is larger than 1 MiB, which no exercise is";
    return NULL;
}

/* Finds the student's file for each exercise in dir: the top level first,
 * then exercises/ (a whole workbook handed in, e.g. from GitHub). */
static void find_files(assignment *as, const char *dir)
{
    static const char *const where[] = {"", "/exercises"};
    for (size_t w = 0; w < sizeof where / sizeof *where; w++) {
        char d[4096];
        snprintf(d, sizeof d, "%s%s", dir, where[w]);
        DIR *dp = opendir(d);
        if (!dp)
            continue;
        struct dirent *de;
        while ((de = readdir(dp))) {
            size_t len = strlen(de->d_name);
            if (de->d_name[0] == '.' || len < 3 || strcmp(de->d_name + len - 2, ".c") != 0)
                continue;
            char stem[256];
            snprintf(stem, sizeof stem, "%.*s", (int)(len - 2), de->d_name);
            int ex = cl_catalog_find(as->ctx->catalog, stem);
            for (size_t k = 0; k < as->n; k++) {
                if (as->ex[k] != ex || as->path[k])
                    continue;
                cl_buf p = {0};
                cl_buf_printf(&p, "%s/%s", d, de->d_name);
                as->path[k] = cl_buf_take(&p);
                const char *why = refuse(as->path[k]);
                as->refusal[k] = why ? strdup(why) : NULL;
            }
        }
        closedir(dp);
    }
}

/* The report of an exercise that was not graded: it fails like a file
 * that does not compile, with what to hand in. */
static cl_report *not_graded(const assignment *as, size_t k)
{
    const cl_exercise *e = &as->ctx->catalog->items[as->ex[k]];
    cl_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    cl_buf b = {0};
    if (as->path[k])
        cl_buf_printf(&b, "%s was not graded: %s", strrchr(as->path[k], '/') + 1,
                      as->refusal[k]);
    else
        cl_buf_printf(&b, "no file for exercise %d was handed in: upload exercises/%s.c (named "
                      "%s.c, %s.c or %d.c)", e->number, e->slug, e->slug, e->name, e->number);
    r->diagnostics = cl_buf_take(&b);
    r->slug = strdup(e->slug);
    r->status = CL_STATUS_COMPILE_ERROR;
    r->exit_code = -1;
    return r;
}

static void grade_one(size_t k, void *arg)
{
    assignment *as = arg;
    if (!as->path[k] || as->refusal[k]) {
        as->report[k] = not_graded(as, k);
        return;
    }
    cl_grade_opts o;
    cl_cmd_grade_opts(as->ctx, as->ex[k], as->path[k], &o);
    as->report[k] = cl_grade(&o);
}

static const char *grade_name(size_t k, void *arg)
{
    assignment *as = arg;
    return as->ctx->catalog->items[as->ex[k]].slug;
}

typedef int (*results_writer)(FILE *, const cl_graded *, size_t);

/* results.json, written whole or not at all (the engine reads it once the
 * script ends). */
static int write_results(const char *dir, results_writer write, const cl_graded *items, size_t n)
{
    char path[4096], tmp[4096 + 8];
    snprintf(path, sizeof path, "%s/results.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = f ? write(f, items, n) : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "chanlings autograder: could not write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    return rc;
}

static int grade_submission(cl_ctx *ctx, const bool *sel, const char *sub, const char *results,
                            results_writer write, int jobs)
{
    size_t n = 0;
    for (size_t i = 0; i < ctx->catalog->n; i++)
        n += sel[i];
    assignment as = {.ctx = ctx, .n = n, .ex = calloc(n, sizeof *as.ex),
                     .path = calloc(n, sizeof *as.path), .refusal = calloc(n, sizeof *as.refusal),
                     .report = calloc(n, sizeof *as.report)};
    cl_graded *items = calloc(n, sizeof *items);
    int rc = CL_EXIT_INTERNAL;
    if (!as.ex || !as.path || !as.refusal || !as.report || !items)
        goto done;
    for (size_t i = 0, k = 0; i < ctx->catalog->n; i++)
        if (sel[i])
            as.ex[k++] = (int)i;
    struct stat st;
    if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
        fprintf(stderr, "chanlings autograder: %s is not a directory; every exercise counts as "
                "not handed in\n", sub);
    find_files(&as, sub);
    cl_cmd_parallel(n, jobs, grade_one, &as, "autograder", grade_name);

    size_t passed = 0;
    for (size_t k = 0; k < n; k++) {
        if (!as.report[k])
            goto done;
        items[k] = (cl_graded){"submission", ctx->catalog->items[as.ex[k]].slug, as.report[k]};
        passed += as.report[k]->status == CL_STATUS_PASSED;
        if (as.path[k] && !as.refusal[k])
            printf("%-28s %s (%zu/%zu tests)\n", items[k].exercise,
                   cl_status_name(as.report[k]->status), cl_report_passed(as.report[k]),
                   as.report[k]->ntests);
        else
            printf("%-28s %s\n", items[k].exercise, as.path[k] ? "refused" : "not handed in");
        if (as.report[k]->status == CL_STATUS_INTERNAL)
            fprintf(stderr, "  %s\n", as.report[k]->error);
    }
    if (cl_mkdirs(results) != 0) {
        fprintf(stderr, "chanlings autograder: cannot create %s: %s\n", results, strerror(errno));
        goto done;
    }
    if (write_results(results, write, items, n) != 0)
        goto done;
    printf("autograder: %zu of %zu exercises passed; wrote %s/results.json\n", passed, n, results);
    rc = passed == n ? CL_EXIT_OK : CL_EXIT_FAIL;
done:
    if (rc == CL_EXIT_INTERNAL && !items)
        fprintf(stderr, "chanlings autograder: out of memory\n");
    for (size_t k = 0; k < n && as.path && as.refusal && as.report; k++) {
        free(as.path[k]);
        free(as.refusal[k]);
        cl_report_free(as.report[k]);
    }
    free(as.ex);
    free(as.path);
    free(as.refusal);
    free(as.report);
    free(items);
    return rc;
}

/* DIR/autograder.zip: the sources and the two scripts at the top, as
 * Gradescope unpacks it into /autograder/source. */
static int write_bundle(cl_ctx *ctx, const bool *sel, const char *out)
{
    if (!cl_bundle_has_sources(ctx, "autograder"))
        return CL_EXIT_WORKBOOK;
    if (cl_mkdirs(out) != 0) {
        fprintf(stderr, "chanlings autograder: cannot create %s: %s\n", out, strerror(errno));
        return CL_EXIT_INTERNAL;
    }
    char stage[4096], zip[4096 + 32];
    snprintf(stage, sizeof stage, "%s/.autograder-XXXXXX", out);
    if (!mkdtemp(stage)) {
        fprintf(stderr, "chanlings autograder: cannot create a directory in %s: %s\n", out,
                strerror(errno));
        return CL_EXIT_INTERNAL;
    }
    char *numbers = cl_bundle_numbers(ctx, sel);
    const char *vars[] = {"EXERCISES", numbers ? numbers : "", NULL};
    char setup[4096 + 32], run[4096 + 32];
    snprintf(setup, sizeof setup, "%s/setup.sh", stage);
    snprintf(run, sizeof run, "%s/run_autograder", stage);
    snprintf(zip, sizeof zip, "%s/autograder.zip", out);
    int rc = CL_EXIT_INTERNAL;
    if (!numbers || cl_bundle_copy_sources(ctx, "autograder", stage) != 0 ||
        cl_bundle_template(ctx, "autograder", "gradescope/setup.sh", setup, vars, true) != 0 ||
        cl_bundle_template(ctx, "autograder", "gradescope/run_autograder", run, vars, true) != 0)
        goto done;
    /* zip adds to an archive that exists: start from nothing. */
    if (unlink(zip) != 0 && errno != ENOENT) {
        fprintf(stderr, "chanlings autograder: cannot replace %s: %s\n", zip, strerror(errno));
        goto done;
    }
    char abs_zip[2 * 4096 + 64];
    snprintf(abs_zip, sizeof abs_zip, "%s", zip);
    if (zip[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            goto done;
        snprintf(abs_zip, sizeof abs_zip, "%s/%s", cwd, zip);
    }
    char *zargv[] = {"zip", "-q", "-r", "-X", abs_zip, ".", NULL};
    if (cl_bundle_spawn(zargv, stage) != 0) {
        fprintf(stderr, "chanlings autograder: zip failed (is it installed? apt-get install zip); "
                "nothing was written to %s\n", zip);
        goto done;
    }
    printf("wrote %s: exercises %s; upload it as the assignment's autograder (Ubuntu base "
           "image); students hand in their exercises/NN-slug.c files\n", zip, numbers);
    rc = CL_EXIT_OK;
done:;
    char *rm[] = {"rm", "-rf", stage, NULL};
    cl_bundle_spawn(rm, NULL);
    free(numbers);
    return rc;
}

static const cl_opt_spec spec[] = {
    {"--out", "-o", true},
    {"--grade", NULL, true},
    {"--results", NULL, true},
    {"-j", "--jobs", true},
    {"--format", "-f", true},
};

/* --format: whose results.json --grade writes. */
static const struct {
    const char *name;
    results_writer write;
} engines[] = {
    {"gradescope", cl_report_gradescope},
    {"prairielearn", cl_report_prairielearn},
};

int cl_cmd_autograder(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    if (cl_args_parse("autograder", argc, argv, spec, sizeof spec / sizeof *spec, 16, &a))
        return CL_EXIT_USAGE;
    const char *out = a.value[0], *sub = a.value[1], *results = a.value[2];
    if (!out == !sub || !sub != !results) {
        fprintf(stderr, "chanlings autograder: either `--out DIR` (write autograder.zip) or "
                "`--grade SUBMISSION --results DIR` (what run_autograder does)\n");
        return CL_EXIT_USAGE;
    }
    int jobs = a.value[3] ? atoi(a.value[3]) : cl_cmd_default_jobs();
    if (jobs < 1) {
        fprintf(stderr, "chanlings autograder: -j wants a positive number, e.g. -j 2\n");
        return CL_EXIT_USAGE;
    }
    const char *format = a.value[4] ? a.value[4] : "gradescope";
    size_t e = 0;
    while (e < sizeof engines / sizeof *engines && strcmp(engines[e].name, format) != 0)
        e++;
    if (e == sizeof engines / sizeof *engines || (a.value[4] && !sub)) {
        fprintf(stderr, "chanlings autograder: --format goes with --grade and is gradescope "
                "(the default) or prairielearn\n");
        return CL_EXIT_USAGE;
    }
    bool *sel = calloc(ctx->catalog->n + 1, sizeof *sel);
    if (!sel)
        return CL_EXIT_INTERNAL;
    int n = cl_bundle_pick(ctx, "autograder", &a, sel);
    int rc = n < 0 ? -n : out ? write_bundle(ctx, sel, out)
                              : grade_submission(ctx, sel, sub, results, engines[e].write, jobs);
    free(sel);
    return rc;
}
