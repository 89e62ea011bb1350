/* cmd_check.c - memreport check: read and analyse an experiment directory
 * without writing anything, and list every problem found. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: memreport check EXPDIR [--strict]\n\n"
               "Reads every input of EXPDIR (experiment.json, the memory CSV, events.csv,\n"
               "diagnostics.csv, relay_config.csv, groups/) and runs the analysis, writing\n"
               "nothing. Every problem is printed on stderr as FILE:LINE: message; a\n"
               "one-line summary goes to stdout.\n\n"
               "  --strict   treat warnings that can hide a wrong result (a partial last\n"
               "             line, a relay in two groups) as errors\n"
               "  -h, --help show this help\n\n"
               "Exit status: 0 no errors, 1 errors in the input, 2 bad usage.\n");
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"strict", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    analysis_options o;
    analysis_options_default(&o);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o.strict = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "memreport: check takes one experiment directory\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *dir = argv[optind];
    analysis a;
    int rc = analysis_run(dir, &o, &a);
    diag_print(&a.diag, stderr, false);
    size_t nerr = a.diag.nerrors, nwarn = a.diag.n - a.diag.nerrors;
    const experiment *e = &a.e;
    unsigned long long rows = e->notes.relay_rows + e->notes.aggregate_rows;
    printf("%s: %zu warning%s, %zu error%s; %llu row%s, %zu relay%s, %zu collection%s\n", dir,
           nwarn, nwarn == 1 ? "" : "s", nerr, nerr == 1 ? "" : "s", rows, rows == 1 ? "" : "s",
           e->nrelays, e->nrelays == 1 ? "" : "s", e->ncoll, e->ncoll == 1 ? "" : "s");
    analysis_free(&a);
    if (rc == EXIT_IO)
        return EXIT_IO;
    return nerr ? EXIT_BAD_INPUT : EXIT_OK;
}
