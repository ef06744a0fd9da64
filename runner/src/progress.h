/* chanlings — the learner's state in <root>/.chanlings/state.
 *
 * A line-based text file (one record per line, tab-separated):
 *   chanlings-state 1
 *   current <slug>
 *   done <slug>
 *   hints <slug> <revealed>
 *   quiz <slug> <best> <last> <total> <unix time of last attempt>
 *   mastery <best> <of> <last> <of> <attempts> <unix time of last attempt>
 * (`mastery`, the quiz across every lesson, came later: a state without
 * it reads as no mastery check taken yet.)
 * Every change is a read-modify-write under flock(.chanlings/lock), so two
 * runners at once never lose each other's updates, and the file is
 * replaced atomically (temp + fsync + rename).  A line that cannot be read
 * is reported (which line; the file is kept as state.corrupt-<time>) and
 * the rest is used.  A state that is not a regular file (a FIFO, a
 * directory, a device) or is larger than any real progress (4 MiB) is
 * damage too: reported, moved aside as state.corrupt-<time>, never waited
 * on or read whole.
 *
 * Every function keeps *p equal to what was last read or written; the
 * getters only read *p.  Progress knows nothing of the catalog or the
 * context: it is a set of records keyed by slug. */
#ifndef CL_PROGRESS_H
#define CL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct cl_progress_entry {
    char *slug;
    bool done;
    int hints;          /* hints revealed */
    int quiz_best;      /* best first-round score, -1: never taken */
    int quiz_last;      /* last first-round score, -1: never taken */
    int quiz_total;     /* questions in the last attempt */
    time_t quiz_time;   /* when the last attempt finished */
} cl_progress_entry;

/* The mastery check, the quiz across every lesson (cmd_quiz.c). */
typedef struct cl_progress_mastery {
    int best, best_total;  /* the best first round: the highest share right */
    int last, last_total;  /* the last first round */
    int attempts;          /* finished; 0: never taken (the rest is unset) */
    time_t when;           /* when the last one finished */
} cl_progress_mastery;

typedef struct cl_progress {
    char *root;                 /* the workbook whose state this is */
    char *current;              /* slug, or NULL: the first exercise */
    cl_progress_mastery mastery;
    cl_progress_entry *entries;
    size_t n, cap;
    size_t *index;              /* open addressing over entries by slug
                                   (entry i stored as i + 1; 0 is empty),
                                   so a state of any size reads in linear
                                   time */
    size_t index_cap;
    char warning[512];          /* set when the last read found damage */
} cl_progress;

/* Reads <root>/.chanlings/state into p (an absent file is an empty state;
 * p may be zeroed or hold an earlier read).
 * Returns 0; 1 if the file was damaged (p->warning says where
 * and where the copy is; the readable part was kept); -1 if it could not
 * be read at all (err says why). */
int cl_progress_load(cl_progress *p, const char *root, char *err, size_t errsz);
void cl_progress_free(cl_progress *p);

/* Updates: each returns 0, or -1 with err saying what failed. */
int cl_progress_set_current(cl_progress *p, const char *slug, char *err, size_t errsz);
int cl_progress_mark_done(cl_progress *p, const char *slug, char *err, size_t errsz);
/* Reveals one more hint (up to max) and returns how many are revealed now,
 * or -1 with err. */
int cl_progress_reveal_hint(cl_progress *p, const char *slug, int max, char *err, size_t errsz);
/* Records a finished quiz attempt's score (first round) out of total. */
int cl_progress_record_quiz(cl_progress *p, const char *slug, int score, int total);

/* Records a finished mastery check's first round: score out of total. */
int cl_progress_record_mastery(cl_progress *p, int score, int total);

/* Getters over *p. */
const char *cl_progress_current(const cl_progress *p);  /* slug or NULL */
bool cl_progress_done(const cl_progress *p, const char *slug);
int cl_progress_hints(const cl_progress *p, const char *slug);
/* The slug's entry, or NULL if nothing was ever recorded for it. */
const cl_progress_entry *cl_progress_entry_of(const cl_progress *p, const char *slug);
/* Quiz scores: false if never taken; else fills the pointers given. */
bool cl_progress_quiz(const cl_progress *p, const char *slug, int *best, int *last, int *total,
                      time_t *when);
/* The mastery record (attempts 0: never taken). */
const cl_progress_mastery *cl_progress_mastery_of(const cl_progress *p);

#endif
