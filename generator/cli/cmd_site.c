/* cmd_site.c - memreport site: options, then site_build (site.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "cli.h"
#include "notes.h"
#include "site.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: memreport site ROOT... -o SITE [--until TIME] [--strict] [--no-save]\n"
            "                      [-q|-v]\n\n"
            "Finds every experiment directory under each ROOT (a directory holding\n"
            "memory.csv, memory_measurements.csv or measurements.csv), reads each from its\n"
            "results.sqlite when that is current or else from its CSVs (and saves the\n"
            "archive beside them), and writes one site: SITE/index.html with a row per\n"
            "experiment, SITE/compare.html comparing groups that share an allocator, and\n"
            "each experiment's page under SITE/<experiment>/. Experiments that cannot be\n"
            "read are listed on the index with their error; the rest is built.\n\n"
            "  -o, --output SITE   directory of the site (required)\n"
            "      --until TIME    final snapshot at or before TIME in every experiment\n"
            "      --strict        treat warnings as errors\n"
            "      --no-save       do not write results.sqlite into experiment directories\n"
            "  -q, --quiet         print errors only\n"
            "  -v, --verbose       say how each experiment was read\n"
            "  -h, --help          this help\n");
}

/* The command as typed, for the pages' "how to regenerate". */
static char *command_line(int argc, char **argv)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "memreport site");
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        /* Verbosity does not change the site: leave it out. */
        if (str_eq(s, "-q") || str_eq(s, "-v") || str_eq(s, "--quiet") || str_eq(s, "--verbose"))
            continue;
        cli_shell_word(&b, s);
    }
    return buf_detach(&b);
}

int cmd_site(int argc, char **argv)
{
    site_options o;
    memset(&o, 0, sizeof o);
    analysis_options_default(&o.ao);
    bool no_save = false;
    const cli_opt opts[] = {
        {"output", 'o', &o.out, NULL},
        {"no-save", 0, NULL, &no_save},
        {NULL, 0, NULL, NULL},
    };
    cli_common co;
    int prc = cli_parse(argc, argv, opts, &co, usage);
    if (prc != CLI_CONTINUE)
        return prc;
    o.save_archives = !no_save;
    if (!o.out)
        return cli_usage_error(usage, "site needs -o SITE");
    if (optind >= argc)
        return cli_usage_error(usage, "site needs at least one ROOT directory");
    o.ao.until_text = co.until;
    o.ao.strict = co.strict;
    o.verbosity = co.verbosity;
    o.roots = (const char *const *)(argv + optind);
    o.nroots = (size_t)(argc - optind);
    char *cmd = command_line(argc, argv);
    o.command = cmd;
    diag_list d;
    diag_init(&d);
    int status = site_build(&o, &d);
    diag_print(&d, stderr, false);
    diag_free(&d);
    free(cmd);
    notes_cleanup();
    charts_shutdown();
    return status;
}
