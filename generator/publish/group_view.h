/* group_view.h - `build --groups A,B,...`: the analysis as a page shows
 * it, over a subset of its groups in the order given.
 *
 * Nothing is recomputed: the view shares the experiment and every
 * group's membership and results with the whole analysis, and only its
 * group arrays are new (the chosen groups, in order), and its events leave
 * out those about another group. Ratios stay against
 * the baseline; when the baseline is not among the chosen groups it is
 * kept one past the end (m.groups[m.ngroups], r.baseline == m.ngroups), so
 * writers can still name it while no loop shows it. The archive is always
 * written from the whole analysis. */
#ifndef MEMREPORT_GROUP_VIEW_H
#define MEMREPORT_GROUP_VIEW_H

#include <stddef.h>

#include "analysis.h"

/* Splits "C,A" into group IDs (malloc'd array of malloc'd strings, freed
 * with group_list_free). Returns 0, or -1 with *why (malloc'd) for an
 * empty list or ID, or an ID given twice. */
int group_list_parse(const char *text, char ***ids, size_t *n, char **why);
void group_list_free(char **ids, size_t n);

/* The index in a's groups of each of ids[0..n) into idx. Returns 0, or -1
 * with *why (malloc'd): `no group "Z" (groups: A, B, C)`. */
int group_view_resolve(const analysis *a, char *const *ids, size_t n, size_t *idx,
                       char **why);

/* Fills *view with a over groups idx[0..n) (distinct, from
 * group_view_resolve). Free with group_view_free, never analysis_free;
 * a must outlive the view. */
void group_view_make(const analysis *a, const size_t *idx, size_t n, analysis *view);
void group_view_free(analysis *view);

#endif
