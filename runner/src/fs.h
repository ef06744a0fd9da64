/* File-system helpers shared by the workbook and the build pipeline (which
 * must not depend on the workbook). */
#ifndef CL_FS_H
#define CL_FS_H

/* mkdir -p.  Returns 0 or -1 with errno set. */
int cl_mkdirs(const char *path);

#endif
