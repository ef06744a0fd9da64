/* chanlings — parser for a lesson's `## Quiz` section (format in quiz.h).
 *
 * One pass, one line at a time, through four states; every line is either
 * accepted by the state it meets or is the error the author has to fix. */
#include "quiz.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_buf.h"

typedef enum {
    ST_TOP,     /* before the first question */
    ST_PROMPT,  /* after a heading, before its first option */
    ST_OPTIONS, /* among the options (and their explanations) */
    ST_EXPLAIN  /* in the question's explanation */
} parse_state;

typedef struct {
    const char *path;
    char *err;
    size_t errsz;
    cl_quiz *quiz;
    cl_quiz_question *q;    /* the question being read, or NULL */
    cl_buf prompt, explain, opt_explain; /* multi-line fields, built line by line */
    parse_state state;
    bool in_fence;          /* inside a ``` block of the prompt */
    bool explain_gap;       /* a blank line interrupted the explanation */
    bool nomem;
} parser;

static int fail(parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(parser *p, int line, const char *fmt, ...)
{
    if (p->err && p->errsz) {
        int n = snprintf(p->err, p->errsz, "%s:%d: ", p->path, line);
        if (n >= 0 && (size_t)n < p->errsz) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static int oom(parser *p, int line)
{
    p->nomem = true;
    return fail(p, line, "out of memory while reading the quiz");
}

static int sb_add(cl_buf *b, const char *s, size_t n)
{
    cl_buf_add(b, s, n);
    return b->oom ? -1 : 0;
}

/* Appends one line, newline-separated from what is already there. */
static int sb_line(cl_buf *b, const char *s, size_t n)
{
    if (b->len && sb_add(b, "\n", 1))
        return -1;
    return sb_add(b, s, n);
}

/* Hands the text over (NULL if empty, trailing blank lines dropped). */
static char *sb_take(cl_buf *b)
{
    while (b->len && (b->s[b->len - 1] == '\n' || b->s[b->len - 1] == ' '))
        b->s[--b->len] = '\0';
    char *s = b->len ? b->s : NULL;
    if (!s)
        free(b->s);
    *b = (cl_buf){0};
    return s;
}

static char *dup_trim(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return false;
    return true;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

static size_t indent_of(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* Strips `>` and one following space from a quote line. */
static void unquote(const char **s, size_t *n)
{
    (*s)++, (*n)--;
    if (*n && **s == ' ')
        (*s)++, (*n)--;
}

/* The option (and its explanation) being read is complete. */
static int end_option(parser *p)
{
    if (!p->q || !p->q->noptions)
        return 0;
    cl_quiz_option *o = &p->q->options[p->q->noptions - 1];
    if (!o->explain)
        o->explain = sb_take(&p->opt_explain);
    return 0;
}

/* The question being read is complete: check what only its end shows. */
static int end_question(parser *p)
{
    cl_quiz_question *q = p->q;
    if (!q)
        return 0;
    end_option(p);
    q->prompt = sb_take(&p->prompt);
    q->explanation = sb_take(&p->explain);
    p->q = NULL;
    if (q->noptions == 0)
        return fail(p, q->line, "question \"%s\" has no options; list at least two "
                    "as '- [ ] wrong answer' / '- [x] right answer' lines", q->text);
    if (q->noptions == 1)
        return fail(p, q->line, "question \"%s\" has only one option; add at least "
                    "one more '- [ ] ...' line so there is a choice", q->text);
    if (q->ncorrect == 0)
        return fail(p, q->line, "question \"%s\" has no correct option; mark the "
                    "right one(s) '- [x]'", q->text);
    if (!q->explanation)
        return fail(p, q->line, "question \"%s\" has no explanation; add a '> ...' "
                    "block after its last option saying why the answer is right",
                    q->text);
    return 0;
}

static int start_question(parser *p, int line, const char *s, size_t n)
{
    if (end_question(p))
        return -1;
    char *text = dup_trim(s + 3, n - 3);
    if (!text)
        return oom(p, line);
    while (*text && text[strlen(text) - 1] == '#')  /* closing #s are decoration */
        text[strlen(text) - 1] = '\0';
    char *t = dup_trim(text, strlen(text));
    free(text);
    if (!t)
        return oom(p, line);
    if (!*t) {
        free(t);
        return fail(p, line, "empty question: the '### ' heading needs the question's "
                    "text after it");
    }
    cl_quiz *z = p->quiz;
    cl_quiz_question *qs = realloc(z->questions, (z->nquestions + 1) * sizeof *qs);
    if (!qs) {
        free(t);
        return oom(p, line);
    }
    z->questions = qs;
    p->q = &qs[z->nquestions++];
    memset(p->q, 0, sizeof *p->q);
    p->q->text = t;
    p->q->line = line;
    p->state = ST_PROMPT;
    p->in_fence = false;
    p->explain_gap = false;
    return 0;
}

/* `- [ ] text` or `- [x] text`; anything list-like that is not exactly
 * that is the author's typo, so it is reported rather than read as text. */
static bool looks_like_option(const char *s, size_t n)
{
    return (n >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') &&
            (s[1] == ' ' || s[1] == '[' || s[1] == '\t')) ||
           (n == 1 && (s[0] == '-' || s[0] == '*' || s[0] == '+'));
}

static int add_option(parser *p, int line, const char *s, size_t n)
{
    bool correct;
    if (starts(s, n, "- [ ] ") || (n == 5 && starts(s, n, "- [ ]")))
        correct = false;
    else if (starts(s, n, "- [x] ") || starts(s, n, "- [X] ") ||
             (n == 5 && (starts(s, n, "- [x]") || starts(s, n, "- [X]"))))
        correct = true;
    else
        return fail(p, line, "this option is not '- [ ] text' (wrong) or '- [x] text' "
                    "(right): write a dash, a space, the box, a space, then the text");
    if (p->state == ST_EXPLAIN)
        return fail(p, line, "option after the explanation of question \"%s\"; "
                    "options come first, the '> ' explanation last", p->q->text);
    cl_quiz_question *q = p->q;
    if (q->noptions == CL_QUIZ_MAX_OPTIONS)
        return fail(p, line, "question \"%s\" has more than %d options (one per "
                    "letter a-z); drop some", q->text, CL_QUIZ_MAX_OPTIONS);
    char *text = dup_trim(s + 5, n - 5);
    if (!text)
        return oom(p, line);
    if (!*text) {
        free(text);
        return fail(p, line, "option has no text; write the answer after the box");
    }
    end_option(p);
    cl_quiz_option *os = realloc(q->options, (q->noptions + 1) * sizeof *os);
    if (!os) {
        free(text);
        return oom(p, line);
    }
    q->options = os;
    os[q->noptions++] = (cl_quiz_option){ .text = text, .correct = correct, .line = line };
    q->ncorrect += correct;
    p->state = ST_OPTIONS;
    return 0;
}

/* Indented text under an option: its explanation (`> `) or, otherwise, a
 * wrapped continuation of the option's own text. */
static int option_detail(parser *p, int line, const char *s, size_t n)
{
    cl_quiz_option *o = &p->q->options[p->q->noptions - 1];
    if (*s == '>') {
        unquote(&s, &n);
        return sb_line(&p->opt_explain, s, n) ? oom(p, line) : 0;
    }
    if (p->opt_explain.len)
        return fail(p, line, "text under an option's explanation must start with '> ' "
                    "too (or move it into the question's explanation)");
    size_t len = strlen(o->text);
    char *t = realloc(o->text, len + n + 2);
    if (!t)
        return oom(p, line);
    t[len] = ' ';
    memcpy(t + len + 1, s, n);
    t[len + 1 + n] = '\0';
    o->text = t;
    return 0;
}

static int one_line(parser *p, int line, const char *s, size_t n)
{
    size_t ind = indent_of(s, n);
    const char *body = s + ind;
    size_t bn = n - ind;

    if (p->in_fence || (p->state == ST_PROMPT && ind < 4 &&
                        (starts(body, bn, "```") || starts(body, bn, "~~~")))) {
        if (ind < 4 && (starts(body, bn, "```") || starts(body, bn, "~~~")))
            p->in_fence = !p->in_fence;
        return sb_line(&p->prompt, s, n) ? oom(p, line) : 0;
    }
    if (is_blank(s, n)) {
        if (p->state == ST_PROMPT && p->prompt.len)
            return sb_line(&p->prompt, "", 0) ? oom(p, line) : 0;
        if (p->state == ST_EXPLAIN)
            p->explain_gap = true;
        return 0;
    }
    if (ind == 0 && (starts(s, n, "### ") || (n == 3 && starts(s, n, "###"))))
        return start_question(p, line, s, n);
    if (ind == 0 && *s == '#')
        return fail(p, line, "unexpected heading in the quiz; each question is a "
                    "'### ' heading and the quiz runs to the end of the lesson");
    if (p->state == ST_TOP)
        return fail(p, line, "text outside a question; start each question with a "
                    "'### ' heading (or delete this line)");
    if (ind == 0 && looks_like_option(s, n))
        return add_option(p, line, s, n);
    if (ind == 0 && *s == '>') {
        if (p->state == ST_PROMPT)
            return fail(p, line, "explanation before any option in question \"%s\"; "
                        "list the '- [ ]' / '- [x]' options first", p->q->text);
        end_option(p);
        p->state = ST_EXPLAIN;
        unquote(&s, &n);
        if (p->explain_gap && sb_line(&p->explain, "", 0))
            return oom(p, line);
        p->explain_gap = false;
        return sb_line(&p->explain, s, n) ? oom(p, line) : 0;
    }
    switch (p->state) {
    case ST_PROMPT:
        return sb_line(&p->prompt, s, n) ? oom(p, line) : 0;
    case ST_OPTIONS:
        if (ind > 0)
            return option_detail(p, line, body, bn);
        return fail(p, line, "unexpected text among the options of question \"%s\"; "
                    "options are '- [ ] ' lines and the explanation a '> ' block",
                    p->q->text);
    default:
        return fail(p, line, "text after the explanation of question \"%s\"; start "
                    "it with '> ' to continue the explanation, or begin a new "
                    "question with '### '", p->q->text);
    }
}

void cl_quiz_free(cl_quiz *quiz)
{
    if (!quiz)
        return;
    for (size_t i = 0; i < quiz->nquestions; i++) {
        cl_quiz_question *q = &quiz->questions[i];
        for (size_t j = 0; j < q->noptions; j++) {
            free(q->options[j].text);
            free(q->options[j].explain);
        }
        free(q->options);
        free(q->text);
        free(q->prompt);
        free(q->explanation);
    }
    free(quiz->questions);
    quiz->questions = NULL;
    quiz->nquestions = 0;
}

int cl_quiz_parse(const char *text, const char *path, int first_line,
                  cl_quiz *out, char *err, size_t errsz)
{
    parser p = { .path = path ? path : "quiz", .err = err, .errsz = errsz,
                 .quiz = out, .state = ST_TOP };
    memset(out, 0, sizeof *out);
    if (err && errsz)
        err[0] = '\0';
    if (!text)
        text = "";
    int line = first_line;
    int rc = 0;
    const char *s = text;
    if (starts(s, strlen(s), "## ")) {    /* the caller left the heading in */
        const char *nl = strchr(s, '\n');
        s = nl ? nl + 1 : s + strlen(s);
        line++;
    }
    int section_line = line;
    while (*s && rc == 0) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t len = n;
        if (len && s[len - 1] == '\r')
            len--;
        rc = one_line(&p, line, s, len);
        s += n + (nl != NULL);
        line++;
    }
    if (rc == 0 && p.in_fence)
        rc = fail(&p, p.q->line, "question \"%s\" has a code block that is never "
                  "closed; end it with a ``` line", p.q->text);
    if (rc == 0)
        rc = end_question(&p);
    if (rc == 0 && out->nquestions == 0)
        rc = fail(&p, section_line > first_line ? first_line : section_line,
                  "the quiz has no questions; add at least one '### ' question "
                  "(or remove the '## Quiz' section)");
    free(p.prompt.s);
    free(p.explain.s);
    free(p.opt_explain.s);
    if (rc) {
        /* a question cut short still owns its collected fields */
        cl_quiz_free(out);
        return -1;
    }
    return 0;
}
