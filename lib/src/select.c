/* select: Go's runtime/select.go, on the scheduler seam.
 *
 * 1. Shuffle the cases (poll order) so a ready case is chosen uniformly.
 * 2. Lock every channel involved, in address order (no lock-order
 *    deadlock between two selects), and look for a ready case.
 * 3. None ready: with a default, return it; otherwise enqueue a waiter on
 *    every channel and park.  The first partner to CAS our select_done
 *    flag wins; everyone else skips our waiters (waitq_dequeue).
 * 4. Woken: relock all, take our other waiters off their queues, and
 *    report the winning case. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chan_internal.h"
#include "goc/select.h"
#include "trace_hooks.h"

#define SMALL_SELECT 16

/* xorshift64*, per thread: cheap, and good enough to make choices fair.
 * Goroutines sharing a thread (the M:N scheduler) share it too, which is
 * harmless; relaxed atomics say so to ThreadSanitizer. */
static __thread _Atomic(uint64_t) rng_word;

static uint32_t fast_rand(void)
{
    uint64_t rng_state = atomic_load_explicit(&rng_word, memory_order_relaxed);
    if (rng_state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rng_state = (((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&ts ^ (uint64_t)ts.tv_sec) | 1;
    }
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    atomic_store_explicit(&rng_word, rng_state, memory_order_relaxed);
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Unbiased index in [0, n). */
static int rand_below(int n)
{
    uint64_t m = (uint64_t)fast_rand() * (uint64_t)n;
    return (int)(m >> 32);
}

typedef struct select_state {
    goc_case *cases;
    int n;
    int *poll;      /* case indexes in random order */
    int *lockorder; /* non-nil case indexes sorted by channel address */
    int nlock;
} select_state;

static void sort_by_channel(select_state *s)
{
    /* Insertion sort: selects are small. */
    for (int i = 1; i < s->nlock; i++) {
        int k = s->lockorder[i], j = i;
        while (j > 0 && (uintptr_t)s->cases[s->lockorder[j - 1]].ch > (uintptr_t)s->cases[k].ch) {
            s->lockorder[j] = s->lockorder[j - 1];
            j--;
        }
        s->lockorder[j] = k;
    }
}

static void lock_all(select_state *s)
{
    goc_chan *prev = NULL;
    for (int i = 0; i < s->nlock; i++) {
        goc_chan *c = s->cases[s->lockorder[i]].ch;
        if (c != prev)
            chan_lock(c);
        prev = c;
    }
}

static void unlock_all(void *p)
{
    select_state *s = p;
    goc_chan *prev = NULL;
    for (int i = s->nlock - 1; i >= 0; i--) {
        goc_chan *c = s->cases[s->lockorder[i]].ch;
        if (c != prev)
            chan_unlock(c);
        prev = c;
    }
}

/* Pass 2: one case that is ready now, performed; -1 if none. */
static int try_ready_case(select_state *s, goc_site site)
{
    for (int k = 0; k < s->n; k++) {
        int i = s->poll[k];
        goc_case *cs = &s->cases[i];
        goc_chan *c = cs->ch;
        if (!c)
            continue;
        chan_waiter *w;
        if (cs->dir == GOC_CASE_RECV) {
            if ((w = waitq_dequeue(&c->sendq))) {
                chan_recv_from_waiter(c, w, cs->elem);
                unlock_all(s);
                chan_wake(w);
            } else if (c->count > 0) {
                chan_buf_take(c, cs->elem);
                unlock_all(s);
            } else if (c->closed) {
                unlock_all(s);
                chan_zero(c, cs->elem);
                if (cs->ok)
                    *cs->ok = false;
                return i;
            } else {
                continue;
            }
            if (cs->ok)
                *cs->ok = true;
            return i;
        }
        if (c->closed) {
            unlock_all(s);
            sched_die("panic", site, "send on closed channel");
        }
        if ((w = waitq_dequeue(&c->recvq))) {
            chan_send_to_waiter(c, w, cs->elem);
            unlock_all(s);
            chan_wake(w);
            return i;
        }
        if (c->count < c->cap) {
            chan_buf_put(c, cs->elem);
            unlock_all(s);
            return i;
        }
    }
    return -1;
}

static int park_on_all(select_state *s, chan_waiter *ws, goc_site site)
{
    goc_g *g = sched_current();
    atomic_store(&g->select_done, 0);
    g->param = NULL;
    for (int k = 0; k < s->nlock; k++) {
        int i = s->lockorder[k];
        goc_case *cs = &s->cases[i];
        ws[k] = (chan_waiter){.g = g, .elem = cs->elem, .c = cs->ch, .case_index = i, .is_select = true};
        waitq_enqueue(cs->dir == GOC_CASE_RECV ? &cs->ch->recvq : &cs->ch->sendq, &ws[k]);
    }
    sched_park(WAIT_SELECT, site, unlock_all, s);

    lock_all(s);
    chan_waiter *won = g->param;
    /* Go's selectgo throws here too: woken, but by no case of ours. */
    invariant(won != NULL && won >= ws && won < ws + s->nlock && !won->queued,
              "spurious wakeup of a goroutine blocked in select");
    invariant(atomic_load(&g->select_done) == 1, "a select was woken without winning its done flag");
    for (int k = 0; k < s->nlock; k++) {
        if (&ws[k] == won)
            continue;
        goc_case *cs = &s->cases[ws[k].case_index];
        waitq_remove(cs->dir == GOC_CASE_RECV ? &cs->ch->recvq : &cs->ch->sendq, &ws[k]);
    }
    unlock_all(s);

    goc_case *cs = &s->cases[won->case_index];
    if (cs->dir == GOC_CASE_SEND && !won->success)
        sched_die("panic", site, "send on closed channel");
    if (cs->dir == GOC_CASE_RECV && cs->ok)
        *cs->ok = won->success;
    return won->case_index;
}

int goc_select_at(goc_case *cases, int n, bool has_default, goc_site site)
{
    sched_current();
    if (n < 0 || (n > 0 && !cases))
        sched_die("panic", site, "goc_select: the case array is NULL or its count is negative");

    int poll_small[SMALL_SELECT], lock_small[SMALL_SELECT];
    chan_waiter ws_small[SMALL_SELECT];
    int *poll = poll_small, *lockorder = lock_small;
    chan_waiter *ws = ws_small;
    if (n > SMALL_SELECT) {
        poll = malloc(sizeof *poll * (size_t)n);
        lockorder = malloc(sizeof *lockorder * (size_t)n);
        ws = malloc(sizeof *ws * (size_t)n);
        if (!poll || !lockorder || !ws)
            sched_die("fatal error", site, "out of memory in select");
    }

    select_state s = {cases, n, poll, lockorder, 0};
    for (int i = 0; i < n; i++) {
        goc_case *cs = &cases[i];
        if (cs->dir != GOC_CASE_SEND && cs->dir != GOC_CASE_RECV)
            sched_die("panic", site, "goc_select: a case is neither a send nor a receive "
                                     "(build cases with goc_case_send / goc_case_recv)");
        /* Go's shuffle: insert each case at a random position. */
        int j = rand_below(i + 1);
        poll[i] = poll[j];
        poll[j] = i;
        if (cs->ch) {
            chan_validate(cs->ch, cs->elem_size, cs->dir == GOC_CASE_SEND ? "select send" : "select receive",
                          site);
            lockorder[s.nlock++] = i;
        }
    }
    sort_by_channel(&s);

    int chosen;
    if (s.nlock == 0) {
        if (has_default) {
            chosen = GOC_DEFAULT;
        } else {
            /* Every case is nil (or there are none): Go blocks forever. */
            for (;;)
                sched_park(n == 0 ? WAIT_SELECT_NO_CASES : WAIT_SELECT, site, NULL, NULL);
        }
    } else {
        lock_all(&s);
        chosen = try_ready_case(&s, site);
        if (chosen < 0) {
            if (has_default) {
                unlock_all(&s);
                chosen = GOC_DEFAULT;
            } else {
                chosen = park_on_all(&s, ws, site);
            }
        }
    }

    if (n > SMALL_SELECT) {
        free(poll);
        free(lockorder);
        free(ws);
    }
    TRACE(trace_select(chosen, site));
    return chosen;
}
