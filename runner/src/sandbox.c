/* The jail around learner builds and runs (see sandbox.h).
 *
 * Why bubblewrap and not our own namespace code: setting up a user
 * namespace, its uid/gid maps, a fresh root with bind mounts, a pid 1
 * that reaps, no_new_privs and a seccomp filter in the right order is
 * exactly the part where home-made sandboxes get subtle things wrong
 * (mount propagation, /proc of the wrong pid namespace, setgroups).
 * bwrap is small, audited, packaged everywhere Flatpak runs, and does it
 * unprivileged where the kernel allows user namespaces. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef CL_HAVE_SECCOMP
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sched.h>
#endif


/* What every job sees besides its own paths: the system's programs and
 * libraries, and of /etc only what compilers and the dynamic loader read. */
static const char *const system_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                                          "/libx32"};
static const char *const etc_files[] = {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf",
                                        "/etc/ld.so.conf.d", "/etc/localtime", "/etc/passwd",
                                        "/etc/group", "/etc/nsswitch.conf"};

/* ---- finding bwrap ---- */

static char bwrap_path[PATH_MAX];

/* $CHANLINGS_BWRAP names it where it is installed elsewhere (and lets the
 * tests pretend it is missing). */
static bool find_bwrap(void)
{
    const char *env = getenv("CHANLINGS_BWRAP");
    if (env && *env) {
        snprintf(bwrap_path, sizeof bwrap_path, "%s", env);
        return access(bwrap_path, X_OK) == 0;
    }
    static const char *const places[] = {"/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        if (access(places[i], X_OK) == 0) {
            snprintf(bwrap_path, sizeof bwrap_path, "%s", places[i]);
            return true;
        }
    }
    return false;
}

/* ---- the command ---- */

typedef struct args {
    char **v;
    size_t n, cap;
    bool failed;
} args;

static void add(args *a, const char *s)
{
    if (a->failed)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->failed = true;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    if (!(a->v[a->n] = strdup(s))) {
        a->failed = true;
        return;
    }
    a->v[++a->n] = NULL;
}

static void add3(args *a, const char *x, const char *y, const char *z)
{
    add(a, x);
    add(a, y);
    if (z)
        add(a, z);
}

/* A system directory: a symlink (merged /usr) stays a symlink. */
static void add_system_dir(args *a, const char *dir)
{
    struct stat st;
    char target[PATH_MAX];
    if (lstat(dir, &st) < 0)
        return;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(dir, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            add3(a, "--symlink", target, dir);
        }
    } else if (S_ISDIR(st.st_mode)) {
        add3(a, "--ro-bind", dir, dir);
    }
}

/* Paths as the job will use them: relative ones from the runner's cwd. */
static const char *absolute(const char *path, char *buf, size_t size)
{
    char cwd[PATH_MAX];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        return path;
    int n = snprintf(buf, size, "%s/%s", cwd, path);
    return n > 0 && (size_t)n < size ? buf : path;
}

/* A path of the job's, at the same place inside; one that does not exist
 * is left out (the job then sees it missing, as it is). */
static void add_bind(args *a, const char *how, const char *path)
{
    char abs[PATH_MAX];
    const char *p = absolute(path, abs, sizeof abs);
    if (access(p, F_OK) == 0)
        add3(a, how, p, p);
}

char **cl_sandbox_argv(const cl_jail *j, char *const *argv, bool seccomp)
{
    args a = {0};
    add(&a, bwrap_path);
    static const char *const fixed[] = {
        "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        add(&a, fixed[i]);
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        add_system_dir(&a, system_dirs[i]);
    for (size_t i = 0; i < sizeof etc_files / sizeof etc_files[0]; i++)
        add3(&a, "--ro-bind-try", etc_files[i], etc_files[i]);
    for (size_t i = 0; j && i < CL_JAIL_MAX_PATHS && j->ro[i]; i++)
        add_bind(&a, "--ro-bind", j->ro[i]);
    for (size_t i = 0; j && i < CL_JAIL_MAX_PATHS && j->rw[i]; i++)
        add_bind(&a, "--bind", j->rw[i]);
    /* Everything not bound read-write above stays read-only, the
     * directories bwrap made to hold the binds included. */
    add3(&a, "--remount-ro", "/", NULL);
    if (j && j->cwd) {
        char abs[PATH_MAX];
        add3(&a, "--chdir", absolute(j->cwd, abs, sizeof abs), NULL);
    }
    if (seccomp) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", CL_SANDBOX_SECCOMP_FD);
        add3(&a, "--seccomp", fd, NULL);
    }
    add(&a, "--");
    for (char *const *p = argv; *p; p++)
        add(&a, *p);
    if (a.failed) {
        cl_sandbox_argv_free(a.v);
        return NULL;
    }
    return a.v;
}

void cl_sandbox_argv_free(char **argv)
{
    for (char **p = argv; p && *p; p++)
        free(*p);
    free(argv);
}

/* ---- the seccomp filter ---- */

/* Two compiled filters: the strict one, and one that lets a job trace its
 * own processes (LeakSanitizer stops the world with ptrace; the pid
 * namespace keeps that to the job itself). */
enum { FILTER_STRICT, FILTER_TRACE, FILTER_COUNT };
static unsigned char *bpf[FILTER_COUNT];
static size_t bpf_len[FILTER_COUNT];

#ifdef CL_HAVE_SECCOMP
/* System calls no exercise, compiler or test harness needs; each fails
 * with EPERM (the namespaces already keep their effects inside, this is
 * the second wall).  clone3 says ENOSYS so the C library falls back to
 * clone, whose flags the filter can see.  The first entries are the
 * tracing calls FILTER_TRACE leaves out. */
#define TRACING_CALLS 3
static const char *const refused_calls[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kexec_load", "kexec_file_load",
    "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "reboot",
    "init_module", "finit_module", "delete_module", "bpf", "perf_event_open", "keyctl",
    "add_key", "request_key", "userfaultfd", "unshare", "setns", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "acct", "quotactl", "open_by_handle_at",
    "name_to_handle_at", "syslog", "ioperm", "iopl", "lookup_dcookie", "fanotify_init",
    "mount_setattr", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick"};

static void build_filter(int which)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return;
    int rc = 0;
    size_t first = which == FILTER_TRACE ? TRACING_CALLS : 0;
    for (size_t i = first; i < sizeof refused_calls / sizeof refused_calls[0]; i++) {
        int nr = seccomp_syscall_resolve_name(refused_calls[i]);
        if (nr != __NR_SCMP_ERROR)
            rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    int clone3 = seccomp_syscall_resolve_name("clone3");
    if (clone3 != __NR_SCMP_ERROR)
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), clone3, 0);
    /* New namespaces from inside the jail, and typing into the terminal. */
    const scmp_datum_t ns = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                            CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
    for (scmp_datum_t bit = 1; bit; bit <<= 1) {
        if (!(ns & bit))
            continue;
        struct scmp_arg_cmp has_bit = {.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = bit,
                                       .datum_b = bit};
        rc |= seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, &has_bit);
    }
    struct scmp_arg_cmp tiocsti = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = TIOCSTI, .datum_b = 0};
    rc |= seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1, &tiocsti);
    int fd = rc == 0 ? memfd_create("chanlings-seccomp", MFD_CLOEXEC) : -1;
    if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
        off_t len = lseek(fd, 0, SEEK_END);
        bpf[which] = len > 0 ? malloc((size_t)len) : NULL;
        if (bpf[which] && pread(fd, bpf[which], (size_t)len, 0) == len)
            bpf_len[which] = (size_t)len;
    }
    if (fd >= 0)
        close(fd);
    seccomp_release(ctx);
}
#else
static void build_filter(int which) { (void)which; }
#endif

int cl_sandbox_seccomp_fd(bool allow_tracing)
{
    int which = allow_tracing ? FILTER_TRACE : FILTER_STRICT;
    if (!bpf_len[which])
        return -1;
    int fd = memfd_create("chanlings-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (write(fd, bpf[which], bpf_len[which]) != (ssize_t)bpf_len[which] ||
        lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- is there a jail? ---- */

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static bool available;
static _Atomic(cl_sandbox_run_fn) probe_run; /* set before probe_once runs */

/* Runs `true` in a jail the way jobs will run, as the user learner code
 * runs as; its error output says why it could not. */
static void probe(void)
{
    const char *want = getenv("CHANLINGS_SANDBOX");
    if (want && strcmp(want, "off") == 0)
        return;
    const char *why = NULL;
    char detail[512] = "";
    if (!find_bwrap()) {
        why = "bubblewrap (bwrap) is not installed: apt-get install bubblewrap";
    } else {
        build_filter(FILTER_STRICT);
        build_filter(FILTER_TRACE);
        char *const inner[] = {"/bin/true", NULL};
        /* Namespaces only: the filter is proved by the jobs themselves. */
        char **cmd = cl_sandbox_argv(NULL, inner, false);
        int rc = cmd ? atomic_load(&probe_run)(cmd, detail, sizeof detail) : -1;
        if (!cmd)
            why = "out of memory";
        else if (rc < 0)
            why = "bwrap could not be started";
        else if (rc != 0)
            why = "this user may not create namespaces here (in a container, or "
                  "kernel.unprivileged_userns_clone / user.max_user_namespaces is 0)";
        else
            available = true;
        cl_sandbox_argv_free(cmd);
    }
    if (available)
        return;
    detail[strcspn(detail, "\n")] = '\0';
    fprintf(stderr,
            "chanlings: learner code runs WITHOUT a sandbox: %s%s%s%s.  It still runs with "
            "time, memory, process and file-size limits, in its own process group%s, but it "
            "can read and write whatever %s can.\n",
            why, *detail ? " (bwrap said: " : "", detail, *detail ? ")" : "",
            geteuid() == 0 ? " and as an unprivileged user" : "",
            geteuid() == 0 ? "that user" : "you");
}

const char *cl_sandbox_bwrap(void)
{
    return bwrap_path;
}

bool cl_sandbox_available(cl_sandbox_run_fn run)
{
    atomic_store(&probe_run, run);
    pthread_once(&probe_once, probe);
    return available;
}
