/* chanlings — what the commands share: options, picking an exercise,
 * confirmation, colours, grade options from the lesson, a thread pool. */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "catalog.h"
#include "progress.h"

const char *cl_c(const cl_ctx *ctx, cl_colour c)
{
    static const char *const esc[] = {
        [CL_C_RESET] = "\033[0m", [CL_C_BOLD] = "\033[1m",   [CL_C_DIM] = "\033[2m",
        [CL_C_GREEN] = "\033[32m", [CL_C_RED] = "\033[31m", [CL_C_YELLOW] = "\033[33m",
        [CL_C_CYAN] = "\033[36m",
    };
    return ctx->color ? esc[c] : "";
}

static int spec_find(const cl_opt_spec *spec, size_t nspec, const char *name, size_t len)
{
    for (size_t k = 0; k < nspec; k++)
        if ((strlen(spec[k].name) == len && strncmp(spec[k].name, name, len) == 0) ||
            (spec[k].alias && strlen(spec[k].alias) == len && strncmp(spec[k].alias, name, len) == 0))
            return (int)k;
    return -1;
}

int cl_args_parse(const char *cmd, int argc, char **argv, const cl_opt_spec *spec, size_t nspec,
                  int max_pos, cl_args *out)
{
    memset(out, 0, sizeof *out);
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1]) {
            char *eq = strchr(a, '=');
            size_t len = eq ? (size_t)(eq - a) : strlen(a);
            int k = spec_find(spec, nspec, a, len);
            if (k < 0 && a[1] != '-' && !eq && strlen(a) > 2) {
                /* -j4: a short option with its value attached */
                k = spec_find(spec, nspec, a, 2);
                if (k >= 0 && spec[k].takes_value) {
                    out->value[k] = a + 2;
                    continue;
                }
                k = -1;
            }
            if (k < 0) {
                fprintf(stderr, "chanlings %s: unknown option %s; see `chanlings --help`\n", cmd, a);
                return CL_EXIT_USAGE;
            }
            if (!spec[k].takes_value) {
                if (eq) {
                    fprintf(stderr, "chanlings %s: %.*s takes no value\n", cmd, (int)len, a);
                    return CL_EXIT_USAGE;
                }
                out->value[k] = "";
            } else if (eq) {
                out->value[k] = eq + 1;
            } else if (i + 1 < argc) {
                out->value[k] = argv[++i];
            } else {
                fprintf(stderr, "chanlings %s: %s needs a value (e.g. %s 4)\n", cmd, a, a);
                return CL_EXIT_USAGE;
            }
            continue;
        }
        if (out->npos >= max_pos || out->npos >= (int)(sizeof out->pos / sizeof *out->pos)) {
            fprintf(stderr, "chanlings %s: unexpected argument \"%s\"; see `chanlings --help`\n",
                    cmd, a);
            return CL_EXIT_USAGE;
        }
        out->pos[out->npos++] = a;
    }
    return 0;
}

int cl_cmd_pick(cl_ctx *ctx, const char *key)
{
    const cl_catalog *c = ctx->catalog;
    if (c->n == 0) {
        fprintf(stderr, "chanlings: %s/exercises/ holds no exercises (NN-slug.c); an instructor "
                "adds them with `chanlings new SLUG`\n", ctx->root);
        return -1;
    }
    if (!key)
        return cl_ctx_current_index(ctx);
    int i = cl_catalog_find(c, key);
    if (i < 0)
        fprintf(stderr, "chanlings: no exercise \"%s\": give its number (1-%d) or its slug; "
                "`chanlings list` shows them all\n", key, c->items[c->n - 1].number);
    return i;
}

int cl_cmd_args_exercise(cl_ctx *ctx, const char *cmd, int argc, char **argv,
                         const cl_opt_spec *spec, size_t nspec, cl_args *a)
{
    if (cl_args_parse(cmd, argc, argv, spec, nspec, 1, a))
        return -CL_EXIT_USAGE;
    int i = cl_cmd_pick(ctx, a->npos ? a->pos[0] : NULL);
    if (i < 0)
        return a->npos ? -CL_EXIT_USAGE : -CL_EXIT_WORKBOOK;
    return i;
}

bool cl_cmd_confirm(const char *question)
{
    if (!isatty(STDIN_FILENO))
        return false;
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

int cl_cmd_lesson_of(cl_ctx *ctx, int i, cl_lesson *l, char *err, size_t errsz)
{
    return cl_catalog_lesson(ctx->catalog, ctx->root, (size_t)i, l, err, errsz);
}

/* Said once per run, however many submissions are graded. */
static atomic_flag lesson_warned = ATOMIC_FLAG_INIT;

void cl_cmd_grade_opts(cl_ctx *ctx, int i, const char *source, cl_grade_opts *o)
{
    memset(o, 0, sizeof *o);
    o->root = ctx->root;
    o->source = source;
    o->slug = ctx->catalog->items[i].slug;
    cl_lesson l;
    char err[512];
    if (cl_cmd_lesson_of(ctx, i, &l, err, sizeof err) == 0) {
        o->race = l.race;
        o->asan = l.asan;
        snprintf(o->wrap, sizeof o->wrap, "%s", l.wrap ? l.wrap : "");
        o->test_timeout = l.timeout;
        cl_lesson_free(&l);
    } else if (ctx->catalog->items[i].has[CL_FILE_LESSON] &&
               !atomic_flag_test_and_set(&lesson_warned)) {
        /* Grading goes on, but without the passes the lesson asks for:
         * say so rather than pass a file the memory pass would fail.  (A
         * missing lesson is the catalog's to report.) */
        fprintf(stderr, "chanlings: %s\nchanlings: grading without the lesson's settings (race, "
                        "asan, wrap, timeout) until it is fixed.\n", err);
    }
}

/* After a pass, by where the learner reads it: [front][is the last one]. */
static const char *const after_pass[][2] = {
    [CL_FRONT_CLI] = {"Next: `chanlings next` (then `chanlings lesson`); the quiz (`chanlings "
                      "quiz`) checks what you learned.",
                      "That was the last exercise. `chanlings quiz --mastery` checks every lesson "
                      "at once; `chanlings progress` shows the whole path."},
    [CL_FRONT_VIEW] = {"Next: press > for the next exercise; z takes the quiz on what you "
                       "learned.",
                       "That was the last exercise. Press z for its quiz, m for the mastery check "
                       "across every lesson, l for the whole list."},
    [CL_FRONT_WATCH] = {"The quiz (`chanlings quiz` in another terminal) checks what you "
                        "learned.",
                        "That was the last exercise. `chanlings progress` shows the whole "
                        "path."},
};

void cl_cmd_print_after_pass(cl_ctx *ctx, int i)
{
    bool last = (size_t)i + 1 >= ctx->catalog->n;
    printf("%s\n", after_pass[ctx->front][last]);
}

void cl_cmd_print_next_step(cl_ctx *ctx, int i)
{
    const cl_exercise *e = &ctx->catalog->items[i];
    printf("Next: read the lesson (chanlings lesson), edit exercises/%s.c, then run "
           "`chanlings check`.\n", e->slug);
}

/* ---- thread pool ---- */

typedef struct {
    size_t n;
    atomic_size_t next, done;
    void (*fn)(size_t, void *);
    void *arg;
    const char *label;
    const char *(*what)(size_t, void *);
    pthread_mutex_t mu; /* serialises the progress line */
    bool show;
} pool;

static void show_line(pool *p, size_t i)
{
    if (!p->show)
        return;
    pthread_mutex_lock(&p->mu);
    /* padded rather than erased with an escape: works on any terminal */
    char line[80];
    snprintf(line, sizeof line, "%s %zu/%zu %s", p->label, atomic_load(&p->done), p->n,
             p->what ? p->what(i, p->arg) : "");
    fprintf(stderr, "\r%-79s", line);
    fflush(stderr);
    pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            break;
        show_line(p, i);
        p->fn(i, p->arg);
        atomic_fetch_add(&p->done, 1);
        show_line(p, i);
    }
    return NULL;
}

void cl_cmd_parallel(size_t n, int jobs, void (*fn)(size_t i, void *arg), void *arg,
                     const char *label, const char *(*what)(size_t i, void *arg))
{
    pool p = {.n = n, .fn = fn, .arg = arg, .label = label, .what = what,
              .show = label && isatty(STDERR_FILENO)};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    pthread_mutex_init(&p.mu, NULL);
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n)
        jobs = n ? (int)n : 1;
    pthread_t th[64];
    int started = 0;
    for (int t = 1; t < jobs && t < 64; t++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    worker(&p); /* this thread works too, so a failed create only slows us */
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    if (p.show)
        fprintf(stderr, "\r%79s\r", "");
    pthread_mutex_destroy(&p.mu);
}

int cl_cmd_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}


int cl_cmd_columns(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col < 20 ? 20 : ws.ws_col;
    const char *env = getenv("COLUMNS");
    int n = env ? atoi(env) : 0;
    return n >= 20 ? n : 80;
}
