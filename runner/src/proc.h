/* chanlings — run a child program that may be hostile, and keep the runner
 * safe from it.
 *
 * The child runs under a "keeper": a small process of ours that becomes a
 * child subreaper (prctl), so every descendant — even one that forks,
 * daemonises or changes its process group the way Check's fork mode does —
 * stays in a tree the keeper can find and kill.  The program itself runs in
 * its own process group with resource limits, stdin from /dev/null, and
 * (when the runner is root) as an unprivileged user.  The runner reads the
 * merged stdout/stderr through poll() with a size cap and enforces a
 * wall-clock deadline: SIGTERM to the whole tree, then SIGKILL after a
 * grace period.  When the program exits, anything it left running is
 * killed too. */
#ifndef CL_PROC_H
#define CL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox.h"

typedef struct cl_proc_opts {
    char *const *argv;        /* argv[0] is the program's path */
    char *const *envp;        /* NULL: the runner's environment */
    const char *cwd;          /* NULL: the runner's cwd */
    int deadline_ms;          /* wall clock; 0: none */
    int grace_ms;             /* SIGTERM..SIGKILL; 0: 500 */
    size_t output_cap;        /* bytes kept, head and tail; 0: 1 MiB */
    bool sandbox;             /* resource limits and privilege drop */
    bool same_user;           /* sandbox: but never switch users (the
                                 compiler writes the runner's cache) */
    const cl_jail *jail;      /* run inside this jail (sandbox.h) when the
                                 machine allows one */
    bool race;                /* TSan: leave the address space unlimited */
    int cpu_seconds;          /* sandbox: RLIMIT_CPU; 0: deadline + 1 s */
    long max_procs;           /* sandbox: processes/threads allowed; 0: 1024 */
    long max_file_mb;         /* sandbox: RLIMIT_FSIZE in MiB; 0: 64 */
    long max_mem_mb;          /* sandbox: memory in MiB; 0: 4096.  RLIMIT_AS,
                                 except for race (TSan reserves terabytes of
                                 address space): then a memory cgroup, where
                                 the runner may make one */
    const volatile int *cancel; /* nonzero: stop the child as at a deadline */
    const char *secret;       /* set: the program gets a results pipe as fd
                                 CL_PROC_RESULTS_FD (read into res->results)
                                 and this text on fd CL_PROC_SECRET_FD */
    size_t results_cap;       /* bytes of results kept; 0: 4 MiB */
} cl_proc_opts;

/* Where a program started with opts.secret finds its two pipes. */
#define CL_PROC_RESULTS_FD 3
#define CL_PROC_SECRET_FD 4

typedef struct cl_proc_result {
    bool started;             /* false: could not start (error says why) */
    int exit_code;            /* exit status, or -1 if a signal ended it */
    int term_signal;          /* the signal that ended it, or 0 */
    bool timed_out;           /* the deadline passed and it was killed */
    bool cancelled;           /* *cancel became nonzero */
    char *out;                /* merged stdout+stderr, NUL-terminated; when
                                 cut, the head, a marker line, the tail */
    size_t out_len;
    size_t out_cut;           /* bytes dropped from the middle */
    char *results;            /* opts.secret: what arrived on the results
                                 pipe, NUL-terminated, at most results_cap */
    size_t results_cut;       /* bytes of results dropped past the cap */
    double seconds;           /* wall time */
    char error[256];          /* when !started */
} cl_proc_result;

/* Runs the program to its end; returns 0 if it started, -1 if not. */
int cl_proc_run(const cl_proc_opts *opts, cl_proc_result *res);

/* Whether jobs with a jail run jailed (sandbox.h probes once, through
 * cl_proc_run). */
bool cl_proc_jail_available(void);
void cl_proc_result_free(cl_proc_result *res);

/* The uid/gid learner code runs as when the runner is root ("chanlings" if
 * that user exists, else "nobody"); false when not root or no such user. */
bool cl_proc_sandbox_user(uid_t *uid, gid_t *gid);

/* Copies an executable (mode 0755) so that it can be started at once: no
 * fork can happen while the copy is open for writing, or the child would
 * hold the write handle and exec would fail with "Text file busy".
 * Returns 0, or -1 with errno set. */
int cl_proc_copy_program(const char *from, const char *to);

#endif
