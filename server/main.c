/* main.c — placeholder until the server lands: says so plainly. */
#include <stdio.h>

int
main(void)
{
    fprintf(stderr, "zmem-server: not built yet (issue 4)\n");
    return 1;
}
