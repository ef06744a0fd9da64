/* Port of mutex_unlock_unlocked.go. */
#include <goc.h>
#include <stdio.h>

int main(void)
{
    goc_mutex mu = {0};
    int counter = 0;
    goc_mutex_lock(&mu);
    counter++;
    goc_mutex_unlock(&mu);
    printf("counter %d\n", counter);
    goc_mutex_unlock(&mu);
    return 0;
}
