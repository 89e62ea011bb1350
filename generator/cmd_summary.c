/* cmd_summary.c - memreport summary (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_summary(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "memreport: summary is not available yet\n");
    return EXIT_IO;
}
