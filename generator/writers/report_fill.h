/* report_fill.h - the template values REPORT.md and the HTML page share:
 * title, summary, setup, groups, final metrics, day table, charts,
 * analysis bullets, data quality, notes sections, data reference, the
 * regeneration command and the generation date. Each writer adds its own
 * values on top and expands its template. */
#ifndef MEMREPORT_REPORT_FILL_H
#define MEMREPORT_REPORT_FILL_H

#include "analysis.h"
#include "report_common.h"
#include "tmpl.h"

void report_fill(const analysis *a, const report_ctx *ctx, report_flavor f, tmpl_dict *dict);

#endif
