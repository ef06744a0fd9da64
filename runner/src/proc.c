/* Sandboxed child processes: see proc.h for the shape (runner -> keeper ->
 * program).  The keeper is forked from a runner that may have several
 * threads (batch grading); it relies on glibc making malloc and stdio
 * usable in a fork child, and on nothing else of the parent's state. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Held around fork() and around writing a program file: a child forked
 * while another thread's write handle is open would keep it open, and
 * exec of that file would fail with ETXTBSY. */
static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;

int cl_proc_copy_program(const char *from, const char *to)
{
    pthread_mutex_lock(&fork_lock);
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[65536];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0)
        rc = write(out, buf, (size_t)n) == n ? 0 : -1;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0)
        rc = -1;
    pthread_mutex_unlock(&fork_lock);
    return rc;
}

extern char **environ;

/* A capped byte buffer for the results pipe. */
typedef struct capped_buf {
    char *s;
    size_t len, cut;
} capped_buf;

/* What the keeper tells the runner when everything is over. */
typedef struct keeper_status {
    int started;   /* 1: the program was exec'd */
    int err;       /* errno of a failed start */
    int wstatus;   /* the program's wait status */
    char what[96]; /* which step of the start failed */
} keeper_status;

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool cl_proc_sandbox_user(uid_t *uid, gid_t *gid)
{
    static const char *const names[] = {"chanlings", "nobody"};
    if (geteuid() != 0)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct passwd pw, *found = NULL;
        char buf[1024];
        if (getpwnam_r(names[i], &pw, buf, sizeof buf, &found) == 0 && found) {
            *uid = found->pw_uid;
            *gid = found->pw_gid;
            return true;
        }
    }
    return false;
}

/* ---- the process table, read from /proc ---- */

typedef struct proc_entry {
    pid_t pid, ppid;
    uid_t uid;
    char state;
} proc_entry;

static int read_entry(const char *name, proc_entry *e)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    struct stat st;
    int have_uid = fstat(fd, &st) == 0;
    close(fd);
    if (n <= 0 || !have_uid)
        return -1;
    buf[n] = '\0';
    /* The command name is in parentheses and may hold anything, so the
     * fields we want start after the last ')'. */
    char *rp = strrchr(buf, ')');
    if (!rp)
        return -1;
    int ppid;
    if (sscanf(rp + 1, " %c %d", &e->state, &ppid) != 2)
        return -1;
    e->pid = (pid_t)atoi(name);
    e->ppid = (pid_t)ppid;
    e->uid = st.st_uid;
    return 0;
}

/* Every process on the machine; *n set to the count. */
static proc_entry *proc_table(size_t *n)
{
    size_t cap = 256, len = 0;
    proc_entry *t = malloc(cap * sizeof *t);
    DIR *d = opendir("/proc");
    if (!t || !d) {
        free(t);
        if (d)
            closedir(d);
        *n = 0;
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        if (len == cap) {
            proc_entry *g = realloc(t, 2 * cap * sizeof *t);
            if (!g)
                break;
            t = g;
            cap *= 2;
        }
        if (read_entry(de->d_name, &t[len]) == 0)
            len++;
    }
    closedir(d);
    *n = len;
    return t;
}

static long count_user_procs(uid_t uid)
{
    size_t n;
    proc_entry *t = proc_table(&n);
    long c = 0;
    for (size_t i = 0; i < n; i++)
        c += t[i].uid == uid;
    free(t);
    return c;
}

/* Signals every live descendant of `root`; returns how many it found. */
static size_t signal_tree(pid_t root, int sig)
{
    size_t n;
    proc_entry *t = proc_table(&n);
    if (!t)
        return 0;
    unsigned char *mark = calloc(n ? n : 1, 1);
    size_t found = 0;
    bool grew = true;
    /* Marks children of marked processes until nothing changes: the table
     * is small enough that repeated passes beat building an index. */
    while (mark && grew) {
        grew = false;
        for (size_t i = 0; i < n; i++) {
            if (mark[i])
                continue;
            bool parent_marked = t[i].ppid == root;
            for (size_t j = 0; !parent_marked && j < n; j++)
                parent_marked = mark[j] && t[j].pid == t[i].ppid;
            if (parent_marked) {
                mark[i] = 1;
                grew = true;
            }
        }
    }
    for (size_t i = 0; mark && i < n; i++) {
        if (mark[i] && t[i].state != 'Z') {
            kill(t[i].pid, sig);
            found++;
        }
    }
    free(mark);
    free(t);
    return found;
}

/* ---- the program: limits, privileges, exec ---- */

static void set_limit(int res, rlim_t value)
{
    struct rlimit rl = {value, value};
    setrlimit(res, &rl);
}

typedef struct child_plan {
    const cl_proc_opts *o;
    char path[4096];          /* argv[0] found on $PATH */
    bool drop;
    uid_t uid;
    gid_t gid;
    rlim_t nproc;
    int results_wr, secret_rd; /* opts.secret: the program's fds 3 and 4 */
    char **jailed;            /* the bwrap command around argv, or NULL */
    int seccomp_fd;           /* with jailed: the filter for bwrap, or -1 */
} child_plan;

static void fail_start(int errfd, const char *what)
{
    keeper_status ks = {0, errno, 0, ""};
    snprintf(ks.what, sizeof ks.what, "%s", what);
    ssize_t w = write(errfd, &ks, sizeof ks);
    (void)w;
    _exit(127);
}

/* ---- cgroups, where they can be made ----
 *
 * RLIMIT_NPROC counts every process of a uid, so it cannot bound one run
 * exactly, and RLIMIT_AS cannot bound a ThreadSanitizer program (it
 * reserves terabytes of shadow address space).  When the runner may
 * create cgroups in the v1 pids and memory hierarchies (root, as in CI),
 * the program and all it starts go into their own groups with pids.max
 * and memory.limit_in_bytes; otherwise the rlimits alone have to do (and
 * a race run has no memory bound but its deadline). */

#define CGROUP_V1 "/sys/fs/cgroup"

/* The controllers a run's group is made in, and the limit each gets. */
enum { CG_PIDS, CG_MEMORY, CG_COUNT };
static const struct {
    const char *controller;
    const char *limit_file;
} cg_kinds[CG_COUNT] = {
    [CG_PIDS] = {"pids", "pids.max"},
    [CG_MEMORY] = {"memory", "memory.limit_in_bytes"},
};

typedef struct cgroup {
    char dir[CG_COUNT][128];
    int procs_fd[CG_COUNT];   /* cgroup.procs, for the program to join */
} cgroup;

static bool write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

static void cgroup_make_one(cgroup *cg, int kind, long long limit)
{
    char path[192], num[32];
    cg->procs_fd[kind] = -1;
    snprintf(cg->dir[kind], sizeof cg->dir[kind], CGROUP_V1 "/%s/chanlings-%d",
             cg_kinds[kind].controller, (int)getpid());
    if (geteuid() != 0 || mkdir(cg->dir[kind], 0755) < 0) {
        cg->dir[kind][0] = '\0';
        return;
    }
    snprintf(path, sizeof path, "%s/%s", cg->dir[kind], cg_kinds[kind].limit_file);
    snprintf(num, sizeof num, "%lld", limit);
    if (write_file(path, num)) {
        snprintf(path, sizeof path, "%s/cgroup.procs", cg->dir[kind]);
        cg->procs_fd[kind] = open(path, O_WRONLY | O_CLOEXEC);
    }
    if (cg->procs_fd[kind] < 0) {
        rmdir(cg->dir[kind]);
        cg->dir[kind][0] = '\0';
    }
}

static void cgroup_make(cgroup *cg, const cl_proc_opts *o)
{
    cgroup_make_one(cg, CG_PIDS, o->max_procs ? o->max_procs : 1024);
    cgroup_make_one(cg, CG_MEMORY, (long long)(o->max_mem_mb ? o->max_mem_mb : 4096) << 20);
}

/* In the program's process: join before exec, so nothing escapes. */
static void cgroup_join(const cgroup *cg)
{
    char num[32];
    snprintf(num, sizeof num, "%d", (int)getpid());
    for (int k = 0; k < CG_COUNT; k++) {
        if (cg->procs_fd[k] < 0)
            continue;
        ssize_t w = write(cg->procs_fd[k], num, strlen(num));
        (void)w;
    }
}

static void cgroup_remove(cgroup *cg)
{
    for (int k = 0; k < CG_COUNT; k++) {
        if (cg->procs_fd[k] >= 0)
            close(cg->procs_fd[k]);
        /* The last member may take a moment to leave after its death. */
        for (int tries = 0; cg->dir[k][0] && rmdir(cg->dir[k]) < 0 && errno == EBUSY && tries < 50;
             tries++)
            usleep(2000);
    }
}

/* Puts each from[i] at want[i] (without close-on-exec), whatever numbers
 * they have now: all are first copied above the low numbers, so no dup2
 * overwrites a descriptor still to be placed.  from[i] < 0 is skipped. */
static int place_fds(const int *from, const int *want, size_t n)
{
    int high[8];
    for (size_t i = 0; i < n; i++)
        if (from[i] >= 0 && (high[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 32)) < 0)
            return -1;
    for (size_t i = 0; i < n; i++)
        if (from[i] >= 0 && (dup2(high[i], want[i]) < 0 || close(high[i]) < 0))
            return -1;
    return 0;
}

/* In the program's process, after fork: never returns. */
static void exec_program(const child_plan *p, const cgroup *cg, int outfd, int errfd)
{
    const cl_proc_opts *o = p->o;
    if (o->sandbox)
        cgroup_join(cg);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0);

    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
        fail_start(errfd, "redirecting stdin/stdout/stderr");
    if (in > 2)
        close(in);
    const int from[] = {o->secret ? p->results_wr : -1, o->secret ? p->secret_rd : -1,
                        p->jailed ? p->seccomp_fd : -1};
    const int want[] = {CL_PROC_RESULTS_FD, CL_PROC_SECRET_FD, CL_SANDBOX_SECCOMP_FD};
    if (place_fds(from, want, 3) < 0)
        fail_start(errfd, "passing the results pipe and the seccomp filter");
    if (o->cwd && chdir(o->cwd) < 0)
        fail_start(errfd, "changing to the scratch directory");

    if (o->sandbox) {
        int cpu = o->cpu_seconds ? o->cpu_seconds
                                 : (o->deadline_ms ? o->deadline_ms / 1000 + 2 : 60);
        set_limit(RLIMIT_CORE, 0);
        set_limit(RLIMIT_CPU, (rlim_t)cpu);
        set_limit(RLIMIT_FSIZE, (rlim_t)(o->max_file_mb ? o->max_file_mb : 64) << 20);
        set_limit(RLIMIT_NOFILE, 1024);
        /* With a pids cgroup the job has an exact bound of its own; the
         * rlimit counts every process of the user, other jobs' included,
         * so parallel jobs (a batch, the sanitizer passes) would starve
         * each other of threads. */
        if (cg->procs_fd[CG_PIDS] < 0)
            set_limit(RLIMIT_NPROC, p->nproc);
        if (!o->race)
            set_limit(RLIMIT_AS, (rlim_t)(o->max_mem_mb ? o->max_mem_mb : 4096) << 20);
        if (p->drop && !o->same_user) {
            if (setgroups(0, NULL) < 0 || setgid(p->gid) < 0 || setuid(p->uid) < 0)
                fail_start(errfd, "dropping privileges");
        }
    }
    if (p->jailed)
        execve(p->jailed[0], p->jailed, o->envp ? o->envp : environ);
    else
        execve(p->path, o->argv, o->envp ? o->envp : environ);
    fail_start(errfd, p->jailed ? "starting the sandbox (bwrap)" : "starting the program");
}

/* ---- the keeper ---- */

static void keeper_report(int statusfd, const keeper_status *ks)
{
    ssize_t w = write(statusfd, ks, sizeof *ks);
    (void)w;
    _exit(0);
}

/* Reaps every child that has ended; notes the program's status. */
static bool reap(pid_t prog, bool *prog_done, int *prog_status)
{
    bool any_left = true;
    for (;;) {
        int st;
        pid_t r = waitpid(-1, &st, WNOHANG);
        if (r == 0)
            break;
        if (r < 0) {
            any_left = errno != ECHILD;
            break;
        }
        if (r == prog) {
            *prog_done = true;
            *prog_status = st;
        }
    }
    return any_left;
}

/* Runs in the keeper: start the program, wait for it, clean up the tree.
 * SIGTERM (the runner's deadline, or the runner dying) starts the stop:
 * SIGTERM to every descendant, SIGKILL after the grace period. */
static void keeper_main(const child_plan *p, int outfd, int statusfd, pid_t runner)
{
    /* The runner's handlers (Check installs some) must not run here:
     * every signal was blocked across the fork, so reset them, then let
     * through all but the two the loop below waits for. */
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_SETMASK, &set, NULL);
    /* Its own group: a signal meant for the runner's group (a terminal's
     * ^C) ends the runner, and PDEATHSIG then makes the keeper clean up. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    bool stopping = getppid() != runner;

    int ep[2];
    if (pipe2(ep, O_CLOEXEC) < 0) {
        keeper_status ks = {0, errno, 0, "creating a pipe"};
        keeper_report(statusfd, &ks);
    }
    cgroup cg = {.procs_fd = {-1, -1}};
    if (p->o->sandbox)
        cgroup_make(&cg, p->o);
    pid_t prog = fork();
    if (prog < 0) {
        keeper_status ks = {0, errno, 0, "forking"};
        cgroup_remove(&cg);
        keeper_report(statusfd, &ks);
    }
    if (prog == 0) {
        close(ep[0]);
        close(statusfd);
        exec_program(p, &cg, outfd, ep[1]);
    }
    close(outfd);
    close(ep[1]);
    /* Only the program may hold the results pipe's write end: the runner
     * sees its end when the program's tree is gone. */
    if (p->o->secret) {
        close(p->results_wr);
        close(p->secret_rd);
    }
    keeper_status ks = {1, 0, 0, ""};
    ssize_t got;
    while ((got = read(ep[0], &ks, sizeof ks)) < 0 && errno == EINTR)
        ;
    close(ep[0]);
    if (got > 0)
        ks.started = 0;

    int grace = p->o->grace_ms > 0 ? p->o->grace_ms : 500;
    double kill_at = 0;
    bool done = false;
    if (stopping) {
        signal_tree(getpid(), SIGTERM);
        kill_at = now_sec() + grace / 1000.0;
    }
    for (;;) {
        bool left = reap(prog, &done, &ks.wstatus);
        if (done || (kill_at > 0 && now_sec() >= kill_at)) {
            /* The program is over (or out of time): nothing it started
             * may outlive it.  Loop because a fork may be in flight. */
            if (signal_tree(getpid(), SIGKILL) == 0 && !reap(prog, &done, &ks.wstatus))
                break;
        }
        if (!left && done)
            break;
        struct timespec ts = {0, done || kill_at > 0 ? 10 * 1000 * 1000 : 200 * 1000 * 1000};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGTERM && kill_at == 0) {
            signal_tree(getpid(), SIGTERM);
            kill_at = now_sec() + grace / 1000.0;
        }
    }
    cgroup_remove(&cg);
    keeper_report(statusfd, &ks);
}

/* ---- the runner's side: capture with a cap, the deadline ---- */

typedef struct capture {
    char *head;
    size_t head_len, head_cap;
    char *ring;
    size_t ring_cap, ring_pos, ring_len;
    size_t total;
} capture;

static void capture_add(capture *c, const char *buf, size_t n)
{
    c->total += n;
    size_t h = c->head_cap - c->head_len;
    if (h > n)
        h = n;
    memcpy(c->head + c->head_len, buf, h);
    c->head_len += h;
    buf += h;
    n -= h;
    for (size_t i = 0; i < n && c->ring_cap; i++) {
        c->ring[c->ring_pos] = buf[i];
        c->ring_pos = (c->ring_pos + 1) % c->ring_cap;
        if (c->ring_len < c->ring_cap)
            c->ring_len++;
    }
}

static void capture_finish(capture *c, cl_proc_result *res)
{
    size_t cut = c->total - c->head_len - c->ring_len;
    char marker[128] = "";
    if (cut)
        snprintf(marker, sizeof marker,
                 "\n[... chanlings cut %zu bytes of output here ...]\n", cut);
    size_t mlen = strlen(marker);
    res->out = malloc(c->head_len + mlen + c->ring_len + 1);
    if (!res->out)
        return;
    char *p = res->out;
    memcpy(p, c->head, c->head_len);
    p += c->head_len;
    memcpy(p, marker, mlen);
    p += mlen;
    size_t start = (c->ring_pos + c->ring_cap - c->ring_len) % (c->ring_cap ? c->ring_cap : 1);
    for (size_t i = 0; i < c->ring_len; i++)
        *p++ = c->ring[(start + i) % c->ring_cap];
    *p = '\0';
    res->out_len = (size_t)(p - res->out);
    res->out_cut = cut;
}

/* execvp's search, done before forking so the child only calls execve. */
static void resolve_program(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    const char *path = getenv("PATH");
    if (strchr(name, '/') || !path)
        return;
    for (const char *p = path; *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char cand[4096];
        snprintf(cand, sizeof cand, "%.*s/%s", (int)len, len ? p : ".", name);
        if (access(cand, X_OK) == 0) {
            snprintf(out, size, "%s", cand);
            return;
        }
        p += len + (end != NULL);
    }
}

static void plan_free(child_plan *plan)
{
    cl_sandbox_argv_free(plan->jailed);
    plan->jailed = NULL;
    if (plan->seccomp_fd >= 0)
        close(plan->seccomp_fd);
    plan->seccomp_fd = -1;
}

/* The bwrap command around the program, and its seccomp filter. */
static int jail_plan(child_plan *plan)
{
    size_t n = 0;
    while (plan->o->argv[n])
        n++;
    char **inner = calloc(n + 1, sizeof *inner);
    if (!inner)
        return -1;
    inner[0] = plan->path;
    for (size_t i = 1; i < n; i++)
        inner[i] = plan->o->argv[i];
    plan->jailed = cl_sandbox_argv(plan->o->jail, inner, true);
    free(inner);
    if (!plan->jailed)
        return -1;
    plan->seccomp_fd = cl_sandbox_seccomp_fd(plan->o->jail->allow_tracing);
    if (plan->seccomp_fd < 0) {
        /* No filter (built without libseccomp): namespaces alone. */
        cl_sandbox_argv_free(plan->jailed);
        char **again = calloc(n + 1, sizeof *again);
        if (!again)
            return -1;
        again[0] = plan->path;
        for (size_t i = 1; i < n; i++)
            again[i] = plan->o->argv[i];
        plan->jailed = cl_sandbox_argv(plan->o->jail, again, false);
        free(again);
        return plan->jailed ? 0 : -1;
    }
    return 0;
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* The results pipe (the runner reads, the program writes) and the secret
 * pipe, already holding the secret so the runner never blocks on it. */
static int open_result_pipes(const char *secret, int resp[2], int secp[2])
{
    if (pipe2(resp, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(secp, O_CLOEXEC) < 0) {
        close_all(resp, 2);
        return -1;
    }
    size_t len = strlen(secret);
    if (write(secp[1], secret, len) != (ssize_t)len) {
        close_all(resp, 2), close_all(secp, 2);
        return -1;
    }
    close(secp[1]);
    secp[1] = -1;
    return 0;
}

/* Appends what is readable to b, keeping at most cap bytes; false at the
 * end of the pipe (or an error). */
static bool read_results(int fd, capped_buf *b, size_t cap)
{
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    size_t keep = b->len < cap ? cap - b->len : 0;
    if (keep > (size_t)n)
        keep = (size_t)n;
    b->cut += (size_t)n - keep;
    if (keep) {
        char *g = realloc(b->s, b->len + keep + 1);
        if (!g)
            return false;
        b->s = g;
        memcpy(b->s + b->len, buf, keep);
        b->len += keep;
        b->s[b->len] = '\0';
    }
    return true;
}

/* The sandbox probe's job (cl_sandbox_run_fn): argv as learner code runs. */
static int probe_job(char *const *argv, char *out, size_t outsz)
{
    cl_proc_opts po = {.argv = argv, .deadline_ms = 10000, .output_cap = 4096, .sandbox = true};
    cl_proc_result pr;
    if (cl_proc_run(&po, &pr) < 0) {
        snprintf(out, outsz, "%s", pr.error);
        cl_proc_result_free(&pr);
        return -1;
    }
    snprintf(out, outsz, "%s", pr.out ? pr.out : "");
    int rc = pr.exit_code;
    cl_proc_result_free(&pr);
    return rc;
}

bool cl_proc_jail_available(void) { return cl_sandbox_available(probe_job); }

int cl_proc_run(const cl_proc_opts *o, cl_proc_result *res)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    double t0 = now_sec();
    child_plan plan = {.o = o, .seccomp_fd = -1};
    resolve_program(o->argv[0], plan.path, sizeof plan.path);
    if (o->jail && cl_proc_jail_available() && jail_plan(&plan) < 0) {
        snprintf(res->error, sizeof res->error, "cannot prepare the sandbox: %s", strerror(errno));
        plan_free(&plan);
        return -1;
    }
    if (o->sandbox) {
        plan.drop = cl_proc_sandbox_user(&plan.uid, &plan.gid);
        uid_t who = plan.drop ? plan.uid : getuid();
        /* RLIMIT_NPROC counts every process of the real uid, so the
         * budget is what that user already runs plus our allowance. */
        plan.nproc = (rlim_t)(count_user_procs(who) + (o->max_procs ? o->max_procs : 1024));
    }

    int outp[2], statp[2];
    if (pipe2(outp, O_CLOEXEC) < 0) {
        snprintf(res->error, sizeof res->error, "cannot create a pipe: %s", strerror(errno));
        plan_free(&plan);
        return -1;
    }
    if (pipe2(statp, O_CLOEXEC) < 0) {
        snprintf(res->error, sizeof res->error, "cannot create a pipe: %s", strerror(errno));
        close(outp[0]);
        close(outp[1]);
        plan_free(&plan);
        return -1;
    }
    int resp[2] = {-1, -1}, secp[2] = {-1, -1};
    if (o->secret && (open_result_pipes(o->secret, resp, secp) < 0)) {
        snprintf(res->error, sizeof res->error, "cannot create a pipe: %s", strerror(errno));
        close(outp[0]), close(outp[1]), close(statp[0]), close(statp[1]);
        plan_free(&plan);
        return -1;
    }
    plan.results_wr = resp[1];
    plan.secret_rd = secp[0];
    pid_t runner = getpid();
    sigset_t all, old_mask;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old_mask);
    pthread_mutex_lock(&fork_lock);
    pid_t keeper = fork();
    if (keeper != 0) {
        pthread_mutex_unlock(&fork_lock);
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    }
    if (keeper < 0) {
        snprintf(res->error, sizeof res->error, "cannot fork: %s", strerror(errno));
        close(outp[0]), close(outp[1]), close(statp[0]), close(statp[1]);
        close_all(resp, 2), close_all(secp, 2);
        plan_free(&plan);
        return -1;
    }
    if (keeper == 0) {
        close(outp[0]);
        close(statp[0]);
        if (resp[0] >= 0)
            close(resp[0]);
        keeper_main(&plan, outp[1], statp[1], runner);
    }
    close(outp[1]);
    close(statp[1]);
    close_all(&resp[1], 1), close_all(secp, 2);
    capped_buf results = {0};
    size_t results_cap = o->results_cap ? o->results_cap : (size_t)4 << 20;

    size_t cap = o->output_cap ? o->output_cap : (size_t)1 << 20;
    capture c = {.head_cap = cap / 2, .ring_cap = cap - cap / 2};
    c.head = malloc(c.head_cap + 1);
    c.ring = malloc(c.ring_cap + 1);
    keeper_status ks = {0, 0, 0, "the keeper process died"};
    size_t ks_got = 0;
    bool out_open = true, stat_open = true;
    double deadline = o->deadline_ms ? t0 + o->deadline_ms / 1000.0 : 0;
    int grace = o->grace_ms > 0 ? o->grace_ms : 500;
    double hard = 0, stat_closed_at = 0;
    char buf[65536];

    while (out_open || stat_open) {
        double now = now_sec();
        bool cancel = o->cancel && *o->cancel;
        if (!hard && ((deadline && now >= deadline) || cancel)) {
            res->timed_out = !cancel;
            res->cancelled = cancel;
            kill(keeper, SIGTERM);
            /* The keeper's own stop takes the grace period plus however
             * long killing a big tree takes on a loaded machine. */
            hard = now + grace / 1000.0 + 10.0;
        }
        if (hard && now >= hard) {
            /* The keeper did not finish its own cleanup: last resort. */
            kill(keeper, SIGKILL);
            break;
        }
        /* A grandchild that slipped the tree could hold the pipe open
         * forever; once the keeper is gone, wait only a moment for it. */
        if (!stat_open && now - stat_closed_at > grace / 1000.0)
            break;
        double until = hard ? hard : deadline;
        if (!stat_open)
            until = stat_closed_at + grace / 1000.0;
        int ms = until ? (int)((until - now) * 1000) + 1 : -1;
        if (o->cancel && (ms < 0 || ms > 50))
            ms = 50;
        struct pollfd pf[3] = {{out_open ? outp[0] : -1, POLLIN, 0},
                               {stat_open ? statp[0] : -1, POLLIN, 0},
                               {resp[0], POLLIN, 0}};
        int r = poll(pf, 3, ms);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (pf[0].revents) {
            ssize_t n = read(outp[0], buf, sizeof buf);
            if (n > 0 && c.head && c.ring)
                capture_add(&c, buf, (size_t)n);
            else if (n == 0 || (n < 0 && errno != EINTR))
                out_open = false;
        }
        if (pf[2].revents && !read_results(resp[0], &results, results_cap)) {
            close(resp[0]);
            resp[0] = -1;
        }
        if (pf[1].revents) {
            ssize_t n = read(statp[0], (char *)&ks + ks_got, sizeof ks - ks_got);
            if (n > 0)
                ks_got += (size_t)n;
            else if (n == 0 || (n < 0 && errno != EINTR)) {
                stat_open = false;
                stat_closed_at = now_sec();
            }
        }
    }
    close(outp[0]);
    close(statp[0]);
    while (waitpid(keeper, NULL, 0) < 0 && errno == EINTR)
        ;
    /* Whatever is still in the pipe was written before the program ended. */
    if (resp[0] >= 0) {
        fcntl(resp[0], F_SETFL, O_NONBLOCK);
        while (read_results(resp[0], &results, results_cap))
            ;
        close(resp[0]);
    }
    res->results = results.s;
    res->results_cut = results.cut;

    bool jailed = plan.jailed != NULL;
    plan_free(&plan);
    if (c.head && c.ring)
        capture_finish(&c, res);
    free(c.head);
    free(c.ring);
    res->seconds = now_sec() - t0;
    if (ks_got != sizeof ks || !ks.started) {
        errno = ks.err;
        snprintf(res->error, sizeof res->error, "%s failed%s%s", ks.what,
                 ks.err ? ": " : "", ks.err ? strerror(ks.err) : "");
        return -1;
    }
    res->started = true;
    if (WIFEXITED(ks.wstatus)) {
        res->exit_code = WEXITSTATUS(ks.wstatus);
        /* bwrap reports a program killed by signal N as exit 128 + N (its
         * one way to say it); a program that exits 128 + N itself reads
         * the same, a price of the jail. */
        if (jailed && res->exit_code > 128 && res->exit_code < 128 + 32) {
            res->term_signal = res->exit_code - 128;
            res->exit_code = -1;
        }
    } else if (WIFSIGNALED(ks.wstatus)) {
        res->term_signal = WTERMSIG(ks.wstatus);
    }
    return 0;
}

void cl_proc_result_free(cl_proc_result *res)
{
    free(res->out);
    free(res->results);
    res->out = res->results = NULL;
}
