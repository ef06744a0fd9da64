/* chanlings — starting over and looking up: reset and solution.
 *
 * Reset restores the exercise as shipped: from git (`HEAD:exercises/...`)
 * when the workbook is a git checkout that tracks the file, else from the
 * copy kept in .chanlings/pristine/ the first time the workbook was used.
 * The learner's file always goes to .chanlings/backups/ first. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"

static char *state_file(const cl_ctx *ctx, const char *dir, const char *name)
{
    size_t n = strlen(ctx->root) + strlen(dir) + strlen(name) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/.chanlings%s%s%s%s", ctx->root, *dir ? "/" : "", dir, *name ? "/" : "",
                 name);
    return s;
}

void cl_cmd_snapshot_pristine(cl_ctx *ctx)
{
    char *dir = state_file(ctx, "pristine", "");
    bool ok = dir && (access(dir, F_OK) == 0 || cl_mkdirs(dir) == 0);
    for (size_t i = 0; ok && i < ctx->catalog->n; i++) {
        const cl_exercise *e = &ctx->catalog->items[i];
        if (!e->has[CL_FILE_EXERCISE])
            continue;
        char name[300];
        snprintf(name, sizeof name, "%s.c", e->slug);
        char *keep = state_file(ctx, "pristine", name);
        char *src = cl_workbook_path(ctx->root, e->slug, CL_FILE_EXERCISE);
        if (keep && src && access(keep, F_OK) != 0)
            cl_copy_file(src, keep); /* best effort: git may still serve reset */
        free(keep);
        free(src);
    }
    free(dir);
}

/* `git show HEAD:<rel>` in the workbook, or NULL when that is not possible. */
static char *from_git(const cl_ctx *ctx, const char *rel, size_t *len)
{
    char name[64];
    snprintf(name, sizeof name, "git-show.%ld.tmp", (long)getpid());
    char *tmp = state_file(ctx, "", name);
    if (!tmp)
        return NULL;
    char spec[512];
    snprintf(spec, sizeof spec, "HEAD:%s", rel);
    pid_t pid = fork();
    if (pid == 0) {
        int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDWR);
        if (out < 0 || null < 0)
            _exit(127);
        dup2(null, 0);
        dup2(out, 1);
        dup2(null, 2);
        execlp("git", "git", "-C", ctx->root, "show", spec, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    char *data = NULL;
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        data = cl_read_file(tmp, len);
    unlink(tmp);
    free(tmp);
    return data;
}

static char *shipped(const cl_ctx *ctx, const char *slug, size_t *len, const char **from)
{
    char rel[300];
    snprintf(rel, sizeof rel, "exercises/%s.c", slug);
    char *data = from_git(ctx, rel, len);
    *from = "git (HEAD)";
    if (data)
        return data;
    char name[300];
    snprintf(name, sizeof name, "%s.c", slug);
    char *keep = state_file(ctx, "pristine", name);
    data = keep ? cl_read_file(keep, len) : NULL;
    free(keep);
    *from = ".chanlings/pristine";
    return data;
}

char *cl_cmd_shipped_copy(cl_ctx *ctx, const char *slug)
{
    size_t len;
    const char *from;
    char *data = shipped(ctx, slug, &len, &from);
    if (!data)
        return NULL;
    char name[300];
    snprintf(name, sizeof name, "%s.c", slug);
    char *dir = state_file(ctx, "shipped", "");
    char *path = state_file(ctx, "shipped", name);
    if (!dir || !path || cl_mkdirs(dir) != 0 || cl_write_file_atomic(path, data, len) != 0) {
        free(path);
        path = NULL;
    }
    free(dir);
    free(data);
    return path;
}

/* Copies the learner's file into backups/<slug>-<time>.c; the new name
 * goes to `name`.  Never overwrites an older backup. */
static int backup(const cl_ctx *ctx, const char *slug, const char *src, char *name, size_t namesz)
{
    char *dir = state_file(ctx, "backups", "");
    if (!dir || cl_mkdirs(dir) != 0) {
        free(dir);
        return -1;
    }
    free(dir);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int n = 1; n < 1000; n++) {
        char file[400];
        if (n == 1)
            snprintf(file, sizeof file, "%s-%s.c", slug, stamp);
        else
            snprintf(file, sizeof file, "%s-%s-%d.c", slug, stamp, n);
        char *path = state_file(ctx, "backups", file);
        if (!path)
            return -1;
        if (access(path, F_OK) == 0) {
            free(path);
            continue;
        }
        int rc = cl_copy_file(src, path);
        free(path);
        snprintf(name, namesz, ".chanlings/backups/%s", file);
        return rc;
    }
    errno = EEXIST;
    return -1;
}

static const cl_opt_spec yes_spec[] = {{"--yes", "-y", false}};

int cl_cmd_reset(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    int i = cl_cmd_args_exercise(ctx, "reset", argc, argv, yes_spec, 1, &a);
    if (i < 0)
        return -i;
    const cl_exercise *e = &ctx->catalog->items[i];
    size_t len;
    const char *from;
    char *orig = shipped(ctx, e->slug, &len, &from);
    if (!orig) {
        fprintf(stderr, "chanlings reset: no shipped copy of exercises/%s.c: the workbook is not "
                "a git checkout and .chanlings/pristine/%s.c is missing; restore the file from "
                "the chanlings download\n", e->slug, e->slug);
        return CL_EXIT_WORKBOOK;
    }
    char *dst = cl_workbook_path(ctx->root, e->slug, CL_FILE_EXERCISE);
    size_t cur_len = 0;
    char *cur = dst ? cl_read_file(dst, &cur_len) : NULL;
    int rc = CL_EXIT_OK;
    if (cur && cur_len == len && memcmp(cur, orig, len) == 0) {
        printf("exercises/%s.c is already as shipped; nothing to reset.\n", e->slug);
        goto out;
    }
    if (!a.value[0] && isatty(STDIN_FILENO)) {
        char q[512];
        snprintf(q, sizeof q, "Replace exercises/%s.c with the shipped version? (yours is "
                 "backed up in .chanlings/backups/ first)", e->slug);
        if (!cl_cmd_confirm(q)) {
            printf("Nothing changed.\n");
            goto out;
        }
    }
    char saved[512] = "";
    if (cur && backup(ctx, e->slug, dst, saved, sizeof saved) != 0) {
        fprintf(stderr, "chanlings reset: could not back up exercises/%s.c (%s), so it was left "
                "as it is; check space and permissions of .chanlings/\n", e->slug, strerror(errno));
        rc = CL_EXIT_INTERNAL;
        goto out;
    }
    if (cl_write_file_atomic(dst, orig, len) != 0) {
        fprintf(stderr, "chanlings reset: could not write exercises/%s.c: %s\n", e->slug,
                strerror(errno));
        rc = CL_EXIT_INTERNAL;
        goto out;
    }
    printf("Restored exercises/%s.c from %s.", e->slug, from);
    if (*saved)
        printf(" Your version is in %s.", saved);
    printf("\n");
out:
    free(orig);
    free(cur);
    free(dst);
    return rc;
}

int cl_cmd_solution(cl_ctx *ctx, int argc, char **argv)
{
    cl_args a;
    int i = cl_cmd_args_exercise(ctx, "solution", argc, argv, yes_spec, 1, &a);
    if (i < 0)
        return -i;
    const cl_exercise *e = &ctx->catalog->items[i];
    if (!cl_progress_done(ctx->progress, e->slug) && !a.value[0]) {
        char q[256];
        snprintf(q, sizeof q, "You have not passed %s yet. Show the solution anyway?", e->slug);
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "chanlings solution: %s is not passed yet, so the solution stays "
                    "hidden; `chanlings hint %d` helps, or `chanlings solution %d --yes` shows "
                    "it anyway\n", e->slug, e->number, e->number);
            return CL_EXIT_FAIL;
        }
        if (!cl_cmd_confirm(q)) {
            printf("Kept hidden. `chanlings hint %d` gives a nudge instead.\n", e->number);
            return CL_EXIT_FAIL;
        }
    }
    char *path = cl_workbook_path(ctx->root, e->slug, CL_FILE_SOLUTION);
    char *text = path ? cl_read_file(path, NULL) : NULL;
    free(path);
    if (!text) {
        fprintf(stderr, "chanlings solution: solutions/%s.c is missing; the workbook is "
                "incomplete (an instructor runs `chanlings verify`)\n", e->slug);
        return CL_EXIT_WORKBOOK;
    }
    printf("%s/* solutions/%s.c */%s\n%s", cl_c(ctx, CL_C_DIM), e->slug, cl_c(ctx, CL_C_RESET),
           text);
    free(text);
    return CL_EXIT_OK;
}
