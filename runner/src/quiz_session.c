/* chanlings — asking a quiz on a text stream (see quiz_session.h). */
#include "quiz_session.h"

#include "cmd.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define ST(x) cl_c(s->ctx, CL_C_##x)

/* Display columns of n bytes of UTF-8 (continuation bytes take none). */
static size_t cols(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

void cl_quiz_session_para(const cl_quiz_session *s, const char *first, const char *indent,
                          const char *text, size_t n)
{
    size_t width = s->width ? s->width : 80, col = 0;
    const char *p = text, *end = text + n;
    fputs(first, s->out);
    col = cols(first, strlen(first));
    size_t start_col = col;
    while (p < end) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (p < end && !isspace((unsigned char)*p))
            p++;
        if (p == w)
            break;
        size_t wc = cols(w, (size_t)(p - w));
        if (col > start_col && col + 1 + wc > width) {
            fprintf(s->out, "\n%s", indent);
            col = start_col = cols(indent, strlen(indent));
        } else if (col > start_col) {
            fputc(' ', s->out);
            col++;
        }
        fwrite(w, 1, (size_t)(p - w), s->out);
        col += wc;
    }
    fputc('\n', s->out);
}

/* Markdown as the author wrote it, behind `indent`: paragraphs re-filled
 * to the width, code (indented or fenced) kept line for line. */
static void put_text(const cl_quiz_session *s, const char *indent, const char *text)
{
    char para[4096];
    size_t pn = 0;
    bool fence = false;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool is_fence = strncmp(p, "```", 3) == 0 || strncmp(p, "~~~", 3) == 0;
        bool code = fence || is_fence || *p == '\t' || strncmp(p, "    ", 4) == 0;
        bool blank = !code && strspn(p, " \t") >= n;
        if (pn && (code || blank || pn + n + 2 > sizeof para)) {
            cl_quiz_session_para(s, indent, indent, para, pn);
            pn = 0;
        }
        fence ^= is_fence;
        if (code) {
            fprintf(s->out, "%s%.*s\n", indent, (int)n, p);
        } else if (blank) {
            fputc('\n', s->out);
        } else if (n < sizeof para) {
            if (pn)
                para[pn++] = ' ';
            memcpy(para + pn, p, n);
            pn += n;
        }
        p += n + (e != NULL);
    }
    if (pn)
        cl_quiz_session_para(s, indent, indent, para, pn);
}

static void trim(char *buf)
{
    size_t n = strlen(buf);
    while (n && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    size_t k = 0;
    while (buf[k] && isspace((unsigned char)buf[k]))
        k++;
    memmove(buf, buf + k, n - k + 1);
}

bool cl_quiz_session_read(cl_quiz_session *s, const char *ask, char *buf, size_t sz)
{
    if (s->answers) {
        if (!*s->answers)
            return false;
        const char *comma = strchr(s->answers, ',');
        size_t n = comma ? (size_t)(comma - s->answers) : strlen(s->answers);
        snprintf(buf, sz, "%.*s", (int)(n < sz ? n : sz - 1), s->answers);
        s->answers += n + (comma != NULL);
        if (!comma && !*s->answers)
            s->answers = "";
    } else {
        if (s->prompt) {
            fprintf(s->out, "%s", ask);
            fflush(s->out);
        }
        if (!s->in || !fgets(buf, (int)sz, s->in)) {
            if (s->prompt)
                fputc('\n', s->out);
            return false;
        }
        if (!strchr(buf, '\n')) {  /* drop the rest of an overlong line */
            int c;
            while ((c = fgetc(s->in)) != EOF && c != '\n')
                ;
        }
    }
    trim(buf);
    if (!s->prompt)
        fprintf(s->out, "%s%s\n", ask, buf);
    return true;
}

/* "b", "a and c", "a, b and d". */
static void letters_list(uint32_t mask, char *out, size_t sz)
{
    char l[CL_QUIZ_MAX_OPTIONS + 1];
    cl_quiz_letters(mask, l);
    size_t n = strlen(l), k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k + 8 < sz; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
        k += (size_t)snprintf(out + k, sz - k, "%s%c", sep, l[i]);
    }
}

/* "  c) text (note)", wrapped under its text. */
static void put_option(const cl_quiz_session *s, size_t letter, const char *text,
                       const char *note)
{
    char first[8], line[1024];
    snprintf(first, sizeof first, "  %c) ", (char)('a' + letter));
    int n = snprintf(line, sizeof line, note ? "%s (%s)" : "%s", text, note);
    cl_quiz_session_para(s, first, "     ", line, n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n
                                                                        : sizeof line - 1);
}

static void show_question(cl_quiz_session *s, const cl_quiz_attempt *a,
                          const cl_quiz_item *it)
{
    const cl_quiz_question *q = it->question;
    FILE *out = s->out;
    fprintf(out, "\n%s%s %zu of %zu%s%s\n", ST(BOLD),
            a->round_no > 1 ? "Retry" : "Question", cl_quiz_attempt_number(a),
            cl_quiz_attempt_round_size(a), q->ncorrect > 1 ? " (several answers)" : "",
            ST(RESET));
    fputs(ST(BOLD), out);
    cl_quiz_session_para(s, "", "", q->text, strlen(q->text));
    fputs(ST(RESET), out);
    if (q->prompt) {
        put_text(s, "  ", q->prompt);
        fputc('\n', out);
    }
    for (size_t i = 0; i < cl_quiz_item_noptions(it); i++)
        put_option(s, i, cl_quiz_item_option(it, i)->text, NULL);
}

static void show_feedback(cl_quiz_session *s, const cl_quiz_item *it,
                          const cl_quiz_feedback *fb)
{
    FILE *out = s->out;
    char right[96], chosen[96];
    letters_list(fb->right, right, sizeof right);
    letters_list(fb->chosen, chosen, sizeof chosen);
    if (fb->correct)
        fprintf(out, "%sRight.%s\n", ST(GREEN), ST(RESET));
    else
        fprintf(out, "%sNot quite:%s the answer%s %s (you answered %s).\n",
                ST(RED), ST(RESET), strchr(right, ' ') ? "s are" : " is",
                right, chosen);
    for (size_t i = 0; i < cl_quiz_item_noptions(it); i++) {
        if (!fb->option_explain[i])
            continue;
        bool picked = fb->chosen & (1u << i);
        put_option(s, i, cl_quiz_item_option(it, i)->text,
                   picked ? "you picked it, but it is wrong"
                          : "it is right, and you left it out");
        put_text(s, "     ", fb->option_explain[i]);
    }
    if (fb->explanation)
        put_text(s, "  ", fb->explanation);
}

cl_quiz_outcome cl_quiz_session_round(cl_quiz_session *s, cl_quiz_attempt *a)
{
    const cl_quiz_item *it;
    while ((it = cl_quiz_attempt_current(a))) {
        show_question(s, a, it);
        char buf[256], err[256];
        cl_quiz_feedback fb;
        for (;;) {
            if (!cl_quiz_session_read(s, "Your answer: ", buf, sizeof buf))
                return CL_QUIZ_STOPPED;
            if (s->prompt && strcasecmp(buf, "quit") == 0)
                return CL_QUIZ_STOPPED;
            if (cl_quiz_attempt_answer(a, buf, &fb, err, sizeof err) == 0)
                break;
            if (s->prompt) {
                fprintf(s->out, "%s (or \"quit\" to stop)\n", err);
                continue;
            }
            fprintf(s->out, "answer \"%s\" to question %zu of %zu: %s\n", buf,
                    cl_quiz_attempt_number(a), cl_quiz_attempt_round_size(a), err);
            return CL_QUIZ_BAD_ANSWER;
        }
        show_feedback(s, it, &fb);
    }
    return CL_QUIZ_ROUND_DONE;
}

void cl_quiz_session_score(cl_quiz_session *s, const cl_quiz_attempt *a)
{
    cl_quiz_score sc = cl_quiz_attempt_score(a);
    fprintf(s->out, "\n%s%s: %zu of %zu (%zu%%)%s\n", ST(BOLD),
            a->round_no > 1 ? "Retry score" : "Score", sc.correct, sc.total,
            sc.total ? (sc.correct * 200 + sc.total) / (2 * sc.total) : 0, ST(RESET));
    if (!sc.missed)
        return;
    fprintf(s->out, "Missed:\n");
    for (size_t i = 0; i < a->nround; i++) {
        const cl_quiz_item *it = &a->items[a->round[i]];
        if (!it->answered || it->correct)
            continue;
        /* Which lesson covers it, not the file and line: the raw lesson
         * file holds the answers. */
        char first[32], line[1024], lesson[256] = "";
        snprintf(first, sizeof first, "  %zu. ", i + 1);
        if (s->tag_paths) {
            const char *path = s->tag_paths[it->tag], *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            snprintf(lesson, sizeof lesson, " (lesson %.*s)", (int)strcspn(base, "."), base);
        }
        int n = snprintf(line, sizeof line, "%s%s", it->question->text, lesson);
        cl_quiz_session_para(s, first, "     ", line, n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n
                                                                            : sizeof line - 1);
    }
}

bool cl_quiz_session_offer_retry(cl_quiz_session *s, cl_quiz_attempt *a)
{
    size_t missed = cl_quiz_attempt_score(a).missed;
    if (!missed)
        return false;
    char ask[96], buf[64];
    snprintf(ask, sizeof ask, "Retry the %zu missed question%s? [y/N] ", missed,
             missed == 1 ? "" : "s");
    if (!cl_quiz_session_read(s, ask, buf, sizeof buf))
        return false;
    if (strcasecmp(buf, "y") != 0 && strcasecmp(buf, "yes") != 0)
        return false;
    return cl_quiz_attempt_retry(a) > 0;
}
