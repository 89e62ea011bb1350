/* cmd_site.c - memreport site (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_site(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "memreport: site is not available yet\n");
    return EXIT_IO;
}
