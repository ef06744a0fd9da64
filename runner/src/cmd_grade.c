/* chanlings — grade, for instructors: every submission in a directory,
 * graded in parallel, written as TAP, JUnit XML, JSON and Gradescope
 * results.json.
 *
 * A submission is a directory of files named like the exercises
 * (`03-unbuffered-channels.c`, or by name `unbuffered-channels.c`, or by
 * number `3.c`); DIR is either one submission or a directory of them, one
 * per student. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "cmd.h"

typedef struct {
    char *student;
    char *path;
    int ex;                 /* -1: not an exercise (a refused directory) */
    char *refusal;          /* set: not graded, and this says why */
    cl_report *report;
} sub;

/* A submission file bigger than this is not an exercise. */
#define MAX_SUBMISSION_BYTES (1 << 20)

typedef struct {
    cl_ctx *ctx;
    sub *subs;
    size_t n, cap;
    char what[64][160];
} batch;

static int add_refused(batch *b, const char *student, const char *path, int ex,
                       const char *why);

static int add(batch *b, const char *student, const char *path, int ex)
{
    return add_refused(b, student, path, ex, NULL);
}

static int add_refused(batch *b, const char *student, const char *path, int ex, const char *why)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        sub *ns = realloc(b->subs, cap * sizeof *ns);
        if (!ns)
            return -1;
        b->subs = ns;
        b->cap = cap;
    }
    sub *s = &b->subs[b->n];
    s->student = strdup(student);
    s->path = strdup(path);
    s->ex = ex;
    s->report = NULL;
    s->refusal = why ? strdup(why) : NULL;
    if (!s->student || !s->path || (why && !s->refusal))
        return -1;
    b->n++;
    return 0;
}

/* Why a submission file is not graded, or NULL: only plain files of a
 * sensible size are.  A symbolic link could name another student's file
 * or one only the instructor may read; a FIFO would hold the compiler. */
static const char *not_a_plain_file(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return "it cannot be read";
    if (S_ISLNK(st.st_mode))
        return "it is a symbolic link; submissions are graded as plain files only";
    if (!S_ISREG(st.st_mode))
        return "it is not a plain file (a directory, FIFO or device)";
    if (st.st_size > MAX_SUBMISSION_BYTES)
        return "it is larger than 1 MiB, which no exercise is";
    return NULL;
}

/* Adds every exercise file in dir as `student`'s; returns how many. */
static int scan_submission(batch *b, const char *dir, const char *student)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 3 || strcmp(de->d_name + n - 2, ".c") != 0 || de->d_name[0] == '.')
            continue;
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(n - 2), de->d_name);
        int ex = cl_catalog_find(b->ctx->catalog, stem);
        if (ex < 0) {
            fprintf(stderr, "chanlings grade: %s/%s names no exercise; skipped (name files like "
                    "the exercises: NN-slug.c)\n", dir, de->d_name);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        const char *why = not_a_plain_file(dirfd(d), de->d_name);
        if ((why ? add_refused(b, student, path, ex, why) : add(b, student, path, ex)) == 0)
            found++;
    }
    closedir(d);
    return found;
}

static int by_student(const void *x, const void *y)
{
    const sub *a = x, *b = y;
    int c = strcmp(a->student, b->student);
    return c ? c : a->ex - b->ex;
}

/* The report of a submission that was not graded: a verdict of its own,
 * so one student's bad file never stops the batch. */
static cl_report *refused_report(const sub *s, const char *slug)
{
    cl_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t n = strlen(s->path) + strlen(s->refusal) + 32;
    r->diagnostics = malloc(n);
    if (r->diagnostics)
        snprintf(r->diagnostics, n, "%s: refused: %s", s->path, s->refusal);
    r->slug = strdup(slug);
    r->source = strdup(s->path);
    r->status = CL_STATUS_COMPILE_ERROR;
    r->exit_code = -1;
    return r;
}

/* A student's name for the terminal: a directory name may hold newlines
 * and escapes, which would forge lines or move the cursor.  The reports
 * escape the original, each in its own format. */
static const char *one_line(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name);
    for (unsigned char *p = (unsigned char *)buf; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            *p = '?';
    return buf;
}

static const char *sub_slug(const batch *b, const sub *s)
{
    return s->ex >= 0 ? b->ctx->catalog->items[s->ex].slug : "(submission)";
}

static void grade_one(size_t k, void *arg)
{
    batch *b = arg;
    sub *s = &b->subs[k];
    if (s->refusal) {
        s->report = refused_report(s, sub_slug(b, s));
        return;
    }
    cl_grade_opts o;
    cl_cmd_grade_opts(b->ctx, s->ex, s->path, &o);
    s->report = cl_grade(&o);
}

static const char *grade_name(size_t k, void *arg)
{
    batch *b = arg;
    char *w = b->what[k % 64];
    snprintf(w, 160, "%s %s", b->subs[k].student, sub_slug(b, &b->subs[k]));
    return w;
}

typedef int (*writer_fn)(FILE *, const cl_graded *, size_t);
static const struct {
    const char *format;
    const char *file;
    writer_fn write;
} formats[] = {
    {"tap", "grade.tap", cl_report_tap},
    {"junit", "grade.junit.xml", cl_report_junit},
    {"json", "grade.json", cl_report_json},
    {"gradescope", "results.json", cl_report_gradescope},
};
#define NFORMATS (sizeof formats / sizeof *formats)

/* Parses "tap,json" into want[]; -1 on an unknown name. */
static int parse_formats(const char *list, bool want[NFORMATS])
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        size_t k;
        for (k = 0; k < NFORMATS; k++)
            if (strcmp(f, formats[k].format) == 0 || strcmp(f, "all") == 0)
                want[k] = true;
        if (strcmp(f, "all") != 0) {
            for (k = 0; k < NFORMATS && strcmp(f, formats[k].format) != 0; k++)
                ;
            if (k == NFORMATS) {
                fprintf(stderr, "chanlings grade: unknown format \"%s\"; use tap, junit, json, "
                        "gradescope or all\n", f);
                return -1;
            }
        }
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static const cl_opt_spec grade_spec[] = {
    {"--format", "-f", true},
    {"--out", "-o", true},
    {"-j", "--jobs", true},
};

int cl_cmd_grade(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    if (cl_args_parse("grade", argc, argv, grade_spec, 3, 1, &a))
        return CL_EXIT_USAGE;
    if (a.npos != 1) {
        fprintf(stderr, "chanlings grade: which directory? e.g. `chanlings grade submissions/ "
                "--out results/`\n");
        return CL_EXIT_USAGE;
    }
    bool want[NFORMATS] = {0};
    if (parse_formats(a.value[0] ? a.value[0] : "all", want))
        return CL_EXIT_USAGE;
    const char *out = a.value[1] ? a.value[1] : "grade-results";
    int jobs = a.value[2] ? atoi(a.value[2]) : cl_cmd_default_jobs();
    if (jobs < 1) {
        fprintf(stderr, "chanlings grade: -j wants a positive number, e.g. -j 2\n");
        return CL_EXIT_USAGE;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", a.pos[0]);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "chanlings grade: %s: %s; give a directory of submissions\n", dir,
                strerror(errno));
        return CL_EXIT_USAGE;
    }
    batch b = {.ctx = ctx};
    int rc = CL_EXIT_OK;
    if (scan_submission(&b, dir, base_name(dir)) == 0) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char sd[4096 + 256];
            snprintf(sd, sizeof sd, "%s/%s", dir, de->d_name);
            struct stat st;
            if (lstat(sd, &st) != 0)
                continue;
            if (S_ISLNK(st.st_mode)) {
                /* Never followed: it could lead anywhere the instructor can read. */
                add_refused(&b, de->d_name, sd, -1,
                            "this student's directory is a symbolic link; submissions are "
                            "graded from plain directories only");
            } else if (S_ISDIR(st.st_mode) && scan_submission(&b, sd, de->d_name) == 0) {
                fprintf(stderr, "chanlings grade: %s holds no exercise files (NN-slug.c); "
                        "skipped\n", sd);
            }
        }
    }
    closedir(d);
    if (b.n == 0) {
        fprintf(stderr, "chanlings grade: nothing to grade in %s: put each student's files "
                "(NN-slug.c) in a directory of their own under it\n", dir);
        free(b.subs);
        return CL_EXIT_USAGE;
    }
    qsort(b.subs, b.n, sizeof *b.subs, by_student);
    cl_cmd_parallel(b.n, jobs, grade_one, &b, "grade", grade_name);

    cl_graded *items = calloc(b.n, sizeof *items);
    size_t passed = 0, internal = 0;
    for (size_t k = 0; k < b.n && items; k++) {
        sub *s = &b.subs[k];
        items[k] = (cl_graded){s->student, sub_slug(&b, s), s->report};
        if (!s->report) {
            internal++;
            continue;
        }
        passed += s->report->status == CL_STATUS_PASSED;
        internal += s->report->status == CL_STATUS_INTERNAL;
        char shown[256];
        printf("%-20s %-28s %s (%zu/%zu tests)\n", one_line(s->student, shown, sizeof shown),
               items[k].exercise,
               cl_status_name(s->report->status), cl_report_passed(s->report), s->report->ntests);
        if (s->report->status == CL_STATUS_INTERNAL)
            fprintf(stderr, "  %s\n", s->report->error);
    }
    if (internal) {
        fprintf(stderr, "chanlings grade: %zu submission%s could not be graded (above); their "
                "results say so\n", internal, internal == 1 ? "" : "s");
        rc = CL_EXIT_INTERNAL;
    }
    if (cl_mkdirs(out) != 0) {
        fprintf(stderr, "chanlings grade: cannot create %s: %s\n", out, strerror(errno));
        rc = CL_EXIT_INTERNAL;
        goto done;
    }
    for (size_t k = 0; k < NFORMATS; k++) {
        if (!want[k])
            continue;
        char path[4096 + 64];
        snprintf(path, sizeof path, "%s/%s", out, formats[k].file);
        FILE *f = fopen(path, "w");
        int w = f ? formats[k].write(f, items, b.n) : -1;
        if (f && fclose(f) != 0)
            w = -1;
        if (w != 0) {
            fprintf(stderr, "chanlings grade: could not write %s: %s\n", path, strerror(errno));
            rc = CL_EXIT_INTERNAL;
        } else {
            printf("wrote %s\n", path);
        }
    }
    printf("grade: %zu of %zu submissions passed\n", passed, b.n);
    if (rc == CL_EXIT_OK && passed < b.n)
        rc = CL_EXIT_FAIL;
done:
    for (size_t k = 0; k < b.n; k++) {
        cl_report_free(b.subs[k].report);
        free(b.subs[k].student);
        free(b.subs[k].path);
        free(b.subs[k].refusal);
    }
    free(b.subs);
    free(items);
    return rc;
}
