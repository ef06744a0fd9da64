/* The execution trace's writer: turns the per-thread buffers' raw events
 * into the Chrome Trace Event Format JSON (the contract is in
 * docs/ARCHITECTURE.md, "The execution trace").
 *
 * Raw events record transitions (start, block, unblock, end); the file
 * wants spans (running, runnable, blocked: complete "X" events) and flow
 * arrows.  So the events of every buffer are merged in time order, each
 * goroutine's state is replayed to cut its track into spans, and the
 * resulting records are sorted again by start time before they are
 * printed.  Everything lives in mmap'd memory and goes out with write(2):
 * a stopping program calls this with other threads frozen, maybe holding
 * malloc's or stdio's lock. */
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sched.h"
#include "trace_buf.h"

/* ---- memory and sorting ---------------------------------------------------------- */

static void *map(size_t size)
{
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void unmap(void *p, size_t size)
{
    if (p)
        munmap(p, size ? size : 1);
}

/* Every sorted thing starts with this key: time, then the order it was made in. */
typedef struct sort_key {
    int64_t ts;
    uint64_t seq;
} sort_key;

static bool key_less(const sort_key *a, const sort_key *b)
{
    return a->ts != b->ts ? a->ts < b->ts : a->seq < b->seq;
}

/* A bottom-up merge sort on elements that begin with a sort_key, with
 * mapped scratch memory: libc's qsort may allocate, and a stopping program
 * must not.  Runs are merged back and forth between the two arrays; the
 * result ends in `base`.  False if the scratch memory could not be mapped. */
static bool sort_by_key(void *base, size_t n, size_t size)
{
    char *scratch = map(n * size);
    if (!scratch)
        return false;
    char *from = base, *to = scratch;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            /* Mostly in order already (each buffer is): two runs that need
             * no merging are one copy. */
            if (mid >= hi || !key_less((const sort_key *)(from + mid * size),
                                       (const sort_key *)(from + (mid - 1) * size))) {
                memcpy(to + lo * size, from + lo * size, (hi - lo) * size);
                continue;
            }
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                bool right = key_less((const sort_key *)(from + j * size), (const sort_key *)(from + i * size));
                memcpy(to + k++ * size, from + (right ? j++ : i++) * size, size);
            }
            memcpy(to + k * size, from + i * size, (mid - i) * size);
            k += mid - i;
            memcpy(to + k * size, from + j * size, (hi - j) * size);
        }
        char *t = from;
        from = to;
        to = t;
    }
    if (from != base)
        memcpy(base, from, n * size);
    unmap(scratch, n * size);
    return true;
}

/* ---- the records the file is made of ----------------------------------------------- */

typedef struct ev_ref {
    sort_key key;
    const trace_ev *e;
} ev_ref;

typedef enum out_type { OUT_NAME, OUT_SORT_INDEX, OUT_SPAN, OUT_INSTANT, OUT_FLOW_START, OUT_FLOW_END } out_type;

enum g_state { G_UNSEEN, G_RUNNABLE, G_RUNNING, G_BLOCKED, G_DEAD };

/* Instants: name, category, which args they carry. */
enum { ARG_CHILD = 1, ARG_CHAN = 2, ARG_CLOSED = 4, ARG_CASE = 8, ARG_SITE = 16, ARG_MESSAGE = 32 };
typedef enum instant {
    I_GO, I_SEND, I_RECV, I_RECV_CLOSED, I_CLOSE, I_SELECT, I_TIMER, I_END, I_PANIC, I_DEADLOCK
} instant;
static const struct {
    const char *name, *cat;
    int args;
} instants[] = {
    [I_GO] = {"go", "sched", ARG_CHILD | ARG_SITE},
    [I_SEND] = {"send", "chan", ARG_CHAN | ARG_SITE},
    [I_RECV] = {"recv", "chan", ARG_CHAN | ARG_SITE},
    [I_RECV_CLOSED] = {"recv", "chan", ARG_CHAN | ARG_CLOSED | ARG_SITE},
    [I_CLOSE] = {"close", "chan", ARG_CHAN | ARG_SITE},
    [I_SELECT] = {"select", "select", ARG_CASE | ARG_SITE},
    [I_TIMER] = {"timer fire", "timer", ARG_SITE},
    [I_END] = {"end", "sched", 0},
    [I_PANIC] = {"panic", "sched", ARG_SITE | ARG_MESSAGE},
    [I_DEADLOCK] = {"deadlock", "sched", ARG_MESSAGE},
};

typedef struct out_rec {
    sort_key key;
    int64_t dur;
    int64_t tid;
    int64_t a; /* span: woken_by (< 0: none); flow: id; instant: enum instant */
    const trace_ev *ev; /* where the site, channel, name or message come from */
    uint8_t type;
    uint8_t state; /* span: enum g_state */
} out_rec;

typedef struct gstate {
    uint8_t state;
    bool wake_early; /* readied before its block was recorded (a park without a lock) */
    int64_t waker;   /* ... by whom */
    int64_t since;
    const trace_ev *block; /* while blocked: why and where (NULL: since before the trace) */
    const trace_ev *create;
    uint64_t flow; /* a wake arrow waiting for this goroutine's next event */
} gstate;

typedef struct writer {
    const trace_meta *m;
    gstate *gs;
    int64_t maxg;
    out_rec *out;
    size_t nout, maxout;
    uint64_t seq, flows;
    int fd;
    bool ok, first;
    size_t used;
    char buf[1 << 16];
} writer;

static void push(writer *w, out_rec r, int64_t ts)
{
    if (w->nout >= w->maxout) {
        w->ok = false;
        return;
    }
    /* names first: they precede everything at ts 0 */
    r.key = (sort_key){ts, (r.type <= OUT_SORT_INDEX ? 0 : 1ULL << 62) + w->seq++};
    w->out[w->nout++] = r;
}

static void add_instant(writer *w, int64_t tid, int64_t ts, instant what, const trace_ev *e)
{
    push(w, (out_rec){.type = OUT_INSTANT, .tid = tid, .a = what, .ev = e}, ts);
}

static void add_flow(writer *w, out_type type, int64_t tid, int64_t ts, uint64_t id)
{
    push(w, (out_rec){.type = (uint8_t)type, .tid = tid, .a = (int64_t)id}, ts);
}

/* Closes g's current span at ts and enters `state` from ts on. */
static void move(writer *w, int64_t id, gstate *s, int64_t ts, uint8_t state, int64_t woken_by)
{
    if (s->state >= G_RUNNABLE && s->state <= G_BLOCKED)
        push(w, (out_rec){.type = OUT_SPAN, .state = s->state, .tid = id, .dur = ts - s->since, .a = woken_by,
                          .ev = s->block},
             s->since);
    s->state = state;
    s->since = ts;
    s->block = NULL;
}

/* A goroutine's first event: it was running since the trace began (main,
 * or one already alive when goc_trace_start was called). */
static gstate *subject(writer *w, int64_t id, int64_t ts)
{
    gstate *s = &w->gs[id];
    if (s->state == G_UNSEEN) {
        s->state = G_RUNNING;
        s->since = 0;
    }
    if (s->flow) { /* the arrow of the wake that led here */
        add_flow(w, OUT_FLOW_END, id, ts, s->flow);
        s->flow = 0;
    }
    return s;
}

static void replay_unblock(writer *w, const trace_ev *e, int64_t ts)
{
    int64_t waker = e->g, id = e->other;
    gstate *t = &w->gs[id];
    if (t->state == G_UNSEEN) { /* blocked since before the trace */
        t->state = G_BLOCKED;
        t->since = 0;
    }
    if (waker > 0) {
        subject(w, waker, ts);
        add_flow(w, OUT_FLOW_START, waker, ts, ++w->flows);
        if (t->flow)
            add_flow(w, OUT_FLOW_END, id, ts, t->flow);
        t->flow = w->flows;
    }
    if (e->reason == UNBLOCK_TIMER)
        add_instant(w, id, ts, I_TIMER, e);
    if (t->state == G_BLOCKED) {
        move(w, id, t, ts, G_RUNNABLE, waker);
    } else if (t->state == G_RUNNING) {
        t->wake_early = true;
        t->waker = waker;
    }
}

static void replay_block(writer *w, int64_t id, gstate *s, const trace_ev *e, int64_t ts)
{
    move(w, id, s, ts, G_BLOCKED, -1);
    s->block = e;
    if (s->wake_early) { /* a zero-length wait: it was readied already */
        s->wake_early = false;
        move(w, id, s, ts, G_RUNNABLE, s->waker);
    }
}

/* Ticks since the start, in ns. */
static int64_t rel_ns(const trace_meta *m, int64_t ticks) { return (int64_t)((double)(ticks - m->t0) * m->ns_per_tick); }

static void replay(writer *w, const trace_ev *e)
{
    int64_t ts = rel_ns(w->m, e->ts);
    if (e->kind == EV_UNBLOCK) {
        replay_unblock(w, e, ts);
        return;
    }
    if (e->kind == EV_START && w->gs[e->g].state == G_UNSEEN) { /* runnable since before the trace */
        w->gs[e->g].state = G_RUNNABLE;
        w->gs[e->g].since = 0;
    }
    if (e->g <= 0) { /* a timer's goc_after_func: no parent track */
        if (e->kind == EV_CREATE && w->gs[e->other].state == G_UNSEEN)
            w->gs[e->other] = (gstate){.state = G_RUNNABLE, .since = ts, .create = e};
        return;
    }
    gstate *s = subject(w, e->g, ts);
    switch ((trace_kind)e->kind) {
    case EV_CREATE:
        add_instant(w, e->g, ts, I_GO, e);
        if (w->gs[e->other].state == G_UNSEEN)
            w->gs[e->other] = (gstate){.state = G_RUNNABLE, .since = ts, .create = e};
        break;
    case EV_START:
        if (s->state != G_RUNNING)
            move(w, e->g, s, ts, G_RUNNING, -1);
        break;
    case EV_BLOCK: replay_block(w, e->g, s, e, ts); break;
    case EV_END:
        move(w, e->g, s, ts, G_DEAD, -1);
        add_instant(w, e->g, ts, I_END, e);
        break;
    case EV_SEND: add_instant(w, e->g, ts, I_SEND, e); break;
    case EV_RECV: add_instant(w, e->g, ts, I_RECV, e); break;
    case EV_RECV_CLOSED: add_instant(w, e->g, ts, I_RECV_CLOSED, e); break;
    case EV_CLOSE: add_instant(w, e->g, ts, I_CLOSE, e); break;
    case EV_SELECT: add_instant(w, e->g, ts, I_SELECT, e); break;
    case EV_STOP: add_instant(w, e->g, ts, e->reason == STOP_DEADLOCK ? I_DEADLOCK : I_PANIC, e); break;
    case EV_UNBLOCK: break;
    }
}

/* The program ended: every open span closes now, every track ends. */
static void close_all(writer *w)
{
    int64_t end = rel_ns(w->m, w->m->tend);
    for (int64_t id = 1; id <= w->maxg; id++) {
        gstate *s = &w->gs[id];
        if (s->state == G_UNSEEN)
            continue;
        push(w, (out_rec){.type = OUT_NAME, .tid = id, .ev = s->create}, 0);
        push(w, (out_rec){.type = OUT_SORT_INDEX, .tid = id}, 0);
        if (s->state == G_DEAD)
            continue;
        subject(w, id, end);
        move(w, id, s, end, G_DEAD, -1);
        add_instant(w, id, end, I_END, NULL);
    }
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void flush_buf(writer *w)
{
    size_t off = 0;
    while (off < w->used) {
        ssize_t n = write(w->fd, w->buf + off, w->used - off);
        if (n <= 0) {
            w->ok = false;
            break;
        }
        off += (size_t)n;
    }
    w->used = 0;
}

static void put(writer *w, const char *s, size_t n)
{
    if (w->used + n > sizeof w->buf)
        flush_buf(w);
    if (n > sizeof w->buf)
        n = sizeof w->buf;
    memcpy(w->buf + w->used, s, n);
    w->used += n;
}

static void put_s(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_u(writer *w, uint64_t v, int min_digits)
{
    char d[24];
    int n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    put(w, d + sizeof d - n, (size_t)n);
}

static void put_i(writer *w, int64_t v)
{
    if (v < 0) {
        put_s(w, "-");
        put_u(w, (uint64_t)0 - (uint64_t)v, 1);
    } else {
        put_u(w, (uint64_t)v, 1);
    }
}

/* ns as microseconds with three decimals */
static void put_us(writer *w, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    put_u(w, (uint64_t)ns / 1000, 1);
    put_s(w, ".");
    put_u(w, (uint64_t)ns % 1000, 3);
}

/* The inside of a JSON string: at most `max` bytes of s, escaped. */
static void put_esc(writer *w, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; s && i < max && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(w, esc, 2);
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, esc, 6);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
}

static void put_str(writer *w, const char *s, size_t max)
{
    put_s(w, "\"");
    put_esc(w, s, max);
    put_s(w, "\"");
}

static void put_key(writer *w, const char *key, bool *comma)
{
    if (*comma)
        put_s(w, ",");
    put_s(w, "\"");
    put_s(w, key);
    put_s(w, "\":");
    *comma = true;
}

/* "site":"file:line" */
static void put_site(writer *w, const trace_ev *e, bool *comma)
{
    if (!e || !e->file)
        return;
    put_key(w, "site", comma);
    put_s(w, "\"");
    put_esc(w, e->file, 512);
    put_s(w, ":");
    put_i(w, e->line);
    put_s(w, "\"");
}

static void put_instant_args(writer *w, const out_rec *r)
{
    int args = instants[r->a].args;
    const trace_ev *e = r->ev;
    bool comma = false;
    if (!e)
        return;
    if (args & ARG_CHILD) {
        put_key(w, "child", &comma);
        put_i(w, e->other);
    }
    if (args & ARG_CHAN) {
        static const char hex[] = "0123456789abcdef";
        char p[2 + 16];
        uintptr_t v = (uintptr_t)e->u.chan;
        int n = 0;
        do {
            p[sizeof p - 1 - n++] = hex[v & 15];
            v >>= 4;
        } while (v);
        put_key(w, "chan", &comma);
        put_s(w, "\"0x");
        put(w, p + sizeof p - n, (size_t)n);
        put_s(w, "\"");
    }
    if (args & ARG_CLOSED) {
        put_key(w, "closed", &comma);
        put_s(w, "true");
    }
    if (args & ARG_CASE) {
        put_key(w, "case", &comma);
        put_i(w, e->other);
    }
    if (args & ARG_SITE)
        put_site(w, e, &comma);
    if (args & ARG_MESSAGE) {
        put_key(w, "message", &comma);
        put_str(w, w->m->message ? w->m->message : "", 4096);
    }
}

static void put_head(writer *w, const char *ph, const out_rec *r, bool with_ts)
{
    put_s(w, w->first ? "\n{\"ph\":\"" : ",\n{\"ph\":\"");
    w->first = false;
    put_s(w, ph);
    put_s(w, "\"");
    if (with_ts) {
        put_s(w, ",\"ts\":");
        put_us(w, r->key.ts);
    }
    put_s(w, ",\"pid\":1,\"tid\":");
    put_i(w, r->tid);
}

static const char *const span_names[] = {[G_RUNNABLE] = "runnable", [G_RUNNING] = "running"};

static void put_record(writer *w, const out_rec *r)
{
    switch ((out_type)r->type) {
    case OUT_NAME:
        put_head(w, "M", r, true);
        /* "g7 fetcher 3": goc_go_named's name or the function; main and
         * threads libgoc did not start have no create event */
        put_s(w, ",\"name\":\"thread_name\",\"args\":{\"name\":\"g");
        put_i(w, r->tid);
        put_s(w, " ");
        put_esc(w, r->ev ? r->ev->u.name : r->tid == 1 ? "main" : "thread", TRACE_NAME_MAX);
        put_s(w, "\"}}");
        break;
    case OUT_SORT_INDEX:
        put_head(w, "M", r, true);
        put_s(w, ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":");
        put_i(w, r->tid);
        put_s(w, "}}");
        break;
    case OUT_SPAN: {
        put_head(w, "X", r, true);
        put_s(w, ",\"dur\":");
        put_us(w, r->dur);
        bool blocked = r->state == G_BLOCKED;
        put_s(w, ",\"name\":");
        put_str(w, blocked ? sched_wait_reason_name(r->ev ? (sched_wait_reason)r->ev->reason : WAIT_REASON_COUNT)
                           : span_names[r->state], 64);
        put_s(w, blocked ? ",\"cat\":\"blocked\",\"args\":{" : ",\"cat\":\"state\",\"args\":{");
        bool comma = false;
        if (blocked)
            put_site(w, r->ev, &comma);
        if (blocked && r->a >= 0) {
            put_key(w, "woken_by", &comma);
            put_i(w, r->a);
        }
        put_s(w, "}}");
        break;
    }
    case OUT_INSTANT:
        put_head(w, "i", r, true);
        put_s(w, ",\"s\":\"t\",\"name\":\"");
        put_s(w, instants[r->a].name);
        put_s(w, "\",\"cat\":\"");
        put_s(w, instants[r->a].cat);
        put_s(w, "\",\"args\":{");
        put_instant_args(w, r);
        put_s(w, "}}");
        break;
    case OUT_FLOW_START:
    case OUT_FLOW_END:
        put_head(w, r->type == OUT_FLOW_START ? "s" : "f", r, true);
        put_s(w, r->type == OUT_FLOW_END ? ",\"bp\":\"e\",\"id\":" : ",\"id\":");
        put_i(w, r->a);
        put_s(w, ",\"cat\":\"wake\",\"name\":\"wake\"}");
        break;
    }
}

/* ---- the whole file --------------------------------------------------------------------- */

static void put_header(writer *w)
{
    put_s(w, "{\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"producer\":\"libgoc\",\"format\":1,\"scheduler\":");
    put_str(w, w->m->sched, 16);
    put_s(w, ",\"end\":");
    put_str(w, w->m->end, 16);
    put_s(w, ",\"dropped\":");
    put_u(w, w->m->dropped, 1);
    put_s(w, "},\n\"traceEvents\":[");
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Every event of this trace, in time order (a buffer's own order breaks ties). */
static ev_ref *collect(const trace_meta *m, size_t *count, int64_t *maxg, size_t *mapped)
{
    uint64_t gen = atomic_load(&trace_gen);
    size_t n = 0;
    for (trace_buf *b = atomic_load(&trace_bufs); b; b = b->next) {
        bool ours = atomic_load_explicit(&b->gen, memory_order_acquire) == gen;
        b->snap = ours ? atomic_load_explicit(&b->count, memory_order_acquire) : 0;
        n += b->snap;
    }
    *mapped = n * sizeof(ev_ref);
    ev_ref *refs = map(*mapped);
    if (!refs)
        return NULL;
    size_t k = 0;
    uint64_t ordinal = 0;
    *maxg = 1;
    for (trace_buf *b = atomic_load(&trace_bufs); b; b = b->next, ordinal++)
        for (size_t i = 0; i < b->snap; i++) {
            const trace_ev *e = trace_buf_at(b, i);
            if (e->ts < m->t0 || e->ts > m->tend)
                continue; /* recorded after the end was taken */
            refs[k++] = (ev_ref){{e->ts, ordinal << 32 | i}, e};
            *maxg = max64(*maxg, max64(e->g, e->kind == EV_CREATE || e->kind == EV_UNBLOCK ? e->other : 0));
        }
    *count = k;
    if (!sort_by_key(refs, k, sizeof *refs)) {
        unmap(refs, *mapped);
        return NULL;
    }
    return refs;
}

bool trace_write(int fd, const trace_meta *m)
{
    size_t n = 0, refs_size = 0;
    int64_t maxg = 1;
    ev_ref *refs = collect(m, &n, &maxg, &refs_size);
    writer *w = map(sizeof *w);
    size_t gs_size = (size_t)(maxg + 1) * sizeof(gstate);
    size_t maxout = 4 * n + 5 * (size_t)(maxg + 1) + 8;
    gstate *gs = map(gs_size);
    out_rec *out = map(maxout * sizeof(out_rec));
    bool ok = refs && w && gs && out;
    if (ok) {
        *w = (writer){.m = m, .gs = gs, .maxg = maxg, .out = out, .maxout = maxout, .fd = fd, .ok = true,
                      .first = true};
        for (size_t i = 0; i < n; i++)
            replay(w, refs[i].e);
        close_all(w);
        w->ok = sort_by_key(out, w->nout, sizeof *out) && w->ok;
        put_header(w);
        for (size_t i = 0; i < w->nout; i++)
            put_record(w, &out[i]);
        put_s(w, "\n]}\n");
        flush_buf(w);
        ok = w->ok;
    }
    unmap(refs, refs_size);
    unmap(w, sizeof *w);
    unmap(gs, gs_size);
    unmap(out, maxout * sizeof(out_rec));
    return ok;
}
