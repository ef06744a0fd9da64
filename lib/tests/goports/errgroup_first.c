/* Port of errgroup_first.go. */
#include <goc.h>
#include <stdio.h>
#include <string.h>

static goc_error err_bad_input = GOC_ERROR_SENTINEL("bad input");

typedef struct job {
    int i;
    goc_ctx *ctx;
    char result[64];
} job;

static goc_error *run(void *arg)
{
    job *j = arg;
    if (j->i == 2)
        return goc_error_wrap(&err_bad_input, "job %d", j->i);
    goc_recv_discard(goc_ctx_done(j->ctx));
    snprintf(j->result, sizeof j->result, "job %d stopped: %s", j->i,
             goc_error_message(goc_ctx_err(j->ctx)));
    return goc_ctx_err(j->ctx); /* a sentinel: the group never frees it */
}

static goc_error *succeed(void *arg)
{
    (void)arg;
    return NULL;
}

static goc_error *fail(void *arg)
{
    (void)arg;
    return goc_error_new("second round failed");
}

int main(void)
{
    goc_ctx *ctx;
    goc_errgroup *g = goc_errgroup_with_context(goc_ctx_background(), &ctx);
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){.i = i, .ctx = ctx};
        goc_errgroup_go(g, run, &jobs[i]);
    }
    goc_error *err = goc_errgroup_wait(g);
    printf("wait: %s\n", goc_error_message(err));
    printf("is bad input: %s\n", goc_error_is(err, &err_bad_input) ? "true" : "false");
    printf("wait again: %s\n", goc_error_message(goc_errgroup_wait(g)));
    for (int i = 0; i < 4; i++)
        if (jobs[i].result[0])
            printf("%s\n", jobs[i].result);
    goc_errgroup_free(g);

    goc_errgroup *h = goc_errgroup_new();
    goc_errgroup_go(h, succeed, NULL);
    printf("first round: %s\n", goc_error_message(goc_errgroup_wait(h)));
    goc_errgroup_go(h, fail, NULL);
    printf("second round: %s\n", goc_error_message(goc_errgroup_wait(h)));
    goc_errgroup_free(h);
    return 0;
}
