/* Tests of the quiz parser (quiz.h) and quiz attempts (quiz_engine.h). */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/quiz.h"
#include "../src/quiz_engine.h"
#include "../src/quiz_mastery.h"
#include "check_run.h"
#include "testdir.h"

static const char GOOD[] =
    "## Quiz\n"                                                  /* 40 */
    "\n"
    "### What happens to goroutines when main returns?\n"        /* 42 */
    "- [ ] They keep the process alive.\n"                       /* 43 */
    "  > The process does not wait for them.\n"
    "- [x] The process exits; they stop where they are.\n"       /* 45 */
    "- [ ] They pause and resume next run.\n"
    "\n"
    "> Returning from main ends the process.\n"
    ">\n"
    "> Wait for them first.\n"
    "\n"
    "### Which are true of an unbuffered channel? ###\n"         /* 52 */
    "Consider this:\n"
    "\n"
    "```c\n"
    "- [x] not an option, just code\n"
    "```\n"
    "- [x] A send waits for a receiver.\n"                       /* 58 */
    "- [X] It synchronises two goroutines.\n"
    "- [ ] It holds one value.\n"
    "  > That is a buffered channel of\n"
    "  > capacity one.\n"
    "> Both ends meet.\n";

static void parse_ok(const char *text, int first_line, cl_quiz *q)
{
    char err[512];
    int rc = cl_quiz_parse(text, "lessons/01-x.md", first_line, q, err, sizeof err);
    ck_assert_msg(rc == 0, "parse failed: %s", err);
}

START_TEST(parses_questions_options_and_explanations)
{
    cl_quiz q;
    parse_ok(GOOD, 40, &q);
    ck_assert_uint_eq(q.nquestions, 2);

    cl_quiz_question *a = &q.questions[0];
    ck_assert_str_eq(a->text, "What happens to goroutines when main returns?");
    ck_assert_int_eq(a->line, 42);
    ck_assert_ptr_null(a->prompt);
    ck_assert_uint_eq(a->noptions, 3);
    ck_assert_uint_eq(a->ncorrect, 1);
    ck_assert(!a->options[0].correct);
    ck_assert(a->options[1].correct);
    ck_assert_int_eq(a->options[0].line, 43);
    ck_assert_int_eq(a->options[1].line, 45);
    ck_assert_str_eq(a->options[0].explain, "The process does not wait for them.");
    ck_assert_ptr_null(a->options[1].explain);
    ck_assert_str_eq(a->options[1].text, "The process exits; they stop where they are.");
    ck_assert_str_eq(a->explanation,
                     "Returning from main ends the process.\n\nWait for them first.");

    cl_quiz_question *b = &q.questions[1];
    ck_assert_str_eq(b->text, "Which are true of an unbuffered channel?");
    ck_assert_int_eq(b->line, 52);
    ck_assert_str_eq(b->prompt,
                     "Consider this:\n\n```c\n- [x] not an option, just code\n```");
    ck_assert_uint_eq(b->noptions, 3);
    ck_assert_uint_eq(b->ncorrect, 2);
    ck_assert_int_eq(b->options[0].line, 58);
    ck_assert_str_eq(b->options[2].explain,
                     "That is a buffered channel of\ncapacity one.");
    ck_assert_str_eq(b->explanation, "Both ends meet.");
    cl_quiz_free(&q);
}
END_TEST

START_TEST(line_numbers_without_heading_and_crlf)
{
    cl_quiz q;
    parse_ok("\r\n### Q?\r\n- [x] yes\r\n- [ ] no\r\n> because\r\n", 7, &q);
    ck_assert_int_eq(q.questions[0].line, 8);
    ck_assert_str_eq(q.questions[0].options[0].text, "yes");
    ck_assert_int_eq(q.questions[0].options[1].line, 10);
    ck_assert_str_eq(q.questions[0].explanation, "because");
    cl_quiz_free(&q);
}
END_TEST

START_TEST(wrapped_option_text_continues)
{
    cl_quiz q;
    parse_ok("### Q?\n- [x] a long\n   answer\n- [ ] no\n> e\n", 1, &q);
    ck_assert_str_eq(q.questions[0].options[0].text, "a long answer");
    cl_quiz_free(&q);
}
END_TEST

/* Every malformed case: the text, the line it must be blamed on, and a
 * phrase the message must contain. */
static const struct bad_case {
    const char *text;
    int line;
    const char *says;
} BAD[] = {
    { "### Q?\n> why\n", 2, "explanation before any option" },
    { "### Q?\n\n### R?\n- [x] a\n- [ ] b\n> e\n", 1, "has no options" },
    { "### Q?\n- [x] only\n> e\n", 1, "only one option" },
    { "### Q?\n- [ ] a\n- [ ] b\n> e\n", 1, "no correct option" },
    { "### Q?\n- [x] a\n- [ ] b\n\n### R?\n- [x] a\n- [ ] b\n> e\n", 1,
      "no explanation" },
    { "### Q?\n- [x] a\n- [ ] b\n", 1, "no explanation" },
    { "### Q?\n- [x] a\n- [y] b\n> e\n", 3, "is not '- [ ] text'" },
    { "### Q?\n- [x] a\n* [ ] b\n> e\n", 3, "is not '- [ ] text'" },
    { "### Q?\n- [x] a\n-[ ] b\n> e\n", 3, "is not '- [ ] text'" },
    { "### Q?\n- [x]a\n- [ ] b\n> e\n", 2, "is not '- [ ] text'" },
    { "### Q?\n- [x] a\n- plain bullet\n> e\n", 3, "is not '- [ ] text'" },
    { "### Q?\n- [x] \n- [ ] b\n> e\n", 2, "option has no text" },
    { "Some words.\n### Q?\n- [x] a\n- [ ] b\n> e\n", 1, "text outside a question" },
    { "\n\nstray\n", 3, "text outside a question" },
    { "### \n- [x] a\n- [ ] b\n> e\n", 1, "empty question" },
    { "###\n- [x] a\n- [ ] b\n> e\n", 1, "empty question" },
    { "### Q?\n- [x] a\n> e\n- [ ] b\n", 4, "option after the explanation" },
    { "### Q?\n- [x] a\n- [ ] b\n> e\nmore words\n", 5, "text after the explanation" },
    { "### Q?\n- [x] a\nwords\n- [ ] b\n> e\n", 3, "unexpected text among the options" },
    { "### Q?\n- [x] a\n- [ ] b\n> e\n## Next\n", 5, "unexpected heading" },
    { "### Q?\n```\ncode\n- [x] a\n", 1, "never closed" },
    { "### Q?\n- [x] a\n  > why\n  more\n- [ ] b\n> e\n", 4, "must start with '> '" },
    { "", 1, "no questions" },
    { "\n\n", 1, "no questions" },
};

START_TEST(malformed_is_reported_at_its_line)
{
    const struct bad_case *c = &BAD[_i];
    char err[512], want[64];
    cl_quiz q;
    int rc = cl_quiz_parse(c->text, "lessons/02-y.md", 1, &q, err, sizeof err);
    ck_assert_msg(rc == -1, "case %d parsed but should not:\n%s", _i, c->text);
    ck_assert_uint_eq(q.nquestions, 0);
    ck_assert_ptr_null(q.questions);
    snprintf(want, sizeof want, "lessons/02-y.md:%d: ", c->line);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
                  "case %d: want prefix '%s', got '%s'", _i, want, err);
    ck_assert_msg(strstr(err, c->says), "case %d: want '%s' in '%s'", _i, c->says, err);
}
END_TEST

START_TEST(error_lines_are_offset_by_the_section_start)
{
    char err[256];
    cl_quiz q;
    /* heading left in: its line is first_line, so the bad option is +3 */
    ck_assert_int_eq(cl_quiz_parse("## Quiz\n### Q?\n- [x] a\n+ [ ] b\n> e\n",
                                   "l.md", 100, &q, err, sizeof err), -1);
    ck_assert_str_eq(err, "l.md:103: this option is not '- [ ] text' (wrong) or "
                     "'- [x] text' (right): write a dash, a space, the box, a "
                     "space, then the text");
}
END_TEST

START_TEST(too_many_options)
{
    char text[2048] = "### Q?\n", err[256];
    for (int i = 0; i < CL_QUIZ_MAX_OPTIONS + 1; i++)
        strcat(text, i ? "- [ ] o\n" : "- [x] o\n");
    strcat(text, "> e\n");
    cl_quiz q;
    ck_assert_int_eq(cl_quiz_parse(text, "l.md", 1, &q, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "l.md:28: ") == err, "%s", err);
}
END_TEST

/* ---- attempts ---- */

static cl_quiz Q;  /* three questions: 4 options (a right), 3 (multi), 2 */

static void setup_quiz(void)
{
    parse_ok("### One?\n- [x] right\n- [ ] w1\n  > not w1\n- [ ] w2\n- [ ] w3\n> one\n"
             "### Two?\n- [x] r1\n- [ ] w\n  > not w\n- [x] r2\n  > r2 too\n> two\n"
             "### Three?\n- [ ] w\n- [x] r\n> three\n", 1, &Q);
}

static void teardown_quiz(void)
{
    cl_quiz_free(&Q);
}

static void start(cl_quiz_attempt *a, uint64_t seed)
{
    cl_quiz_attempt_init(a, seed);
    for (size_t i = 0; i < Q.nquestions; i++)
        ck_assert_int_eq(cl_quiz_attempt_add(a, &Q.questions[i], (int)i), 0);
    ck_assert_int_eq(cl_quiz_attempt_start(a), 0);
}

/* The letters of the right answer of the current item, or a wrong one. */
static const char *answer_for(const cl_quiz_item *it, int right, char *buf)
{
    uint32_t m = 0;
    for (size_t i = 0; i < cl_quiz_item_noptions(it); i++) {
        bool c = cl_quiz_item_option(it, i)->correct;
        if (c == (right != 0)) {
            m |= 1u << i;
            if (!right)
                break;
        }
    }
    return cl_quiz_letters(m, buf);
}

START_TEST(shuffle_puts_the_answer_everywhere)
{
    enum { SEEDS = 400 };
    size_t where[4] = { 0 };
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        cl_quiz_attempt a;
        start(&a, seed);
        const cl_quiz_item *it = cl_quiz_attempt_current(&a);
        size_t hits = 0;
        for (size_t i = 0; i < 4; i++)
            if (cl_quiz_item_option(it, i)->correct) {
                where[i]++;
                hits++;
            }
        ck_assert_uint_eq(hits, 1);  /* a permutation: nothing lost or doubled */
        cl_quiz_attempt_free(&a);
    }
    /* uniform would be 100 each; 50 is far outside chance for a fair shuffle */
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(where[i] >= 50, "answer at letter %c only %zu times of %d",
                      (char)('a' + i), where[i], SEEDS);
}
END_TEST

START_TEST(same_seed_same_order)
{
    cl_quiz_attempt a, b;
    start(&a, 42);
    start(&b, 42);
    ck_assert_mem_eq(cl_quiz_attempt_current(&a)->order,
                     cl_quiz_attempt_current(&b)->order, 4);
    cl_quiz_attempt_free(&a);
    cl_quiz_attempt_free(&b);
    /* and some seed gives another order (shuffling does something) */
    int differ = 0;
    for (uint64_t s = 1; s < 20 && !differ; s++) {
        start(&a, 42);
        start(&b, 42 + s);
        differ = memcmp(cl_quiz_attempt_current(&a)->order,
                        cl_quiz_attempt_current(&b)->order, 4) != 0;
        cl_quiz_attempt_free(&a);
        cl_quiz_attempt_free(&b);
    }
    ck_assert(differ);
}
END_TEST

START_TEST(scores_right_and_wrong)
{
    cl_quiz_attempt a;
    char buf[32], err[256];
    cl_quiz_feedback fb;
    start(&a, 7);
    ck_assert_uint_eq(cl_quiz_attempt_round_size(&a), 3);
    ck_assert_uint_eq(cl_quiz_attempt_number(&a), 1);
    const cl_quiz_item *it = cl_quiz_attempt_current(&a);
    ck_assert_ptr_eq(it->question, &Q.questions[0]);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, answer_for(it, 1, buf), &fb, err,
                                            sizeof err), 0);
    ck_assert(fb.correct);
    ck_assert_str_eq(fb.explanation, "one");

    it = cl_quiz_attempt_current(&a);
    ck_assert_uint_eq(cl_quiz_attempt_number(&a), 2);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, answer_for(it, 0, buf), &fb, err,
                                            sizeof err), 0);
    ck_assert(!fb.correct);
    ck_assert_str_eq(fb.explanation, "two");

    it = cl_quiz_attempt_current(&a);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, answer_for(it, 1, buf), &fb, err,
                                            sizeof err), 0);
    ck_assert_ptr_null(cl_quiz_attempt_current(&a));
    cl_quiz_score s = cl_quiz_attempt_score(&a);
    ck_assert_uint_eq(s.correct, 2);
    ck_assert_uint_eq(s.missed, 1);
    ck_assert_uint_eq(s.total, 3);
    ck_assert_uint_eq(s.first_correct, 2);
    ck_assert_uint_eq(s.first_total, 3);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, "a", &fb, err, sizeof err), -1);
    cl_quiz_attempt_free(&a);
}
END_TEST

START_TEST(multi_answer_needs_exactly_the_right_set)
{
    cl_quiz_attempt a;
    char buf[32], err[256];
    cl_quiz_feedback fb;
    cl_quiz_attempt_init(&a, 3);
    cl_quiz_attempt_add(&a, &Q.questions[1], 0);
    cl_quiz_attempt_add(&a, &Q.questions[1], 0);
    cl_quiz_attempt_add(&a, &Q.questions[1], 0);
    cl_quiz_attempt_start(&a);

    /* one of the two right ones: wrong, and the missed one is explained */
    const cl_quiz_item *it = cl_quiz_attempt_current(&a);
    uint32_t right = 0, r1 = 0;
    for (size_t i = 0; i < 3; i++)
        if (cl_quiz_item_option(it, i)->correct)
            right |= 1u << i;
    for (size_t i = 0; i < 3; i++)
        if (cl_quiz_item_option(it, i)->correct &&
            !cl_quiz_item_option(it, i)->explain)
            r1 = 1u << i;   /* "r1", which has no explanation */
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, cl_quiz_letters(r1, buf), &fb, err,
                                            sizeof err), 0);
    ck_assert(!fb.correct);
    ck_assert_uint_eq(fb.right, right);
    ck_assert_uint_eq(fb.chosen, r1);
    size_t explained = 0;
    for (size_t i = 0; i < 3; i++)
        if (fb.option_explain[i]) {
            ck_assert_str_eq(fb.option_explain[i], "r2 too");
            explained++;
        }
    ck_assert_uint_eq(explained, 1);

    /* the right set, written loosely */
    it = cl_quiz_attempt_current(&a);
    answer_for(it, 1, buf);
    char loose[16];
    snprintf(loose, sizeof loose, " %c, %c ", buf[1] - 32, buf[0]);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, loose, &fb, err, sizeof err), 0);
    ck_assert(fb.correct);

    /* everything: wrong, the wrong option is explained */
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, "abc", &fb, err, sizeof err), 0);
    ck_assert(!fb.correct);
    cl_quiz_attempt_free(&a);
}
END_TEST

START_TEST(bad_letters_are_refused_without_moving_on)
{
    cl_quiz_attempt a;
    char err[256];
    cl_quiz_feedback fb;
    start(&a, 9);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, "e", &fb, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "'e' is not one of the options") && strstr(err, "a-d"),
                  "%s", err);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, "  ", &fb, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "no answer given"), "%s", err);
    ck_assert_int_eq(cl_quiz_attempt_answer(&a, "a1", &fb, err, sizeof err), -1);
    ck_assert_uint_eq(cl_quiz_attempt_number(&a), 1);
    ck_assert_uint_eq(cl_quiz_attempt_score(&a).correct + cl_quiz_attempt_score(&a).missed, 0);
    cl_quiz_attempt_free(&a);
}
END_TEST

START_TEST(retry_asks_only_the_missed)
{
    cl_quiz_attempt a;
    char buf[32];
    start(&a, 11);
    ck_assert_int_eq(cl_quiz_attempt_retry(&a), -1);  /* round not over */
    int pattern[3] = { 0, 1, 0 };                     /* miss 1 and 3 */
    for (int i = 0; i < 3; i++)
        cl_quiz_attempt_answer(&a, answer_for(cl_quiz_attempt_current(&a), pattern[i],
                                              buf), NULL, NULL, 0);
    ck_assert_int_eq(cl_quiz_attempt_retry(&a), 2);
    ck_assert_int_eq(a.round_no, 2);
    ck_assert_uint_eq(cl_quiz_attempt_round_size(&a), 2);
    ck_assert_ptr_eq(cl_quiz_attempt_current(&a)->question, &Q.questions[0]);
    cl_quiz_attempt_answer(&a, answer_for(cl_quiz_attempt_current(&a), 1, buf),
                           NULL, NULL, 0);
    ck_assert_ptr_eq(cl_quiz_attempt_current(&a)->question, &Q.questions[2]);
    cl_quiz_attempt_answer(&a, answer_for(cl_quiz_attempt_current(&a), 0, buf),
                           NULL, NULL, 0);
    cl_quiz_score s = cl_quiz_attempt_score(&a);
    ck_assert_uint_eq(s.correct, 1);
    ck_assert_uint_eq(s.total, 2);
    ck_assert_uint_eq(s.first_correct, 1);   /* retries never raise round 1 */
    ck_assert_int_eq(cl_quiz_attempt_retry(&a), 1);
    ck_assert_ptr_eq(cl_quiz_attempt_current(&a)->question, &Q.questions[2]);
    cl_quiz_attempt_answer(&a, answer_for(cl_quiz_attempt_current(&a), 1, buf),
                           NULL, NULL, 0);
    ck_assert_int_eq(cl_quiz_attempt_retry(&a), 0);   /* nothing left */
    ck_assert(a.items[0].ever_missed && !a.items[1].ever_missed && a.items[2].ever_missed);
    cl_quiz_attempt_free(&a);
}
END_TEST

/* A quiz of n questions "Question k?" (one right option each). */
static void parse_n(size_t n, cl_quiz *q)
{
    char text[8192];
    size_t at = 0;
    for (size_t k = 0; k < n; k++)
        at += (size_t)snprintf(text + at, sizeof text - at,
                               "### Question %zu?\n- [x] yes\n- [ ] no\n> because\n", k);
    parse_ok(text, 1, q);
    ck_assert_uint_eq(q->nquestions, n);
}

/* Which question of quiz q item i is. */
static size_t which(const cl_quiz *q, const cl_quiz_item *it)
{
    return (size_t)(it->question - q->questions);
}

/* Three lessons' quizzes of 7, 2 and 5 questions. */
static void three_lessons(cl_quiz qs[3])
{
    parse_n(7, &qs[0]);
    parse_n(2, &qs[1]);
    parse_n(5, &qs[2]);
}

static void free_lessons(cl_quiz qs[3])
{
    for (int tag = 0; tag < 3; tag++)
        cl_quiz_free(&qs[tag]);
}

/* Tags 0..2 from three_lessons; per_tag of each is taken. */
static void per_tag_start(cl_quiz_attempt *a, const cl_quiz qs[3], uint64_t seed,
                          size_t per_tag, unsigned turn)
{
    cl_quiz_attempt_init(a, seed);
    for (int tag = 0; tag < 3; tag++)
        for (size_t k = 0; k < qs[tag].nquestions; k++)
            ck_assert_int_eq(cl_quiz_attempt_add(a, &qs[tag].questions[k], tag), 0);
    ck_assert_int_eq(cl_quiz_attempt_start_per_tag(a, per_tag, turn), 0);
}

START_TEST(per_tag_takes_its_share_of_every_tag)
{
    cl_quiz qs[3];
    three_lessons(qs);
    for (uint64_t seed = 1; seed <= 20; seed++)
        for (unsigned turn = 0; turn < 9; turn++) {
            cl_quiz_attempt a;
            per_tag_start(&a, qs, seed, 2, turn);
            ck_assert_uint_eq(cl_quiz_attempt_round_size(&a), 6);
            size_t per[3] = {0};
            for (size_t i = 0; i < a.nitems; i++) {
                per[a.items[i].tag]++;
                for (size_t j = 0; j < i; j++)
                    ck_assert_ptr_ne(a.items[i].question, a.items[j].question);
            }
            ck_assert_uint_eq(per[0], 2);
            ck_assert_uint_eq(per[1], 2);
            ck_assert_uint_eq(per[2], 2);
            cl_quiz_attempt_free(&a);
        }
    /* more than a tag has takes all of it; 0 takes everything */
    cl_quiz_attempt a;
    per_tag_start(&a, qs, 1, 6, 0);
    ck_assert_uint_eq(cl_quiz_attempt_round_size(&a), 6 + 2 + 5);
    cl_quiz_attempt_free(&a);
    per_tag_start(&a, qs, 1, 0, 3);
    ck_assert_uint_eq(cl_quiz_attempt_round_size(&a), 7 + 2 + 5);
    cl_quiz_attempt_free(&a);
    free_lessons(qs);
}
END_TEST

START_TEST(per_tag_rotates_before_repeating)
{
    /* 7 questions, 2 a turn: turns 0-2 ask 6 different ones, turn 3 the
     * seventh (and one again); the seed changes the order, not which. */
    cl_quiz qs[3];
    three_lessons(qs);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        int times[7] = {0};
        for (unsigned turn = 0; turn < 4; turn++) {
            cl_quiz_attempt a, b;
            per_tag_start(&a, qs, seed, 2, turn);
            per_tag_start(&b, qs, seed * 7919 + 3, 2, turn);
            bool same_set = true;
            for (size_t i = 0; i < a.nitems; i++) {
                bool found = false;
                for (size_t j = 0; j < b.nitems; j++)
                    found |= a.items[i].question == b.items[j].question;
                same_set &= found;
                if (a.items[i].tag == 0)
                    times[which(&qs[0], &a.items[i])]++;
            }
            ck_assert_msg(same_set, "turn %u asks other questions under another seed", turn);
            cl_quiz_attempt_free(&a);
            cl_quiz_attempt_free(&b);
            if (turn == 2)
                for (int k = 0, seen = 0; k < 7; k++) {
                    ck_assert_int_le(times[k], 1);
                    seen += times[k];
                    if (k == 6)
                        ck_assert_int_eq(seen, 6);
                }
        }
        for (int k = 0; k < 7; k++)
            ck_assert_msg(times[k] >= 1, "question %d never asked in four turns", k);
    }
    free_lessons(qs);
}
END_TEST

START_TEST(per_tag_mixes_the_tags)
{
    /* The kept questions are mixed: over seeds, a tag-1 question comes
     * first sometimes and not always. */
    cl_quiz qs[3];
    three_lessons(qs);
    int first[3] = {0};
    for (uint64_t seed = 1; seed <= 60; seed++) {
        cl_quiz_attempt a;
        per_tag_start(&a, qs, seed, 2, 0);
        first[cl_quiz_attempt_current(&a)->tag]++;
        cl_quiz_attempt_free(&a);
    }
    for (int tag = 0; tag < 3; tag++)
        ck_assert_msg(first[tag] > 0 && first[tag] < 60, "tag %d first %d of 60 times", tag,
                      first[tag]);
    free_lessons(qs);
}
END_TEST

#define TD_QUIZ(q) "\n## Quiz\n\n" q
#define TD_Q(n) "### " n "?\n- [x] yes\n- [ ] no\n> because\n\n"

/* 01 has 3 questions, 02 has 2, 03 no quiz, 04 a broken one. */
static char *mastery_workbook(void)
{
    char *root = td_workbook();
    td_write(root, "lessons/01-first.md",
             TD_LESSON("First") TD_QUIZ(TD_Q("F one") TD_Q("F two") TD_Q("F three")));
    td_write(root, "lessons/02-second.md", TD_LESSON("Second") TD_QUIZ(TD_Q("S one") TD_Q("S two")));
    td_write(root, "lessons/03-third.md", TD_LESSON("Third"));
    td_write(root, "lessons/04-fourth.md", TD_LESSON("Fourth") TD_QUIZ("### Q?\n- [x] only one\n> x\n"));
    for (int n = 3; n <= 4; n++) {
        static const char *const dirs[] = {"exercises", "solutions", "graders"};
        for (int d = 0; d < 3; d++) {
            char rel[128];
            snprintf(rel, sizeof rel, "%s/0%d-%s.c", dirs[d], n, n == 3 ? "third" : "fourth");
            td_write(root, rel, "int x;\n");
        }
    }
    return root;
}

START_TEST(mastery_scores_each_lesson_and_keeps_the_record)
{
    char *root = mastery_workbook();
    cl_ctx ctx;
    char err[512] = "";
    ck_assert_msg(cl_ctx_open_root(&ctx, root, err, sizeof err) == CL_CTX_OK, "%s", err);
    for (int turn = 0; turn < 2; turn++) {
        cl_mastery m;
        ck_assert_msg(cl_mastery_start(&m, &ctx, 0, 7, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(m.turn, turn);
        ck_assert_uint_eq(m.nlessons, 2); /* no quiz and a broken quiz are left out */
        ck_assert_ptr_nonnull(m.skipped.s);
        ck_assert_msg(strstr(m.skipped.s, "lessons/04-fourth.md:") != NULL, "%s", m.skipped.s);
        ck_assert_ptr_null(strstr(m.skipped.s, "03-third"));
        ck_assert_uint_eq(cl_quiz_attempt_round_size(&m.attempt), 4);
        /* Right on lesson 01, wrong on 02. */
        const cl_quiz_item *it;
        while ((it = cl_quiz_attempt_current(&m.attempt))) {
            char buf[CL_QUIZ_MAX_OPTIONS + 1];
            ck_assert_int_eq(cl_quiz_attempt_answer(&m.attempt, answer_for(it, it->tag == 0, buf),
                                                    NULL, err, sizeof err), 0);
        }
        ck_assert_uint_eq(cl_mastery_tally(&m), 1);
        char line[256];
        cl_mastery_line(&m, 0, line, sizeof line);
        ck_assert_str_eq(line, "01 First: 2/2");
        cl_mastery_line(&m, 1, line, sizeof line);
        ck_assert_str_eq(line, "02 Second: 0/2, revisit lessons/02-second.md");
        ck_assert_int_eq(cl_mastery_record(&m, &ctx), 0);
        cl_mastery_free(&m);
    }
    const cl_progress_mastery *rec = cl_progress_mastery_of(ctx.progress);
    ck_assert_int_eq(rec->best, 2);
    ck_assert_int_eq(rec->best_total, 4);
    ck_assert_int_eq(rec->attempts, 2);
    cl_ctx_close(&ctx);
    td_remove(root);
}
END_TEST

static Suite *quiz_suite(void)
{
    Suite *s = suite_create("quiz");
    TCase *p = tcase_create("parser");
    tcase_add_test(p, parses_questions_options_and_explanations);
    tcase_add_test(p, line_numbers_without_heading_and_crlf);
    tcase_add_test(p, wrapped_option_text_continues);
    tcase_add_loop_test(p, malformed_is_reported_at_its_line, 0,
                        (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(p, error_lines_are_offset_by_the_section_start);
    tcase_add_test(p, too_many_options);
    suite_add_tcase(s, p);

    TCase *e = tcase_create("engine");
    tcase_add_checked_fixture(e, setup_quiz, teardown_quiz);
    tcase_add_test(e, shuffle_puts_the_answer_everywhere);
    tcase_add_test(e, same_seed_same_order);
    tcase_add_test(e, scores_right_and_wrong);
    tcase_add_test(e, multi_answer_needs_exactly_the_right_set);
    tcase_add_test(e, bad_letters_are_refused_without_moving_on);
    tcase_add_test(e, retry_asks_only_the_missed);
    tcase_add_test(e, per_tag_takes_its_share_of_every_tag);
    tcase_add_test(e, per_tag_rotates_before_repeating);
    tcase_add_test(e, per_tag_mixes_the_tags);
    suite_add_tcase(s, e);

    TCase *m = tcase_create("mastery");
    tcase_set_timeout(m, 30);
    tcase_add_test(m, mastery_scores_each_lesson_and_keeps_the_record);
    suite_add_tcase(s, m);
    return s;
}

int main(void)
{
    return cl_run_suite(quiz_suite());
}
