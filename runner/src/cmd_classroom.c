/* placeholder */
#include "cmd.h"
int cl_cmd_classroom(cl_ctx *ctx, int argc, char **argv) { (void)ctx; (void)argc; (void)argv; return CL_EXIT_USAGE; }
