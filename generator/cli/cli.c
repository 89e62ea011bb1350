/* cli.c - what the subcommands share: the common options, usage errors and
 * shell quoting for the "how to regenerate" line (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

int cli_common_option(int c, const char *arg, cli_common *o, void (*usage)(FILE *))
{
    switch (c) {
    case 'U': o->until = arg; return CLI_CONTINUE;
    case 'S': o->strict = true; return CLI_CONTINUE;
    case 'q': o->verbosity = 0; return CLI_CONTINUE;
    case 'v': o->verbosity = 2; return CLI_CONTINUE;
    case 'h': usage(stdout); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
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
