/* chanlings — lesson files: front matter, body, hints, raw quiz.
 *
 * Parsing is line by line over a private copy of the text; section
 * headings inside fenced code blocks are text, not structure, so a lesson
 * may show a Markdown sample that contains `## Hints`. */
#include "lesson.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "wraps.h"

typedef struct {
    char *text;     /* owned copy, split in place */
    char **lines;
    size_t n;
} lines_t;

static int split_lines(lines_t *L, const char *text)
{
    memset(L, 0, sizeof *L);
    L->text = strdup(text);
    if (!L->text)
        return -1;
    size_t cap = 64;
    L->lines = malloc(cap * sizeof *L->lines);
    if (!L->lines)
        return -1;
    char *p = L->text;
    while (*p) {
        if (L->n == cap) {
            char **nl = realloc(L->lines, 2 * cap * sizeof *nl);
            if (!nl)
                return -1;
            L->lines = nl;
            cap *= 2;
        }
        L->lines[L->n++] = p;
        char *nlc = strchr(p, '\n');
        if (!nlc)
            break;
        *nlc = '\0';
        if (nlc > p && nlc[-1] == '\r')
            nlc[-1] = '\0';
        p = nlc + 1;
    }
    return 0;
}

static void free_lines(lines_t *L)
{
    free(L->text);
    free(L->lines);
}

static int fail(char *err, size_t errsz, const char *path, size_t line, const char *fmt, ...)
{
    int off = snprintf(err, errsz, "%s:%zu: ", path, line);
    if (off < 0 || (size_t)off >= errsz)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + off, errsz - (size_t)off, fmt, ap);
    va_end(ap);
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int parse_int(const char *v, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x <= 0 || x > 100000)
        return -1;
    *out = (int)x;
    return 0;
}

static bool is_blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

static bool is_fence(const char *s)
{
    int sp = 0;
    while (*s == ' ' && sp < 4)
        s++, sp++;
    return sp < 4 && (strncmp(s, "```", 3) == 0 || strncmp(s, "~~~", 3) == 0);
}

static bool is_heading(const char *s, const char *name)
{
    if (strncmp(s, "## ", 3) != 0)
        return false;
    s += 3;
    size_t n = strlen(name);
    if (strncmp(s, name, n) != 0)
        return false;
    for (s += n; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* ---- front matter ---- */

typedef int (*fm_setter)(cl_lesson *l, char *value);

static int set_string(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : -1;
}
static int fm_title(cl_lesson *l, char *v) { return *v ? set_string(&l->title, v) : -1; }
static int fm_concepts(cl_lesson *l, char *v) { return *v ? set_string(&l->concepts, v) : -1; }
static int fm_minutes(cl_lesson *l, char *v) { return parse_int(v, &l->minutes); }
static int fm_timeout(cl_lesson *l, char *v) { return parse_int(v, &l->timeout); }
static int fm_difficulty(cl_lesson *l, char *v)
{
    static const char *const ok[] = {"beginner", "intermediate", "advanced"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strcmp(v, ok[i]) == 0)
            return set_string(&l->difficulty, v);
    return -1;
}
static int parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = v[0] == 't';
        return 0;
    }
    return -1;
}
static int fm_race(cl_lesson *l, char *v) { return parse_bool(v, &l->race); }
static int fm_asan(cl_lesson *l, char *v) { return parse_bool(v, &l->asan); }

/* libgoc's functions and a few watchable C library ones (wraps.h says
 * which and why); the grader link gets
 * one -Wl,--wrap= per name.  Stored with one blank between names. */
static int fm_wrap(cl_lesson *l, char *v)
{
    char norm[CL_WRAP_MAX];
    size_t n = 0;
    for (char *p = v; *p;) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, " \t");
        if (!len)
            break;
        if (!cl_wrap_allowed(p, len) || n + len + 2 > sizeof norm)
            return -1;
        n += (size_t)snprintf(norm + n, sizeof norm - n, "%s%.*s", n ? " " : "", (int)len, p);
        p += len;
    }
    return n ? set_string(&l->wrap, norm) : -1;
}

static const struct {
    const char *key;
    fm_setter set;
    bool required;
    const char *expect;
} fm_keys[] = {
    {"title", fm_title, true, "a non-empty title"},
    {"difficulty", fm_difficulty, true, "beginner, intermediate or advanced"},
    {"minutes", fm_minutes, true, "a whole number of minutes, e.g. 45"},
    {"concepts", fm_concepts, true, "a comma-separated list of concepts"},
    {"race", fm_race, false, "true or false"},
    {"asan", fm_asan, false, "true or false"},
    {"wrap", fm_wrap, false, "libgoc function names starting goc_, or the C library's "
                             "sleeps and stdout writers (sleep, printf, fputs...), separated "
                             "by blanks; no other C library function"},
    {"timeout", fm_timeout, false, "a whole number of seconds, e.g. 10"},
};
#define FM_NKEYS (sizeof fm_keys / sizeof *fm_keys)

/* Parses the front matter; returns the index of the first line after the
 * closing `---`, or -1 with err. */
static long parse_front(cl_lesson *l, lines_t *L, const char *path, char *err, size_t errsz)
{
    if (L->n == 0 || strcmp(trim(L->lines[0]), "---") != 0)
        return fail(err, errsz, path, 1, "the lesson must start with front matter: a line `---`, "
                    "`key: value` lines (title, difficulty, minutes, concepts), then `---`");
    bool seen[FM_NKEYS] = {0};
    size_t i;
    for (i = 1; i < L->n; i++) {
        char *line = L->lines[i];
        if (strcmp(trim(line), "---") == 0)
            break;
        char *t = trim(line);
        if (!*t || *t == '#')
            continue;
        char *colon = strchr(t, ':');
        if (!colon)
            return fail(err, errsz, path, i + 1, "front matter line is not `key: value`: \"%s\"", t);
        *colon = '\0';
        char *key = trim(t), *val = colon + 1;
        char *hash = strstr(val, " #");
        if (hash)
            *hash = '\0';
        val = trim(val);
        size_t k;
        for (k = 0; k < FM_NKEYS; k++)
            if (strcmp(key, fm_keys[k].key) == 0)
                break;
        if (k == FM_NKEYS) {
            char known[256];
            size_t kn = 0;
            for (size_t j = 0; j < FM_NKEYS && kn < sizeof known; j++)
                kn += (size_t)snprintf(known + kn, sizeof known - kn, "%s%s", j ? ", " : "",
                                       fm_keys[j].key);
            return fail(err, errsz, path, i + 1, "unknown front matter key \"%s\"; known keys: %s",
                        key, known);
        }
        if (seen[k])
            return fail(err, errsz, path, i + 1, "\"%s\" is given twice", key);
        seen[k] = true;
        if (fm_keys[k].set(l, val) != 0)
            return fail(err, errsz, path, i + 1, "%s: \"%s\" is not valid; expected %s", key, val,
                        fm_keys[k].expect);
    }
    if (i == L->n)
        return fail(err, errsz, path, 1, "front matter is not closed: add a line `---` after the "
                    "`key: value` lines");
    for (size_t k = 0; k < FM_NKEYS; k++)
        if (fm_keys[k].required && !seen[k])
            return fail(err, errsz, path, i + 1, "front matter lacks \"%s\" (%s)", fm_keys[k].key,
                        fm_keys[k].expect);
    return (long)i + 1;
}

/* ---- sections ---- */

static char *join_lines(lines_t *L, size_t from, size_t to, size_t strip)
{
    while (to > from && is_blank(L->lines[to - 1]))
        to--;
    size_t n = 1;
    for (size_t i = from; i < to; i++)
        n += strlen(L->lines[i]) + 1;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    for (size_t i = from; i < to; i++) {
        const char *line = L->lines[i];
        size_t k = 0;
        while (k < strip && line[k] == ' ')
            k++;
        size_t len = strlen(line + k);
        memcpy(p, line + k, len);
        p += len;
        *p++ = '\n';
    }
    *p = '\0';
    return s;
}

/* A hint item starts "N. "; returns the offset of its text or 0. */
static size_t item_start(const char *s, long *num)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return 0;
    long n = 0;
    while (isdigit((unsigned char)*p) && n < 1000)
        n = n * 10 + (*p++ - '0');
    if (p[0] != '.' || p[1] != ' ')
        return 0;
    *num = n;
    return (size_t)(p + 2 - s);
}

static int parse_hints(cl_lesson *l, lines_t *L, size_t from, size_t to, const char *path,
                       char *err, size_t errsz)
{
    size_t cap = 0;
    long cur_start = -1; /* line where the current item started */
    for (size_t i = from; i <= to; i++) {
        long num = 0;
        size_t off = i < to ? item_start(L->lines[i], &num) : 0;
        bool ends = i == to || off;
        if (ends && cur_start >= 0) {
            /* the item's first line keeps its text only; the rest lose
             * the three-space indent */
            char *first = L->lines[cur_start];
            long dummy;
            size_t o = item_start(first, &dummy);
            char *rest = join_lines(L, (size_t)cur_start + 1, i, 3);
            if (!rest)
                return -1;
            size_t n = strlen(first + o) + strlen(rest) + 2;
            char *h = malloc(n);
            if (!h) {
                free(rest);
                return -1;
            }
            snprintf(h, n, "%s\n%s", first + o, rest);
            free(rest);
            size_t hl = strlen(h);
            while (hl && h[hl - 1] == '\n')
                h[--hl] = '\0';
            if (l->nhints == cap) {
                cap = cap ? cap * 2 : 4;
                char **nh = realloc(l->hints, cap * sizeof *nh);
                if (!nh) {
                    free(h);
                    return -1;
                }
                l->hints = nh;
            }
            l->hints[l->nhints++] = h;
            cur_start = -1;
        }
        if (i == to)
            break;
        if (off) {
            if (num != (long)l->nhints + 1)
                return fail(err, errsz, path, i + 1, "hint numbered %ld, expected %zu: number "
                            "hints 1., 2., 3. in order", num, l->nhints + 1);
            cur_start = (long)i;
            continue;
        }
        if (is_blank(L->lines[i]))
            continue;
        if (cur_start < 0 || strncmp(L->lines[i], "   ", 3) != 0)
            return fail(err, errsz, path, i + 1, "under ## Hints every line is a numbered hint "
                        "(\"1. ...\") or its continuation indented by three spaces");
    }
    if (l->nhints == 0)
        return fail(err, errsz, path, from, "## Hints holds no hints: add \"1. ...\" lines");
    return 0;
}

int cl_lesson_parse(cl_lesson *l, const char *text, const char *path, char *err, size_t errsz)
{
    memset(l, 0, sizeof *l);
    if (err && errsz)
        err[0] = '\0';
    lines_t L;
    memset(&L, 0, sizeof L);
    if (!(l->path = strdup(path)) || split_lines(&L, text) != 0) {
        free_lines(&L);
        snprintf(err, errsz, "%s: out of memory", path);
        return -1;
    }
    int rc = -1;
    long body = parse_front(l, &L, path, err, errsz);
    if (body < 0)
        goto out;
    size_t hints = 0, quiz = 0; /* heading lines, 0: absent */
    bool fenced = false;
    for (size_t i = (size_t)body; i < L.n; i++) {
        const char *s = L.lines[i];
        if (is_fence(s))
            fenced = !fenced;
        if (fenced || quiz)
            continue;
        if (is_heading(s, "Hints")) {
            if (hints) {
                fail(err, errsz, path, i + 1, "a second ## Hints section; keep one");
                goto out;
            }
            hints = i;
        } else if (is_heading(s, "Quiz")) {
            quiz = i;
        } else if (hints && strncmp(s, "## ", 3) == 0) {
            fail(err, errsz, path, i + 1, "\"%s\" after ## Hints: only ## Quiz may follow the "
                 "hints; move this section above ## Hints", s);
            goto out;
        }
    }
    size_t body_end = hints ? hints : quiz ? quiz : L.n;
    l->body_line = (int)body + 1;
    size_t b = (size_t)body;
    while (b < body_end && is_blank(L.lines[b]))
        b++, l->body_line++;
    if (!(l->body = join_lines(&L, b, body_end, 0)))
        goto oom;
    if (hints && parse_hints(l, &L, hints + 1, quiz ? quiz : L.n, path, err, errsz) != 0) {
        if (!err[0])
            goto oom;
        goto out;
    }
    if (quiz) {
        if (!(l->quiz = join_lines(&L, quiz + 1, L.n, 0)))
            goto oom;
        l->quiz_line = (int)quiz + 2;
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, errsz, "%s: out of memory", path);
out:
    free_lines(&L);
    if (rc != 0)
        cl_lesson_free(l);
    return rc;
}

int cl_lesson_load(cl_lesson *l, const char *path, char *err, size_t errsz)
{
    memset(l, 0, sizeof *l);
    char *text = cl_read_file(path, NULL);
    if (!text) {
        snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    if (err && errsz)
        err[0] = '\0';
    int rc = cl_lesson_parse(l, text, path, err, errsz);
    free(text);
    return rc;
}

void cl_lesson_free(cl_lesson *l)
{
    free(l->path);
    free(l->title);
    free(l->difficulty);
    free(l->concepts);
    free(l->wrap);
    free(l->body);
    for (size_t i = 0; i < l->nhints; i++)
        free(l->hints[i]);
    free(l->hints);
    free(l->quiz);
    memset(l, 0, sizeof *l);
}

char *cl_lesson_title(const char *path)
{
    char *text = cl_read_file(path, NULL);
    if (!text)
        return NULL;
    char *title = NULL;
    lines_t L;
    if (split_lines(&L, text) == 0 && L.n && strcmp(trim(L.lines[0]), "---") == 0) {
        for (size_t i = 1; i < L.n && strcmp(trim(L.lines[i]), "---") != 0; i++) {
            char *t = trim(L.lines[i]);
            if (strncmp(t, "title:", 6) == 0) {
                title = strdup(trim(t + 6));
                break;
            }
        }
    }
    free_lines(&L);
    free(text);
    return title;
}
