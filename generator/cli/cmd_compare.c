/* cmd_compare.c - memreport compare: the site's comparison page on a
 * terminal, or as CSV, JSON or a Markdown table. Each directory is loaded from its archive when that is current
 * (analysis_load), else from its CSVs; nothing is written. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "cli.h"
#include "compare.h"
#include "report_common.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: memreport compare EXPDIR EXPDIR... [--format text|csv|json|md]\n"
               "                         [--until TIME] [--strict]\n\n"
               "Ranks every group of every experiment by how much less memory it used than\n"
               "its own experiment's control (the manifest's \"control\", else a group whose\n"
               "name or config says control, default or glibc, else the baseline), with the\n"
               "95%% bootstrap interval and what the group changes (allocator and version,\n"
               "or the config keys that differ). Text and JSON also line up the groups that\n"
               "run the same allocator in different experiments.\n"
               "Ratios are control mean / group mean; %% less = 100 x (1 - group / control).\n"
               "A current EXPDIR/results.sqlite is read instead of the CSVs; a directory\n"
               "holding only results.sqlite is read from it.\n\n"
               "  -f, --format FMT  text (default), csv, json or md (a GitHub table)\n"
               "      --until TIME  final snapshot at or before TIME in every experiment\n"
               "      --strict      treat warnings as errors\n"
               "  -v, --verbose     say whether each archive was used, and why not\n"
               "  -h, --help        this help\n");
}

int cmd_compare(int argc, char **argv)
{
    const char *format = "text";
    analysis_options ao;
    analysis_options_default(&ao);
    const cli_opt opts[] = {
        {"format", 'f', &format, NULL},
        {NULL, 0, NULL, NULL},
    };
    cli_common co;
    int prc = cli_parse(argc, argv, opts, &co, usage);
    if (prc != CLI_CONTINUE)
        return prc;
    ao.until_text = co.until;
    ao.strict = co.strict;
    bool verbose = co.verbosity > 1;
    if (!str_eq(format, "text") && !str_eq(format, "csv") && !str_eq(format, "json") &&
        !str_eq(format, "md")) {
        fprintf(stderr, "memreport: --format must be text, csv, json or md, not '%s'\n", format);
        return EXIT_USAGE;
    }
    size_t n = (size_t)(argc - optind);
    if (n < 2)
        return cli_usage_error(usage, "compare needs at least two experiment directories");

    analysis *as = xcalloc(n, sizeof *as);
    const analysis **ptrs = xcalloc(n, sizeof *ptrs);
    const char **titles = xcalloc(n, sizeof *titles);
    int status = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        const char *dir = argv[optind + (int)i];
        bool reused = false;
        char *why = NULL;
        int rc = analysis_load(dir, &ao, &as[i], &reused, &why);
        diag_print(&as[i].diag, stderr, true);
        if (verbose)
            fprintf(stderr, "memreport: %s: %s%s\n", dir,
                    reused ? "read from results.sqlite" : "read from the CSVs: ",
                    reused ? "" : why ? why : "");
        free(why);
        if (rc != 0) {
            fprintf(stderr, "memreport: %s: cannot be compared (see above)\n", dir);
            if (status == EXIT_OK || rc > status)
                status = rc;
        }
        ptrs[i] = &as[i];
        titles[i] = report_title(&as[i]);
    }
    if (status == EXIT_OK) {
        comparison cmp;
        compare_build(ptrs, n, &cmp);
        versus_table vt;
        versus_build(ptrs, n, &vt);
        strbuf out;
        buf_init(&out);
        if (str_eq(format, "csv")) {
            compare_rank_csv(&vt, ptrs, titles, &out);
        } else if (str_eq(format, "json")) {
            compare_json(&cmp, &vt, ptrs, titles, &out);
        } else if (str_eq(format, "md")) {
            compare_rank_md(&vt, ptrs, titles, &out);
        } else {
            compare_rank_text(&vt, ptrs, titles, n, &out);
            compare_text(&cmp, ptrs, titles, &out);
        }
        if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
            perror("memreport: stdout");
            status = EXIT_IO;
        }
        buf_free(&out);
        versus_free(&vt);
        compare_free(&cmp);
    }
    for (size_t i = 0; i < n; i++)
        analysis_free(&as[i]);
    free(as);
    free(ptrs);
    free(titles);
    return status;
}
