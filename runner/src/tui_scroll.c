/* Scrolling, one rule for everything that scrolls: the panes, the help,
 * the quiz and the exercise list.  A key means the same in all of them. */
#include "tui_view.h"

#include <curses.h>

int cl_tui_scroll_delta(int key, int visible, int total)
{
    int page = visible > 2 ? visible - 2 : 1;
    switch (key) {
    case KEY_UP: case 'k': return -1;
    case KEY_DOWN: case 'j': return 1;
    case KEY_PPAGE: case 'b': return -page;
    case KEY_NPAGE: case ' ': return page;
    case KEY_HOME: case 'g': return -total - 1;
    case KEY_END: case 'G': return total + 1;
    default: return 0;
    }
}

void cl_tui_scroll_by(int *top, int delta, int total, int visible)
{
    int max = total - visible;
    *top += delta;
    if (*top > max)
        *top = max;
    if (*top < 0)
        *top = 0;
}

void cl_tui_scroll(cl_tui *t, cl_tui_pane *p, int delta)
{
    (void)t;
    cl_tui_scroll_by(&p->top, delta, p->doc.count, p->h);
}
