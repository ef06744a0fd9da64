/* lesson.c: front matter, body, hints, quiz section, and a message with
 * the right line for every kind of malformed lesson. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "check_run.h"

#define FRONT "---\ntitle: Goroutines\ndifficulty: beginner\nminutes: 45\nconcepts: go, wait\n"

static const char good[] =
    FRONT "race: true\ntimeout: 7\n---\n"
    "# Goroutines\n"
    "\n"
    "Text.\n"
    "```markdown\n"
    "## Hints\n"
    "```\n"
    "\n"
    "## Hints\n"
    "1. First hint\n"
    "   continues here.\n"
    "\n"
    "       code block\n"
    "2. Second hint.\n"
    "\n"
    "## Quiz\n"
    "\n"
    "### Q?\n"
    "- [x] yes\n"
    "- [ ] no\n"
    "\n"
    "> because\n";

START_TEST(parses_every_part)
{
    cl_lesson l;
    char err[256] = "";
    ck_assert_msg(cl_lesson_parse(&l, good, "lessons/01-x.md", err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(l.title, "Goroutines");
    ck_assert_str_eq(l.difficulty, "beginner");
    ck_assert_int_eq(l.minutes, 45);
    ck_assert_str_eq(l.concepts, "go, wait");
    ck_assert(l.race);
    ck_assert_int_eq(l.timeout, 7);
    ck_assert_int_eq(l.body_line, 9);
    /* the fenced "## Hints" is lesson text, not the section */
    ck_assert_ptr_nonnull(strstr(l.body, "```markdown\n## Hints\n```"));
    ck_assert_ptr_null(strstr(l.body, "First hint"));
    ck_assert_ptr_null(strstr(l.body, "### Q?"));
    ck_assert_uint_eq(l.nhints, 2);
    ck_assert_str_eq(l.hints[0], "First hint\ncontinues here.\n\n    code block");
    ck_assert_str_eq(l.hints[1], "Second hint.");
    ck_assert_ptr_nonnull(l.quiz);
    ck_assert_int_eq(l.quiz_line, 24);
    ck_assert_ptr_nonnull(strstr(l.quiz, "### Q?"));
    ck_assert_ptr_null(strstr(l.quiz, "## Quiz"));
    cl_lesson_free(&l);
}
END_TEST

START_TEST(optional_parts_may_be_absent)
{
    cl_lesson l;
    char err[256] = "";
    ck_assert_msg(cl_lesson_parse(&l, FRONT "---\nJust text.\n", "l.md", err, sizeof err) == 0,
                  "%s", err);
    ck_assert(!l.race);
    ck_assert(!l.asan);
    ck_assert_ptr_null(l.wrap);
    ck_assert_int_eq(l.timeout, 0);
    ck_assert_str_eq(l.body, "Just text.\n");
    ck_assert_uint_eq(l.nhints, 0);
    ck_assert_ptr_null(l.quiz);
    cl_lesson_free(&l);
}
END_TEST

/* Each malformed lesson, the line its message must name, and a phrase. */
static const struct {
    const char *text;
    int line;
    const char *says;
} bad[] = {
    {"# no front matter\n", 1, "must start with front matter"},
    {"---\ntitle: x\n", 1, "not closed"},
    {FRONT "colour: red\n---\n", 6, "unknown front matter key \"colour\""},
    {FRONT "title: again\n---\n", 6, "given twice"},
    {FRONT "race: maybe\n---\n", 6, "race: \"maybe\" is not valid; expected true or false"},
    {FRONT "timeout: soon\n---\n", 6, "timeout"},
    {FRONT "asan: yes\n---\n", 6, "asan: \"yes\" is not valid; expected true or false"},
    {FRONT "colour: red\n---\n", 6, "known keys: title, difficulty, minutes, concepts, race, "
                                        "asan, wrap, timeout"},
    /* A lesson may wrap libgoc, never the C library or anything else. */
    {FRONT "wrap: goc_mutex_lock_at malloc\n---\n", 6, "wrap: \"goc_mutex_lock_at malloc\" is "
                                                        "not valid; expected libgoc function "
                                                        "names starting goc_"},
    {FRONT "wrap: sleep fork\n---\n", 6, "no other C library function"},
    {FRONT "wrap: exit\n---\n", 6, "wrap"},
    {FRONT "wrap: goc_\n---\n", 6, "wrap"},
    {FRONT "wrap: goc_x;rm\n---\n", 6, "wrap"},
    {FRONT "wrap: goc_a,goc_b\n---\n", 6, "wrap"},
    {FRONT "wrap:\n---\n", 6, "wrap"},
    {"---\ntitle: x\ndifficulty: hard\nminutes: 1\nconcepts: c\n---\n", 3, "difficulty"},
    {"---\ntitle: x\ndifficulty: beginner\nminutes: -3\nconcepts: c\n---\n", 4, "minutes"},
    {"---\ntitle: x\ndifficulty: beginner\nconcepts: c\n---\n", 5, "lacks \"minutes\""},
    {FRONT "just words\n---\n", 6, "not `key: value`"},
    {FRONT "---\nbody\n## Hints\n1. one\n3. three\n", 10, "expected 2"},
    {FRONT "---\nbody\n## Hints\n1. one\nstray text\n", 10, "numbered hint"},
    {FRONT "---\nbody\n## Hints\n\n", 8, "holds no hints"},
    {FRONT "---\n## Hints\n1. a\n## Hints\n2. b\n", 9, "second ## Hints"},
    {FRONT "---\n## Hints\n1. a\n## Notes\n", 9, "after ## Hints"},
};

START_TEST(malformed_lessons_name_file_and_line)
{
    cl_lesson l;
    char err[512] = "", want[64];
    ck_assert_int_eq(cl_lesson_parse(&l, bad[_i].text, "lessons/07-x.md", err, sizeof err), -1);
    snprintf(want, sizeof want, "lessons/07-x.md:%d: ", bad[_i].line);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "case %d: wanted %s..., got: %s", _i,
                  want, err);
    ck_assert_msg(strstr(err, bad[_i].says) != NULL, "case %d: wanted \"%s\" in: %s", _i,
                  bad[_i].says, err);
    ck_assert_ptr_null(l.title); /* nothing half-filled is left behind */
}
END_TEST

START_TEST(memory_pass_and_wraps_are_read)
{
    cl_lesson l;
    char err[256] = "";
    const char *text = FRONT "asan: true\nwrap:  goc_mutex_lock_at\tgoc_mutex_unlock_at usleep   "
                             "# held\n"
                             "---\nbody\n";
    ck_assert_msg(cl_lesson_parse(&l, text, "l.md", err, sizeof err) == 0, "%s", err);
    ck_assert(l.asan);
    ck_assert(!l.race);
    ck_assert_str_eq(l.wrap, "goc_mutex_lock_at goc_mutex_unlock_at usleep");
    cl_lesson_free(&l);
    /* Graders watch the C library's sleeps and stdout writes too. */
    text = FRONT "wrap: goc_sleep_at usleep nanosleep fputs printf\n---\nbody\n";
    ck_assert_msg(cl_lesson_parse(&l, text, "l.md", err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(l.wrap, "goc_sleep_at usleep nanosleep fputs printf");
    cl_lesson_free(&l);
}
END_TEST

START_TEST(missing_file_is_named)
{
    cl_lesson l;
    char err[512] = "";
    ck_assert_int_eq(cl_lesson_load(&l, "/nonexistent/lessons/01-x.md", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/lessons/01-x.md: cannot read"));
}
END_TEST

START_TEST(crlf_and_trailing_comments)
{
    cl_lesson l;
    char err[256] = "";
    const char *t = "---\r\ntitle: T   # shown in lists\r\ndifficulty: advanced\r\nminutes: 5\r\n"
                    "concepts: a\r\n---\r\nBody\r\n";
    ck_assert_msg(cl_lesson_parse(&l, t, "l.md", err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(l.title, "T");
    ck_assert_str_eq(l.difficulty, "advanced");
    ck_assert_str_eq(l.body, "Body\n");
    cl_lesson_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lesson");
    TCase *tc = tcase_create("lesson");
    tcase_add_test(tc, parses_every_part);
    tcase_add_test(tc, optional_parts_may_be_absent);
    tcase_add_loop_test(tc, malformed_lessons_name_file_and_line, 0, sizeof bad / sizeof *bad);
    tcase_add_test(tc, missing_file_is_named);
    tcase_add_test(tc, memory_pass_and_wraps_are_read);
    tcase_add_test(tc, crlf_and_trailing_comments);
    suite_add_tcase(s, tc);
    return cl_run_suite(s);
}
