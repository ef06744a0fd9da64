/* Exercise 11 — sync.Once.
 *
 * Fill in the two functions marked GRADED so that every TODO is gone.
 *   chanlings run     builds this file and runs main below
 *   chanlings check   runs the hidden tests against them (and again under
 *                     ThreadSanitizer)
 * As given, lazy_get checks `lt->t == NULL` by hand and conn_get dials
 * again on every call until one succeeds: main may print "build ran 1
 * time(s)" on a quiet machine, but it says "dial ran 3 time(s)", and the
 * grader, which holds the build while 16 goroutines call, sees 16 builds. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- a table built on first use --------------------------------------------------- */

typedef struct table {
    int size;
    int *squares;
} table;

/* A table that is built the first time somebody asks for it.  `once`
 * guards `t`: t is written only inside the Once, and read only after
 * goc_once_do has returned. */
typedef struct lazy_table {
    goc_once once;
    table *t;
    table *(*build)(void *arg);
    void *arg;
} lazy_table;

/* The function the Once runs: goc_once_do takes a void (*)(void *). */
static void run_build(void *arg)
{
    lazy_table *lt = arg;
    lt->t = lt->build(lt->arg);
}

/* GRADED: lazy_get
 * Returns lt's table, calling lt->build(lt->arg) to make it the first time.
 * However many goroutines call lazy_get at once, build runs exactly once
 * per lazy_table, and no call returns before the table is built; every
 * call returns the same pointer.  The table belongs to lt. */
const table *lazy_get(lazy_table *lt)
{
    /* TODO: make this run build exactly once, with goc_once_do and
     * run_build above, whoever calls at the same time. */
    (void)run_build;
    if (lt->t == NULL)
        lt->t = lt->build(lt->arg);
    return lt->t;
}

/* ---- a connection dialled once, error and all --------------------------------------- */

typedef struct conn {
    int port;
} conn;

/* Go 1.21's sync.OnceValues, by hand: the first dial's connection AND its
 * error are kept, and every later call gets the same two answers. */
typedef struct lazy_conn {
    goc_once once;
    conn *c;
    goc_error *err;
    conn *(*dial)(void *arg, goc_error **err);
    void *arg;
} lazy_conn;

static void run_dial(void *arg)
{
    lazy_conn *lc = arg;
    lc->err = NULL;
    lc->c = lc->dial(lc->arg, &lc->err);
}

/* GRADED: conn_get
 * Dials on the first call only (lc->dial(lc->arg, &err)), from however many
 * goroutines at once, and keeps both results: every call sets *out to the
 * connection the first dial returned (NULL if it failed) and returns the
 * error it reported (NULL on success).  A failed dial is NOT retried.  The
 * error stays owned by lc: callers must not free it. */
goc_error *conn_get(lazy_conn *lc, conn **out)
{
    /* TODO: dial once (goc_once_do and run_dial), keep both results. */
    (void)run_dial;
    if (lc->c == NULL) {
        lc->err = NULL;
        lc->c = lc->dial(lc->arg, &lc->err);
    }
    *out = lc->c;
    return lc->err;
}

/* ---- the demo ---------------------------------------------------------------------- */

static _Atomic(int) builds;

static table *build_squares(void *arg)
{
    int n = *(int *)arg;
    atomic_fetch_add(&builds, 1);
    table *t = malloc(sizeof *t);
    int *sq = malloc(sizeof *sq * (size_t)n);
    if (!t || !sq)
        goc_panic("build_squares: out of memory");
    for (int i = 0; i < n; i++)
        sq[i] = i * i;
    *t = (table){n, sq};
    return t;
}

static int table_size = 10;
static lazy_table squares = {.build = build_squares, .arg = &table_size};
static goc_waitgroup readers;

static void reader(void *arg)
{
    int i = *(int *)arg;
    const table *t = lazy_get(&squares);
    if (t && t->squares[i] != i * i)
        printf("reader %d saw a wrong table\n", i);
    goc_wg_done(&readers);
}

static _Atomic(int) dials;

static conn *dial_refused(void *arg, goc_error **err)
{
    (void)arg;
    atomic_fetch_add(&dials, 1);
    *err = goc_error_new("dial 10.0.0.1:5432: connection refused");
    return NULL;
}

int main(void)
{
    enum { N = 8 };
    int idx[N];
    goc_wg_add(&readers, N);
    for (int i = 0; i < N; i++) {
        idx[i] = i;
        goc_go(reader, &idx[i]);
    }
    goc_wg_wait(&readers);
    const table *t = lazy_get(&squares);
    printf("%d readers at once: build ran %d time(s); squares[9] = %d\n", N,
           atomic_load(&builds), t ? t->squares[9] : -1);

    lazy_conn db = {.dial = dial_refused};
    goc_error *first = NULL, *err = NULL;
    for (int i = 0; i < 3; i++) {
        conn *c = NULL;
        err = conn_get(&db, &c);
        if (i == 0)
            first = err;
    }
    printf("3 calls to conn_get: dial ran %d time(s); error: %s; same error each time: %s\n",
           atomic_load(&dials), err ? goc_error_message(err) : "none",
           err == first ? "yes" : "no");

    if (t) {
        free(t->squares);
        free((table *)t);
    }
    goc_error_free(db.err);
    return 0;
}
