/* compare.h - experiments side by side.
 *
 * `memreport compare` and the site's comparison page show the same two
 * tables: the ranking of every group against its own experiment's
 * control (versus.h computes it), and the lineup of groups that share an
 * allocator: for every allocator name in at least two experiments, each
 * group that runs it, with its version, final mean, steady growth and its
 * ratio to its own experiment's control group. Nothing here computes a
 * statistic; it lines up what analysis computed. */
#ifndef MEMREPORT_COMPARE_H
#define MEMREPORT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "analysis.h"
#include "util.h"
#include "versus.h"

typedef struct {
    size_t exp;               /* index into the analyses compared */
    size_t group;             /* group index in that analysis */
    char *allocator;          /* "mimalloc" (lower-case key) */
    char *version;            /* "3.0.1", or "" when unknown */
    double final_mean;        /* GiB; NAN without a final snapshot */
    double steady;            /* GiB/day, NAN when not available */
    double ratio_control;     /* control final mean / this final mean;
                                 1 for the control; NAN without one */
    long control;             /* control group index, -1 when none */
} compare_row;

typedef struct {
    compare_row *rows;        /* sorted: allocator, version, experiment, group */
    size_t nrows;
    size_t nallocators;       /* distinct allocators in rows */
} comparison;

/* The control and allocator of a group come from versus.h
 * (versus_control, versus_allocator). */

/* Lines up the groups of n analyses. Allocators that appear in only one
 * experiment are left out. */
void compare_build(const analysis *const *as, size_t n, comparison *out);
void compare_free(comparison *c);

/* Renderings. `titles[i]` names experiment i (its report title). */

/* The reports' one ratio convention, said in every header. */
#define COMPARE_CONVENTION                                                                \
    "ratio = control mean / group mean; % less = 100 x (1 - group mean / control mean)"
#define COMPARE_LEGEND                                                                    \
    "Mean RSS per relay at each group's final snapshot. Each group is compared with the "  \
    "control of its own experiment (the manifest's `control`, else a group whose name or " \
    "config says control, default or glibc, else the baseline): \"% less\" is 100 × (1 − " \
    "group mean ÷ control mean), \"Control ÷ group\" the same as a ratio (above 1: less "  \
    "memory). Intervals are 95% bootstrap intervals over relays."

/* The lineup's "vs control" cell: "2.95× less than E", "2.52× more than
 * E", "control", or n/a. */
void compare_vs_cell(const compare_row *r, const analysis *a, strbuf *b);
/* The allocator lineup: one block per allocator shared by experiments. */
void compare_text(const comparison *c, const analysis *const *as, const char *const *titles,
                  strbuf *out);
/* {"convention":..., "ranking":[...], "allocators":[{"allocator":..,
 * "groups":[{...}]}]}: the ranking and the lineup. */
void compare_json(const comparison *c, const versus_table *t, const analysis *const *as,
                  const char *const *titles, strbuf *out);

/* The ranking (compare_rank.c): every group against its own control.
 * Text lists the nexp experiments first. */
void compare_rank_text(const versus_table *t, const analysis *const *as,
                       const char *const *titles, size_t nexp, strbuf *out);
#define COMPARE_RANK_CSV_HEADER                                                           \
    "rank,experiment,experiment_id,group,name,allocator,version,differs_by,relays,"       \
    "final_mean_gib,control_group,control_chosen_as,control_relays,"                      \
    "control_final_mean_gib,pct_less_than_control,pct_lo,pct_hi,"                         \
    "ratio_control_over_group,ratio_lo,ratio_hi,caveat"
/* Stable header COMPARE_RANK_CSV_HEADER; rank empty for controls and
 * groups without a figure. */
void compare_rank_csv(const versus_table *t, const analysis *const *as,
                      const char *const *titles, strbuf *out);
/* A GitHub table ready for a post, then the legend. */
void compare_rank_md(const versus_table *t, const analysis *const *as,
                     const char *const *titles, strbuf *out);
/* The ranking as a JSON array (new reference). */
json_t *compare_rank_json(const versus_table *t, const analysis *const *as,
                          const char *const *titles);
/* Cells every rendering shares: "86.4% less (84.6–88.1)" / "151.6% more
 * (...)" / "control"; "7.42× less"; caveats ("only 2 relays; no CI"). */
void compare_pct_cell(const versus_row *r, strbuf *b);
void compare_ratio_cell(const versus_row *r, strbuf *b);
void compare_caveat_cell(const versus_row *r, strbuf *b);

#endif
