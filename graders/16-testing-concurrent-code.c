/* Grader for 16-testing-concurrent-code: the learner writes the tests.
 *
 * Grading is mutation testing.  The learner's TESTS run, each in a
 * process of its own with a 5 s harness deadline, against this file's
 * correct queue (up to 30 times: a test that fails once against it depends on
 * timing) and against nine queues with one planted bug each.  A broken
 * queue is caught ("killed") when at least one test reports a failure
 * with errorf; a test that hangs, deadlocks or crashes before reporting
 * anything has not caught it, it has only been broken by it, and the
 * message says to bound the wait.
 *
 * "len reads without the lock" is a data race and nothing else: the plain
 * pass checks only that some test calls len while a put is in progress
 * in another goroutine (without that, ThreadSanitizer has nothing to
 * see); the race pass, running the same tests under ThreadSanitizer,
 * requires the race report.  Reports from the broken queues' runs are
 * read here and never reach the test's output, where the runner would
 * take them for the learner's own race.
 *
 * Each broken queue's bug shows deterministically once a test puts the
 * queue in the state it needs (held and settled goroutines, never luck):
 * "put without the lock" makes two puts that are in progress at the same
 * time write the same slot, waiting for a partner until everyone else is
 * parked. */
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "grader.h"

#define EX "exercises/16-testing-concurrent-code.c"

/* ---- the learner's side (the same types as the exercise) ---------------------- */

typedef struct bq bq;
typedef struct bq_ops {
    bq *(*make)(int cap);
    bool (*put)(bq *q, int v);
    bool (*get)(bq *q, int *v);
    void (*close)(bq *q);
    int (*len)(bq *q);
    void (*free)(bq *q);
} bq_ops;
typedef struct t_ctx {
    void (*errorf)(struct t_ctx *t, const char *fmt, ...);
    void *impl;
} t_ctx;
typedef void (*test_fn)(t_ctx *t, const bq_ops *q);
struct test_case {
    const char *name;
    test_fn fn;
};
extern const struct test_case TESTS[];
extern const int NTESTS;

#define HARNESS_SECONDS 5
#ifdef CL__UNDER_TSAN
#define REAL_RUNS 5 /* the race pass looks for races, not for flakiness */
#define MIN_RUNS 1
#else
#define REAL_RUNS 30
#define MIN_RUNS 3
#endif
/* On a machine so loaded that 30 rounds would outlast the test's timeout
 * (the lesson's 60 s in the runner, 10 s in graders/tests/run.sh), the
 * rounds stop once 40% of it has passed, but never before MIN_RUNS: fewer
 * chances for a flaky test to show, never a failure for a correct one. */
#define REAL_RUNS_SHARE 0.4
#define MAX_TESTS 64

#ifdef CL__UNDER_TSAN
/* Every learner test runs in a process of its own, and ThreadSanitizer
 * sleeps a second at each exit by default (the runner turns that off in
 * TSAN_OPTIONS too; graders/tests/run.sh does not). */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }
#endif

/* ---- the queues: one implementation, and the bug each broken one has ----------- */

typedef enum bug {
    CORRECT,
    DROPS_WHEN_FULL,
    ONE_SHORT,
    GET_DOES_NOT_WAIT,
    LEN_WITHOUT_LOCK,
    CLOSE_WAKES_ONE,
    PUT_AFTER_CLOSE_OK,
    LIFO,
    LOST_WAKEUP_AT_1,
    PUT_WITHOUT_LOCK,
} bug;

struct bq {
    goc_mutex mu;
    goc_cond not_full, not_empty;
    int *buf;
    int cap, head, tail, n; /* values are at head, head+1, ... (mod cap); tail is the next free slot */
    int putters_waiting;
    _Atomic(bool) collided; /* PUT_WITHOUT_LOCK: two puts took the same slot once; no more waiting */
    bool closed;
};

/* Which queue this test process runs: one value per process, set before
 * the learner's test starts.  It is kept here, not in the queue and not in
 * which table of functions the test gets, so that nothing a test can read
 * (the ops pointer, the function pointers, the queue's bytes) tells the
 * correct queue from a broken one: only its behaviour does. */
static bug queue_bug;

/* Shared with the broken queues' code, in the learner's test process. */
static struct {
    int64_t since;                 /* goroutines above this belong to the test */
    _Atomic(int) puts_in_flight;   /* LEN_WITHOUT_LOCK: a put running right now */
    _Atomic(unsigned) n_writes;    /* LEN_WITHOUT_LOCK: writes of a queue's count so far */
    _Atomic(long) len_wait_left;   /* LEN_WITHOUT_LOCK: ns len may still wait for one */
    _Atomic(int) puts_in_window;   /* PUT_WITHOUT_LOCK: between read and write */
    void (*note_concurrent_len)(void);
} run_state;

static bool full(bq *q) { return queue_bug == ONE_SHORT ? q->n + 1 >= q->cap : q->n >= q->cap; }

static bq *make_queue(int cap)
{
    if (cap < 1)
        goc_panic("make(%d): a queue's capacity is 1 or more (the contract in " EX ")", cap);
    bq *q = calloc(1, sizeof *q);
    q->buf = calloc((size_t)cap, sizeof *q->buf);
    q->cap = cap;
    q->not_full = goc_cond_make(&q->mu);
    q->not_empty = goc_cond_make(&q->mu);
    return q;
}

/* PUT_WITHOUT_LOCK's window: wait until another put is in its window too,
 * or until everyone else is parked (no partner can come), so that two
 * puts the test runs at the same time always collide.  Once they did, or
 * once nobody came for 2 s (a goroutine of the test spins), the queue
 * stops waiting: the bug has shown, or this test never overlaps puts. */
static void wait_for_partner(bq *q)
{
    goc_time give_up = cl__now() + 2 * GOC_SECOND;
    cl__grader_wait cl__gw_;
    cl__grader_wait_begin(&cl__gw_);
    while (!atomic_load(&q->collided) && atomic_load(&run_state.puts_in_window) < 2) {
        if (cl__now() >= give_up) {
            atomic_store(&q->collided, true);
            break;
        }
        if (goc_settle(run_state.since, 20 * GOC_MILLISECOND))
            break;
    }
    cl__grader_wait_end(&cl__gw_);
}

/* The bug: the slot is taken under the lock, but the value is written
 * and the slot given up after letting go of it.  Gets are not disturbed
 * (they only see committed values); two puts in the window take the same
 * slot, the second overwrites the first, and the queue counts two values
 * while holding one (the other slot keeps whatever was there). */
static bool put_without_lock(bq *q, int v)
{
    int slot = q->tail; /* read under the lock, by the caller */
    goc_mutex_unlock(&q->mu);
    atomic_fetch_add(&run_state.puts_in_window, 1);
    wait_for_partner(q);
    if (atomic_load(&run_state.puts_in_window) >= 2)
        atomic_store(&q->collided, true);
    q->buf[slot] = v;
    atomic_fetch_sub(&run_state.puts_in_window, 1);
    goc_mutex_lock(&q->mu);
    q->tail = (slot + 1) % q->cap;
    q->n++;
    goc_cond_signal(&q->not_empty);
    goc_mutex_unlock(&q->mu);
    return true;
}

/* LEN_WITHOUT_LOCK's bookkeeping is relaxed on purpose: a release/acquire
 * pair here would order the puts' writes of the count before len's
 * unlocked read, and ThreadSanitizer would rightly see no race. */
static void count_written(void)
{
    if (queue_bug == LEN_WITHOUT_LOCK)
        atomic_fetch_add_explicit(&run_state.n_writes, 1, memory_order_relaxed);
}

/* After len's unlocked read during a put, wait (briefly, without any
 * synchronisation) until another goroutine writes the count: that write
 * and the read are then unordered, so the race pass reports this bug on
 * every run in which a test calls len while a put is under way and the
 * other goroutines move, however the learner's own goroutines synchronise
 * before and after.  At most 50 ms a call and 500 ms per test process in
 * all (a len whose caller is the only one who could move), so a test
 * never slows past its bound. */
static void wait_for_another_write(unsigned seen)
{
    goc_time start = cl__now();
    while (atomic_load_explicit(&run_state.n_writes, memory_order_relaxed) == seen) {
        long waited = (long)(cl__now() - start);
        if (waited >= 50 * GOC_MILLISECOND ||
            waited >= atomic_load_explicit(&run_state.len_wait_left, memory_order_relaxed))
            break;
        goc_yield();
    }
    atomic_fetch_sub_explicit(&run_state.len_wait_left, (long)(cl__now() - start), memory_order_relaxed);
}

static bool queue_put(bq *q, int v)
{
    atomic_fetch_add_explicit(&run_state.puts_in_flight, 1, memory_order_relaxed);
    goc_mutex_lock(&q->mu);
    if (queue_bug == PUT_AFTER_CLOSE_OK && q->closed) {
        goc_mutex_unlock(&q->mu);
        atomic_fetch_sub_explicit(&run_state.puts_in_flight, 1, memory_order_relaxed);
        return true;
    }
    if (queue_bug == DROPS_WHEN_FULL && full(q) && !q->closed) {
        goc_mutex_unlock(&q->mu);
        atomic_fetch_sub_explicit(&run_state.puts_in_flight, 1, memory_order_relaxed);
        return true;
    }
    while (full(q) && !q->closed) {
        q->putters_waiting++;
        goc_cond_wait(&q->not_full);
        q->putters_waiting--;
    }
    bool ok = !q->closed;
    if (ok && queue_bug == PUT_WITHOUT_LOCK) {
        ok = put_without_lock(q, v); /* unlocks */
        atomic_fetch_sub_explicit(&run_state.puts_in_flight, 1, memory_order_relaxed);
        return ok;
    }
    if (ok) {
        q->buf[q->tail] = v;
        q->tail = (q->tail + 1) % q->cap;
        q->n++;
        count_written();
        goc_cond_signal(&q->not_empty);
    }
    goc_mutex_unlock(&q->mu);
    atomic_fetch_sub_explicit(&run_state.puts_in_flight, 1, memory_order_relaxed);
    return ok;
}

static bool queue_get(bq *q, int *v)
{
    goc_mutex_lock(&q->mu);
    if (queue_bug == GET_DOES_NOT_WAIT && q->n == 0) {
        goc_mutex_unlock(&q->mu);
        return false;
    }
    while (q->n == 0 && !q->closed)
        goc_cond_wait(&q->not_empty);
    bool ok = q->n > 0;
    if (ok) {
        if (queue_bug == LIFO) {
            q->tail = (q->tail + q->cap - 1) % q->cap;
            *v = q->buf[q->tail];
        } else {
            *v = q->buf[q->head];
            q->head = (q->head + 1) % q->cap;
        }
        q->n--;
        count_written();
        bool lose_wakeup = queue_bug == LOST_WAKEUP_AT_1 && q->cap == 1 && q->putters_waiting >= 2;
        if (!lose_wakeup)
            goc_cond_signal(&q->not_full);
    }
    goc_mutex_unlock(&q->mu);
    return ok;
}

static void queue_close(bq *q)
{
    goc_mutex_lock(&q->mu);
    q->closed = true;
    goc_cond_broadcast(&q->not_full);
    if (queue_bug == CLOSE_WAKES_ONE)
        goc_cond_signal(&q->not_empty);
    else
        goc_cond_broadcast(&q->not_empty);
    goc_mutex_unlock(&q->mu);
}

static int queue_len(bq *q)
{
    if (queue_bug == LEN_WITHOUT_LOCK) {
        bool during_put = atomic_load_explicit(&run_state.puts_in_flight, memory_order_relaxed) > 0;
        if (during_put && run_state.note_concurrent_len)
            run_state.note_concurrent_len();
        unsigned seen = atomic_load_explicit(&run_state.n_writes, memory_order_relaxed);
        int n = q->n; /* the bug: no lock */
        if (during_put)
            wait_for_another_write(seen);
        return n;
    }
    goc_mutex_lock(&q->mu);
    int n = q->n;
    goc_mutex_unlock(&q->mu);
    return n;
}

static void queue_free(bq *q)
{
    free(q->buf);
    free(q);
}

/* One table for every queue, correct or broken (see queue_bug). */
static const bq_ops queue_ops = {make_queue, queue_put, queue_get, queue_close, queue_len, queue_free};

/* What each broken queue does wrong, and what a test that lets it
 * survive never does (the class of situation, not the assertion). */
static const struct mutant {
    bug bug;
    const char *name;    /* as the learner reads it */
    const char *does;    /* the bug, as a clause */
    const char *missing; /* why it survived */
} MUTANTS[] = {
    {DROPS_WHEN_FULL, "put drops the value when full",
     "put on a full queue returns true at once and throws the value away",
     "No test looks at a put made while the queue is full: that it is still waiting while "
     "nobody gets, and what comes out once someone does"},
    {ONE_SHORT, "capacity off by one",
     "the queue holds one value fewer than its capacity (at capacity 1, every put waits forever)",
     "No test fills a queue to exactly its capacity and checks that every one of those puts "
     "came back; run the same test for several capacities (a table), 1 among them"},
    {GET_DOES_NOT_WAIT, "get on an empty queue does not wait",
     "get on an empty, open queue returns false at once instead of waiting for a put",
     "No test starts a get on an empty queue, checks it is still waiting, then hands it a value"},
    {LEN_WITHOUT_LOCK, "len reads without the lock",
     "len reads the count without taking the lock, a data race and nothing else",
     "No test calls len() while put() runs in another goroutine, so ThreadSanitizer had "
     "nothing to see (a put into a queue with room returns in microseconds, before a len "
     "caller gets going: put more values than the capacity, so the puts wait while getters "
     "drain, and call len all that time)"},
    {CLOSE_WAKES_ONE, "close wakes only one getter",
     "close wakes one waiting get and leaves the others waiting forever",
     "No test closes a queue while several gets wait on it and checks that every one returns"},
    {PUT_AFTER_CLOSE_OK, "put after close succeeds",
     "put after close returns true and the value is lost",
     "No test checks put's result after close"},
    {LIFO, "newest value first (LIFO)",
     "get hands back the newest value instead of the oldest",
     "No test puts several values and checks the order they come back in"},
    {LOST_WAKEUP_AT_1, "two putters stuck at capacity 1",
     "at capacity 1, with two puts waiting, a get wakes neither of them (a lost wake-up)",
     "None of your cases has two puts waiting on a full queue of capacity 1 while gets drain "
     "it; run the same test for several capacities and numbers of goroutines (a table)"},
    {PUT_WITHOUT_LOCK, "put without the lock loses values",
     "put stores its value without the lock: two puts at the same time write the same slot",
     "No test has several goroutines put at the same time and then accounts for every value "
     "(release them together, from a barrier or a gate)"},
};

/* ---- running one learner test in a process of its own --------------------------- */

typedef enum ending { RETURNED, HUNG, DIED } ending;

typedef struct outcome {
    ending end;
    int status;         /* RETURNED, DIED: the exit status, or -signal */
    int errors;         /* errorf calls */
    char first_error[600];
    bool concurrent_len;
    int leaked;
    char leak_dump[2400];
    bool slept;
    char sleep_where[300];
    bool raced;    /* a ThreadSanitizer report in its output */
    bool deadlock; /* libgoc's deadlock report */
    char out[6000]; /* its output, the head */
} outcome;

/* Records the child sends: one write() each, so lines never interleave. */
static int record_fd = -1;

static void send_record(char kind, const char *text)
{
    char line[3000];
    int n = snprintf(line, sizeof line, "%c%s", kind, text);
    if (n < 0)
        return;
    if (n >= (int)sizeof line - 1)
        n = (int)sizeof line - 2;
    for (int i = 1; i < n; i++)
        if (line[i] == '\n')
            line[i] = '\x1f'; /* a record is one line; the parent puts them back */
    line[n++] = '\n';
    ssize_t w = write(record_fd, line, (size_t)n);
    (void)w;
}

static void child_errorf(t_ctx *t, const char *fmt, ...)
{
    (void)t;
    char msg[1000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    send_record('E', msg);
}

static _Atomic(int) len_noted;
static void note_concurrent_len(void)
{
    if (!atomic_exchange(&len_noted, 1))
        send_record('C', "");
}

void __real__exit(int status) __attribute__((noreturn));
static void timers_at_test_end(void); /* with the wraps, at the end */

/* The learner's test, in the child: records go to fd `rec`, output to `out`. */
GOC_NORETURN static void child_run(int index, bug b, int rec, int out)
{
    queue_bug = b;
    record_fd = rec;
    dup2(out, 1);
    dup2(out, 2);
    close(out);
    run_state.since = goc_last_id();
    run_state.note_concurrent_len = note_concurrent_len;
    atomic_store(&run_state.puts_in_flight, 0);
    atomic_store(&run_state.n_writes, 0);
    atomic_store(&run_state.len_wait_left, 500 * GOC_MILLISECOND);
    atomic_store(&run_state.puts_in_window, 0);
    t_ctx t = {child_errorf, NULL};
    TESTS[index].fn(&t, &queue_ops);
    fflush(NULL);
    send_record('R', "");
    char dump[2400] = "";
    FILE *f = fmemopen(dump, sizeof dump - 1, "w");
    int leaked = cl__leak_check(run_state.since, 2 * GOC_SECOND, f);
    if (f)
        fclose(f);
    if (leaked) {
        char text[2500];
        snprintf(text, sizeof text, "%d\n%s", leaked, dump);
        send_record('L', text);
    }
    timers_at_test_end();
    if (cl_learner_sleeps() > 0)
        send_record('S', cl__sleeps.first);
    fflush(NULL);
    __real__exit(0); /* not exit(): grader_main counts that as exiting inside the test */
}

/* Copies at most size-1 bytes of src, always terminated. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void take_record(outcome *o, char *line)
{
    for (char *p = line; *p; p++)
        if (*p == '\x1f')
            *p = '\n';
    switch (line[0]) {
    case 'E':
        if (o->errors++ == 0)
            copy_text(o->first_error, sizeof o->first_error, line + 1);
        break;
    case 'C':
        o->concurrent_len = true;
        break;
    case 'L':
        o->leaked = atoi(line + 1);
        copy_text(o->leak_dump, sizeof o->leak_dump, strchr(line, '\n') ? strchr(line, '\n') + 1 : "");
        break;
    case 'S':
        o->slept = true;
        copy_text(o->sleep_where, sizeof o->sleep_where, line + 1);
        break;
    case 'R':
        o->end = RETURNED;
        break;
    }
}

/* Reads records and output until both pipes close or the deadline. */
static bool drain(int rec, int out, outcome *o, goc_time deadline)
{
    char recbuf[8192];
    size_t reclen = 0, outlen = strlen(o->out); /* a second call appends */
    bool rec_open = true, out_open = true;
    while (rec_open || out_open) {
        goc_time left = deadline - cl__now();
        if (left <= 0)
            return false;
        struct pollfd p[2] = {{rec_open ? rec : -1, POLLIN, 0}, {out_open ? out : -1, POLLIN, 0}};
        if (poll(p, 2, (int)(left / GOC_MILLISECOND) + 1) < 0)
            continue;
        if (rec_open && p[0].revents) {
            ssize_t n = read(rec, recbuf + reclen, sizeof recbuf - 1 - reclen);
            if (n <= 0)
                rec_open = false;
            else
                reclen += (size_t)n;
            recbuf[reclen] = '\0';
            char *nl;
            while ((nl = memchr(recbuf, '\n', reclen))) {
                *nl = '\0';
                take_record(o, recbuf);
                reclen -= (size_t)(nl + 1 - recbuf);
                memmove(recbuf, nl + 1, reclen);
            }
            if (reclen == sizeof recbuf - 1)
                reclen = 0; /* a record too long to be ours */
        }
        if (out_open && p[1].revents) {
            char spill[4096];
            bool room = outlen < sizeof o->out - 1;
            ssize_t n = read(out, room ? o->out + outlen : spill,
                             room ? sizeof o->out - 1 - outlen : sizeof spill);
            if (n <= 0)
                out_open = false;
            else if (room)
                outlen += (size_t)n;
            o->out[outlen] = '\0';
        }
    }
    return true;
}

/* Runs TESTS[index] against the queue with bug `b` in a child process, at
 * most HARNESS_SECONDS, and says how it went. */
static void run_test(int index, bug b, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->end = DIED;
    int rec[2], out[2];
    ck_assert_msg(pipe(rec) == 0 && pipe(out) == 0, "grader: pipe failed");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "grader: fork failed");
    if (pid == 0) {
        close(rec[0]);
        close(out[0]);
        child_run(index, b, rec[1], out[1]);
    }
    close(rec[1]);
    close(out[1]);
    bool finished = drain(rec[0], out[0], o, cl__now() + HARNESS_SECONDS * GOC_SECOND);
    int status = 0;
    if (!finished) {
        /* Like Go's test timeout, which prints every goroutine's stack:
         * libgoc dumps them on SIGQUIT, so the message can say where each
         * of the test's goroutines waits (a line of the learner's file). */
        kill(pid, SIGQUIT);
        drain(rec[0], out[0], o, cl__now() + GOC_SECOND);
        kill(pid, SIGKILL);
        o->end = HUNG;
    }
    waitpid(pid, &status, 0);
    close(rec[0]);
    close(out[0]);
    if (o->end != HUNG)
        o->status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    if (o->end == RETURNED && o->status != 0)
        o->end = DIED; /* returned, then the leak check or exit went wrong */
    o->raced = strstr(o->out, "WARNING: ThreadSanitizer:") != NULL;
    o->deadlock = strstr(o->out, "all goroutines are asleep - deadlock!") != NULL;
}

/* ---- the table itself ------------------------------------------------------------ */

static void expect_well_formed_table(void)
{
    cl_expect(NTESTS >= 1 && NTESTS <= MAX_TESTS, "TESTS to hold between 1 and 64 tests",
              "NTESTS is sizeof TESTS / sizeof TESTS[0]: let the compiler count",
              "NTESTS is %d (" EX ").", NTESTS);
    for (int i = 0; i < NTESTS; i++)
        cl_expect(TESTS[i].name && TESTS[i].name[0] && TESTS[i].fn,
                  "every entry of TESTS to have a name and a function",
                  "an entry is {\"what it proves\", test_function}",
                  "TESTS[%d] has %s (" EX ").", i, TESTS[i].fn ? "no name" : "no function");
}

/* How a run that did not return cleanly ended, in words. */
static const char *how_it_ended(const outcome *o, char *buf, size_t size)
{
    if (o->end == HUNG)
        snprintf(buf, size, "was still running after %d s", HARNESS_SECONDS);
    else if (o->deadlock)
        snprintf(buf, size, "ended in libgoc's deadlock report (every goroutine of the test "
                            "was waiting, the test's own too)");
    else if (o->status < 0)
        snprintf(buf, size, "was killed by signal %d (%s)", -o->status, strsignal(-o->status));
    else
        snprintf(buf, size, "exited with status %d", o->status);
    return buf;
}

/* The first lines of a run's output, for a message. */
static const char *head_of(const outcome *o)
{
    static char head[900];
    const char *dump = o->end == HUNG ? strstr(o->out, "SIGQUIT") : NULL;
    copy_text(head, sizeof head, dump ? dump : o->out);
    return head[0] ? head : "(no output)";
}

/* ---- against the correct queue ----------------------------------------------------- */

CL_TEST(tests_pass_against_the_real_queue)
{
    expect_well_formed_table();
    int failures[MAX_TESTS] = {0};
    char first[MAX_TESTS][600];
    outcome o;
    goc_time budget_end = cl__now() + (goc_duration)(cl__timeout() * REAL_RUNS_SHARE * GOC_SECOND);
    int runs = 0;
    for (int run = 1; run <= REAL_RUNS && (run <= MIN_RUNS || cl__now() < budget_end); run++) {
        runs = run;
        for (int i = 0; i < NTESTS; i++) {
            run_test(i, CORRECT, &o);
            if (o.raced) {
                /* The learner's own race: its report goes to this test's
                 * output, where the runner shows it with the lines of the
                 * learner's file, and the test ends the way ThreadSanitizer
                 * ends one (its exitcode), so the verdict is "data race". */
                fprintf(stderr, "test '%s' (run %d):\n%s", TESTS[i].name, run, o.out);
                fflush(NULL);
                exit(66);
            }
            if (o.end != RETURNED) {
                char how[200];
                cl_expect(false, "every test to finish against the correct queue",
                          o.end == HUNG || o.deadlock
                              ? "a test waits only for what it has arranged to happen; bound "
                                "every wait (goc_latch_wait_for), and prove \"still waiting\" "
                                "with goc_settle"
                              : "run it with `chanlings run`: the output says where",
                          "test '%s' %s against the correct queue (run %d).%s%.200s\nIts output:\n%.700s",
                          TESTS[i].name, how_it_ended(&o, how, sizeof how), run,
                          o.errors ? " It had reported: " : "", o.errors ? o.first_error : "",
                          head_of(&o));
            }
            if (o.errors && failures[i]++ == 0)
                copy_text(first[i], sizeof first[i], o.first_error);
        }
    }
    for (int i = 0; i < NTESTS; i++)
        cl_expect(failures[i] == 0, "every test to pass against the correct queue, every time",
                  failures[i] < runs
                      ? "a test must not depend on timing: hold goroutines at a gate, settle, "
                        "then look; never assume one goroutine ran before another"
                      : "the test expects something the queue's contract (in " EX ") does not "
                        "promise",
                  "'%s' failed %d of %d runs against a correct queue%s: %.400s", TESTS[i].name,
                  failures[i], runs, failures[i] < runs ? ", so it depends on timing" : "",
                  first[i]);
}
CL_END_TEST

CL_TEST(tests_do_not_sleep)
{
    expect_well_formed_table();
    outcome o;
    for (int i = 0; i < NTESTS; i++) {
        run_test(i, CORRECT, &o);
        cl_expect(!o.slept, "no sleeps in the tests",
                  "wait for an event, not for time: a gate or a latch (goc/testing.h) for "
                  "\"it has happened\", goc_settle for \"everything is parked now\"; a bound "
                  "(goc_latch_wait_for, a goc_after timer) is for broken queues only and never "
                  "runs out against the correct one",
                  "test '%s' called %.200s: a sleep is a guess about the scheduler, long enough on "
                  "a quiet machine and too short on a loaded one.",
                  TESTS[i].name, o.sleep_where);
    }
}
CL_END_TEST

CL_TEST(tests_leave_no_goroutines)
{
    expect_well_formed_table();
    outcome o;
    for (int i = 0; i < NTESTS; i++) {
        run_test(i, CORRECT, &o);
        cl_expect(o.leaked == 0, "every goroutine a test starts to have returned when it ends",
                  "a test ends what it starts: close the queue or hand over the value the "
                  "goroutine waits for, then wait for it (a latch, a WaitGroup)",
                  "test '%s' left %d goroutine%s behind against the correct queue:\n%.700s",
                  TESTS[i].name, o.leaked, o.leaked == 1 ? "" : "s", o.leak_dump);
    }
}
CL_END_TEST

/* ---- against the broken queues ------------------------------------------------------ */

static void expect_killed(bug b)
{
    expect_well_formed_table();
    const struct mutant *m = NULL;
    for (size_t k = 0; k < sizeof MUTANTS / sizeof MUTANTS[0]; k++)
        if (MUTANTS[k].bug == b)
            m = &MUTANTS[k];
    ck_assert_msg(m, "grader: no mutant %d", (int)b);
    bool concurrent_len = false;
    outcome o;
    for (int i = 0; i < NTESTS; i++) {
        /* The same test against the correct queue first, in this same
         * grader process: a test must fail because of the queue, not
         * because of when or how often it ran (a count kept in a file, a
         * clock), which nothing else here could tell apart. */
        run_test(i, CORRECT, &o);
        cl_expect(o.end == RETURNED && !o.errors && !o.raced,
                  "each test to pass against the correct queue every time it runs",
                  "a test may depend only on what the queue does, never on timing or on how "
                  "many times it has run",
                  "test '%s' failed against the correct queue when it ran again beside mutant "
                  "'%s'.%s%.400s",
                  TESTS[i].name, m->name, o.errors ? "\nIts output:\n" : "", o.errors ? head_of(&o) : "");
        run_test(i, m->bug, &o);
        concurrent_len |= o.concurrent_len;
        if (o.errors || o.raced)
            return; /* caught: the test reported it, or made its data race happen */
        if (o.end != RETURNED) {
            char how[200];
            cl_expect(false, "each test to report a broken queue with errorf, within its bounds",
                      o.end == HUNG || o.deadlock
                          ? "bound every wait so a broken queue gives your message, not a hang: "
                            "run each put and get in a goroutine of its own, settle, then look "
                            "whether it returned (a line of graders/16-testing-concurrent-code.c "
                            "in the dump is inside the broken queue: a put or get your test "
                            "called there never came back)"
                          : "a test reports what it sees with errorf before anything can crash",
                      "test '%s' %s against mutant '%s' (the bug: %s), before it reported anything."
                      "%s%.400s",
                      TESTS[i].name, how_it_ended(&o, how, sizeof how), m->name, m->does,
                      "\nIts output:\n", head_of(&o));
        }
    }
#ifndef CL__UNDER_TSAN
    if (b == LEN_WITHOUT_LOCK && concurrent_len)
        return; /* a data race only: the race pass decides */
#endif
    cl_expect(false, "some test to fail against a queue with this bug",
              "put the queue where this bug would show (goroutines held and settled), then "
              "check what a correct queue must do there",
              "mutant '%s' survived. Its bug: %s. %s.", m->name, m->does, m->missing);
}

CL_TEST(kills_put_that_drops_when_full) { expect_killed(DROPS_WHEN_FULL); }
CL_END_TEST
CL_TEST(kills_capacity_off_by_one) { expect_killed(ONE_SHORT); }
CL_END_TEST
CL_TEST(kills_get_that_does_not_wait) { expect_killed(GET_DOES_NOT_WAIT); }
CL_END_TEST
CL_TEST(kills_len_without_the_lock) { expect_killed(LEN_WITHOUT_LOCK); }
CL_END_TEST
CL_TEST(kills_close_that_wakes_one_getter) { expect_killed(CLOSE_WAKES_ONE); }
CL_END_TEST
CL_TEST(kills_put_after_close_that_succeeds) { expect_killed(PUT_AFTER_CLOSE_OK); }
CL_END_TEST
CL_TEST(kills_newest_first_order) { expect_killed(LIFO); }
CL_END_TEST
CL_TEST(kills_lost_wakeup_at_capacity_1) { expect_killed(LOST_WAKEUP_AT_1); }
CL_END_TEST
CL_TEST(kills_put_without_the_lock) { expect_killed(PUT_WITHOUT_LOCK); }
CL_END_TEST

/* The learner's libgoc calls that wait on purpose: their own sleeps inside
 * the leak check are not the learner's sleeps. */
bool __real_goc_settle(int64_t since_id, goc_duration limit);
int __real_goc_leak_check(int64_t since_id, goc_duration timeout, FILE *report);

bool __wrap_goc_settle(int64_t since_id, goc_duration limit)
{
    bool learners = !cl__in_grader_wait();
    cl__grader_wait cl__gw_;
    cl__grader_wait_begin(&cl__gw_);
    bool settled = __real_goc_settle(since_id, limit);
    cl__grader_wait_end(&cl__gw_);
    if (learners && !settled) {
        /* Against the correct queue every goroutine of a test parks or ends
         * at once; a settle that runs out waited its limit for a goroutine
         * that polls, and then the test went on as after a sleep. */
        char what[140];
        snprintf(what, sizeof what, "goc_settle(since, %lld ms) until it ran out (a goroutine of "
                 "the test was still running: one that polls never settles)",
                 (long long)(limit / GOC_MILLISECOND));
        cl__sleep_seen(what, (goc_site){NULL, 0, NULL});
    }
    return settled;
}

int __wrap_goc_leak_check(int64_t since_id, goc_duration timeout, FILE *report)
{
    cl__grader_wait cl__gw_;
    cl__grader_wait_begin(&cl__gw_);
    int n = __real_goc_leak_check(since_id, timeout, report);
    cl__grader_wait_end(&cl__gw_);
    return n;
}

/* ---- waiting for time under another name ----------------------------------------
 *
 * A bound is for broken queues: against the correct one a test's bounded
 * wait never runs out, because what it waits for happens in microseconds.
 * A goc_after timer the test lets fire, or a goc_latch_wait_for that gives
 * up, against the correct queue is a sleep by another name ("still waiting
 * after 20 ms"), as much a guess as usleep: both count as the test's
 * sleeps.  A timer counts when it is freed at or after its deadline, or is
 * never freed and the deadline has passed when the test ends. */
goc_chan *__real_goc_after_at(goc_duration d, goc_site site);
void __real_goc_chan_free_at(goc_chan *ch, goc_site site);
bool __real_goc_latch_wait_for(goc_latch *l, goc_duration limit);

/* No lock here: goc_chan_free is called for every channel the learner
 * frees, and a lock taken by every one of those calls would order their
 * goroutines for ThreadSanitizer and hide their races.  A slot is claimed
 * with a compare-and-swap and published with release; a free looks with
 * relaxed loads and takes acquire only on its own timer. */
#define MAX_TIMERS 64
static struct learner_timer {
    _Atomic(goc_chan *) ch; /* NULL: a free slot */
    goc_time due;
    goc_duration d;
    goc_site site;
} learner_timers[MAX_TIMERS];
static char claim_mark;                       /* its address: a slot being filled */
#define CLAIMING ((goc_chan *)(void *)&claim_mark)

static void timer_ran_out(const struct learner_timer *lt)
{
    char what[100];
    snprintf(what, sizeof what, "goc_after(%lld ms) and let the timer run out",
             (long long)(lt->d / GOC_MILLISECOND));
    cl__sleep_seen(what, lt->site);
}

goc_chan *__wrap_goc_after_at(goc_duration d, goc_site site)
{
    goc_chan *ch = __real_goc_after_at(d, site);
    if (!cl_is_learner_file(site.file))
        return ch;
    for (int i = 0; i < MAX_TIMERS; i++) {
        goc_chan *none = NULL;
        if (atomic_compare_exchange_strong(&learner_timers[i].ch, &none, CLAIMING)) {
            learner_timers[i].due = cl__now() + d;
            learner_timers[i].d = d;
            learner_timers[i].site = site;
            atomic_store_explicit(&learner_timers[i].ch, ch, memory_order_release);
            break;
        }
    }
    return ch;
}

void __wrap_goc_chan_free_at(goc_chan *ch, goc_site site)
{
    for (int i = 0; ch && i < MAX_TIMERS; i++)
        if (atomic_load_explicit(&learner_timers[i].ch, memory_order_relaxed) == ch &&
            atomic_load_explicit(&learner_timers[i].ch, memory_order_acquire) == ch) {
            if (cl__now() >= learner_timers[i].due)
                timer_ran_out(&learner_timers[i]);
            atomic_store_explicit(&learner_timers[i].ch, NULL, memory_order_release);
        }
    __real_goc_chan_free_at(ch, site);
}

/* Timers still alive when the test ends (called on the test's goroutine
 * after it returned): those past their deadline ran out. */
static void timers_at_test_end(void)
{
    for (int i = 0; i < MAX_TIMERS; i++) {
        goc_chan *ch = atomic_load_explicit(&learner_timers[i].ch, memory_order_acquire);
        if (ch && ch != CLAIMING && cl__now() >= learner_timers[i].due)
            timer_ran_out(&learner_timers[i]);
    }
}

bool __wrap_goc_latch_wait_for(goc_latch *l, goc_duration limit)
{
    bool opened = __real_goc_latch_wait_for(l, limit);
    if (!opened && !cl__in_grader_wait()) {
        char what[100];
        snprintf(what, sizeof what, "goc_latch_wait_for(latch, %lld ms) until it ran out",
                 (long long)(limit / GOC_MILLISECOND));
        cl__sleep_seen(what, (goc_site){NULL, 0, NULL});
    }
    return opened;
}

Suite *cl_grader_suite(void)
{
    /* A runner started in the background inherits SIGQUIT ignored, and
     * libgoc installs its dump on SIGQUIT only over the default: reset it
     * before libgoc starts, so a test stopped at 5 s still shows where it
     * waits. */
    signal(SIGQUIT, SIG_DFL);
    return CL_SUITE("16-testing-concurrent-code", tests_pass_against_the_real_queue,
                    tests_do_not_sleep, tests_leave_no_goroutines, kills_put_that_drops_when_full,
                    kills_capacity_off_by_one, kills_get_that_does_not_wait,
                    kills_len_without_the_lock, kills_close_that_wakes_one_getter,
                    kills_put_after_close_that_succeeds, kills_newest_first_order,
                    kills_lost_wakeup_at_capacity_1, kills_put_without_the_lock);
}
