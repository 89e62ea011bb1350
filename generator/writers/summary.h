/* summary.h - the per-group results as a terminal table, CSV or JSON
 * (`memreport summary`; the CSV is also the site's results download).
 *
 * Each appends to `out` (caller-owned) and reads only the analysis. The CSV
 * header is stable (DESIGN 10):
 * group,name,relays,final_mean_gib,ratio,ratio_lo,ratio_hi,p_value,p_holm,
 * slope_ols_gib_day,slope_theil_sen_gib_day,steady_growth_gib_day,steady_lo,
 * steady_hi,r2,trend
 * with one row per group; a value that is not available is an empty field. */
#ifndef MEMREPORT_SUMMARY_H
#define MEMREPORT_SUMMARY_H

#include "analysis.h"
#include "util.h"

#define SUMMARY_CSV_HEADER                                                                 \
    "group,name,relays,final_mean_gib,ratio,ratio_lo,ratio_hi,p_value,p_holm,"             \
    "slope_ols_gib_day,slope_theil_sen_gib_day,steady_growth_gib_day,steady_lo,steady_hi," \
    "r2,trend"

/* One sentence naming the steady-growth estimator, for every output that
 * shows the figure. Static storage. */
const char *summary_steady_method(void);

void summary_text(const analysis *a, strbuf *out);
void summary_csv(const analysis *a, strbuf *out);
void summary_json(const analysis *a, strbuf *out);

#endif
