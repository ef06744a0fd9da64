/* chanlings — the command line: one table drives dispatch and --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "progress.h"
#include "tui.h"

#define CL_VERSION "0.1.0"

typedef enum { CL_FOR_LEARNER, CL_FOR_INSTRUCTOR } cl_audience;

typedef struct cl_command {
    const char *name;
    const char *args;
    const char *help;
    cl_cmd_fn fn;
    cl_audience who;
} cl_command;

static const cl_command commands[] = {
    {"list", "", "every exercise, with your progress marks", cl_cmd_list, CL_FOR_LEARNER},
    {"lesson", "[N]", "print the lesson of exercise N (default: the current one)", cl_cmd_lesson,
     CL_FOR_LEARNER},
    {"run", "[N]", "build the exercise and run its main", cl_cmd_run, CL_FOR_LEARNER},
    {"check", "[N]", "grade the exercise (exit 0 if it passed, 1 if not)", cl_cmd_check,
     CL_FOR_LEARNER},
    {"trace", "[N] [--width W]", "run the exercise and draw its goroutines' timeline (for Perfetto too)",
     cl_cmd_trace, CL_FOR_LEARNER},
    {"hint", "[N]", "show one more hint each time", cl_cmd_hint, CL_FOR_LEARNER},
    {"quiz", "[N] [--mastery [--per-lesson K]] [--seed S] [--answers L]", "the lesson's quiz; --mastery: 2 questions from every lesson, scored per lesson", cl_cmd_quiz, CL_FOR_LEARNER},
    {"next", "", "move to the next exercise", cl_cmd_next, CL_FOR_LEARNER},
    {"prev", "", "move to the previous exercise", cl_cmd_prev, CL_FOR_LEARNER},
    {"go", "N", "move to exercise N", cl_cmd_go, CL_FOR_LEARNER},
    {"reset", "[N] [--yes]", "restore the exercise as shipped (your file is backed up first)",
     cl_cmd_reset, CL_FOR_LEARNER},
    {"solution", "[N] [--yes]", "show the reference solution (after passing, or on confirmation)",
     cl_cmd_solution, CL_FOR_LEARNER},
    {"progress", "", "what you have done: exercises, hints, quiz scores", cl_cmd_progress,
     CL_FOR_LEARNER},
    {"watch", "[N]", "re-check every time you save; n: check the next one (after a pass), q: quit (exit 0)", cl_cmd_watch, CL_FOR_LEARNER},
    {"verify", "[N...] [-j N] [--shipped]",
     "every solution passes, every exercise stub fails, lessons and quizzes parse; --shipped: "
     "the stubs as shipped (git HEAD), not anyone's edits", cl_cmd_verify,
     CL_FOR_INSTRUCTOR},
    {"new", "SLUG", "scaffold lesson, exercise, solution and grader with the next number",
     cl_cmd_new, CL_FOR_INSTRUCTOR},
    {"grade", "DIR [--format F,..] [--out DIR] [-j N]",
     "grade every submission in DIR: TAP, JUnit XML, JSON, Gradescope results.json",
     cl_cmd_grade, CL_FOR_INSTRUCTOR},
    {"autograder", "[N...] --out DIR",
     "Gradescope: DIR/autograder.zip grading exercises N... (default all)", cl_cmd_autograder,
     CL_FOR_INSTRUCTOR},
    {"classroom", "[N...] --out DIR",
     "GitHub Classroom: a workflow and autograding.json running `check N` per exercise",
     cl_cmd_classroom, CL_FOR_INSTRUCTOR},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void usage(FILE *out)
{
    fprintf(out, "chanlings %s — learn Go-style concurrency in C\n\n"
                 "usage: chanlings [COMMAND [ARGS]]\n"
                 "  With no command: the split-pane view on a terminal, else the status.\n"
                 "  N is an exercise number (3), slug (03-unbuffered-channels) or name.\n",
            CL_VERSION);
    static const char *const heads[] = {"\nLearner commands:\n", "\nInstructor commands:\n"};
    for (int who = CL_FOR_LEARNER; who <= CL_FOR_INSTRUCTOR; who++) {
        fputs(heads[who], out);
        for (size_t i = 0; i < NCOMMANDS; i++) {
            if ((int)commands[i].who != who)
                continue;
            char left[64];
            snprintf(left, sizeof left, "%s %s", commands[i].name, commands[i].args);
            fprintf(out, "  %-34s %s\n", left, commands[i].help);
        }
    }
    fprintf(out, "\nOptions: --help, --version.  Environment: CHANLINGS_ROOT (workbook "
                 "directory), NO_COLOR, CC, EDITOR.\n"
                 "Exit codes: 0 ok, 1 check (or verify, grade) failed, 2 usage, 3 workbook "
                 "broken or files missing, 4 internal error.\n");
}

static const cl_command *lookup(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                     strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return CL_EXIT_OK;
    }
    if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        printf("chanlings %s\n", CL_VERSION);
        return CL_EXIT_OK;
    }
    const cl_command *cmd = NULL;
    if (argc > 1 && !(cmd = lookup(argv[1]))) {
        fprintf(stderr, "chanlings: unknown command \"%s\"; `chanlings --help` lists the "
                "commands\n", argv[1]);
        return CL_EXIT_USAGE;
    }
    cl_ctx ctx;
    char err[1024] = "";
    cl_ctx_result opened = cl_ctx_open(&ctx, err, sizeof err);
    if (opened != CL_CTX_OK) {
        fprintf(stderr, "chanlings: %s\n", err);
        cl_ctx_close(&ctx);
        return opened == CL_CTX_BROKEN ? CL_EXIT_WORKBOOK : CL_EXIT_INTERNAL;
    }
    int rc;
    ctx.self = "/proc/self/exe";
    if (ctx.progress->warning[0])
        fprintf(stderr, "chanlings: warning: %s\n", ctx.progress->warning);
    if (!cmd || cmd->who == CL_FOR_LEARNER)
        cl_cmd_snapshot_pristine(&ctx);
    if (cmd)
        rc = cmd->fn(&ctx, argc - 1, argv + 1);
    else if (ctx.tty)
        rc = cl_tui_main(&ctx);
    else
        rc = cl_cmd_status(&ctx, 0, NULL);
    cl_ctx_close(&ctx);
    return rc;
}
