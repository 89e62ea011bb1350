/* main.c - memreport's front: picks the subcommand and hands over. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jsonout.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"init", cmd_init, "write a first experiment.json from what EXPDIR holds (start here)"},
    {"build", cmd_build, "write REPORT.md, charts/, results.sqlite and the HTML site"},
    {"summary", cmd_summary, "print the per-group results (text, csv or json)"},
    {"check", cmd_check, "validate the inputs and list every problem"},
    {"site", cmd_site, "build one site over many experiment directories"},
    {"compare", cmd_compare, "compare groups that share an allocator across experiments"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: memreport COMMAND [OPTIONS] ...\n\n"
               "Turns a directory of relay memory measurements into a report.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'memreport COMMAND --help' for a command's options.\n"
               "Exit status: 0 success, 1 bad input, 2 bad usage, 3 I/O or internal failure.\n");
}

int main(int argc, char **argv)
{
    jsonout_use_xmalloc();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("memreport %s\n", MEMREPORT_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "memreport: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
