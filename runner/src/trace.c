/* chanlings — reading libgoc's execution trace (trace.h) with json-c.
 *
 * Three passes over traceEvents: the first event's time (every time is
 * kept relative to it), then the tracks (names and state spans), then what
 * happens on them (end, panic and deadlock instants, wake-up flows), which
 * only attach to goroutines the second pass found. */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

/* ---- owned strings, interned: reasons and sites repeat on every span ---- */

typedef struct {
    char **slot; /* open addressing, a power of two */
    size_t cap, n;
    bool oom;
} pool;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static const char *pool_intern(pool *p, const char *s)
{
    if (!s)
        return NULL;
    if (2 * (p->n + 1) > p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot) {
            p->oom = true;
            return NULL;
        }
        for (size_t i = 0; i < p->cap; i++)
            if (p->slot[i]) {
                size_t k = hash_str(p->slot[i]) & (cap - 1);
                while (slot[k])
                    k = (k + 1) & (cap - 1);
                slot[k] = p->slot[i];
            }
        free(p->slot);
        p->slot = slot;
        p->cap = cap;
    }
    size_t k = hash_str(s) & (p->cap - 1);
    while (p->slot[k]) {
        if (strcmp(p->slot[k], s) == 0)
            return p->slot[k];
        k = (k + 1) & (p->cap - 1);
    }
    if (!(p->slot[k] = strdup(s))) {
        p->oom = true;
        return NULL;
    }
    p->n++;
    return p->slot[k];
}

static void pool_free(pool *p)
{
    for (size_t i = 0; p && i < p->cap; i++)
        free(p->slot[i]);
    if (p)
        free(p->slot);
    free(p);
}

/* ---- growing arrays ---- */

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? 2 * *cap : 8;
    void *nv = realloc(*v, c * size);
    if (!nv)
        return false;
    *v = nv;
    *cap = c;
    return true;
}

/* ---- the parse ---- */

typedef struct {
    cl_trace *t;
    pool *strings;
    size_t gcap;
    size_t *spancap, *markcap; /* per goroutine */
    cl_trace_flow *starts;     /* "s" halves; to_ts unused */
    long *start_ids;
    size_t nstarts, startcap, startidcap;
    size_t last;               /* events of one track come in runs */
    char *err;
    size_t errsz;
} parse;

static void fail(parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(parse *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errsz, fmt, ap);
    va_end(ap);
}

static json_object *field(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str_field(json_object *o, const char *key)
{
    json_object *v = field(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A JSON number at key as *out; false when absent, not a number or not finite. */
static bool num_field(json_object *o, const char *key, double *out)
{
    json_object *v = field(o, key);
    if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        return false;
    *out = json_object_get_double(v);
    return isfinite(*out);
}

/* The goroutine with this id, or NULL; the last one found is tried first. */
static cl_trace_g *find_g(parse *p, long id)
{
    cl_trace *t = p->t;
    if (p->last < t->ngs && t->gs[p->last].id == id)
        return &t->gs[p->last];
    for (size_t i = 0; i < t->ngs; i++)
        if (t->gs[i].id == id) {
            p->last = i;
            return &t->gs[i];
        }
    return NULL;
}

/* The goroutine with this id, added when new; NULL when out of memory. */
static cl_trace_g *track(parse *p, long id)
{
    cl_trace *t = p->t;
    cl_trace_g *g = find_g(p, id);
    if (g)
        return g;
    size_t old = p->gcap;
    if (!grow((void **)&t->gs, &p->gcap, t->ngs, sizeof *t->gs))
        return NULL;
    if (p->gcap != old) {
        size_t *sc = realloc(p->spancap, p->gcap * sizeof *sc);
        if (sc)
            p->spancap = sc;
        size_t *mc = realloc(p->markcap, p->gcap * sizeof *mc);
        if (mc)
            p->markcap = mc;
        if (!sc || !mc)
            return NULL;
    }
    p->spancap[t->ngs] = p->markcap[t->ngs] = 0;
    p->last = t->ngs;
    g = &t->gs[t->ngs++];
    *g = (cl_trace_g){.id = id, .sort = id};
    return g;
}

static bool event_tid(parse *p, json_object *ev, size_t i, long *tid)
{
    double d;
    if (!num_field(ev, "tid", &d) || d < 0 || d > 1e15 || d != (double)(long)d) {
        fail(p, "event %zu has no goroutine id (\"tid\" must be a whole number)", i);
        return false;
    }
    *tid = (long)d;
    return true;
}

static bool event_ts(parse *p, json_object *ev, size_t i, double *ts)
{
    if (!num_field(ev, "ts", ts)) {
        fail(p, "event %zu has no time (\"ts\" must be a number of microseconds)", i);
        return false;
    }
    return true;
}

/* Pass 2: thread_name / thread_sort_index metadata and "X" state spans. */
static bool take_track_event(parse *p, json_object *ev, size_t i, const char *ph, double t0)
{
    cl_trace *t = p->t;
    long tid;
    if (strcmp(ph, "M") == 0) {
        const char *name = str_field(ev, "name");
        json_object *args = field(ev, "args");
        bool is_name = name && strcmp(name, "thread_name") == 0;
        bool is_sort = name && strcmp(name, "thread_sort_index") == 0;
        if (!is_name && !is_sort)
            return true;
        if (!event_tid(p, ev, i, &tid))
            return false;
        cl_trace_g *g = track(p, tid);
        if (!g)
            return fail(p, "out of memory"), false;
        double sort;
        if (is_name && args && str_field(args, "name"))
            g->name = pool_intern(p->strings, str_field(args, "name"));
        else if (is_sort && args && num_field(args, "sort_index", &sort) && sort > -1e15 &&
                 sort < 1e15)
            g->sort = (long)sort;
        return true;
    }
    if (strcmp(ph, "X") != 0)
        return true;
    const char *name = str_field(ev, "name"), *cat = str_field(ev, "cat");
    cl_trace_span s = {0};
    if (name && strcmp(name, "running") == 0) {
        s.state = CL_TRACE_RUNNING;
    } else if (name && strcmp(name, "runnable") == 0) {
        s.state = CL_TRACE_RUNNABLE;
    } else if (name && cat && strcmp(cat, "blocked") == 0) {
        s.state = CL_TRACE_BLOCKED;
        s.reason = pool_intern(p->strings, name);
        json_object *args = field(ev, "args");
        s.site = args ? pool_intern(p->strings, str_field(args, "site")) : NULL;
    } else {
        return true; /* a span of some other kind: not a goroutine state */
    }
    if (!event_tid(p, ev, i, &tid) || !event_ts(p, ev, i, &s.ts))
        return false;
    if (!num_field(ev, "dur", &s.dur) || s.dur < 0) {
        fail(p, "event %zu (a \"%s\" span) has no length (\"dur\" must be a number >= 0)", i, name);
        return false;
    }
    s.ts -= t0;
    cl_trace_g *g = track(p, tid);
    size_t gi = g ? (size_t)(g - t->gs) : 0;
    if (!g || !grow((void **)&g->spans, &p->spancap[gi], g->nspans, sizeof *g->spans))
        return fail(p, "out of memory"), false;
    g->spans[g->nspans++] = s;
    if (s.ts + s.dur > t->duration)
        t->duration = s.ts + s.dur;
    return true;
}

static const struct {
    const char *name;
    cl_trace_mark_kind kind;
} mark_names[] = {
    {"panic", CL_TRACE_MARK_PANIC},
    {"deadlock", CL_TRACE_MARK_DEADLOCK},
    {"end", CL_TRACE_MARK_END},
};

/* Pass 3: instants the timeline marks, and the two halves of each flow. */
static bool take_point_event(parse *p, json_object *ev, size_t i, const char *ph, double t0)
{
    cl_trace *t = p->t;
    bool instant = strcmp(ph, "i") == 0 || strcmp(ph, "I") == 0;
    bool start = strcmp(ph, "s") == 0, finish = strcmp(ph, "f") == 0;
    if (!instant && !start && !finish)
        return true;
    long tid;
    double ts;
    if (!event_tid(p, ev, i, &tid) || !event_ts(p, ev, i, &ts))
        return false;
    ts -= t0;
    if (ts > t->duration)
        t->duration = ts;
    cl_trace_g *g = find_g(p, tid);
    if (instant) {
        const char *name = str_field(ev, "name");
        for (size_t k = 0; g && name && k < sizeof mark_names / sizeof *mark_names; k++) {
            if (strcmp(name, mark_names[k].name) != 0)
                continue;
            size_t gi = (size_t)(g - t->gs);
            if (!grow((void **)&g->marks, &p->markcap[gi], g->nmarks, sizeof *g->marks))
                return fail(p, "out of memory"), false;
            json_object *args = field(ev, "args");
            g->marks[g->nmarks++] = (cl_trace_mark){
                ts, mark_names[k].kind, args ? pool_intern(p->strings, str_field(args, "site")) : NULL,
                args ? pool_intern(p->strings, str_field(args, "message")) : NULL};
        }
        return true;
    }
    double id;
    if (!num_field(ev, "id", &id)) {
        fail(p, "event %zu (a wake-up flow) has no \"id\" number", i);
        return false;
    }
    if (start) {
        if (!grow((void **)&p->starts, &p->startcap, p->nstarts, sizeof *p->starts) ||
            !grow((void **)&p->start_ids, &p->startidcap, p->nstarts, sizeof *p->start_ids))
            return fail(p, "out of memory"), false;
        p->starts[p->nstarts] = (cl_trace_flow){.from = tid, .from_ts = ts};
        p->start_ids[p->nstarts++] = (long)id;
        return true;
    }
    /* A finish pairs with the latest start of the same id before it. */
    for (size_t k = p->nstarts; k-- > 0;) {
        if (p->start_ids[k] != (long)id)
            continue;
        cl_trace_flow f = p->starts[k];
        f.to = tid;
        f.to_ts = ts;
        if (g && find_g(p, f.from))
            t->flows[t->nflows++] = f; /* room for one per event (walk) */
        p->start_ids[k] = -1; /* used */
        break;
    }
    return true;
}

static int by_sort(const void *a, const void *b)
{
    const cl_trace_g *x = a, *y = b;
    if (x->sort != y->sort)
        return x->sort < y->sort ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int by_ts(const void *a, const void *b)
{
    const cl_trace_span *x = a, *y = b;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static bool finish_parse(parse *p)
{
    cl_trace *t = p->t;
    for (size_t i = 0; i < t->ngs; i++) {
        cl_trace_g *g = &t->gs[i];
        if (!g->name) {
            char name[32];
            snprintf(name, sizeof name, "g%ld", g->id);
            g->name = pool_intern(p->strings, name);
        }
        qsort(g->spans, g->nspans, sizeof *g->spans, by_ts);
    }
    qsort(t->gs, t->ngs, sizeof *t->gs, by_sort);
    if (p->strings->oom) {
        fail(p, "out of memory");
        return false;
    }
    return true;
}

/* The first event's time: every time is kept relative to it. */
static double first_time(json_object *events)
{
    double t0 = INFINITY;
    size_t n = json_object_array_length(events);
    for (size_t i = 0; i < n; i++) {
        json_object *ev = json_object_array_get_idx(events, i);
        const char *ph = ev && json_object_is_type(ev, json_type_object) ? str_field(ev, "ph") : NULL;
        double ts;
        if (ph && strcmp(ph, "M") != 0 && num_field(ev, "ts", &ts) && ts < t0)
            t0 = ts;
    }
    return isfinite(t0) ? t0 : 0;
}

static bool walk(parse *p, json_object *events)
{
    size_t n = json_object_array_length(events);
    double t0 = first_time(events);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            json_object *ev = json_object_array_get_idx(events, i);
            if (!ev || !json_object_is_type(ev, json_type_object)) {
                fail(p, "event %zu of \"traceEvents\" is not an object", i);
                return false;
            }
            const char *ph = str_field(ev, "ph");
            if (!ph) {
                fail(p, "event %zu has no phase (\"ph\")", i);
                return false;
            }
            bool ok = pass == 0 ? take_track_event(p, ev, i, ph, t0)
                                : take_point_event(p, ev, i, ph, t0);
            if (!ok)
                return false;
        }
        if (pass == 0) {
            /* every flow could pair: room for as many as there are events */
            p->t->flows = calloc(n ? n : 1, sizeof *p->t->flows);
            if (!p->t->flows)
                return fail(p, "out of memory"), false;
        }
    }
    return finish_parse(p);
}

/* What json-c's tokener said, in a learner's words. */
static void syntax_error(parse *p, struct json_tokener *tok, enum json_tokener_error e, size_t len)
{
    size_t at = json_tokener_get_parse_end(tok);
    if (e == json_tokener_continue || at >= len)
        fail(p, "it stops in the middle (after %zu bytes): the file was cut short, usually because "
                "the program was stopped before libgoc finished writing it", len);
    else
        fail(p, "it is not valid JSON at byte %zu (%s)", at, json_tokener_error_desc(e));
}

cl_trace *cl_trace_parse(const char *json, size_t len, char *err, size_t errsz)
{
    parse p = {.err = err, .errsz = errsz};
    err[0] = '\0';
    p.t = calloc(1, sizeof *p.t);
    p.strings = calloc(1, sizeof *p.strings);
    struct json_tokener *tok = json_tokener_new();
    if (!p.t || !p.strings || !tok) {
        fail(&p, "out of memory");
        free(p.t);
        free(p.strings);
        if (tok)
            json_tokener_free(tok);
        return NULL;
    }
    p.t->pool_ = p.strings;
    p.t->end = p.t->scheduler = "";
    json_object *root = NULL;
    if (len > INT32_MAX) {
        fail(&p, "it is too big (%zu bytes)", len);
    } else if (len == 0) {
        fail(&p, "it is empty: the program stopped before libgoc wrote anything");
    } else {
        root = json_tokener_parse_ex(tok, json, (int)len);
        enum json_tokener_error e = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        while (root && end < len && (json[end] == ' ' || json[end] == '\n' || json[end] == '\r' ||
                                     json[end] == '\t'))
            end++;
        if (!root) {
            syntax_error(&p, tok, e, len);
        } else if (end < len) {
            fail(&p, "it has more after the JSON ends, at byte %zu", end);
        }
    }
    json_tokener_free(tok);
    json_object *events = root ? field(root, "traceEvents") : NULL;
    if (root && !err[0] && !json_object_is_type(root, json_type_object))
        fail(&p, "it is JSON but not a trace: a trace is an object with a \"traceEvents\" list");
    else if (root && !err[0] && (!events || !json_object_is_type(events, json_type_array)))
        fail(&p, "it is JSON but not a trace: it has no \"traceEvents\" list");
    if (!err[0]) {
        json_object *other = field(root, "otherData");
        if (other && json_object_is_type(other, json_type_object)) {
            const char *end = str_field(other, "end"), *sched = str_field(other, "scheduler");
            p.t->end = end ? pool_intern(p.strings, end) : "";
            p.t->scheduler = sched ? pool_intern(p.strings, sched) : "";
            double dropped;
            if (num_field(other, "dropped", &dropped) && dropped > 0 && dropped < 1e15)
                p.t->dropped = (long)dropped;
        }
        walk(&p, events);
    }
    json_object_put(root);
    free(p.spancap);
    free(p.markcap);
    free(p.starts);
    free(p.start_ids);
    if (err[0]) {
        cl_trace_free(p.t);
        return NULL;
    }
    return p.t;
}

cl_trace *cl_trace_load(const char *path, char *err, size_t errsz)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        snprintf(err, errsz, "cannot read the trace %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > CL_TRACE_MAX_BYTES) {
        snprintf(err, errsz, "cannot read the trace %s: %s", path,
                 S_ISREG(st.st_mode) ? "it is over 64 MiB" : "it is not a regular file");
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *text = malloc(size + 1);
    while (text && got < size) {
        ssize_t n = read(fd, text + got, size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!text) {
        snprintf(err, errsz, "cannot read the trace %s: out of memory", path);
        return NULL;
    }
    char why[384];
    cl_trace *t = cl_trace_parse(text, got, why, sizeof why);
    free(text);
    if (!t)
        snprintf(err, errsz, "the trace %s cannot be drawn: %s", path, why);
    return t;
}

void cl_trace_free(cl_trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ngs; i++) {
        free(t->gs[i].spans);
        free(t->gs[i].marks);
    }
    free(t->gs);
    free(t->flows);
    pool_free(t->pool_);
    free(t);
}

char *cl_trace_path(const char *root, const char *slug)
{
    size_t n = strlen(root) + strlen(slug) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/.chanlings/traces/%s.json", root, slug);
    return p;
}
