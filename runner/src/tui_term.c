/* Curses setup and, above all, giving the terminal back on every exit:
 * normal quit, SIGINT/SIGTERM/SIGHUP (through a self-pipe, so the loop
 * quits the normal way) and crashes (endwin, then the signal again). */
#include "tui_view.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t curses_on;

static void on_quit_signal(int sig)
{
    unsigned char c = (unsigned char)sig;
    int saved = errno;
    (void)!write(sig_pipe[1], &c, 1);
    errno = saved;
}

/* endwin() is not async-signal-safe, but the view is already dying: giving
 * the learner a usable shell back is worth the risk. */
static void on_crash(int sig)
{
    if (curses_on)
        endwin();
    curses_on = 0;
    static const char msg[] = "chanlings: the view crashed; the terminal was restored.\n"
                              "Please report it with what you pressed last.\n";
    (void)!write(2, msg, sizeof msg - 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int crash_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

static void install(const int *sigs, size_t n, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < n; i++)
        sigaction(sigs[i], &sa, NULL);
}

int cl_tui_term_signal_fd(void)
{
    return sig_pipe[0];
}

/* role -> (colour, attributes); pair number is role + 1. */
static const struct {
    short fg;
    int attrs;
} role_style[CL_ROLE_COUNT] = {
    [CL_ROLE_TEXT] = {-1, 0},
    [CL_ROLE_H1] = {COLOR_CYAN, A_BOLD},
    [CL_ROLE_H2] = {COLOR_CYAN, A_BOLD},
    [CL_ROLE_H3] = {COLOR_BLUE, A_BOLD},
    [CL_ROLE_CODE] = {COLOR_YELLOW, 0},
    [CL_ROLE_CODE_BLOCK] = {-1, 0},
    [CL_ROLE_LINK] = {COLOR_BLUE, A_UNDERLINE},
    [CL_ROLE_URL] = {-1, A_DIM},
    [CL_ROLE_QUOTE] = {COLOR_MAGENTA, 0},
    [CL_ROLE_MARKER] = {COLOR_CYAN, 0},
    [CL_ROLE_KEYWORD] = {COLOR_MAGENTA, A_BOLD},
    [CL_ROLE_TYPE] = {COLOR_GREEN, 0},
    [CL_ROLE_STRING] = {COLOR_YELLOW, 0},
    [CL_ROLE_COMMENT] = {COLOR_BLUE, A_DIM},
    [CL_ROLE_NUMBER] = {COLOR_RED, 0},
    [CL_ROLE_PREPROC] = {COLOR_CYAN, 0},
    [CL_ROLE_PASS] = {COLOR_GREEN, A_BOLD},
    [CL_ROLE_FAIL] = {COLOR_RED, A_BOLD},
    [CL_ROLE_WARN] = {COLOR_YELLOW, A_BOLD},
    [CL_ROLE_LOCATION] = {-1, A_BOLD},
    [CL_ROLE_DIM] = {-1, A_DIM},
};

/* Without colour, some roles still need to stand out. */
static const int mono_extra[CL_ROLE_COUNT] = {
    [CL_ROLE_CODE] = A_BOLD, [CL_ROLE_KEYWORD] = A_BOLD, [CL_ROLE_PASS] = A_BOLD,
    [CL_ROLE_FAIL] = A_BOLD | A_REVERSE, [CL_ROLE_WARN] = A_BOLD, [CL_ROLE_COMMENT] = A_DIM,
};

static int colour_on;

int cl_tui_role_attr(int role, int attrs)
{
    int a = role_style[role].attrs;
    if (colour_on)
        a |= COLOR_PAIR(role + 1);
    else
        a |= mono_extra[role];
    if (attrs & CL_ATTR_BOLD)
        a |= A_BOLD;
    if (attrs & CL_ATTR_ITALIC)
        a |= A_ITALIC;
    if (attrs & CL_ATTR_UNDERLINE)
        a |= A_UNDERLINE;
    if (attrs & CL_ATTR_DIM)
        a |= A_DIM;
    return a;
}

void cl_tui_term_colours(cl_tui *t)
{
    const char *nc = getenv("NO_COLOR");
    t->color = has_colors() && !(nc && *nc);
    colour_on = t->color;
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    for (int r = 0; r < CL_ROLE_COUNT; r++)
        init_pair((short)(r + 1), role_style[r].fg, -1);
}

void cl_tui_term_start(cl_tui *t)
{
    if (sig_pipe[0] < 0 && pipe(sig_pipe) == 0)
        for (int i = 0; i < 2; i++)
            fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC), fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
    install(quit_signals, sizeof quit_signals / sizeof quit_signals[0], on_quit_signal, SA_RESTART);
    install(crash_signals, sizeof crash_signals / sizeof crash_signals[0], on_crash, SA_RESETHAND);
    initscr();
    curses_on = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    cl_tui_term_colours(t);
}

void cl_tui_term_stop(void)
{
    if (curses_on) {
        curs_set(1);
        endwin();
        curses_on = 0;
    }
}

void cl_tui_term_suspend(void)
{
    def_prog_mode();
    endwin();
}

void cl_tui_term_resume(void)
{
    reset_prog_mode();
    clearok(stdscr, TRUE);
    refresh();
}
