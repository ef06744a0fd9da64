/* The execution trace (goc/trace.h): what a small program records, that
 * nothing is lost, and that a program that deadlocks or panics still
 * leaves a valid trace showing where everyone stopped.
 *
 * The writer prints one event per line, so these tests read the file
 * line by line; lib/tests/trace_validate.py checks the whole contract
 * (required fields, sorted, flows paired, spans back to back) on every
 * file written here, when python3 is installed.  Determinism: each wait
 * the tests count is made certain with the leak check's settle (everyone
 * else parked), never with a sleep. */
#include "testing.h"

#include <fcntl.h>
#include <sys/stat.h>

/* ---- reading a trace ------------------------------------------------------------ */

typedef struct trace_file {
    char path[64];
    char *text;
    char **lines;
    int nlines;
} trace_file;

static void trace_path(trace_file *t)
{
    snprintf(t->path, sizeof t->path, "/tmp/goc-trace-test-XXXXXX");
    int fd = mkstemp(t->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

/* Checks the file with the validator (when python3 is there), then reads it. */
static void trace_load(trace_file *t, const char *want_end)
{
    if (system("command -v python3 >/dev/null 2>&1") == 0) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "python3 lib/tests/trace_validate.py --end %s %s >&2", want_end, t->path);
        ck_assert_msg(system(cmd) == 0, "trace_validate.py rejected %s (see above; run from the repository root)",
                      t->path);
    }
    FILE *f = fopen(t->path, "r");
    ck_assert_msg(f != NULL, "no trace file %s", t->path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    t->text = malloc((size_t)size + 1);
    ck_assert_int_eq(fread(t->text, 1, (size_t)size, f), (size_t)size);
    t->text[size] = '\0';
    fclose(f);
    t->nlines = 0;
    for (char *p = t->text; *p; p++)
        t->nlines += *p == '\n';
    t->lines = calloc((size_t)t->nlines + 1, sizeof *t->lines);
    int n = 0;
    for (char *save = NULL, *line = strtok_r(t->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        t->lines[n++] = line;
    t->nlines = n;
    char end[64];
    snprintf(end, sizeof end, "\"end\":\"%s\"", want_end);
    ck_assert_contains(t->lines[1], end);
}

static void trace_done(trace_file *t)
{
    unlink(t->path);
    free(t->lines);
    free(t->text);
}

/* Lines holding every one of the (NULL-terminated) needles. */
static int count_v(const trace_file *t, const char *const *needles, const char **first)
{
    int n = 0;
    for (int i = 0; i < t->nlines; i++) {
        bool all = true;
        for (const char *const *k = needles; *k && all; k++)
            all = strstr(t->lines[i], *k) != NULL;
        if (all && n++ == 0 && first)
            *first = t->lines[i];
    }
    return n;
}
#define count(t, ...) count_v((t), (const char *const[]){__VA_ARGS__, NULL}, NULL)
#define find(t, out, ...) count_v((t), (const char *const[]){__VA_ARGS__, NULL}, (out))

static long long field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    ck_assert_msg(p != NULL, "no %s in %s", key, line);
    return atoll(p + strlen(key));
}

/* "tid":N, with the closing comma so "tid":1 does not match "tid":12 */
static const char *tid_is(char *buf, size_t n, long long id)
{
    snprintf(buf, n, "\"tid\":%lld,", id);
    return buf;
}

static const char *site_is(char *buf, size_t n, int line)
{
    snprintf(buf, n, "\"site\":\"%s:%d\"", __FILE__, line);
    return buf;
}

/* Waits until every goroutine newer than `base` is parked or gone. */
static void settle(int64_t base) { goc_leak_check(base, 10 * GOC_SECOND, NULL); }

/* ---- a ping-pong, event by event ----------------------------------------------------- */

enum { ROUNDS = 3 };

typedef struct pingpong {
    goc_chan *ping, *pong;
} pingpong;

enum { PONGER_AT = __LINE__ }; /* the ponger's waits are counted from here: keep them in place */
static void ponger(void *arg)
{
    pingpong *p = arg;
    for (int i = 0; i < ROUNDS; i++) {
        int v;
        goc_recv(p->ping, &v); /* PONGER_AT + 6 */
        goc_send(p->pong, &v); /* PONGER_AT + 7 */
    }
}
enum { PONG_RECV_LINE = PONGER_AT + 6, PONG_SEND_LINE = PONGER_AT + 7 };

START_TEST(ping_pong_shows_who_woke_whom_and_where)
{
    trace_file t;
    trace_path(&t);
    ck_assert(goc_trace_start(t.path));
    int64_t base = goc_last_id(), me = goc_id();
    pingpong p = {goc_chan_make(int, 0), goc_chan_make(int, 0)};
    int64_t pid = goc_go_named("ponger", ponger, &p);
    for (int i = 0; i < ROUNDS; i++) {
        settle(base); /* the ponger waits in receive */
        goc_send(p.ping, &i);
        settle(base); /* the ponger waits in send: nobody receives yet */
        int v;
        goc_recv(p.pong, &v);
    }
    settle(base); /* it has returned */
    goc_trace_stop();
    trace_load(&t, "stop");

    char g[32], m[32], s1[96], s2[96], name[64], child[64], woken[64];
    tid_is(g, sizeof g, pid);
    tid_is(m, sizeof m, me);
    snprintf(name, sizeof name, "\"name\":\"g%lld ponger\"", (long long)pid);
    snprintf(child, sizeof child, "\"child\":%lld,", (long long)pid);
    snprintf(woken, sizeof woken, "\"woken_by\":%lld}", (long long)me);
    ck_assert_int_eq(count(&t, g, "thread_name", name), 1);
    ck_assert_int_eq(count(&t, m, "\"name\":\"go\"", child), 1);
    /* every wait of the ponger: where, why, and that main woke it */
    ck_assert_int_eq(count(&t, g, "\"name\":\"chan receive\"", site_is(s1, sizeof s1, PONG_RECV_LINE), woken), ROUNDS);
    ck_assert_int_eq(count(&t, g, "\"name\":\"chan send\"", site_is(s2, sizeof s2, PONG_SEND_LINE), woken), ROUNDS);
    ck_assert_int_eq(count(&t, g, "\"cat\":\"blocked\""), 2 * ROUNDS);
    ck_assert_int_eq(count(&t, g, "\"name\":\"recv\"", site_is(s1, sizeof s1, PONG_RECV_LINE)), ROUNDS);
    ck_assert_int_eq(count(&t, g, "\"name\":\"send\"", site_is(s2, sizeof s2, PONG_SEND_LINE)), ROUNDS);
    ck_assert_int_eq(count(&t, m, "\"name\":\"send\""), ROUNDS);
    ck_assert_int_eq(count(&t, m, "\"name\":\"recv\""), ROUNDS);
    ck_assert_int_eq(count(&t, g, "\"name\":\"end\""), 1);
    /* six wakes by main, each an arrow from main to the ponger */
    ck_assert_int_eq(count(&t, m, "\"ph\":\"s\""), 2 * ROUNDS);
    ck_assert_int_eq(count(&t, g, "\"ph\":\"f\""), 2 * ROUNDS);
    for (int i = 0; i < t.nlines; i++) {
        if (!strstr(t.lines[i], "\"ph\":\"s\""))
            continue;
        char id[32];
        snprintf(id, sizeof id, "\"id\":%lld,", field(t.lines[i], "\"id\":"));
        ck_assert_int_eq(count(&t, "\"ph\":\"f\"", id, g), 1);
    }

    /* The ponger's life in order: created, runnable, running, then
     * blocked in receive; each wake makes it runnable before it runs. */
    const char *order[] = {"\"name\":\"runnable\"", "\"name\":\"running\"", "\"name\":\"chan receive\"",
                           "\"name\":\"runnable\"", "\"name\":\"running\"", "\"name\":\"chan send\""};
    const char *go_line = NULL;
    find(&t, &go_line, m, "\"name\":\"go\"");
    int k = 0;
    bool after_go = false;
    for (int i = 0; i < t.nlines && k < 6; i++) {
        after_go = after_go || t.lines[i] == go_line;
        if (after_go && strstr(t.lines[i], g) && strstr(t.lines[i], "\"ph\":\"X\""))
            ck_assert_msg(strstr(t.lines[i], order[k++]), "expected %s as the ponger's span %d, got %s", order[k - 1],
                          k, t.lines[i]);
    }
    ck_assert_int_eq(k, 6);
    goc_chan_free(p.ping);
    goc_chan_free(p.pong);
    trace_done(&t);
}
END_TEST

/* ---- nothing lost ---------------------------------------------------------------------- */

enum { SENDERS = 4, PER_SENDER = 25000 };

static void send_many(void *arg)
{
    goc_chan *c = arg;
    for (int i = 0; i < PER_SENDER; i++)
        goc_send(c, &i);
}

START_TEST(a_hundred_thousand_events_none_lost)
{
    trace_file t;
    trace_path(&t);
    ck_assert(goc_trace_start(t.path));
    goc_chan *c = goc_chan_make(int, SENDERS * PER_SENDER); /* nobody blocks: one event per send */
    goc_waitgroup wg = {0};
    for (int i = 0; i < SENDERS; i++)
        goc_wg_go(&wg, send_many, c);
    goc_wg_wait(&wg);
    for (int i = 0; i < SENDERS * PER_SENDER; i++)
        goc_recv(c, &(int){0});
    goc_trace_stop();
    trace_load(&t, "stop");
    ck_assert_contains(t.lines[1], "\"dropped\":0}");
    ck_assert_int_eq(count(&t, "\"name\":\"send\""), SENDERS * PER_SENDER);
    ck_assert_int_eq(count(&t, "\"name\":\"recv\""), SENDERS * PER_SENDER);
    ck_assert_int_eq(count(&t, "\"name\":\"go\""), SENDERS);
    goc_chan_free(c);
    trace_done(&t);
}
END_TEST

/* ---- select, close, mutex, timers ----------------------------------------------------- */

typedef struct locker {
    goc_mutex mu;
    goc_chan *done;
} locker;

enum { LOCKER_AT = __LINE__ };
static void lock_then_report(void *arg)
{
    locker *l = arg;
    goc_mutex_lock(&l->mu); /* LOCKER_AT + 4 */
    goc_mutex_unlock(&l->mu);
    goc_close(l->done);
}

START_TEST(select_close_mutex_and_timer_are_recorded)
{
    trace_file t;
    trace_path(&t);
    ck_assert(goc_trace_start(t.path));
    int64_t base = goc_last_id(), me = goc_id();
    locker l = {.done = goc_chan_make(int, 0)};
    goc_mutex_lock(&l.mu);
    int64_t w = goc_go(lock_then_report, &l);
    settle(base); /* it waits for the mutex */
    goc_mutex_unlock(&l.mu);
    settle(base); /* it took the mutex, closed done and returned */
    int v;
    goc_chan *ready = goc_chan_make(int, 1), *never = goc_chan_make(int, 0);
    goc_send(ready, &(int){5});
    ck_assert_int_eq(goc_select(goc_case_recv(never, &v), goc_case_recv(ready, &v)), 1);
    ck_assert(!goc_recv(l.done, &v)); /* closed */
    goc_sleep(GOC_MILLISECOND);
    goc_trace_stop();
    trace_load(&t, "stop");

    char g[32], m[32], site[96], woken[64];
    tid_is(g, sizeof g, w);
    tid_is(m, sizeof m, me);
    snprintf(woken, sizeof woken, "\"woken_by\":%lld}", (long long)me);
    ck_assert_int_eq(count(&t, g, "\"name\":\"sync.Mutex.Lock\"", site_is(site, sizeof site, LOCKER_AT + 4), woken), 1);
    ck_assert_int_eq(count(&t, m, "\"name\":\"select\"", "\"case\":1,"), 1);
    ck_assert_int_eq(count(&t, g, "\"name\":\"close\""), 1);
    ck_assert_int_eq(count(&t, m, "\"name\":\"recv\"", "\"closed\":true"), 1);
    ck_assert_int_eq(count(&t, m, "\"name\":\"sleep\"", "\"woken_by\":0}"), 1);
    ck_assert_int_eq(count(&t, m, "\"name\":\"timer fire\""), 1);
    goc_chan_free(l.done);
    goc_chan_free(ready);
    goc_chan_free(never);
    trace_done(&t);
}
END_TEST

/* ---- deadlock and panic ------------------------------------------------------------- */

static char dying_path[64];

enum { STUCK_AT = __LINE__ };
static void stuck_receiver(void *arg)
{
    goc_recv((goc_chan *)arg, &(int){0}); /* STUCK_AT + 3 */
}

static void deadlock_traced(void *arg)
{
    (void)arg;
    goc_trace_start(dying_path);
    goc_chan *c = goc_chan_make(int, 0);
    goc_go(stuck_receiver, c);
    goc_recv(c, &(int){0}); /* both wait to receive: deadlock */
    goc_recv(c, &(int){0});
}

START_TEST(a_deadlocked_program_still_writes_its_trace)
{
    trace_file t;
    trace_path(&t);
    snprintf(dying_path, sizeof dying_path, "%s", t.path);
    dying_result *r = malloc(sizeof *r);
    run_dying(deadlock_traced, NULL, 20, r);
    ck_assert_int_eq(r->exit_status, 2);
    ck_assert_contains(r->out, "all goroutines are asleep - deadlock!");
    trace_load(&t, "deadlock");
    char site[96];
    /* where each one stopped; main is 1 in the child */
    ck_assert_int_eq(count(&t, "\"tid\":2,", "\"name\":\"chan receive\"", site_is(site, sizeof site, STUCK_AT + 3)), 1);
    ck_assert_int_eq(count(&t, "\"tid\":1,", "\"name\":\"chan receive\"", "\"site\":\"" __FILE__ ":"), 1);
    ck_assert_int_eq(count(&t, "\"name\":\"deadlock\"", "all goroutines are asleep"), 1);
    ck_assert_int_eq(count(&t, "\"name\":\"end\""), 2);
    free(r);
    trace_done(&t);
}
END_TEST

enum { PANICKER_AT = __LINE__ };
static void panicker(void *arg)
{
    (void)arg;
    settle(0); /* main waits in receive */
    goc_panic("boom %d", 7); /* PANICKER_AT + 5 */
}

static void panic_traced(void *arg)
{
    (void)arg;
    goc_trace_start(dying_path);
    goc_chan *never = goc_chan_make(int, 0);
    goc_go(panicker, NULL);
    goc_recv(never, &(int){0});
}

START_TEST(a_panicking_program_still_writes_its_trace)
{
    trace_file t;
    trace_path(&t);
    snprintf(dying_path, sizeof dying_path, "%s", t.path);
    dying_result *r = malloc(sizeof *r);
    run_dying(panic_traced, NULL, 20, r);
    ck_assert_int_eq(r->exit_status, 2);
    ck_assert_contains(r->out, "panic: boom 7");
    trace_load(&t, "panic");
    char site[96];
    ck_assert_int_eq(count(&t, "\"tid\":2,", "\"name\":\"panic\"", site_is(site, sizeof site, PANICKER_AT + 5),
                           "\"message\":\"panic: boom 7\""), 1);
    /* main was waiting, and its span is closed at the moment of death */
    ck_assert_int_eq(count(&t, "\"tid\":1,", "\"name\":\"chan receive\""), 1);
    ck_assert_int_eq(count(&t, "\"name\":\"end\""), 2);
    free(r);
    trace_done(&t);
}
END_TEST

/* ---- the API's refusals ---------------------------------------------------------------- */

START_TEST(start_refuses_a_second_trace_and_a_bad_path)
{
    trace_file t;
    trace_path(&t);
    ck_assert(!goc_trace_start("/nonexistent-dir/trace.json"));
    ck_assert(goc_trace_start(t.path));
    ck_assert(!goc_trace_start(t.path));
    goc_trace_stop();
    goc_trace_stop(); /* nothing to stop: harmless */
    trace_load(&t, "stop");
    trace_done(&t);
}
END_TEST

static Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ping_pong_shows_who_woke_whom_and_where);
    tcase_add_test(tc, a_hundred_thousand_events_none_lost);
    tcase_add_test(tc, select_close_mutex_and_timer_are_recorded);
    tcase_add_test(tc, a_deadlocked_program_still_writes_its_trace);
    tcase_add_test(tc, a_panicking_program_still_writes_its_trace);
    tcase_add_test(tc, start_refuses_a_second_trace_and_a_bad_path);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(trace_suite)
