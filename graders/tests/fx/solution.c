/* The schedule-point fixture's "learner file": a bank account whose
 * withdraw checks and acts under one lock.  graders/tests/fx-wrong-*.patch
 * make the mistakes the points must catch for certain. */
#include <goc.h>
#include <stdbool.h>

typedef struct account {
    goc_mutex mu;
    int balance;
} account;

/* GRADED: withdraw
 * Takes `amount` from the account if the balance covers it and returns
 * true; otherwise changes nothing and returns false.  Safe to call from
 * several goroutines at once. */
bool withdraw(account *a, int amount)
{
    goc_mutex_lock(&a->mu);
    /* The check and the act under one lock: nobody can withdraw between. */
    bool ok = a->balance >= amount;
    if (ok)
        a->balance -= amount;
    goc_mutex_unlock(&a->mu);
    return ok;
}

int main(void)
{
    account a = {.balance = 100};
    return withdraw(&a, 30) && !withdraw(&a, 80) ? 0 : 1;
}
