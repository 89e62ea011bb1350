/* site_theme.h - the operators' own look for a site (--site-theme DIR, or
 * a site-theme/ folder): header.html and footer.html, HTML fragments put
 * at the top and the bottom of every page's body, and every other file of
 * DIR (style.css, images it references) copied into the site's
 * assets/theme/. style.css is linked after memreport's stylesheet, so it
 * can override it.
 *
 * The pages' Content-Security-Policy stays as strict as without a theme,
 * so a fragment must not need it loosened: <script>, <style>, inline
 * style="" attributes, on* event handlers, javascript: URLs and the
 * elements that belong to the head or embed other documents (link, meta,
 * base, iframe, frame, object, embed, form, html, head, body) are refused
 * with FILE:LINE. Relative href and src values in the fragments are taken
 * relative to the site's top folder and adjusted on every page. */
#ifndef MEMREPORT_SITE_THEME_H
#define MEMREPORT_SITE_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define SITE_THEME_DIR_NAME "site-theme"
#define SITE_THEME_CSS "style.css"
/* Where the theme's files land, relative to the site's top folder. */
#define SITE_THEME_ASSETS "assets/theme/"

/* Limits, so a wrong DIR (a home directory) fails clearly. */
#define SITE_THEME_MAX_FILES 200
#define SITE_THEME_MAX_BYTES (32u << 20)       /* all files together */
#define SITE_THEME_MAX_FRAGMENT (256u << 10)   /* header.html, footer.html */

typedef struct {
    char *dir;        /* as given */
    char *header;     /* header.html's bytes, or NULL */
    char *footer;     /* footer.html's bytes, or NULL */
    bool has_css;     /* DIR/style.css exists */
    char **files;     /* [nfiles] paths below DIR to copy (sorted), style.css included */
    size_t nfiles;
} site_theme;

/* Reads and checks DIR into *t (always safe to free). Hidden files are
 * skipped; anything but a regular file or a directory (a symbolic link, a
 * FIFO) is an error, as is a fragment that needs more than the strict
 * policy. Returns 0, or -1 after adding errors (FILE:LINE) to d. */
int site_theme_load(const char *dir, site_theme *t, diag_list *d);
void site_theme_free(site_theme *t);

/* The fragment html for a page whose way to the site's top folder is
 * `root` ("", "../", or an absolute base URL): every relative href/src
 * value gets root in front. Caller frees. */
char *site_theme_fragment(const char *html, const char *root);

/* Checks the fragment text (named file, for messages): 0, or -1 after
 * adding one error per problem to d. */
int site_theme_check_fragment(const char *file, const char *html, diag_list *d);

#endif
