#include "report_buf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool grow(cl_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void cl_buf_add(cl_buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void cl_buf_puts(cl_buf *b, const char *s)
{
    if (s)
        cl_buf_add(b, s, strlen(s));
}

void cl_buf_printf(cl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *cl_buf_take(cl_buf *b)
{
    char *s = b->s ? b->s : strdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

char *cl_strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Opens a file learner code may have tampered with: never through a
 * symlink (the runner may be root), never waiting on a FIFO or device put
 * there; regular files only.  -1 otherwise. */
static int open_learner_file(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The first `cap` bytes of an open regular file, with a note when more
 * was there (the size says how much, without reading it). */
static char *read_head(int fd, const struct stat *st, size_t cap)
{
    cl_buf b = {0};
    char chunk[8192];
    size_t total = 0;
    ssize_t n;
    while (total <= cap && (n = read(fd, chunk, sizeof chunk)) > 0) {
        size_t keep = total < cap ? cap - total : 0;
        cl_buf_add(&b, chunk, (size_t)n < keep ? (size_t)n : keep);
        total += (size_t)n;
    }
    size_t size = (size_t)st->st_size > total ? (size_t)st->st_size : total;
    if (size > cap)
        cl_buf_printf(&b, "\n[... chanlings cut the last %zu bytes of this output ...]\n",
                      size - cap);
    return cl_buf_take(&b);
}

char *cl_read_text_ends(const char *path, size_t cap)
{
    struct stat st;
    int fd = open_learner_file(path, &st);
    if (fd < 0)
        return NULL;
    if ((size_t)st.st_size <= cap) {
        char *text = read_head(fd, &st, cap);
        close(fd);
        return text;
    }
    size_t half = cap / 2, size = (size_t)st.st_size;
    char *head = malloc(half), *tail = malloc(half);
    ssize_t h = head ? pread(fd, head, half, 0) : -1;
    ssize_t t = tail ? pread(fd, tail, half, (off_t)(size - half)) : -1;
    close(fd);
    cl_buf b = {0};
    if (h >= 0 && t >= 0) {
        cl_buf_add(&b, head, (size_t)h);
        cl_buf_printf(&b, "\n[... chanlings cut %zu bytes from the middle of this output ...]\n",
                      size - (size_t)h - (size_t)t);
        cl_buf_add(&b, tail, (size_t)t);
    }
    free(head);
    free(tail);
    return cl_buf_take(&b);
}

char *cl_read_text(const char *path, size_t cap)
{
    struct stat st;
    int fd = open_learner_file(path, &st);
    if (fd < 0)
        return NULL;
    char *text = read_head(fd, &st, cap);
    close(fd);
    return text;
}
