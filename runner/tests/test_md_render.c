/* md_render: every Markdown feature the lesson pane shows, at 80 and 160
 * columns, plus wrapping, hidden sections and code colouring. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "md_render.h"
#include "check_run.h"

static const int widths[] = {80, 160};

/* The span under the first occurrence of `needle` in the document; fails
 * the test when the text is missing. */
static const cl_md_span *span_of(const cl_md_doc *d, const char *needle, int *line_out)
{
    for (int i = 0; i < d->count; i++) {
        const char *hit = strstr(d->lines[i].text, needle);
        if (!hit)
            continue;
        int off = (int)(hit - d->lines[i].text);
        for (int k = 0; k < d->lines[i].nspans; k++) {
            const cl_md_span *sp = &d->lines[i].spans[k];
            if (off >= sp->off && off < sp->off + sp->len) {
                if (line_out)
                    *line_out = i;
                return sp;
            }
        }
    }
    ck_abort_msg("text \"%s\" not found in the rendered lesson", needle);
    return NULL;
}

static int has_text(const cl_md_doc *d, const char *needle)
{
    for (int i = 0; i < d->count; i++)
        if (strstr(d->lines[i].text, needle))
            return 1;
    return 0;
}

static void render(const char *md, int width, cl_md_doc *d)
{
    ck_assert_int_eq(cl_md_render(md, width, NULL, d), 0);
}

/* Every line fits, spans tile the text exactly, cols agree with the text. */
static void assert_well_formed(const cl_md_doc *d, int width)
{
    for (int i = 0; i < d->count; i++) {
        const cl_md_line *l = &d->lines[i];
        ck_assert_msg(l->cols <= width, "line %d is %d columns wide at width %d: \"%s\"", i, l->cols,
                      width, l->text);
        ck_assert_int_eq(l->cols, cl_md_cols(l->text, (size_t)l->len));
        ck_assert_int_eq((int)strlen(l->text), l->len);
        int at = 0;
        for (int k = 0; k < l->nspans; k++) {
            ck_assert_int_eq(l->spans[k].off, at);
            ck_assert_int_gt(l->spans[k].len, 0);
            at += l->spans[k].len;
        }
        ck_assert_int_eq(at, l->len);
    }
}

START_TEST(headings)
{
    const char *md = "# Goroutines\n\nIntro.\n\n## How Go does it\n\n### Details\n";
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(md, widths[w], &d);
        assert_well_formed(&d, widths[w]);
        const cl_md_span *h1 = span_of(&d, "Goroutines", NULL);
        ck_assert_int_eq(h1->role, CL_ROLE_H1);
        ck_assert(h1->attrs & CL_ATTR_BOLD);
        ck_assert(h1->attrs & CL_ATTR_UNDERLINE);
        ck_assert_int_eq(span_of(&d, "How Go", NULL)->role, CL_ROLE_H2);
        ck_assert_int_eq(span_of(&d, "Details", NULL)->role, CL_ROLE_H3);
        ck_assert_int_eq(span_of(&d, "Intro", NULL)->role, CL_ROLE_TEXT);
        /* One blank line between blocks, none before the first. */
        ck_assert_str_eq(d.lines[0].text, "Goroutines");
        ck_assert_str_eq(d.lines[1].text, "");
        ck_assert_str_eq(d.lines[2].text, "Intro.");
    }
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(emphasis_and_code)
{
    const char *md = "Plain *soft* and **loud** and ***both*** with `goc_go(fn, arg)` inline.\n";
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(md, widths[w], &d);
        ck_assert_int_eq(d.count, 1);
        ck_assert_str_eq(d.lines[0].text,
                         "Plain soft and loud and both with goc_go(fn, arg) inline.");
        ck_assert_int_eq(span_of(&d, "soft", NULL)->attrs, CL_ATTR_ITALIC);
        ck_assert_int_eq(span_of(&d, "loud", NULL)->attrs, CL_ATTR_BOLD);
        ck_assert_int_eq(span_of(&d, "both", NULL)->attrs, CL_ATTR_BOLD | CL_ATTR_ITALIC);
        ck_assert_int_eq(span_of(&d, "goc_go", NULL)->role, CL_ROLE_CODE);
        ck_assert_int_eq(span_of(&d, "Plain", NULL)->attrs, 0);
    }
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(links_show_text_then_url)
{
    const char *md = "Read [the tour](https://go.dev/tour) or <https://example.org>.\n";
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(md, widths[w], &d);
        ck_assert_str_eq(d.lines[0].text,
                         "Read the tour (https://go.dev/tour) or https://example.org.");
        const cl_md_span *t = span_of(&d, "the tour", NULL);
        ck_assert_int_eq(t->role, CL_ROLE_LINK);
        ck_assert(t->attrs & CL_ATTR_UNDERLINE);
        const cl_md_span *u = span_of(&d, "(https://go.dev", NULL);
        ck_assert_int_eq(u->role, CL_ROLE_URL);
        ck_assert(u->attrs & CL_ATTR_DIM);
        /* The autolink shows its address once, as a link. */
        ck_assert_int_eq(span_of(&d, "https://example.org", NULL)->role, CL_ROLE_LINK);
        ck_assert_ptr_null(strstr(d.lines[0].text, "(https://example.org)"));
    }
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(lists_nested_and_numbered)
{
    const char *md = "- apples\n- pears\n  - green\n  - red\n- plums\n\n"
                     "8. eight\n9. nine\n10. ten\n";
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(md, widths[w], &d);
        assert_well_formed(&d, widths[w]);
        const char *want[] = {"\xE2\x80\xA2 apples", "\xE2\x80\xA2 pears", "  \xE2\x97\xA6 green",
                              "  \xE2\x97\xA6 red", "\xE2\x80\xA2 plums", "", " 8. eight",
                              " 9. nine", "10. ten"};
        ck_assert_int_eq(d.count, (int)(sizeof want / sizeof want[0]));
        for (int i = 0; i < d.count; i++)
            ck_assert_str_eq(d.lines[i].text, want[i]);
        int line;
        ck_assert_int_eq(span_of(&d, "\xE2\x80\xA2", &line)->role, CL_ROLE_MARKER);
        ck_assert_int_eq(span_of(&d, "10.", NULL)->role, CL_ROLE_MARKER);
        ck_assert_int_eq(span_of(&d, "green", NULL)->role, CL_ROLE_TEXT);
    }
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(list_item_wraps_under_its_text)
{
    const char *md = "- one two three four five six seven eight nine ten eleven twelve\n";
    cl_md_doc d = {0};
    render(md, 20, &d);
    assert_well_formed(&d, 20);
    ck_assert_int_gt(d.count, 2);
    ck_assert(strncmp(d.lines[0].text, "\xE2\x80\xA2 one", 6) == 0);
    for (int i = 1; i < d.count; i++)
        ck_assert_msg(strncmp(d.lines[i].text, "  ", 2) == 0 && d.lines[i].text[2] != ' ',
                      "continuation line %d \"%s\" is not indented under the item", i,
                      d.lines[i].text);
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(block_quotes)
{
    const char *md = "> Don't communicate by sharing memory; share memory by communicating, "
                     "as the proverb goes, and keep `close` with the sender.\n>\n> Second.\n";
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(md, 40 * (int)(w + 1), &d);
        assert_well_formed(&d, 40 * (int)(w + 1));
        for (int i = 0; i < d.count; i++) {
            ck_assert_msg(strncmp(d.lines[i].text, "\xE2\x94\x82", 3) == 0,
                          "quote line %d lacks its bar: \"%s\"", i, d.lines[i].text);
            ck_assert_int_eq(d.lines[i].spans[0].role, CL_ROLE_MARKER);
        }
        ck_assert_int_eq(span_of(&d, "proverb", NULL)->role, CL_ROLE_QUOTE);
        ck_assert_int_eq(span_of(&d, "close", NULL)->role, CL_ROLE_CODE);
        ck_assert(has_text(&d, "Second."));
    }
    cl_md_doc_free(&d);
}
END_TEST

static const char code_md[] =
    "```c\n"
    "#include <goc.h>\n"
    "/* a block\n"
    "   comment */\n"
    "static int twice(size_t n) { return 2 * n; } // tail\n"
    "const char *s = \"chan \\\"x\\\"\"; double f = 0.5;\n"
    "```\n";

START_TEST(c_code_is_coloured)
{
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(code_md, widths[w], &d);
        ck_assert_int_eq(d.count, 5);
        ck_assert_str_eq(d.lines[0].text, "  #include <goc.h>");
        ck_assert_int_eq(span_of(&d, "#include", NULL)->role, CL_ROLE_PREPROC);
        ck_assert_int_eq(span_of(&d, "/* a block", NULL)->role, CL_ROLE_COMMENT);
        /* The comment carries over to the next line. */
        ck_assert_int_eq(span_of(&d, "comment */", NULL)->role, CL_ROLE_COMMENT);
        ck_assert_int_eq(span_of(&d, "static", NULL)->role, CL_ROLE_KEYWORD);
        ck_assert_int_eq(span_of(&d, "return", NULL)->role, CL_ROLE_KEYWORD);
        ck_assert_int_eq(span_of(&d, "int twice", NULL)->role, CL_ROLE_TYPE);
        ck_assert_int_eq(span_of(&d, "size_t", NULL)->role, CL_ROLE_TYPE);
        ck_assert_int_eq(span_of(&d, "twice", NULL)->role, CL_ROLE_CODE_BLOCK);
        ck_assert_int_eq(span_of(&d, "2 * n", NULL)->role, CL_ROLE_NUMBER);
        ck_assert_int_eq(span_of(&d, "// tail", NULL)->role, CL_ROLE_COMMENT);
        const cl_md_span *str = span_of(&d, "\"chan", NULL);
        ck_assert_int_eq(str->role, CL_ROLE_STRING);
        ck_assert_int_eq(str->len, (int)strlen("\"chan \\\"x\\\"\""));
        ck_assert_int_eq(span_of(&d, "0.5", NULL)->role, CL_ROLE_NUMBER);
    }
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(go_code_and_plain_blocks)
{
    const char *md = "```go\nfunc main() { ch := make(chan int); s := `raw` }\n```\n\n"
                     "```\nint plain 42\n```\n";
    cl_md_doc d = {0};
    render(md, 80, &d);
    ck_assert_int_eq(span_of(&d, "func", NULL)->role, CL_ROLE_KEYWORD);
    ck_assert_int_eq(span_of(&d, "chan", NULL)->role, CL_ROLE_KEYWORD);
    ck_assert_int_eq(span_of(&d, "int)", NULL)->role, CL_ROLE_TYPE);
    ck_assert_int_eq(span_of(&d, "`raw`", NULL)->role, CL_ROLE_STRING);
    /* No language: shown as written, not guessed at. */
    ck_assert_int_eq(span_of(&d, "int plain 42", NULL)->role, CL_ROLE_CODE_BLOCK);
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(code_keeps_indentation_and_expands_tabs)
{
    const char *md = "```c\nif (x) {\n\treturn;\n}\n```\n";
    cl_md_doc d = {0};
    render(md, 80, &d);
    ck_assert_int_eq(d.count, 3);
    ck_assert_str_eq(d.lines[1].text, "      return;");
    cl_md_doc_free(&d);
}
END_TEST

static const char long_md[] =
    "# Wrapping\n\n"
    "Channels let goroutines hand values to each other without sharing memory; an unbuffered "
    "channel makes the sender wait until a receiver takes the value, which is a rendezvous. "
    "Averyveryverylongidentifierthatcannotbebrokenatanyspaceatallbecauseithasnone ends it.\n\n"
    "- a list item that is long enough to need wrapping at narrow widths for sure\n"
    "  1. nested numbered item with several words in it\n\n"
    "> a quoted remark that also runs long enough to wrap around\n\n"
    "```c\nint main(void) { goc_chan_t *ch = goc_chan_make(sizeof(int), 0); return 0; }\n```\n";

/* The text without list marks and quote bars, in order, whatever the
 * layout did to the lines. */
static char *words_of(const cl_md_doc *d)
{
    size_t cap = 1;
    for (int i = 0; i < d->count; i++)
        cap += (size_t)d->lines[i].len + 1;
    char *out = calloc(1, cap);
    for (int i = 0; i < d->count; i++)
        for (int k = 0; k < d->lines[i].nspans; k++) {
            const cl_md_span *sp = &d->lines[i].spans[k];
            if (sp->role == CL_ROLE_MARKER)
                continue;
            strncat(out, d->lines[i].text + sp->off, (size_t)sp->len);
        }
    return out;
}

static void squeeze_spaces(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++)
        if (*p != ' ')
            *o++ = *p;
    *o = '\0';
}

START_TEST(wrapping_fits_every_width_and_loses_nothing)
{
    cl_md *md = cl_md_parse(long_md, strlen(long_md), NULL);
    ck_assert_ptr_nonnull(md);
    cl_md_doc wide = {0}, d = {0};
    ck_assert_int_eq(cl_md_layout(md, 400, &wide), 0);
    char *all = words_of(&wide);
    squeeze_spaces(all);
    for (int w = 12; w <= 160; w++) {
        ck_assert_int_eq(cl_md_layout(md, w, &d), 0);
        assert_well_formed(&d, w);
        char *got = words_of(&d);
        squeeze_spaces(got);
        ck_assert_msg(strcmp(got, all) == 0, "text changed at width %d:\n%s\nvs\n%s", w, got, all);
        free(got);
    }
    /* Narrower means more lines; the long word was cut, not dropped. */
    cl_md_layout(md, 80, &d);
    int at80 = d.count;
    cl_md_layout(md, 40, &d);
    ck_assert_int_gt(d.count, at80);
    free(all);
    cl_md_doc_free(&wide);
    cl_md_doc_free(&d);
    cl_md_free(md);
}
END_TEST

START_TEST(tiny_widths_never_overflow)
{
    cl_md *md = cl_md_parse(long_md, strlen(long_md), NULL);
    cl_md_doc d = {0};
    for (int w = 1; w < 12; w++) {
        ck_assert_int_eq(cl_md_layout(md, w, &d), 0);
        assert_well_formed(&d, w);
    }
    cl_md_doc_free(&d);
    cl_md_free(md);
}
END_TEST

START_TEST(relayout_is_repeatable)
{
    cl_md *md = cl_md_parse(long_md, strlen(long_md), NULL);
    cl_md_doc a = {0}, b = {0};
    cl_md_layout(md, 80, &a);
    cl_md_layout(md, 33, &b);
    cl_md_layout(md, 80, &b);
    ck_assert_int_eq(a.count, b.count);
    for (int i = 0; i < a.count; i++) {
        ck_assert_str_eq(a.lines[i].text, b.lines[i].text);
        ck_assert_int_eq(a.lines[i].nspans, b.lines[i].nspans);
    }
    cl_md_doc_free(&a);
    cl_md_doc_free(&b);
    cl_md_free(md);
}
END_TEST

/* The view renders a lesson's body as lesson.c splits it off: front
 * matter, hints and quiz never reach the screen. */
START_TEST(front_matter_hints_and_quiz_are_hidden)
{
    const char *file = "---\ntitle: Goroutines\ndifficulty: beginner\nminutes: 5\n"
                       "concepts: go\nrace: false\n---\n# Goroutines\n\nBody text.\n\n"
                       "Visible again.\n\n"
                       "## Hints\n1. secret hint one\n2. secret hint two\n\n"
                       "## Quiz\n\n### Which?\n- [x] secret answer\n- [ ] no\n\n> secret why\n";
    cl_lesson l;
    char err[256];
    ck_assert_msg(cl_lesson_parse(&l, file, "lessons/01-x.md", err, sizeof err) == 0, "%s", err);
    const char *md = l.body;
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(md, widths[w], &d);
        ck_assert(!has_text(&d, "title:"));
        ck_assert(!has_text(&d, "secret"));
        ck_assert(!has_text(&d, "Hints"));
        ck_assert(!has_text(&d, "Which?"));
        ck_assert_str_eq(d.lines[0].text, "Goroutines");
        ck_assert(has_text(&d, "Body text."));
        ck_assert(has_text(&d, "Visible again."));
    }
    cl_md_doc_free(&d);
    cl_lesson_free(&l);
}
END_TEST

START_TEST(ascii_mode_has_no_utf8_marks)
{
    const char *md = "- a\n  - b\n\n> q\n\n---\n";
    cl_md_opts o = {.ascii = 1};
    cl_md_doc d = {0};
    ck_assert_int_eq(cl_md_render(md, 80, &o, &d), 0);
    for (int i = 0; i < d.count; i++)
        for (int k = 0; k < d.lines[i].len; k++)
            ck_assert_msg((unsigned char)d.lines[i].text[k] < 0x80, "line \"%s\" is not ASCII",
                          d.lines[i].text);
    ck_assert_str_eq(d.lines[0].text, "* a");
    ck_assert_str_eq(d.lines[1].text, "  - b");
    ck_assert(has_text(&d, "| q"));
    ck_assert(has_text(&d, "-----"));
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(output_text_layout)
{
    const char *out = "\x1b[31mFAIL\x1b[0m sends_in_order \x1b[1mbold\x1b[0m\n"
                      "exercises/03-unbuffered.c:42:7: error: expected ';'\n"
                      "\tgoroutine 7 [chan send]:\n"
                      "colour \x1b[32mgreen\x1b[0m gone\x1b[2J\r\n"
                      "    indented line that is long enough to be wrapped under its indent\n";
    cl_md_doc d = {0};
    ck_assert_int_eq(cl_md_text_layout(out, strlen(out), 40, &d), 0);
    assert_well_formed(&d, 40);
    ck_assert_int_eq(span_of(&d, "FAIL", NULL)->role, CL_ROLE_FAIL);
    ck_assert_int_eq(span_of(&d, " sends_in_order", NULL)->role, CL_ROLE_TEXT);
    ck_assert_int_eq(span_of(&d, "bold", NULL)->attrs, CL_ATTR_BOLD);
    ck_assert_int_eq(span_of(&d, "green", NULL)->role, CL_ROLE_PASS);
    const cl_md_span *loc = span_of(&d, "exercises/03", NULL);
    ck_assert_int_eq(loc->role, CL_ROLE_LOCATION);
    ck_assert_int_eq(loc->len, (int)strlen("exercises/03-unbuffered.c:42:7:"));
    ck_assert(has_text(&d, "    goroutine 7"));
    ck_assert(has_text(&d, "colour green gone"));
    int line;
    span_of(&d, "indented", &line);
    ck_assert_str_eq(d.lines[line].text, "    indented line that is long enough to");
    ck_assert_str_eq(d.lines[line + 1].text, "    be wrapped under its indent");
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(find_wraps_and_ignores_case)
{
    cl_md_doc d = {0};
    render("alpha\n\nBeta\n\ngamma beta\n", 80, &d);
    ck_assert_int_eq(cl_md_find(&d, "beta", 0, 1), 2);
    ck_assert_int_eq(cl_md_find(&d, "beta", 3, 1), 4);
    ck_assert_int_eq(cl_md_find(&d, "beta", 5, 1), 2); /* past the end: from the top */
    ck_assert_int_eq(cl_md_find(&d, "BETA", 1, -1), 4);
    ck_assert_int_eq(cl_md_find(&d, "delta", 0, 1), -1);
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(columns_of_utf8)
{
    ck_assert_int_eq(cl_md_cols("abc", 3), 3);
    ck_assert_int_eq(cl_md_cols("\xE2\x80\x94", 3), 1);          /* em dash */
    ck_assert_int_eq(cl_md_cols("\xE6\xBC\xA2\xE5\xAD\x97", 6), 4); /* two CJK */
    ck_assert_int_eq(cl_md_cols("e\xCC\x81", 3), 1);              /* e + combining acute */
    ck_assert_int_eq(cl_md_cols("\xFF\xFE", 2), 2);               /* invalid bytes */
}
END_TEST

static const char table_md[] =
    "Before.\n\n"
    "| Go | C with libgoc | n |\n"
    "|---|---|--:|\n"
    "| `make(chan int)` | `goc_chan_make(int, 0)` | 1 |\n"
    "| `a | b` in code | an escaped \\| pipe | 22 |\n"
    "| **bold** | a long cell that has to wrap when the table is narrow enough | 333 |\n"
    "\nAfter.\n";

/* Byte offset of the n-th column separator of a line, -1 if missing. */
static int sep_col(const cl_md_line *l, int nth)
{
    const char *p = l->text;
    for (int k = 0; k <= nth; k++) {
        p = strstr(p, "\xE2\x94\x82");
        if (!p)
            return -1;
        if (k < nth)
            p += 3;
    }
    return cl_md_cols(l->text, (size_t)(p - l->text));
}

START_TEST(tables_line_up)
{
    cl_md_doc d = {0};
    for (size_t w = 0; w < 2; w++) {
        render(table_md, widths[w], &d);
        assert_well_formed(&d, widths[w]);
        int head;
        const cl_md_span *h = span_of(&d, "C with libgoc", &head);
        ck_assert(h->attrs & CL_ATTR_BOLD);
        ck_assert_msg(strstr(d.lines[head + 1].text, "\xE2\x94\xBC") != NULL,
                      "no rule under the header: \"%s\"", d.lines[head + 1].text);
        /* Every row's separators sit in the same columns as the header's. */
        int last;
        span_of(&d, "333", &last);
        for (int i = head; i <= last; i++) {
            if (i == head + 1)
                continue;
            ck_assert_int_eq(sep_col(&d.lines[i], 0), sep_col(&d.lines[head], 0));
            ck_assert_int_eq(sep_col(&d.lines[i], 1), sep_col(&d.lines[head], 1));
        }
        ck_assert_int_eq(span_of(&d, "goc_chan_make", NULL)->role, CL_ROLE_CODE);
        ck_assert_int_eq(span_of(&d, "a | b", NULL)->role, CL_ROLE_CODE); /* not split */
        ck_assert(has_text(&d, "an escaped | pipe"));
        ck_assert(span_of(&d, "bold", NULL)->attrs & CL_ATTR_BOLD);
        /* The number column is right-aligned: "1" ends where "333" ends. */
        int one, three;
        span_of(&d, " 1", &one);
        span_of(&d, "333", &three);
        ck_assert_int_eq(d.lines[one].cols, d.lines[three].cols);
        ck_assert(has_text(&d, "Before.") && has_text(&d, "After."));
        ck_assert(!has_text(&d, "|---"));
    }
    cl_md_doc_free(&d);
}
END_TEST

START_TEST(narrow_tables_wrap_then_stack)
{
    cl_md_doc d = {0};
    render(table_md, 50, &d);
    assert_well_formed(&d, 50);
    int a, b;
    span_of(&d, "a long cell", &a);
    span_of(&d, "narrow enough", &b);
    ck_assert_msg(b > a, "the long cell should wrap inside its column at width 50");
    render(table_md, 24, &d);
    assert_well_formed(&d, 24);
    /* Too thin for columns: each row as "header: value". */
    ck_assert(has_text(&d, "Go: make(chan int)"));
    ck_assert(has_text(&d, "n: 333"));
    cl_md_doc_free(&d);
}
END_TEST

static Suite *md_suite(void)
{
    Suite *s = suite_create("md_render");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, headings);
    tcase_add_test(tc, emphasis_and_code);
    tcase_add_test(tc, links_show_text_then_url);
    tcase_add_test(tc, lists_nested_and_numbered);
    tcase_add_test(tc, list_item_wraps_under_its_text);
    tcase_add_test(tc, block_quotes);
    tcase_add_test(tc, c_code_is_coloured);
    tcase_add_test(tc, go_code_and_plain_blocks);
    tcase_add_test(tc, tables_line_up);
    tcase_add_test(tc, narrow_tables_wrap_then_stack);
    tcase_add_test(tc, code_keeps_indentation_and_expands_tabs);
    tcase_add_test(tc, wrapping_fits_every_width_and_loses_nothing);
    tcase_add_test(tc, tiny_widths_never_overflow);
    tcase_add_test(tc, relayout_is_repeatable);
    tcase_add_test(tc, front_matter_hints_and_quiz_are_hidden);
    tcase_add_test(tc, ascii_mode_has_no_utf8_marks);
    tcase_add_test(tc, output_text_layout);
    tcase_add_test(tc, find_wraps_and_ignores_case);
    tcase_add_test(tc, columns_of_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return cl_run_suite(md_suite());
}
