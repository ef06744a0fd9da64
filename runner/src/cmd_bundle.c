/* chanlings — the grading-engine bundles' shared pieces (cmd_bundle.h). */
#include "cmd_bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"
#include "report_buf.h"

int cl_bundle_pick(cl_ctx *ctx, const char *cmd, const cl_args *a, bool *sel)
{
    const cl_catalog *c = ctx->catalog;
    memset(sel, 0, c->n * sizeof *sel);
    if (c->n == 0) {
        fprintf(stderr, "chanlings %s: the workbook has no exercises to grade\n", cmd);
        return -CL_EXIT_WORKBOOK;
    }
    int count = 0;
    for (int k = 0; k < a->npos; k++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", a->pos[k]);
        char *save = NULL;
        for (char *key = strtok_r(buf, ",", &save); key; key = strtok_r(NULL, ",", &save)) {
            int i = cl_catalog_find(c, key);
            if (i < 0) {
                fprintf(stderr, "chanlings %s: no exercise \"%s\": give numbers (1-%d), slugs "
                        "or names; `chanlings list` shows them\n", cmd, key,
                        c->items[c->n - 1].number);
                return -CL_EXIT_USAGE;
            }
            count += !sel[i];
            sel[i] = true;
        }
    }
    if (count == 0)
        for (size_t i = 0; i < c->n; i++, count++)
            sel[i] = true;
    return count;
}

char *cl_bundle_numbers(const cl_ctx *ctx, const bool *sel)
{
    cl_buf b = {0};
    for (size_t i = 0; i < ctx->catalog->n; i++)
        if (sel[i])
            cl_buf_printf(&b, "%s%d", b.len ? " " : "", ctx->catalog->items[i].number);
    return cl_buf_take(&b);
}

static const char *const source_paths[] = {"Makefile", "lib/src", "runner/src", "scripts/deps.sh"};

bool cl_bundle_has_sources(const cl_ctx *ctx, const char *cmd)
{
    for (size_t k = 0; k < sizeof source_paths / sizeof *source_paths; k++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", ctx->root, source_paths[k]);
        struct stat st;
        if (stat(p, &st) != 0) {
            fprintf(stderr, "chanlings %s: %s has no %s: the grading machine builds the workbook "
                    "from its sources, so run this in a chanlings checkout (an installed "
                    "share/chanlings holds none)\n", cmd, ctx->root, source_paths[k]);
            return false;
        }
    }
    return true;
}

int cl_bundle_spawn(char *const *argv, const char *cwd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0)
            _exit(127);
        execvp(argv[0], argv);
        fprintf(stderr, "chanlings: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cl_bundle_copy_sources(cl_ctx *ctx, const char *cmd, const char *dest)
{
    if (cl_mkdirs(dest) != 0) {
        fprintf(stderr, "chanlings %s: cannot create %s: %s\n", cmd, dest, strerror(errno));
        return -1;
    }
    char *cp[] = {"cp", "-R", "Makefile", "dist", "lib", "runner", "scripts", "graders",
                  "lessons", "solutions", "exercises", (char *)dest, NULL};
    if (cl_bundle_spawn(cp, ctx->root) != 0) {
        fprintf(stderr, "chanlings %s: could not copy the workbook's sources from %s into %s "
                "(cp says why above)\n", cmd, ctx->root, dest);
        return -1;
    }
    /* The stubs as shipped: an instructor who worked an exercise in this
     * checkout must not hand out the answer. */
    for (size_t i = 0; i < ctx->catalog->n; i++) {
        const char *slug = ctx->catalog->items[i].slug;
        char *shipped = cl_cmd_shipped_copy(ctx, slug);
        if (!shipped)
            continue; /* not committed yet: taken as it is */
        char to[4096];
        snprintf(to, sizeof to, "%s/exercises/%s.c", dest, slug);
        int rc = cl_copy_file(shipped, to);
        free(shipped);
        if (rc != 0) {
            fprintf(stderr, "chanlings %s: cannot write %s: %s\n", cmd, to, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int cl_bundle_template(const cl_ctx *ctx, const char *cmd, const char *tmpl, const char *to,
                       const char *const *vars, bool exec)
{
    char from[4096];
    snprintf(from, sizeof from, "%s/dist/%s", ctx->root, tmpl);
    char *text = cl_read_file(from, NULL);
    if (!text) {
        fprintf(stderr, "chanlings %s: cannot read the template %s: %s\n", cmd, from,
                strerror(errno));
        return -1;
    }
    cl_buf out = {0};
    for (const char *p = text; *p;) {
        const char *at = strchr(p, '@');
        if (!at) {
            cl_buf_puts(&out, p);
            break;
        }
        cl_buf_printf(&out, "%.*s", (int)(at - p), p);
        const char *const *v = vars;
        for (; *v; v += 2) {
            size_t n = strlen(v[0]);
            if (strncmp(at + 1, v[0], n) == 0 && at[1 + n] == '@')
                break;
        }
        if (*v) {
            cl_buf_puts(&out, v[1]);
            p = at + strlen(v[0]) + 2;
        } else {
            cl_buf_puts(&out, "@");
            p = at + 1;
        }
    }
    free(text);
    bool oom = out.oom;
    char *filled = cl_buf_take(&out);
    char *dir = strdup(to);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = '\0';
    int rc = !oom && filled && dir && (!slash || cl_mkdirs(dir) == 0) ?
             cl_write_file_atomic(to, filled, strlen(filled)) : -1;
    if (rc == 0 && chmod(to, exec ? 0755 : 0644) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "chanlings %s: cannot write %s: %s\n", cmd, to, strerror(errno));
    free(dir);
    free(filled);
    return rc;
}
