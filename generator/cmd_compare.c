/* cmd_compare.c - memreport compare (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "memreport: compare is not available yet\n");
    return EXIT_IO;
}
