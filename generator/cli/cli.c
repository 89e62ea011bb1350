/* cli.c - what the subcommands share: the common options, usage errors and
 * shell quoting for the "how to regenerate" line (see cli.h). */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_UNTIL = 256, OPT_STRICT, OPT_TABLE = 512 };

int cli_parse(int argc, char **argv, const cli_opt *opts, cli_common *co,
              void (*usage)(FILE *))
{
    static const cli_opt common[] = {
        {"until", 0, NULL, NULL}, {"strict", 0, NULL, NULL}, {"quiet", 'q', NULL, NULL},
        {"verbose", 'v', NULL, NULL}, {"help", 'h', NULL, NULL},
    };
    static const int common_key[] = {OPT_UNTIL, OPT_STRICT, 'q', 'v', 'h'};
    static const bool common_arg[] = {true, false, false, false, false};
    size_t n = 0;
    while (opts[n].name)
        n++;
    const size_t nc = sizeof common / sizeof common[0];
    struct option *lo = xcalloc(n + nc + 1, sizeof *lo);
    strbuf shorts;
    buf_init(&shorts);
    buf_putc(&shorts, ':'); /* a missing value is ':', not '?' */
    for (size_t i = 0; i < n; i++) {
        int key = opts[i].letter ? opts[i].letter : OPT_TABLE + (int)i;
        lo[i] = (struct option){opts[i].name, opts[i].value ? required_argument : no_argument,
                                NULL, key};
        if (opts[i].letter) {
            buf_putc(&shorts, opts[i].letter);
            if (opts[i].value)
                buf_putc(&shorts, ':');
        }
    }
    for (size_t i = 0; i < nc; i++) {
        lo[n + i] = (struct option){common[i].name, common_arg[i] ? required_argument
                                                                  : no_argument,
                                    NULL, common_key[i]};
        if (common[i].letter)
            buf_putc(&shorts, common[i].letter);
    }
    *co = (cli_common){.verbosity = 1};
    int rc = CLI_CONTINUE, c;
    optind = 1;
    opterr = 0;
    while (rc == CLI_CONTINUE && (c = getopt_long(argc, argv, shorts.data, lo, NULL)) != -1) {
        const cli_opt *t = NULL;
        for (size_t i = 0; i < n && !t; i++)
            if (c == (opts[i].letter ? opts[i].letter : OPT_TABLE + (int)i))
                t = &opts[i];
        if (t && t->value)
            *t->value = optarg;
        else if (t && t->flag)
            *t->flag = true;
        else if (c == OPT_UNTIL)
            co->until = optarg;
        else if (c == OPT_STRICT)
            co->strict = true;
        else if (c == 'q')
            co->verbosity = 0;
        else if (c == 'v')
            co->verbosity = 2;
        else if (c == 'h') {
            usage(stdout);
            rc = EXIT_OK;
        } else {
            /* A short option may sit inside a cluster: name it by its letter. */
            if (optopt > 0 && optopt < 256)
                fprintf(stderr, "memreport: -%c: %s\n", optopt,
                        c == ':' ? "needs a value" : "unknown option");
            else
                fprintf(stderr, "memreport: %s: %s\n", argv[optind - 1],
                        c == ':' ? "needs a value" : "unknown option");
            usage(stderr);
            rc = EXIT_USAGE;
        }
    }
    free(lo);
    buf_free(&shorts);
    return rc;
}

int cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("memreport: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage(stderr);
    return EXIT_USAGE;
}

void cli_shell_word(strbuf *b, const char *s)
{
    bool plain = *s != '\0';
    bool ctrl = false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            ctrl = true;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("@%+=:,./-_", c)))
            plain = false;
    }
    buf_putc(b, ' ');
    if (plain) {
        buf_puts(b, s);
    } else if (ctrl) {
        buf_puts(b, "$'");
        for (const char *p = s; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == 0x7f)
                buf_printf(b, "\\x%02x", c);
            else if (c == '\'' || c == '\\')
                buf_printf(b, "\\%c", c);
            else
                buf_putc(b, (char)c);
        }
        buf_putc(b, '\'');
    } else {
        buf_putc(b, '\'');
        for (const char *p = s; *p; p++) {
            if (*p == '\'')
                buf_puts(b, "'\\''");
            else
                buf_putc(b, *p);
        }
        buf_putc(b, '\'');
    }
}
