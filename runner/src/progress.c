/* chanlings — learner state: a text file rewritten atomically under a
 * lock, so concurrent runners (the view's child `check` beside a CLI
 * `hint`) never lose each other's updates. */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "fs.h"

#define STATE_HEADER "chanlings-state 1"
#define STATE_DIR ".chanlings"

/* A state file bigger than this is not progress (a workbook has tens of
 * exercises, each a few short lines). */
#define STATE_MAX_BYTES (4u << 20)

void cl_progress_free(cl_progress *p)
{
    free(p->root);
    free(p->current);
    for (size_t i = 0; i < p->n; i++)
        free(p->entries[i].slug);
    free(p->entries);
    free(p->index);
    memset(p, 0, sizeof *p);
}

static size_t slug_hash(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 ^ (unsigned char)*s;
    return h;
}

/* The index slot for slug: its entry's, or the empty one it would take. */
static size_t *index_slot(const cl_progress *p, const char *slug)
{
    size_t mask = p->index_cap - 1;
    for (size_t i = slug_hash(slug) & mask;; i = (i + 1) & mask) {
        size_t *slot = &p->index[i];
        if (!*slot || strcmp(p->entries[*slot - 1].slug, slug) == 0)
            return slot;
    }
}

/* Keeps the index at most half full; false when out of memory. */
static bool index_room(cl_progress *p)
{
    if (2 * (p->n + 1) <= p->index_cap)
        return true;
    size_t cap = p->index_cap ? 2 * p->index_cap : 64;
    size_t *index = calloc(cap, sizeof *index);
    if (!index)
        return false;
    free(p->index);
    p->index = index;
    p->index_cap = cap;
    for (size_t i = 0; i < p->n; i++)
        *index_slot(p, p->entries[i].slug) = i + 1;
    return true;
}

static cl_progress_entry *entry(cl_progress *p, const char *slug, bool create)
{
    size_t *slot = p->index_cap ? index_slot(p, slug) : NULL;
    if (slot && *slot)
        return &p->entries[*slot - 1];
    if (!create)
        return NULL;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        cl_progress_entry *ne = realloc(p->entries, cap * sizeof *ne);
        if (!ne)
            return NULL;
        p->entries = ne;
        p->cap = cap;
    }
    cl_progress_entry *e = &p->entries[p->n];
    memset(e, 0, sizeof *e);
    e->quiz_best = e->quiz_last = -1;
    if (!(e->slug = strdup(slug)) || !index_room(p)) {
        free(e->slug);
        return NULL;
    }
    p->n++;
    *index_slot(p, slug) = p->n;
    return e;
}

/* ---- reading ---- */

/* Splits a line at tabs into at most max fields; returns the count. */
static int fields(char *line, char **f, int max)
{
    int n = 0;
    while (n < max) {
        f[n++] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return strchr(f[n - 1], '\t') ? max + 1 : n;
}

static bool to_long(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

typedef int (*record_fn)(cl_progress *p, char **f, int nf);

static int rec_current(cl_progress *p, char **f, int nf)
{
    if (nf != 2 || !cl_catalog_valid_slug(f[1]))
        return -1;
    free(p->current);
    return (p->current = strdup(f[1])) ? 0 : -1;
}
static int rec_done(cl_progress *p, char **f, int nf)
{
    cl_progress_entry *e = nf == 2 && cl_catalog_valid_slug(f[1]) ? entry(p, f[1], true) : NULL;
    if (!e)
        return -1;
    e->done = true;
    return 0;
}
static int rec_hints(cl_progress *p, char **f, int nf)
{
    long long n;
    if (nf != 3 || !cl_catalog_valid_slug(f[1]) || !to_long(f[2], &n) || n < 0 || n > 1000)
        return -1;
    cl_progress_entry *e = entry(p, f[1], true);
    if (!e)
        return -1;
    e->hints = (int)n;
    return 0;
}
static int rec_quiz(cl_progress *p, char **f, int nf)
{
    long long best, last, total, when;
    if (nf != 6 || !cl_catalog_valid_slug(f[1]) || !to_long(f[2], &best) || !to_long(f[3], &last) ||
        !to_long(f[4], &total) || !to_long(f[5], &when) || total < 0 || total > 100000 ||
        best < -1 || best > total || last < -1 || last > total)
        return -1;
    cl_progress_entry *e = entry(p, f[1], true);
    if (!e)
        return -1;
    e->quiz_best = (int)best;
    e->quiz_last = (int)last;
    e->quiz_total = (int)total;
    e->quiz_time = (time_t)when;
    return 0;
}

static int rec_mastery(cl_progress *p, char **f, int nf)
{
    long long v[6];
    for (int i = 0; i < 6; i++)
        if (nf != 7 || !to_long(f[i + 1], &v[i]))
            return -1;
    long long best = v[0], best_total = v[1], last = v[2], last_total = v[3];
    if (best_total < 0 || best_total > 100000 || best < 0 || best > best_total ||
        last_total < 0 || last_total > 100000 || last < 0 || last > last_total || v[4] < 1 ||
        v[4] > 1000000000)
        return -1;
    p->mastery = (cl_progress_mastery){(int)best, (int)best_total, (int)last, (int)last_total,
                                       (int)v[4], (time_t)v[5]};
    return 0;
}

static const struct {
    const char *name;
    record_fn parse;
} records[] = {
    {"current", rec_current},
    {"done", rec_done},
    {"hints", rec_hints},
    {"quiz", rec_quiz},
    {"mastery", rec_mastery},
};

/* Parses text into p; returns the first bad line (1-based) or 0. */
static size_t parse_state(cl_progress *p, char *text)
{
    size_t bad = 0, lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (lineno == 1) {
            if (strcmp(line, STATE_HEADER) != 0 && !bad)
                bad = 1;
            if (strcmp(line, STATE_HEADER) == 0)
                continue;
        }
        char *f[8];
        int nf = fields(line, f, 7);
        size_t r;
        for (r = 0; r < sizeof records / sizeof *records; r++)
            if (strcmp(f[0], records[r].name) == 0)
                break;
        if ((r == sizeof records / sizeof *records || records[r].parse(p, f, nf) != 0) && !bad)
            bad = lineno;
    }
    return bad;
}

/* ---- the files ---- */

static char *state_path(const char *root, const char *name)
{
    size_t n = strlen(root) + strlen(name) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/" STATE_DIR "%s%s", root, *name ? "/" : "", name);
    return s;
}

static int lock_state(const char *root, char *err, size_t errsz)
{
    char *dir = state_path(root, "");
    char *lock = state_path(root, "lock");
    int fd = -1;
    if (dir && lock && cl_mkdirs(dir) == 0)
        fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
            ;
    } else {
        snprintf(err, errsz, "%s: cannot lock: %s; check the permissions of the workbook directory",
                 lock ? lock : STATE_DIR "/lock", strerror(errno));
    }
    free(dir);
    free(lock);
    return fd;
}

static void unlock_state(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

static char *serialise(const cl_progress *p, size_t *len)
{
    size_t cap = 256 + (p->current ? strlen(p->current) : 0);
    for (size_t i = 0; i < p->n; i++)
        cap += 3 * strlen(p->entries[i].slug) + 160;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t o = (size_t)snprintf(s, cap, "%s\n", STATE_HEADER);
    if (p->current)
        o += (size_t)snprintf(s + o, cap - o, "current\t%s\n", p->current);
    const cl_progress_mastery *m = &p->mastery;
    if (m->attempts > 0)
        o += (size_t)snprintf(s + o, cap - o, "mastery\t%d\t%d\t%d\t%d\t%d\t%lld\n", m->best,
                              m->best_total, m->last, m->last_total, m->attempts,
                              (long long)m->when);
    for (size_t i = 0; i < p->n; i++) {
        const cl_progress_entry *e = &p->entries[i];
        if (e->done)
            o += (size_t)snprintf(s + o, cap - o, "done\t%s\n", e->slug);
        if (e->hints)
            o += (size_t)snprintf(s + o, cap - o, "hints\t%s\t%d\n", e->slug, e->hints);
        if (e->quiz_last >= 0)
            o += (size_t)snprintf(s + o, cap - o, "quiz\t%s\t%d\t%d\t%d\t%lld\n", e->slug,
                                  e->quiz_best, e->quiz_last, e->quiz_total,
                                  (long long)e->quiz_time);
    }
    *len = o;
    return s;
}

static int write_state(const char *root, const cl_progress *p, char *err, size_t errsz)
{
    size_t len;
    char *data = serialise(p, &len);
    char *path = state_path(root, "state");
    int rc = data && path ? cl_write_file_atomic(path, data, len) : -1;
    if (rc != 0)
        snprintf(err, errsz, "%s: cannot save progress: %s; check free space and permissions",
                 path ? path : STATE_DIR "/state", strerror(errno));
    free(data);
    free(path);
    return rc;
}

/* What is wrong with the state file as a file, before any line of it. */
typedef enum state_fault { FAULT_NONE, FAULT_NOT_REGULAR, FAULT_TOO_BIG } state_fault;

/* Keeps a copy of a damaged state file and says so in p->warning.  A
 * file that cannot be copied as text (not a regular file, too big) is
 * moved aside instead. */
static void keep_corrupt(const char *root, cl_progress *p, const char *text, size_t len,
                         size_t line, state_fault fault, const char *what)
{
    char stamp[64], name[96];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(name, sizeof name, "state.corrupt-%s-%ld", stamp, (long)getpid());
    char *copy = state_path(root, name);
    char *path = state_path(root, "state");
    bool kept = copy && path &&
                (fault == FAULT_NONE ? cl_write_file_atomic(copy, text, len) == 0
                                     : rename(path, copy) == 0);
    if (fault == FAULT_NONE)
        snprintf(p->warning, sizeof p->warning,
                 "%s/" STATE_DIR "/state:%zu: progress file damaged (this line cannot be read); "
                 "%s " STATE_DIR "/%s and continued with what could be read",
                 root, line, kept ? "kept a copy as" : "could not keep a copy as", name);
    else
        snprintf(p->warning, sizeof p->warning,
                 "%s/" STATE_DIR "/state: progress file damaged (%s); %s " STATE_DIR "/%s and "
                 "continued with %s",
                 root, what, kept ? "moved it aside as" : "could not move it aside to",
                 name, fault == FAULT_TOO_BIG ? "what could be read" : "no progress");
    free(copy);
    free(path);
}

/* Reads the state without waiting on it or reading more than any real
 * state holds.  NULL with errno when it cannot be read at all (ENOENT:
 * there is none); otherwise the text and, in *fault and *what, what is
 * wrong with it as a file. */
static char *read_state_file(const char *path, size_t *len, state_fault *fault, char *what,
                             size_t what_size)
{
    *fault = FAULT_NONE;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 && errno == ELOOP) {
        *fault = FAULT_NOT_REGULAR;
        snprintf(what, what_size, "it is a symbolic link");
        return strdup("");
    }
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        /* A directory opens read-only but is not a file either. */
        errno = e;
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        *fault = FAULT_NOT_REGULAR;
        snprintf(what, what_size, "it is %s, not a file",
                 S_ISDIR(st.st_mode)    ? "a directory"
                 : S_ISFIFO(st.st_mode) ? "a FIFO"
                 : S_ISSOCK(st.st_mode) ? "a socket"
                                        : "a device");
        return strdup("");
    }
    size_t want = (size_t)st.st_size < STATE_MAX_BYTES ? (size_t)st.st_size : STATE_MAX_BYTES;
    char *text = malloc(want + 1);
    size_t got = 0;
    while (text && got < want) {
        ssize_t n = read(fd, text + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!text)
        return NULL;
    text[got] = '\0';
    if ((size_t)st.st_size > STATE_MAX_BYTES) {
        *fault = FAULT_TOO_BIG;
        snprintf(what, what_size, "%lld bytes, more than any progress file holds",
                 (long long)st.st_size);
        /* Only whole lines: the cut one is not progress. */
        char *nl = strrchr(text, '\n');
        got = nl ? (size_t)(nl - text) + 1 : 0;
        text[got] = '\0';
    }
    *len = got;
    return text;
}

/* Reads the state file into p (under the caller's lock).  Returns 0, 1
 * when damaged (p->warning set), -1 on read errors. */
static int read_state(const char *root, cl_progress *p, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    char *path = state_path(root, "state");
    if (!path)
        return -1;
    size_t len = 0;
    state_fault fault;
    char what[128] = "";
    char *text = read_state_file(path, &len, &fault, what, sizeof what);
    if (!text) {
        int e = errno;
        free(path);
        if (e == ENOENT)
            return 0;
        snprintf(err, errsz, "%s/" STATE_DIR "/state: cannot read: %s", root, strerror(e));
        return -1;
    }
    free(path);
    char *work = strdup(text);
    if (!work) {
        free(text);
        return -1;
    }
    /* NUL bytes inside would hide the rest from the parser: treat as damage */
    size_t bad = strlen(text) != len ? 1 : parse_state(p, work);
    if (bad || fault != FAULT_NONE)
        keep_corrupt(root, p, text, len, bad, fault, what);
    free(work);
    free(text);
    return bad || fault != FAULT_NONE ? 1 : 0;
}

/* Replaces p's records with fresh's; p keeps its root. */
static void adopt(cl_progress *p, cl_progress *fresh)
{
    char *root = p->root;
    p->root = NULL;
    cl_progress_free(p);
    *p = *fresh;
    p->root = root;
}

int cl_progress_load(cl_progress *p, const char *root, char *err, size_t errsz)
{
    if (!p->root || strcmp(p->root, root) != 0) {
        char *copy = strdup(root);
        if (!copy) {
            snprintf(err, errsz, "out of memory");
            return -1;
        }
        free(p->root);
        p->root = copy;
    }
    root = p->root;
    cl_progress fresh;
    char *path = state_path(root, "state");
    bool exists = path && access(path, F_OK) == 0;
    free(path);
    if (!exists) {
        memset(&fresh, 0, sizeof fresh);
        adopt(p, &fresh);
        return 0;
    }
    int fd = lock_state(root, err, errsz);
    if (fd < 0) {
        /* a read-only workbook still works; it just cannot be locked */
        fd = -1;
    }
    int rc = read_state(root, &fresh, err, errsz);
    if (rc == 1 && fd >= 0) {
        /* save the recovered state so the damage is reported once */
        char werr[256];
        write_state(root, &fresh, werr, sizeof werr);
    }
    unlock_state(fd);
    if (rc < 0) {
        cl_progress_free(&fresh);
        return -1;
    }
    adopt(p, &fresh);
    return rc;
}

typedef int (*apply_fn)(cl_progress *p, const char *slug, void *arg);

/* Read-modify-write under the lock: the update lands on the newest state,
 * not on what this process read earlier. */
static int update(cl_progress *p, const char *slug, apply_fn fn, void *arg, char *err, size_t errsz)
{
    const char *root = p->root;
    char dummy[256];
    if (!err) {
        err = dummy;
        errsz = sizeof dummy;
    }
    int fd = lock_state(root, err, errsz);
    if (fd < 0)
        return -1;
    cl_progress fresh;
    int rc = read_state(root, &fresh, err, errsz);
    if (rc >= 0 && fn(&fresh, slug, arg) != 0) {
        snprintf(err, errsz, "out of memory updating progress");
        rc = -1;
    }
    if (rc >= 0)
        rc = write_state(root, &fresh, err, errsz);
    unlock_state(fd);
    if (rc < 0) {
        cl_progress_free(&fresh);
        return -1;
    }
    adopt(p, &fresh);
    return 0;
}

static int apply_current(cl_progress *p, const char *slug, void *arg)
{
    (void)arg;
    free(p->current);
    return (p->current = strdup(slug)) ? 0 : -1;
}

static int apply_done(cl_progress *p, const char *slug, void *arg)
{
    (void)arg;
    cl_progress_entry *e = entry(p, slug, true);
    if (!e)
        return -1;
    e->done = true;
    return 0;
}

struct hint_arg {
    int max, now;
};
static int apply_hint(cl_progress *p, const char *slug, void *arg)
{
    struct hint_arg *h = arg;
    cl_progress_entry *e = entry(p, slug, true);
    if (!e)
        return -1;
    if (e->hints < h->max)
        e->hints++;
    h->now = e->hints;
    return 0;
}

struct quiz_arg {
    int score, total;
};
static int apply_quiz(cl_progress *p, const char *slug, void *arg)
{
    struct quiz_arg *q = arg;
    cl_progress_entry *e = entry(p, slug, true);
    if (!e)
        return -1;
    /* a best score out of a different total (the quiz changed) is stale */
    if (e->quiz_best < 0 || e->quiz_total != q->total || q->score > e->quiz_best)
        e->quiz_best = q->score;
    e->quiz_last = q->score;
    e->quiz_total = q->total;
    e->quiz_time = time(NULL);
    return 0;
}

static int apply_mastery(cl_progress *p, const char *slug, void *arg)
{
    (void)slug;
    const struct quiz_arg *q = arg;
    cl_progress_mastery *m = &p->mastery;
    /* Totals differ as lessons are added: the best is the highest share
     * right, a tie going to the longer check. */
    long long now = (long long)q->score * m->best_total, then = (long long)m->best * q->total;
    if (m->attempts == 0 || now > then || (now == then && q->total > m->best_total)) {
        m->best = q->score;
        m->best_total = q->total;
    }
    m->last = q->score;
    m->last_total = q->total;
    m->attempts++;
    m->when = time(NULL);
    return 0;
}

int cl_progress_set_current(cl_progress *p, const char *slug, char *err, size_t errsz)
{
    return update(p, slug, apply_current, NULL, err, errsz);
}

int cl_progress_mark_done(cl_progress *p, const char *slug, char *err, size_t errsz)
{
    return update(p, slug, apply_done, NULL, err, errsz);
}

int cl_progress_reveal_hint(cl_progress *p, const char *slug, int max, char *err, size_t errsz)
{
    struct hint_arg h = {max, 0};
    return update(p, slug, apply_hint, &h, err, errsz) == 0 ? h.now : -1;
}

int cl_progress_record_quiz(cl_progress *p, const char *slug, int score, int total)
{
    if (score < 0 || total < 0 || score > total)
        return -1;
    struct quiz_arg q = {score, total};
    return update(p, slug, apply_quiz, &q, NULL, 0);
}

int cl_progress_record_mastery(cl_progress *p, int score, int total)
{
    if (score < 0 || total < 0 || score > total)
        return -1;
    struct quiz_arg q = {score, total};
    return update(p, NULL, apply_mastery, &q, NULL, 0);
}

/* ---- getters ---- */

const char *cl_progress_current(const cl_progress *p) { return p->current; }

const cl_progress_entry *cl_progress_entry_of(const cl_progress *p, const char *slug)
{
    return entry((cl_progress *)p, slug, false);
}

bool cl_progress_done(const cl_progress *p, const char *slug)
{
    const cl_progress_entry *e = cl_progress_entry_of(p, slug);
    return e && e->done;
}

int cl_progress_hints(const cl_progress *p, const char *slug)
{
    const cl_progress_entry *e = cl_progress_entry_of(p, slug);
    return e ? e->hints : 0;
}

bool cl_progress_quiz(const cl_progress *p, const char *slug, int *best, int *last, int *total,
                      time_t *when)
{
    const cl_progress_entry *e = cl_progress_entry_of(p, slug);
    if (!e || e->quiz_last < 0)
        return false;
    if (best)
        *best = e->quiz_best;
    if (last)
        *last = e->quiz_last;
    if (total)
        *total = e->quiz_total;
    if (when)
        *when = e->quiz_time;
    return true;
}

const cl_progress_mastery *cl_progress_mastery_of(const cl_progress *p)
{
    return &p->mastery;
}
