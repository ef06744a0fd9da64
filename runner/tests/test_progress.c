/* progress.c: the state round-trips, damage is reported and recovered,
 * and concurrent writers never lose an update. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"
#include "progress.h"
#include "testdir.h"
#include "check_run.h"

static void open_ctx(cl_ctx *ctx, const char *root)
{
    char err[512] = "";
    ck_assert_msg(cl_ctx_open_root(ctx, root, err, sizeof err) == CL_CTX_OK, "%s", err);
}

static char *state_text(const char *root)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.chanlings/state", root);
    return cl_read_file(path, NULL);
}

START_TEST(round_trip)
{
    char *root = td_workbook();
    cl_ctx ctx;
    open_ctx(&ctx, root);
    char err[256];
    ck_assert_int_eq(cl_progress_set_current(ctx.progress, "02-second", err, sizeof err), 0);
    ck_assert_int_eq(cl_progress_mark_done(ctx.progress, "01-first", err, sizeof err), 0);
    ck_assert_int_eq(cl_progress_reveal_hint(ctx.progress, "02-second", 2, err, sizeof err), 1);
    ck_assert_int_eq(cl_progress_reveal_hint(ctx.progress, "02-second", 2, err, sizeof err), 2);
    ck_assert_int_eq(cl_progress_reveal_hint(ctx.progress, "02-second", 2, err, sizeof err), 2);
    ck_assert_int_eq(cl_progress_record_quiz(ctx.progress, "01-first", 3, 4), 0);
    ck_assert_int_eq(cl_progress_record_quiz(ctx.progress, "01-first", 2, 4), 0);
    ck_assert_int_eq(cl_progress_record_quiz(ctx.progress, "01-first", 5, 4), -1);
    cl_ctx_close(&ctx);

    open_ctx(&ctx, root); /* what another process would see */
    ck_assert_str_eq(cl_progress_current(ctx.progress), "02-second");
    ck_assert_int_eq(cl_ctx_current_index(&ctx), 1);
    ck_assert(cl_progress_done(ctx.progress, "01-first"));
    ck_assert(!cl_progress_done(ctx.progress, "02-second"));
    ck_assert_uint_eq(cl_ctx_done_count(&ctx), 1);
    ck_assert_int_eq(cl_progress_hints(ctx.progress, "02-second"), 2);
    ck_assert_int_eq(cl_progress_hints(ctx.progress, "01-first"), 0);
    int best, last, total;
    time_t when;
    ck_assert(cl_progress_quiz(ctx.progress, "01-first", &best, &last, &total, &when));
    ck_assert_int_eq(best, 3);
    ck_assert_int_eq(last, 2);
    ck_assert_int_eq(total, 4);
    ck_assert(when > 0);
    ck_assert(!cl_progress_quiz(ctx.progress, "02-second", NULL, NULL, NULL, NULL));
    /* a quiz with a different number of questions starts a new best */
    ck_assert_int_eq(cl_progress_record_quiz(ctx.progress, "01-first", 1, 5), 0);
    ck_assert(cl_progress_quiz(ctx.progress, "01-first", &best, &last, &total, NULL));
    ck_assert_int_eq(best, 1);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

static int count_copies(const char *root)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/.chanlings", root);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strncmp(de->d_name, "state.corrupt-", 14) == 0;
    closedir(d);
    return n;
}

START_TEST(damage_is_reported_kept_and_recovered)
{
    char *root = td_workbook();
    td_write(root, ".chanlings/state",
             "chanlings-state 1\ncurrent\t02-second\nhints\t01-first\tmany\ndone\t01-first\n"
             "\x01\x02 binary junk\n");
    cl_ctx ctx;
    open_ctx(&ctx, root); /* damage is not an error: the readable part is used */
    ck_assert_ptr_nonnull(strstr(ctx.progress->warning, "/.chanlings/state:3: "));
    ck_assert_ptr_nonnull(strstr(ctx.progress->warning, "kept a copy as .chanlings/state.corrupt-"));
    ck_assert_str_eq(cl_progress_current(ctx.progress), "02-second");
    ck_assert(cl_progress_done(ctx.progress, "01-first"));
    ck_assert_int_eq(count_copies(root), 1);
    cl_ctx_close(&ctx);

    /* the recovered state was saved: reported once, not on every run */
    open_ctx(&ctx, root);
    ck_assert_str_eq(ctx.progress->warning, "");
    ck_assert(cl_progress_done(ctx.progress, "01-first"));
    ck_assert_int_eq(count_copies(root), 1);
    char *text = state_text(root);
    ck_assert_ptr_null(strstr(text, "junk"));
    free(text);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

START_TEST(foreign_file_is_damage_at_line_one)
{
    char *root = td_workbook();
    td_write(root, ".chanlings/state", "{\"json\": true}\n");
    cl_ctx ctx;
    open_ctx(&ctx, root);
    ck_assert_ptr_nonnull(strstr(ctx.progress->warning, "state:1: "));
    ck_assert_ptr_null(cl_progress_current(ctx.progress));
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

/* Children released together by one pipe (a latch): each reveals hints
 * and marks its own exercise done.  Every update must survive. */
START_TEST(concurrent_writers_lose_nothing)
{
    enum { WRITERS = 4, EACH = 25 };
    char *root = td_workbook();
    for (int w = 0; w < WRITERS; w++) {
        char rel[64];
        snprintf(rel, sizeof rel, "exercises/%02d-w.c", 10 + w);
        td_write(root, rel, "");
    }
    int gate[2];
    ck_assert_int_eq(pipe(gate), 0);
    pid_t kids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        kids[w] = fork();
        ck_assert_int_ge(kids[w], 0);
        if (kids[w] == 0) {
            close(gate[1]);
            char c;
            if (read(gate[0], &c, 1) != 1)
                _exit(3);
            cl_ctx ctx;
            char err[256];
            if (cl_ctx_open_root(&ctx, root, err, sizeof err) != CL_CTX_OK)
                _exit(4);
            for (int i = 0; i < EACH; i++)
                if (cl_progress_reveal_hint(ctx.progress, "01-first", 1000, err, sizeof err) < 0)
                    _exit(5);
            char slug[32];
            snprintf(slug, sizeof slug, "%02d-w", 10 + w);
            if (cl_progress_mark_done(ctx.progress, slug, err, sizeof err) != 0)
                _exit(6);
            cl_ctx_close(&ctx);
            _exit(0);
        }
    }
    close(gate[0]);
    char go[WRITERS] = {0};
    ck_assert_int_eq(write(gate[1], go, WRITERS), WRITERS);
    close(gate[1]);
    for (int w = 0; w < WRITERS; w++) {
        int st;
        ck_assert_int_eq(waitpid(kids[w], &st, 0), kids[w]);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed (%d)", w, st);
    }
    cl_ctx ctx;
    open_ctx(&ctx, root);
    ck_assert_str_eq(ctx.progress->warning, "");
    ck_assert_int_eq(cl_progress_hints(ctx.progress, "01-first"), WRITERS * EACH);
    ck_assert_uint_eq(cl_ctx_done_count(&ctx), WRITERS);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

START_TEST(file_format_is_plain_lines)
{
    char *root = td_workbook();
    cl_ctx ctx;
    open_ctx(&ctx, root);
    char err[256];
    ck_assert_int_eq(cl_progress_mark_done(ctx.progress, "01-first", err, sizeof err), 0);
    ck_assert_int_eq(cl_progress_set_current(ctx.progress, "01-first", err, sizeof err), 0);
    char *text = state_text(root);
    ck_assert_str_eq(text, "chanlings-state 1\ncurrent\t01-first\ndone\t01-first\n");
    free(text);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

START_TEST(mastery_best_is_the_highest_share)
{
    char *root = td_workbook();
    cl_ctx ctx;
    open_ctx(&ctx, root);
    ck_assert_int_eq(cl_progress_mastery_of(ctx.progress)->attempts, 0);
    ck_assert_int_eq(cl_progress_record_mastery(ctx.progress, 20, 30), 0);
    ck_assert_int_eq(cl_progress_record_mastery(ctx.progress, 15, 20), 0); /* 75% > 67% */
    ck_assert_int_eq(cl_progress_record_mastery(ctx.progress, 30, 40), 0); /* 75%, longer */
    ck_assert_int_eq(cl_progress_record_mastery(ctx.progress, 1, 36), 0);  /* worse */
    ck_assert_int_eq(cl_progress_record_mastery(ctx.progress, 5, 4), -1);
    cl_ctx_close(&ctx);

    open_ctx(&ctx, root); /* what another process would see */
    const cl_progress_mastery *m = cl_progress_mastery_of(ctx.progress);
    ck_assert_int_eq(m->best, 30);
    ck_assert_int_eq(m->best_total, 40);
    ck_assert_int_eq(m->last, 1);
    ck_assert_int_eq(m->last_total, 36);
    ck_assert_int_eq(m->attempts, 4);
    ck_assert(m->when > 0);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, damage_is_reported_kept_and_recovered);
    tcase_add_test(tc, foreign_file_is_damage_at_line_one);
    tcase_add_test(tc, concurrent_writers_lose_nothing);
    tcase_add_test(tc, file_format_is_plain_lines);
    tcase_add_test(tc, mastery_best_is_the_highest_share);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
