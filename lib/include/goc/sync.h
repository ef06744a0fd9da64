/* libgoc — the sync package.
 *
 *   Go                          C
 *   var wg sync.WaitGroup       goc_waitgroup wg = {0};
 *   wg.Add(n) / wg.Done()       goc_wg_add(&wg, n); goc_wg_done(&wg);
 *   wg.Wait()                   goc_wg_wait(&wg);
 *   var mu sync.Mutex           goc_mutex mu = {0};
 *   mu.Lock() / mu.Unlock()     goc_mutex_lock(&mu); goc_mutex_unlock(&mu);
 *   var rw sync.RWMutex         goc_rwmutex rw = {0};
 *   rw.RLock() / rw.RUnlock()   goc_rwmutex_rlock(&rw); goc_rwmutex_runlock(&rw);
 *   var once sync.Once          goc_once once = {0};
 *   once.Do(f)                  goc_once_do(&once, f, arg);
 *   wg.Go(f)        (Go 1.25)   goc_wg_go(&wg, f, arg);   f is void f(void *arg)
 *   c := sync.NewCond(&mu)      goc_cond c = goc_cond_make(&mu);
 *   c.Wait()                    goc_cond_wait(&c);   (with mu locked, in a loop)
 *   c.Signal() / c.Broadcast()  goc_cond_signal(&c); goc_cond_broadcast(&c);
 *   sync/atomic                 C11 <stdatomic.h>
 *
 * The zero value of each type is ready to use, as in Go (a goc_cond needs
 * its mutex: goc_cond_make, as Go's NewCond).  Like Go's, these
 * must not be copied after first use: pass a pointer.  libgoc checks this at
 * run time and stops the program with a message if a copy is used, and
 * tells a copy apart from memory that was freed or never initialised
 * (`self` records the object's address on first use, `self_check` the
 * same address scrambled: a copy carries both, garbage does not).
 * The fields are private. */
#ifndef GOC_SYNC_H
#define GOC_SYNC_H

#include "base.h"

typedef struct goc_waitgroup {
    _Atomic(int64_t) count;
    _Atomic(int32_t) waiters;
    _Atomic(uint32_t) sema;
    void *_Atomic self;
    _Atomic(uintptr_t) self_check;
} goc_waitgroup;

typedef struct goc_mutex {
    _Atomic(int32_t) state;
    _Atomic(uint32_t) sema;
    void *_Atomic self;
    _Atomic(uintptr_t) self_check;
} goc_mutex;

typedef struct goc_rwmutex {
    goc_mutex writer;              /* held by a writer while it waits and writes */
    _Atomic(int32_t) readers;      /* active readers; negative while a writer waits */
    _Atomic(int32_t) readers_leaving;
    _Atomic(uint32_t) reader_sema;
    _Atomic(uint32_t) writer_sema;
    void *_Atomic self;
    _Atomic(uintptr_t) self_check;
} goc_rwmutex;

typedef struct goc_once {
    _Atomic(uint32_t) done;
    goc_mutex m;
} goc_once;

typedef struct goc_cond {
    goc_mutex *L;                /* held around every wait, as Go's c.L */
    _Atomic(uint32_t) waiters;   /* goroutines in wait not yet signalled */
    _Atomic(uint32_t) sema;
    void *_Atomic self;
    _Atomic(uintptr_t) self_check;
} goc_cond;

void goc_wg_add_at(goc_waitgroup *wg, int64_t delta, goc_site site);
void goc_wg_wait_at(goc_waitgroup *wg, goc_site site);
#define goc_wg_add(wg, n) goc_wg_add_at((wg), (n), GOC_SITE)
#define goc_wg_done(wg) goc_wg_add_at((wg), -1, GOC_SITE)
#define goc_wg_wait(wg) goc_wg_wait_at((wg), GOC_SITE)

/* wg.Go(f) (Go 1.25): Add(1), then run fn(arg) in a new goroutine that
 * calls Done when fn returns. */
void goc_wg_go_at(goc_waitgroup *wg, goc_func fn, void *arg, const char *name, goc_site site);
#define goc_wg_go(wg, fn, ...) goc_wg_go_at((wg), (fn), (__VA_ARGS__), #fn, GOC_SITE)

void goc_mutex_lock_at(goc_mutex *m, goc_site site);
void goc_mutex_unlock_at(goc_mutex *m, goc_site site);
bool goc_mutex_trylock_at(goc_mutex *m, goc_site site);
#define goc_mutex_lock(m) goc_mutex_lock_at((m), GOC_SITE)
#define goc_mutex_unlock(m) goc_mutex_unlock_at((m), GOC_SITE)
#define goc_mutex_trylock(m) goc_mutex_trylock_at((m), GOC_SITE)

void goc_rwmutex_lock_at(goc_rwmutex *rw, goc_site site);
void goc_rwmutex_unlock_at(goc_rwmutex *rw, goc_site site);
void goc_rwmutex_rlock_at(goc_rwmutex *rw, goc_site site);
void goc_rwmutex_runlock_at(goc_rwmutex *rw, goc_site site);
#define goc_rwmutex_lock(rw) goc_rwmutex_lock_at((rw), GOC_SITE)
#define goc_rwmutex_unlock(rw) goc_rwmutex_unlock_at((rw), GOC_SITE)
#define goc_rwmutex_rlock(rw) goc_rwmutex_rlock_at((rw), GOC_SITE)
#define goc_rwmutex_runlock(rw) goc_rwmutex_runlock_at((rw), GOC_SITE)

void goc_once_do_at(goc_once *once, goc_func fn, void *arg, goc_site site);
#define goc_once_do(once, fn, arg) goc_once_do_at((once), (fn), (arg), GOC_SITE)

/* sync.Cond.  wait unlocks L, sleeps until signalled, and locks L again
 * before it returns; call it with L locked, in a loop that re-checks the
 * condition (another goroutine may have changed it first).  signal wakes
 * one waiting goroutine, broadcast all; neither needs L held. */
static inline goc_cond goc_cond_make(goc_mutex *L) { return (goc_cond){.L = L}; }
void goc_cond_wait_at(goc_cond *c, goc_site site);
void goc_cond_signal_at(goc_cond *c, goc_site site);
void goc_cond_broadcast_at(goc_cond *c, goc_site site);
#define goc_cond_wait(c) goc_cond_wait_at((c), GOC_SITE)
#define goc_cond_signal(c) goc_cond_signal_at((c), GOC_SITE)
#define goc_cond_broadcast(c) goc_cond_broadcast_at((c), GOC_SITE)

#endif
