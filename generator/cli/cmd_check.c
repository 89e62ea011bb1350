/* cmd_check.c - memreport check: read and analyse an experiment directory
 * without writing anything, and list every problem found. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "archive.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: memreport check EXPDIR [--until TIME] [--strict] [-q|-v]\n\n"
               "Reads every input of EXPDIR (experiment.json, the memory CSV, events.csv,\n"
               "diagnostics.csv, relay_config.csv, groups/) and runs the analysis, writing\n"
               "nothing. Every problem is printed on stderr as FILE:LINE: message; a\n"
               "one-line summary goes to stdout. A directory holding only results.sqlite\n"
               "(its CSVs removed) is checked as an archive: integrity, schema version,\n"
               "and every stored count against the rows stored.\n\n"
               "  --until TIME  check the analysis as of TIME (a date: the end of that day)\n"
               "  --strict      treat warnings that can hide a wrong result (a partial last\n"
               "                line, a relay in two groups) as errors\n"
               "  -q, --quiet   list errors only, not warnings\n"
               "  -v, --verbose accepted, as by every command\n"
               "  -h, --help    show this help\n\n"
               "Exit status: 0 no errors, 1 errors in the input, 2 bad usage.\n");
}

/* An experiment kept as its results.sqlite alone: the archive is what is
 * checked (integrity, schema, counts), then the analysis it holds. */
static int check_archive(const char *dir, const analysis_options *o, bool quiet)
{
    char *path = path_join(dir, ARCHIVE_FILE_NAME);
    archive_facts f;
    analysis a;
    diag_list d;
    diag_init(&d);
    int rc = archive_check(path, dir, &f, &a, &d);
    analysis_free(&a);
    if (rc == 0) {
        /* The stored analysis, as every other command would read it. */
        rc = analysis_load(dir, o, &a, NULL, NULL);
        diag_append(&d, &a.diag);
    } else {
        memset(&a, 0, sizeof a);
    }
    diag_print(&d, stderr, quiet);
    size_t nerr = d.nerrors, nwarn = d.n - d.nerrors;
    const experiment *e = &a.e;
    unsigned long long rows = e->notes.relay_rows + e->notes.aggregate_rows;
    printf("%s: archive only (%s: schema version %lld, integrity %s, %s); "
           "%zu warning%s, %zu error%s; %llu row%s, %zu relay%s, %zu collection%s\n",
           dir, ARCHIVE_FILE_NAME, f.schema_version, f.integrity_ok ? "ok" : "FAILED",
           f.read_ok ? "counts match the stored rows" : "not readable", nwarn,
           nwarn == 1 ? "" : "s", nerr, nerr == 1 ? "" : "s", rows, rows == 1 ? "" : "s",
           e->nrelays, e->nrelays == 1 ? "" : "s", e->ncoll, e->ncoll == 1 ? "" : "s");
    analysis_free(&a);
    diag_free(&d);
    free(path);
    if (rc == EXIT_IO)
        return EXIT_IO;
    return nerr ? EXIT_BAD_INPUT : EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    analysis_options o;
    analysis_options_default(&o);
    const cli_opt opts[] = {{NULL, 0, NULL, NULL}};
    cli_common co;
    int prc = cli_parse(argc, argv, opts, &co, usage);
    if (prc != CLI_CONTINUE)
        return prc;
    o.strict = co.strict;
    o.until_text = co.until;
    if (argc - optind != 1) {
        fprintf(stderr, "memreport: check takes one experiment directory\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *dir = argv[optind];
    if (archive_only(dir))
        return check_archive(dir, &o, co.verbosity == 0);
    analysis a;
    /* check prints nothing that depends on the memory CSV's hash. */
    o.no_memory_hash = true;
    int rc = analysis_run(dir, &o, &a);
    diag_print(&a.diag, stderr, co.verbosity == 0);
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
