/* The schedule-point fixture's grader: proves that grader.h's points
 * (cl_point_hold over the goc_mutex wraps) and the sleep check make a
 * check-then-act race, a missing lock and a sleep certain, not probable.
 * graders/tests/run.sh links it with the wraps fx/lesson.md lists. */
#include "grader.h"

#include <goc/fakeclock.h>

typedef struct account {
    goc_mutex mu;
    int balance;
} account;
bool withdraw(account *a, int amount);

#define EX "the fixture's solution.c, withdraw"

typedef struct withdrawal {
    account *a;
    int amount;
    bool ok;
} withdrawal;

static void call_withdraw(void *arg)
{
    withdrawal *w = arg;
    w->ok = withdraw(w->a, w->amount);
}

/* The first goroutine is held before its second lock (a correct withdraw
 * locks once, so it is never held); the second runs to the end; then the
 * first goes on.  A split check-then-act pays out twice, on every run. */
CL_TEST(withdraw_checks_and_acts_under_one_lock)
{
    static account a = {.balance = 100};
    static withdrawal w1, w2;
    w1 = (withdrawal){&a, 80, false};
    w2 = w1;
    cl_point_hold(CL_BEFORE_LOCK, 2);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_withdraw, &w1);
    cl_settle();
    cl_spawn_call(&c2, call_withdraw, &w2);
    cl_settle();
    cl_point_release(CL_BEFORE_LOCK);
    cl_expect(cl_call_await(&c1, 5) && cl_call_await(&c2, 5), "both withdrawals to return",
              "unlock on every path", "a withdraw was still waiting (" EX ").");
    cl_expect(w1.ok + w2.ok == 1 && a.balance == 20,
              "exactly one of two withdrawals of 80 from 100 to succeed",
              "check and act under one lock: between an unlock and the next lock another "
              "goroutine can change what you checked",
              "%d succeeded and the balance is %d: the second withdraw ran between the "
              "first one's check and its act (" EX ").",
              w1.ok + w2.ok, a.balance);
}
CL_END_TEST

/* The first withdraw is held right after it locked: a second one must
 * then wait for the lock, and finish only after the first is released. */
CL_TEST(withdraw_holds_the_lock)
{
    static account a = {.balance = 100};
    static withdrawal w1, w2;
    w1 = (withdrawal){&a, 10, false};
    w2 = w1;
    cl_point_hold(CL_AFTER_LOCK, 1);
    cl_call c1, c2;
    cl_spawn_call(&c1, call_withdraw, &w1);
    cl_settle();
    cl_expect(cl_point_is_held(CL_AFTER_LOCK), "withdraw to lock the account's mutex",
              "goc_mutex_lock(&a->mu) before reading the balance",
              "withdraw returned without ever calling goc_mutex_lock (" EX ").");
    cl_spawn_call(&c2, call_withdraw, &w2);
    cl_settle();
    cl_expect(!cl_call_returned(&c2), "a second withdraw to wait while the first holds the lock",
              "every access to the balance goes through the same mutex",
              "it returned while the other withdraw held the lock (" EX ").");
    cl_point_release(CL_AFTER_LOCK);
    cl_expect(cl_call_await(&c1, 5) && cl_call_await(&c2, 5), "both to return",
              "unlock on every path", "a withdraw was still waiting (" EX ").");
    cl_expect(a.balance == 80, "balance 80 after two withdrawals of 10", "one lock",
              "it is %d (" EX ").", a.balance);
}
CL_END_TEST

/* Many withdrawals at once from one barrier: the total must add up. */
static account crowd_account;
static _Atomic(int) crowd_ok;
static void withdraw_one(int caller, void *arg)
{
    (void)caller;
    (void)arg;
    atomic_fetch_add(&crowd_ok, withdraw(&crowd_account, 1));
}

CL_TEST(withdraw_from_many_goroutines_at_once)
{
    crowd_account.balance = 20;
    cl_expect(cl_call_concurrently(32, withdraw_one, NULL), "all 32 withdrawals to return",
              "unlock on every path", "some were still waiting (" EX ").");
    cl_expect(atomic_load(&crowd_ok) == 20 && crowd_account.balance == 0,
              "20 of 32 withdrawals of 1 from 20 to succeed",
              "one lock around check and act",
              "%d succeeded, balance %d (" EX ").", atomic_load(&crowd_ok),
              crowd_account.balance);
}
CL_END_TEST

#define EX_T "the fixture's solution.c, times_out"
bool times_out(goc_chan *never, goc_duration d);

typedef struct timeout_call {
    goc_chan *never;
    goc_time start;
    goc_duration took; /* virtual time from the call to its return */
    bool result;
} timeout_call;

static void call_times_out(void *arg)
{
    timeout_call *t = arg;
    t->result = times_out(t->never, 50 * GOC_MILLISECOND);
    t->took = goc_since(t->start);
}

/* On the fake clock the 50 ms are exact: still waiting 1 ns before, back
 * at 50 ms, nothing left pending after, whatever the machine's load. */
CL_TEST(times_out_after_exactly_its_duration)
{
    cl_fake_clock();
    static timeout_call t;
    t.never = goc_chan_make(int, 0);
    t.start = goc_now();
    cl_call c;
    cl_spawn_call(&c, call_times_out, &t);
    cl_expect(cl_settle_and_advance(50 * GOC_MILLISECOND - 1), "times_out to block",
              "a select on the value and goc_after(d)", "it kept running (" EX_T ").");
    cl_expect(!cl_call_returned(&c), "times_out(never, 50 ms) to wait the full 50 ms",
              "goc_after(d) fires once d has passed",
              "it returned after %lld ns of virtual time (" EX_T ").",
              (long long)t.took);
    cl_settle_and_advance(1);
    cl_expect(cl_call_await(&c, 5) && t.result, "times_out to return true at 50 ms",
              "the goc_after case wins when nothing else comes",
              "at 50 ms it %s (" EX_T ").", cl_call_returned(&c) ? "returned false" : "was still waiting");
    cl_expect_no_pending_timers("times_out(never, 50 ms)", EX_T);
    goc_chan_free(t.never);
}
CL_END_TEST

Suite *cl_grader_suite(void)
{
    cl_forbid_learner_sleeps();
    return CL_SUITE("fx-schedule-points", withdraw_checks_and_acts_under_one_lock,
                    withdraw_holds_the_lock, withdraw_from_many_goroutines_at_once,
                    times_out_after_exactly_its_duration);
}
