/* Runs one Check suite and turns its result into an exit status: the
 * main() of every runner test program. */
#ifndef CL_CHECK_RUN_H
#define CL_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int cl_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
