/* workbook.c: finding the root, paths, colour decision, atomic writes,
 * opening a context. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "progress.h"
#include "testdir.h"
#include "check_run.h"

START_TEST(finds_root_walking_up)
{
    char *root = td_workbook();
    char sub[PATH_MAX], real[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/exercises/deep/er", root);
    ck_assert_int_eq(cl_mkdirs(sub), 0);
    ck_assert_int_eq(chdir(sub), 0);
    unsetenv("CHANLINGS_ROOT");
    char err[512] = "";
    char *found = cl_workbook_find(err, sizeof err);
    ck_assert_msg(found != NULL, "%s", err);
    ck_assert_ptr_nonnull(realpath(root, real));
    ck_assert_str_eq(found, real);
    free(found);
    td_remove(root);
}
END_TEST

START_TEST(env_root_wins_and_is_checked)
{
    char *root = td_workbook();
    char *elsewhere = td_make();
    ck_assert_int_eq(chdir(elsewhere), 0);
    setenv("CHANLINGS_ROOT", root, 1);
    char err[512] = "";
    char *found = cl_workbook_find(err, sizeof err);
    ck_assert_msg(found != NULL, "%s", err);
    free(found);
    setenv("CHANLINGS_ROOT", elsewhere, 1);
    ck_assert_ptr_null(cl_workbook_find(err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "CHANLINGS_ROOT="));
    ck_assert_ptr_nonnull(strstr(err, "holds no lessons/ and exercises/"));
    td_remove(root);
    td_remove(elsewhere);
}
END_TEST

START_TEST(no_workbook_says_what_to_do)
{
    char *dir = td_make();
    ck_assert_int_eq(chdir(dir), 0);
    unsetenv("CHANLINGS_ROOT");
    char err[512] = "";
    ck_assert_ptr_null(cl_workbook_find(err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "CHANLINGS_ROOT"));
    cl_ctx ctx;
    ck_assert_int_eq(cl_ctx_open(&ctx, err, sizeof err), CL_CTX_BROKEN);
    cl_ctx_close(&ctx);
    td_remove(dir);
}
END_TEST

START_TEST(paths_of_a_slug)
{
    static const char *const want[CL_FILE_COUNT] = {
        "/w/lessons/03-x.md", "/w/exercises/03-x.c", "/w/solutions/03-x.c", "/w/graders/03-x.c"};
    for (int k = 0; k < CL_FILE_COUNT; k++) {
        char *p = cl_workbook_path("/w", "03-x", (cl_file_kind)k);
        ck_assert_str_eq(p, want[k]);
        free(p);
    }
    char *r = cl_workbook_relpath("03-x", CL_FILE_LESSON);
    ck_assert_str_eq(r, "lessons/03-x.md");
    free(r);
}
END_TEST

START_TEST(colour_only_on_a_terminal_without_no_color)
{
    FILE *f = tmpfile();
    unsetenv("NO_COLOR");
    ck_assert(!cl_ctx_color(f)); /* a file is not a terminal */
    fclose(f);
    setenv("NO_COLOR", "1", 1);
    ck_assert(!cl_ctx_color(stdout));
}
END_TEST

START_TEST(atomic_write_replaces_and_leaves_no_temp)
{
    char *dir = td_make();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/f", dir);
    ck_assert_int_eq(cl_write_file_atomic(path, "one", 3), 0);
    ck_assert_int_eq(cl_write_file_atomic(path, "second", 6), 0);
    size_t len;
    char *got = cl_read_file(path, &len);
    ck_assert_str_eq(got, "second");
    ck_assert_uint_eq(len, 6);
    free(got);
    DIR *d = opendir(dir);
    int entries = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        entries += de->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(entries, 1);
    snprintf(path, sizeof path, "%s/missing/f", dir);
    ck_assert_int_eq(cl_write_file_atomic(path, "x", 1), -1);
    td_remove(dir);
}
END_TEST

START_TEST(context_holds_catalog_and_progress)
{
    char *root = td_workbook();
    cl_ctx ctx;
    char err[512] = "";
    ck_assert_int_eq(cl_ctx_open_root(&ctx, root, err, sizeof err), CL_CTX_OK);
    ck_assert_uint_eq(ctx.catalog->n, 2);
    ck_assert_ptr_null(cl_progress_current(ctx.progress));
    ck_assert_int_eq(cl_ctx_current_index(&ctx), 0);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("workbook");
    TCase *tc = tcase_create("workbook");
    tcase_add_test(tc, finds_root_walking_up);
    tcase_add_test(tc, env_root_wins_and_is_checked);
    tcase_add_test(tc, no_workbook_says_what_to_do);
    tcase_add_test(tc, paths_of_a_slug);
    tcase_add_test(tc, colour_only_on_a_terminal_without_no_color);
    tcase_add_test(tc, atomic_write_replaces_and_leaves_no_temp);
    tcase_add_test(tc, context_holds_catalog_and_progress);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
