/* memsim.c - experiment simulator (not yet written). */
#include <stdio.h>
int main(void)
{
    fprintf(stderr, "memsim: not available yet\n");
    return 3;
}
