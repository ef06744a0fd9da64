/* Which functions a lesson's `wrap:` may name (see wraps.h). */
#include "wraps.h"

#include <ctype.h>
#include <string.h>

/* The C library functions a grader may watch: sleeping (a learner who
 * sleeps to synchronise) and writing to stdout (whole lines).  The
 * grader's wrapper only observes and calls the real one; nothing here
 * allocates, exits, forks or opens, which the sandbox and grader_main
 * must keep to themselves. */
static const char *const libc_watchable[] = {
    "sleep", "usleep", "nanosleep", "clock_nanosleep",
    "printf", "vprintf", "fprintf", "vfprintf", "puts", "fputs", "fwrite", "putchar", "fputc",
    "putc",
};

bool cl_wrap_allowed(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof libc_watchable / sizeof libc_watchable[0]; i++)
        if (strlen(libc_watchable[i]) == len && strncmp(name, libc_watchable[i], len) == 0)
            return true;
    if (len <= 4 || len > 100 || strncmp(name, "goc_", 4) != 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}
