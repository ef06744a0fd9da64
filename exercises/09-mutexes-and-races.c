/* Exercise 09 — mutexes and races.
 *
 * Fill in the five functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them (and again under
 *                     ThreadSanitizer, which reports data races)
 * As given, the functions do the arithmetic without any lock: main looks
 * right on most runs (or loses a few deposits), and the grader, which
 * forces the unlucky interleavings on purpose, fails them every time. */
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
    /* TODO: protect the balance with a->mu. */
    a->balance += amount;
}

/* GRADED: withdraw
 * Takes `amount` (> 0) from a->balance if the balance covers it, and
 * returns true; otherwise leaves the balance alone and returns false.
 * The balance never goes below 0, however many goroutines withdraw at
 * once. */
bool withdraw(account *a, int64_t amount)
{
    /* TODO: check and subtract under a->mu, and unlock on every path. */
    if (a->balance < amount)
        return false;
    a->balance -= amount;
    return true;
}

/* GRADED: transfer
 * Moves `amount` (> 0) from `from` to `to` (two different accounts) if
 * from's balance covers it, and returns true; otherwise changes nothing
 * and returns false.  Nobody ever sees the money in both accounts or in
 * neither.  Safe when another goroutine transfers the other way at the
 * same time. */
bool transfer(account *from, account *to, int64_t amount)
{
    /* TODO: this locks `from` first, then `to`.  Run it against a transfer
     * the other way round and think about what each goroutine holds. */
    goc_mutex_lock(&from->mu);
    goc_mutex_lock(&to->mu);
    bool covered = from->balance >= amount;
    if (covered) {
        from->balance -= amount;
        to->balance += amount;
    }
    goc_mutex_unlock(&to->mu);
    goc_mutex_unlock(&from->mu);
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
    /* TODO: read under r->rw so that readers can share it. */
    return r->table[currency];
}

/* GRADED: rates_update
 * Replaces the whole table with `fresh` (16 values).  A reader sees either
 * the old table or the new one, never a mix. */
void rates_update(rates *r, const double fresh[CURRENCIES])
{
    /* TODO: replace the table under r->rw, keeping readers out meanwhile. */
    memcpy(r->table, fresh, sizeof r->table);
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
