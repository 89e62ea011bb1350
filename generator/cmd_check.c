/* cmd_check.c - memreport check (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "memreport: check is not available yet\n");
    return EXIT_IO;
}
