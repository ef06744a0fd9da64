/* Sanitizer defaults for libgoc's test programs (include once per
 * program).  The sanitizers read these before TSAN_OPTIONS/ASAN_OPTIONS,
 * which still override.
 *  - die_after_fork=0: run_dying() forks from a test that already has
 *    threads, and the child starts its own (a timer thread, goroutines);
 *  - atexit_sleep_ms=0: every Check test is a child process that exits, and
 *    the default one-second pause at exit would add a second per test;
 *  - ASan's detect_stack_use_after_return=1: the runner's memory pass checks
 *    learner code with it, and it changes how stacks work (frames with
 *    escaping locals move to a per-stack "fake stack" that the M:N
 *    scheduler must hand over at every switch), so libgoc is tested so. */
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

#if defined(__SANITIZE_ADDRESS__)
#define GOC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GOC_UNDER_ASAN 1
#endif
#endif

#ifdef GOC_UNDER_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_stack_use_after_return=1"; }
#endif

#endif
