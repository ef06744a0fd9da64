/* cmd_common.c: option parsing shared by every command, and picking an
 * exercise by number, slug, name or the current one. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"
#include "testdir.h"
#include "check_run.h"

static const cl_opt_spec spec[] = {
    {"--yes", "-y", false},
    {"-j", "--jobs", true},
    {"--out", NULL, true},
};

static int parse(cl_args *a, int max_pos, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return cl_args_parse("test", argc, argv, spec, 3, max_pos, a);
}

START_TEST(flags_values_and_positionals)
{
    cl_args a;
    char *v1[] = {"cmd", "3", "--yes", "-j", "4", "--out=res", NULL};
    ck_assert_int_eq(parse(&a, 1, v1), 0);
    ck_assert_str_eq(a.value[0], "");
    ck_assert_str_eq(a.value[1], "4");
    ck_assert_str_eq(a.value[2], "res");
    ck_assert_int_eq(a.npos, 1);
    ck_assert_str_eq(a.pos[0], "3");
    char *v2[] = {"cmd", "-j2", "-y", "--", "-x", NULL};
    ck_assert_int_eq(parse(&a, 1, v2), 0);
    ck_assert_str_eq(a.value[1], "2");
    ck_assert_str_eq(a.value[0], "");
    ck_assert_str_eq(a.pos[0], "-x");
    char *v3[] = {"cmd", NULL};
    ck_assert_int_eq(parse(&a, 0, v3), 0);
    ck_assert_ptr_null(a.value[0]);
    ck_assert_int_eq(a.npos, 0);
}
END_TEST

static char *const bad_lines[][4] = {
    {"cmd", "--nope", NULL},
    {"cmd", "-j", NULL},          /* value missing */
    {"cmd", "--yes=1", NULL},     /* a flag takes no value */
    {"cmd", "1", "2", NULL},      /* one positional at most */
};

START_TEST(bad_command_lines_are_usage_errors)
{
    cl_args a;
    ck_assert_int_eq(parse(&a, 1, (char **)bad_lines[_i]), CL_EXIT_USAGE);
}
END_TEST

START_TEST(pick_by_key_or_current)
{
    char *root = td_workbook();
    cl_ctx ctx;
    char err[256];
    ck_assert_int_eq(cl_ctx_open_root(&ctx, root, err, sizeof err), CL_CTX_OK);
    ck_assert_int_eq(cl_cmd_pick(&ctx, NULL), 0);
    ck_assert_int_eq(cl_cmd_pick(&ctx, "2"), 1);
    ck_assert_int_eq(cl_cmd_pick(&ctx, "second"), 1);
    ck_assert_int_eq(cl_cmd_pick(&ctx, "9"), -1);
    ck_assert_int_eq(cl_progress_set_current(ctx.progress, "02-second", err, sizeof err), 0);
    ck_assert_int_eq(cl_cmd_pick(&ctx, NULL), 1);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cmd_args");
    TCase *tc = tcase_create("cmd_args");
    tcase_add_test(tc, flags_values_and_positionals);
    tcase_add_loop_test(tc, bad_command_lines_are_usage_errors, 0,
                        sizeof bad_lines / sizeof *bad_lines);
    tcase_add_test(tc, pick_by_key_or_current);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
