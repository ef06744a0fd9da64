/* The grader of exercise 09: deposit, withdraw, transfer, rate_get and
 * rates_update.  The races and the deadlock here are made certain with
 * schedule points, not hoped for: the lesson's `wrap:` links the lock
 * functions through grader.h's points (goc_mutex_*) and this file's own
 * wraps of goc_rwmutex_rlock_at / goc_rwmutex_lock_at (below), which hold
 * a learner's reader or writer right after it got its lock. */
#include "grader.h"

#include <stdint.h>

typedef struct account {
    int id;
    goc_mutex mu;
    int64_t balance;
} account;
typedef struct rates {
    goc_rwmutex rw;
    double table[16];
} rates;

void deposit(account *a, int64_t amount);
bool withdraw(account *a, int64_t amount);
bool transfer(account *from, account *to, int64_t amount);
double rate_get(rates *r, int currency);
void rates_update(rates *r, const double fresh[16]);

#define EX "exercises/09-mutexes-and-races.c"

/* ---- this grader's own schedule point: readers and writers of an RWMutex ---- */

/* grader.h has points for goc_mutex only; an RWMutex's read and write locks
 * get theirs here.  Armed, every learner call that got the lock counts
 * itself inside and waits at `gate` (the lock still held) until the test
 * opens it: how many are inside at once is then a fact, not a timing. */
void __real_goc_rwmutex_rlock_at(goc_rwmutex *rw, goc_site site) CL__WEAK;
void __real_goc_rwmutex_lock_at(goc_rwmutex *rw, goc_site site) CL__WEAK;

/* goc_rwmutex_runlock_at is never wrapped: naming it keeps libgoc's
 * RWMutex in the link even though the wrapped names are weak here. */
__attribute__((used)) static void *const rw_link_anchor = (void *)goc_rwmutex_runlock_at;

static struct {
    _Atomic(int) armed;
    _Atomic(int) readers_inside;
    _Atomic(int) writers_inside;
    cl_gate gate;
} rw_point;

static void rw_point_arm(void)
{
    cl_gate_init(&rw_point.gate);
    atomic_store(&rw_point.readers_inside, 0);
    atomic_store(&rw_point.writers_inside, 0);
    atomic_store(&rw_point.armed, 1);
}

static void rw_point_release(void)
{
    atomic_store(&rw_point.armed, 0);
    cl_gate_open(&rw_point.gate);
}

static void rw_point_pass(_Atomic(int) *inside, goc_site site)
{
    if (!cl_is_learner_file(site.file) || !atomic_load(&rw_point.armed))
        return;
    atomic_fetch_add(inside, 1);
    cl_gate_pass(&rw_point.gate);
}

void __wrap_goc_rwmutex_rlock_at(goc_rwmutex *rw, goc_site site)
{
    __real_goc_rwmutex_rlock_at(rw, site);
    rw_point_pass(&rw_point.readers_inside, site);
}

void __wrap_goc_rwmutex_lock_at(goc_rwmutex *rw, goc_site site)
{
    __real_goc_rwmutex_lock_at(rw, site);
    rw_point_pass(&rw_point.writers_inside, site);
}

/* ---- calls run in their own goroutines ---------------------------------------- */

typedef struct money_call {
    account *a, *b;
    int64_t amount;
    bool ok;
} money_call;

static void call_deposit(void *arg)
{
    money_call *m = arg;
    deposit(m->a, m->amount);
}

static void call_withdraw(void *arg)
{
    money_call *m = arg;
    m->ok = withdraw(m->a, m->amount);
}

static void call_transfer(void *arg)
{
    money_call *m = arg;
    m->ok = transfer(m->a, m->b, m->amount);
}

static account *new_account(int id, int64_t balance)
{
    account *a = cl_alloc(1, sizeof *a);
    a->id = id;
    a->balance = balance;
    return a;
}

/* ---- deposit --------------------------------------------------------------------- */

/* The first deposit is held right after its lock: a second one must wait
 * for the lock, and both land once the first goes on. */
CL_TEST(deposit_holds_the_accounts_lock)
{
    account *a = new_account(1, 0);
    money_call m1 = {a, NULL, 5, false}, m2 = {a, NULL, 7, false};
    cl_point_hold(CL_AFTER_LOCK, 1);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_deposit, &m1);
    cl_settle();
    cl_expect(cl_point_is_held(CL_AFTER_LOCK), "deposit to lock the account's mutex",
              "a read-modify-write of shared memory needs goc_mutex_lock(&a->mu) around it",
              "deposit(a, 5) returned without ever calling goc_mutex_lock (" EX ", deposit).");
    cl_spawn_call(&c2, call_deposit, &m2);
    cl_settle();
    cl_expect(!cl_call_returned(&c2),
              "a second deposit to wait while the first one holds the account's lock",
              "every access to the balance goes through the same mutex, a->mu",
              "deposit(a, 7) returned while another deposit held a->mu: it changed the "
              "balance without that lock (" EX ", deposit).");
    cl_point_release(CL_AFTER_LOCK);
    cl_expect(cl_call_await(&c1, 5) && cl_call_await(&c2, 5), "both deposits to return",
              "unlock after the change: C has no defer",
              "a deposit was still waiting for the lock (" EX ", deposit).");
    cl_expect(a->balance == 12, "balance 12 after deposits of 5 and 7", "the lock around +=",
              "it is %lld (" EX ", deposit).", (long long)a->balance);
}
CL_END_TEST

enum { SAVERS = 8, DEPOSITS_EACH = 2000 };
static account *crowd_account;

static void deposit_many(int caller, void *arg)
{
    (void)caller;
    (void)arg;
    for (int i = 0; i < DEPOSITS_EACH; i++)
        deposit(crowd_account, 1);
}

/* Eight goroutines released together: not one deposit may be lost (and
 * the race pass reports an unlocked += even when none was). */
CL_TEST(deposit_from_eight_goroutines_keeps_every_deposit)
{
    crowd_account = new_account(1, 0);
    cl_expect(cl_call_concurrently(SAVERS, deposit_many, NULL), "all 8 depositors to return",
              "unlock after every deposit", "some were still waiting (" EX ", deposit).");
    int64_t want = (int64_t)SAVERS * DEPOSITS_EACH;
    cl_expect(crowd_account->balance == want, "8 x 2000 deposits of 1 to make 16000",
              "balance += amount is three steps (read, add, write); without the lock two "
              "goroutines read the same old balance and one deposit is lost",
              "the balance is %lld: %lld deposits were lost (" EX ", deposit).",
              (long long)crowd_account->balance, (long long)(want - crowd_account->balance));
}
CL_END_TEST

/* ---- withdraw ---------------------------------------------------------------------- */

/* Withdrawal 1 is held before its first lock, withdrawal 2 runs to the
 * end, then 1 goes on.  A withdraw that checks the balance before taking
 * the lock has already checked when it is held: both pay out, every run. */
CL_TEST(withdraw_checks_the_balance_inside_the_lock)
{
    account *a = new_account(1, 100);
    money_call w1 = {a, NULL, 80, false}, w2 = w1;
    cl_point_hold(CL_BEFORE_LOCK, 1);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_withdraw, &w1);
    cl_settle();
    cl_expect(cl_point_is_held(CL_BEFORE_LOCK), "withdraw to lock the account's mutex",
              "the check and the subtraction both touch the balance: lock a->mu first",
              "withdraw(a, 80) returned without ever calling goc_mutex_lock (" EX ", withdraw).");
    cl_spawn_call(&c2, call_withdraw, &w2);
    cl_expect(cl_call_await(&c2, 5), "a second withdraw to finish while the first waits to lock",
              "unlock on every path", "it was still waiting (" EX ", withdraw).");
    cl_point_release(CL_BEFORE_LOCK);
    cl_expect(cl_call_await(&c1, 5), "the first withdraw to finish once it may lock",
              "unlock on every path", "it was still waiting (" EX ", withdraw).");
    cl_expect(w1.ok + w2.ok == 1 && a->balance == 20,
              "exactly one of two withdrawals of 80 from a balance of 100 to succeed",
              "check-then-act: the check must happen inside the same critical section as the "
              "subtraction; a balance read before goc_mutex_lock may be stale by the time you "
              "subtract",
              "%d succeeded and the balance is %lld: the first withdraw checked the balance "
              "before it locked, the other withdraw spent the money in between, and the first "
              "subtracted anyway (" EX ", withdraw).",
              w1.ok + w2.ok, (long long)a->balance);
}
CL_END_TEST

/* Withdrawal 1 is held before its SECOND lock (a correct withdraw locks
 * once, so it is never held there; then it is withdrawal 2 that waits
 * before its first lock).  A withdraw that checks under one lock and
 * subtracts under another is caught between the two, every run. */
CL_TEST(withdraw_checks_and_subtracts_in_one_critical_section)
{
    account *a = new_account(1, 100);
    money_call w1 = {a, NULL, 80, false}, w2 = w1;
    cl_point_hold(CL_BEFORE_LOCK, 2);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_withdraw, &w1);
    cl_settle();
    cl_spawn_call(&c2, call_withdraw, &w2);
    cl_settle();
    cl_point_release(CL_BEFORE_LOCK);
    cl_expect(cl_call_await(&c1, 5) && cl_call_await(&c2, 5), "both withdrawals to return",
              "unlock on every path", "a withdraw was still waiting (" EX ", withdraw).");
    cl_expect(w1.ok + w2.ok == 1 && a->balance == 20,
              "exactly one of two withdrawals of 80 from a balance of 100 to succeed",
              "check-then-act: lock once, check, subtract, unlock once; between an unlock and "
              "the next lock another goroutine can change what you checked",
              "%d succeeded and the balance is %lld: the check and the subtraction were in two "
              "critical sections, and the other withdraw ran between them (" EX ", withdraw).",
              w1.ok + w2.ok, (long long)a->balance);
}
CL_END_TEST

static account *crowd_wallet;
static _Atomic(int) crowd_paid;

static void withdraw_ten(int caller, void *arg)
{
    (void)caller;
    (void)arg;
    atomic_fetch_add(&crowd_paid, withdraw(crowd_wallet, 10));
}

/* Twenty withdrawers of 10 from 100, all released at once. */
CL_TEST(withdraw_from_twenty_goroutines_never_overdraws)
{
    crowd_wallet = new_account(1, 100);
    atomic_store(&crowd_paid, 0);
    cl_expect(cl_call_concurrently(20, withdraw_ten, NULL), "all 20 withdrawals to return",
              "unlock on every path, the refusing one too",
              "some were still waiting for the lock (" EX ", withdraw).");
    cl_expect(atomic_load(&crowd_paid) == 10 && crowd_wallet->balance == 0,
              "10 of 20 withdrawals of 10 from 100 to succeed, leaving 0",
              "check and subtract under one lock",
              "%d succeeded and the balance is %lld (" EX ", withdraw).", atomic_load(&crowd_paid),
              (long long)crowd_wallet->balance);
}
CL_END_TEST

/* A refused withdraw must leave the lock free: a deposit from another
 * goroutine afterwards has to get in. */
CL_TEST(withdraw_unlocks_when_it_refuses)
{
    account *a = new_account(1, 5);
    money_call w = {a, NULL, 10, true}, d = {a, NULL, 20, false};
    cl_call cw, cd;
    cl_spawn_call(&cw, call_withdraw, &w);
    cl_expect(cl_call_await(&cw, 5), "withdraw(a, 10) on a balance of 5 to return",
              "a refusal is an ordinary return", "it never returned (" EX ", withdraw).");
    cl_expect(!w.ok && a->balance == 5, "withdraw(a, 10) to refuse a balance of 5 and change nothing",
              "return false when the balance does not cover the amount",
              "it returned %s and the balance is %lld (" EX ", withdraw).", w.ok ? "true" : "false",
              (long long)a->balance);
    cl_spawn_call(&cd, call_deposit, &d);
    cl_expect(cl_call_await(&cd, 5), "a deposit after a refused withdraw to get the lock",
              "C has no defer: every path out of a critical section needs its own "
              "goc_mutex_unlock, the early `return false` too (or one exit with one unlock)",
              "deposit(a, 20) is blocked in goc_mutex_lock forever: the withdraw that returned "
              "false never unlocked a->mu (" EX ", withdraw).");
    cl_expect(a->balance == 25, "balance 25 after the deposit", "one lock",
              "it is %lld (" EX ").", (long long)a->balance);
}
CL_END_TEST

/* ---- transfer ---------------------------------------------------------------------- */

CL_TEST(transfer_moves_money_all_or_nothing)
{
    account *a = new_account(1, 100), *b = new_account(2, 10);
    bool ok = transfer(a, b, 30);
    cl_expect(ok && a->balance == 70 && b->balance == 40,
              "transfer(a=100, b=10, 30) to return true, leaving 70 and 40",
              "take from `from`, add to `to`, both under their locks",
              "it returned %s, leaving %lld and %lld (" EX ", transfer).", ok ? "true" : "false",
              (long long)a->balance, (long long)b->balance);
    ok = transfer(b, a, 50);
    cl_expect(!ok && a->balance == 70 && b->balance == 40,
              "transfer(b=40, a=70, 50) to return false and change nothing",
              "all or nothing: check the balance before moving anything",
              "it returned %s, leaving a=%lld and b=%lld (" EX ", transfer).",
              ok ? "true" : "false", (long long)a->balance, (long long)b->balance);
    money_call d = {b, NULL, 1, false};
    cl_call c;
    cl_spawn_call(&c, call_deposit, &d);
    cl_expect(cl_call_await(&c, 5), "both accounts unlocked after a refused transfer",
              "unlock both mutexes on every path",
              "a deposit into the refused transfer's `from` account is blocked in "
              "goc_mutex_lock: the refused transfer left it locked (" EX ", transfer).");
}
CL_END_TEST

/* Two transfers of 80 out of an account of 100: the first is held before
 * its first lock, the second runs to the end, then the first goes on.  A
 * transfer that checks `from`'s balance before locking has already seen
 * 100 when it is held, and pays out a second time: every run. */
CL_TEST(transfer_checks_the_balance_inside_the_locks)
{
    account *a = new_account(1, 100), *b = new_account(2, 0);
    money_call t1 = {a, b, 80, false}, t2 = t1;
    cl_point_hold(CL_BEFORE_LOCK, 1);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_transfer, &t1);
    cl_settle();
    cl_expect(cl_point_is_held(CL_BEFORE_LOCK), "transfer to lock the accounts' mutexes",
              "lock both accounts for the whole move",
              "transfer(a, b, 80) returned without ever calling goc_mutex_lock (" EX ", transfer).");
    cl_spawn_call(&c2, call_transfer, &t2);
    cl_expect(cl_call_await(&c2, 5), "a second transfer to finish while the first waits to lock",
              "unlock both mutexes on every path", "it was still waiting (" EX ", transfer).");
    cl_point_release(CL_BEFORE_LOCK);
    cl_expect(cl_call_await(&c1, 5), "the first transfer to finish once it may lock",
              "unlock both mutexes on every path", "it was still waiting (" EX ", transfer).");
    cl_expect(t1.ok + t2.ok == 1 && a->balance == 20 && b->balance == 80,
              "exactly one of two transfers of 80 out of a balance of 100 to succeed",
              "check-then-act: read from->balance only after both goc_mutex_lock calls, in the "
              "same critical section as the move; a balance read before locking may be spent "
              "by the time you move the money",
              "%d succeeded, leaving from=%lld and to=%lld: the first transfer checked the "
              "balance before it locked, the other transfer spent the money in between, and "
              "the first moved it anyway (" EX ", transfer).",
              t1.ok + t2.ok, (long long)a->balance, (long long)b->balance);
}
CL_END_TEST

/* transfer(1→2) is held right after its first lock; transfer(2→1) starts.
 * Locked lower id first, the second waits for account 1 and everything
 * finishes once the first goes on.  Locked `from` first, the second holds
 * account 2 and waits for 1 while the first waits for 2: a deadlock, on
 * every run. */
CL_TEST(transfer_locks_the_lower_id_first)
{
    account *one = new_account(1, 100), *two = new_account(2, 100);
    money_call t12 = {one, two, 10, false}, t21 = {two, one, 20, false};
    cl_point_hold(CL_AFTER_LOCK, 1);
    cl_call c12, c21;
    cl_spawn_call(&c12, call_transfer, &t12);
    cl_settle();
    cl_expect(cl_point_is_held(CL_AFTER_LOCK), "transfer to lock the accounts' mutexes",
              "lock both accounts for the whole move",
              "transfer(1→2) returned without ever calling goc_mutex_lock (" EX ", transfer).");
    cl_spawn_call(&c21, call_transfer, &t21);
    cl_settle();
    cl_point_release(CL_AFTER_LOCK);
    bool both = cl_call_await(&c12, 5) && cl_call_await(&c21, 5);
    if (!both) { /* the goroutines' stacks go to this test's output, for the curious */
        static char dump[8192];
        cl_dump(dump, sizeof dump);
        fprintf(stderr, "the goroutines when the transfers stopped moving:\n%s\n", dump);
    }
    cl_expect(both, "transfer(1→2) and transfer(2→1) at the same time to both finish",
              "lock ordering: every goroutine takes the two locks in one global order (the lower "
              "id first), so nobody can hold one lock while waiting for a lock somebody waiting "
              "for theirs holds",
              "deadlock: transfer(1→2) holds account 1 and waits for account 2, transfer(2→1) "
              "holds account 2 and waits for account 1, so neither can ever go on (" EX ", transfer).");
    cl_expect(one->balance == 110 && two->balance == 90 && t12.ok && t21.ok,
              "both transfers to succeed: 100 - 10 + 20 = 110 and 100 + 10 - 20 = 90",
              "move the money under both locks",
              "account 1 has %lld and account 2 has %lld (" EX ", transfer).",
              (long long)one->balance, (long long)two->balance);
}
CL_END_TEST

/* ---- rates ---------------------------------------------------------------------------- */

static rates *shared_rates;

typedef struct reader_call {
    int currency;
    double got;
} reader_call;

static void call_rate_get(void *arg)
{
    reader_call *r = arg;
    r->got = rate_get(shared_rates, r->currency);
}

static void call_rates_update(void *arg)
{
    rates_update(shared_rates, arg);
}

static rates *new_rates(double base)
{
    rates *r = cl_alloc(1, sizeof *r);
    for (int i = 0; i < 16; i++)
        r->table[i] = base + i;
    return r;
}

enum { READERS = 4 };

/* Four readers, each held right after it got its lock: with a read lock
 * all four are inside together; with a Mutex (or the write lock) only one
 * is, and the rest wait for it. */
CL_TEST(rate_get_lets_readers_in_together)
{
    shared_rates = new_rates(1.0);
    rw_point_arm();
    cl_point_hold(CL_AFTER_LOCK, 1); /* a Mutex used for reading is held too */
    reader_call rc[READERS];
    cl_call c[READERS];
    for (int i = 0; i < READERS; i++) {
        rc[i] = (reader_call){i, 0};
        cl_spawn_call(&c[i], call_rate_get, &rc[i]);
    }
    cl_settle();
    int readers = atomic_load(&rw_point.readers_inside);
    int exclusive = atomic_load(&rw_point.writers_inside) + cl_point_is_held(CL_AFTER_LOCK);
    rw_point_release();
    cl_point_release(CL_AFTER_LOCK);
    bool back = true;
    for (int i = 0; i < READERS; i++)
        back = cl_call_await(&c[i], 5) && back;
    cl_expect(readers == READERS,
              "all 4 readers inside rate_get at once, each holding the read lock",
              "an RWMutex lets readers share: goc_rwmutex_rlock / goc_rwmutex_runlock in "
              "rate_get; goc_mutex_lock or goc_rwmutex_lock lets one reader in at a time",
              "%s (" EX ", rate_get).",
              exclusive ? "only 1 of 4 readers was inside rate_get at once: it takes an exclusive "
                          "lock, so the others waited for it"
                        : (readers ? "some readers were not inside together"
                                   : "rate_get never took the read lock (goc_rwmutex_rlock)"));
    cl_expect(back, "every rate_get to return", "runlock after reading",
              "a reader was still waiting (" EX ", rate_get).");
    for (int i = 0; i < READERS; i++)
        cl_expect(rc[i].got == 1.0 + i, "rate_get(r, i) to return r->table[i]",
                  "read the table entry under the read lock",
                  "rate_get(r, %d) returned %g, not %g (" EX ", rate_get).", i, rc[i].got, 1.0 + i);
}
CL_END_TEST

/* The writer is held right after its lock: a reader must not get in until
 * the whole table has been replaced. */
CL_TEST(rates_update_keeps_readers_out)
{
    shared_rates = new_rates(1.0);
    double *fresh = cl_alloc(16, sizeof *fresh);
    for (int i = 0; i < 16; i++)
        fresh[i] = 100.0 + i;
    rw_point_arm();
    cl_call w;
    cl_spawn_call(&w, call_rates_update, fresh);
    cl_settle();
    int writers = atomic_load(&rw_point.writers_inside);
    int readers_as_writer = atomic_load(&rw_point.readers_inside);
    /* from here on only the writer is held; readers pass the point freely */
    atomic_store(&rw_point.armed, 0);
    reader_call rc = {3, 0};
    cl_call r;
    cl_spawn_call(&r, call_rate_get, &rc);
    cl_settle();
    bool reader_returned = cl_call_returned(&r);
    cl_gate_open(&rw_point.gate);
    bool back = cl_call_await(&w, 5) && cl_call_await(&r, 5);
    cl_expect(writers == 1, "rates_update to take the write lock (goc_rwmutex_lock)",
              "a writer needs the exclusive side of the RWMutex: readers holding the read "
              "lock do not keep out another read-locker",
              "%s (" EX ", rates_update).",
              readers_as_writer ? "rates_update took the read lock: readers can read while it "
                                  "writes, and see half a table"
                                : "rates_update never took the write lock");
    cl_expect(!reader_returned,
              "a reader to wait while rates_update holds the write lock",
              "readers take goc_rwmutex_rlock on the same RWMutex the writer locks",
              "rate_get returned %g while the table was being replaced (" EX ", rate_get).",
              rc.got);
    cl_expect(back, "both to return once the writer is done", "unlock on every path",
              "one was still waiting (" EX ").");
    cl_expect(rc.got == 103.0, "the reader to see the new table (103) after the update",
              "a reader waits for the writer, then reads",
              "it read %g (" EX ", rate_get).", rc.got);
}
CL_END_TEST

static rates *race_rates;

static void read_or_write(int caller, void *arg)
{
    (void)arg;
    double fresh[16];
    for (int round = 0; round < 200; round++) {
        if (caller == 0) {
            for (int i = 0; i < 16; i++)
                fresh[i] = round;
            rates_update(race_rates, fresh);
        } else {
            double first = rate_get(race_rates, 0), last = rate_get(race_rates, 15);
            (void)first;
            (void)last;
        }
    }
}

/* One writer and three readers at once: the race pass reports any read or
 * write of the table outside the RWMutex. */
CL_TEST(rates_readers_and_writer_at_once)
{
    race_rates = new_rates(0);
    cl_expect(cl_call_concurrently(4, read_or_write, NULL), "all readers and the writer to return",
              "unlock on every path", "some were still waiting (" EX ").");
    cl_expect(race_rates->table[15] == 199, "the last update's table (199 everywhere)",
              "rates_update copies all 16 values", "table[15] is %g (" EX ", rates_update).",
              race_rates->table[15]);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("09-mutexes-and-races", deposit_holds_the_accounts_lock,
                    deposit_from_eight_goroutines_keeps_every_deposit,
                    withdraw_checks_the_balance_inside_the_lock,
                    withdraw_checks_and_subtracts_in_one_critical_section,
                    withdraw_from_twenty_goroutines_never_overdraws,
                    withdraw_unlocks_when_it_refuses, transfer_moves_money_all_or_nothing,
                    transfer_checks_the_balance_inside_the_locks,
                    transfer_locks_the_lower_id_first, rate_get_lets_readers_in_together,
                    rates_update_keeps_readers_out, rates_readers_and_writer_at_once);
}
