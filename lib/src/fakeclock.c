/* The fake clock's public face; the machinery is in timer.c, where the
 * timers are (see the top of that file). */
#include "goc/fakeclock.h"

#include "goc/runtime.h"
#include "timer.h"

void goc_fakeclock_enable(void)
{
    sched_current(); /* the caller counts as running: time must not move under it */
    timer_fake_enable();
}

bool goc_fakeclock_enabled(void) { return timer_fake_enabled(); }

goc_time goc_real_now(void) { return sched_nanotime(); }

static void require_enabled(const char *op)
{
    if (!timer_fake_enabled())
        goc_panic_at(GOC_SITE,
                     "%s while the fake clock is off.\n"
                     "Call goc_fakeclock_enable() at the start of the test, before the code under test runs.",
                     op);
}

void goc_fakeclock_advance(goc_duration d)
{
    require_enabled("goc_fakeclock_advance");
    int64_t now = sched_timer_now();
    if (d < 0)
        d = 0;
    timer_fake_wait_until(d > INT64_MAX - now ? INT64_MAX : now + d, GOC_SITE);
}

bool goc_fakeclock_next(void)
{
    require_enabled("goc_fakeclock_next");
    int64_t when;
    if (!timer_earliest(&when))
        return false;
    timer_fake_wait_until(when, GOC_SITE);
    return true;
}
