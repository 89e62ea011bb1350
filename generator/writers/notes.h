/* notes.h - the hand-written notes.md of an experiment.
 *
 * notes.md is where people write what memreport cannot generate (root
 * cause, recommendations, next steps). The HTML page gets it rendered by
 * cmark-gfm with GFM tables, raw HTML never passed through (it becomes an
 * "omitted" comment) and remote images turned into links, so the page
 * makes no request elsewhere. REPORT.md gets it split into sections at
 * its level-1 and level-2 headings, verbatim; a section that contains raw
 * HTML is re-rendered from the parse tree with that HTML as escaped text,
 * so nothing in REPORT.md is live HTML. */
#ifndef MEMREPORT_NOTES_H
#define MEMREPORT_NOTES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct {
    char *markdown;       /* the section, heading line included */
} notes_section;

typedef struct {
    bool present;         /* notes.md existed */
    notes_section *sections;
    size_t nsections;
    char *html;           /* whole notes rendered; "" when absent */
    bool had_raw_html;    /* some raw HTML was dropped */
} notes;

/* Parses text[0..len) into n. Always succeeds; free with notes_free. */
void notes_parse(const char *text, size_t len, notes *n);
/* notes.md's bytes as ingest read them (experiment.notes_text; NULL: no
 * notes, which gives empty notes and 0). Returns -1 after adding an
 * error to d when they are not UTF-8 text; n is then empty notes. */
int notes_from_text(const char *text, size_t len, notes *n, diag_list *d);
void notes_free(notes *n);
/* Releases cmark-gfm's extension registry (once, at exit). */
void notes_cleanup(void);

#endif
