/* The grader of exercise 17: four functions shipped with one planted bug
 * each (find_first leaks, move_stats deadlocks, run_and_stop closes twice,
 * serve_all races) and group_dump, new code that groups a goroutine dump.
 *
 * Every bug is certain, not likely: the searches are held at a gate so
 * that find_first answers before the slow ones do; the lesson's `wrap:`
 * holds the first move_stats right after its first lock while the opposite
 * move starts (the lock cycle, every run); the last job of run_and_stop is
 * held while the other workers stop (so a worker's close meets another's);
 * serve_all's handlers meet at a barrier, so their counting overlaps for
 * the race pass.  The shipped file ends some tests in libgoc's own panic
 * (close of closed channel) — the verdict the lesson teaches to read.
 *
 * group_dump is graded on real dumps: goroutines the test parks at lines
 * of this file, dumped with goc_dump_goroutines. */
#include "grader.h"

#include <stdint.h>

typedef bool (*match_fn)(int shard, void *ctx);
typedef void (*job_fn)(int job, void *ctx);
typedef void (*handler_fn)(int request, void *ctx);
typedef struct stat_bucket {
    goc_mutex mu;
    int64_t count;
} stat_bucket;
typedef struct dump_group {
    char state[32];
    char site[160];
    int count;
} dump_group;

int find_first(int n, match_fn matches, void *ctx);
void move_stats(stat_bucket *from, stat_bucket *to, int64_t count);
int run_and_stop(int workers, int jobs, job_fn fn, void *ctx);
int64_t serve_all(int requests, int handlers, handler_fn handle, void *ctx);
int group_dump(const char *dump, dump_group *out, int max);

#define EX "exercises/17-pitfalls-and-debugging.c"

/* ---- reading dumps for the messages ------------------------------------------ */

/* The grader's own summary of a dump, "N x [state] at site" per wait site,
 * for messages: a leak or a deadlock of 50 goroutines in five lines.  The
 * test's own thread (running, in the middle of taking the dump) is left
 * out.  Returns how many goroutines it counted. */
static int summarize(const char *dump, char *buf, size_t size)
{
    enum { MAXG = 12 };
    struct {
        char key[200];
        int n;
    } g[MAXG];
    int groups = 0, other = 0, seen = 0;
    char state[40] = "";
    bool want = false;
    for (const char *p = dump; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *open = memchr(p, '[', len), *close = memchr(p, ']', len);
        if (strncmp(p, "goroutine ", 10) == 0 && open && close > open) {
            snprintf(state, sizeof state, "%.*s", (int)(close - open - 1), open + 1);
            want = true;
        } else if (want && *p == '\t' && strcmp(state, "running") == 0) {
            want = false;
        } else if (want && *p == '\t' && !nl) {
            break; /* a dump cut off in the middle of this line: not a site */
        } else if (want && *p == '\t') {
            seen++;
            char key[200];
            snprintf(key, sizeof key, "[%s] at %.*s", state, (int)(len - 1), p + 1);
            int i = 0;
            while (i < groups && strcmp(g[i].key, key) != 0)
                i++;
            if (i < groups)
                g[i].n++;
            else if (groups < MAXG) {
                snprintf(g[groups].key, sizeof g[groups].key, "%s", key);
                g[groups++].n = 1;
            } else
                other++;
            want = false;
        }
        p = nl ? nl + 1 : p + len;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < groups && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "  %d x %s\n", g[i].n, g[i].key);
    if (other && used < size)
        used += (size_t)snprintf(buf + used, size - used, "  (%d more elsewhere)\n", other);
    if (used > 0 && used < size && buf[used - 1] == '\n')
        buf[used - 1] = '\0';
    return seen;
}

/* The goroutines of this test right now, summarized. */
static const char *where_everyone_waits(void)
{
    static char dump[1 << 16], summary[1200];
    cl_dump(dump, sizeof dump);
    summarize(dump, summary, sizeof summary);
    return summary;
}

/* ---- find_first ---------------------------------------------------------------- */

typedef struct shards {
    int match;          /* the shard that matches; ALL_MATCH; or -1 */
    int fast;           /* the shard that answers at once; the others wait at `slow` */
    bool hold;          /* whether the others wait at all */
    cl_gate slow;
    _Atomic(int) asked, answered;
} shards;

#define ALL_MATCH (-2)

static bool shard_matches(int shard, void *ctx)
{
    shards *s = ctx;
    atomic_fetch_add(&s->asked, 1);
    if (s->hold && shard != s->fast)
        cl_gate_pass(&s->slow);
    atomic_fetch_add(&s->answered, 1);
    return s->match == ALL_MATCH || shard == s->match;
}

typedef struct first_call {
    int n;
    shards *s;
    int got;
} first_call;

static void call_find_first(void *arg)
{
    first_call *f = arg;
    f->got = find_first(f->n, shard_matches, f->s);
}

static shards *new_shards(int match, int fast, bool hold)
{
    shards *s = cl_alloc(1, sizeof *s);
    s->match = match;
    s->fast = fast;
    s->hold = hold;
    cl_gate_init(&s->slow);
    return s;
}

/* The leak check with this exercise's words: who is still alive, grouped
 * by where they wait, and why a sleep would not have helped. */
static void expect_searches_gone(int n, const char *call)
{
    const char *report;
    int left = cl_leaked(&report);
    if (left == 0)
        return;
    char summary[1200];
    int shown = summarize(report, summary, sizeof summary);
    ck_abort_msg("expected: every search goroutine to finish and exit after find_first returned\n"
                 "happened: " CL_MARK_LEAKED " %d of %d searches were still alive after %s "
                 "returned, blocked where they send their answer: find_first stopped "
                 "receiving after the first match, and an unbuffered send waits for a "
                 "receiver for ever%s (" EX ", find_first). Where they wait%s:\n%s\n"
                 "revisit:  finding and preventing goroutine leaks: give the channel room for "
                 "every answer (goc_chan_make(int, n)), or let each search select on a quit "
                 "channel that find_first closes",
                 left, n, call,
                 cl_learner_sleeps() ? "; the code slept, but a sleep changes the timing, not "
                                       "the fact that nobody receives"
                                     : "",
                 shown < left ? " (the first of them; the report was cut)" : "", summary);
}

/* Shard 5 answers at once; the seven others are held.  find_first must
 * return 5 while they are still held, and they must all exit once let go. */
CL_TEST(find_first_returns_the_match_without_waiting_for_slow_shards)
{
    shards *s = new_shards(5, 5, true);
    first_call f = {8, s, -99};
    cl_call c;
    cl_spawn_call(&c, call_find_first, &f);
    bool back = cl_call_await(&c, 5);
    int held = atomic_load(&s->asked) - atomic_load(&s->answered);
    cl_gate_open(&s->slow);
    cl_expect(back, "find_first to return as soon as shard 5 matched",
              "\"first\" means the first answer that matches: receive until one matches, then "
              "return, without waiting for the shards still searching",
              "find_first was still waiting while %d slow shards were held: it waits for every "
              "answer (" EX ", find_first).",
              held);
    cl_expect(f.got == 5, "find_first(8 shards, only shard 5 matches) to return 5",
              "return the index a matching search sent", "it returned %d (" EX ", find_first).",
              f.got);
    expect_searches_gone(8, "find_first(8 shards)");
}
CL_END_TEST

/* All 50 shards match and answer at once: one answer is used, and the 49
 * searches whose answer nobody wants must still be able to exit. */
CL_TEST(find_first_leaves_no_search_goroutine_behind)
{
    shards *s = new_shards(ALL_MATCH, -1, false);
    int got = find_first(50, shard_matches, s);
    cl_expect(got >= 0 && got < 50, "find_first(50 shards, all match) to return one of 0..49",
              "return the index a matching search sent", "it returned %d (" EX ", find_first).",
              got);
    expect_searches_gone(50, "find_first(50 shards, all match)");
}
CL_END_TEST

CL_TEST(find_first_returns_minus_one_when_no_shard_matches)
{
    shards *s = new_shards(-1, -1, false);
    int got = find_first(10, shard_matches, s);
    cl_expect(got == -1, "find_first(10 shards, none matches) to return -1",
              "receive every answer before concluding that none matched",
              "it returned %d (" EX ", find_first).", got);
    cl_expect(atomic_load(&s->asked) == 10, "every one of the 10 shards to be searched",
              "one goroutine per shard", "%d were searched (" EX ", find_first).",
              atomic_load(&s->asked));
    expect_searches_gone(10, "find_first(10 shards, none matches)");
}
CL_END_TEST

/* Eight callers at once, each looking for a different shard: a channel or
 * counter shared between calls (a static) mixes their answers. */
typedef struct crowd_search {
    shards s[8];
    int got[8];
} crowd_search;

static void find_first_concurrently(int caller, void *arg)
{
    crowd_search *cs = arg;
    cs->got[caller] = find_first(16, shard_matches, &cs->s[caller]);
}

CL_TEST(find_first_from_eight_callers_at_once)
{
    crowd_search *cs = cl_alloc(1, sizeof *cs);
    for (int i = 0; i < 8; i++) {
        cs->s[i].match = 2 * i;
        cs->s[i].fast = -1;
    }
    cl_expect(cl_call_concurrently(8, find_first_concurrently, cs),
              "8 concurrent calls of find_first to return", "nothing shared between calls",
              "some never returned (" EX ", find_first). Where they wait:\n%s",
              where_everyone_waits());
    for (int i = 0; i < 8; i++)
        cl_expect(cs->got[i] == 2 * i, "each call to find its own matching shard",
                  "each call makes its own channel: nothing static",
                  "the call looking for shard %d got %d (" EX ", find_first).", 2 * i,
                  cs->got[i]);
    expect_searches_gone(8 * 16, "8 concurrent calls of find_first");
}
CL_END_TEST

/* ---- move_stats -------------------------------------------------------------------- */

static stat_bucket *new_bucket(int64_t count)
{
    stat_bucket *b = cl_alloc(1, sizeof *b);
    b->count = count;
    return b;
}

typedef struct move_call {
    stat_bucket *from, *to;
    int64_t count;
} move_call;

static void call_move_stats(void *arg)
{
    move_call *m = arg;
    move_stats(m->from, m->to, m->count);
}

CL_TEST(move_stats_moves_the_count_and_unlocks_both)
{
    stat_bucket *a = new_bucket(100), *b = new_bucket(5);
    move_stats(a, b, 30);
    cl_expect(a->count == 70 && b->count == 35, "move_stats(a=100, b=5, 30) to leave 70 and 35",
              "subtract from `from`, add to `to`",
              "it left %lld and %lld (" EX ", move_stats).", (long long)a->count,
              (long long)b->count);
    bool free_a = goc_mutex_trylock(&a->mu), free_b = goc_mutex_trylock(&b->mu);
    if (free_a)
        goc_mutex_unlock(&a->mu);
    if (free_b)
        goc_mutex_unlock(&b->mu);
    cl_expect(free_a && free_b, "both buckets unlocked after move_stats returned",
              "unlock every mutex you locked, on every path",
              "%s was still locked (" EX ", move_stats).",
              !free_a ? "`from`" : "`to`");
}
CL_END_TEST

/* The contract is one move under both locks: nobody who locks a bucket may
 * see the count in both buckets or in neither.  move_stats(a, b) is held
 * at its first unlock: both buckets must still be locked there, and the
 * count already moved.  Locking one bucket at a time ("lock from, take,
 * unlock, lock to, add") or a lock of its own instead of the buckets'
 * passes every other test and breaks exactly this. */
CL_TEST(move_stats_holds_both_locks_for_the_whole_move)
{
    stat_bucket *a = new_bucket(100), *b = new_bucket(100);
    move_call ab = {a, b, 10};
    cl_point_hold(CL_BEFORE_UNLOCK, 1);
    cl_call c;
    cl_spawn_call(&c, call_move_stats, &ab);
    cl_settle();
    bool held = cl_point_is_held(CL_BEFORE_UNLOCK);
    bool a_locked = false, b_locked = false;
    int64_t a_now = -1, b_now = -1;
    if (held) { /* the held goroutine's writes came before it stopped at the point */
        a_now = a->count;
        b_now = b->count;
        a_locked = !goc_mutex_trylock(&a->mu);
        if (!a_locked)
            goc_mutex_unlock(&a->mu);
        b_locked = !goc_mutex_trylock(&b->mu);
        if (!b_locked)
            goc_mutex_unlock(&b->mu);
    }
    cl_point_release(CL_BEFORE_UNLOCK);
    bool back = cl_call_await(&c, 5);
    cl_expect(held, "move_stats to unlock the buckets' mutexes after the move",
              "both buckets are locked for the whole move, then both unlocked",
              "move_stats(a, b) %s without ever calling goc_mutex_unlock (" EX ", move_stats).",
              back ? "returned" : "never returned");
    cl_expect(a_locked && b_locked,
              "both buckets still locked when move_stats(a, b) lets go of its first lock",
              "deadlock prevention keeps the move whole: take both locks (in one global order), "
              "move the count, then unlock; a lock taken and given back between the two halves, "
              "or a lock of your own instead of the buckets' mu, lets a reader who locks the "
              "buckets see the count in neither bucket (or in both)",
              "at its first goc_mutex_unlock (%s:%d) %s: the move is not one step under both "
              "locks (" EX ", move_stats).",
              cl_point_site(CL_BEFORE_UNLOCK).file, cl_point_site(CL_BEFORE_UNLOCK).line,
              !a_locked && !b_locked ? "neither a's nor b's mutex was locked"
              : !b_locked            ? "a was locked but b was not"
                                     : "b was locked but a was not");
    cl_expect(a_now == 90 && b_now == 110,
              "the whole move done (a = 90, b = 110) before the first unlock",
              "move the count while holding both locks, then unlock",
              "at the first unlock a had %lld and b had %lld (" EX ", move_stats).",
              (long long)a_now, (long long)b_now);
    cl_expect(back, "move_stats(a, b) to return once let go", "unlock what you locked",
              "it never returned (" EX ", move_stats).");
}
CL_END_TEST

/* move_stats(a, b) is held right after its first lock; move_stats(b, a)
 * starts.  Locked in one order for everyone, the second waits for that
 * same first lock and both finish once the first goes on.  Locked `from`
 * first, the second holds b and waits for a while the first will wait for
 * b: a deadlock, every run.  A move that spins on trylock never settles
 * while the first is held: a livelock. */
CL_TEST(move_stats_in_opposite_directions_never_deadlocks)
{
    stat_bucket *a = new_bucket(100), *b = new_bucket(100);
    move_call ab = {a, b, 10}, ba = {b, a, 20};
    cl_point_hold(CL_AFTER_LOCK, 1);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_move_stats, &ab);
    cl_settle();
    cl_expect(cl_point_is_held(CL_AFTER_LOCK), "move_stats to lock the buckets' mutexes",
              "both buckets are locked for the whole move",
              "move_stats(a, b) returned without ever calling goc_mutex_lock (" EX
              ", move_stats).");
    cl_spawn_call(&c2, call_move_stats, &ba);
    bool calm = cl_settle();
    cl_expect(calm, "move_stats(b, a) to wait (parked) while move_stats(a, b) holds a lock",
              "deadlock prevention: take the locks in one global order, so the second move "
              "waits for the first lock instead of spinning; a trylock that fails, lets go and "
              "tries again at once makes no progress while the other holds its lock (a "
              "livelock), and burns a CPU doing it",
              "move_stats(b, a) kept running for %d s without finishing while move_stats(a, b) "
              "held its first lock: it spins (trylock, let go, try again) instead of waiting: "
              "a livelock (" EX ", move_stats).",
              CL_SETTLE_SECONDS);
    cl_point_release(CL_AFTER_LOCK);
    bool both = cl_call_await(&c1, 5) && cl_call_await(&c2, 5);
    cl_expect(both, "move_stats(a, b) and move_stats(b, a) at the same time to both finish",
              "deadlock scenarios and prevention: a cycle of goroutines that each hold one lock "
              "and wait for the next; every caller taking the two locks in one global order "
              "(the lower address first) makes the cycle impossible",
              "deadlock: move_stats(a, b) holds a and waits for b, move_stats(b, a) holds b and "
              "waits for a, so neither can ever go on (" EX ", move_stats). Where they wait:\n%s",
              where_everyone_waits());
    cl_expect(a->count == 110 && b->count == 90,
              "a = 100 - 10 + 20 = 110 and b = 100 + 10 - 20 = 90 after both moves",
              "move the count under both locks",
              "a has %lld and b has %lld (" EX ", move_stats).", (long long)a->count,
              (long long)b->count);
}
CL_END_TEST

static stat_bucket *crowd_buckets[3];

static void move_around(int caller, void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++) {
        int from = (caller + i) % 3, to = (caller + 2 * i + 1) % 3;
        if (from != to)
            move_stats(crowd_buckets[from], crowd_buckets[to], 1);
    }
}

/* Eight goroutines moving counts among three buckets in every direction:
 * the total never changes, nobody gets stuck, and the race pass sees any
 * count touched outside its lock. */
CL_TEST(move_stats_from_eight_goroutines_keeps_the_total)
{
    for (int i = 0; i < 3; i++)
        crowd_buckets[i] = new_bucket(1000);
    cl_expect(cl_call_concurrently(8, move_around, NULL),
              "8 goroutines moving counts among 3 buckets to finish",
              "deadlock prevention: one lock order for every pair of buckets",
              "some never finished (" EX ", move_stats). Where they wait:\n%s",
              where_everyone_waits());
    int64_t total = crowd_buckets[0]->count + crowd_buckets[1]->count + crowd_buckets[2]->count;
    cl_expect(total == 3000, "the total of the 3 buckets to stay 3000",
              "hold both locks for the whole move", "it is %lld (" EX ", move_stats).",
              (long long)total);
}
CL_END_TEST

/* ---- run_and_stop --------------------------------------------------------------- */

typedef struct job_probe {
    int jobs;
    int held_job;   /* waits at `gate`; -1: none */
    int together;   /* >0: the first `together` jobs meet at `barrier` */
    cl_gate gate;
    cl_barrier barrier;
    _Atomic(int) *runs;
    _Atomic(int) started, finished;
} job_probe;

static job_probe *new_job_probe(int jobs, int held_job, int together)
{
    job_probe *p = cl_alloc(1, sizeof *p);
    p->jobs = jobs;
    p->held_job = held_job;
    p->together = together;
    p->runs = cl_alloc((size_t)jobs, sizeof *p->runs);
    cl_gate_init(&p->gate);
    cl_barrier_init(&p->barrier, together > 0 ? together : 1);
    return p;
}

static void probe_job(int job, void *ctx)
{
    job_probe *p = ctx;
    atomic_fetch_add(&p->started, 1);
    if (job >= 0 && job < p->jobs)
        atomic_fetch_add(&p->runs[job], 1);
    if (job == p->held_job)
        cl_gate_pass(&p->gate);
    if (job >= 0 && job < p->together)
        cl_barrier_arrive_and_wait(&p->barrier);
    atomic_fetch_add(&p->finished, 1);
}

typedef struct stop_call {
    int workers;
    job_probe *p;
    int got;
} stop_call;

static void call_run_and_stop(void *arg)
{
    stop_call *s = arg;
    s->got = run_and_stop(s->workers, s->p->jobs, probe_job, s->p);
}

static void expect_each_job_once(job_probe *p, const char *call)
{
    for (int j = 0; j < p->jobs; j++)
        cl_expect(atomic_load(&p->runs[j]) == 1, "every job to run exactly once",
                  "each job is sent once on the jobs channel, and one worker receives it",
                  "%s ran job %d %d times (" EX ", run_and_stop).", call, j,
                  atomic_load(&p->runs[j]));
}

/* The lesson wraps goc_chan_close_at and goc_chan_free_at too: while a
 * run_and_stop test watches, every channel the learner's file closes is
 * remembered until it is freed, and a channel freed without ever being
 * closed is counted.  That catches the close removed to stop the panic
 * and the range replaced by "receive `jobs` times" (or "while len > 0"):
 * it never hangs, but results is never closed, against the contract. */
void __real_goc_chan_close_at(goc_chan *c, goc_site site) CL__WEAK;
void __real_goc_chan_free_at(goc_chan *c, goc_site site) CL__WEAK;
enum { WATCHED_CHANS = 64 };
static _Atomic(bool) watching_chans;
static _Atomic(goc_chan *) closed_chans[WATCHED_CHANS];
static _Atomic(int) unclosed_frees;
static _Atomic(int) unclosed_line; /* of the first such goc_chan_free */

void __wrap_goc_chan_close_at(goc_chan *c, goc_site site)
{
    if (atomic_load(&watching_chans) && cl_is_learner_file(site.file))
        for (int i = 0; i < WATCHED_CHANS; i++) {
            goc_chan *none = NULL;
            if (atomic_compare_exchange_strong(&closed_chans[i], &none, c))
                break;
        }
    __real_goc_chan_close_at(c, site);
}

void __wrap_goc_chan_free_at(goc_chan *c, goc_site site)
{
    if (atomic_load(&watching_chans) && cl_is_learner_file(site.file)) {
        bool closed = false;
        for (int i = 0; i < WATCHED_CHANS && !closed; i++) {
            goc_chan *was = c;
            closed = atomic_compare_exchange_strong(&closed_chans[i], &was, NULL);
        }
        if (!closed && atomic_fetch_add(&unclosed_frees, 1) == 0)
            atomic_store(&unclosed_line, site.line);
    }
    __real_goc_chan_free_at(c, site);
}

static void watch_chans(void)
{
    for (int i = 0; i < WATCHED_CHANS; i++)
        atomic_store(&closed_chans[i], NULL);
    atomic_store(&unclosed_frees, 0);
    atomic_store(&unclosed_line, 0);
    atomic_store(&watching_chans, true);
}

/* Called once the call has returned: every channel it freed was closed. */
static void expect_every_chan_closed(const char *call)
{
    atomic_store(&watching_chans, false);
    int unclosed = atomic_load(&unclosed_frees);
    cl_expect(unclosed == 0, "every channel run_and_stop made to be closed once before it is freed",
              "improper channel use: the owner closes results once, after goc_wg_wait and "
              "before reading it to the end; deleting the worker's close to stop the panic "
              "and then counting `jobs` receives (or draining while goc_len > 0) only hides "
              "the missing close",
              "%s freed %d channel%s it never closed, first at " EX ":%d: results was never "
              "closed (" EX ", run_and_stop).",
              call, unclosed, unclosed == 1 ? "" : "s", atomic_load(&unclosed_line));
}

/* The last job is held while the other workers run out of jobs and stop.
 * run_and_stop must still be waiting then; once the job goes on it must
 * return 12, with every worker gone.  A worker that closes the shared
 * results channel meets another worker's close (or send) here: libgoc's
 * panic, every run. */
CL_TEST(run_and_stop_waits_for_the_last_job_and_closes_results_once)
{
    job_probe *p = new_job_probe(12, 11, 0);
    stop_call s = {3, p, -1};
    cl_call c;
    watch_chans();
    cl_spawn_call(&c, call_run_and_stop, &s);
    cl_settle();
    bool early = cl_call_returned(&c);
    cl_gate_open(&p->gate);
    cl_expect(!early, "run_and_stop to wait while job 11 is still running",
              "a channel is closed once, by its owner, after every sender is done: "
              "goc_wg_wait for the workers, then goc_close(results)",
              "run_and_stop(3 workers, 12 jobs) returned %d while job 11 was still running "
              "(" EX ", run_and_stop).",
              s.got);
    cl_expect(cl_call_await(&c, 5), "run_and_stop to return once the last job finished",
              "improper channel use: a range over a channel ends only when someone closes it; "
              "close results once, from the owner, after goc_wg_wait, and never from a "
              "worker (it is not the only sender)",
              "run_and_stop never returned: it is still waiting on a channel nobody will close "
              "or send to (" EX ", run_and_stop). Where everyone waits:\n%s",
              where_everyone_waits());
    cl_expect(s.got == 12, "run_and_stop(3 workers, 12 jobs) to return 12",
              "count the results the workers sent, once results is closed",
              "it returned %d (" EX ", run_and_stop).", s.got);
    expect_each_job_once(p, "run_and_stop(3 workers, 12 jobs)");
    expect_every_chan_closed("run_and_stop(3 workers, 12 jobs)");
}
CL_END_TEST

/* Four workers, four jobs that meet at a barrier of four: it opens only
 * if four workers run jobs at the same time. */
CL_TEST(run_and_stop_runs_its_workers_at_the_same_time)
{
    job_probe *p = new_job_probe(4, -1, 4);
    stop_call s = {4, p, -1};
    cl_call c;
    cl_spawn_call(&c, call_run_and_stop, &s);
    bool back = cl_call_await(&c, 5);
    int inside = atomic_load(&p->started) - atomic_load(&p->finished);
    cl_expect(back, "4 workers to run the 4 jobs at the same time",
              "start every worker before feeding the jobs; each takes jobs from the one channel",
              "only %d jobs were running at once with 4 workers, and run_and_stop never "
              "returned (" EX ", run_and_stop).",
              inside);
    cl_expect(s.got == 4, "run_and_stop(4 workers, 4 jobs) to return 4", "count the results",
              "it returned %d (" EX ", run_and_stop).", s.got);
    expect_each_job_once(p, "run_and_stop(4 workers, 4 jobs)");
}
CL_END_TEST

/* ---- serve_all ----------------------------------------------------------------------- */

enum { HANDLERS = 4 };

typedef struct request_probe {
    int requests;
    _Atomic(int) *runs;
    cl_barrier together;
} request_probe;

/* The first HANDLERS requests meet at a barrier: the handlers then count
 * at the same moment, which is what the race pass needs to see a count
 * touched without synchronisation. */
static void probe_request(int request, void *ctx)
{
    request_probe *p = ctx;
    if (request >= 0 && request < p->requests)
        atomic_fetch_add(&p->runs[request], 1);
    if (request >= 0 && request < HANDLERS)
        cl_barrier_arrive_and_wait(&p->together);
}

typedef struct serve_call {
    request_probe *p;
    int64_t got;
} serve_call;

static void call_serve_all(void *arg)
{
    serve_call *s = arg;
    s->got = serve_all(s->p->requests, HANDLERS, probe_request, s->p);
}

CL_TEST(serve_all_counts_every_request_with_four_handlers_at_once)
{
    request_probe *p = cl_alloc(1, sizeof *p);
    p->requests = CL_LARGE_N;
    p->runs = cl_alloc((size_t)p->requests, sizeof *p->runs);
    cl_barrier_init(&p->together, HANDLERS);
    serve_call s = {p, -1};
    cl_call c;
    cl_spawn_call(&c, call_serve_all, &s);
    bool back = cl_call_await(&c, 10);
    cl_expect(back, "serve_all to run its 4 handlers at the same time and return",
              "start every handler before sending requests",
              "fewer than 4 handlers were running at once, and serve_all never returned (" EX
              ", serve_all).");
    for (int r = 0; r < p->requests; r++)
        cl_expect(atomic_load(&p->runs[r]) == 1, "every request handled exactly once",
                  "each request is sent once and received by one handler",
                  "request %d was handled %d times (" EX ", serve_all).", r,
                  atomic_load(&p->runs[r]));
    cl_expect(s.got == p->requests, "serve_all to count every request it served",
              "served++ from several goroutines is a data race: a read, an add and a write "
              "that two handlers interleave, losing counts (and undefined behaviour in C). "
              "Protect it with a mutex or make it an atomic; volatile is not synchronisation",
              "it counted %lld of %d requests: %lld counts were lost (" EX ", serve_all).",
              (long long)s.got, p->requests, (long long)(p->requests - s.got));
}
CL_END_TEST

/* ---- group_dump: real dumps of goroutines parked at known lines ------------------- */

/* Where the stuck goroutines below wait: each records the line of its
 * blocking call (same line), so the expected site is exact. */
static _Atomic(int) send_line, recv_line, lock_line, either_line;

static void stuck_sender(void *arg)
{
    int one = 1;
    atomic_store(&send_line, __LINE__); goc_send((goc_chan *)arg, &one);
}

static void stuck_receiver(void *arg)
{
    atomic_store(&recv_line, __LINE__); goc_recv_discard((goc_chan *)arg);
}

static goc_mutex held_lock;

static void stuck_locker(void *arg)
{
    (void)arg;
    atomic_store(&lock_line, __LINE__); goc_mutex_lock(&held_lock);
    goc_mutex_unlock(&held_lock);
}

/* Sends or receives on one line: two states, one site. */
typedef struct either {
    goc_chan *ch;
    bool send;
} either;

static void stuck_either(void *arg)
{
    either *e = arg;
    int v = 1;
    atomic_store(&either_line, __LINE__); if (e->send) goc_send(e->ch, &v); else goc_recv(e->ch, &v);
}

/* Starts n goroutines of a kind from another goroutine: same wait site,
 * another "created by" line. */
typedef struct spawn_order {
    void (*fn)(void *);
    void *arg;
    int n;
} spawn_order;

static void spawner(void *arg)
{
    spawn_order *o = arg;
    for (int i = 0; i < o->n; i++)
        goc_go(o->fn, o->arg);
}

static void start_n(void (*fn)(void *), void *arg, int n)
{
    for (int i = 0; i < n; i++)
        goc_go(fn, arg);
}

static goc_chan *grader_chan(void) { return goc_chan_make(int, 0); }

/* Once everything let go has exited, nobody uses the channels any more. */
static void free_after_settle(goc_chan *a, goc_chan *b)
{
    cl_settle();
    goc_chan_free(a);
    goc_chan_free(b);
}

/* Lets n stuck senders on ch go (by receiving what they send). */
static void release_senders(goc_chan *ch, int n)
{
    for (int i = 0; i < n; i++)
        goc_recv_discard(ch);
}

static char *dump_now(void)
{
    cl_expect(cl_settle(), "the grader's goroutines to park", "(grader)", "they kept running");
    size_t size = 1 << 20;
    char *buf = cl_alloc(1, size);
    cl_dump(buf, size);
    return buf;
}

static const char *site_of(char *buf, size_t size, int line)
{
    snprintf(buf, size, "%s:%d", __FILE__, line);
    return buf;
}

/* How many goroutine records a dump holds: its header lines. */
static int headers_in(const char *dump)
{
    int n = 0;
    for (const char *p = dump; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        n += strncmp(p, "goroutine ", 10) == 0 && memchr(p, '[', len) != NULL;
        p += nl ? len + 1 : len;
    }
    return n;
}

/* A call that found nothing says so first: the other messages assume it
 * grouped something. */
static void expect_some_groups(int n, int goroutines, const char *call)
{
    cl_expect(n > 0, "group_dump to find the groups of the dump",
              "read the dump line by line: a \"goroutine N [state]:\" header starts a record, "
              "its first tab-indented line is the wait site",
              "%s returned %d for a dump of %d goroutines (" EX ", group_dump).", call, n,
              goroutines);
}

static int find_group(const dump_group *g, int n, const char *state, const char *site)
{
    for (int i = 0; i < n; i++)
        if (strcmp(g[i].state, state) == 0 && strcmp(g[i].site, site) == 0)
            return i;
    return -1;
}

/* Why the group {one of `states`, site} is missing: when a group at that
 * very site has another state text (the goroutine id, the brackets kept),
 * the state is what went wrong; when no group is at that site, `no_site`
 * (another line taken for the site); otherwise `usual`, the test's own
 * diagnosis. */
static const char *why_missing(const dump_group *g, int n, const char *const states[2],
                               const char *site, const char *no_site, const char *usual)
{
    static char why[400];
    bool at_site = false;
    for (int i = 0; i < n; i++)
        at_site = at_site || strcmp(g[i].site, site) == 0;
    if (!at_site)
        return no_site;
    for (int i = 0; i < n; i++)
        if (strcmp(g[i].site, site) == 0 && strcmp(g[i].state, states[0]) != 0 &&
            (!states[1] || strcmp(g[i].state, states[1]) != 0)) {
            snprintf(why, sizeof why,
                     "a group at their wait site has the state \"%s\", where the dump says "
                     "[%s]: the state is only the text between the brackets, with nothing of "
                     "the header around it (no \"goroutine N\", no brackets)",
                     g[i].state, states[0]);
            return why;
        }
    return usual;
}

/* The creator test's usual diagnosis, naming the first group. */
static const char *first_group_by_creator(const dump_group *g, int n)
{
    static char why[500];
    if (n <= 0)
        return "there was no group for their wait site";
    snprintf(why, sizeof why,
             "there was no group for their wait site; the first group is {\"%s\", \"%s\", %d}: "
             "the goroutines were grouped by where they were created, not where they wait",
             g[0].state, g[0].site, g[0].count);
    return why;
}

/* What every grouping must satisfy, whatever the dump: one group per
 * (state, site), every goroutine counted once, the largest first. */
static void expect_well_formed(const char *dump, const dump_group *g, int n, const char *call)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += g[i].count;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            cl_expect(strcmp(g[i].state, g[j].state) != 0 || strcmp(g[i].site, g[j].site) != 0,
                      "one group per (state, wait site)",
                      "group by the pair: look the pair up among the groups so far before "
                      "adding a new one",
                      "%s returned two groups for [%s] at %s (" EX ", group_dump).", call,
                      g[i].state, g[i].site);
    int headers = headers_in(dump);
    cl_expect(sum == headers, "the group counts to add up to the goroutines in the dump",
              "count each \"goroutine N [state]:\" record once, in its group",
              "%s counted %d goroutines in %d groups; the dump holds %d (" EX ", group_dump).",
              call, sum, n, headers);
    for (int i = 1; i < n; i++)
        cl_expect(g[i - 1].count >= g[i].count, "the groups sorted by count, largest first",
                  "reading a dump of 500 goroutines: the leak is the biggest pile, so it goes "
                  "on top",
                  "%s put a group of %d ([%s] at %s) after a group of %d (" EX ", group_dump).",
                  call, g[i].count, g[i].state, g[i].site, g[i - 1].count);
}

/* 3 lockers and 2 receivers first, then 50 senders stuck at one line:
 * the 50 must come out as one group, on top. */
CL_TEST(group_dump_puts_the_50_stuck_senders_first)
{
    goc_chan *out = grader_chan(), *in = grader_chan();
    goc_mutex_lock(&held_lock);
    start_n(stuck_locker, NULL, 3);
    start_n(stuck_receiver, in, 2);
    start_n(stuck_sender, out, 50);
    char *dump = dump_now();
    dump_group *g = cl_alloc(64, sizeof *g);
    int n = group_dump(dump, g, 64);
    goc_mutex_unlock(&held_lock);
    release_senders(out, 50);
    goc_close(in);
    free_after_settle(out, in);
    char send_site[200], lock_site[200];
    site_of(send_site, sizeof send_site, atomic_load(&send_line));
    site_of(lock_site, sizeof lock_site, atomic_load(&lock_line));
    expect_some_groups(n, headers_in(dump), "group_dump(a dump of 56 goroutines)");
    int ones = 0;
    for (int i = 0; i < n; i++)
        ones += strcmp(g[i].site, send_site) == 0 && g[i].count == 1;
    cl_expect(ones < 50, "the 50 senders as 1 group of 50",
              "group by (state, wait site), never by the goroutine's id: every goroutine has "
              "its own id, so a key holding it makes one group per goroutine",
              "%d groups of 1 instead of 1 group of 50: the key held the goroutine id (" EX
              ", group_dump).",
              ones);
    int top = find_group(g, n, "chan send", send_site);
    cl_expect(top >= 0 && g[top].count == 50,
              "a group {\"chan send\", \"<file>:<line>\", 50} for the senders",
              "state is the text between the brackets; site is the first tab line after the "
              "header, without the tab (the wait site, not the \"created by\" line)",
              "no such group: the first group is {\"%s\", \"%s\", %d}, the senders wait at %s "
              "(" EX ", group_dump).",
              g[0].state, g[0].site, g[0].count, send_site);
    cl_expect(top == 0, "the largest group (50 senders) first",
              "reading a dump of 500 goroutines: sort the groups by count, largest first",
              "it came at position %d; the first group is {\"%s\", \"%s\", %d} (" EX
              ", group_dump).",
              top, g[0].state, g[0].site, g[0].count);
    int locks = find_group(g, n, "sync.Mutex.Lock", lock_site);
    cl_expect(locks >= 0 && g[locks].count == 3, "a group of 3 for the lockers at " EX,
              "one group per (state, site)", "%s (" EX ", group_dump).",
              locks < 0 ? "there was none" : "it had another count");
    expect_well_formed(dump, g, n, "group_dump(a dump of 56 goroutines)");
}
CL_END_TEST

/* 10 senders started by the test, 10 by another goroutine (another
 * "created by" line), all waiting at the same line: one group of 20. */
CL_TEST(group_dump_groups_by_wait_site_not_by_creator)
{
    goc_chan *out = grader_chan();
    start_n(stuck_sender, out, 10);
    spawn_order order = {stuck_sender, out, 10};
    goc_go(spawner, &order);
    char *dump = dump_now();
    dump_group *g = cl_alloc(64, sizeof *g);
    int n = group_dump(dump, g, 64);
    release_senders(out, 20);
    free_after_settle(out, NULL);
    char send_site[200];
    site_of(send_site, sizeof send_site, atomic_load(&send_line));
    expect_some_groups(n, headers_in(dump), "group_dump(20 senders from 2 creators)");
    int top = find_group(g, n, "chan send", send_site);
    cl_expect(top >= 0 && g[top].count == 20,
              "the 20 senders waiting at one line as one group of 20",
              "the wait site is the FIRST tab-indented line after the header; the one under "
              "\"created by\" says who started the goroutine, not where it is stuck",
              "%s (" EX ", group_dump).",
              top >= 0 ? "their group had another count"
                       : why_missing(g, n, (const char *const[2]){"chan send", NULL}, send_site,
                                     first_group_by_creator(g, n),
                                     "their group is missing"));
    expect_well_formed(dump, g, n, "group_dump(20 senders from 2 creators)");
}
CL_END_TEST

/* 6 senders and 4 receivers blocked on one line: two states, two groups. */
CL_TEST(group_dump_keeps_two_states_at_one_site_apart)
{
    either *snd = cl_alloc(1, sizeof *snd), *rcv = cl_alloc(1, sizeof *rcv);
    *snd = (either){grader_chan(), true};
    *rcv = (either){grader_chan(), false};
    start_n(stuck_either, snd, 6);
    start_n(stuck_either, rcv, 4);
    char *dump = dump_now();
    dump_group *g = cl_alloc(64, sizeof *g);
    int n = group_dump(dump, g, 64);
    release_senders(snd->ch, 6);
    goc_close(rcv->ch);
    free_after_settle(snd->ch, rcv->ch);
    char site[200];
    site_of(site, sizeof site, atomic_load(&either_line));
    expect_some_groups(n, headers_in(dump), "group_dump(one line, two states)");
    int s = find_group(g, n, "chan send", site), r = find_group(g, n, "chan receive", site);
    cl_expect(s >= 0 && r >= 0 && g[s].count == 6 && g[r].count == 4,
              "{\"chan send\", site, 6} and {\"chan receive\", site, 4} for one line",
              "the key is the pair (state, site): a line that sends for some goroutines and "
              "receives for others holds two different stories",
              "%s (" EX ", group_dump).",
              s >= 0 && r >= 0
                  ? "their counts are wrong"
                  : why_missing(g, n, (const char *const[2]){"chan send", "chan receive"}, site,
                                "no group has their wait site: the site is the first tab line "
                                "after the header, not the one under \"created by\"",
                                "one of the two groups is missing: the state was left out of "
                                "the key"));
    expect_well_formed(dump, g, n, "group_dump(one line, two states)");
}
CL_END_TEST

/* The dump of an on-call night: 400 senders at one line, 60 receivers,
 * 40 lockers.  Exact counts, largest first, and -1 when `max` is too
 * small to hold every group. */
CL_TEST(group_dump_reads_a_dump_of_500_goroutines)
{
    goc_chan *out = grader_chan(), *in = grader_chan();
    goc_mutex_lock(&held_lock);
    start_n(stuck_receiver, in, 60);
    start_n(stuck_locker, NULL, 40);
    start_n(stuck_sender, out, 400);
    char *dump = dump_now();
    dump_group *g = cl_alloc(64, sizeof *g);
    int n = group_dump(dump, g, 64);
    dump_group *two = cl_alloc(2, sizeof *two);
    int small = group_dump(dump, two, 2);
    goc_mutex_unlock(&held_lock);
    release_senders(out, 400);
    goc_close(in);
    free_after_settle(out, in);
    char send_site[200], recv_site[200], lock_site[200];
    site_of(send_site, sizeof send_site, atomic_load(&send_line));
    site_of(recv_site, sizeof recv_site, atomic_load(&recv_line));
    site_of(lock_site, sizeof lock_site, atomic_load(&lock_line));
    expect_some_groups(n, headers_in(dump), "group_dump(a dump of 500 goroutines)");
    int s = find_group(g, n, "chan send", send_site), r = find_group(g, n, "chan receive", recv_site),
        l = find_group(g, n, "sync.Mutex.Lock", lock_site);
    cl_expect(n >= 3 && s == 0 && r == 1 && l == 2 && g[0].count == 400 && g[1].count == 60 &&
                  g[2].count == 40,
              "400 senders, then 60 receivers, then 40 lockers, each one group",
              "group by (state, first tab line), then sort by count, largest first",
              "group_dump returned %d groups; the first three are {\"%s\", %d}, {\"%s\", %d}, "
              "{\"%s\", %d} (" EX ", group_dump).",
              n, n > 0 ? g[0].site : "", n > 0 ? g[0].count : 0, n > 1 ? g[1].site : "",
              n > 1 ? g[1].count : 0, n > 2 ? g[2].site : "", n > 2 ? g[2].count : 0);
    expect_well_formed(dump, g, n, "group_dump(a dump of 500 goroutines)");
    cl_expect(small == -1, "group_dump(dump, out, 2) to return -1: the dump has more than 2 groups",
              "never write past out[max - 1]: return -1 when a new group has no room",
              "it returned %d (" EX ", group_dump).", small);
}
CL_END_TEST

/* A dump text in libgoc's format (with a goroutine waiting in a helper, a
 * named one, and "created by" lines): equal counts keep the order in which
 * they first appear; the dump is not changed; an empty dump has no
 * groups; exactly `max` groups fit. */
static const char sample_dump[] =
    "goroutine 1 [sync.WaitGroup.Wait]:\n"
    "main(...)\n"
    "\tshipper.c:88\n"
    "\n"
    "goroutine 7 [chan receive]:\n"
    "next_batch(...)\n"
    "\tshipper.c:40\n"
    "...\n"
    "uploader(...)\n"
    "\t(the goroutine's function)\n"
    "created by main in goroutine 1\n"
    "\tshipper.c:80\n"
    "\n"
    "goroutine 8 [sync.Mutex.Lock]:\n"
    "flush(...)\n"
    "\tshipper.c:52\n"
    "created by main in goroutine 1\n"
    "\tshipper.c:81\n"
    "\n"
    "goroutine 9 [chan receive]:\n"
    "next_batch(...)\n"
    "\tshipper.c:40\n"
    "...\n"
    "uploader(...)\n"
    "\t(the goroutine's function, named uploader 2)\n"
    "created by main in goroutine 1\n"
    "\tshipper.c:80\n"
    "\n"
    "goroutine 12 [sync.Mutex.Lock]:\n"
    "flush(...)\n"
    "\tshipper.c:52\n"
    "created by rotate in goroutine 7\n"
    "\tshipper.c:61\n"
    "\n";

CL_TEST(group_dump_keeps_dump_order_for_equal_counts)
{
    dump_group g[8];
    memset(g, 0, sizeof g);
    char copy[sizeof sample_dump];
    memcpy(copy, sample_dump, sizeof copy);
    int n = group_dump(copy, g, 8);
    cl_expect(memcmp(copy, sample_dump, sizeof copy) == 0, "the dump text left as it was",
              "dump is const: copy what you need out of it",
              "group_dump wrote into the dump it was given (" EX ", group_dump).");
    expect_some_groups(n, 5, "group_dump(a dump of 5 goroutines)");
    cl_expect(n == 3, "3 groups: 2 x chan receive at shipper.c:40, 2 x sync.Mutex.Lock at "
                      "shipper.c:52, 1 x sync.WaitGroup.Wait at shipper.c:88",
              "one group per (state, first tab line)",
              "it returned %d (" EX ", group_dump).", n);
    cl_expect(strcmp(g[0].state, "chan receive") == 0 && strcmp(g[0].site, "shipper.c:40") == 0 &&
                  g[0].count == 2 && strcmp(g[1].state, "sync.Mutex.Lock") == 0 &&
                  strcmp(g[1].site, "shipper.c:52") == 0 && g[1].count == 2 &&
                  strcmp(g[2].site, "shipper.c:88") == 0 && g[2].count == 1,
              "{chan receive, shipper.c:40, 2}, {sync.Mutex.Lock, shipper.c:52, 2}, "
              "{sync.WaitGroup.Wait, shipper.c:88, 1}, in that order",
              "equal counts keep the order in which they first appear (a stable sort)",
              "it gave {%s, %s, %d}, {%s, %s, %d}, {%s, %s, %d} (" EX ", group_dump).",
              g[0].state, g[0].site, g[0].count, g[1].state, g[1].site, g[1].count, g[2].state,
              g[2].site, g[2].count);
    dump_group three[3];
    int exact = group_dump(sample_dump, three, 3);
    cl_expect(exact == 3, "3 groups to fit in max = 3", "-1 only when a group has no room",
              "group_dump(dump, out, 3) returned %d (" EX ", group_dump).", exact);
    dump_group none[1];
    int empty = group_dump("", none, 1);
    cl_expect(empty == 0, "an empty dump to have 0 groups", "nothing to count",
              "group_dump(\"\", out, 1) returned %d (" EX ", group_dump).", empty);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("17-pitfalls-and-debugging",
                    find_first_returns_the_match_without_waiting_for_slow_shards,
                    find_first_leaves_no_search_goroutine_behind,
                    find_first_returns_minus_one_when_no_shard_matches,
                    find_first_from_eight_callers_at_once,
                    move_stats_moves_the_count_and_unlocks_both,
                    move_stats_holds_both_locks_for_the_whole_move,
                    move_stats_in_opposite_directions_never_deadlocks,
                    move_stats_from_eight_goroutines_keeps_the_total,
                    run_and_stop_waits_for_the_last_job_and_closes_results_once,
                    run_and_stop_runs_its_workers_at_the_same_time,
                    serve_all_counts_every_request_with_four_handlers_at_once,
                    group_dump_puts_the_50_stuck_senders_first,
                    group_dump_groups_by_wait_site_not_by_creator,
                    group_dump_keeps_two_states_at_one_site_apart,
                    group_dump_reads_a_dump_of_500_goroutines,
                    group_dump_keeps_dump_order_for_equal_counts);
}
