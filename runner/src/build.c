/* Compile and link with a content-addressed cache (see build.h). */
#include "build.h"
#include "fs.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "objcheck.h"
#include "proc.h"
#include "report_buf.h"

/* Compiles and links must finish in this time; a compiler stuck on a
 * hostile #include "/dev/zero" is stopped. */
#define BUILD_DEADLINE_MS 120000

/* Learner code is compiled like the library: the C11 the lessons teach,
 * every warning the project itself uses, debug info for dumps and TSan. */
/* -fstack-clash-protection: a frame larger than a page touches each page
 * as it grows, so a goroutine's large local array meets its stack's guard
 * page (libgoc's "stack overflow in goroutine N") instead of jumping over
 * it into another goroutine's stack and corrupting it in silence. */
#if defined(__x86_64__) || defined(__aarch64__)
#define CL_STACK_PROBES "-fstack-clash-protection",
#else
#define CL_STACK_PROBES
#endif
static const char *const common_cflags[] = {
    "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-g", "-O1", "-pthread", CL_STACK_PROBES
    "-fdiagnostics-color=never", "-Ilib/include", NULL};
/* -O0 so race reports point at the exact lines the learner wrote. */
static const char *const race_flags[] = {"-fsanitize=thread", "-O0", NULL};
/* -O1 as ASan advises (common_cflags); frame pointers for whole stacks;
 * UBSan stops at its first report, so that report is the test's verdict. */
static const char *const memory_flags[] = {"-fsanitize=address,undefined",
                                           "-fno-omit-frame-pointer",
                                           "-fno-sanitize-recover=undefined", NULL};

/* Each pass: the libgoc it links (build/lib/<lib>/libgoc.a) and the flags
 * added to every compile and link. */
static const struct flavour {
    const char *lib;
    const char *const *flags;
} flavours[CL_PASS_COUNT] = {
    [CL_PASS_PLAIN] = {"plain", NULL},
    [CL_PASS_RACE] = {"tsan", race_flags},
    [CL_PASS_MEMORY] = {"asan", memory_flags},
};

static const struct flavour *flavour_of(const cl_build_opts *o)
{
    assert((unsigned)o->pass < CL_PASS_COUNT);
    return &flavours[o->pass];
}
/* grader_main.c's wraps: see its header comment for why. */
static const char *const grader_ldflags[] = {
    "-Wl,--wrap=exit,--wrap=_exit,--wrap=quick_exit,--wrap=tcase_fn_start,"
    "--wrap=check_get_clockid,--wrap=fork",
    NULL};
static const char *const tail_libs[] = {"-pthread", "-lm", NULL};

/* ---- argument vectors ---- */

typedef struct argv_t {
    char **v;
    size_t n, cap;
} argv_t;

static void arg_push(argv_t *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 32;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = strdup(s);
    a->v[a->n] = NULL;
}

static void arg_push_all(argv_t *a, const char *const *list)
{
    for (; list && *list; list++)
        arg_push(a, *list);
}

/* Splits on blanks: $CC ("ccache gcc") and pkg-config output. */
static void arg_push_words(argv_t *a, const char *s)
{
    while (s && *s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        size_t len = strcspn(s, " \t\n");
        if (len) {
            char *w = strndup(s, len);
            if (w)
                arg_push(a, w);
            free(w);
        }
        s += len;
    }
}

static void arg_free(argv_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

static void compiler(argv_t *a);

/* ---- Check's flags, asked of pkg-config once per process ---- */

static char check_cflags[512], check_libs[512];
static pthread_once_t check_once = PTHREAD_ONCE_INIT;

static void ask_pkg_config(const char *what, char *out, size_t size, const char *fallback)
{
    char *argv[] = {"pkg-config", (char *)what, "check", NULL};
    cl_proc_opts po = {.argv = argv, .deadline_ms = 10000, .output_cap = 4096};
    cl_proc_result pr;
    if (cl_proc_run(&po, &pr) == 0 && pr.exit_code == 0 && pr.out)
        snprintf(out, size, "%s", pr.out);
    else
        snprintf(out, size, "%s", fallback);
    cl_proc_result_free(&pr);
}

/* Where the compiler finds the static archives of Check's -l flags, for
 * the object check (objcheck.h): the learner may neither redefine nor call
 * anything they define. */
#define MAX_CHECK_ARCHIVES 8
static char check_archives[MAX_CHECK_ARCHIVES][512];

static void find_check_archives(void)
{
    size_t n = 0;
    for (const char *p = strstr(check_libs, "-l"); p && n < MAX_CHECK_ARCHIVES;
         p = strstr(p + 2, "-l")) {
        size_t len = strcspn(p + 2, " \t\n");
        char arg[160];
        snprintf(arg, sizeof arg, "-print-file-name=lib%.*s.a", (int)len, p + 2);
        argv_t cmd = {0};
        compiler(&cmd);
        arg_push(&cmd, arg);
        cl_proc_opts po = {.argv = cmd.v, .deadline_ms = 10000, .output_cap = 4096};
        cl_proc_result pr;
        if (cl_proc_run(&po, &pr) == 0 && pr.exit_code == 0 && pr.out && pr.out[0] == '/') {
            pr.out[strcspn(pr.out, "\n")] = '\0';
            snprintf(check_archives[n++], sizeof check_archives[0], "%s", pr.out);
        }
        cl_proc_result_free(&pr);
        arg_free(&cmd);
    }
}

static void load_check_flags(void)
{
    ask_pkg_config("--cflags", check_cflags, sizeof check_cflags, "");
    ask_pkg_config("--libs", check_libs, sizeof check_libs,
                   "-pthread -lcheck_pic -lrt -lm -lsubunit");
    find_check_archives();
}

/* ---- hashing ---- */

typedef uint64_t hash_t;
#define HASH_SEED 0xcbf29ce484222325ULL

static hash_t hash_bytes(hash_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    /* A separator so ("ab","c") and ("a","bc") differ. */
    h ^= 0xff;
    return h * 0x100000001b3ULL;
}

static hash_t hash_str(hash_t h, const char *s)
{
    return hash_bytes(h, s ? s : "", s ? strlen(s) : 0);
}

static hash_t hash_argv(hash_t h, const argv_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        h = hash_str(h, a->v[i]);
    return h;
}

/* -1 when the file cannot be read. */
static int hash_file(hash_t *h, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        *h = hash_bytes(*h, buf, n);
    fclose(f);
    return 0;
}

static hash_t hash_stat(hash_t h, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        h = hash_bytes(h, &st.st_size, sizeof st.st_size);
        h = hash_bytes(h, &st.st_mtim, sizeof st.st_mtim);
    }
    return h;
}

/* ---- paths ---- */

char *cl_build_relative(const char *root, const char *path)
{
    char rroot[PATH_MAX], rpath[PATH_MAX];
    if (!realpath(root, rroot) || !realpath(path, rpath))
        return strdup(path);
    size_t rl = strcmp(rroot, "/") ? strlen(rroot) : 0;
    if (strncmp(rpath, rroot, rl) == 0 && rpath[rl] == '/')
        return strdup(rpath + rl + 1);
    return strdup(rpath);
}

/* ---- wrapped libgoc functions (the lesson's `wrap:`) ---- */

/* Calls fn(name, len, arg) for each blank-separated name; stops at the
 * first nonzero return and returns it. */
static int each_wrap(const char *wrap, int (*fn)(const char *, size_t, void *), void *arg)
{
    for (const char *p = wrap; p && *p;) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, " \t");
        if (len) {
            int rc = fn(p, len, arg);
            if (rc)
                return rc;
        }
        p += len;
    }
    return 0;
}

static int push_wrap(const char *name, size_t len, void *arg)
{
    cl_buf flag = {0};
    cl_buf_printf(&flag, "-Wl,--wrap=%.*s", (int)len, name);
    arg_push(arg, flag.s);
    free(flag.s);
    return 0;
}

static void push_wraps(argv_t *cmd, const char *wrap)
{
    each_wrap(wrap, push_wrap, cmd);
}

/* Cache object paths in link errors mean nothing to a learner. */
static char *replace_all(const char *text, const char *from, const char *to)
{
    cl_buf b = {0};
    size_t fl = strlen(from);
    for (const char *p = text; *p;) {
        const char *hit = fl ? strstr(p, from) : NULL;
        if (!hit) {
            cl_buf_puts(&b, p);
            break;
        }
        cl_buf_add(&b, p, (size_t)(hit - p));
        cl_buf_puts(&b, to);
        p = hit + fl;
    }
    return cl_buf_take(&b);
}

/* ---- keeping the cache small ----
 *
 * Every edit adds an object and a program, so the oldest entries go once
 * there are more than the limits below.  Hits refresh an entry's mtime, so
 * "oldest" means least recently used; entries younger than a few minutes
 * stay, in case another runner is about to run one. */

#define CACHE_KEEP_OBJ 256
#define CACHE_KEEP_BIN 48
#define CACHE_MIN_AGE 600

static void touch(const char *path)
{
    utimensat(AT_FDCWD, path, NULL, 0);
}

/* An object's compiler warnings live beside it as <object>.warn, so a
 * re-check that finds the object in the cache still shows them; the
 * companion goes when its object goes. */
#define WARN_EXT ".warn"

static bool is_companion(const char *name)
{
    size_t n = strlen(name), w = strlen(WARN_EXT);
    return n > w && strcmp(name + n - w, WARN_EXT) == 0;
}

typedef struct cache_entry {
    char name[64];
    time_t mtime;
} cache_entry;

static int by_mtime(const void *a, const void *b)
{
    const cache_entry *x = a, *y = b;
    return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

static void cache_trim(const char *dir, size_t keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t n = 0, cap = 0;
    cache_entry *e = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof e->name - strlen(WARN_EXT) ||
            is_companion(de->d_name) ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cache_entry *g = realloc(e, (cap = cap ? 2 * cap : 64) * sizeof *e);
            if (!g)
                break;
            e = g;
        }
        memcpy(e[n].name, de->d_name, strlen(de->d_name) + 1);
        e[n++].mtime = st.st_mtime;
    }
    if (n > keep) {
        qsort(e, n, sizeof *e, by_mtime);
        time_t old = time(NULL) - CACHE_MIN_AGE;
        for (size_t i = 0; i < n - keep && e[i].mtime < old; i++) {
            unlinkat(dirfd(d), e[i].name, 0);
            char companion[sizeof e->name];
            snprintf(companion, sizeof companion, "%s%s", e[i].name, WARN_EXT);
            unlinkat(dirfd(d), companion, 0);
        }
    }
    closedir(d);
    free(e);
}

/* ---- steps ---- */

typedef struct step_ctx {
    const cl_build_opts *o;
    cl_build_result *res;
    bool all_cached;
    const cl_jail *jail;      /* set while a step reads learner input */
} step_ctx;

/* The object's warnings into the diagnostics, as if it was compiled. */
static void warnings_from_cache(step_ctx *s, const char *obj)
{
    cl_buf path = {0};
    cl_buf_printf(&path, "%s%s", obj, WARN_EXT);
    char *text = cl_read_text(path.s, 256 * 1024);
    if (text) {
        touch(path.s);
        cl_buf b = {0};
        cl_buf_puts(&b, s->res->diagnostics ? s->res->diagnostics : "");
        cl_buf_puts(&b, text);
        free(s->res->diagnostics);
        s->res->diagnostics = cl_buf_take(&b);
        free(text);
    }
    free(path.s);
}

static void warnings_to_cache(const char *obj, const char *text)
{
    cl_buf path = {0}, tmp = {0};
    cl_buf_printf(&path, "%s%s", obj, WARN_EXT);
    cl_buf_printf(&tmp, "%s.%d.%lx.tmp", path.s, (int)getpid(), (unsigned long)pthread_self());
    FILE *f = fopen(tmp.s, "w");
    if (f) {
        bool ok = fputs(text, f) >= 0;
        if (fclose(f) == 0 && ok)
            rename(tmp.s, path.s);
        else
            unlink(tmp.s);
    }
    free(path.s);
    free(tmp.s);
}

static int refuse_wrap(const char *name, size_t len, void *arg)
{
    if (cl_wrap_allowed(name, len))
        return 0;
    step_ctx *s = arg;
    cl_buf b = {0};
    cl_buf_printf(&b, "the lesson asks to wrap `%.*s`, but only libgoc functions (names starting "
                      "goc_) and the C library's sleeps and stdout writers may be wrapped: fix "
                      "the lesson's `wrap:` line.", (int)len, name);
    s->res->error = cl_buf_take(&b);
    return -1;
}

static int check_wraps(step_ctx *s)
{
    return each_wrap(s->o->wrap, refuse_wrap, s);
}

/* The compiler and linker of learner code: jailed (sandbox.h) with the
 * workbook's headers and libgoc, the learner's own directory, and the
 * cache it writes to; nothing else of the workbook (no solutions/, no
 * graders/), and bounded in memory so a macro bomb stops. */
#define BUILD_MEM_MB 2048
#define BUILD_FILE_MB 512

typedef struct build_jail {
    cl_jail jail;
    char include[PATH_MAX], lib[PATH_MAX], src_dir[PATH_MAX];
} build_jail;

static void build_jail_init(build_jail *bj, const cl_build_opts *o, const char *src_rel)
{
    memset(bj, 0, sizeof *bj);
    snprintf(bj->include, sizeof bj->include, "%s/lib/include", o->root);
    snprintf(bj->lib, sizeof bj->lib, "%s/build/lib", o->root);
    if (src_rel[0] == '/')
        snprintf(bj->src_dir, sizeof bj->src_dir, "%s", src_rel);
    else
        snprintf(bj->src_dir, sizeof bj->src_dir, "%s/%s", o->root, src_rel);
    char *slash = strrchr(bj->src_dir, '/');
    if (slash && slash != bj->src_dir)
        *slash = '\0';
    bj->jail = (cl_jail){.ro = {bj->include, bj->lib, bj->src_dir}, .rw = {o->cache_dir},
                         .cwd = o->root};
}

static void compiler(argv_t *a)
{
    const char *cc = getenv("CC");
    arg_push_words(a, cc && *cc ? cc : "cc");
}

/* A compiler that failed because the cache's disk is full has not found
 * an error in the learner's code: say what happened and where, as the
 * runner's problem rather than a compile error. */
static void report_full_disk(step_ctx *s, const char *output)
{
    if (!output || !strstr(output, "No space left on device"))
        return;
    cl_buf b = {0};
    cl_buf_printf(&b, "the disk holding the build cache (%s) is full: the compiler could not "
                      "write its output (No space left on device). Free some space there; "
                      "removing the cache directory is safe.", s->o->cache_dir);
    s->res->error = cl_buf_take(&b);
}

/* Runs a compiler command; on failure its output becomes the
 * diagnostics.  Returns 0 when it succeeded. */
static int run_tool(step_ctx *s, argv_t *cmd, const char *tmp, const char *final)
{
    cl_proc_opts po = {.argv = cmd->v, .cwd = s->o->root, .deadline_ms = BUILD_DEADLINE_MS,
                       .output_cap = 256 * 1024, .cancel = s->o->cancel, .jail = s->jail,
                       .sandbox = s->jail != NULL, .same_user = true,
                       .max_mem_mb = BUILD_MEM_MB, .max_file_mb = BUILD_FILE_MB};
    cl_proc_result pr;
    s->all_cached = false;
    if (cl_proc_run(&po, &pr) < 0) {
        cl_buf b = {0};
        cl_buf_printf(&b, "could not run the compiler `%s`: %s. Install a C compiler "
                          "(`apt-get install gcc`) or point $CC at one.", cmd->v[0], pr.error);
        s->res->error = cl_buf_take(&b);
        return -1;
    }
    int ok = pr.exit_code == 0 && !pr.timed_out && !pr.cancelled;
    if (pr.out && *pr.out) {
        cl_buf b = {0};
        if (s->res->diagnostics)
            cl_buf_puts(&b, s->res->diagnostics);
        cl_buf_puts(&b, pr.out);
        free(s->res->diagnostics);
        s->res->diagnostics = cl_buf_take(&b);
    }
    if (pr.timed_out && !s->res->diagnostics)
        s->res->diagnostics = strdup("the compiler did not finish within its time limit.");
    if (!ok && !s->res->error)
        report_full_disk(s, pr.out);
    cl_proc_result_free(&pr);
    if (ok && rename(tmp, final) < 0)
        ok = 0;
    if (!ok)
        unlink(tmp);
    return ok ? 0 : -1;
}

/* Compiles one file into <cache>/obj/<hash>.o unless it is there. */
static char *compile(step_ctx *s, const char *src_rel, const char *const *extra,
                     const char *extra_dep, hash_t *key)
{
    argv_t flags = {0};
    arg_push_all(&flags, common_cflags);
    arg_push_all(&flags, flavour_of(s->o)->flags);
    arg_push_all(&flags, extra);

    argv_t cmd = {0};
    compiler(&cmd);
    hash_t h = hash_argv(hash_argv(HASH_SEED, &cmd), &flags);
    h = hash_str(h, src_rel);
    char src_abs[PATH_MAX], dep_abs[PATH_MAX];
    snprintf(src_abs, sizeof src_abs, "%s/%s", s->o->root, src_rel);
    const char *src_path = src_rel[0] == '/' ? src_rel : src_abs;
    if (hash_file(&h, src_path) < 0) {
        cl_buf b = {0};
        cl_buf_printf(&b, "cannot read %s: %s", src_rel, strerror(errno));
        s->res->error = cl_buf_take(&b);
        arg_free(&flags), arg_free(&cmd);
        return NULL;
    }
    if (extra_dep) {
        snprintf(dep_abs, sizeof dep_abs, "%s/%s", s->o->root, extra_dep);
        hash_file(&h, dep_abs);
    }
    /* libgoc's headers shape every object; libgoc.a is rebuilt when they
     * change, so its identity stands for them. */
    char lib[PATH_MAX];
    snprintf(lib, sizeof lib, "%s/build/lib/%s/libgoc.a", s->o->root, flavour_of(s->o)->lib);
    h = hash_stat(h, lib);
    *key = h;

    cl_buf obj = {0}, tmp = {0};
    cl_buf_printf(&obj, "%s/obj/%016llx.o", s->o->cache_dir, (unsigned long long)h);
    char *result = NULL;
    if (access(obj.s, R_OK) == 0) {
        touch(obj.s);
        warnings_from_cache(s, obj.s);
        result = cl_buf_take(&obj);
    } else {
        cl_buf_printf(&tmp, "%s.%d.%lx.tmp", obj.s, (int)getpid(), (unsigned long)pthread_self());
        for (size_t i = 0; i < flags.n; i++)
            arg_push(&cmd, flags.v[i]);
        arg_push(&cmd, "-c");
        arg_push(&cmd, src_rel);
        arg_push(&cmd, "-o");
        arg_push(&cmd, tmp.s);
        size_t before = s->res->diagnostics ? strlen(s->res->diagnostics) : 0;
        if (run_tool(s, &cmd, tmp.s, obj.s) == 0) {
            if (s->res->diagnostics && s->res->diagnostics[before])
                warnings_to_cache(obj.s, s->res->diagnostics + before);
            result = cl_buf_take(&obj);
        }
    }
    free(obj.s);
    free(tmp.s);
    arg_free(&flags);
    arg_free(&cmd);
    return result;
}

static int check_libgoc(step_ctx *s, char *lib, size_t size)
{
    const char *flavour = flavour_of(s->o)->lib;
    snprintf(lib, size, "%s/build/lib/%s/libgoc.a", s->o->root, flavour);
    if (access(lib, R_OK) == 0)
        return 0;
    cl_buf b = {0};
    cl_buf_printf(&b, "libgoc is not built (%s/build/lib/%s/libgoc.a is missing). Run `make` "
                      "in %s first.", s->o->root, flavour, s->o->root);
    s->res->error = cl_buf_take(&b);
    return -1;
}

typedef struct link_input {
    const char *obj;
    const char *src_rel;
} link_input;

static int link_exe(step_ctx *s, const link_input *in, size_t n, const hash_t *keys, bool grader)
{
    char lib[PATH_MAX];
    if (check_libgoc(s, lib, sizeof lib) < 0)
        return -1;
    argv_t cmd = {0};
    compiler(&cmd);
    hash_t h = hash_argv(HASH_SEED, &cmd);
    for (size_t i = 0; i < n; i++)
        h = hash_bytes(h, &keys[i], sizeof keys[i]);
    h = hash_stat(hash_str(h, flavour_of(s->o)->lib), lib);
    h = hash_str(h, grader ? check_libs : "");
    h = hash_str(h, grader ? s->o->wrap : "");
    h = hash_str(h, grader ? grader_ldflags[0] : "");

    cl_buf exe = {0}, tmp = {0};
    cl_buf_printf(&exe, "%s/bin/%016llx", s->o->cache_dir, (unsigned long long)h);
    int rc = 0;
    if (access(exe.s, X_OK) == 0) {
        touch(exe.s);
    } else {
        cl_buf_printf(&tmp, "%s.%d.%lx.tmp", exe.s, (int)getpid(), (unsigned long)pthread_self());
        arg_push_all(&cmd, flavour_of(s->o)->flags);
        for (size_t i = 0; i < n; i++)
            arg_push(&cmd, in[i].obj);
        arg_push(&cmd, lib);
        if (grader) {
            arg_push_all(&cmd, grader_ldflags);
            push_wraps(&cmd, s->o->wrap);
            arg_push_words(&cmd, check_libs);
        }
        arg_push_all(&cmd, tail_libs);
        arg_push(&cmd, "-o");
        arg_push(&cmd, tmp.s);
        char *before = s->res->diagnostics;
        s->res->diagnostics = NULL;
        rc = run_tool(s, &cmd, tmp.s, exe.s);
        for (size_t i = 0; s->res->diagnostics && i < n; i++) {
            char *r = replace_all(s->res->diagnostics, in[i].obj, in[i].src_rel);
            free(s->res->diagnostics);
            s->res->diagnostics = r;
        }
        if (before) {
            cl_buf b = {0};
            cl_buf_puts(&b, before);
            cl_buf_puts(&b, s->res->diagnostics);
            free(before);
            free(s->res->diagnostics);
            s->res->diagnostics = cl_buf_take(&b);
        }
    }
    if (rc == 0)
        s->res->exe = cl_buf_take(&exe);
    free(exe.s);
    free(tmp.s);
    arg_free(&cmd);
    return rc;
}

static int prepare(const cl_build_opts *o, cl_build_result *res, step_ctx *s)
{
    memset(res, 0, sizeof *res);
    *s = (step_ctx){o, res, true, NULL};
    cl_buf d = {0};
    cl_buf_printf(&d, "%s/obj", o->cache_dir);
    int rc = cl_mkdirs(d.s);
    d.len = 0;
    cl_buf_printf(&d, "%s/bin", o->cache_dir);
    rc |= cl_mkdirs(d.s);
    free(d.s);
    if (rc < 0) {
        cl_buf b = {0};
        cl_buf_printf(&b, "cannot create the build cache in %s: %s", o->cache_dir, strerror(errno));
        res->error = cl_buf_take(&b);
        return -1;
    }
    char lib[PATH_MAX];
    return check_libgoc(s, lib, sizeof lib);
}

static void finish(step_ctx *s, int rc, const char *grader_rel, const char *src_rel)
{
    cl_build_result *res = s->res;
    if (!s->all_cached) {
        cl_buf d = {0};
        cl_buf_printf(&d, "%s/obj", s->o->cache_dir);
        cache_trim(d.s, CACHE_KEEP_OBJ);
        d.len = 0;
        cl_buf_printf(&d, "%s/bin", s->o->cache_dir);
        cache_trim(d.s, CACHE_KEEP_BIN);
        free(d.s);
    }
    res->ok = rc == 0 && res->exe;
    res->cached = res->ok && s->all_cached;
    if (res->ok)
        res->warnings = cl_build_bug_warnings(res->diagnostics, src_rel);
    if (!res->ok && res->diagnostics && !res->error)
        res->error = cl_build_wrap_link_error(res->diagnostics, grader_rel);
    if (!res->ok && res->diagnostics) {
        res->missing_function = cl_build_missing_function(res->diagnostics, grader_rel);
        char *sorted = cl_build_first_error_first(res->diagnostics);
        free(res->diagnostics);
        res->diagnostics = sorted;
    }
}

/* The learner's object against the harness it is about to join
 * (objcheck.h); a refusal becomes the diagnostics, as a compile error
 * would.  in[0] is the learner's object, in[1..2] the grader's. */
static int refuse_hostile_object(step_ctx *s, const link_input *in, const char *src_rel)
{
    char lib[PATH_MAX], src_abs[PATH_MAX];
    snprintf(lib, sizeof lib, "%s/build/lib/%s/libgoc.a", s->o->root, flavour_of(s->o)->lib);
    snprintf(src_abs, sizeof src_abs, "%s/%s", s->o->root, src_rel);
    const char *harness[2 + MAX_CHECK_ARCHIVES + 1] = {in[1].obj, in[2].obj};
    for (size_t i = 0, n = 2; i < MAX_CHECK_ARCHIVES; i++)
        if (check_archives[i][0])
            harness[n++] = check_archives[i];
    const char *libraries[] = {lib, NULL};
    cl_objcheck_opts oc = {in[0].obj, src_rel[0] == '/' ? src_rel : src_abs, src_rel, harness,
                           libraries, s->o->pass != CL_PASS_PLAIN};
    char *refusal = cl_objcheck(&oc);
    if (!refusal)
        return 0;
    free(s->res->diagnostics);
    s->res->diagnostics = refusal;
    return -1;
}

int cl_build_grader(const cl_build_opts *o, const char *source, const char *grader,
                    cl_build_result *res)
{
    step_ctx s;
    if (prepare(o, res, &s) < 0)
        return -1;
    if (check_wraps(&s) < 0)
        return -1;
    pthread_once(&check_once, load_check_flags);
    const char *learner_flags[] = {"-Dmain=chanlings_learner_main", NULL};
    char *src_rel = cl_build_relative(o->root, source);
    char *grader_rel = cl_build_relative(o->root, grader);
    hash_t keys[3];
    link_input in[3] = {{NULL, src_rel}, {NULL, grader_rel}, {NULL, "graders/grader_main.c"}};
    build_jail bj;
    build_jail_init(&bj, o, src_rel);
    s.jail = &bj.jail;
    char *learner = (char *)(in[0].obj = compile(&s, src_rel, learner_flags, NULL, &keys[0]));
    s.jail = NULL; /* the grader's own sources are the workbook's */
    char *gobj = NULL, *mobj = NULL;
    int rc = -1;
    /* Check's cflags may be several words; split them for the compiler. */
    argv_t gf = {0};
    arg_push_words(&gf, check_cflags);
    arg_push(&gf, "-Igraders");
    if (learner && !res->error) {
        gobj = (char *)(in[1].obj = compile(&s, grader_rel, (const char *const *)gf.v,
                                            "graders/grader.h", &keys[1]));
        if (gobj)
            mobj = (char *)(in[2].obj = compile(&s, "graders/grader_main.c",
                                                (const char *const *)gf.v,
                                                "graders/grader_protocol.h", &keys[2]));
        s.jail = &bj.jail;
        if (mobj && refuse_hostile_object(&s, in, src_rel) == 0)
            rc = link_exe(&s, in, 3, keys, true);
    }
    arg_free(&gf);
    finish(&s, rc, grader_rel, src_rel);
    free(learner), free(gobj), free(mobj), free(src_rel), free(grader_rel);
    return res->ok ? 0 : -1;
}

int cl_build_program(const cl_build_opts *o, const char *source, cl_build_result *res)
{
    step_ctx s;
    if (prepare(o, res, &s) < 0)
        return -1;
    char *src_rel = cl_build_relative(o->root, source);
    hash_t keys[2];
    build_jail bj;
    build_jail_init(&bj, o, src_rel);
    s.jail = &bj.jail;
    link_input in[2] = {{compile(&s, src_rel, NULL, NULL, &keys[0]), src_rel},
                        {NULL, "graders/grader_main.c"}};
    s.jail = NULL;
    size_t n = 1;
    /* grader_main's crash handler alone, so a crash in `run` says where;
     * a workbook without it still runs, just without that. */
    char main_path[PATH_MAX];
    snprintf(main_path, sizeof main_path, "%s/graders/grader_main.c", o->root);
    const char *crash_only[] = {"-DCL_CRASH_SITE_ONLY", NULL};
    if (in[0].obj && access(main_path, R_OK) == 0 &&
        (in[1].obj = compile(&s, "graders/grader_main.c", crash_only, NULL, &keys[1])))
        n = 2;
    s.jail = &bj.jail;
    int rc = in[0].obj && !res->error ? link_exe(&s, in, n, keys, false) : -1;
    finish(&s, rc, NULL, src_rel);
    free((char *)in[0].obj);
    free((char *)in[1].obj);
    free(src_rel);
    return res->ok ? 0 : -1;
}

void cl_build_result_free(cl_build_result *res)
{
    free(res->exe);
    free(res->diagnostics);
    free(res->missing_function);
    free(res->error);
    free(res->warnings);
    memset(res, 0, sizeof *res);
}
