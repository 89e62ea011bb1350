/* report_md.h - REPORT.md: the report for the repository.
 *
 * The text comes from templates/REPORT.md.tpl; every value from the data
 * goes through the "x-md" escaper, so names and descriptions render as
 * literal text. The file ends with a marker line holding the SHA-256 of
 * everything above it, so a later build can tell whether someone edited
 * the file by hand (hand-written text belongs in notes.md). */
#ifndef MEMREPORT_REPORT_MD_H
#define MEMREPORT_REPORT_MD_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "diag.h"
#include "report_common.h"
#include "util.h"

#define REPORT_MD_TEMPLATE "REPORT.md"
#define REPORT_MD_MARKER_PREFIX "<!-- memreport: sha256="

/* Appends the report, marker line included, to out. Templates must be
 * loaded (report_load_templates). Returns 0, or -1 after adding an error. */
int report_md_render(const analysis *a, const report_ctx *ctx, strbuf *out, diag_list *d);

/* Appends the marker line for the text already in out. */
void report_md_seal(strbuf *out);

/* True when text ends with a marker whose hash matches what is above it,
 * i.e. the file is exactly as memreport wrote it. */
bool report_md_unedited(const char *text, size_t len);

/* True when some line of text starts with the marker prefix: memreport
 * wrote the file at some point (it may have been edited since). */
bool report_md_has_marker(const char *text, size_t len);

#endif
