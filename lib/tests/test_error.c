/* Error values: messages, wrapping, unwrapping, sentinel matching and
 * ownership (ASan and valgrind runs of this suite catch a leaked or
 * double-freed link). */
#include "testing.h"
#include "tsan_options.h"

static goc_error err_not_found = GOC_ERROR_SENTINEL("not found");
static goc_error err_other = GOC_ERROR_SENTINEL("not found"); /* same text, different identity */

START_TEST(new_formats_the_message)
{
    goc_error *e = goc_error_new("job %d of %s failed", 3, "fetch");
    ck_assert_str_eq(goc_error_message(e), "job 3 of fetch failed");
    ck_assert_ptr_null(goc_error_unwrap(e));
    goc_error_free(e);
}
END_TEST

START_TEST(wrap_prefixes_and_owns_the_inner_error)
{
    goc_error *inner = goc_error_new("open %s: no such file", "app.conf");
    goc_error *mid = goc_error_wrap(inner, "reading config");
    goc_error *outer = goc_error_wrap(mid, "starting %s", "server");
    ck_assert_str_eq(goc_error_message(outer),
                     "starting server: reading config: open app.conf: no such file");
    ck_assert_ptr_eq(goc_error_unwrap(outer), mid);
    ck_assert_ptr_eq(goc_error_unwrap(mid), inner);
    ck_assert_ptr_null(goc_error_unwrap(inner));
    goc_error_free(outer); /* the whole chain: ASan reports a leak otherwise */
}
END_TEST

START_TEST(wrap_of_null_stays_null)
{
    ck_assert_ptr_null(goc_error_wrap(NULL, "reading %s", "x"));
}
END_TEST

START_TEST(is_walks_the_chain_by_identity)
{
    goc_error *e = goc_error_wrap(goc_error_wrap(&err_not_found, "user %d", 7), "handling request");
    ck_assert_str_eq(goc_error_message(e), "handling request: user 7: not found");
    ck_assert(goc_error_is(e, &err_not_found));
    ck_assert(!goc_error_is(e, &err_other)); /* equal text is not the same error */
    ck_assert(goc_error_is(&err_not_found, &err_not_found));
    ck_assert(!goc_error_is(NULL, &err_not_found));
    ck_assert(goc_error_is(NULL, NULL));
    ck_assert(!goc_error_is(e, NULL));
    goc_error_free(e); /* stops at the sentinel, which is static */
    ck_assert_str_eq(goc_error_message(&err_not_found), "not found");
}
END_TEST

START_TEST(sentinels_and_null_are_never_freed)
{
    goc_error_free(NULL);
    goc_error_free(&err_not_found);
    goc_error_free(goc_canceled);
    ck_assert_str_eq(goc_error_message(&err_not_found), "not found");
    ck_assert_str_eq(goc_error_message(NULL), "<nil>");
    ck_assert_str_eq(goc_error_message(goc_canceled), "context canceled");
    ck_assert_str_eq(goc_error_message(goc_deadline_exceeded), "context deadline exceeded");
}
END_TEST

START_TEST(long_messages_are_not_truncated)
{
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    goc_error *e = goc_error_wrap(goc_error_new("%s", big), "%s", big);
    ck_assert_uint_eq(strlen(goc_error_message(e)), 2 * strlen(big) + 2);
    goc_error_free(e);
}
END_TEST

/* An error made in one goroutine is handed over a channel, wrapped by the
 * receiver and freed there: ownership moves with the pointer. */
static void failing_worker(void *arg)
{
    goc_chan *errs = arg;
    goc_error *e = goc_error_wrap(&err_not_found, "worker %d", (int)goc_id());
    goc_send(errs, &e);
}

START_TEST(errors_cross_goroutines_with_their_owner)
{
    goc_chan *errs = goc_chan_make(goc_error *, 0);
    for (int i = 0; i < 8; i++)
        goc_go(failing_worker, errs);
    for (int i = 0; i < 8; i++) {
        goc_error *e;
        goc_recv(errs, &e);
        goc_error *w = goc_error_wrap(e, "collecting");
        ck_assert(goc_error_is(w, &err_not_found));
        ck_assert_contains(goc_error_message(w), "collecting: worker ");
        goc_error_free(w);
    }
    goc_chan_free(errs);
}
END_TEST

/* errors.Join: messages one per line, NULLs skipped, all NULL gives NULL,
 * Is looks into every branch (also through wraps on either side), and
 * free releases the whole tree (ASan and valgrind check it). */
START_TEST(join_keeps_every_error_and_is_walks_every_branch)
{
    static goc_error err_timeout = GOC_ERROR_SENTINEL("timeout");
    ck_assert_ptr_null(goc_error_join((goc_error *[]){NULL, NULL}, 2));
    ck_assert_ptr_null(goc_error_join(NULL, 0));
    goc_error *a = goc_error_new("job 1 failed");
    goc_error *b = goc_error_wrap(&err_not_found, "job 2");
    goc_error *joined = goc_error_join((goc_error *[]){a, NULL, b, &err_timeout}, 4);
    ck_assert_str_eq(goc_error_message(joined), "job 1 failed\njob 2: not found\ntimeout");
    ck_assert_ptr_null(goc_error_unwrap(joined)); /* Go: errors.Unwrap of a join is nil */
    ck_assert(goc_error_is(joined, a));
    ck_assert(goc_error_is(joined, &err_not_found)); /* inside the second branch's wrap */
    ck_assert(goc_error_is(joined, &err_timeout));
    ck_assert(!goc_error_is(joined, &err_other));
    goc_error *outer = goc_error_wrap(joined, "batch");
    ck_assert_str_eq(goc_error_message(outer), "batch: job 1 failed\njob 2: not found\ntimeout");
    ck_assert(goc_error_is(outer, &err_not_found));
    goc_error *single = goc_error_join((goc_error *[]){NULL, goc_error_new("only")}, 2);
    ck_assert_str_eq(goc_error_message(single), "only");
    goc_error_free(single);
    goc_error_free(outer); /* frees joined, a and b; never the sentinels */
    ck_assert_str_eq(goc_error_message(&err_timeout), "timeout");
}
END_TEST

static Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("error");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, new_formats_the_message);
    tcase_add_test(tc, wrap_prefixes_and_owns_the_inner_error);
    tcase_add_test(tc, wrap_of_null_stays_null);
    tcase_add_test(tc, is_walks_the_chain_by_identity);
    tcase_add_test(tc, sentinels_and_null_are_never_freed);
    tcase_add_test(tc, long_messages_are_not_truncated);
    tcase_add_test(tc, errors_cross_goroutines_with_their_owner);
    tcase_add_test(tc, join_keeps_every_error_and_is_walks_every_branch);
    suite_add_tcase(s, tc);
    return s;
}

GOC_TEST_MAIN(error_suite)
