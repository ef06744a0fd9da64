/* chanlings quiz [N] [--seed S] [--answers LIST]
 * chanlings quiz --mastery [--per-lesson K] [--seed S] [--answers LIST]
 *
 * Takes a lesson's quiz (the current exercise's by default) and keeps the
 * first-round score in the learner's progress, or the mastery check: a
 * mix of questions from every lesson (quiz_mastery.h), ending with a score
 * per lesson and the lessons to revisit.  The attempt itself is
 * quiz_engine.h, the conversation quiz_session.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "lesson.h"
#include "progress.h"
#include "quiz.h"
#include "quiz_engine.h"
#include "quiz_mastery.h"
#include "quiz_session.h"
#include "workbook.h"

typedef struct quiz_args {
    const char *which;    /* N, slug or name; NULL: the current exercise */
    bool mastery;
    size_t per_lesson;    /* mastery questions per lesson; 0: default */
    bool seeded;
    uint64_t seed;
    const char *answers;  /* --answers list, or NULL */
} quiz_args;

/* One lesson's quiz, loaded. */
typedef struct quiz_source {
    int index;            /* in ctx->catalog */
    char *relpath;        /* lessons/NN-slug.md */
    cl_lesson lesson;
    cl_quiz quiz;
} quiz_source;

static const char USAGE[] =
    "usage: chanlings quiz [N] [--seed S] [--answers LIST]\n"
    "       chanlings quiz --mastery [--per-lesson K] [--seed S] [--answers LIST]\n"
    "  N             the exercise whose lesson quiz to take (default: the current one)\n"
    "  --mastery     a mixed set from every lesson, scored per lesson\n"
    "  --per-lesson K  questions from each lesson in the mastery check (default 2;\n"
    "                they change from one check to the next)\n"
    "  --seed S      mix questions and shuffle options as another run with S did\n"
    "  --answers L   answers for scripts, comma separated: \"b,ac,y,d\"\n"
    "                (letters per question; y/n when offered a retry; a retry\n"
    "                keeps the first round's letters, so its answers are those)\n"
    "Without --answers, answers are read from standard input, one per line.\n"
    "Exit status: 0 finished (whatever the score), 1 stopped before the end,\n"
    "2 bad usage or an answer that is no option, 3 the lesson or its quiz is broken.\n";

enum { OPT_MASTERY, OPT_PER_LESSON, OPT_SEED, OPT_ANSWERS, OPT_HELP };
static const cl_opt_spec OPTS[] = {
    [OPT_MASTERY] = { "--mastery", NULL, false },
    [OPT_PER_LESSON] = { "--per-lesson", NULL, true },
    [OPT_SEED] = { "--seed", NULL, true },
    [OPT_ANSWERS] = { "--answers", NULL, true },
    [OPT_HELP] = { "--help", "-h", false },
};

static int parse_number(const char *opt, const char *s, unsigned long long max,
                        unsigned long long *v)
{
    char *end;
    errno = 0;
    if (*s && *s != '-') {
        *v = strtoull(s, &end, 10);
        if (!errno && !*end && *v <= max)
            return 0;
    }
    fprintf(stderr, "chanlings quiz: %s wants a whole number up to %llu, not \"%s\"\n%s",
            opt, max, s, USAGE);
    return CL_EXIT_USAGE;
}

/* Returns 0, CL_EXIT_USAGE after saying why, or -1 after printing help. */
static int parse_args(int argc, char **argv, quiz_args *qa)
{
    cl_args args;
    memset(qa, 0, sizeof *qa);
    int rc = cl_args_parse("quiz", argc, argv, OPTS, sizeof OPTS / sizeof *OPTS, 1, &args);
    if (rc)
        return rc;
    if (args.value[OPT_HELP]) {
        fputs(USAGE, stdout);
        return -1;
    }
    unsigned long long n;
    qa->which = args.npos ? args.pos[0] : NULL;
    qa->mastery = args.value[OPT_MASTERY] != NULL;
    qa->answers = args.value[OPT_ANSWERS];
    if (args.value[OPT_PER_LESSON]) {
        if (parse_number("--per-lesson", args.value[OPT_PER_LESSON], 100, &n) || n == 0) {
            if (n == 0)
                fprintf(stderr, "chanlings quiz: --per-lesson wants at least 1 question\n%s",
                        USAGE);
            return CL_EXIT_USAGE;
        }
        qa->per_lesson = (size_t)n;
    }
    if (args.value[OPT_SEED]) {
        if (parse_number("--seed", args.value[OPT_SEED], UINT64_MAX, &n))
            return CL_EXIT_USAGE;
        qa->seeded = true;
        qa->seed = n;
    }
    if (qa->mastery && qa->which) {
        fprintf(stderr, "chanlings quiz: --mastery draws from every lesson; drop \"%s\" "
                "or drop --mastery\n", qa->which);
        return CL_EXIT_USAGE;
    }
    if (!qa->mastery && qa->per_lesson) {
        fprintf(stderr, "chanlings quiz: --per-lesson goes with --mastery (a lesson's own "
                "quiz asks all its questions)\n");
        return CL_EXIT_USAGE;
    }
    return 0;
}

static uint64_t fresh_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_sec * 1000000007ull) ^ (uint64_t)ts.tv_nsec ^
           ((uint64_t)getpid() << 32);
}

static void source_free(quiz_source *src)
{
    free(src->relpath);
    cl_lesson_free(&src->lesson);
    cl_quiz_free(&src->quiz);
    memset(src, 0, sizeof *src);
}

/* Loads the lesson of catalog entry `index` and parses its quiz.  Returns
 * 0; 1 when the lesson has no quiz; -1 with err (`path:LINE: ...`). */
static int source_load(cl_ctx *ctx, int index, quiz_source *src, char *err, size_t errsz)
{
    memset(src, 0, sizeof *src);
    src->index = index;
    src->relpath = cl_workbook_relpath(ctx->catalog->items[index].slug, CL_FILE_LESSON);
    if (!src->relpath) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    if (cl_cmd_lesson_of(ctx, index, &src->lesson, err, errsz))
        return -1;
    if (!src->lesson.quiz)
        return 1;
    return cl_quiz_parse(src->lesson.quiz, src->relpath, src->lesson.quiz_line, &src->quiz,
                         err, errsz);
}

/* Text is filled to the terminal (a readable 100 columns at most). */
static size_t text_width(void)
{
    struct winsize ws;
    long w = 0;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        w = ws.ws_col;
    else if (getenv("COLUMNS"))
        w = strtol(getenv("COLUMNS"), NULL, 10);
    if (w <= 0)
        w = 80;
    return (size_t)(w < 40 ? 40 : w > 100 ? 100 : w);
}

static cl_quiz_session session_for(cl_ctx *ctx, const quiz_args *qa)
{
    return (cl_quiz_session){
        .width = text_width(),
        .out = stdout,
        .ctx = ctx,
        .answers = qa->answers,
        .in = qa->answers ? NULL : stdin,
        .prompt = !qa->answers && ctx->tty,
    };
}

/* The line under a quiz's title; a script's transcript also names the
 * seed, so the same run can be repeated. */
static void how_to_answer(const cl_quiz_session *s, uint64_t seed)
{
    printf("Answer with the letter of your choice, or all the letters when several "
           "are right (\"ac\").%s\n", s->prompt ? " \"quit\" stops." : "");
    if (!s->prompt)
        printf("Shuffled with --seed %llu.\n", (unsigned long long)seed);
}

/* Round 1 has ended one way or another: says so when it did not finish. */
static int stopped(cl_quiz_outcome how, const cl_quiz_attempt *a)
{
    if (how == CL_QUIZ_ROUND_DONE)
        return 0;
    fprintf(stderr, "chanlings quiz: stopped at question %zu of %zu, so no score was "
            "recorded; %s\n", cl_quiz_attempt_number(a), cl_quiz_attempt_round_size(a),
            how == CL_QUIZ_BAD_ANSWER ? "fix that answer in the list and run it again"
                                      : "run the quiz again to finish it");
    return how == CL_QUIZ_BAD_ANSWER ? CL_EXIT_USAGE : CL_EXIT_FAIL;
}

/* Retries until the learner declines or nothing is missed. */
static void retry_rounds(cl_quiz_session *s, cl_quiz_attempt *a)
{
    while (cl_quiz_session_offer_retry(s, a)) {
        if (cl_quiz_session_round(s, a) != CL_QUIZ_ROUND_DONE)
            return;
        cl_quiz_session_score(s, a);
    }
}

static int lesson_quiz(cl_ctx *ctx, const quiz_args *qa)
{
    int index = cl_cmd_pick(ctx, qa->which);
    if (index < 0)
        return ctx->catalog->n ? CL_EXIT_USAGE : CL_EXIT_WORKBOOK;
    const cl_exercise *ex = &ctx->catalog->items[index];
    char err[1024];
    quiz_source src;
    int rc = source_load(ctx, index, &src, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "%s\nchanlings quiz: fix the lesson above (`chanlings verify` "
                "checks every lesson)\n", err);
        source_free(&src);
        return CL_EXIT_WORKBOOK;
    }
    if (rc > 0) {
        fprintf(stderr, "chanlings quiz: %s has no \"## Quiz\" section yet; try "
                "`chanlings quiz --mastery` for questions from every lesson\n",
                src.relpath);
        source_free(&src);
        return CL_EXIT_FAIL;
    }

    uint64_t seed = qa->seeded ? qa->seed : fresh_seed();
    cl_quiz_attempt a;
    cl_quiz_attempt_init(&a, seed);
    for (size_t i = 0; i < src.quiz.nquestions; i++)
        if (cl_quiz_attempt_add(&a, &src.quiz.questions[i], 0))
            rc = -1;
    if (rc || cl_quiz_attempt_start(&a)) {
        fprintf(stderr, "chanlings quiz: out of memory\n");
        cl_quiz_attempt_free(&a);
        source_free(&src);
        return CL_EXIT_INTERNAL;
    }
    const char *paths[] = { src.relpath };
    cl_quiz_session s = session_for(ctx, qa);
    s.tag_paths = paths;
    printf("%sQuiz %02d: %s%s (%s), %zu question%s.\n", cl_c(ctx, CL_C_BOLD),
           ex->number, src.lesson.title ? src.lesson.title : ex->title,
           cl_c(ctx, CL_C_RESET), src.relpath, src.quiz.nquestions,
           src.quiz.nquestions == 1 ? "" : "s");
    how_to_answer(&s, seed);

    rc = stopped(cl_quiz_session_round(&s, &a), &a);
    if (rc == 0) {
        cl_quiz_session_score(&s, &a);
        cl_quiz_score sc = cl_quiz_attempt_score(&a);
        int best, last, total;
        if (cl_progress_record_quiz(ctx->progress, ex->slug, (int)sc.first_correct,
                                    (int)sc.first_total) != 0)
            fprintf(stderr, "chanlings quiz: could not save the score in "
                    ".chanlings/state; check that the workbook directory is "
                    "writable\n");
        else if (cl_progress_quiz(ctx->progress, ex->slug, &best, &last, &total, NULL))
            printf("Saved. Your best on this quiz: %d of %d.\n", best, total);
        if (sc.missed)
            printf("Next: reread what the missed questions are about (`chanlings "
                   "lesson %d`), then take the quiz again.\n", ex->number);
        else
            printf("Next: `chanlings quiz --mastery` mixes questions from every "
                   "lesson.\n");
        retry_rounds(&s, &a);
    }
    cl_quiz_attempt_free(&a);
    source_free(&src);
    return rc;
}

/* Per lesson, how the mastery check went and what to revisit, then the
 * record kept. */
static void mastery_report(cl_ctx *ctx, const cl_quiz_session *s, cl_mastery *m)
{
    size_t weak = cl_mastery_tally(m);
    printf("\nBy lesson:\n");
    for (size_t k = 0; k < m->nlessons; k++) {
        char line[1024];
        cl_mastery_line(m, k, line, sizeof line);
        if (*line)
            cl_quiz_session_para(s, "  ", "     ", line, strlen(line));
    }
    const cl_progress_mastery *rec = cl_progress_mastery_of(ctx->progress);
    if (cl_mastery_record(m, ctx) != 0)
        fprintf(stderr, "chanlings quiz: could not save the mastery score in "
                ".chanlings/state; check that the workbook directory is writable\n");
    else
        printf("Saved. Your best mastery check: %d of %d (%d taken).\n", rec->best,
               rec->best_total, rec->attempts);
    if (weak)
        printf("Next: reread the lessons to revisit (`chanlings lesson N`) and take "
               "their quizzes again (`chanlings quiz N`).\n");
    else
        printf("Every lesson holds up. The next mastery check asks other questions.\n");
}

static int mastery_quiz(cl_ctx *ctx, const quiz_args *qa)
{
    uint64_t seed = qa->seeded ? qa->seed : fresh_seed();
    char err[1024];
    cl_mastery m;
    int rc = cl_mastery_start(&m, ctx, qa->per_lesson, seed, err, sizeof err);
    if (m.skipped.s)
        fprintf(stderr, "%schanlings quiz: the mastery check leaves the lessons above out "
                "until they are fixed (`chanlings verify` checks every lesson)\n",
                m.skipped.s);
    if (rc) {
        fprintf(stderr, "chanlings quiz: %s\n", err);
        rc = m.nlessons ? CL_EXIT_INTERNAL : CL_EXIT_FAIL;
        cl_mastery_free(&m);
        return rc;
    }
    cl_quiz_session s = session_for(ctx, qa);
    s.tag_paths = m.paths;
    printf("%sMastery check %d:%s %zu question%s, up to %zu from each of the %zu lesson%s "
           "with a quiz (%02d to %02d).\n", cl_c(ctx, CL_C_BOLD), m.turn + 1,
           cl_c(ctx, CL_C_RESET), m.attempt.nitems, m.attempt.nitems == 1 ? "" : "s",
           m.per_lesson, m.nlessons, m.nlessons == 1 ? "" : "s", m.lessons[0].number,
           m.lessons[m.nlessons - 1].number);
    how_to_answer(&s, seed);
    rc = stopped(cl_quiz_session_round(&s, &m.attempt), &m.attempt);
    if (!rc) {
        cl_quiz_session_score(&s, &m.attempt);
        mastery_report(ctx, &s, &m);
        retry_rounds(&s, &m.attempt);
    }
    cl_mastery_free(&m);
    return rc;
}

int cl_cmd_quiz(cl_ctx *ctx, int argc, char **argv)
{
    quiz_args qa;
    int rc = parse_args(argc, argv, &qa);
    if (rc)
        return rc < 0 ? CL_EXIT_OK : rc;
    return qa.mastery ? mastery_quiz(ctx, &qa) : lesson_quiz(ctx, &qa);
}
