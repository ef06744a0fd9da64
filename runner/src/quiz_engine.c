/* chanlings — quiz attempts: shuffling, answering, scoring, retrying. */
#include "quiz_engine.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: tiny, good enough to deal cards, and the same sequence for
 * the same seed on every machine (tests and --seed depend on that). */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n): the modulo bias for n <= 2^32 is below 2^-32. */
static size_t rand_below(uint64_t *state, size_t n)
{
    return (size_t)(next_rand(state) % n);
}

static void shuffle_options(cl_quiz_item *it, uint64_t *rng)
{
    size_t n = it->question->noptions;
    for (size_t i = 0; i < n; i++)
        it->order[i] = (unsigned char)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = rand_below(rng, i);
        unsigned char t = it->order[i - 1];
        it->order[i - 1] = it->order[j];
        it->order[j] = t;
    }
}

static void shuffle_indexes(size_t *v, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rand_below(rng, i);
        size_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

void cl_quiz_attempt_init(cl_quiz_attempt *a, uint64_t seed)
{
    memset(a, 0, sizeof *a);
    a->rng = seed;
}

int cl_quiz_attempt_add(cl_quiz_attempt *a, const cl_quiz_question *q, int tag)
{
    cl_quiz_item *items = realloc(a->items, (a->nitems + 1) * sizeof *items);
    if (!items)
        return -1;
    a->items = items;
    items[a->nitems++] = (cl_quiz_item){ .question = q, .tag = tag };
    return 0;
}

/* Makes `idx` (n indexes into items) the next round; options are shuffled
 * in the first round only (a retry keeps the letters the learner saw). */
static int begin_round(cl_quiz_attempt *a, const size_t *idx, size_t n)
{
    size_t *round = malloc((n ? n : 1) * sizeof *round);
    if (!round)
        return -1;
    memcpy(round, idx, n * sizeof *round);
    free(a->round);
    a->round = round;
    a->nround = n;
    a->pos = 0;
    a->round_no++;
    for (size_t i = 0; i < n; i++) {
        cl_quiz_item *it = &a->items[round[i]];
        it->answered = false;
        it->correct = false;
        it->chosen = 0;
        if (a->round_no == 1)
            shuffle_options(it, &a->rng);
    }
    return 0;
}

int cl_quiz_attempt_start(cl_quiz_attempt *a)
{
    size_t *idx = malloc((a->nitems ? a->nitems : 1) * sizeof *idx);
    if (!idx)
        return -1;
    for (size_t i = 0; i < a->nitems; i++)
        idx[i] = i;
    a->round_no = 0;
    a->first_correct = 0;
    int rc = begin_round(a, idx, a->nitems);
    free(idx);
    return rc;
}

/* FNV-1a: a question's place in its tag's rotation comes from its text,
 * so the order looks shuffled yet is the same on every run and machine,
 * and a question added to a lesson leaves the others' order alone. */
static uint64_t text_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

int cl_quiz_attempt_start_per_tag(cl_quiz_attempt *a, size_t per_tag, unsigned turn)
{
    size_t n = a->nitems;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    uint64_t *key = malloc((n ? n : 1) * sizeof *key);
    size_t *pick = malloc((n ? n : 1) * sizeof *pick);
    cl_quiz_item *kept = NULL;
    size_t got = 0;
    int rc = -1;
    if (!order || !key || !pick)
        goto out;
    for (size_t i = 0; i < n; i++)
        key[i] = text_hash(a->items[i].question->text);
    /* Each tag's items in rotation order (an insertion sort: a lesson has
     * a handful of questions), then the window this turn asks. */
    for (size_t i = 0; i < n; i++) {
        bool first_of_tag = true;
        for (size_t j = 0; j < i && first_of_tag; j++)
            first_of_tag = a->items[j].tag != a->items[i].tag;
        if (!first_of_tag)
            continue;
        size_t m = 0;
        for (size_t j = i; j < n; j++) {
            if (a->items[j].tag != a->items[i].tag)
                continue;
            size_t at = m++;
            while (at > 0 && key[order[at - 1]] > key[j])
                order[at] = order[at - 1], at--;
            order[at] = j;
        }
        size_t take = per_tag && per_tag < m ? per_tag : m;
        for (size_t k = 0; k < take; k++)
            pick[got++] = order[((size_t)turn * take + k) % m];
    }
    shuffle_indexes(pick, got, &a->rng);
    kept = malloc((got ? got : 1) * sizeof *kept);
    if (!kept)
        goto out;
    for (size_t i = 0; i < got; i++)
        kept[i] = a->items[pick[i]];
    free(a->items);
    a->items = kept;
    a->nitems = got;
    rc = cl_quiz_attempt_start(a);
out:
    free(order);
    free(key);
    free(pick);
    return rc;
}

void cl_quiz_attempt_free(cl_quiz_attempt *a)
{
    free(a->items);
    free(a->round);
    memset(a, 0, sizeof *a);
}

const cl_quiz_item *cl_quiz_attempt_current(const cl_quiz_attempt *a)
{
    if (a->pos >= a->nround)
        return NULL;
    return &a->items[a->round[a->pos]];
}

const cl_quiz_option *cl_quiz_item_option(const cl_quiz_item *item, size_t i)
{
    if (i >= item->question->noptions)
        return NULL;
    return &item->question->options[item->order[i]];
}

size_t cl_quiz_item_noptions(const cl_quiz_item *item)
{
    return item->question->noptions;
}

size_t cl_quiz_attempt_number(const cl_quiz_attempt *a)
{
    return a->pos + 1;
}

size_t cl_quiz_attempt_round_size(const cl_quiz_attempt *a)
{
    return a->nround;
}

int cl_quiz_parse_letters(const cl_quiz_item *item, const char *text,
                          uint32_t *mask, char *err, size_t errsz)
{
    size_t n = item->question->noptions;
    uint32_t m = 0;
    for (const char *p = text ? text : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isspace(c) || c == ',' || c == ')')
            continue;
        int k = tolower(c) - 'a';
        if (!isalpha(c) || k < 0 || (size_t)k >= n) {
            if (err && errsz)
                snprintf(err, errsz, "'%c' is not one of the options; answer with "
                         "letters a-%c (several at once, like \"ac\", when more "
                         "than one is right)", c, (char)('a' + n - 1));
            return -1;
        }
        m |= 1u << k;
    }
    if (!m) {
        if (err && errsz)
            snprintf(err, errsz, "no answer given; type the letter(s) of your "
                     "choice, a-%c", (char)('a' + n - 1));
        return -1;
    }
    *mask = m;
    return 0;
}

static uint32_t right_mask(const cl_quiz_item *it)
{
    uint32_t m = 0;
    for (size_t i = 0; i < it->question->noptions; i++)
        if (cl_quiz_item_option(it, i)->correct)
            m |= 1u << i;
    return m;
}

int cl_quiz_attempt_answer(cl_quiz_attempt *a, const char *letters,
                           cl_quiz_feedback *fb, char *err, size_t errsz)
{
    if (a->pos >= a->nround) {
        if (err && errsz)
            snprintf(err, errsz, "the round is over; there is no question to answer");
        return -1;
    }
    cl_quiz_item *it = &a->items[a->round[a->pos]];
    uint32_t chosen;
    if (cl_quiz_parse_letters(it, letters, &chosen, err, errsz))
        return -1;
    uint32_t right = right_mask(it);
    it->answered = true;
    it->chosen = chosen;
    it->correct = chosen == right;
    if (!it->correct)
        it->ever_missed = true;
    else if (a->round_no == 1)
        a->first_correct++;
    a->pos++;
    if (fb) {
        memset(fb, 0, sizeof *fb);
        fb->correct = it->correct;
        fb->chosen = chosen;
        fb->right = right;
        fb->explanation = it->question->explanation;
        uint32_t wrong = chosen ^ right;
        for (size_t i = 0; i < it->question->noptions; i++)
            if (wrong & (1u << i))
                fb->option_explain[i] = cl_quiz_item_option(it, i)->explain;
    }
    return 0;
}

cl_quiz_score cl_quiz_attempt_score(const cl_quiz_attempt *a)
{
    cl_quiz_score s = { .total = a->nround, .round_no = a->round_no,
                        .first_correct = a->first_correct,
                        .first_total = a->nitems };
    for (size_t i = 0; i < a->nround; i++) {
        const cl_quiz_item *it = &a->items[a->round[i]];
        if (!it->answered)
            continue;
        if (it->correct)
            s.correct++;
        else
            s.missed++;
    }
    return s;
}

int cl_quiz_attempt_retry(cl_quiz_attempt *a)
{
    if (a->pos < a->nround)
        return -1;
    size_t *idx = malloc((a->nround ? a->nround : 1) * sizeof *idx);
    if (!idx)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < a->nround; i++)
        if (!a->items[a->round[i]].correct)
            idx[n++] = a->round[i];
    int rc = n ? begin_round(a, idx, n) : 0;
    free(idx);
    return rc ? -1 : (int)n;
}

char *cl_quiz_letters(uint32_t mask, char *buf)
{
    size_t k = 0;
    for (int i = 0; i < CL_QUIZ_MAX_OPTIONS; i++)
        if (mask & (1u << i))
            buf[k++] = (char)('a' + i);
    buf[k] = '\0';
    return buf;
}
