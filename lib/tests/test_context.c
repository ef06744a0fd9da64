/* context: done channels, errors, propagation down and never up, idempotent
 * cancel from many goroutines, deadlines, values, misuse messages, and
 * memory (the ASan and valgrind runs of this suite fail on any context,
 * channel or timer left behind).
 *
 * Deadline tests use short deadlines and only check outcomes and order;
 * the Check timeout is the only bound on time. */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "testing.h"
#include "tsan_options.h"

static bool is_done(goc_ctx *ctx)
{
    return goc_select_default(goc_case_recv_discard(goc_ctx_done(ctx))) == 0;
}

/* ---- background ---------------------------------------------------------------- */

START_TEST(background_is_never_done)
{
    goc_ctx *roots[] = {goc_ctx_background(), goc_ctx_todo()};
    for (int i = 0; i < 2; i++) {
        goc_ctx *bg = roots[i];
        ck_assert_ptr_null(goc_ctx_done(bg).ch); /* nil channel: never ready */
        ck_assert(!is_done(bg));
        ck_assert_ptr_null(goc_ctx_err(bg));
        ck_assert(!goc_ctx_deadline(bg, NULL));
        ck_assert_ptr_null(goc_ctx_value(bg, &roots));
        goc_ctx_release(bg); /* static: a no-op */
        ck_assert_ptr_null(goc_ctx_err(bg));
    }
    ck_assert_ptr_ne(goc_ctx_background(), goc_ctx_todo());
}
END_TEST

/* ---- cancel -------------------------------------------------------------------- */

START_TEST(cancel_closes_done_and_sets_canceled)
{
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    ck_assert(!is_done(ctx));
    ck_assert_ptr_null(goc_ctx_err(ctx));
    goc_ctx_cancel(ctx);
    ck_assert(is_done(ctx));
    char v = 1;
    ck_assert(!goc_recv(goc_ctx_done(ctx), &v)); /* receivers see close */
    ck_assert_int_eq(v, 0);
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_canceled);
    ck_assert(goc_error_is(goc_ctx_err(ctx), goc_canceled));
    ck_assert(!goc_error_is(goc_ctx_err(ctx), goc_deadline_exceeded));
    goc_ctx_cancel(ctx); /* idempotent */
    goc_ctx_cancel(ctx);
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_canceled);
    goc_ctx_release(ctx); /* after cancel: releases only */
}
END_TEST

START_TEST(release_cancels_a_live_context)
{
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *ctx = goc_ctx_with_cancel(parent);
    goc_ctx *child = goc_ctx_with_cancel(ctx);
    goc_ctx_release(ctx); /* defer cancel(): cancels, and the child with it */
    ck_assert_ptr_eq(goc_ctx_err(child), goc_canceled);
    ck_assert(is_done(child));
    ck_assert_ptr_null(goc_ctx_err(parent));
    goc_ctx_release(child);
    goc_ctx_release(parent);
}
END_TEST

typedef struct watcher {
    goc_ctx *ctx;
    goc_chan *never; /* nothing is ever sent on it */
    goc_chan *ready;  /* the watcher is about to select */
    goc_waitgroup *wg;
    atomic_int *fired_on_done;
} watcher;

static void watch(void *arg)
{
    watcher *w = arg;
    int v;
    goc_send(w->ready, &(int){1});
    int which = goc_select(goc_case_recv(w->never, &v), goc_case_recv_discard(goc_ctx_done(w->ctx)));
    if (which == 1 && goc_ctx_err(w->ctx) != NULL)
        atomic_fetch_add(w->fired_on_done, 1);
    goc_wg_done(w->wg);
}

START_TEST(done_wakes_every_select_watching_it)
{
    enum { N = 50 };
    goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
    goc_waitgroup wg = {0};
    atomic_int fired = 0;
    watcher w = {ctx, goc_chan_make(int, 0), goc_chan_make(int, 0), &wg, &fired};
    for (int i = 0; i < N; i++) {
        goc_wg_add(&wg, 1);
        goc_go(watch, &w);
    }
    for (int i = 0; i < N; i++)
        goc_recv_discard(w.ready); /* all started; most are parked in select */
    ck_assert_int_eq(atomic_load(&fired), 0);
    goc_ctx_cancel(ctx);
    goc_wg_wait(&wg);
    ck_assert_int_eq(atomic_load(&fired), N);
    goc_ctx_release(ctx);
    goc_chan_free(w.never);
    goc_chan_free(w.ready);
}
END_TEST

START_TEST(cancel_flows_to_every_descendant_never_upward)
{
    static const char key;
    goc_ctx *root = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *a = goc_ctx_with_cancel(root);
    goc_ctx *sibling = goc_ctx_with_cancel(root);
    goc_ctx *b = goc_ctx_with_value(a, &key, NULL);
    goc_ctx *c = goc_ctx_with_timeout(b, GOC_HOUR);
    goc_ctx *d = goc_ctx_with_cancel(c);
    goc_ctx *e = goc_ctx_with_value(d, &key, NULL);

    goc_ctx_cancel(d); /* a leaf: nothing above it moves */
    ck_assert_ptr_eq(goc_ctx_err(e), goc_canceled);
    ck_assert_ptr_null(goc_ctx_err(c));
    ck_assert_ptr_null(goc_ctx_err(a));
    ck_assert_ptr_null(goc_ctx_err(root));

    goc_ctx_cancel(a); /* the middle: its subtree only */
    goc_ctx *below[] = {a, b, c, d, e};
    for (size_t i = 0; i < sizeof below / sizeof below[0]; i++) {
        ck_assert_msg(is_done(below[i]), "descendant %zu not done", i);
        ck_assert_ptr_eq(goc_ctx_err(below[i]), goc_canceled);
    }
    ck_assert_ptr_null(goc_ctx_err(root));
    ck_assert_ptr_null(goc_ctx_err(sibling));
    ck_assert(!is_done(sibling));

    goc_ctx_cancel(root);
    ck_assert_ptr_eq(goc_ctx_err(sibling), goc_canceled);
    /* Released in an order that frees parents last. */
    goc_ctx_release(root);
    goc_ctx_release(a);
    goc_ctx_release(e);
    goc_ctx_release(c);
    goc_ctx_release(sibling);
    goc_ctx_release(b);
    goc_ctx_release(d);
}
END_TEST

START_TEST(child_of_cancelled_parent_is_born_cancelled)
{
    goc_ctx *parent = goc_ctx_with_timeout(goc_ctx_background(), -1);
    ck_assert_ptr_eq(goc_ctx_err(parent), goc_deadline_exceeded);
    goc_ctx *value = goc_ctx_with_value(parent, &parent, NULL);
    goc_ctx *child = goc_ctx_with_cancel(value);
    ck_assert(is_done(child));
    ck_assert_ptr_eq(goc_ctx_err(child), goc_deadline_exceeded); /* the parent's reason */
    goc_ctx_release(child);
    goc_ctx_release(value);
    goc_ctx_release(parent);
}
END_TEST

typedef struct canceller {
    goc_ctx *ctx;
    goc_chan *go;
    goc_waitgroup *wg;
} canceller;

static void cancel_at_the_line(void *arg)
{
    canceller *c = arg;
    goc_recv_discard(c->go);
    goc_ctx_cancel(c->ctx);
    ck_assert_ptr_eq(goc_ctx_err(c->ctx), goc_canceled);
    goc_wg_done(c->wg);
}

START_TEST(cancel_is_safe_from_many_goroutines_at_once)
{
    enum { N = 16, ROUNDS = 20 };
    for (int round = 0; round < ROUNDS; round++) {
        goc_ctx *ctx = goc_ctx_with_cancel(goc_ctx_background());
        goc_ctx *child = goc_ctx_with_cancel(ctx);
        goc_waitgroup wg = {0};
        canceller c = {ctx, goc_chan_make(int, 0), &wg};
        for (int i = 0; i < N; i++) {
            goc_wg_add(&wg, 1);
            goc_go(cancel_at_the_line, &c);
        }
        goc_close(c.go); /* all of them cancel at once */
        goc_wg_wait(&wg);
        ck_assert_ptr_eq(goc_ctx_err(child), goc_canceled);
        goc_ctx_release(child);
        goc_ctx_release(ctx);
        goc_chan_free(c.go);
    }
}
END_TEST

/* ---- deadlines ------------------------------------------------------------------- */

START_TEST(timeout_fires_with_deadline_exceeded)
{
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), 20 * GOC_MILLISECOND);
    goc_ctx *child = goc_ctx_with_cancel(ctx);
    goc_time deadline;
    ck_assert(goc_ctx_deadline(ctx, &deadline));
    ck_assert(goc_ctx_deadline(child, NULL)); /* inherited */
    ck_assert(!goc_recv(goc_ctx_done(child), &(char){0})); /* blocks until the timer */
    ck_assert_int_ge(goc_now(), deadline);
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_deadline_exceeded);
    ck_assert_ptr_eq(goc_ctx_err(child), goc_deadline_exceeded);
    ck_assert(goc_error_is(goc_ctx_err(child), goc_deadline_exceeded));
    goc_ctx_cancel(ctx); /* a later cancel keeps the first reason */
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_deadline_exceeded);
    goc_ctx_release(child);
    goc_ctx_release(ctx);
}
END_TEST

START_TEST(deadline_in_the_past_is_exceeded_at_once)
{
    goc_ctx *ctx = goc_ctx_with_deadline(goc_ctx_background(), goc_now() - GOC_SECOND);
    ck_assert(is_done(ctx));
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_deadline_exceeded);
    goc_ctx_release(ctx);
}
END_TEST

START_TEST(cancel_before_the_deadline_says_canceled)
{
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), GOC_HOUR);
    goc_ctx_cancel(ctx);
    ck_assert_ptr_eq(goc_ctx_err(ctx), goc_canceled);
    goc_ctx_release(ctx); /* the hour-long timer is stopped: nothing left pending */
}
END_TEST

START_TEST(child_deadline_is_never_later_than_the_parent)
{
    goc_time now = goc_now();
    goc_ctx *parent = goc_ctx_with_deadline(goc_ctx_background(), now + GOC_HOUR);
    goc_ctx *later = goc_ctx_with_deadline(parent, now + 2 * GOC_HOUR);
    goc_ctx *sooner = goc_ctx_with_deadline(parent, now + GOC_MINUTE);
    goc_ctx *value = goc_ctx_with_value(parent, &now, NULL);
    goc_ctx *via_timeout = goc_ctx_with_timeout(value, 3 * GOC_HOUR);
    goc_time d;
    ck_assert(goc_ctx_deadline(later, &d));
    ck_assert_int_eq(d, now + GOC_HOUR);
    ck_assert(goc_ctx_deadline(via_timeout, &d));
    ck_assert_int_eq(d, now + GOC_HOUR);
    ck_assert(goc_ctx_deadline(sooner, &d));
    ck_assert_int_eq(d, now + GOC_MINUTE);
    goc_ctx_release(later);
    goc_ctx_release(sooner);
    goc_ctx_release(via_timeout);
    goc_ctx_release(value);
    goc_ctx_release(parent);
}
END_TEST

START_TEST(parent_deadline_cancels_a_child_with_a_later_one)
{
    goc_ctx *parent = goc_ctx_with_timeout(goc_ctx_background(), 10 * GOC_MILLISECOND);
    goc_ctx *child = goc_ctx_with_timeout(parent, GOC_HOUR);
    goc_recv_discard(goc_ctx_done(child));
    ck_assert_ptr_eq(goc_ctx_err(child), goc_deadline_exceeded);
    goc_ctx_release(parent); /* parent first: the child still works */
    ck_assert_ptr_eq(goc_ctx_err(child), goc_deadline_exceeded);
    goc_ctx_release(child);
}
END_TEST

/* The deadline closes done from the timer thread, which must not turn into
 * a goroutine: a real deadlock afterwards is still reported. */
static void deadlock_after_a_deadline(void *arg)
{
    (void)arg;
    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), GOC_MILLISECOND);
    goc_recv_discard(goc_ctx_done(ctx));
    goc_ctx_release(ctx);
    goc_chan *never = goc_chan_make(int, 0);
    goc_recv_discard(never);
}

START_TEST(deadline_firing_keeps_deadlock_detection)
{
    dying_result r;
    run_dying(deadlock_after_a_deadline, NULL, 20, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "all goroutines are asleep - deadlock!");
}
END_TEST

/* ---- values ---------------------------------------------------------------------- */

static const char user_key;    /* two keys with equal contents... */
static const char request_key; /* ...are still different keys */

START_TEST(values_are_found_up_the_chain)
{
    goc_ctx *a = goc_ctx_with_value(goc_ctx_background(), &user_key, "alice");
    goc_ctx *b = goc_ctx_with_cancel(a);
    goc_ctx *c = goc_ctx_with_value(b, &request_key, "req-1");
    goc_ctx *d = goc_ctx_with_value(c, &user_key, "bob"); /* shadows a's */
    ck_assert_str_eq(goc_ctx_value(c, &user_key), "alice");
    ck_assert_str_eq(goc_ctx_value(c, &request_key), "req-1");
    ck_assert_str_eq(goc_ctx_value(d, &user_key), "bob");
    ck_assert_str_eq(goc_ctx_value(d, &request_key), "req-1");
    ck_assert_ptr_null(goc_ctx_value(b, &request_key)); /* never downward */
    ck_assert_ptr_null(goc_ctx_value(a, &a));
    /* A value context shares its cancellable parent's done and err. */
    ck_assert_ptr_eq(goc_ctx_done(d).ch, goc_ctx_done(b).ch);
    goc_ctx_cancel(b);
    ck_assert_ptr_eq(goc_ctx_err(d), goc_canceled);
    ck_assert_ptr_null(goc_ctx_err(a));
    ck_assert_str_eq(goc_ctx_value(d, &user_key), "bob"); /* values outlive cancel */
    goc_ctx_release(a);
    goc_ctx_release(b);
    goc_ctx_release(c);
    ck_assert_str_eq(goc_ctx_value(d, &request_key), "req-1"); /* d keeps its chain */
    goc_ctx_release(d);
}
END_TEST

/* ---- misuse -------------------------------------------------------------------- */

/* The dying children keep what they made reachable, so valgrind's leak
 * check (which also runs in them) has nothing to report. */
static goc_ctx *_Atomic kept;

static void cancel_a_value_context(void *arg)
{
    (void)arg;
    kept = goc_ctx_with_value(goc_ctx_background(), &user_key, NULL);
    goc_ctx_cancel(kept);
}

static void release_twice(void *arg)
{
    (void)arg;
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *child = goc_ctx_with_cancel(parent); /* keeps parent's memory alive */
    goc_ctx_release(parent);
    goc_ctx_release(parent);
    goc_ctx_release(child);
}

static void nil_key(void *arg)
{
    (void)arg;
    goc_ctx_with_value(goc_ctx_background(), NULL, NULL);
}

static void nil_parent(void *arg)
{
    (void)arg;
    goc_ctx_with_cancel(NULL);
}

static void cancel_background(void *arg)
{
    (void)arg;
    goc_ctx_cancel(goc_ctx_background());
}

static const struct misuse {
    void (*fn)(void *);
    const char *says;
} misuses[] = {
    {cancel_a_value_context, "goc_ctx_cancel of the context made by goc_ctx_with_value at"},
    {release_twice, "goc_ctx_release called twice on the context made by goc_ctx_with_cancel"},
    {nil_key, "nil key"},
    {nil_parent, "cannot create context from nil parent"},
    {cancel_background, "goc_ctx_cancel of the context from goc_ctx_background(), which is never cancelled"},
};

START_TEST(misuse_panics_with_a_message)
{
    const struct misuse *m = &misuses[_i];
    dying_result r;
    run_dying(m->fn, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: ");
    ck_assert_contains(r.out, m->says);
    ck_assert_contains(r.out, "test_context.c:"); /* where the mistake is */
}
END_TEST

/* ---- memory -------------------------------------------------------------------- */

/* Thousands of contexts in every release order; ASan and valgrind fail the
 * run if any context, done channel or timer is left behind. */
START_TEST(thousands_released_in_any_order_leave_nothing)
{
    static const char key;
    for (int i = 0; i < 2000; i++) {
        goc_ctx *p = (i % 3 == 0) ? goc_ctx_with_timeout(goc_ctx_background(), GOC_HOUR)
                                  : goc_ctx_with_cancel(goc_ctx_background());
        goc_ctx *v = goc_ctx_with_value(p, &key, &i);
        goc_ctx *c = goc_ctx_with_timeout(v, (i % 2) ? GOC_HOUR : -1);
        goc_ctx *g = goc_ctx_with_cancel(c);
        switch (i % 4) {
        case 0: /* children first, as defer would */
            goc_ctx_release(g), goc_ctx_release(c), goc_ctx_release(v), goc_ctx_release(p);
            break;
        case 1: /* parent cancelled and released before the children */
            goc_ctx_cancel(p);
            goc_ctx_release(p), goc_ctx_release(v), goc_ctx_release(g), goc_ctx_release(c);
            break;
        case 2: /* middle first */
            goc_ctx_release(c), goc_ctx_release(p), goc_ctx_release(g), goc_ctx_release(v);
            break;
        default: /* a child made after its parent was cancelled */
            goc_ctx_cancel(c);
            goc_ctx *late = goc_ctx_with_cancel(g);
            ck_assert_ptr_eq(goc_ctx_err(late), goc_canceled);
            goc_ctx_release(p), goc_ctx_release(c), goc_ctx_release(v), goc_ctx_release(g);
            goc_ctx_release(late);
        }
    }
}
END_TEST

typedef struct releaser {
    goc_ctx *ctx;
    goc_chan *go;
    goc_waitgroup *wg;
    bool cancel_only;
} releaser;

static void release_at_the_line(void *arg)
{
    releaser *r = arg;
    goc_recv_discard(r->go);
    if (r->cancel_only)
        goc_ctx_cancel(r->ctx);
    else
        goc_ctx_release(r->ctx);
    goc_wg_done(r->wg);
}

/* A parent cancelled in one goroutine while its children are released in
 * others: the races TSan watches for in the tree's links. */
START_TEST(parent_cancel_races_child_release)
{
    enum { CHILDREN = 8, ROUNDS = 50 };
    for (int round = 0; round < ROUNDS; round++) {
        goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
        goc_chan *go = goc_chan_make(int, 0);
        goc_waitgroup wg = {0};
        releaser rs[CHILDREN + 1];
        for (int i = 0; i < CHILDREN; i++) {
            goc_ctx *c = (i % 2) ? goc_ctx_with_timeout(parent, GOC_HOUR) : goc_ctx_with_cancel(parent);
            rs[i] = (releaser){c, go, &wg, false};
        }
        rs[CHILDREN] = (releaser){parent, go, &wg, true};
        for (int i = 0; i <= CHILDREN; i++) {
            goc_wg_add(&wg, 1);
            goc_go(release_at_the_line, &rs[i]);
        }
        goc_close(go);
        goc_wg_wait(&wg);
        ck_assert_ptr_eq(goc_ctx_err(parent), goc_canceled);
        goc_ctx_release(parent);
        goc_chan_free(go);
    }
}
END_TEST

/* ---- signal.NotifyContext ------------------------------------------------------- */

static void (*handler_of(int sig))(int)
{
    struct sigaction cur;
    sigaction(sig, NULL, &cur);
    return cur.sa_handler;
}

static bool handler_is(int sig, void (*h)(int)) { return handler_of(sig) == h; }

/* The signal cancels exactly the contexts watching it; release restores
 * the signal's old handling, as Go's stop(). */
START_TEST(with_signals_cancels_on_its_signals_only)
{
    ck_assert(handler_is(SIGUSR1, SIG_DFL));
    void (*term_before)(int) = handler_of(SIGTERM); /* Check has its own */
    goc_ctx *parent = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *on_usr1 = goc_ctx_with_signals(parent, SIGUSR1, SIGTERM);
    goc_ctx *on_usr2 = goc_ctx_with_signals(goc_ctx_background(), SIGUSR2);
    goc_ctx *child = goc_ctx_with_cancel(on_usr1);
    ck_assert(!is_done(on_usr1) && !is_done(on_usr2));
    kill(getpid(), SIGUSR1);
    goc_recv_discard(goc_ctx_done(child)); /* the watcher cancels it, and its children */
    ck_assert_ptr_eq(goc_ctx_err(on_usr1), goc_canceled);
    ck_assert_ptr_null(goc_ctx_err(parent)); /* never upward */
    ck_assert(!is_done(on_usr2));
    kill(getpid(), SIGUSR1); /* still caught until released: the program lives on */
    goc_ctx_release(child);
    goc_ctx_release(on_usr1);
    ck_assert(handler_is(SIGUSR1, SIG_DFL));
    ck_assert(handler_is(SIGTERM, term_before));
    ck_assert(!handler_is(SIGUSR2, SIG_DFL));
    goc_ctx_release(on_usr2);
    ck_assert(handler_is(SIGUSR2, SIG_DFL));
    goc_ctx_release(parent);
}
END_TEST

static void *send_sigusr1_later(void *arg)
{
    (void)arg;
    nanosleep(&(struct timespec){0, 50 * 1000000}, NULL);
    kill(getpid(), SIGUSR1);
    return NULL;
}

/* main waits for a signal that a thread outside libgoc sends later: a
 * watched signal is a pending wake-up, not a deadlock (Go behaves so). */
static void do_wait_for_signal(void *p)
{
    (void)p;
    goc_ctx *ctx = goc_ctx_with_signals(goc_ctx_background(), SIGUSR1);
    pthread_t t;
    pthread_create(&t, NULL, send_sigusr1_later, NULL);
    goc_recv_discard(goc_ctx_done(ctx));
    pthread_join(t, NULL);
    goc_ctx_release(ctx);
    printf("got the signal\n");
}

START_TEST(waiting_for_a_signal_is_not_a_deadlock)
{
    dying_result r;
    run_dying(do_wait_for_signal, NULL, 10, &r);
    ck_assert_msg(r.exit_status == 0, "exit %d:\n%s", r.exit_status, r.out);
    ck_assert_contains(r.out, "got the signal\n");
}
END_TEST

static void do_watch_sigkill(void *p)
{
    (void)p;
    goc_ctx_with_signals(goc_ctx_background(), SIGINT, SIGKILL);
}

START_TEST(with_signals_refuses_sigkill)
{
    dying_result r;
    run_dying(do_watch_sigkill, NULL, 10, &r);
    ck_assert_int_eq(r.exit_status, 2);
    ck_assert_contains(r.out, "panic: goc_ctx_with_signals: signal 9 cannot be caught by any program.");
    ck_assert_contains(r.out, "test_context.c:");
}
END_TEST

static Suite *context_suite(void)
{
    Suite *s = suite_create("context");
    TCase *tc = tcase_create("context");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, background_is_never_done);
    tcase_add_test(tc, cancel_closes_done_and_sets_canceled);
    tcase_add_test(tc, release_cancels_a_live_context);
    tcase_add_test(tc, done_wakes_every_select_watching_it);
    tcase_add_test(tc, cancel_flows_to_every_descendant_never_upward);
    tcase_add_test(tc, child_of_cancelled_parent_is_born_cancelled);
    tcase_add_test(tc, cancel_is_safe_from_many_goroutines_at_once);
    tcase_add_test(tc, timeout_fires_with_deadline_exceeded);
    tcase_add_test(tc, deadline_in_the_past_is_exceeded_at_once);
    tcase_add_test(tc, cancel_before_the_deadline_says_canceled);
    tcase_add_test(tc, child_deadline_is_never_later_than_the_parent);
    tcase_add_test(tc, parent_deadline_cancels_a_child_with_a_later_one);
    tcase_add_test(tc, deadline_firing_keeps_deadlock_detection);
    tcase_add_test(tc, values_are_found_up_the_chain);
    tcase_add_loop_test(tc, misuse_panics_with_a_message, 0, (int)(sizeof misuses / sizeof misuses[0]));
    tcase_add_test(tc, thousands_released_in_any_order_leave_nothing);
    tcase_add_test(tc, parent_cancel_races_child_release);
    tcase_add_test(tc, with_signals_cancels_on_its_signals_only);
    tcase_add_test(tc, waiting_for_a_signal_is_not_a_deadlock);
    tcase_add_test(tc, with_signals_refuses_sigkill);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(context_suite)
