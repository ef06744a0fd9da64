/* Stress: many producers and consumers through one channel, consuming with
 * plain receives, selects and try-receives, ended by close.  Every value
 * must arrive exactly once: none lost, none duplicated, no hang. */
#include "testing.h"

enum { PRODUCERS = 8, CONSUMERS = 8, PER_PRODUCER = 5000 };
#define TOTAL (PRODUCERS * PER_PRODUCER)

typedef struct stress {
    goc_chan *ch;
    goc_chan *spare; /* never ready: gives selects a second case */
    goc_waitgroup producers, consumers;
    _Atomic(unsigned char) *seen; /* TOTAL flags */
    atomic_int duplicates;
    atomic_int received;
    atomic_int next_producer;
    atomic_int next_consumer;
} stress;

static void produce(void *p)
{
    stress *s = p;
    int id = atomic_fetch_add(&s->next_producer, 1);
    for (int i = 0; i < PER_PRODUCER; i++) {
        int v = id * PER_PRODUCER + i;
        switch (i % 3) {
        case 0:
            goc_send(s->ch, &v);
            break;
        case 1: {
            int dummy;
            if (goc_select(goc_case_send(s->ch, &v), goc_case_recv(s->spare, &dummy)) != 0)
                ck_abort_msg("select chose a case that was never ready");
            break;
        }
        default:
            if (!goc_try_send(s->ch, &v))
                goc_send(s->ch, &v); /* nobody was ready: block instead */
            break;
        }
    }
    goc_wg_done(&s->producers);
}

static void record(stress *s, int v)
{
    if (v < 0 || v >= TOTAL) {
        atomic_fetch_add(&s->duplicates, 1000000);
        return;
    }
    if (atomic_exchange(&s->seen[v], 1))
        atomic_fetch_add(&s->duplicates, 1);
    atomic_fetch_add(&s->received, 1);
}

static void consume(void *p)
{
    stress *s = p;
    int id = atomic_fetch_add(&s->next_consumer, 1);
    for (int n = 0;; n++) {
        int v;
        bool ok = true;
        if ((id + n) % 3 == 0) {
            ok = goc_recv(s->ch, &v);
        } else if ((id + n) % 3 == 1) {
            int which = goc_select(goc_case_recv_ok(s->ch, &v, &ok), goc_case_recv(s->spare, &v));
            if (which != 0)
                ck_abort_msg("select chose a case that was never ready");
        } else {
            goc_try_result r = goc_try_recv(s->ch, &v);
            if (r == GOC_WOULD_BLOCK) {
                goc_yield();
                continue;
            }
            ok = r == GOC_RECEIVED;
        }
        if (!ok)
            break;
        record(s, v);
    }
    goc_wg_done(&s->consumers);
}

static void run_stress(size_t cap)
{
    stress *s = calloc(1, sizeof *s);
    s->seen = calloc(TOTAL, 1);
    s->ch = goc_chan_make(int, cap);
    s->spare = goc_chan_make(int, 0);
    goc_wg_add(&s->producers, PRODUCERS);
    goc_wg_add(&s->consumers, CONSUMERS);
    for (int i = 0; i < CONSUMERS; i++)
        goc_go(consume, s);
    for (int i = 0; i < PRODUCERS; i++)
        goc_go(produce, s);
    goc_wg_wait(&s->producers);
    goc_close(s->ch);
    goc_wg_wait(&s->consumers);
    ck_assert_int_eq(atomic_load(&s->duplicates), 0);
    ck_assert_int_eq(atomic_load(&s->received), TOTAL);
    for (int v = 0; v < TOTAL; v++)
        ck_assert_msg(s->seen[v], "value %d was lost", v);
    ck_assert_int_eq(goc_leak_check(0, 10 * GOC_SECOND, NULL), 0);
    goc_chan_free(s->ch);
    goc_chan_free(s->spare);
    free((void *)s->seen);
    free(s);
}

START_TEST(unbuffered_many_to_many) { run_stress(0); }
END_TEST

START_TEST(buffered_many_to_many) { run_stress(16); }
END_TEST

START_TEST(buffered_cap_one_many_to_many) { run_stress(1); }
END_TEST

static Suite *stress_suite(void)
{
    Suite *s = suite_create("stress");
    TCase *tc = tcase_create("stress");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, unbuffered_many_to_many);
    tcase_add_test(tc, buffered_many_to_many);
    tcase_add_test(tc, buffered_cap_one_many_to_many);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(stress_suite)
