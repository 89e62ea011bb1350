/* cmd_build.c - memreport build: analyse one experiment directory, render
 * REPORT.md, the charts and the HTML site in memory, then write them all
 * at once (outset), so a failure leaves the previous outputs untouched.
 *
 * Flow: options -> templates -> edited-REPORT.md check -> analysis ->
 * render everything -> stage every file -> commit. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "archive.h"
#include "build_record.h"
#include "charts.h"
#include "cli.h"
#include "group_view.h"
#include "notes.h"
#include "outset.h"
#include "page.h"
#include "report_common.h"
#include "report_html.h"
#include "report_md.h"
#include "tmpl.h"
#include "util.h"

typedef struct {
    const char *dir;
    const char *site;
    const char *until;
    const char *baseline;
    const char *single_file; /* --single-file: the page for a post, or NULL */
    page_theme theme;       /* --theme */
    const char *groups_text; /* --groups as given, or NULL */
    char **groups;          /* ... split into IDs */
    size_t ngroups;
    bool strict, force;
    bool publish_archive;   /* copy results.sqlite into the site's downloads */
    bool from_archive;      /* the analysis was read from a current results.sqlite */
    const char *theme_opt;  /* --site-theme DIR */
    const char *base_opt;   /* --base-url URL, as given */
    site_look look;         /* the theme found and the checked base URL */
    int verbosity;          /* 0 quiet, 1 normal, 2 verbose */
    analysis_options ao;    /* what the analysis (and so the archive) used */
    build_key key;          /* what this build is made from (build_record.h) */
} build_opts;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: memreport build EXPDIR [-o SITE] [--until TIME] [--baseline ID]\n"
            "                       [--theme light|dark|auto] [--groups ID,ID...] [--strict]\n"
            "                       [--force] [--publish-archive] [--site-theme DIR]\n"
            "                       [--base-url URL] [--single-file FILE] [-q|-v]\n\n"
            "Writes EXPDIR/REPORT.md, EXPDIR/charts/ and the HTML site (default EXPDIR/site/:\n"
            "the page, 404.html, assets/, data/, and feed.xml with --base-url).\n"
            "All files are written to temporaries and renamed together at the end.\n"
            "Folders written into (charts/, site/, its assets/ and data/) must be real\n"
            "directories: a symbolic link there is refused (exit 1); to put the site\n"
            "elsewhere, pass -o, which may be a link.\n"
            "When nothing changed since the last build (EXPDIR/.memreport.build records\n"
            "what it was made from and what it wrote), nothing is read again or written.\n\n"
            "  -o, --output SITE   directory of the HTML site (a symbolic link to one is\n"
            "                      followed)\n"
            "      --until TIME    final snapshot at or before TIME (a date means its end)\n"
            "      --baseline ID   group that ratios are taken against\n"
            "      --theme THEME   light or dark: the pages and charts/*.png in that theme\n"
            "                      (dark PNGs for a dark blog); auto (the default): the\n"
            "                      pages follow the reader's preference, the PNGs are light\n"
            "      --groups IDS    only these groups (comma-separated), in this order, on the\n"
            "                      report, charts and page; figures and ratios stay those of\n"
            "                      the whole analysis, results.sqlite keeps every group\n"
            "      --strict        treat warnings (overlaps, partial last line) as errors\n"
            "      --force         overwrite a REPORT.md that was edited by hand, and build\n"
            "                      even when nothing changed since the last build\n"
            "      --publish-archive  also put results.sqlite in the site's downloads\n"
            "      --site-theme DIR  the operators' look (default: EXPDIR/site-theme/ when\n"
            "                      it exists): header.html and footer.html at the top and\n"
            "                      bottom of every page, style.css linked after the site's\n"
            "                      own; DIR's other files are copied to assets/theme/.\n"
            "                      Fragments may hold plain HTML (links, images, nav); a\n"
            "                      <script>, <style>, style=\"\", on*= handler or javascript:\n"
            "                      URL is refused (FILE:LINE), as the pages' CSP stays strict.\n"
            "                      Their relative href/src are relative to the site's top.\n"
            "      --base-url URL  where the site is published (http:// or https://): adds\n"
            "                      canonical links, og:url, absolute og:image and feed.xml\n"
            "                      (Atom); without it none of these (they must be absolute)\n"
            "      --single-file FILE  also write FILE (.html): the report as one\n"
            "                      self-contained page for a blog post. Its body holds\n"
            "                      a block between <!-- memreport:begin --> and\n"
            "                      <!-- memreport:end -->: paste that block into the\n"
            "                      post's HTML. Styles and charts are inside it, scoped\n"
            "                      to it (classes and ids start with mrp-); it loads\n"
            "                      nothing and has no script; --theme applies to it\n"
            "  -q, --quiet         print errors only\n"
            "  -v, --verbose       list every file written\n"
            "  -h, --help          this help\n\n"
            "SOURCE_DATE_EPOCH, when set, is the report's date; otherwise the date of the\n"
            "last collection is used, so the same inputs always give the same bytes.\n"
            "MEMREPORT_DATA_DIR overrides where templates/ and assets/ are read from.\n");
}

/* The command that regenerates the report, as run from inside the
 * experiment directory: published pages name no path of the machine that
 * built them, only options that change what is shown. */
static char *build_command(const build_opts *o)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "memreport build .");
    if (o->site)
        buf_puts(&b, " -o site");
    if (o->until) {
        buf_puts(&b, " --until");
        cli_shell_word(&b, o->until);
    }
    if (o->baseline) {
        buf_puts(&b, " --baseline");
        cli_shell_word(&b, o->baseline);
    }
    if (o->groups_text) {
        buf_puts(&b, " --groups");
        cli_shell_word(&b, o->groups_text);
    }
    if (o->theme != PAGE_THEME_AUTO)
        buf_printf(&b, " --theme %s", page_theme_name(o->theme));
    if (o->strict)
        buf_puts(&b, " --strict");
    if (o->publish_archive)
        buf_puts(&b, " --publish-archive");
    if (o->base_opt) {
        buf_puts(&b, " --base-url");
        cli_shell_word(&b, o->look.base_url);
    }
    if (o->single_file) {
        /* Its name only: where the builder keeps it is no reader's business. */
        char *name = path_last_name(o->single_file);
        buf_puts(&b, " --single-file");
        cli_shell_word(&b, name);
        free(name);
    }
    return buf_detach(&b);
}

/* 0 when REPORT.md is absent or exactly as memreport wrote it, 1 when it
 * was edited or never written by memreport (*foreign tells which), 3 when
 * it cannot be read. */
static int check_report(const char *path, bool *foreign, diag_list *d)
{
    *foreign = false;
    size_t len = 0;
    char *text = file_read_all(path, &len);
    if (!text) {
        if (errno == ENOENT)
            return 0;
        diag_error(d, path, 0, "cannot read: %s", strerror(errno));
        return EXIT_IO;
    }
    bool ok = report_md_unedited(text, len);
    *foreign = !ok && !report_md_has_marker(text, len);
    free(text);
    return ok ? 0 : EXIT_BAD_INPUT;
}

/* --single-file FILE: an .html file in a directory that exists, not a
 * directory or a device itself. Checked before anything is read or
 * locked. Returns an exit status. */
static int check_single_file(const char *path, diag_list *d)
{
    struct stat st;
    size_t n = strlen(path);
    if (!(n > 5 && str_ends(path, ".html")) && !(n > 4 && str_ends(path, ".htm"))) {
        diag_error(d, path, 0, "--single-file writes an HTML page: give a file name ending "
                               "in .html");
        return EXIT_BAD_INPUT;
    }
    char *dir = path_dir(path);
    int rc = EXIT_OK;
    if (stat(dir, &st) != 0) {
        diag_error(d, path, 0, "--single-file: its directory %s %s", dir,
                   errno == ENOENT ? "does not exist" : strerror(errno));
        rc = EXIT_BAD_INPUT;
    } else if (!S_ISDIR(st.st_mode)) {
        diag_error(d, path, 0, "--single-file: %s is not a directory", dir);
        rc = EXIT_BAD_INPUT;
    } else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        diag_error(d, path, 0, "--single-file: is a %s, not a file", file_type_name(st.st_mode));
        rc = EXIT_BAD_INPUT;
    }
    free(dir);
    return rc;
}

/* Locks the experiment directory (and a separate site directory, -o, its
 * link already followed), refuses output folders that are symbolic links,
 * then recovers what killed builds left. Returns an exit status. */
static int lock_outputs(const build_opts *o, outset *os, diag_list *d)
{
    outset_dir dirs[] = {{o->dir, OUTSET_WRITE, 0}, {o->site, OUTSET_WRITE, 0}};
    if (outset_lock_dirs(os, dirs, o->site ? 2 : 1, d) != 0)
        return d->nio ? EXIT_IO : EXIT_BAD_INPUT;
    char *site = o->site ? xstrdup(o->site) : path_join(o->dir, "site");
    char *charts = path_join(o->dir, "charts");
    /* Checked before the recovery too, which renames into these folders. */
    int bad = outset_check_dir(charts, false, d) != 0 ||
              publish_check_dirs(site, !o->site, d) != 0;
    free(charts);
    free(site);
    if (bad)
        return d->nio ? EXIT_IO : EXIT_BAD_INPUT;
    if (outset_recover(os, d) != 0)
        return d->nio ? EXIT_IO : EXIT_BAD_INPUT;
    return EXIT_OK;
}

/* A build that will write (its inputs changed) into a folder where the
 * recovery kept files an interrupted run's journal still needs is
 * refused now, not after the rendering: the commit would refuse it. These
 * are the folders every build writes into. Returns an exit status. */
static int check_held_outputs(const build_opts *o, outset *os, diag_list *d)
{
    char *site = o->site ? xstrdup(o->site) : path_join(o->dir, "site");
    char *charts = path_join(o->dir, "charts");
    char *assets = path_join(site, "assets"), *data = path_join(site, "data");
    const char *const writes[] = {o->dir, charts, site, assets, data};
    int rc = outset_check_held(os, writes, sizeof writes / sizeof *writes, d) != 0 ? EXIT_IO
                                                                                  : EXIT_OK;
    free(data);
    free(assets);
    free(charts);
    free(site);
    return rc;
}

/* Stages data as dir/rel. Returns 0, or nonzero after adding an error. */
static int stage(outset *os, const char *dir, const char *rel, const void *data, size_t len,
                 int verbosity, diag_list *d)
{
    char *path = path_join(dir, rel);
    if (verbosity > 1)
        fprintf(stderr, "memreport: writing %s\n", path);
    int rc = outset_add(os, path, data, len, d);
    free(path);
    return rc;
}

/* The date of a feed with no collection: SOURCE_DATE_EPOCH, else 0. */
static int64_t lk_clock(const analysis *a)
{
    int64_t t;
    return report_source_date_epoch(&t) ? t : a->r.last_t != INT64_MIN ? a->r.last_t : 0;
}

/* The lone site's 404.html: back to the report (site.c has the site's). */
static int stage_not_found(const build_opts *o, const analysis *a, outset *os,
                           const char *site, diag_list *d)
{
    const char *root = o->look.base_url ? o->look.base_url : "";
    page_look lk;
    publish_look(&o->look, root, NULL, &lk);
    report_ctx ctx = {0};
    report_set_generated(&ctx, a);
    strbuf gen, page;
    buf_init(&gen);
    buf_init(&page);
    report_stamp(ctx.generated_t, ctx.generated_from_sde, &gen);
    char *assets = xasprintf("%sassets/", root), *home = xasprintf("%sindex.html", root);
    not_found_page nf = {.home = home, .home_label = "the experiment's report",
                         .assets = assets, .generated = gen.data, .look = &lk,
                         .theme = o->theme == PAGE_THEME_AUTO ? NULL : page_theme_name(o->theme)};
    char *p = path_join(site, PAGE_404);
    if (o->verbosity > 1)
        fprintf(stderr, "memreport: writing %s\n", p);
    int rc = publish_render_not_found(&nf, &page, d) != 0 ||
                     outset_add(os, p, page.data, page.len, d) != 0
                 ? -1
                 : 0;
    free(p);
    free(home);
    free(assets);
    buf_free(&gen);
    buf_free(&page);
    publish_look_free(&lk);
    return rc;
}

/* Renders and writes everything. Returns an exit status. */
static int build(const build_opts *o, analysis *a, outset *os, diag_list *d)
{
    int status = EXIT_IO;
    page_set ps = {0};
    page_look lk = {0};
    char *command = build_command(o);
    char *site = o->site ? xstrdup(o->site) : xasprintf("%s/site", o->dir);
    char *archive_src = path_join(o->dir, ARCHIVE_FILE_NAME);
    util_set_activity("rendering the report and charts");

    /* The archive (results.sqlite, archive_write.c) joins this outset: a fresh
     * one is written straight into its staged temporary in EXPDIR, by a
     * thread of its own while the charts and pages are rendered, and the
     * site's download is a second name for those bytes (a hard link, or a
     * copy across file systems); one that was just read because it is
     * current is kept as it is and only linked into the site. A read-only
     * archive stops the build here, before any rendering. */
    archive_job *job = NULL;
    const char *fresh = NULL;
    if (!o->from_archive) {
        if (o->verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", archive_src);
        if (!(job = archive_stage_begin(os, a, &o->ao, archive_src, d)))
            goto out;
    }
    publish_look(&o->look, "", "", &lk);
    page_options po = {.command = command, .asset_prefix = "assets/", .markdown = true,
                       .publish_archive = o->publish_archive, .look = &lk,
                       .og_image = a->m.ngroups ? PAGE_OG_IMAGE : NULL, .theme = o->theme,
                       .show_groups = o->groups, .nshow_groups = o->ngroups,
                       .single = o->single_file != NULL};
    if (publish_render(a, &po, &ps, d) != 0) {
        status = d->nio ? EXIT_IO : EXIT_BAD_INPUT;
        goto out;
    }

    /* Stage: charts, site, and REPORT.md last (its marker vouches for the rest). */
    int bad = 0;
    for (size_t k = 0; k < CHART_COUNT && !bad; k++) {
        char *p = xasprintf("charts/%s.png", chart_name((chart_kind)k));
        char *s = xasprintf("charts/%s.svg", chart_name((chart_kind)k));
        bad = stage(os, o->dir, p, ps.png[k], ps.png_len[k], o->verbosity, d) ||
              stage(os, o->dir, s, ps.svg[k], ps.svg_len[k], o->verbosity, d);
        free(p);
        free(s);
    }
    if (!bad)
        bad = report_html_stage_assets(os, site, o->verbosity, d) != 0 ||
              publish_stage_theme(os, &o->look, site, o->verbosity, d) != 0 ||
              stage_not_found(o, a, os, site, d) != 0;
    if (!bad) {
        feed_entry fe = {a, o->look.base_url};
        bad = publish_stage_feed(os, &o->look, site, &fe, 1, lk_clock(a), d) != 0;
    }
    char *dst = path_join(site, PAGE_ARCHIVE);
    if (!bad && job) {
        size_t kept = 0;
        bad = archive_stage_end(job, &fresh, &kept, d) != 0;
        job = NULL;
        if (!bad && kept && o->verbosity > 1)
            fprintf(stderr, "memreport: %s: updated, the packed samples of the first %zu "
                            "collections kept as they were\n", archive_src, kept);
        if (!bad && o->publish_archive && o->verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", dst);
        if (!bad && o->publish_archive)
            bad = outset_add_link_or_copy(os, dst, fresh, d) != 0;
    } else if (!bad) {
        bad = publish_stage_archive(os, a, &o->ao, archive_src, true, true,
                                    o->publish_archive ? dst : NULL, o->verbosity, d) != 0;
    }
    /* A site once built with --publish-archive loses that download now. */
    if (!bad && !o->publish_archive)
        outset_remove(os, dst);
    free(dst);
    if (!bad)
        bad = publish_stage_page(os, &ps, site, o->verbosity, d) != 0;
    /* --groups after a fuller build: the hidden groups' downloads go. */
    if (!bad)
        publish_stage_stale_series(os, a, site);
    if (!bad && o->single_file) {
        /* The page of the site, say: one of the two would be lost. */
        if (outset_has(os, o->single_file)) {
            diag_error(d, o->single_file, 0, "--single-file: this build writes that file "
                                             "already (the site's page); give another name");
            status = EXIT_BAD_INPUT;
            goto out;
        }
        if (o->verbosity > 1)
            fprintf(stderr, "memreport: writing %s\n", o->single_file);
        bad = outset_add(os, o->single_file, ps.single.data, ps.single.len, d) != 0;
    }
    /* The build record last: it lists every file staged before it. */
    if (!bad)
        bad = stage(os, o->dir, "REPORT.md", ps.md.data, ps.md.len, o->verbosity, d) ||
              build_record_stage(os, o->dir, &o->key, &a->e, archive_src, fresh, &a->diag, d);
    if (bad || outset_commit(os, d) != 0)
        goto out;
    if (o->verbosity > 0)
        fprintf(stderr, "memreport: wrote %s/REPORT.md, %d charts and %s/index.html (%zu files)\n",
                o->dir, (int)CHART_COUNT, site, outset_count(os));
    status = EXIT_OK;

out:
    if (job) /* rendering failed: the temporary goes with the outset */
        archive_stage_end(job, NULL, NULL, d);
    free(archive_src);
    free(site);
    free(command);
    page_set_free(&ps);
    publish_look_free(&lk);
    return status;
}

/* Starts the key (build_record.h) before the templates are read. */
static void key_start(build_opts *o)
{
    char *command = build_command(o);
    char *site = o->site ? NULL : xasprintf("%s/site", o->dir);
    build_key_input in = {.dir = o->dir, .site = o->site ? o->site : site,
                          .single_file = o->single_file, .options = command};
    build_key_start(&o->key, &in);
    free(site);
    free(command);
}

/* The key started and the templates read, beside fontconfig (cmd_build). */
typedef struct {
    build_opts *o;
    diag_list d; /* this thread's own messages */
    bool failed; /* a template could not be read */
} prep_job;

static void *prep_run(void *arg)
{
    prep_job *j = arg;
    key_start(j->o);
    j->failed = report_load_templates(&j->d) != 0 ||
                report_load_template(PAGE_404_TEMPLATE, "404.html.tpl", &j->d) != 0;
    return NULL;
}

/* True when the last build was made from exactly what this one would be
 * and its outputs are as it left them: its messages again, nothing read
 * or written. */
static bool up_to_date(const build_opts *o)
{
    diag_list msgs;
    char *why = NULL;
    bool holds = build_record_holds(o->dir, &o->key, &o->ao, &msgs, &why);
    if (!holds && o->verbosity > 1 && why)
        fprintf(stderr, "memreport: a full build: %s\n", why);
    free(why);
    if (!holds)
        return false;
    if (o->verbosity > 1)
        fprintf(stderr, "memreport: inputs unchanged: results.sqlite is current\n");
    diag_print(&msgs, stderr, o->verbosity == 0);
    diag_free(&msgs);
    if (o->verbosity > 1)
        fprintf(stderr, "memreport: every output is as the last build wrote it: nothing to "
                        "write\n");
    if (o->verbosity > 0)
        fprintf(stderr, "memreport: %s/REPORT.md, %d charts and %s%s/index.html are up to date "
                        "(nothing changed since the last build)\n",
                o->dir, (int)CHART_COUNT, o->site ? o->site : o->dir, o->site ? "" : "/site");
    return true;
}

int cmd_build(int argc, char **argv)
{
    build_opts o = {0};
    const char *theme = NULL;
    const cli_opt opts[] = {
        {"output", 'o', &o.site, NULL},
        {"baseline", 0, &o.baseline, NULL},
        {"theme", 0, &theme, NULL},
        {"groups", 0, &o.groups_text, NULL},
        {"force", 0, NULL, &o.force},
        {"publish-archive", 0, NULL, &o.publish_archive},
        {"site-theme", 0, &o.theme_opt, NULL},
        {"base-url", 0, &o.base_opt, NULL},
        {"single-file", 0, &o.single_file, NULL},
        {NULL, 0, NULL, NULL},
    };
    cli_common co;
    int prc = cli_parse(argc, argv, opts, &co, usage);
    if (prc != CLI_CONTINUE)
        return prc;
    if (optind != argc - 1)
        return cli_usage_error(usage, "build needs exactly one experiment directory");
    if (theme && !page_theme_parse(theme, &o.theme))
        return cli_usage_error(usage, "--theme: \"%s\" is not light, dark or auto", theme);
    char *why = NULL;
    if (o.groups_text && group_list_parse(o.groups_text, &o.groups, &o.ngroups, &why) != 0) {
        int rc = cli_usage_error(usage, "--groups: %s", why);
        free(why);
        return rc;
    }
    o.until = co.until;
    o.strict = co.strict;
    o.verbosity = co.verbosity;
    o.dir = argv[optind];
    char *base_url = NULL;
    if (o.base_opt && (prc = cli_base_url(o.base_opt, &base_url, usage)) != CLI_CONTINUE)
        return prc;
    o.look.base_url = base_url;
    site_theme look;
    bool have_look = false;

    diag_list d;
    diag_init(&d);
    int status;
    outset *os = NULL;
    if (o.single_file && check_single_file(o.single_file, &d) != EXIT_OK) {
        diag_print(&d, stderr, false);
        diag_free(&d);
        return EXIT_BAD_INPUT;
    }
    /* -o naming a symbolic link: its target, once, for the lock and every write. */
    char *site_real = NULL;
    if (o.site && outset_resolve_dir(o.site, &site_real, &d) != 0) {
        status = d.nio ? EXIT_IO : EXIT_BAD_INPUT;
        diag_print(&d, stderr, false);
        diag_free(&d);
        free(base_url);
        group_list_free(o.groups, o.ngroups);
        return status;
    }
    if (site_real)
        o.site = site_real;
    analysis a;
    memset(&a, 0, sizeof a);
    diag_init(&a.diag);

    /* Templates first: a broken template stops the build before any work.
     * They and the key are read on a thread while fontconfig's
     * configuration loads here, in the main arena, as before any thread:
     * fontconfig does not survive a failed allocation, and a build short
     * of memory must fail in memreport's own. */
    prep_job pj = {.o = &o};
    diag_init(&pj.d);
    pthread_t prep;
    bool threaded = pthread_create(&prep, NULL, prep_run, &pj) == 0;
    if (!threaded)
        prep_run(&pj);
    bool fonts = charts_prepare();
    if (threaded)
        pthread_join(prep, NULL);
    diag_append(&d, &pj.d);
    diag_free(&pj.d);
    if (pj.failed) {
        status = EXIT_IO;
        goto done;
    }
    /* The theme next: a fragment it refuses stops the build as early. */
    const char *tdirs[] = {o.dir};
    status = cli_site_theme(o.theme_opt, tdirs, 1, &look, &have_look);
    if (status != 0)
        goto done;
    o.look.theme = have_look ? &look : NULL;
    build_key_add_theme(&o.key, o.look.theme);

    if (dir_is_read_only(o.dir)) {
        diag_error(&d, o.dir, 0, "the experiment directory is read-only; REPORT.md, charts/ and "
                                 "results.sqlite are written there, so build a copy instead");
        status = EXIT_IO;
        goto done;
    }
    /* One build at a time: the lock is held from here to the end, and a
     * commit that a killed build left half done is finished first. */
    os = outset_new();
    status = lock_outputs(&o, os, &d);
    if (status != 0)
        goto done;
    char *report = path_join(o.dir, "REPORT.md");
    bool foreign;
    status = check_report(report, &foreign, &d);
    if (status == EXIT_BAD_INPUT && !o.force && foreign)
        diag_error(&d, report, 0, "not written by memreport (it has no memreport marker), so it "
                                  "is kept; move its text into notes.md, whose sections are "
                                  "copied into the report, or pass --force to replace it");
    else if (status == EXIT_BAD_INPUT && !o.force)
        diag_error(&d, report, 0, "edited since memreport wrote it; move your text into "
                                  "notes.md or pass --force");
    free(report);
    if (status == EXIT_BAD_INPUT && o.force)
        status = EXIT_OK;
    if (status != 0)
        goto done;

    analysis_options_default(&o.ao);
    o.ao.strict = o.strict;
    o.ao.baseline = o.baseline;
    o.ao.until_text = o.until;
    /* Nothing changed since the last build (--force: build all the same). */
    if (o.force) {
        if (o.verbosity > 1)
            fprintf(stderr, "memreport: a full build: --force\n");
    } else if (!outset_writes_all(os) && up_to_date(&o)) {
        goto done;
    }
    status = check_held_outputs(&o, os, &d);
    if (status != 0)
        goto done;
    if (!fonts) {
        fprintf(stderr, "memreport: cannot load the font configuration (fontconfig)\n");
        status = EXIT_IO;
        goto done;
    }
    /* Incremental: a results.sqlite that matches the inputs' hashes and
     * these options is read instead of the CSVs (archive_load.c). */
    why = NULL;
    bool only = archive_only(o.dir);
    status = analysis_load(o.dir, &o.ao, &a, &o.from_archive, &why);
    if (only && o.verbosity > 0)
        fprintf(stderr, "memreport: %s holds no memory CSV: REPORT.md, the charts and the page "
                        "are regenerated from results.sqlite%s%s\n",
                o.dir, why ? "; " : "", why ? why : "");
    if (status == 0)
        cli_say_source(o.verbosity, o.from_archive, why);
    free(why);
    diag_print(&a.diag, stderr, o.verbosity == 0);
    if (status != 0)
        goto done;
    /* The groups are known now: an unknown ID is still bad usage. */
    if (o.groups) {
        size_t *idx = xmalloc(o.ngroups * sizeof *idx);
        status = group_view_resolve(&a, o.groups, o.ngroups, idx, &why) != 0
                     ? cli_usage_error(usage, "--groups: %s", why)
                     : EXIT_OK;
        free(why);
        free(idx);
        if (status != 0)
            goto done;
    }

    status = build(&o, &a, os, &d);

done:
    if (have_look)
        site_theme_free(&look);
    free(base_url);
    free(site_real);
    outset_free(os);
    diag_print(&d, stderr, false);
    diag_free(&d);
    analysis_free(&a);
    notes_cleanup();
    charts_shutdown();
    group_list_free(o.groups, o.ngroups);
    return status;
}
