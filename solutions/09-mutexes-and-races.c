/* Exercise 09 — mutexes and races: the reference solution.
 *
 * Build and run it on its own:
 *   chanlings run 9   (or: cc -std=c11 -Ilib/include solutions/09-mutexes-and-races.c
 *                      build/lib/plain/libgoc.a -pthread) */
#include <goc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- accounts -------------------------------------------------------------------- */

/* One bank account.  `mu` guards `balance`: every read and every write of
 * the balance happens with `mu` locked.  `id` never changes after the
 * account is made, so reading it needs no lock. */
typedef struct account {
    int id;
    goc_mutex mu;
    int64_t balance;
} account;

/* GRADED: deposit
 * Adds `amount` (> 0) to a->balance.  Safe to call from many goroutines at
 * once on the same account. */
void deposit(account *a, int64_t amount)
{
    /* `balance += amount` is a read, an add and a write: two goroutines can
     * both read the old value, and one deposit vanishes.  The lock makes
     * the three steps one step for everybody else. */
    goc_mutex_lock(&a->mu);
    a->balance += amount;
    goc_mutex_unlock(&a->mu);
}

/* GRADED: withdraw
 * Takes `amount` (> 0) from a->balance if the balance covers it, and
 * returns true; otherwise leaves the balance alone and returns false.
 * The balance never goes below 0, however many goroutines withdraw at
 * once. */
bool withdraw(account *a, int64_t amount)
{
    /* The check and the subtraction sit in ONE critical section: if the
     * lock were dropped between them, another withdraw could spend the
     * money this one has just checked. */
    goc_mutex_lock(&a->mu);
    bool covered = a->balance >= amount;
    if (covered)
        a->balance -= amount;
    /* One exit, one unlock: C has no defer, and an early `return false`
     * above would leave the account locked for good. */
    goc_mutex_unlock(&a->mu);
    return covered;
}

/* GRADED: transfer
 * Moves `amount` (> 0) from `from` to `to` (two different accounts) if
 * from's balance covers it, and returns true; otherwise changes nothing
 * and returns false.  Nobody ever sees the money in both accounts or in
 * neither.  Safe when another goroutine transfers the other way at the
 * same time. */
bool transfer(account *from, account *to, int64_t amount)
{
    /* Both locks for the whole move, so no one sees it half done.  They are
     * taken lower id first whichever way the money goes: two transfers in
     * opposite directions then queue on the same first lock instead of
     * each holding one and waiting for the other (a deadlock). */
    account *first = from->id < to->id ? from : to;
    account *second = first == from ? to : from;
    goc_mutex_lock(&first->mu);
    goc_mutex_lock(&second->mu);
    bool covered = from->balance >= amount;
    if (covered) {
        from->balance -= amount;
        to->balance += amount;
    }
    /* The unlock order does not matter for deadlocks; reverse is the habit. */
    goc_mutex_unlock(&second->mu);
    goc_mutex_unlock(&first->mu);
    return covered;
}

/* ---- exchange rates --------------------------------------------------------------- */

#define CURRENCIES 16

/* Read very often, replaced rarely: an RWMutex lets the readers in
 * together and keeps them out only while the table is being replaced. */
typedef struct rates {
    goc_rwmutex rw;
    double table[CURRENCIES];
} rates;

/* GRADED: rate_get
 * Returns r->table[currency] (0 <= currency < 16).  Many goroutines call it
 * at once, and they must be able to read at the same time. */
double rate_get(rates *r, int currency)
{
    /* A read lock: other readers may hold it too, a writer may not. */
    goc_rwmutex_rlock(&r->rw);
    double rate = r->table[currency];
    goc_rwmutex_runlock(&r->rw);
    return rate;
}

/* GRADED: rates_update
 * Replaces the whole table with `fresh` (16 values).  A reader sees either
 * the old table or the new one, never a mix. */
void rates_update(rates *r, const double fresh[CURRENCIES])
{
    /* The write lock waits for the readers inside to leave and keeps new
     * ones out until all 16 values are in. */
    goc_rwmutex_lock(&r->rw);
    memcpy(r->table, fresh, sizeof r->table);
    goc_rwmutex_unlock(&r->rw);
}

/* ---- the demo ---------------------------------------------------------------------- */

enum { SAVERS = 4, DEPOSITS = 10000 };

static account shared = {.id = 1};
static goc_waitgroup saving;

static void saver(void *arg)
{
    (void)arg;
    for (int i = 0; i < DEPOSITS; i++)
        deposit(&shared, 1);
    goc_wg_done(&saving);
}

static account alice = {.id = 1, .balance = 100}, bob = {.id = 2, .balance = 100};
static goc_waitgroup moving;

static void alice_pays_bob(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++)
        transfer(&alice, &bob, 1);
    goc_wg_done(&moving);
}

static void bob_pays_alice(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++)
        transfer(&bob, &alice, 1);
    goc_wg_done(&moving);
}

int main(void)
{
    goc_wg_add(&saving, SAVERS);
    for (int i = 0; i < SAVERS; i++)
        goc_go(saver, NULL);
    goc_wg_wait(&saving);
    printf("%d savers x %d deposits of 1: balance %lld\n", SAVERS, DEPOSITS,
           (long long)shared.balance);

    account wallet = {.id = 3, .balance = 100};
    int paid = 0;
    for (int i = 0; i < 15; i++)
        paid += withdraw(&wallet, 10);
    printf("15 withdrawals of 10 from 100: %d paid, balance %lld\n", paid,
           (long long)wallet.balance);

    goc_wg_add(&moving, 2);
    goc_go(alice_pays_bob, NULL);
    goc_go(bob_pays_alice, NULL);
    goc_wg_wait(&moving);
    /* Who ends up richer depends on the schedule; the sum never does. */
    printf("1000 transfers each way at once: alice + bob = %lld, no deadlock\n",
           (long long)(alice.balance + bob.balance));

    static rates r;
    double fresh[CURRENCIES];
    for (int i = 0; i < CURRENCIES; i++)
        fresh[i] = 1.0 + i / 100.0;
    rates_update(&r, fresh);
    printf("rate of currency 5: %.2f\n", rate_get(&r, 5));
    return 0;
}
