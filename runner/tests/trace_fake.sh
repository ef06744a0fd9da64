# Sourced by the shell tests: a stand-in for libgoc's trace recorder, so
# `chanlings trace` is tested through the real build, sandbox and copy.
#   fake_trace_program FIXTURE OUT.c
# writes a C program whose main leaves FIXTURE, byte for byte, where
# GOC_TRACE says.  It writes beside that file and renames over it, then
# leaves with _exit, so a recorder in libgoc cannot overwrite it.
fake_trace_program() {
    {
        printf '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n'
        printf 'static const char trace[] =\n'
        sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/\\n"/' "$1"
        printf ';\n'
        cat <<'CEOF'
int main(void)
{
    const char *to = getenv("GOC_TRACE");
    char aside[4096];
    if (!to || snprintf(aside, sizeof aside, "%s.part", to) >= (int)sizeof aside)
        return 3;
    FILE *f = fopen(aside, "w");
    if (!f || fputs(trace, f) < 0 || fclose(f) != 0 || rename(aside, to) != 0)
        return 4;
    printf("fake recorder: wrote the trace\n");
    fflush(stdout);
    _exit(0);
}
CEOF
    } > "$2"
}
