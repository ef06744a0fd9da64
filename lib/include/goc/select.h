/* libgoc — select.
 *
 *   Go                                  C
 *   select {                            switch (goc_select(
 *   case v := <-in:                         goc_case_recv(in, &v),
 *   case out <- x:                          goc_case_send(out, &x))) {
 *   }                                   case 0: ...; break;
 *                                       case 1: ...; break; }
 *
 *   select { ...; default: }            goc_select_default(...) returns
 *                                       GOC_DEFAULT when no case is ready.
 *
 * Among ready cases one is chosen uniformly at random; a case on a NULL
 * (nil) channel is never chosen; goc_select() with no cases blocks forever.
 * The arrays form (goc_select_cases) takes a goc_case array and a count. */
#ifndef GOC_SELECT_H
#define GOC_SELECT_H

#include "chan.h"

typedef enum goc_case_dir { GOC_CASE_SEND = 1, GOC_CASE_RECV = 2 } goc_case_dir;

typedef struct goc_case {
    goc_case_dir dir;
    goc_chan *ch;     /* NULL: nil channel, never ready */
    void *elem;       /* send: the value; receive: where to store it (NULL: discard) */
    size_t elem_size; /* checked against the channel's element size */
    bool *ok;         /* receive: set to false if the channel was closed (may be NULL) */
} goc_case;

#define GOC_DEFAULT (-1)

#define goc_case_send(ch, ...) \
    ((goc_case){GOC_CASE_SEND, goc__sendable(ch), (void *)(__VA_ARGS__), sizeof *(__VA_ARGS__), NULL})
#define goc_case_recv(ch, valptr) \
    ((goc_case){GOC_CASE_RECV, goc__recvable(ch), (valptr), sizeof *(valptr), NULL})
#define goc_case_recv_ok(ch, valptr, okptr) \
    ((goc_case){GOC_CASE_RECV, goc__recvable(ch), (valptr), sizeof *(valptr), (okptr)})
#define goc_case_recv_discard(ch) \
    ((goc_case){GOC_CASE_RECV, goc__recvable(ch), NULL, (size_t)-1, NULL})

/* Returns the index of the case that fired, or GOC_DEFAULT. */
int goc_select_at(goc_case *cases, int ncases, bool has_default, goc_site site);

#define goc_select_cases(cases, n) goc_select_at((cases), (n), false, GOC_SITE)
#define goc_select_cases_default(cases, n) goc_select_at((cases), (n), true, GOC_SITE)

#define goc__ncases(...) ((int)(sizeof((goc_case[]){__VA_ARGS__}) / sizeof(goc_case)))
#define goc_select(...) \
    goc_select_at((goc_case[]){__VA_ARGS__}, goc__ncases(__VA_ARGS__), false, GOC_SITE)
#define goc_select_default(...) \
    goc_select_at((goc_case[]){__VA_ARGS__}, goc__ncases(__VA_ARGS__), true, GOC_SITE)
/* select {} */
#define goc_select_forever() goc_select_at(NULL, 0, false, GOC_SITE)

#endif
