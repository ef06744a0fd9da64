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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

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
    (void)info;
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

clockid_t __wrap_check_get_clockid(void)
{
    in_body = false;
    return __real_check_get_clockid();
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

int main(void)
{
    const char *timeout = getenv(CL_ENV_TEST_TIMEOUT);
    /* Check reads its default timeout when each TCase is created, so this
     * must be set before the grader builds its suite. */
    setenv("CK_DEFAULT_TIMEOUT", timeout && *timeout ? timeout : "10", 1);
    unsetenv("CK_FORK");
    catch_crashes();

    SRunner *sr = srunner_create(cl_grader_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);

    const char *path = getenv(CL_ENV_RESULTS);
    FILE *out = path ? fopen(path, "w") : stdout;
    if (!out) {
        fprintf(stderr, "grader: cannot write results to %s: %s\n", path, strerror(errno));
        return 3;
    }
    int n = srunner_ntests_run(sr), bad = 0;
    TestResult **tr = srunner_results(sr);
    for (int i = 0; i < n; i++) {
        int rtype = tr_rtype(tr[i]);
        bad += rtype != CK_PASS;
        fprintf(out, "%s\t", rtype_name(rtype));
        put_escaped(out, tr_tcname(tr[i]));
        fputc('\t', out);
        put_escaped(out, tr_lfile(tr[i]));
        fprintf(out, ":%d\t", tr_lno(tr[i]));
        put_escaped(out, tr_msg(tr[i]));
        fputc('\n', out);
    }
    free(tr);
    int rc = fclose(out) == 0 ? 0 : 3;
    srunner_free(sr);
    return rc ? rc : (bad ? 1 : 0);
}

#endif
