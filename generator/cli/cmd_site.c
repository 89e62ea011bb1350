/* cmd_site.c - memreport site: options, then site_build (site.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "cli.h"
#include "notes.h"
#include "outset.h"
#include "site.h"
#include "util.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: memreport site ROOT... -o SITE [--until TIME] [--strict] [--no-save]\n"
            "                      [--publish-archive] [--site-theme DIR] [--base-url URL]\n"
            "                      [-q|-v]\n\n"
            "Finds every experiment directory under each ROOT (a directory holding\n"
            "memory.csv, memory_measurements.csv or measurements.csv), reads each from its\n"
            "results.sqlite when that is current or else from its CSVs (and saves the\n"
            "archive beside them), and writes one site: SITE/index.html with a row per\n"
            "experiment, SITE/compare.html comparing groups that share an allocator, and\n"
            "each experiment's page under SITE/<experiment>/. Experiments that cannot be\n"
            "read are listed on the index with their error; the rest is built. The site\n"
            "also has 404.html and, with --base-url, feed.xml.\n\n"
            "  -o, --output SITE   directory of the site (required; a symbolic link to one\n"
            "                      is followed, links inside it are refused)\n"
            "      --until TIME    final snapshot at or before TIME in every experiment\n"
            "      --strict        treat warnings as errors\n"
            "      --no-save       do not write results.sqlite into experiment directories\n"
            "      --publish-archive  also put each results.sqlite in its page's downloads\n"
            "      --site-theme DIR  the operators' look (default: a site-theme/ folder in a\n"
            "                      ROOT, beside the experiments): header.html and footer.html\n"
            "                      at the top and bottom of every page, style.css linked\n"
            "                      after the site's own; DIR's other files are copied to\n"
            "                      assets/theme/. Fragments may hold plain HTML (links,\n"
            "                      images, nav); a <script>, <style>, style=\"\", on*= handler\n"
            "                      or javascript: URL is refused (FILE:LINE), as the pages'\n"
            "                      CSP stays strict. Their relative href/src are relative to\n"
            "                      the site's top folder and adjusted on every page.\n"
            "      --base-url URL  where the site is published (http:// or https://): adds\n"
            "                      canonical links, og:url, absolute og:image, absolute links\n"
            "                      on 404.html and feed.xml (Atom); without it none of these\n"
            "                      (they must be absolute)\n"
            "  -q, --quiet         print errors only\n"
            "  -v, --verbose       say how each experiment was read\n"
            "  -h, --help          this help\n");
}

/* The command for the pages' "how to regenerate": each ROOT by its last
 * name (run from the folder that holds them), the site as "site", and
 * only the options that change what is shown; no path of the machine
 * that built it. */
static char *command_line(const site_options *o)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "memreport site");
    for (size_t i = 0; i < o->nroots; i++) {
        char *name = path_last_name(o->roots[i]);
        cli_shell_word(&b, name);
        free(name);
    }
    buf_puts(&b, " -o site");
    if (o->ao.until_text) {
        buf_puts(&b, " --until");
        cli_shell_word(&b, o->ao.until_text);
    }
    if (o->ao.strict)
        buf_puts(&b, " --strict");
    if (o->publish_archive)
        buf_puts(&b, " --publish-archive");
    if (o->base_url) {
        buf_puts(&b, " --base-url");
        cli_shell_word(&b, o->base_url);
    }
    return buf_detach(&b);
}

int cmd_site(int argc, char **argv)
{
    site_options o;
    memset(&o, 0, sizeof o);
    analysis_options_default(&o.ao);
    bool no_save = false;
    const char *theme_opt = NULL, *base_opt = NULL;
    const cli_opt opts[] = {
        {"output", 'o', &o.out, NULL},
        {"no-save", 0, NULL, &no_save},
        {"publish-archive", 0, NULL, &o.publish_archive},
        {"site-theme", 0, &theme_opt, NULL},
        {"base-url", 0, &base_opt, NULL},
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
    char *base_url = NULL;
    if (base_opt && (prc = cli_base_url(base_opt, &base_url, usage)) != CLI_CONTINUE)
        return prc;
    o.base_url = base_url;
    site_theme theme;
    bool have_theme = false;
    int status = cli_site_theme(theme_opt, o.roots, o.nroots, &theme, &have_theme);
    if (status != 0) {
        free(base_url);
        return status;
    }
    o.theme = have_theme ? &theme : NULL;
    char *cmd = command_line(&o);
    o.command = cmd;
    diag_list d;
    diag_init(&d);
    /* -o naming a symbolic link: its target, once, for the lock and every write. */
    char *out_real = NULL;
    if (outset_resolve_dir(o.out, &out_real, &d) != 0)
        status = d.nio ? EXIT_IO : EXIT_BAD_INPUT;
    else
        o.out = out_real, status = site_build(&o, &d);
    diag_print(&d, stderr, false);
    diag_free(&d);
    free(out_real);
    free(cmd);
    free(base_url);
    if (have_theme)
        site_theme_free(&theme);
    notes_cleanup();
    charts_shutdown();
    return status;
}
