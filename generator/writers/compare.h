/* compare.h - groups that share an allocator across experiments.
 *
 * `memreport compare` and the site's comparison page show the same table:
 * for every allocator name that appears in at least two experiments, each
 * group that runs it, with its version, final
 * mean, steady growth and its ratio to its own experiment's control group.
 * Nothing here computes a statistic; it lines up what stats computed. */
#ifndef MEMREPORT_COMPARE_H
#define MEMREPORT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "util.h"

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

/* The group a report calls the experiment's control: one whose name or
 * description says "control", else the only glibc group, else the
 * baseline. -1 when the experiment has no groups. */
long compare_control(const analysis *a);

/* Allocator and version of group g: the manifest's config.allocator and
 * config.version, else read from a name like "jemalloc 5.3.0", else the
 * group's name as the allocator and "" as version. Caller frees both. */
void compare_allocator(const analysis *a, size_t g, char **allocator, char **version);

/* Lines up the groups of n analyses. Allocators that appear in only one
 * experiment are left out. */
void compare_build(const analysis *const *as, size_t n, comparison *out);
void compare_free(comparison *c);

/* Renderings. `titles[i]` names experiment i (its report title). */
void compare_text(const comparison *c, const analysis *const *as, const char *const *titles,
                  strbuf *out);
/* Stable header: allocator,version,experiment,group,name,relays,
 * final_mean_gib,steady_growth_gib_day,ratio_to_control,control_group */
void compare_csv(const comparison *c, const analysis *const *as, const char *const *titles,
                 strbuf *out);
/* {"allocators":[{"allocator":..,"groups":[{...}]}]} */
void compare_json(const comparison *c, const analysis *const *as, const char *const *titles,
                  strbuf *out);

#endif
