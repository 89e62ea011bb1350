/* cli.c - what the subcommands share: the common options, usage errors and
 * shell quoting for the "how to regenerate" line (see cli.h). */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

void cli_say_source(int verbosity, bool from_archive, const char *why)
{
    if (verbosity > 1)
        fprintf(stderr, "memreport: %s\n", from_archive ? "inputs unchanged: read results.sqlite"
                                                         : why ? why : "read the CSVs");
}

int cli_base_url(const char *url, char **out, void (*usage)(FILE *))
{
    const char *p = url;
    if (!strncmp(p, "https://", 8))
        p += 8;
    else if (!strncmp(p, "http://", 7))
        p += 7;
    else
        return cli_usage_error(usage, "--base-url %s: must start with https:// or http://",
                               url);
    const char *host = p;
    if (*p == '[') {
        p++;
        while (*p && *p != ']' && strchr("0123456789abcdefABCDEF:.", *p))
            p++;
        if (*p != ']' || p == host + 1)
            return cli_usage_error(usage, "--base-url %s: the [IPv6] host is not closed", url);
        p++;
    } else {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
            p++;
        if (p == host)
            return cli_usage_error(usage, "--base-url %s: has no host name", url);
    }
    if (*p == ':') {
        const char *port = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == port || p - port > 5)
            return cli_usage_error(usage, "--base-url %s: the port must be a number", url);
    }
    if (*p && *p != '/')
        return cli_usage_error(usage, "--base-url %s: unexpected '%c' after the host", url, *p);
    for (const char *q = p; *q; q++) {
        unsigned char c = (unsigned char)*q;
        if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`^{}|", c))
            return cli_usage_error(usage, "--base-url %s: a space, quote, control or non-ASCII "
                                          "character (percent-encode it: %%XX) at byte %zu",
                                   url, (size_t)(q - url) + 1);
        if (c == '?' || c == '#')
            return cli_usage_error(usage, "--base-url %s: the address of a folder has no "
                                          "query or fragment ('%c')", url, c);
    }
    size_t n = strlen(url);
    *out = n && url[n - 1] == '/' ? xstrdup(url) : xasprintf("%s/", url);
    return CLI_CONTINUE;
}

int cli_site_theme(const char *opt, const char *const *dirs, size_t n, site_theme *t,
                   bool *have)
{
    *have = false;
    memset(t, 0, sizeof *t);
    char *found = opt ? xstrdup(opt) : NULL;
    for (size_t i = 0; i < n && !opt; i++) {
        char *p = path_join(dirs[i], SITE_THEME_DIR_NAME);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
            free(p);
        } else if (found) {
            fprintf(stderr, "memreport: %s and %s: two site themes; choose one with "
                            "--site-theme DIR\n", found, p);
            free(p);
            free(found);
            return EXIT_BAD_INPUT;
        } else {
            found = p;
        }
    }
    if (!found)
        return EXIT_OK;
    diag_list d;
    diag_init(&d);
    int rc = site_theme_load(found, t, &d);
    diag_print(&d, stderr, false);
    diag_free(&d);
    free(found);
    if (rc != 0) {
        site_theme_free(t); /* what was read before the error */
        return EXIT_BAD_INPUT;
    }
    *have = true;
    return EXIT_OK;
}
