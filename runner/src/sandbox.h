/* chanlings — the jail learner code is built and run in (docs/ARCHITECTURE.md,
 * "the threat model").
 *
 * Each job runs under bubblewrap (bwrap) in its own user, pid, mount,
 * network, ipc and uts namespaces with no capabilities, its own session,
 * and a seccomp filter (libseccomp) that refuses the system calls no
 * exercise needs (ptrace, mount, unshare, bpf, keyctl, TIOCSTI...).  Inside,
 * the file system is empty but for the system's programs and libraries,
 * a few files of /etc, a private /tmp, /proc of its own pid namespace, and
 * the paths the job names: read-only, or read-write (the scratch directory
 * or the cache the compiler writes to).  Nothing else of the workbook, no
 * $HOME, no other student, no /etc/shadow.
 *
 * Where bwrap is missing or the kernel does not let this user create
 * namespaces, jobs run without a jail (limits, process groups and, as
 * root, another user still apply) and the runner says so once on stderr.
 * CHANLINGS_SANDBOX=off turns the jail off on purpose (benchmarks);
 * CHANLINGS_BWRAP names bwrap when it is not in /usr/bin. */
#ifndef CL_SANDBOX_H
#define CL_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#define CL_JAIL_MAX_PATHS 8

typedef struct cl_jail {
    const char *ro[CL_JAIL_MAX_PATHS]; /* visible read-only at the same path */
    const char *rw[CL_JAIL_MAX_PATHS]; /* visible read-write at the same path */
    const char *cwd;                   /* where the job starts */
    bool allow_tracing;                /* the job may ptrace its own
                                          processes (LeakSanitizer) */
} cl_jail;

/* How the probe runs a command as a sandboxed job (proc.c passes one, so
 * this module does not include proc.h, which includes it): fills `out`
 * with the job's output, or with why it could not start; returns the exit
 * code, or -1 when it could not start. */
typedef int (*cl_sandbox_run_fn)(char *const *argv, char *out, size_t outsz);

/* True when jobs can be jailed (probed once per process with `run`, as the
 * user learner code runs as); false after printing, once, what the runner
 * falls back to.  Callers use cl_proc_jail_available() (proc.h). */
bool cl_sandbox_available(cl_sandbox_run_fn run);

/* bwrap's path, once cl_sandbox_available() said true. */
const char *cl_sandbox_bwrap(void);

/* Where the seccomp filter is handed to bwrap in the job's process. */
#define CL_SANDBOX_SECCOMP_FD 5

/* The command that runs argv (argv[0] a path) in the jail: bwrap's path
 * and arguments, then argv.  With seccomp, bwrap reads the filter from
 * CL_SANDBOX_SECCOMP_FD.  NULL when out of memory; free with
 * cl_sandbox_argv_free. */
char **cl_sandbox_argv(const cl_jail *jail, char *const *argv, bool seccomp);
void cl_sandbox_argv_free(char **argv);

/* A file descriptor holding the compiled seccomp filter (close-on-exec,
 * positioned at its start), or -1 when libseccomp is not available.
 * allow_tracing: the filter without ptrace and process_vm_*, for jobs
 * that trace themselves (the pid namespace keeps it to the job). */
int cl_sandbox_seccomp_fd(bool allow_tracing);

#endif
