/* cli.h - the subcommands. Each parses its own options (getopt_long),
 * prints --help, and returns an exit status. */
#ifndef MEMREPORT_CLI_H
#define MEMREPORT_CLI_H

enum {
    EXIT_OK = 0,
    EXIT_BAD_INPUT = 1,
    EXIT_USAGE = 2,
    EXIT_IO = 3,
};

#define MEMREPORT_VERSION "0.1.0"

int cmd_build(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
