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

/* GRADED: times_out
 * Waits for a value on `never` for at most d; returns true when d passed
 * first.  Leaves no timer running once it returns. */
bool times_out(goc_chan *never, goc_duration d)
{
    goc_chan *timeout = goc_after(d);
    int v;
    int which = goc_select(goc_case_recv(never, &v), goc_case_recv_discard(timeout));
    /* Freeing the goc_after channel also stops its timer if it has not
     * fired yet (Go >= 1.23 collects unreferenced timers). */
    goc_chan_free(timeout);
    return which == 1;
}

int main(void)
{
    account a = {.balance = 100};
    return withdraw(&a, 30) && !withdraw(&a, 80) ? 0 : 1;
}
