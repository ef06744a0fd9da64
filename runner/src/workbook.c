/* chanlings — finding the workbook and the paths of a slug's files. */
#include "workbook.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const struct {
    const char *dir;
    const char *ext;
} file_kinds[CL_FILE_COUNT] = {
    [CL_FILE_LESSON] = {"lessons", ".md"},
    [CL_FILE_EXERCISE] = {"exercises", ".c"},
    [CL_FILE_SOLUTION] = {"solutions", ".c"},
    [CL_FILE_GRADER] = {"graders", ".c"},
};

const char *cl_file_dir(cl_file_kind kind) { return file_kinds[kind].dir; }
const char *cl_file_ext(cl_file_kind kind) { return file_kinds[kind].ext; }

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

char *cl_workbook_relpath(const char *slug, cl_file_kind kind)
{
    size_t n = strlen(slug) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s", file_kinds[kind].dir, slug, file_kinds[kind].ext);
    return s;
}

char *cl_workbook_join(const char *root, const char *rel) { return join3(root, "/", rel); }

char *cl_workbook_path(const char *root, const char *slug, cl_file_kind kind)
{
    char *rel = cl_workbook_relpath(slug, kind);
    char *p = rel ? cl_workbook_join(root, rel) : NULL;
    free(rel);
    return p;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_root(const char *dir)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s/lessons", dir);
    if (!is_dir(buf))
        return false;
    snprintf(buf, sizeof buf, "%s/exercises", dir);
    return is_dir(buf);
}

/* The workbook `make install` put beside this program
 * (<prefix>/bin/chanlings -> <prefix>/share/chanlings), found from where the
 * program is rather than a path compiled in, so a DESTDIR or moved install
 * says the right place.  Read-only for learners: it is only named, never
 * used as the root. */
static bool installed_workbook(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/../share/chanlings", exe);
    return realpath(path, buf) && strlen(buf) < size && is_root(buf);
}

char *cl_workbook_find(char *err, size_t errsz)
{
    char buf[PATH_MAX];
    const char *env = getenv("CHANLINGS_ROOT");
    if (env && *env) {
        if (!realpath(env, buf)) {
            snprintf(err, errsz, "CHANLINGS_ROOT=%s: %s; set it to the workbook directory "
                     "(the one holding lessons/ and exercises/) or unset it", env, strerror(errno));
            return NULL;
        }
        if (!is_root(buf)) {
            snprintf(err, errsz, "CHANLINGS_ROOT=%s holds no lessons/ and exercises/; set it to "
                     "the workbook directory or unset it", env);
            return NULL;
        }
        return strdup(buf);
    }
    if (!getcwd(buf, sizeof buf)) {
        snprintf(err, errsz, "cannot read the current directory: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (is_root(buf))
            return strdup(buf);
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
            break;
        *slash = '\0';
    }
    if (is_root("/"))
        return strdup("/");
    char installed[PATH_MAX];
    if (installed_workbook(installed, sizeof installed))
        snprintf(err, errsz, "no workbook here: no directory from the current one up holds "
                 "lessons/ and exercises/; start your own copy of the installed one with "
                 "`cp -R %s ~/chanlings && cd ~/chanlings`, or set CHANLINGS_ROOT", installed);
    else
        snprintf(err, errsz, "no workbook here: no directory from the current one up holds "
                 "lessons/ and exercises/; cd into the chanlings checkout or set CHANLINGS_ROOT");
    return NULL;
}
