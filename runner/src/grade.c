/* Build, run in the sandbox, read the verdicts (see grade.h). */
#include "grade.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "fs.h"
#include "grader_protocol.h"
#include "proc.h"
#include "report_buf.h"
#include "verdict.h"

#define DEFAULT_TEST_TIMEOUT 10
#define DEFAULT_RUN_DEADLINE 10
/* A grader runs its tests one after another, each bounded by its own
 * timeout; the whole program gets this long before it is stopped. */
#define DEFAULT_GRADE_DEADLINE 120

/* What each pass tells the sanitizer in the grader's environment.
 * TSan sleeps a second at every exit by default (atexit_sleep_ms), and
 * Check's fork mode exits once per test.  ASan stops at the first error
 * (the test's verdict is that error); LeakSanitizer runs when a test's
 * process exits normally, after the test passed — libgoc's own deliberate
 * exits (panics, the deadlock report) use _exit, which skips it, so only
 * a clean ending is checked for leaks.  Stack use after return is on: a
 * goroutine still using its spawner's local is the C-specific bug the
 * memory pass is for (measured: no cost worth naming).  UBSan prints the
 * stack so the report names the learner's line. */
static const struct pass_env {
    const char *name, *value;
} pass_env[][3] = {
    [CL_PASS_PLAIN] = {{NULL, NULL}},
    [CL_PASS_RACE] = {{"TSAN_OPTIONS",
                       "exitcode=66 halt_on_error=0 report_signal_unsafe=0 atexit_sleep_ms=0"}},
    [CL_PASS_MEMORY] = {{"ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:exitcode=23:"
                                         "abort_on_error=0:color=never:print_summary=1:"
                                         "detect_stack_use_after_return=1"},
                        {"UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=23:"
                                          "color=never"}},
};

/* ---- the scratch directory a run lives in ---- */

typedef struct scratch {
    char dir[PATH_MAX];
    char exe[PATH_MAX + 16];
    bool drop;
    uid_t uid;
    gid_t gid;
} scratch;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void scratch_remove(scratch *s)
{
    if (s->dir[0])
        nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    s->dir[0] = '\0';
}

/* Scratch directories carry the pid of the runner that made them
 * ("run-<pid>-XXXXXX"): one whose runner is gone (killed mid-check) is
 * removed by the next runner that makes one in the same place. */
#define SCRATCH_PREFIX "run-"
#define TMP_SCRATCH_PREFIX "chanlings-run-"

static void sweep_stale(const char *parent, const char *prefix)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    size_t pl = strlen(prefix);
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end;
        if (strncmp(de->d_name, prefix, pl) != 0)
            continue;
        long pid = strtol(de->d_name + pl, &end, 10);
        if (end == de->d_name + pl || *end != '-' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", parent, de->d_name) < (int)sizeof path)
            nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
}

/* Once per process and place: /tmp can be big. */
static void sweep_once(const char *parent, const char *prefix, bool in_tmp)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static bool tmp_swept;
    static char swept_cache[PATH_MAX];
    pthread_mutex_lock(&lock);
    bool due = in_tmp ? !tmp_swept : strcmp(swept_cache, parent) != 0;
    if (in_tmp)
        tmp_swept = true;
    else
        snprintf(swept_cache, sizeof swept_cache, "%s", parent);
    pthread_mutex_unlock(&lock);
    if (due)
        sweep_stale(parent, prefix);
}

/* A fresh directory for one run.  When learner code runs as another user
 * it lives in /tmp (the workbook may not be reachable by that user) and
 * gets its own copy of the program. */
static int scratch_make(scratch *s, const char *cache_dir, const char *exe, char **error)
{
    memset(s, 0, sizeof *s);
    s->drop = cl_proc_sandbox_user(&s->uid, &s->gid);
    if (s->drop) {
        sweep_once("/tmp", TMP_SCRATCH_PREFIX, true);
        snprintf(s->dir, sizeof s->dir, "/tmp/" TMP_SCRATCH_PREFIX "%d-XXXXXX", (int)getpid());
    } else {
        sweep_once(cache_dir, SCRATCH_PREFIX, false);
        snprintf(s->dir, sizeof s->dir, "%s/" SCRATCH_PREFIX "%d-XXXXXX", cache_dir, (int)getpid());
    }
    if (!mkdtemp(s->dir)) {
        cl_buf b = {0};
        cl_buf_printf(&b, "cannot create a scratch directory %s: %s", s->dir, strerror(errno));
        *error = cl_buf_take(&b);
        s->dir[0] = '\0';
        return -1;
    }
    snprintf(s->exe, sizeof s->exe, "%s", exe);
    char out[PATH_MAX + 8];
    snprintf(out, sizeof out, "%s/out", s->dir);
    int rc = mkdir(out, 0700);
    if (rc == 0 && s->drop) {
        snprintf(s->exe, sizeof s->exe, "%s/program", s->dir);
        rc = cl_proc_copy_program(exe, s->exe);
        rc |= chown(s->dir, s->uid, s->gid) | chown(out, s->uid, s->gid);
    }
    if (rc < 0) {
        cl_buf b = {0};
        cl_buf_printf(&b, "cannot prepare the scratch directory %s: %s", s->dir, strerror(errno));
        *error = cl_buf_take(&b);
        scratch_remove(s);
        return -1;
    }
    return 0;
}

/* The jail a run lives in: its scratch directory, read-write, and the
 * program, read-only (sandbox.h); nothing of the workbook besides. */
static void scratch_jail(const scratch *s, cl_jail *j)
{
    *j = (cl_jail){.ro = {s->exe}, .rw = {s->dir}, .cwd = s->dir};
}

/* ---- the child's environment: only what it needs ---- */

typedef struct env_t {
    char *v[32];
    size_t n;
} env_t;

static void env_add(env_t *e, const char *key, const char *value)
{
    if (e->n + 1 >= sizeof e->v / sizeof e->v[0] || !value)
        return;
    cl_buf b = {0};
    cl_buf_printf(&b, "%s=%s", key, value);
    e->v[e->n++] = cl_buf_take(&b);
    e->v[e->n] = NULL;
}

static void env_free(env_t *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
}

static void env_base(env_t *e, const scratch *s)
{
    static const char *const passed[] = {"LANG", "LC_ALL", "LC_CTYPE", "GOC_STACK_KB", "TERM"};
    env_add(e, "PATH", "/usr/local/bin:/usr/bin:/bin");
    env_add(e, "HOME", s->dir);
    for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++)
        env_add(e, passed[i], getenv(passed[i]));
}

/* ---- shared by grade and run ---- */

static cl_report *report_new(const cl_grade_opts *o)
{
    cl_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->slug = cl_strdup_or_null(o->slug);
    r->source = cl_build_relative(o->root, o->source);
    r->exit_code = -1;
    return r;
}

static char *default_cache(const cl_grade_opts *o)
{
    cl_buf b = {0};
    if (o->cache_dir)
        cl_buf_puts(&b, o->cache_dir);
    else
        cl_buf_printf(&b, "%s/.chanlings/cache", o->root);
    return cl_buf_take(&b);
}

static void internal(cl_report *r, char **error)
{
    r->status = CL_STATUS_INTERNAL;
    r->error = *error;
    *error = NULL;
}

/* Takes over a failed build: a compile error, or the runner's problem. */
static void take_build_failure(cl_report *r, cl_build_result *b)
{
    if (b->error) {
        internal(r, &b->error);
        return;
    }
    r->status = CL_STATUS_COMPILE_ERROR;
    r->diagnostics = b->diagnostics;
    r->missing_function = b->missing_function;
    b->diagnostics = b->missing_function = NULL;
}

static bool file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

static bool require(cl_report *r, const char *path, const char *what, const char *hint)
{
    if (file_exists(path))
        return true;
    cl_buf b = {0};
    cl_buf_printf(&b, "%s %s is missing or unreadable. %s", what, path, hint);
    char *e = cl_buf_take(&b);
    internal(r, &e);
    return false;
}

/* ---- grade ---- */

#define CL_STR_(x) #x
#define CL_STR(x) CL_STR_(x)
/* A grader has a few dozen tests; more result lines than this are not
 * the grader's. */
#define MAX_RESULT_LINES 1024

/* A fresh secret per run, as hex: the grader's parent process reads it
 * only after every test process has ended and puts it before each result
 * line, so a line without it was not written by the grader. */
static int make_secret(char *out, size_t size)
{
    unsigned char raw[16];
    if (size < 2 * sizeof raw + 1 || getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* The result lines that carry the secret, without it (at most
 * MAX_RESULT_LINES); anything else on the pipe is dropped. */
static char *vouched_results(const char *text, const char *secret)
{
    cl_buf b = {0};
    size_t sl = strlen(secret), lines = 0;
    for (const char *p = text; p && *p && lines < MAX_RESULT_LINES;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (nl && len > sl && memcmp(p, secret, sl) == 0 && p[sl] == '\t') {
            cl_buf_add(&b, p + sl + 1, len - sl);
            lines++;
        }
        p = nl ? nl + 1 : p + len;
    }
    return cl_buf_take(&b);
}

/* At most this many frame addresses go to the one symboliser of a
 * check, whatever the tests printed. */
#define MAX_SYMBOLISED_FRAMES 192
#define FRAMES_PER_CRASH 48

/* `addr2line -f` for frame offsets (grader_main's crash handler printed
 * them): one process for all of them; NULL when it could not run. */
static char *symbolise(const char *exe, const char *root, const unsigned long *off, size_t n)
{
    if (!n)
        return NULL;
    static const char *const lead[] = {"addr2line", "-f", "-e"};
    char *argv[3 + 1 + MAX_SYMBOLISED_FRAMES + 1];
    char hex[MAX_SYMBOLISED_FRAMES][24];
    for (size_t k = 0; k < 3; k++)
        argv[k] = (char *)lead[k];
    argv[3] = (char *)exe;
    for (size_t k = 0; k < n; k++) {
        snprintf(hex[k], sizeof hex[k], "%#lx", off[k]);
        argv[4 + k] = hex[k];
    }
    argv[4 + n] = NULL;
    cl_proc_opts po = {.argv = argv, .cwd = root, .deadline_ms = 10000, .output_cap = 256 * 1024};
    cl_proc_result pr;
    char *text = NULL;
    if (cl_proc_run(&po, &pr) == 0 && pr.exit_code == 0) {
        text = pr.out;
        pr.out = NULL;
    }
    cl_proc_result_free(&pr);
    return text;
}

/* addr2line's answer for frames [from, from + n): two lines per frame. */
static char *frames_slice(const char *a2l, size_t from, size_t n)
{
    const char *p = a2l;
    for (size_t line = 0; p && line < 2 * from; line++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    const char *end = p;
    for (size_t line = 0; end && *end && line < 2 * n; line++) {
        end = strchr(end, '\n');
        end = end ? end + 1 : end;
    }
    if (!p)
        return NULL;
    return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

/* A crashed test says where, in the learner's file.  One symboliser for
 * every crashed test of the pass, so forged frame lines cannot start a
 * process per test. */
static void locate_crashes(cl_report *r, size_t first, const char *exe, const char *root,
                           const char *learner_file)
{
    unsigned long off[MAX_SYMBOLISED_FRAMES];
    size_t n = 0, *start = calloc(2 * (r->ntests + 1), sizeof *start);
    if (!start)
        return;
    size_t *count = start + r->ntests + 1;
    for (size_t i = first; i < r->ntests; i++) {
        cl_test_verdict *v = &r->tests[i];
        size_t room = MAX_SYMBOLISED_FRAMES - n;
        start[i] = n;
        count[i] = v->kind == CL_VERDICT_CRASHED
                       ? cl_verdict_crash_frames(v->output, off + n,
                                                 room < FRAMES_PER_CRASH ? room : FRAMES_PER_CRASH)
                       : 0;
        n += count[i];
    }
    char *a2l = symbolise(exe, root, off, n);
    for (size_t i = first; i < r->ntests; i++) {
        if (r->tests[i].kind != CL_VERDICT_CRASHED)
            continue;
        char *mine = count[i] && a2l ? frames_slice(a2l, start[i], count[i]) : NULL;
        cl_verdict_place_crash(&r->tests[i], mine, learner_file);
        free(mine);
    }
    free(a2l);
    free(start);
}

/* One pass of the grader (plain, race or memory): build, run, read
 * verdicts.  Returns false when the pass could not produce verdicts. */
static bool grade_pass(const cl_grade_opts *o, const char *cache, const char *grader, cl_pass pass,
                       cl_report *r)
{
    cl_build_opts bo = {o->root, cache, pass, o->cancel, o->wrap};
    cl_build_result b;
    if (cl_build_grader(&bo, o->source, grader, &b) < 0) {
        take_build_failure(r, &b);
        cl_build_result_free(&b);
        return false;
    }
    r->compiled = true;
    r->cached = b.cached;
    /* Warnings of the plain build: the optimiser's view of the code the
     * learner wrote, without instrumentation's own false alarms. */
    if (pass == CL_PASS_PLAIN) {
        r->warnings = b.warnings;
        b.warnings = NULL;
    }
    scratch s;
    char *error = NULL;
    if (scratch_make(&s, cache, b.exe, &error) < 0) {
        internal(r, &error);
        cl_build_result_free(&b);
        return false;
    }
    char outdir[PATH_MAX + 8], timeout[16], secret[2 * 16 + 1];
    snprintf(outdir, sizeof outdir, "%s/out", s.dir);
    if (make_secret(secret, sizeof secret) < 0) {
        error = strdup("cannot draw a random secret for the results (getrandom failed)");
        internal(r, &error);
        scratch_remove(&s);
        cl_build_result_free(&b);
        return false;
    }
    snprintf(timeout, sizeof timeout, "%d", o->test_timeout > 0 ? o->test_timeout : DEFAULT_TEST_TIMEOUT);
    env_t env = {0};
    env_base(&env, &s);
    env_add(&env, CL_ENV_RESULTS_FD, CL_STR(CL_PROC_RESULTS_FD));
    env_add(&env, CL_ENV_SECRET_FD, CL_STR(CL_PROC_SECRET_FD));
    env_add(&env, CL_ENV_OUTPUT_DIR, outdir);
    env_add(&env, CL_ENV_TEST_TIMEOUT, timeout);
    for (size_t i = 0; pass_env[pass][i].name; i++)
        env_add(&env, pass_env[pass][i].name, pass_env[pass][i].value);

    char *argv[] = {s.exe, NULL};
    /* Both sanitizers reserve terabytes of shadow address space, so
     * neither can run under the sandbox's address-space limit. */
    cl_jail jail;
    scratch_jail(&s, &jail);
    /* LeakSanitizer stops the world with ptrace; only the memory pass,
     * whose passes count for nothing (it adds failures only), may trace. */
    jail.allow_tracing = pass == CL_PASS_MEMORY;
    cl_proc_opts po = {.argv = argv, .envp = env.v, .cwd = s.dir, .sandbox = true, .jail = &jail,
                       .race = pass != CL_PASS_PLAIN, .cancel = o->cancel, .secret = secret,
                       .deadline_ms = 1000 * (o->deadline > 0 ? o->deadline : DEFAULT_GRADE_DEADLINE)};
    cl_proc_result pr;
    bool ran = cl_proc_run(&po, &pr) == 0;
    char *src_rel = cl_build_relative(o->root, o->source);
    size_t before = r->ntests;
    if (ran) {
        char *text = vouched_results(pr.results, secret);
        cl_verdict_read_results(text, outdir, src_rel, pass, &r->tests, &r->ntests);
        free(text);
        locate_crashes(r, before, b.exe, o->root, src_rel);
        if (pr.out && *pr.out && !r->output) {
            r->output = pr.out;
            r->output_cut = pr.out_cut;
            pr.out = NULL;
        }
        r->exit_code = pr.exit_code;
        r->term_signal = pr.term_signal;
        if (pr.timed_out || pr.cancelled)
            r->status = CL_STATUS_TIMEOUT;
        else if (r->ntests == before)
            r->status = CL_STATUS_CRASHED;
    } else {
        cl_buf eb = {0};
        cl_buf_printf(&eb, "could not start the grader: %s", pr.error);
        error = cl_buf_take(&eb);
        internal(r, &error);
    }
    free(src_rel);
    cl_proc_result_free(&pr);
    env_free(&env);
    scratch_remove(&s);
    cl_build_result_free(&b);
    return ran && r->ntests > before;
}

/* ---- the sanitizer passes ----
 *
 * The race and memory passes run beside the plain one (two cores halve
 * the wait) and are stopped as soon as the plain pass turns out not to be
 * clean: a failing or stuck program is fixed first. */
typedef struct extra_pass {
    cl_grade_opts opts;       /* the caller's, with our own cancel flag */
    const char *cache, *grader;
    cl_pass pass;
    cl_report *r;
    pthread_t thread;
    bool threaded;
    volatile int cancel;
} extra_pass;

static void *extra_main(void *arg)
{
    extra_pass *job = arg;
    grade_pass(&job->opts, job->cache, job->grader, job->pass, job->r);
    return NULL;
}

/* Adds what an extra pass found that the plain pass did not say: its
 * failures, or why it could not give verdicts. */
static void merge_pass(cl_report *r, cl_report *extra, cl_pass pass)
{
    r->cached = r->cached && extra->cached;
    if (extra->ntests) {
        if (pass == CL_PASS_RACE)
            r->race_checked = true;
        else
            r->memory_checked = true;
        for (size_t i = 0; i < extra->ntests; i++) {
            cl_test_verdict *v = &extra->tests[i];
            cl_test_verdict *grown = v->kind == CL_VERDICT_PASSED
                                         ? NULL
                                         : realloc(r->tests, (r->ntests + 1) * sizeof *r->tests);
            if (grown) {
                r->tests = grown;
                r->tests[r->ntests++] = *v;
            } else {
                cl_test_verdict_clear(v);
            }
        }
        extra->ntests = 0;
    }
    if (extra->status == CL_STATUS_PASSED)
        return;
    r->status = extra->status;
    /* Take over whatever explains it. */
    char **mine[] = {&r->error, &r->diagnostics, &r->missing_function, &r->output};
    char **theirs[] = {&extra->error, &extra->diagnostics, &extra->missing_function,
                       &extra->output};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        if (*theirs[i]) {
            free(*mine[i]);
            *mine[i] = *theirs[i];
            *theirs[i] = NULL;
        }
    }
    if (extra->status == CL_STATUS_COMPILE_ERROR)
        r->compiled = false;
}

static bool has_crash(const cl_report *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        if (r->tests[i].kind == CL_VERDICT_CRASHED)
            return true;
    return false;
}

/* A test the plain pass saw die of a signal (SIGSEGV, SIGBUS) with no line
 * of the learner's is explained by the memory pass when it saw the same
 * test fault: its report names the bad access, the free and the learner's
 * lines.  Only such crashes are replaced; every other verdict stays the
 * plain pass's. */
static void explain_crashes(cl_report *r, cl_report *memory)
{
    for (size_t i = 0; i < r->ntests; i++) {
        cl_test_verdict *mine = &r->tests[i];
        if (mine->kind != CL_VERDICT_CRASHED)
            continue;
        for (size_t j = 0; j < memory->ntests; j++) {
            cl_test_verdict *theirs = &memory->tests[j];
            bool explains = theirs->kind == CL_VERDICT_MEMORY || theirs->kind == CL_VERDICT_UNDEFINED;
            if (explains && theirs->name && mine->name && strcmp(theirs->name, mine->name) == 0) {
                cl_test_verdict_clear(mine);
                *mine = *theirs;
                *theirs = (cl_test_verdict){0};
                r->memory_checked = true;
                break;
            }
        }
    }
}

static void settle_status(cl_report *r)
{
    if (r->status != CL_STATUS_PASSED)
        return;
    r->status = cl_report_passed(r) == r->ntests ? CL_STATUS_PASSED : CL_STATUS_FAILED;
}

/* Plain pass here, the sanitizer passes the lesson asks for on threads
 * beside it; their verdicts are merged in pass order (race, then memory)
 * only when the plain pass is clean. */
static void grade_passes(const cl_grade_opts *o, const char *cache, const char *grader,
                         cl_report *r)
{
    extra_pass extra[2];
    size_t n = 0;
    const bool wanted[] = {[CL_PASS_RACE] = o->race, [CL_PASS_MEMORY] = o->asan};
    for (cl_pass p = CL_PASS_RACE; p <= CL_PASS_MEMORY; p++) {
        if (!wanted[p])
            continue;
        extra_pass *e = &extra[n++];
        *e = (extra_pass){.opts = *o, .cache = cache, .grader = grader, .pass = p,
                          .r = calloc(1, sizeof *e->r)};
        e->opts.cancel = &e->cancel;
        e->threaded = e->r && pthread_create(&e->thread, NULL, extra_main, e) == 0;
    }
    bool clean = grade_pass(o, cache, grader, CL_PASS_PLAIN, r);
    settle_status(r);
    bool stopped = o->cancel && *o->cancel;
    clean = clean && r->status == CL_STATUS_PASSED && !stopped;
    /* A bare crash is worth the memory pass's wait: it says what the signal cannot. */
    bool explain = !clean && !stopped && has_crash(r);
    for (size_t i = 0; i < n; i++) {
        extra_pass *e = &extra[i];
        bool needed = clean || (explain && e->pass == CL_PASS_MEMORY);
        if (e->threaded) {
            if (!needed)
                e->cancel = 1;
        } else if (needed && e->r) {
            extra_main(e);
        }
    }
    for (size_t i = 0; i < n; i++) {
        extra_pass *e = &extra[i];
        if (e->threaded)
            pthread_join(e->thread, NULL);
        if (clean && e->r) {
            merge_pass(r, e->r, e->pass);
            settle_status(r);
        } else if (explain && e->r && e->pass == CL_PASS_MEMORY) {
            explain_crashes(r, e->r);
        }
        cl_report_free(e->r);
    }
}

cl_report *cl_grade(const cl_grade_opts *o)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cl_report *r = report_new(o);
    if (!r)
        return NULL;
    char *cache = default_cache(o);
    cl_buf g = {0};
    if (o->grader)
        cl_buf_puts(&g, o->grader);
    else
        cl_buf_printf(&g, "%s/graders/%s.c", o->root, o->slug ? o->slug : "");
    char main_path[PATH_MAX];
    snprintf(main_path, sizeof main_path, "%s/graders/grader_main.c", o->root);
    if (require(r, o->source, "The exercise file", "Did you move or delete it? `chanlings reset` restores it.") &&
        require(r, g.s, "The grader", "The workbook is incomplete: check out graders/ again.") &&
        require(r, main_path, "The grader driver", "The workbook is incomplete: check out graders/ again.")) {
        grade_passes(o, cache, g.s, r);
    }
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    free(g.s);
    free(cache);
    return r;
}

/* ---- run ---- */

/* Copies the trace the program wrote into its scratch directory out of it,
 * as learner output is read (report_buf.h: never through a symlink, regular
 * files only, bounded; a cut file shows as damaged when it is drawn). */
static void keep_trace(const char *from, const char *to)
{
    char *text = cl_read_text(from, 64u << 20);
    if (text)
        cl_write_file_atomic(to, text, strlen(text));
    free(text);
}

cl_report *cl_run(const cl_grade_opts *o)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cl_report *r = report_new(o);
    if (!r)
        return NULL;
    r->ran_main = true;
    char *cache = default_cache(o);
    cl_build_opts bo = {o->root, cache, CL_PASS_PLAIN, o->cancel, NULL};
    cl_build_result b = {0};
    if (!require(r, o->source, "The exercise file", "Did you move or delete it? `chanlings reset` restores it.")) {
        /* reported */
    } else if (cl_build_program(&bo, o->source, &b) < 0) {
        take_build_failure(r, &b);
    } else {
        r->compiled = true;
        r->cached = b.cached;
        r->warnings = b.warnings;
        b.warnings = NULL;
        scratch s;
        char *error = NULL;
        if (scratch_make(&s, cache, b.exe, &error) < 0) {
            internal(r, &error);
        } else {
            env_t env = {0};
            env_base(&env, &s);
            char trace[PATH_MAX + 16];
            snprintf(trace, sizeof trace, "%s/trace.json", s.dir);
            if (o->trace_to)
                env_add(&env, "GOC_TRACE", trace);
            char *argv[] = {s.exe, NULL};
            cl_jail jail;
            scratch_jail(&s, &jail);
            cl_proc_opts po = {.argv = argv, .envp = env.v, .cwd = s.dir, .sandbox = true,
                               .jail = &jail,
                               .cancel = o->cancel,
                               .deadline_ms = 1000 * (o->deadline > 0 ? o->deadline : DEFAULT_RUN_DEADLINE)};
            cl_proc_result pr;
            if (cl_proc_run(&po, &pr) == 0) {
                if (pr.term_signal) {
                    unsigned long off[FRAMES_PER_CRASH];
                    size_t n = cl_verdict_crash_frames(pr.out, off, FRAMES_PER_CRASH);
                    char *a2l = symbolise(b.exe, o->root, off, n);
                    char *src_rel = cl_build_relative(o->root, o->source);
                    r->crash_site = cl_verdict_crash_site(a2l, src_rel);
                    free(src_rel);
                    free(a2l);
                }
                r->output = cl_verdict_strip_frames(pr.out);
                r->output_cut = pr.out_cut;
                r->exit_code = pr.exit_code;
                r->term_signal = pr.term_signal;
                r->status = pr.timed_out || pr.cancelled ? CL_STATUS_TIMEOUT
                            : pr.term_signal           ? CL_STATUS_CRASHED
                            : pr.exit_code == 0        ? CL_STATUS_PASSED
                                                       : CL_STATUS_FAILED;
            } else {
                cl_buf eb = {0};
                cl_buf_printf(&eb, "could not start the program: %s", pr.error);
                error = cl_buf_take(&eb);
                internal(r, &error);
            }
            cl_proc_result_free(&pr);
            env_free(&env);
            if (o->trace_to)
                keep_trace(trace, o->trace_to);
            scratch_remove(&s);
        }
    }
    cl_build_result_free(&b);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    free(cache);
    return r;
}
