/* How many goroutines can be alive at once, and what each one costs.
 *
 * libgoc runs each goroutine on its own thread, and the machine's thread
 * limits are shared with every other program on it, so the probe never
 * asks for more than a quarter of what the system allows (pid_max,
 * threads-max, RLIMIT_NPROC).  It runs in a forked child: if the system
 * refuses a thread anyway, libgoc stops that child with its fatal error and
 * this process reports the last count the child reached. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static long read_long(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = -1;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The system's share for this probe: a quarter of the tightest limit. */
static long system_share(long cap, const char **why)
{
    struct rlimit rl;
    const struct {
        const char *name;
        long limit;
    } limits[] = {
        {"pid_max", read_long("/proc/sys/kernel/pid_max")},
        {"threads-max", read_long("/proc/sys/kernel/threads-max")},
        {"RLIMIT_NPROC", getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                             ? (long)rl.rlim_cur : -1},
    };
    *why = "cap";
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (limits[i].limit > 0 && limits[i].limit / 4 < cap) {
            cap = limits[i].limit / 4;
            *why = limits[i].name;
        }
    return cap;
}

static void hold(void *arg) { goc_recv_discard((goc_chan *)arg); }

enum { STEP = 500 };

/* Child: spawns in steps, reporting "count rss_kb" after each. */
GOC_NORETURN static void probe(long target, int out)
{
    goc_chan *never = goc_chan_make(char, 0);
    long base = rss_kb();
    char line[64];
    for (long alive = 0; alive < target;) {
        for (long i = 0; i < STEP && alive < target; i++, alive++)
            goc_go(hold, never);
        int len = snprintf(line, sizeof line, "%ld %ld\n", alive, rss_kb() - base);
        if (write(out, line, (size_t)len) != len)
            break;
    }
    _exit(0); /* the held goroutines end with the process */
}

void bench_alive(long cap)
{
    const char *why;
    long target = system_share(cap, &why);
    int fds[2];
    if (pipe(fds) != 0)
        return;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        close(fds[0]);
        probe(target, fds[1]);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    long alive = 0, kb = 0, a, k;
    while (in && fscanf(in, "%ld %ld", &a, &k) == 2)
        alive = a, kb = k;
    if (in)
        fclose(in);
    int status = 0;
    waitpid(pid, &status, 0);
    bool refused = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    printf("alive\t%ld\tgoroutines\tgoroutines alive at once (%s%s)\n", alive,
           refused ? "stopped: the system refused a thread" : "limit: ",
           refused ? "" : why);
    printf("alive_mem\t%.1f\tKB\tmemory per live goroutine (resident)\n",
           alive ? (double)kb / (double)alive : 0.0);
    fflush(stdout);
}
