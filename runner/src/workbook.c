/* chanlings — finding the workbook, paths of a slug's files, small file
 * helpers shared by the runner's modules. */
#include "workbook.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "progress.h"

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

bool cl_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
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
    snprintf(err, errsz, "no workbook here: no directory from the current one up holds "
             "lessons/ and exercises/; cd into the chanlings checkout or set CHANLINGS_ROOT");
    return NULL;
}

bool cl_workbook_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f));
}

int cl_ctx_open_root(cl_ctx *ctx, const char *root, char *err, size_t errsz)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->root = strdup(root);
    ctx->catalog = calloc(1, sizeof *ctx->catalog);
    ctx->progress = calloc(1, sizeof *ctx->progress);
    if (!ctx->root || !ctx->catalog || !ctx->progress) {
        snprintf(err, errsz, "out of memory");
        return CL_EXIT_INTERNAL;
    }
    ctx->color = cl_workbook_color(stdout);
    ctx->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    if (cl_catalog_load(ctx->catalog, root, err, errsz) != 0)
        return CL_EXIT_WORKBOOK;
    if (cl_progress_load(ctx, err, errsz) < 0)
        return CL_EXIT_INTERNAL;
    return CL_EXIT_OK;
}

int cl_ctx_open(cl_ctx *ctx, char *err, size_t errsz)
{
    memset(ctx, 0, sizeof *ctx);
    char *root = cl_workbook_find(err, errsz);
    if (!root)
        return CL_EXIT_WORKBOOK;
    int rc = cl_ctx_open_root(ctx, root, err, errsz);
    free(root);
    return rc;
}

void cl_ctx_close(cl_ctx *ctx)
{
    if (ctx->catalog) {
        cl_catalog_free(ctx->catalog);
        free(ctx->catalog);
    }
    if (ctx->progress) {
        cl_progress_free(ctx->progress);
        free(ctx->progress);
    }
    free(ctx->root);
    memset(ctx, 0, sizeof *ctx);
}

char *cl_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        errno = bad ? EIO : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int cl_write_file_atomic(const char *path, const char *data, size_t len)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        off += (size_t)w;
    }
    int e = 0;
    if (off < len || fsync(fd) != 0)
        e = errno ? errno : EIO;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    return 0;
}

