/* What the compiler and linker said, made readable (see build.h): the
 * first error first, the function the grader misses, the warnings that
 * point at bugs, and link errors of the lesson's `wrap:` contract.  Pure
 * text in, text out: build.c runs the tools, this reads them. */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_buf.h"

/* ---- diagnostics ---- */

static bool is_error_line(const char *line, size_t len)
{
    static const char *const marks[] = {": error:", ": fatal error:", "undefined reference",
                                        "undefined symbol"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        size_t ml = strlen(marks[i]);
        for (size_t j = 0; j + ml <= len; j++)
            if (memcmp(line + j, marks[i], ml) == 0)
                return true;
    }
    return false;
}

static bool is_context_line(const char *line, size_t len)
{
    static const char *const marks[] = {": In function", "In file included from",
                                        "                 from", ": in function"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        size_t ml = strlen(marks[i]);
        for (size_t j = 0; j + ml <= len; j++)
            if (memcmp(line + j, marks[i], ml) == 0)
                return true;
    }
    return false;
}

char *cl_build_first_error_first(const char *d)
{
    if (!d)
        return NULL;
    const char *block = NULL, *p = d, *ctx = NULL;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (is_context_line(p, len)) {
            if (!ctx)
                ctx = p;
        } else if (is_error_line(p, len)) {
            block = ctx ? ctx : p;
            break;
        } else if (len && p[0] != ' ') {
            ctx = NULL;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!block || block == d)
        return strdup(d);
    cl_buf b = {0};
    cl_buf_puts(&b, block);
    cl_buf_puts(&b, "\nBefore that error the compiler also said:\n");
    cl_buf_add(&b, d, (size_t)(block - d));
    return cl_buf_take(&b);
}

char *cl_build_missing_function(const char *d, const char *grader)
{
    static const struct {
        const char *lead, *stop;
    } forms[] = {
        {"undefined reference to `", "'"}, /* GNU ld */
        {"undefined symbol: ", "\n"},      /* lld */
    };
    /* The grader's whole relative path: its base name is the learner's too
     * (graders/07-select.c, exercises/07-select.c). */
    for (const char *line = d; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            char *hit = memmem(line, len, forms[f].lead, strlen(forms[f].lead));
            if (!hit)
                continue;
            const char *name = hit + strlen(forms[f].lead);
            size_t nlen = strcspn(name, forms[f].stop);
            /* GNU ld puts the caller's file:line on this line; lld on the
             * ">>> referenced by" line after it. */
            const char *where_end = nl && f == 1 ? strchr(nl + 1, '\n') : nl;
            size_t span = where_end ? (size_t)(where_end - line) : strlen(line);
            bool is_main = (nlen == strlen("chanlings_learner_main") &&
                            strncmp(name, "chanlings_learner_main", nlen) == 0) ||
                           (nlen == 4 && strncmp(name, "main", 4) == 0);
            /* Without a grader (run) only main can be missing: any other
             * name is the learner's own call of something that does not
             * exist, which the compiler's diagnostics name with its line. */
            bool from_grader = grader ? memmem(line, span, grader, strlen(grader)) ||
                                            memmem(line, span, "grader_main", 11)
                                      : is_main;
            if (!from_grader)
                continue;
            return is_main ? strdup("main") : strndup(name, nlen);
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* Warnings that point at real bugs, by the name in their [-W...] tag
 * (gcc and clang spellings).  Style warnings (unused variables and
 * parameters, which every untouched exercise has) stay out. */
static const char *const bug_warnings[] = {
    "use-after-free", "maybe-uninitialized", "uninitialized", "sometimes-uninitialized",
    "conditional-uninitialized", "format", "format-overflow", "format-truncation",
    "format-security", "format-extra-args", "format-insufficient-args", "return-local-addr",
    "return-stack-address", "free-nonheap-object", "dangling-pointer", "return-type",
    "array-bounds", "stringop-overflow", "mismatched-dealloc", "incompatible-pointer-types",
    "int-conversion", "implicit-function-declaration", "sizeof-pointer-memaccess",
    "parentheses", "sequence-point", "unsequenced", "shift-count-overflow", "div-by-zero",
    "division-by-zero", "nonnull", "dangling-else", "self-assign", "stack-address-escape",
};

static bool is_bug_warning(const char *line, size_t len)
{
    if (!memmem(line, len, ": warning: ", 11))
        return false;
    const char *tag = memmem(line, len, "[-W", 3);
    if (!tag)
        return false;
    tag += 3;
    size_t tl = strcspn(tag, "=]\n");
    for (size_t i = 0; i < sizeof bug_warnings / sizeof bug_warnings[0]; i++)
        if (strlen(bug_warnings[i]) == tl && strncmp(tag, bug_warnings[i], tl) == 0)
            return true;
    return false;
}

/* "path:12:5: warning: ..." / "path: In function ..." begin a diagnostic;
 * source excerpts and caret lines continue it. */
static bool begins_diagnostic(const char *line, size_t len)
{
    static const char *const marks[] = {": warning: ", ": note: ", ": error: ", ": In function",
                                        "In file included from", " warning generated",
                                        " warnings generated", ": At top level"};
    if (len && line[0] == ' ')
        return false;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (memmem(line, len, marks[i], strlen(marks[i])))
            return true;
    return false;
}

char *cl_build_bug_warnings(const char *d, const char *file)
{
    if (!d || !file)
        return NULL;
    cl_buf b = {0};
    size_t fl = strlen(file);
    const char *function = NULL; /* the pending "In function" line */
    size_t function_len = 0;
    bool keeping = false;
    for (const char *line = d; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        bool ours = len > fl && strncmp(line, file, fl) == 0 && line[fl] == ':';
        if (begins_diagnostic(line, len)) {
            bool note = memmem(line, len, ": note: ", 8) != NULL;
            if (memmem(line, len, ": In function", 13) || memmem(line, len, ": At top level", 14)) {
                function = ours ? line : NULL;
                function_len = len;
                keeping = false;
            } else if (!(note && keeping)) {
                keeping = ours && is_bug_warning(line, len);
                if (keeping && function) {
                    cl_buf_add(&b, function, function_len);
                    cl_buf_puts(&b, "\n");
                    function = NULL;
                }
            }
        }
        if (keeping) {
            cl_buf_add(&b, line, len);
            cl_buf_puts(&b, "\n");
        }
        line = nl ? nl + 1 : line + len;
    }
    if (b.len)
        return cl_buf_take(&b);
    free(b.s);
    return NULL;
}

/* The link failed on the `wrap:` contract between lesson and grader: the
 * grader lacks a __wrap_ the lesson asks for, or calls a __real_ the
 * lesson does not list.  The workbook's fault, said so; else NULL. */
char *cl_build_wrap_link_error(const char *d, const char *grader_rel)
{
    static const struct {
        const char *prefix, *fix;
    } forms[] = {
        {"__wrap_", "%s does not define __wrap_%.*s, which the lesson's `wrap:` line asks for: "
                    "define it there and call __real_%.*s from it (docs/authoring.md)."},
        {"__real_", "%s calls __real_%.*s, but the lesson's `wrap:` line does not list "
                    "%.*s: add it there (docs/authoring.md)."},
    };
    static const char *const leads[] = {"undefined reference to `", "undefined symbol: "};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        for (size_t l = 0; l < sizeof leads / sizeof leads[0]; l++) {
            cl_buf needle = {0};
            cl_buf_printf(&needle, "%s%s", leads[l], forms[f].prefix);
            const char *hit = strstr(d, needle.s);
            free(needle.s);
            if (!hit)
                continue;
            const char *name = strstr(hit, forms[f].prefix) + strlen(forms[f].prefix);
            int len = (int)strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
            cl_buf b = {0};
            cl_buf_printf(&b, forms[f].fix, grader_rel ? grader_rel : "the grader", len, name,
                          len, name);
            return cl_buf_take(&b);
        }
    }
    return NULL;
}
