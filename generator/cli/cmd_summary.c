/* cmd_summary.c - memreport summary: the per-group results on stdout as a
 * table, CSV or JSON; warnings and errors on stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "archive.h"
#include "cli.h"
#include "summary.h"
#include "timestamp.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: memreport summary EXPDIR [--until TIME] [--baseline ID] [--strict]\n"
            "                         [--format text|csv|json] [-q|-v]\n\n"
            "Prints each group's final mean RSS, ratio to the baseline (95%% bootstrap\n"
            "interval), rank-sum p-value (Holm-adjusted), growth slopes and trend.\n\n"
            "  --until TIME      use data up to TIME (a date alone: the end of that day,\n"
            "                    in the experiment's timezone)\n"
            "  --baseline ID     group that ratios are taken against (default: the\n"
            "                    manifest's, else the group with the highest final mean)\n"
            "  --strict          treat overlaps and a partial last line as errors\n"
            "  --format FORMAT   text (default), csv or json\n"
            "  -q, --quiet       print errors only (no warnings) on stderr\n"
            "  -v, --verbose     say where the figures come from: results.sqlite, the\n"
            "                    CSVs (and why), or only the rows appended since the\n"
            "                    last build\n"
            "  -h, --help        show this help\n\n"
            "Exit status: 0 success, 1 bad input, 2 bad usage, 3 I/O failure.\n");
}

int cmd_summary(int argc, char **argv)
{
    analysis_options ao;
    analysis_options_default(&ao);
    const char *format = "text";
    const cli_opt opts[] = {
        {"baseline", 0, &ao.baseline, NULL},
        {"format", 0, &format, NULL},
        {NULL, 0, NULL, NULL},
    };
    cli_common co;
    int prc = cli_parse(argc, argv, opts, &co, usage);
    if (prc != CLI_CONTINUE)
        return prc;
    int64_t t;
    /* Syntax only here; the manifest's timezone applies later. */
    if (co.until && !analysis_parse_until(co.until, 0, &t)) {
        fprintf(stderr, "memreport: --until '%s' is not a timestamp "
                        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])\n", co.until);
        return EXIT_USAGE;
    }
    ao.until_text = co.until;
    ao.strict = co.strict;
    if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json")) {
        fprintf(stderr, "memreport: summary: --format must be text, csv or json, not '%s'\n",
                format);
        return EXIT_USAGE;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "memreport: summary: %s\n",
                optind >= argc ? "give one experiment directory" : "too many arguments");
        usage(stderr);
        return EXIT_USAGE;
    }

    /* A current results.sqlite answers without parsing the CSVs. */
    analysis a;
    bool from_archive = false;
    char *why = NULL;
    int rc = analysis_load(argv[optind], &ao, &a, &from_archive, &why);
    if (rc == 0)
        cli_say_source(co.verbosity, from_archive, why);
    free(why);
    diag_print(&a.diag, stderr, co.verbosity == 0);
    if (rc == 0) {
        strbuf out;
        buf_init(&out);
        if (!strcmp(format, "csv"))
            summary_csv(&a, &out);
        else if (!strcmp(format, "json"))
            summary_json(&a, &out);
        else
            summary_text(&a, &out);
        if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
            fprintf(stderr, "memreport: summary: writing the output failed\n");
            rc = EXIT_IO;
        }
        buf_free(&out);
    }
    analysis_free(&a);
    return rc;
}
