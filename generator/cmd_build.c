/* cmd_build.c - memreport build (not yet written). */
#include <stdio.h>

#include "cli.h"

int cmd_build(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "memreport: build is not available yet\n");
    return EXIT_IO;
}
