/* The main of every grader program: runs the suite a grader defines
 * (cl_grader_suite) the way docs/ARCHITECTURE.md's grader protocol says,
 * and writes one result line per test for the runner.
 *
 * Built and linked by the runner (runner/src/build.c) with
 *   -Wl,--wrap=exit,--wrap=_exit,--wrap=quick_exit,
 *   --wrap=tcase_fn_start,--wrap=check_get_clockid
 * because Check counts a test whose process exits with status 0 as passed:
 * learner code calling exit(0) inside a graded function would pass.  The
 * wraps note when a test body is running (between Check's tcase_fn_start
 * and the clock reading it takes right after the body returns) and turn
 * an exit there into a distinct failure the runner reports as "exited".
 *
 * Verdicts the learner's code cannot write (docs/ARCHITECTURE.md, "the
 * threat model").  When the runner grades (CL_RESULTS_FD set), nothing of
 * the learner's runs in this parent process: the runner's object check
 * refuses constructors, destructors and definitions of names libc, Check,
 * libgoc or this file use, so learner code only runs inside Check's
 * per-test children.  The parent then
 *   - makes itself undumpable, so a same-user process cannot open its
 *     descriptors or memory through /proc;
 *   - before each test's fork (--wrap=fork: Check forks in its own code)
 *     draws a fresh random nonce; the child keeps only its own, closes the
 *     runner's descriptors, and sends "test index + nonce" over a pipe only
 *     this parent reads when the body returns normally (Check's clock
 *     reading right after it: every failed assertion leaves without
 *     returning).  A test Check calls passed counts only with its token,
 *     so exit(0), exit_group, exec or killing the test early is not a pass;
 *   - writes the results to the runner's pipe (not a file a daemon could
 *     rewrite), each line behind a per-run secret it reads from the runner
 *     only after every test ended, so no test process ever held it.
 *
 * Built with -DCL_CRASH_SITE_ONLY it is only the crash handler below,
 * installed by a constructor: `chanlings run` links that into the
 * learner's own program so a crash there says where too. */
/* dladdr and the signal context's registers are GNU extensions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <goc/runtime.h>
#include "grader_protocol.h"

/* A crash in a test prints where it happened before the process dies:
 * the offsets of the program's own frames, which the runner turns into
 * file:line with addr2line ("chanlings-frame: 0x..." lines in the test's
 * output).  Only this program's frames: libc and Check say nothing a
 * learner can act on. */
static void print_frame(const Dl_info *self, void *addr, unsigned long back)
{
    char line[64];
    int len = snprintf(line, sizeof line, CL_MARK_FRAME "%#lx\n",
                       (unsigned long)((char *)addr - (char *)self->dli_fbase) - back);
    ssize_t w = write(2, line, (size_t)len);
    (void)w;
}

/* The instruction that faulted, from the signal's context. */
static void *fault_pc(void *uctx)
{
    ucontext_t *uc = uctx;
#if defined(__x86_64__)
    return (void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (void *)uc->uc_mcontext.pc;
#else
    (void)uc;
    return NULL;
#endif
}

static void crash_handler(int sig, siginfo_t *info, void *uctx)
{
    /* A goroutine that ran off its stack: libgoc names it (and exits). */
    if (sig == SIGSEGV)
        goc_stack_overflow_check(info->si_addr);
    void *frames[48];
    int n = backtrace(frames, 48);
    Dl_info self, where;
    void *pc = fault_pc(uctx);
    if (dladdr((void *)crash_handler, &self) && self.dli_fbase) {
        if (pc && dladdr(pc, &where) && where.dli_fbase == self.dli_fbase)
            print_frame(&self, pc, 0);
        for (int i = 0; i < n; i++) {
            if (frames[i] == pc || !dladdr(frames[i], &where) ||
                where.dli_fbase != self.dli_fbase || where.dli_saddr == (void *)crash_handler)
                continue;
            /* Return addresses point after the call; step back into it. */
            print_frame(&self, frames[i], 1);
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_crashes(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_sigaction = crash_handler,
                           .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

#ifdef CL_CRASH_SITE_ONLY

__attribute__((constructor)) static void install_crash_handler(void)
{
    catch_crashes();
}

#else

#include <check.h>

Suite *cl_grader_suite(void);

/* Check reports "Early exit with return value 86" (CL_EXIT_IN_BODY_STATUS)
 * for an exit(0) inside a test body; the marker line tells the runner the
 * real status. */

static volatile bool in_body;

void __real_exit(int status) __attribute__((noreturn));
void __real__exit(int status) __attribute__((noreturn));
void __real_quick_exit(int status) __attribute__((noreturn));
void __real_tcase_fn_start(const char *fname, const char *file, int line);
clockid_t __real_check_get_clockid(void);

void __wrap_tcase_fn_start(const char *fname, const char *file, int line)
{
    __real_tcase_fn_start(fname, file, line);
    in_body = true;
}

/* ---- proof that a test body reached its end ---- */

#define CL_MAX_TESTS 1024
#define CL_NONCE_BYTES 16

typedef struct token {
    unsigned int test;
    unsigned char nonce[CL_NONCE_BYTES];
} token;

static struct {
    bool on;              /* graded by the runner: tokens decide passes */
    int results_fd, secret_fd;
    int token_rd, token_wr;
    pid_t parent;
    unsigned nforks;      /* tests forked so far */
    bool is_child;
    token mine;           /* in a test child: its own token */
    unsigned char nonces[CL_MAX_TESTS][CL_NONCE_BYTES]; /* parent only */
    unsigned char seen[CL_MAX_TESTS];
    char got[64 * 1024];  /* token bytes read so far */
    size_t got_len;
} proof = {.results_fd = -1, .secret_fd = -1, .token_rd = -1, .token_wr = -1};

/* Weak, so a grader linked without --wrap=fork (graders/tests/run.sh)
 * still links; the runner always wraps it. */
pid_t __real_fork(void) __attribute__((weak));

static void drain_tokens(void)
{
    for (;;) {
        if (proof.got_len + sizeof(token) > sizeof proof.got) {
            /* Full of something no test sent; keep the newest half. */
            memmove(proof.got, proof.got + sizeof proof.got / 2, sizeof proof.got / 2);
            proof.got_len = sizeof proof.got / 2;
        }
        ssize_t n = read(proof.token_rd, proof.got + proof.got_len, sizeof proof.got - proof.got_len);
        if (n <= 0)
            return;
        proof.got_len += (size_t)n;
    }
}

/* Marks every test whose own token arrived (anywhere in the stream: a
 * stray write cannot shift the real ones out of place). */
static void match_tokens(void)
{
    drain_tokens();
    for (unsigned k = 0; k < proof.nforks && k < CL_MAX_TESTS; k++) {
        token t = {.test = k};
        memcpy(t.nonce, proof.nonces[k], CL_NONCE_BYTES);
        if (memmem(proof.got, proof.got_len, &t, sizeof t))
            proof.seen[k] = 1;
    }
}

pid_t __wrap_fork(void)
{
    if (!proof.on || getpid() != proof.parent || proof.nforks >= CL_MAX_TESTS)
        return __real_fork ? __real_fork() : -1;
    unsigned k = proof.nforks++;
    if (getrandom(proof.nonces[k], CL_NONCE_BYTES, 0) != CL_NONCE_BYTES)
        memset(proof.nonces[k], 0, CL_NONCE_BYTES); /* no token can match zeros by chance */
    drain_tokens();
    pid_t pid = __real_fork();
    if (pid == 0) {
        proof.is_child = true;
        proof.mine.test = k;
        memcpy(proof.mine.nonce, proof.nonces[k], CL_NONCE_BYTES);
        /* Nothing of the other tests, the runner's pipes or the tokens
         * already sent stays within reach of this test's code. */
        memset(proof.nonces, 0, sizeof proof.nonces);
        memset(proof.got, 0, sizeof proof.got);
        /* LeakSanitizer (the memory pass) stops the test's threads with
         * ptrace from a helper process of its own, which a non-dumpable
         * test would refuse.  Only the parent must stay closed. */
        if (getenv("ASAN_OPTIONS"))
            prctl(PR_SET_DUMPABLE, 1);
        close(proof.results_fd);
        close(proof.secret_fd);
        close(proof.token_rd);
    }
    return pid;
}

clockid_t __wrap_check_get_clockid(void)
{
    if (in_body && proof.is_child) {
        /* The body returned: every assertion in it held. */
        ssize_t w = write(proof.token_wr, &proof.mine, sizeof proof.mine);
        (void)w;
        memset(&proof.mine, 0, sizeof proof.mine);
    }
    in_body = false;
    return __real_check_get_clockid();
}

static int env_fd(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : -1;
}

/* Graded by the runner: the results pipe, the secret pipe, our own token
 * pipe, and no way in through /proc. */
static void proof_start(void)
{
    proof.results_fd = env_fd(CL_ENV_RESULTS_FD);
    proof.secret_fd = env_fd(CL_ENV_SECRET_FD);
    unsetenv(CL_ENV_RESULTS_FD);
    unsetenv(CL_ENV_SECRET_FD);
    if (proof.results_fd < 0 || proof.secret_fd < 0)
        return;
    int p[2];
    if (pipe(p) < 0)
        return;
    proof.token_rd = p[0];
    proof.token_wr = p[1];
    fcntl(proof.token_rd, F_SETFL, O_NONBLOCK);
    prctl(PR_SET_DUMPABLE, 0);
    proof.parent = getpid();
    proof.on = true;
}

/* The secret, read only now that no test process exists any more. */
static void read_secret(char *secret, size_t size)
{
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(proof.secret_fd, secret + len, size - 1 - len)) > 0)
        len += (size_t)n;
    secret[len] = '\0';
    secret[strcspn(secret, "\n")] = '\0';
    close(proof.secret_fd);
}

static int body_exit_status(int status)
{
    if (!in_body)
        return status;
    in_body = false;
    /* A nonzero status already shows as Check's "Early exit"; only 0
     * needs translating.  stderr is the test's output file by now
     * (grader.h), so the marker lands beside the test it belongs to. */
    if (status != 0)
        return status;
    fprintf(stderr, "\n" CL_MARK_EXIT "0) was called inside a graded function\n");
    fflush(NULL);
    return CL_EXIT_IN_BODY_STATUS;
}

void __wrap_exit(int status)
{
    __real_exit(body_exit_status(status));
}

void __wrap__exit(int status)
{
    __real__exit(body_exit_status(status));
}

void __wrap_quick_exit(int status)
{
    __real_quick_exit(body_exit_status(status));
}

/* Writes s with backslash, tab and newline escaped (the protocol's rule). */
static void put_escaped(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\t')
            fputs("\\t", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static const char *rtype_name(int rtype)
{
    return rtype == CK_PASS ? "pass" : rtype == CK_FAILURE ? "fail" : "error";
}

/* The verdict of test i: Check's, except that a pass needs its token. */
static const char *test_verdict(int i, int rtype, const char **msg)
{
    if (rtype == CK_PASS && proof.on && ((unsigned)i >= proof.nforks || !proof.seen[i])) {
        *msg = "Early exit with return value 0: the test process ended before the test's last "
               "check (exit, exit_group, exec or a kill inside the graded code)";
        return "error";
    }
    return rtype_name(rtype);
}

int main(void)
{
    const char *timeout = getenv(CL_ENV_TEST_TIMEOUT);
    /* Check reads its default timeout when each TCase is created, so this
     * must be set before the grader builds its suite. */
    setenv("CK_DEFAULT_TIMEOUT", timeout && *timeout ? timeout : "10", 1);
    unsetenv("CK_FORK");
    catch_crashes();
    proof_start();

    SRunner *sr = srunner_create(cl_grader_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);

    FILE *out = NULL;
    char secret[128] = "";
    if (proof.on) {
        match_tokens();
        read_secret(secret, sizeof secret);
        out = fdopen(proof.results_fd, "w");
    } else {
        const char *path = getenv(CL_ENV_RESULTS);
        out = path ? fopen(path, "w") : stdout;
        if (!out) {
            fprintf(stderr, "grader: cannot write results to %s: %s\n", path, strerror(errno));
            return 3;
        }
    }
    if (!out)
        return 3;
    int n = srunner_ntests_run(sr), bad = 0;
    TestResult **tr = srunner_results(sr);
    for (int i = 0; i < n; i++) {
        const char *msg = tr_msg(tr[i]);
        const char *verdict = test_verdict(i, tr_rtype(tr[i]), &msg);
        bad += strcmp(verdict, "pass") != 0;
        if (proof.on)
            fprintf(out, "%s\t", secret);
        fprintf(out, "%s\t", verdict);
        put_escaped(out, tr_tcname(tr[i]));
        fputc('\t', out);
        put_escaped(out, tr_lfile(tr[i]));
        fprintf(out, ":%d\t", tr_lno(tr[i]));
        put_escaped(out, msg);
        fputc('\n', out);
    }
    free(tr);
    int rc = fclose(out) == 0 ? 0 : 3;
    srunner_free(sr);
    return rc ? rc : (bad ? 1 : 0);
}

#endif
