/* How many goroutines can be alive at once, and what each one costs: start
 * `cap` goroutines that all park on one channel, wait until every one has
 * run to its receive (the M:N scheduler gives a goroutine its stack only
 * when it first runs, so a goroutine still queued costs less than a parked
 * one), measure the resident memory they add, then close the channel and
 * time until every one of them has woken and finished.  go/alive.go does
 * the same.
 *
 * With the thread scheduler (BENCH_SCHED_THREAD) every goroutine is a
 * thread, and the machine's thread limits are shared with every other
 * program on it, so the probe never asks for more than a quarter of what
 * the system allows (pid_max, threads-max, RLIMIT_NPROC).  With the M:N
 * scheduler only memory limits it.  The probe runs in a forked child: if
 * the system refuses anyway, libgoc stops that child with its fatal error
 * and this process reports the last count the child reached. */
#include <stdatomic.h>
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

/* The system's share for this probe: a quarter of the tightest limit on
 * threads, when every goroutine is one. */
static long system_share(long cap, const char **why)
{
    *why = "cap";
#ifdef BENCH_SCHED_THREAD
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
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (limits[i].limit > 0 && limits[i].limit / 4 < cap) {
            cap = limits[i].limit / 4;
            *why = limits[i].name;
        }
#else
    (void)read_long;
#endif
    return cap;
}

typedef struct herd {
    goc_chan *hold;
    goc_waitgroup done;
    atomic_long at_receive;
} herd;

static void hold(void *arg)
{
    herd *h = arg;
    atomic_fetch_add_explicit(&h->at_receive, 1, memory_order_relaxed);
    goc_recv_discard(h->hold);
    goc_wg_done(&h->done);
}

enum { STEP = 500 };

/* Child: spawns in steps, reporting "count rss_kb 0 0" after each (the
 * last count reached, if the system refuses more), then "count rss_kb
 * start_ns wake_ns" once all have woken. */
GOC_NORETURN static void probe(long target, int out)
{
    herd h = {.hold = goc_chan_make(char, 0)};
    goc_wg_add(&h.done, target);
    long base = rss_kb(), kb = 0;
    char line[128];
    int64_t start = bench_start();
    for (long alive = 0; alive < target;) {
        for (long i = 0; i < STEP && alive < target; i++, alive++)
            goc_go(hold, &h);
        kb = rss_kb() - base;
        int len = snprintf(line, sizeof line, "%ld %ld 0 0\n", alive, kb);
        if (write(out, line, (size_t)len) != len)
            _exit(1);
    }
    while (atomic_load_explicit(&h.at_receive, memory_order_relaxed) < target)
        goc_yield();
    int64_t started = bench_stop(start);
    kb = rss_kb() - base;
    start = bench_start();
    goc_close(h.hold);
    goc_wg_wait(&h.done);
    int64_t woken = bench_stop(start);
    int len = snprintf(line, sizeof line, "%ld %ld %lld %lld\n", target, kb, (long long)started,
                       (long long)woken);
    _exit(write(out, line, (size_t)len) == len ? 0 : 1);
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
    long long start_ns = 0, wake_ns = 0, s, w;
    while (in && fscanf(in, "%ld %ld %lld %lld", &a, &k, &s, &w) == 4)
        alive = a, kb = k, start_ns = s, wake_ns = w;
    if (in)
        fclose(in);
    int status = 0;
    waitpid(pid, &status, 0);
    bool refused = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    printf("alive\t%ld\tgoroutines\tgoroutines alive at once (%s%s)\n", alive,
           refused ? "stopped: the system refused" : "limit: ", refused ? "" : why);
    printf("alive_mem\t%.2f\tKB\tmemory per parked goroutine (resident)\n",
           alive ? (double)kb / (double)alive : 0.0);
    if (!refused && alive) {
        printf("alive_start\t%.0f\tns\tstarting them until each waits, per goroutine\n", (double)start_ns / (double)alive);
        printf("alive_wake\t%.0f\tns\twaking them all (close) until each is done, per goroutine\n",
               (double)wake_ns / (double)alive);
    }
    fflush(stdout);
}
