/* chanlings — file helpers: the base layer every module may use (it
 * includes nothing of the runner's own). */
#ifndef CL_FS_H
#define CL_FS_H

#include <stdbool.h>
#include <stddef.h>

/* mkdir -p.  Returns 0 or -1 with errno set. */
int cl_mkdirs(const char *path);

/* Reads a whole file (malloc'd, NUL-terminated; *len if not NULL), or NULL
 * with errno set. */
char *cl_read_file(const char *path, size_t *len);

/* Writes a whole file atomically: temp file in the same directory, fsync,
 * rename.  Returns 0 or -1 with errno set. */
int cl_write_file_atomic(const char *path, const char *data, size_t len);

/* Copies a file atomically (0 or -1 with errno). */
int cl_copy_file(const char *from, const char *to);

/* Whether a regular file exists. */
bool cl_file_exists(const char *path);

#endif
