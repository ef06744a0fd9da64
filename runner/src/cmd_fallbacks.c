/* chanlings — stand-ins for commands other parts of the runner provide,
 * so the program links while they are being written.  Weak: the real
 * definition (cmd_quiz.c, tui.c) wins as soon as it exists. */
#include <stdio.h>

#include "cmd.h"
#include "tui.h"

__attribute__((weak)) int cl_tui_main(struct cl_ctx *ctx)
{
    fprintf(stderr, "chanlings: the split-pane view is not available yet in this build; "
            "`chanlings --help` lists the commands\n");
    return cl_cmd_status(ctx, 0, NULL);
}
