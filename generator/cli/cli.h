/* cli.h - the subcommands. Each lists its options in one table that
 * cli_parse reads (getopt_long underneath), together with the options
 * every command shares; each prints --help and returns an exit status. */
#ifndef MEMREPORT_CLI_H
#define MEMREPORT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "site_theme.h"
#include "status.h"
#include "util.h"


/* ---- Shared by the commands (cli.c) ---------------------------------- */

/* The options that mean the same in every command that takes them. */
typedef struct {
    const char *until;        /* --until TIME, or NULL */
    bool strict;              /* --strict */
    int verbosity;            /* 0 -q, 1 normal (the default), 2 -v */
} cli_common;

/* One option of a command: its long name, its short letter (0: none),
 * and where it goes: `value` for an option that takes one, `flag` for one
 * that does not. A table ends with an entry whose name is NULL. */
typedef struct {
    const char *name;
    char letter;
    const char **value;
    bool *flag;
} cli_opt;

/* Returned by cli_parse when the command goes on. */
#define CLI_CONTINUE (-1)

/* Parses argv with the command's table and the options every command
 * shares (--until TIME, --strict, -q/--quiet, -v/--verbose, -h/--help)
 * into *co (which it fills entirely: verbosity 1, the rest unset).
 * Returns CLI_CONTINUE with optind at
 * the first operand; after --help, usage on stdout and EXIT_OK; after an
 * unknown option or a missing value, usage on stderr and EXIT_USAGE. */
int cli_parse(int argc, char **argv, const cli_opt *opts, cli_common *co,
              void (*usage)(FILE *));

/* Prints "memreport: MESSAGE" and the usage to stderr; returns
 * EXIT_USAGE. */
int cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a space and s as one shell word for a "how to regenerate"
 * line: bare when it is plain, else '...'-quoted, or $'...' when it holds
 * control characters (so the command stays on one line). */
void cli_shell_word(strbuf *b, const char *s);

/* At -v (verbosity above 1): where analysis_load took the figures from,
 * "inputs unchanged: read results.sqlite", or its reason for reading the
 * CSVs (why, NULL when it gave none), e.g. that memory.csv grew and only
 * the appended bytes were read. */
void cli_say_source(int verbosity, bool from_archive, const char *why);

/* --base-url URL: the address the site is published at. Checks it
 * (http:// or https://, a host name or [IPv6] with an optional :port, a
 * path of printable ASCII without spaces, quotes, <>, \ or `, no ? or #)
 * and sets *out to it with a trailing '/' (malloc'd). Returns CLI_CONTINUE,
 * or EXIT_USAGE after saying what is wrong. */
int cli_base_url(const char *url, char **out, void (*usage)(FILE *));

/* The site's theme: DIR from --site-theme when given (it must exist),
 * else the site-theme/ folder inside the one of dirs[n] that has one
 * (two such folders are an error: choose with --site-theme). Loads it
 * into *t and sets *have. Returns 0, or an exit status after printing
 * the errors. */
int cli_site_theme(const char *opt, const char *const *dirs, size_t n, site_theme *t,
                   bool *have);

int cmd_init(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
