/* Port of errors_join.go. */
#include <goc.h>
#include <stdio.h>

static goc_error err_not_found = GOC_ERROR_SENTINEL("not found");

int main(void)
{
    printf("all nil: %s\n", goc_error_join((goc_error *[]){NULL, NULL}, 2) == NULL ? "true" : "false");
    goc_error *a = goc_error_new("job 1 failed");
    goc_error *b = goc_error_wrap(&err_not_found, "job 2");
    goc_error *joined = goc_error_join((goc_error *[]){a, NULL, b}, 3);
    printf("%s\n", goc_error_message(joined));
    printf("is not found: %s\n", goc_error_is(joined, &err_not_found) ? "true" : "false");
    printf("unwrap: %s\n", goc_error_message(goc_error_unwrap(joined)));
    goc_error_free(joined);
    return 0;
}
