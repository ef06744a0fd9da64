/* Shared helpers for libgoc's own Check suites.
 *
 * Each test program is one file that defines its suite and ends with
 * GOC_TEST_MAIN(suite_fn).  Tests run in Check's fork mode, each in its own
 * process, with a per-test timeout.  Death tests (panics, deadlock reports)
 * use run_dying(), which runs a function in a child and returns its exit
 * status and everything it wrote to stderr, so the test can read Go's
 * message. */
#ifndef GOC_TESTING_H
#define GOC_TESTING_H

#include <check.h>
#include <goc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsan_options.h"

typedef struct dying_result {
    int exit_status; /* -1 if killed by a signal */
    int signal;
    char out[65536]; /* stderr (and stdout) of the child, NUL-terminated; the rest is dropped */
} dying_result;

/* Runs fn(arg) in a forked child with stderr captured; the child exits 0
 * if fn returns.  Blocks at most `seconds`, then kills the child. */
static inline void run_dying(void (*fn)(void *), void *arg, int seconds, dying_result *r)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        dup2(fds[1], 1);
        /* Check's fork mode leaves its own SIGALRM handler here, and that
         * handler kills the whole process group: a child that overran its
         * alarm would take the test down with it ("Received signal 9")
         * instead of failing it with the child's output. */
        signal(SIGALRM, SIG_DFL);
        alarm((unsigned)seconds);
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    char spill[4096]; /* past the buffer: keep draining so the child never blocks */
    while ((n = used < sizeof r->out - 1 ? read(fds[0], r->out + used, sizeof r->out - 1 - used)
                                          : read(fds[0], spill, sizeof spill)) > 0)
        if (used < sizeof r->out - 1)
            used += (size_t)n;
    r->out[used] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

#define ck_assert_contains(haystack, needle)                                        \
    ck_assert_msg(strstr((haystack), (needle)) != NULL,                              \
                  "expected to find \"%s\" in:\n%s", (needle), (haystack))

#define GOC_TEST_MAIN(suite_fn)                                                      \
    int main(void)                                                                   \
    {                                                                                \
        /* A job started with & by a non-interactive shell ignores SIGQUIT,         \
         * and libgoc leaves an ignored SIGQUIT ignored: give the SIGQUIT           \
         * tests the default libgoc takes over. */                                  \
        signal(SIGQUIT, SIG_DFL);                                                    \
        SRunner *sr = srunner_create(suite_fn());                                    \
        srunner_set_fork_status(sr, CK_FORK);                                        \
        srunner_run_all(sr, CK_NORMAL);                                              \
        int failed = srunner_ntests_failed(sr);                                      \
        srunner_free(sr);                                                            \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                            \
    }

#endif
