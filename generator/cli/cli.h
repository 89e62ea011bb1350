/* cli.h - the subcommands. Each parses its own options (getopt_long),
 * prints --help, and returns an exit status; the options they share are
 * handled once, in cli.c. */
#ifndef MEMREPORT_CLI_H
#define MEMREPORT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"
#include "util.h"


/* ---- Shared by the commands (cli.c) ---------------------------------- */

/* The options that mean the same in every command that takes them. */
typedef struct {
    const char *until;        /* --until TIME, or NULL */
    bool strict;              /* --strict */
    int verbosity;            /* 0 -q, 1 normal (the default), 2 -v */
} cli_common;

/* getopt_long entries for --until, --strict, --quiet, --verbose and
 * --help; a command lists it inside its own table and adds "qvh" to its
 * short options. Needs <getopt.h>. */
#define CLI_COMMON_LONGOPTS                                \
    {"until", required_argument, NULL, 'U'},               \
    {"strict", no_argument, NULL, 'S'},                    \
    {"quiet", no_argument, NULL, 'q'},                     \
    {"verbose", no_argument, NULL, 'v'},                   \
    {"help", no_argument, NULL, 'h'}

/* Returned by cli_common_option when parsing goes on. */
#define CLI_CONTINUE (-1)

/* Takes getopt_long's result c for a command's `default:` case: a shared
 * option is stored in *o (arg is optarg) and CLI_CONTINUE returned; -h
 * prints usage to stdout and returns EXIT_OK; anything else (an unknown
 * option, a missing argument) prints usage to stderr and returns
 * EXIT_USAGE. */
int cli_common_option(int c, const char *arg, cli_common *o, void (*usage)(FILE *));

/* Prints "memreport: MESSAGE" and the usage to stderr; returns
 * EXIT_USAGE. */
int cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a space and s as one shell word for a "how to regenerate"
 * line: bare when it is plain, else '...'-quoted, or $'...' when it holds
 * control characters (so the command stays on one line). */
void cli_shell_word(strbuf *b, const char *s);

int cmd_build(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
