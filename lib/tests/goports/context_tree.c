/* Port of context_tree.go. */
#include <goc.h>
#include <stdio.h>

static const char key;

static const char *tf(bool b) { return b ? "true" : "false"; }

int main(void)
{
    goc_ctx *root = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *child = goc_ctx_with_cancel(root);
    goc_ctx *with_value = goc_ctx_with_value(child, &key, "request-42");
    printf("before: %s %s\n", goc_error_message(goc_ctx_err(root)), goc_error_message(goc_ctx_err(child)));
    goc_ctx_cancel(root);
    goc_recv_discard(goc_ctx_done(with_value));
    printf("after cancel: %s %s\n", goc_error_message(goc_ctx_err(child)),
           tf(goc_error_is(goc_ctx_err(child), goc_canceled)));
    printf("value: %s\n", (const char *)goc_ctx_value(with_value, &key));

    goc_ctx *other = goc_ctx_with_cancel(goc_ctx_background());
    goc_ctx *grandchild = goc_ctx_with_cancel(other);
    goc_ctx_cancel(grandchild);
    printf("parent untouched: %s\n", goc_error_message(goc_ctx_err(other)));
    printf("grandchild: %s\n", goc_error_message(goc_ctx_err(grandchild)));
    goc_ctx_release(grandchild);
    goc_ctx_release(other);

    goc_ctx *ctx = goc_ctx_with_timeout(goc_ctx_background(), 20 * GOC_MILLISECOND);
    goc_time deadline;
    bool has_deadline = goc_ctx_deadline(ctx, &deadline);
    goc_chan *timer = goc_after(10 * GOC_SECOND);
    switch (goc_select(goc_case_recv_discard(goc_ctx_done(ctx)), goc_case_recv_discard(timer))) {
    case 0: printf("timeout: %s %s\n", goc_error_message(goc_ctx_err(ctx)), tf(has_deadline)); break;
    case 1: printf("timer fired first\n"); break;
    }
    printf("is deadline exceeded: %s\n", tf(goc_error_is(goc_ctx_err(ctx), goc_deadline_exceeded)));
    goc_chan_free(timer);
    goc_ctx_release(ctx);
    goc_ctx_release(with_value);
    goc_ctx_release(child);
    goc_ctx_release(root);
    return 0;
}
