/* catalog.c: discovery from the four directories, order by number,
 * lookup by number/slug/name, and problems named by file. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "testdir.h"
#include "check_run.h"

static bool has_problem(const cl_catalog *c, const char *text)
{
    for (size_t i = 0; i < c->nproblems; i++)
        if (strstr(c->problems[i], text))
            return true;
    return false;
}

START_TEST(orders_by_number_and_reads_titles)
{
    char *root = td_workbook();
    td_write(root, "lessons/10-tenth.md", TD_LESSON("Tenth"));
    td_write(root, "exercises/10-tenth.c", "");
    td_write(root, "solutions/10-tenth.c", "");
    td_write(root, "graders/10-tenth.c", "");
    td_write(root, "graders/grader.h", ""); /* helpers are not exercises */
    td_write(root, "graders/grader_main.c", "");
    cl_catalog c;
    char err[256];
    ck_assert_int_eq(cl_catalog_load(&c, root, err, sizeof err), 0);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_str_eq(c.items[0].slug, "01-first");
    ck_assert_str_eq(c.items[1].slug, "02-second");
    ck_assert_str_eq(c.items[2].slug, "10-tenth"); /* 10 after 2: numbers, not strings */
    ck_assert_str_eq(c.items[2].title, "Tenth");
    ck_assert_str_eq(c.items[2].name, "tenth");
    ck_assert_uint_eq(c.nproblems, 0);
    ck_assert_int_eq(cl_catalog_find(&c, "10"), 2);
    ck_assert_int_eq(cl_catalog_find(&c, "2"), 1);
    ck_assert_int_eq(cl_catalog_find(&c, "02"), 1);
    ck_assert_int_eq(cl_catalog_find(&c, "01-first"), 0);
    ck_assert_int_eq(cl_catalog_find(&c, "second"), 1);
    ck_assert_int_eq(cl_catalog_find(&c, "7"), -1);
    ck_assert_int_eq(cl_catalog_find(&c, "nope"), -1);
    ck_assert_int_eq(cl_catalog_find(&c, ""), -1);
    cl_catalog_free(&c);
    td_remove(root);
}
END_TEST

START_TEST(missing_and_misnamed_files_are_problems)
{
    char *root = td_workbook();
    td_write(root, "exercises/03-third.c", "");     /* no lesson, solution, grader */
    td_write(root, "lessons/Fourth.md", "");        /* not NN-slug */
    td_write(root, "exercises/03-Other.c", "");     /* upper case */
    td_write(root, "exercises/notes.txt", "");      /* not ours: ignored */
    cl_catalog c;
    char err[256];
    ck_assert_int_eq(cl_catalog_load(&c, root, err, sizeof err), 0);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_str_eq(c.items[2].title, "Third"); /* no lesson: from the name */
    ck_assert(c.items[2].has[CL_FILE_EXERCISE]);
    ck_assert(!c.items[2].has[CL_FILE_LESSON]);
    ck_assert(has_problem(&c, "lessons/03-third.md: missing"));
    ck_assert(has_problem(&c, "solutions/03-third.c: missing"));
    ck_assert(has_problem(&c, "graders/03-third.c: missing"));
    ck_assert(has_problem(&c, "lessons/Fourth.md: not named NN-slug.md"));
    ck_assert(has_problem(&c, "exercises/03-Other.c: not named"));
    ck_assert(!has_problem(&c, "notes.txt"));
    cl_catalog_free(&c);
    td_remove(root);
}
END_TEST

START_TEST(duplicate_numbers_are_problems)
{
    char *root = td_workbook();
    td_write(root, "lessons/02-again.md", TD_LESSON("Again"));
    cl_catalog c;
    char err[256];
    ck_assert_int_eq(cl_catalog_load(&c, root, err, sizeof err), 0);
    ck_assert(has_problem(&c, "share the number 02"));
    cl_catalog_free(&c);
    td_remove(root);
}
END_TEST

START_TEST(missing_directories_fail_with_the_path)
{
    char *root = td_make();
    td_write(root, "lessons/01-a.md", "");
    cl_catalog c;
    char err[512] = "";
    ck_assert_int_eq(cl_catalog_load(&c, root, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/exercises/"));
    ck_assert_ptr_nonnull(strstr(err, "needs lessons/ and exercises/"));
    td_remove(root);
}
END_TEST

START_TEST(names)
{
    char slug[64];
    ck_assert_int_eq(cl_catalog_parse_name("07-select.md", ".md", slug, sizeof slug), 7);
    ck_assert_str_eq(slug, "07-select");
    ck_assert_int_eq(cl_catalog_parse_name("07-select.c", ".md", slug, sizeof slug), -1);
    ck_assert_int_eq(cl_catalog_parse_name("select.md", ".md", slug, sizeof slug), -1);
    ck_assert_int_eq(cl_catalog_parse_name("07-.md", ".md", slug, sizeof slug), -1);
    ck_assert_int_eq(cl_catalog_parse_name(".md", ".md", slug, sizeof slug), -1);
    ck_assert(cl_catalog_valid_slug("12-fan-in2"));
    ck_assert(!cl_catalog_valid_slug("12_fan"));
    ck_assert(!cl_catalog_valid_slug("x-12"));
}
END_TEST

/* The one lesson loader, used by the commands and the view alike. */
START_TEST(loads_the_lesson_of_an_item)
{
    char *root = td_workbook();
    cl_catalog c = {0};
    char err[256];
    ck_assert_int_eq(cl_catalog_load(&c, root, err, sizeof err), 0);
    cl_lesson l;
    ck_assert_msg(cl_catalog_lesson(&c, root, 1, &l, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(l.title, "Second");
    ck_assert_ptr_nonnull(strstr(l.path, "lessons/02-second.md"));
    cl_lesson_free(&l);
    ck_assert_int_eq(cl_catalog_lesson(&c, root, 2, &l, err, sizeof err), -1);
    ck_assert_ptr_null(l.body);
    td_write(root, "lessons/01-first.md", "---\ntitle: x\n"); /* front matter never closed */
    ck_assert_int_eq(cl_catalog_lesson(&c, root, 0, &l, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "lessons/01-first.md"));
    cl_catalog_free(&c);
    td_remove(root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    tcase_add_test(tc, orders_by_number_and_reads_titles);
    tcase_add_test(tc, missing_and_misnamed_files_are_problems);
    tcase_add_test(tc, duplicate_numbers_are_problems);
    tcase_add_test(tc, missing_directories_fail_with_the_path);
    tcase_add_test(tc, names);
    tcase_add_test(tc, loads_the_lesson_of_an_item);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
