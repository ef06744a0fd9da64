/* proc: exit codes, signals, capture with a cap, the deadline killing a
 * whole process tree, cleanup of leftovers, limits and privilege drop.
 * Deadlines here are only upper bounds: every assertion is about what
 * happened, never about how long it took. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "check_run.h"

static cl_proc_result run_sh(const char *script, int deadline_ms, size_t cap, bool sandbox)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    cl_proc_opts o = {.argv = argv, .deadline_ms = deadline_ms, .output_cap = cap,
                      .sandbox = sandbox, .grace_ms = 200};
    cl_proc_result r;
    ck_assert_int_eq(cl_proc_run(&o, &r), 0);
    ck_assert(r.started);
    return r;
}

/* A process that is gone or a zombie no one will wait for any more. */
static bool pid_gone(pid_t pid)
{
    char path[64], state = '?';
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    char buf[512];
    if (fgets(buf, sizeof buf, f)) {
        char *rp = strrchr(buf, ')');
        if (rp)
            state = rp[2];
    }
    fclose(f);
    return state == 'Z' || state == 'X';
}

static pid_t read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "the child did not write %s", path);
    int pid = 0;
    ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
    fclose(f);
    return (pid_t)pid;
}

START_TEST(exit_code_and_output)
{
    cl_proc_result r = run_sh("echo hello; echo oops >&2; exit 3", 30000, 0, false);
    ck_assert_int_eq(r.exit_code, 3);
    ck_assert_int_eq(r.term_signal, 0);
    ck_assert(!r.timed_out);
    ck_assert_str_eq(r.out, "hello\noops\n");
    ck_assert_uint_eq(r.out_cut, 0);
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(signal_is_reported)
{
    cl_proc_result r = run_sh("kill -SEGV $$", 30000, 0, false);
    ck_assert_int_eq(r.term_signal, SIGSEGV);
    ck_assert_int_eq(r.exit_code, -1);
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(output_cap_keeps_head_and_tail)
{
    /* 200000 bytes: "A", 199998 dots, "Z"; only 1000 may be kept. */
    cl_proc_result r = run_sh("printf A; head -c 199998 /dev/zero | tr '\\0' .; printf Z",
                              30000, 1000, false);
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_uint_eq(r.out_cut, 199000);
    ck_assert_int_eq(r.out[0], 'A');
    ck_assert_int_eq(r.out[r.out_len - 1], 'Z');
    ck_assert_ptr_nonnull(strstr(r.out, "cut 199000 bytes"));
    ck_assert_uint_lt(r.out_len, 1200);
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(deadline_kills_the_whole_tree)
{
    char dir[] = "/tmp/cl-test-proc-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char script[1024];
    /* A grandchild in our group, one that left for its own session, and
     * the shell itself all wait forever. */
    snprintf(script, sizeof script,
             "sleep 1000 & echo $! > %s/a; setsid sh -c 'echo $$ > %s/b; exec sleep 1000' & "
             "while [ ! -s %s/b ]; do :; done; wait",
             dir, dir, dir);
    cl_proc_result r = run_sh(script, 1500, 0, false);
    ck_assert(r.timed_out);
    ck_assert(pid_gone(read_pid(strcat(strcpy(script, dir), "/a"))));
    ck_assert(pid_gone(read_pid(strcat(strcpy(script, dir), "/b"))));
    cl_proc_result_free(&r);
    snprintf(script, sizeof script, "rm -rf %s", dir);
    ck_assert_int_eq(system(script), 0);
}
END_TEST

START_TEST(leftovers_die_with_the_program)
{
    char dir[] = "/tmp/cl-test-proc-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char script[512];
    snprintf(script, sizeof script, "sleep 1000 & echo $! > %s/a; exit 0", dir);
    /* If the runner waited for the background sleep, the deadline would
     * have to end it and timed_out would be set. */
    cl_proc_result r = run_sh(script, 60000, 0, false);
    ck_assert(!r.timed_out);
    ck_assert_int_eq(r.exit_code, 0);
    snprintf(script, sizeof script, "%s/a", dir);
    ck_assert(pid_gone(read_pid(script)));
    cl_proc_result_free(&r);
    snprintf(script, sizeof script, "rm -rf %s", dir);
    ck_assert_int_eq(system(script), 0);
}
END_TEST

START_TEST(stdin_is_dev_null)
{
    cl_proc_result r = run_sh("cat; echo done", 30000, 0, false);
    ck_assert(!r.timed_out);
    ck_assert_str_eq(r.out, "done\n");
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(missing_program_is_an_error)
{
    char *argv[] = {"/nonexistent/program", NULL};
    cl_proc_opts o = {.argv = argv, .deadline_ms = 30000};
    cl_proc_result r;
    ck_assert_int_eq(cl_proc_run(&o, &r), -1);
    ck_assert(!r.started);
    ck_assert_ptr_nonnull(strstr(r.error, "No such file"));
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(cancel_stops_the_child)
{
    volatile int cancel = 1;
    char *argv[] = {"/bin/sh", "-c", "while :; do :; done", NULL};
    cl_proc_opts o = {.argv = argv, .deadline_ms = 60000, .cancel = &cancel, .grace_ms = 100};
    cl_proc_result r;
    ck_assert_int_eq(cl_proc_run(&o, &r), 0);
    ck_assert(r.cancelled);
    ck_assert(!r.timed_out);
    ck_assert_int_ne(r.term_signal, 0);
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(sandbox_sets_limits)
{
    cl_proc_result r = run_sh("ulimit -c; ulimit -f; ulimit -v", 30000, 0, true);
    ck_assert_int_eq(r.exit_code, 0);
    /* core 0; file size 64 MiB in 512-byte blocks; 4096 MiB in KiB. */
    ck_assert_str_eq(r.out, "0\n131072\n4194304\n");
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(sandbox_drops_root)
{
    uid_t uid;
    gid_t gid;
    if (!cl_proc_sandbox_user(&uid, &gid))
        return; /* not root: nothing to drop */
    cl_proc_result r = run_sh("id -u", 30000, 0, true);
    char want[32];
    snprintf(want, sizeof want, "%d\n", (int)uid);
    ck_assert_str_eq(r.out, want);
    ck_assert_str_ne(r.out, "0\n");
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(sandbox_bounds_processes)
{
    /* Forks sleepers until refused, with a ceiling of 3000 so a broken
     * limit cannot take the machine down; prints a dot per fork.  The
     * limit must refuse well before the ceiling (the shell then stops
     * with "Cannot fork"), and every sleeper must be cleaned up. */
    cl_proc_result r = run_sh("n=0; while [ $n -lt 3000 ]; do sleep 30 & printf .; "
                              "n=$((n+1)); done; echo ceiling",
                              60000, 64 * 1024, true);
    ck_assert(!r.timed_out);
    size_t dots = strspn(r.out, ".");
    ck_assert_msg(dots > 0 && dots < 3000 && !strstr(r.out, "ceiling"),
                  "forked %zu times; the process limit did not hold: %s", dots, r.out + dots);
    cl_proc_result_free(&r);
}
END_TEST

START_TEST(sandbox_joins_a_pids_cgroup_when_it_can)
{
    if (geteuid() != 0 || access("/sys/fs/cgroup/pids/cgroup.procs", W_OK) != 0)
        return; /* no v1 pids hierarchy we may use: the rlimit alone bounds */
    cl_proc_result r = run_sh("grep pids: /proc/self/cgroup; "
                              "cat /sys/fs/cgroup/pids$(grep pids: /proc/self/cgroup | cut -d: -f3)/pids.max",
                              30000, 0, true);
    ck_assert_msg(strstr(r.out, "pids:/chanlings-") && strstr(r.out, "\n1024\n"),
                  "not in a bounded pids cgroup: %s", r.out);
    cl_proc_result_free(&r);
}
END_TEST

Suite *proc_suite(void)
{
    Suite *s = suite_create("proc");
    TCase *tc = tcase_create("proc");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, exit_code_and_output);
    tcase_add_test(tc, signal_is_reported);
    tcase_add_test(tc, output_cap_keeps_head_and_tail);
    tcase_add_test(tc, deadline_kills_the_whole_tree);
    tcase_add_test(tc, leftovers_die_with_the_program);
    tcase_add_test(tc, stdin_is_dev_null);
    tcase_add_test(tc, missing_program_is_an_error);
    tcase_add_test(tc, cancel_stops_the_child);
    tcase_add_test(tc, sandbox_sets_limits);
    tcase_add_test(tc, sandbox_drops_root);
    tcase_add_test(tc, sandbox_bounds_processes);
    tcase_add_test(tc, sandbox_joins_a_pids_cgroup_when_it_can);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return cl_run_suite(proc_suite());
}
