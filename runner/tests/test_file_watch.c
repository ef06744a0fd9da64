/* file_watch.c: the one watcher of `watch` and the view — a save of the
 * watched name (in place or by rename) counts once its debounce is over; a
 * save of another file never does.  Waits are poll() on the watcher's own
 * descriptor and on the deadline it reports, not sleeps. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "file_watch.h"
#include "testdir.h"
#include "check_run.h"

/* Waits (bounded) until inotify has something, then reads it. */
static void settle(cl_file_watch *w, const char *file)
{
    struct pollfd p = {w->fd, POLLIN, 0};
    ck_assert_int_eq(poll(&p, 1, 10000), 1);
    cl_file_watch_read(w, file);
}

START_TEST(a_save_counts_once_after_the_debounce)
{
    char *root = td_workbook();
    cl_file_watch w;
    char err[256];
    ck_assert_msg(cl_file_watch_open(&w, root, err, sizeof err) == 0, "%s", err);
    ck_assert_int_ge(w.fd, 0);
    ck_assert_int_eq(cl_file_watch_wait_ms(&w), -1);

    td_write(root, "exercises/02-second.c", "int y;\n"); /* another exercise */
    settle(&w, "01-first.c");
    ck_assert_int_eq(cl_file_watch_wait_ms(&w), -1);
    ck_assert(!cl_file_watch_fire(&w));

    td_write(root, "exercises/.tmp", "int z;\n"); /* an editor's save by rename */
    char from[4096], to[4096];
    snprintf(from, sizeof from, "%s/exercises/.tmp", root);
    snprintf(to, sizeof to, "%s/exercises/01-first.c", root);
    ck_assert_int_eq(rename(from, to), 0);
    settle(&w, "01-first.c");
    int wait = cl_file_watch_wait_ms(&w);
    ck_assert_int_ge(wait, 0);
    ck_assert_int_le(wait, 200);
    poll(NULL, 0, wait);
    ck_assert(cl_file_watch_fire(&w));
    ck_assert(!cl_file_watch_fire(&w)); /* once */
    ck_assert_int_eq(cl_file_watch_wait_ms(&w), -1);

    td_write(root, "exercises/01-first.c", "int w;\n"); /* in place */
    settle(&w, "01-first.c");
    ck_assert_int_ge(cl_file_watch_wait_ms(&w), 0);
    cl_file_watch_forget(&w); /* the learner moved on */
    ck_assert(!cl_file_watch_fire(&w));

    cl_file_watch_close(&w);
    ck_assert_int_eq(w.fd, -1);
    td_remove(root);
}
END_TEST

START_TEST(a_missing_directory_is_a_message)
{
    cl_file_watch w;
    char err[256] = "";
    ck_assert_int_eq(cl_file_watch_open(&w, "/nonexistent-chanlings", err, sizeof err), -1);
    ck_assert_int_eq(w.fd, -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent-chanlings/exercises"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("file_watch");
    TCase *tc = tcase_create("file_watch");
    tcase_add_test(tc, a_save_counts_once_after_the_debounce);
    tcase_add_test(tc, a_missing_directory_is_a_message);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
