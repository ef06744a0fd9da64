#include "tui_syntax.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct cl_syntax_lang {
    const char *const *aliases;
    const char *const *keywords;
    const char *const *types;
    int has_preproc;   /* '#' at line start begins a directive (C) */
    int has_raw_quote; /* `raw strings` (Go) */
};

static const char *const c_aliases[] = {"c", "h", "c11", "C", NULL};
static const char *const c_keywords[] = {
    "auto", "break", "case", "const", "continue", "default", "do", "else",
    "enum", "extern", "for", "goto", "if", "inline", "register", "restrict",
    "return", "sizeof", "static", "struct", "switch", "typedef", "union",
    "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Generic",
    "_Noreturn", "_Static_assert", "_Thread_local", "NULL", "true", "false",
    NULL};
static const char *const c_types[] = {
    "void", "char", "short", "int", "long", "float", "double", "signed",
    "unsigned", "bool", "_Bool", "FILE", NULL};

static const char *const go_aliases[] = {"go", "golang", NULL};
static const char *const go_keywords[] = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else",
    "fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
    "map", "package", "range", "return", "select", "struct", "switch", "type",
    "var", "nil", "true", "false", "iota", NULL};
static const char *const go_types[] = {
    "bool", "byte", "error", "float32", "float64", "int", "int8", "int16",
    "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32",
    "uint64", "uintptr", "any", NULL};

static const cl_syntax_lang langs[] = {
    {c_aliases, c_keywords, c_types, 1, 0},
    {go_aliases, go_keywords, go_types, 0, 1},
};

static int in_list(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, s, n) == 0)
            return 1;
    return 0;
}

const cl_syntax_lang *cl_syntax_for_info(const char *info)
{
    if (!info)
        return NULL;
    size_t n = strcspn(info, " \t{");
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        for (const char *const *a = langs[i].aliases; *a; a++)
            if (strlen(*a) == n && strncasecmp(*a, info, n) == 0)
                return &langs[i];
    return NULL;
}

/* One lexer per token shape; each returns how many bytes it matched at
 * s[i] (0: not mine).  They are tried in table order. */
typedef struct {
    const cl_syntax_lang *lang;
    const char *s;
    size_t len;
    size_t i;
    int *in_comment;
} lexer_at;

typedef size_t (*lex_fn)(const lexer_at *at, cl_tok_kind *kind);

static size_t lex_block_comment_rest(const char *s, size_t from, size_t len, int *open)
{
    for (size_t j = from; j + 1 < len; j++)
        if (s[j] == '*' && s[j + 1] == '/') {
            *open = 0;
            return j + 2;
        }
    *open = 1;
    return len;
}

static size_t lex_comment(const lexer_at *at, cl_tok_kind *kind)
{
    const char *s = at->s + at->i;
    size_t rest = at->len - at->i;
    *kind = CL_TOK_COMMENT;
    if (rest >= 2 && s[0] == '/' && s[1] == '/')
        return rest;
    if (rest >= 2 && s[0] == '/' && s[1] == '*')
        return lex_block_comment_rest(at->s, at->i + 2, at->len, at->in_comment) - at->i;
    return 0;
}

static size_t lex_quoted(const lexer_at *at, cl_tok_kind *kind)
{
    char q = at->s[at->i];
    if (q != '"' && q != '\'' && !(q == '`' && at->lang->has_raw_quote))
        return 0;
    *kind = CL_TOK_STRING;
    size_t j = at->i + 1;
    while (j < at->len && at->s[j] != q) {
        if (at->s[j] == '\\' && q != '`' && j + 1 < at->len)
            j++;
        j++;
    }
    return (j < at->len ? j + 1 : j) - at->i;
}

static size_t lex_number(const lexer_at *at, cl_tok_kind *kind)
{
    const char *s = at->s;
    size_t i = at->i;
    int starts = isdigit((unsigned char)s[i]) ||
                 (s[i] == '.' && i + 1 < at->len && isdigit((unsigned char)s[i + 1]));
    if (!starts || (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')))
        return 0;
    *kind = CL_TOK_NUMBER;
    size_t j = i;
    while (j < at->len && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_'))
        j++;
    return j - i;
}

static size_t lex_word(const lexer_at *at, cl_tok_kind *kind)
{
    const char *s = at->s;
    size_t i = at->i, j = i;
    if (!(isalpha((unsigned char)s[i]) || s[i] == '_'))
        return 0;
    while (j < at->len && (isalnum((unsigned char)s[j]) || s[j] == '_'))
        j++;
    size_t n = j - i;
    if (in_list(at->lang->keywords, s + i, n))
        *kind = CL_TOK_KEYWORD;
    else if (in_list(at->lang->types, s + i, n) ||
             (n > 2 && s[j - 2] == '_' && s[j - 1] == 't'))
        *kind = CL_TOK_TYPE; /* size_t, goc_chan_t, pthread_t ... */
    else
        *kind = CL_TOK_PLAIN;
    return n;
}

static const lex_fn lexers[] = {lex_comment, lex_quoted, lex_number, lex_word};

void cl_syntax_line(const cl_syntax_lang *lang, const char *line, size_t len,
                    int *in_comment, cl_syntax_emit emit, void *user)
{
    size_t i = 0;
    if (*in_comment) {
        i = lex_block_comment_rest(line, 0, len, in_comment);
        emit(user, 0, i, CL_TOK_COMMENT);
    }
    if (lang->has_preproc && i < len) {
        size_t k = i;
        while (k < len && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k < len && line[k] == '#') {
            /* The directive is one token, but a trailing comment keeps its colour. */
            size_t end = k;
            while (end < len && !(end + 1 < len && line[end] == '/' &&
                                  (line[end + 1] == '/' || line[end + 1] == '*')))
                end++;
            emit(user, i, end - i, CL_TOK_PREPROC);
            i = end;
        }
    }
    size_t plain = i;
    while (i < len) {
        lexer_at at = {lang, line, len, i, in_comment};
        size_t n = 0;
        cl_tok_kind kind = CL_TOK_PLAIN;
        for (size_t k = 0; k < sizeof lexers / sizeof lexers[0] && !n; k++)
            n = lexers[k](&at, &kind);
        if (!n || kind == CL_TOK_PLAIN) {
            i += n ? n : 1;
            continue;
        }
        if (plain < i)
            emit(user, plain, i - plain, CL_TOK_PLAIN);
        emit(user, i, n, kind);
        i += n;
        plain = i;
    }
    if (plain < len)
        emit(user, plain, len - plain, CL_TOK_PLAIN);
}
