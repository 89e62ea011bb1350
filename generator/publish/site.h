/* site.h - one static site over many experiments (memreport site).
 *
 * Layout of the site directory:
 *   index.html          one row per experiment, and the ones that failed
 *   compare.html        groups that share an allocator across experiments
 *   404.html            for addresses that are not a page
 *   feed.xml            Atom feed of the experiments (with a base URL)
 *   assets/             the stylesheet and icon every page uses
 *   assets/theme/       the operators' theme files (site_theme.h)
 *   <slug>/index.html   each experiment's page (the report writer's page)
 *   <slug>/data/        its results CSV, per-group series (and, with
 *                       publish_archive, results.sqlite)
 * Everything is staged and renamed into place at the end (outset), so a
 * failed run leaves the previous site as it was. */
#ifndef MEMREPORT_SITE_H
#define MEMREPORT_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "diag.h"
#include "site_theme.h"

typedef struct {
    const char *out;                /* site directory */
    const char *const *roots;       /* directories searched for experiments */
    size_t nroots;
    analysis_options ao;            /* --until, --strict for every experiment */
    const char *command;            /* the command line, shown on the pages */
    bool save_archives;             /* write EXPDIR/results.sqlite when stale */
    bool publish_archive;           /* results.sqlite among each page's downloads */
    const site_theme *theme;        /* the operators' look, or NULL */
    const char *base_url;           /* where the site is published (ends in '/'),
                                       or NULL: no canonical links, no feed */
    int verbosity;                  /* 0 quiet, 1 normal, 2 verbose */
} site_options;

/* Appends to *dirs (malloc'd array of malloc'd paths, sorted) every
 * experiment directory under root: root itself or any directory below it
 * that holds a memory CSV (plain or compressed) or, with no CSV, its
 * results.sqlite (an archived experiment). Directories are not searched
 * below an experiment, inside a site memreport wrote, when hidden, or when
 * `skip` (the site itself); symbolic links are not followed. Returns the number found. */
size_t site_find_experiments(const char *root, const char *skip, char ***dirs, size_t *n);

/* Builds the site. Experiments that cannot be read are listed on the
 * index with their first error; the site is still written. Returns 0, or
 * EXIT_IO when the site cannot be written, EXIT_BAD_INPUT when no
 * experiment was found at all. */
int site_build(const site_options *o, diag_list *d);

#endif
