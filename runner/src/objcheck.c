/* The learner's object, read before linking (see objcheck.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "objcheck.h"

#include <ctype.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_buf.h"

/* Objects and archives bigger than this are not what a compiler makes of
 * one exercise (nor libgoc, nor Check). */
#define MAX_INPUT_BYTES (64u << 20)

/* ---- the imports graded code has no reason to use ---- */

static const struct {
    const char *name;
    const char *why;
} denied_imports[] = {
    {"execve", "starts another program in place of the test"},
    {"execv", "starts another program in place of the test"},
    {"execvp", "starts another program in place of the test"},
    {"execvpe", "starts another program in place of the test"},
    {"execl", "starts another program in place of the test"},
    {"execlp", "starts another program in place of the test"},
    {"execle", "starts another program in place of the test"},
    {"fexecve", "starts another program in place of the test"},
    {"system", "starts another program"},
    {"popen", "starts another program"},
    {"posix_spawn", "starts another program"},
    {"posix_spawnp", "starts another program"},
    {"syscall", "makes raw system calls around the C library"},
    {"ptrace", "inspects or changes other processes"},
    {"process_vm_readv", "reads another process's memory"},
    {"process_vm_writev", "writes another process's memory"},
    {"fork", "starts processes; goroutines (goc_go) are what the exercises use"},
    {"vfork", "starts processes; goroutines (goc_go) are what the exercises use"},
    {"clone", "starts processes or threads behind libgoc's back"},
    {"clone3", "starts processes or threads behind libgoc's back"},
    {"daemon", "leaves a process running after the test"},
    {"setsid", "moves a process out of the test's reach"},
    {"setpgid", "moves a process out of the test's reach"},
    {"kill", "signals other processes"},
    {"killpg", "signals other processes"},
    {"tgkill", "signals other threads behind libgoc's back"},
    {"prctl", "changes how the process may be inspected and stopped"},
    {"unshare", "changes the process's namespaces"},
    {"setns", "changes the process's namespaces"},
    {"chroot", "changes the process's root directory"},
    {"mount", "mounts file systems"},
    {"dlopen", "loads code the grader never saw"},
    {"dlmopen", "loads code the grader never saw"},
    {"dlsym", "looks up the harness's functions by name"},
    {"dlvsym", "looks up the harness's functions by name"},
};

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* ---- a set of names ---- */

typedef struct name_set {
    char **slot;
    size_t cap, n;
} name_set;

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool set_has(const name_set *set, const char *name)
{
    if (!set->cap)
        return false;
    for (size_t i = hash_name(name) & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slot[i])
            return false;
        if (strcmp(set->slot[i], name) == 0)
            return true;
    }
}

static void set_add(name_set *set, const char *name)
{
    if (set_has(set, name))
        return;
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 1024;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return;
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slot[i])
                continue;
            size_t j = hash_name(set->slot[i]) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = set->slot[i];
        }
        free(set->slot);
        set->slot = slot;
        set->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return;
    size_t i = hash_name(name) & (set->cap - 1);
    while (set->slot[i])
        i = (i + 1) & (set->cap - 1);
    set->slot[i] = copy;
    set->n++;
}

static void set_free(name_set *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slot[i]);
    free(set->slot);
}

/* ---- files ---- */

typedef struct blob {
    unsigned char *data;
    size_t size;
} blob;

static int read_blob(const char *path, blob *b)
{
    b->data = NULL;
    b->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (size_t)st.st_size > MAX_INPUT_BYTES) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    b->data = malloc((size_t)st.st_size);
    size_t got = 0;
    while (b->data && got < (size_t)st.st_size) {
        ssize_t n = read(fd, b->data + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!b->data || got != (size_t)st.st_size) {
        free(b->data);
        b->data = NULL;
        return -1;
    }
    b->size = got;
    return 0;
}

/* ---- ELF64 relocatable objects ---- */

typedef struct elf_view {
    const unsigned char *data;
    size_t size;
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh;
    const char *shstr;
    size_t shstr_size;
} elf_view;

static bool in_bounds(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static int elf_open(const unsigned char *data, size_t size, elf_view *v)
{
    memset(v, 0, sizeof *v);
    if (size < sizeof(Elf64_Ehdr) || memcmp(data, ELFMAG, SELFMAG) != 0 ||
        data[EI_CLASS] != ELFCLASS64)
        return -1;
    v->data = data;
    v->size = size;
    v->eh = (const Elf64_Ehdr *)data;
    if (v->eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !in_bounds(size, v->eh->e_shoff, (uint64_t)v->eh->e_shnum * sizeof(Elf64_Shdr)) ||
        v->eh->e_shstrndx >= v->eh->e_shnum || v->eh->e_shoff % 8)
        return -1;
    v->sh = (const Elf64_Shdr *)(data + v->eh->e_shoff);
    const Elf64_Shdr *ss = &v->sh[v->eh->e_shstrndx];
    if (!in_bounds(size, ss->sh_offset, ss->sh_size) || ss->sh_size == 0)
        return -1;
    v->shstr = (const char *)data + ss->sh_offset;
    v->shstr_size = ss->sh_size;
    if (v->shstr[v->shstr_size - 1] != '\0')
        return -1;
    return 0;
}

static const char *section_name(const elf_view *v, const Elf64_Shdr *s)
{
    return s->sh_name < v->shstr_size ? v->shstr + s->sh_name : "";
}

/* Calls fn for every symbol of the object's symbol table; -1 if the table
 * is malformed. */
typedef void (*symbol_fn)(const char *name, const Elf64_Sym *sym, void *arg);

static int elf_symbols(const elf_view *v, symbol_fn fn, void *arg)
{
    for (size_t i = 0; i < v->eh->e_shnum; i++) {
        const Elf64_Shdr *s = &v->sh[i];
        if (s->sh_type != SHT_SYMTAB)
            continue;
        if (s->sh_link >= v->eh->e_shnum || s->sh_entsize != sizeof(Elf64_Sym) ||
            !in_bounds(v->size, s->sh_offset, s->sh_size) || s->sh_offset % 8)
            return -1;
        const Elf64_Shdr *st = &v->sh[s->sh_link];
        if (!in_bounds(v->size, st->sh_offset, st->sh_size) || st->sh_size == 0)
            return -1;
        const char *str = (const char *)v->data + st->sh_offset;
        if (str[st->sh_size - 1] != '\0')
            return -1;
        const Elf64_Sym *sym = (const Elf64_Sym *)(v->data + s->sh_offset);
        for (size_t k = 1; k < s->sh_size / sizeof *sym; k++) {
            if (sym[k].st_name >= st->sh_size)
                return -1;
            fn(str + sym[k].st_name, &sym[k], arg);
        }
    }
    return 0;
}

static bool is_global(const Elf64_Sym *s)
{
    int bind = ELF64_ST_BIND(s->st_info);
    return bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE;
}

static void add_defined(const char *name, const Elf64_Sym *s, void *arg)
{
    if (*name && is_global(s) && s->st_shndx != SHN_UNDEF)
        set_add(arg, name);
}

/* ---- the names a harness input defines ---- */

/* An archive's symbol index ("/" member): every global it defines. */
static int archive_names(const blob *b, name_set *set)
{
    const size_t hdr = 60;
    if (b->size < 8 + hdr || memcmp(b->data, "!<arch>\n", 8) != 0)
        return -1;
    const unsigned char *h = b->data + 8;
    if (memcmp(h, "/               ", 16) != 0)
        return -1; /* no index: not made by ar rcs */
    size_t size = strtoul((const char *)h + 48, NULL, 10);
    if (!in_bounds(b->size, 8 + hdr, size) || size < 4)
        return -1;
    const unsigned char *p = h + hdr;
    uint32_t count = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if ((uint64_t)count * 4 + 4 > size)
        return -1;
    const char *name = (const char *)p + 4 + (size_t)count * 4, *end = (const char *)p + size;
    for (uint32_t i = 0; i < count && name < end; i++) {
        size_t len = strnlen(name, (size_t)(end - name));
        if (name + len == end)
            break;
        set_add(set, name);
        name += len + 1;
    }
    return 0;
}

/* Adds every global an object or archive defines; a file that is neither
 * (a linker script, a missing path) adds nothing. */
static void harness_names(const char *path, name_set *set)
{
    blob b;
    if (read_blob(path, &b) < 0)
        return;
    elf_view v;
    if (archive_names(&b, set) < 0 && elf_open(b.data, b.size, &v) == 0)
        elf_symbols(&v, add_defined, set);
    free(b.data);
}

/* libc and libm: asked of the dynamic loader, which already has libc. */
static bool c_library_defines(const char *name)
{
    static const char *const libs[] = {"libc.so.6", "libm.so.6"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        void *h = dlopen(libs[i], RTLD_LAZY | RTLD_LOCAL);
        if (!h)
            continue;
        bool found = dlsym(h, name) != NULL;
        dlclose(h);
        if (found)
            return true;
    }
    return false;
}

/* ---- naming the learner's line ---- */

static bool ident_char(int c)
{
    return isalnum(c) || c == '_';
}

/* The source with comments, strings and character constants blanked
 * (newlines kept), so a name is found where it is used, not where a
 * comment mentions it. */
static char *code_only(const char *text)
{
    char *c = strdup(text);
    if (!c)
        return NULL;
    enum { CODE, LINE_COMMENT, BLOCK_COMMENT, STRING, CHAR } st = CODE;
    for (char *p = c; *p; p++) {
        char ch = *p;
        switch (st) {
        case CODE:
            if (ch == '#' && (p == c || p[-1] == '\n') && strncmp(p + 1, "include", 7) == 0)
                st = LINE_COMMENT; /* a header's name is not a use */
            else if (ch == '/' && p[1] == '/')
                st = LINE_COMMENT;
            else if (ch == '/' && p[1] == '*')
                st = BLOCK_COMMENT, *p++ = ' ';
            else if (ch == '"')
                st = STRING;
            else if (ch == '\'')
                st = CHAR;
            else
                continue;
            break;
        case LINE_COMMENT:
            if (ch == '\n')
                st = CODE;
            break;
        case BLOCK_COMMENT:
            if (ch == '*' && p[1] == '/')
                st = CODE, *p++ = ' ';
            break;
        case STRING:
        case CHAR:
            if (ch == '\\' && p[1] && p[1] != '\n')
                *p++ = ' ';
            else if (ch == (st == STRING ? '"' : '\'') || ch == '\n')
                st = CODE;
            break;
        }
        if (*p != '\n')
            *p = ' ';
    }
    return c;
}

/* The line of the source holding `word` as a whole word: the first
 * inside a function body when `in_body` (a call rather than its
 * declaration), else the first at file level (a definition); failing
 * that the first anywhere; 0 when it is not there. */
static int line_of(const char *text, const char *word, bool in_body)
{
    if (!text || !*word)
        return 0;
    size_t wl = strlen(word);
    int line = 1, depth = 0, any = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            line++;
        else if (*p == '{')
            depth++;
        else if (*p == '}' && depth > 0)
            depth--;
        else if (*p == *word && strncmp(p, word, wl) == 0 &&
                 (p == text || !ident_char((unsigned char)p[-1])) &&
                 !ident_char((unsigned char)p[wl])) {
            if ((depth > 0) == in_body)
                return line;
            if (!any)
                any = line;
        }
    }
    return any;
}

/* ---- the check ---- */

typedef struct checker {
    const cl_objcheck_opts *o;
    const char *text;      /* the source */
    name_set harness, libraries, said;
    cl_buf out;
} checker;

static void refuse_at(checker *c, const char *word, bool in_body, const char *fmt,
                      const char *name, const char *why)
{
    /* One refusal per name: an object holds a name many times. */
    cl_buf key = {0};
    cl_buf_printf(&key, "%s|%s", fmt, name);
    bool said = set_has(&c->said, key.s);
    set_add(&c->said, key.s);
    free(key.s);
    if (said)
        return;
    int line = line_of(c->text, word, in_body);
    if (line)
        cl_buf_printf(&c->out, "%s:%d: refused: ", c->o->source_rel, line);
    else
        cl_buf_printf(&c->out, "%s: refused: ", c->o->source_rel);
    cl_buf_printf(&c->out, fmt, name, why);
    cl_buf_puts(&c->out, "\n");
}

/* A definition or section is named where it is written (file level). */
static void refuse(checker *c, const char *word, const char *fmt, const char *name, const char *why)
{
    refuse_at(c, word, false, fmt, name, why);
}

/* A use is named where it is called (in a function body). */
static void refuse_use(checker *c, const char *fmt, const char *name, const char *why)
{
    refuse_at(c, name, true, fmt, name, why);
}

static void check_definition(checker *c, const char *name, const Elf64_Sym *s)
{
    /* Compiler-made, such as gcc's __odr_asan.NAME for every global under
     * AddressSanitizer: a name with a dot cannot be written in C, so it can
     * stand for nothing the harness or a library defines. */
    if (strchr(name, '.'))
        return;
    if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC)
        refuse(c, name, "%s is an IFUNC, whose resolver %s",
               name, "runs before the tests, in the grader's own process");
    else if (has_prefix(name, "__real_") || has_prefix(name, "__wrap_"))
        refuse(c, name, "defines %s, %s", name, "a name of the grader's exit wrapping");
    else if (set_has(&c->harness, name))
        refuse(c, name, "defines %s, %s", name,
               "which the grader or Check already defines; the harness would call yours. "
               "Rename yours, or make it static");
    else if (set_has(&c->libraries, name))
        refuse(c, name, "defines %s, %s", name,
               "which libgoc already defines; rename yours, or make it static");
    else if (c_library_defines(name))
        refuse(c, name, "defines %s, %s", name,
               "a name the C library defines; yours would replace it for the whole "
               "program, the grader's own calls included. Rename yours, or make it static");
    else if (name[0] == '_')
        refuse(c, name, "defines %s, %s", name,
               "and global names starting with _ are reserved to the C implementation; "
               "rename it (or make it static)");
}

static void check_import(checker *c, const char *name)
{
    if (has_prefix(name, "__real_") || has_prefix(name, "__wrap_")) {
        refuse_use(c, "uses %s, %s", name,
               "the grader's own exit wrapping; a graded function has no business with it");
        return;
    }
    if (set_has(&c->harness, name)) {
        refuse_use(c, "calls %s, %s", name,
               "part of the grader or Check; the grader calls your code, not the other way "
               "round");
        return;
    }
    for (size_t i = 0; i < sizeof denied_imports / sizeof denied_imports[0]; i++) {
        if (strcmp(name, denied_imports[i].name) == 0) {
            cl_buf why = {0};
            cl_buf_printf(&why, "which %s; graded code has no reason to use it. Remove the call",
                          denied_imports[i].why);
            refuse_use(c, "calls %s(), %s", name, why.s);
            free(why.s);
            return;
        }
    }
}

static void check_symbol(const char *name, const Elf64_Sym *s, void *arg)
{
    checker *c = arg;
    if (!*name || !is_global(s))
        return;
    if (s->st_shndx == SHN_UNDEF)
        check_import(c, name);
    else if (strcmp(name, "chanlings_learner_main") != 0)
        check_definition(c, name, s);
}

/* ---- constructors ---- */

/* The names compilers give the constructors and destructors of their
 * sanitizers: clang's hold a dot, which C cannot write; gcc's
 * _sub_I_00099_0 is refused in the source (below), so the only function
 * by that name is the compiler's. */
static bool sanitizer_ctor(const char *name)
{
    static const char *const names[] = {"tsan.module_ctor", "tsan.module_dtor", "asan.module_ctor",
                                        "asan.module_dtor", "ubsan.module_ctor"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return has_prefix(name, "_sub_I_00099_") || has_prefix(name, "_sub_D_00099_");
}

typedef struct symtab_view {
    const Elf64_Sym *sym;
    size_t n;
    const char *str;
    size_t str_size;
} symtab_view;

static int symtab_of(const elf_view *v, symtab_view *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < v->eh->e_shnum; i++) {
        const Elf64_Shdr *s = &v->sh[i];
        if (s->sh_type != SHT_SYMTAB)
            continue;
        const Elf64_Shdr *st = &v->sh[s->sh_link < v->eh->e_shnum ? s->sh_link : 0];
        if (!in_bounds(v->size, s->sh_offset, s->sh_size) ||
            !in_bounds(v->size, st->sh_offset, st->sh_size) || st->sh_size == 0)
            return -1;
        t->sym = (const Elf64_Sym *)(v->data + s->sh_offset);
        t->n = s->sh_size / sizeof *t->sym;
        t->str = (const char *)v->data + st->sh_offset;
        t->str_size = st->sh_size;
        return 0;
    }
    return -1;
}

static const char *sym_name(const symtab_view *t, size_t k)
{
    return k < t->n && t->sym[k].st_name < t->str_size ? t->str + t->sym[k].st_name : "";
}

/* The function an init/fini entry points at: the symbol itself, or for a
 * section-relative entry the function at that offset of the section. */
static const char *entry_target(const symtab_view *t, const Elf64_Rela *r)
{
    size_t k = ELF64_R_SYM(r->r_info);
    if (k >= t->n)
        return "";
    if (ELF64_ST_TYPE(t->sym[k].st_info) != STT_SECTION)
        return sym_name(t, k);
    for (size_t j = 1; j < t->n; j++)
        if (ELF64_ST_TYPE(t->sym[j].st_info) == STT_FUNC &&
            t->sym[j].st_shndx == t->sym[k].st_shndx && (int64_t)t->sym[j].st_value == r->r_addend)
            return sym_name(t, j);
    return "";
}

/* True when every entry of init/fini section `idx` is a sanitizer's own
 * constructor (only in a sanitizer build). */
static bool only_sanitizer_entries(const checker *c, const elf_view *v, size_t idx)
{
    symtab_view t;
    if (!c->o->sanitizer || symtab_of(v, &t) < 0)
        return false;
    size_t entries = 0;
    for (size_t i = 0; i < v->eh->e_shnum; i++) {
        const Elf64_Shdr *s = &v->sh[i];
        if (s->sh_type != SHT_RELA || s->sh_info != idx)
            continue;
        if (s->sh_entsize != sizeof(Elf64_Rela) || !in_bounds(v->size, s->sh_offset, s->sh_size))
            return false;
        const Elf64_Rela *r = (const Elf64_Rela *)(v->data + s->sh_offset);
        for (size_t k = 0; k < s->sh_size / sizeof *r; k++, entries++)
            if (!sanitizer_ctor(entry_target(&t, &r[k])))
                return false;
    }
    /* Entries without relocations would be absolute addresses: not ours. */
    return entries > 0 && entries * 8 == v->sh[idx].sh_size;
}

/* Sections whose code the C runtime runs outside any test. */
static void check_sections(checker *c, const elf_view *v)
{
    static const struct {
        const char *prefix;
        const char *word;
    } startup[] = {
        {".init_array", "constructor"}, {".preinit_array", "constructor"}, {".ctors", "constructor"},
        {".fini_array", "destructor"},  {".dtors", "destructor"},          {".init", "constructor"},
        {".fini", "destructor"},
    };
    for (size_t i = 0; i < v->eh->e_shnum; i++) {
        const Elf64_Shdr *s = &v->sh[i];
        const char *name = section_name(v, s);
        const char *word = NULL;
        for (size_t k = 0; k < sizeof startup / sizeof startup[0] && !word; k++) {
            size_t pl = strlen(startup[k].prefix);
            if (strncmp(name, startup[k].prefix, pl) == 0 && (name[pl] == '\0' || name[pl] == '.'))
                word = startup[k].word;
        }
        if (!word && (s->sh_type == SHT_INIT_ARRAY || s->sh_type == SHT_PREINIT_ARRAY))
            word = "constructor";
        if (!word && s->sh_type == SHT_FINI_ARRAY)
            word = "destructor";
        if (!word || has_prefix(name, ".rela") || only_sanitizer_entries(c, v, i))
            continue;
        refuse(c, word, "section %s: %s", name,
               strcmp(word, "constructor") == 0
                   ? "a constructor runs before any test, in the grader's own process; "
                     "call your setup from the graded function instead"
                   : "a destructor runs after the tests, in the grader's own process, where "
                     "results are written; clean up in the graded function instead");
    }
}

char *cl_objcheck(const cl_objcheck_opts *o)
{
    checker c = {.o = o};
    blob obj, src;
    if (read_blob(o->object, &obj) < 0) {
        cl_buf_printf(&c.out, "%s: refused: the compiled object could not be read for checking\n",
                      o->source_rel);
        return cl_buf_take(&c.out);
    }
    if (read_blob(o->source, &src) == 0) {
        char *t = realloc(src.data, src.size + 1);
        if (t) {
            t[src.size] = '\0';
            c.text = code_only(t);
            free(t);
        } else {
            free(src.data);
        }
    }
    for (const char *const *p = o->harness; p && *p; p++)
        harness_names(*p, &c.harness);
    for (const char *const *p = o->libraries; p && *p; p++)
        harness_names(*p, &c.libraries);
    elf_view v;
    if (elf_open(obj.data, obj.size, &v) < 0 || v.eh->e_type != ET_REL) {
        cl_buf_printf(&c.out, "%s: refused: the compiled object is not an ELF64 object file\n",
                      o->source_rel);
    } else {
        check_sections(&c, &v);
        if (c.text && strstr(c.text, "_sub_I_"))
            refuse(&c, "_sub_I_", "uses %s..., %s", "_sub_I_",
                   "a name reserved for the compiler's own constructors");
        if (elf_symbols(&v, check_symbol, &c) < 0)
            cl_buf_printf(&c.out, "%s: refused: the object's symbol table is malformed\n",
                          o->source_rel);
    }
    free(obj.data);
    free((char *)c.text);
    set_free(&c.harness);
    set_free(&c.libraries);
    set_free(&c.said);
    if (!c.out.len) {
        free(c.out.s);
        return NULL;
    }
    return cl_buf_take(&c.out);
}
