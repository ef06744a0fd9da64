/* ThreadSanitizer defaults for libgoc's test programs (include once per
 * program).  TSan reads these before TSAN_OPTIONS, which still overrides.
 *  - die_after_fork=0: run_dying() forks from a test that already has
 *    threads, and the child starts its own (a timer thread, goroutines);
 *  - atexit_sleep_ms=0: every Check test is a child process that exits, and
 *    the default one-second pause at exit would add a second per test. */
#ifndef GOC_TSAN_OPTIONS_H
#define GOC_TSAN_OPTIONS_H

#if defined(__SANITIZE_THREAD__)
#define GOC_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOC_UNDER_TSAN 1
#endif
#endif

#ifdef GOC_UNDER_TSAN
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "die_after_fork=0 atexit_sleep_ms=0"; }
#endif

#endif
