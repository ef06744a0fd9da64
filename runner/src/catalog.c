/* chanlings — discovering the exercises from the four directories. */
#include "catalog.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

bool cl_catalog_valid_slug(const char *s)
{
    const char *p = s;
    while (isdigit((unsigned char)*p))
        p++;
    if (p == s || *p != '-' || !p[1])
        return false;
    for (p++; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
            return false;
    return true;
}

int cl_catalog_parse_name(const char *file, const char *ext, char *slug, size_t slugsz)
{
    size_t n = strlen(file), e = strlen(ext);
    if (n <= e || strcmp(file + n - e, ext) != 0 || n - e >= slugsz)
        return -1;
    memcpy(slug, file, n - e);
    slug[n - e] = '\0';
    if (!cl_catalog_valid_slug(slug))
        return -1;
    return atoi(slug);
}

static int problem(cl_catalog *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **np = realloc(c->problems, (c->nproblems + 1) * sizeof *np);
    if (!np)
        return -1;
    c->problems = np;
    if (!(np[c->nproblems] = strdup(buf)))
        return -1;
    c->nproblems++;
    return 0;
}

static cl_exercise *find_or_add(cl_catalog *c, const char *slug, int number)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].slug, slug) == 0)
            return &c->items[i];
    cl_exercise *ni = realloc(c->items, (c->n + 1) * sizeof *ni);
    if (!ni)
        return NULL;
    c->items = ni;
    cl_exercise *e = &ni[c->n];
    memset(e, 0, sizeof *e);
    e->number = number;
    e->slug = strdup(slug);
    e->name = strdup(strchr(slug, '-') + 1);
    if (!e->slug || !e->name) {
        free(e->slug);
        free(e->name);
        return NULL;
    }
    c->n++;
    return e;
}

/* Files that look like part of the workbook but are not named NN-slug are
 * reported; helper files (grader.h, grader_main.c, tests/) are skipped. */
static bool is_helper(cl_file_kind kind, const char *name)
{
    if (name[0] == '.')
        return true;
    if (kind == CL_FILE_GRADER)
        return strcmp(name, "grader_main.c") == 0 || strcmp(name, "grader.h") == 0 ||
               strcmp(name, "tests") == 0;
    if (kind == CL_FILE_LESSON)
        return strcmp(name, "README.md") == 0;
    return false;
}

static int scan(cl_catalog *c, const char *root, cl_file_kind kind, char *err, size_t errsz)
{
    char *dir = cl_workbook_join(root, cl_file_dir(kind));
    if (!dir)
        return -1;
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        free(dir);
        if (kind == CL_FILE_LESSON || kind == CL_FILE_EXERCISE) {
            snprintf(err, errsz, "%s/%s/: %s; the workbook root needs lessons/ and exercises/",
                     root, cl_file_dir(kind), strerror(e));
            return -1;
        }
        return problem(c, "%s/: missing; every exercise needs its file there", cl_file_dir(kind));
    }
    free(dir);
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (is_helper(kind, de->d_name))
            continue;
        size_t nl = strlen(de->d_name), el = strlen(cl_file_ext(kind));
        if (nl < el || strcmp(de->d_name + nl - el, cl_file_ext(kind)) != 0)
            continue; /* editor backups, notes: not ours to judge */
        char slug[256];
        int num = cl_catalog_parse_name(de->d_name, cl_file_ext(kind), slug, sizeof slug);
        if (num < 0) {
            rc = problem(c, "%s/%s: not named NN-slug%s (digits, '-', lower-case letters, digits "
                         "and '-'); rename it or move it out of %s/", cl_file_dir(kind), de->d_name,
                         cl_file_ext(kind), cl_file_dir(kind));
            continue;
        }
        cl_exercise *e = find_or_add(c, slug, num);
        if (!e)
            rc = -1;
        else
            e->has[kind] = true;
    }
    closedir(d);
    if (rc < 0)
        snprintf(err, errsz, "out of memory reading %s/", cl_file_dir(kind));
    return rc;
}

static int by_number(const void *a, const void *b)
{
    const cl_exercise *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return strcmp(x->slug, y->slug);
}

static char *title_from_name(const char *name)
{
    char *t = strdup(name);
    if (!t)
        return NULL;
    for (char *p = t; *p; p++)
        if (*p == '-')
            *p = ' ';
    t[0] = (char)toupper((unsigned char)t[0]);
    return t;
}

int cl_catalog_load(cl_catalog *c, const char *root, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < CL_FILE_COUNT; k++)
        if (scan(c, root, (cl_file_kind)k, err, errsz) != 0) {
            cl_catalog_free(c);
            return -1;
        }
    if (c->n)
        qsort(c->items, c->n, sizeof *c->items, by_number);
    for (size_t i = 0; i < c->n; i++) {
        cl_exercise *e = &c->items[i];
        if (i && e->number == c->items[i - 1].number)
            problem(c, "%s and %s share the number %02d: give each exercise its own number",
                    c->items[i - 1].slug, e->slug, e->number);
        for (int k = 0; k < CL_FILE_COUNT; k++)
            if (!e->has[k])
                problem(c, "%s/%s%s: missing (the exercise %s needs its lesson, exercise, "
                        "solution and grader); `chanlings new` scaffolds all four",
                        cl_file_dir((cl_file_kind)k), e->slug, cl_file_ext((cl_file_kind)k),
                        e->slug);
        if (e->has[CL_FILE_LESSON]) {
            char *path = cl_workbook_path(root, e->slug, CL_FILE_LESSON);
            e->title = path ? cl_lesson_title(path) : NULL;
            free(path);
        }
        if (!e->title)
            e->title = title_from_name(e->name);
    }
    return 0;
}

void cl_catalog_free(cl_catalog *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].slug);
        free(c->items[i].name);
        free(c->items[i].title);
    }
    free(c->items);
    for (size_t i = 0; i < c->nproblems; i++)
        free(c->problems[i]);
    free(c->problems);
    memset(c, 0, sizeof *c);
}

int cl_catalog_find(const cl_catalog *c, const char *key)
{
    if (!key || !*key)
        return -1;
    const char *p = key;
    while (isdigit((unsigned char)*p))
        p++;
    bool numeric = *p == '\0';
    for (size_t i = 0; i < c->n; i++) {
        const cl_exercise *e = &c->items[i];
        if (numeric ? e->number == atoi(key)
                    : strcmp(e->slug, key) == 0 || strcmp(e->name, key) == 0)
            return (int)i;
    }
    return -1;
}

int cl_catalog_lesson(const cl_catalog *c, const char *root, size_t i, cl_lesson *l, char *err,
                      size_t errsz)
{
    memset(l, 0, sizeof *l);
    char *path = i < c->n ? cl_workbook_path(root, c->items[i].slug, CL_FILE_LESSON) : NULL;
    if (!path) {
        snprintf(err, errsz, i < c->n ? "out of memory" : "no exercise %zu", i);
        return -1;
    }
    int rc = cl_lesson_load(l, path, err, errsz);
    free(path);
    return rc;
}
