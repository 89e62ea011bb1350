/* versus.h - every group against its own experiment's control, ranked
 * across experiments: the question "which configuration, in any
 * experiment, cut memory most against its own control".
 *
 * The control of an experiment is, first that applies: the manifest's
 * `control` key; a group whose name or config says "control"; one whose
 * config says "default"; one whose config says "glibc"; the baseline.
 *
 * Figures follow the reports' one convention: a ratio is the reference's
 * final mean divided by the group's ("3.00x less" = a third of the
 * memory), and "% less memory than control" is 100 x (1 - group / control)
 * = 100 x (1 - 1 / ratio), so both read "bigger is better". The 95%
 * interval is the bootstrap interval of that ratio over relays (the
 * experiment's own ratio interval when the control is the baseline), so
 * compare and the experiment's page never disagree. */
#ifndef MEMREPORT_VERSUS_H
#define MEMREPORT_VERSUS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"

/* Below this many relays at a final snapshot a figure gets a caveat. */
#define VERSUS_MIN_RELAYS 3

typedef enum {
    CONTROL_NONE,      /* the experiment has no groups */
    CONTROL_MANIFEST,  /* the manifest's `control` */
    CONTROL_NAMED,     /* name or config says "control" */
    CONTROL_DEFAULT,   /* config says "default" */
    CONTROL_GLIBC,     /* config (or name) says glibc */
    CONTROL_BASELINE,  /* fell back to the baseline */
} control_reason;

/* The experiment's control group, or -1; *why (may be NULL) says how it
 * was chosen. */
long versus_control(const analysis *a, control_reason *why);
/* "manifest control", "named control", ... for a reader. Static. */
const char *versus_reason_text(control_reason r);

/* Allocator and version of group g: the manifest's config.allocator and
 * config.version, else read from a name like "jemalloc 5.3.0", else the
 * group's name as the allocator and "" as version. Allocator lower-case.
 * Caller frees both. */
void versus_allocator(const analysis *a, size_t g, char **allocator, char **version);

/* What group g changes relative to group ctl: "mimalloc 2.0.9" when the
 * allocator or its version differ, and/or the config keys that differ
 * ("DirCache=0", "MaxMemInQueues unset"), joined with ", "; "same
 * configuration" when nothing stated differs. Caller frees. */
char *versus_differs(const analysis *a, size_t g, size_t ctl);

typedef struct {
    size_t exp;               /* index into the analyses */
    size_t group;
    long control;             /* -1: no control */
    control_reason reason;
    bool is_control;
    char *allocator, *version;
    char *differs;            /* versus_differs; NULL for the control */
    size_t relays, control_relays; /* at the final snapshots */
    double final_mean, control_mean; /* GiB */
    double ratio, ratio_lo, ratio_hi;  /* control mean / group mean */
    double pct_less, pct_lo, pct_hi;   /* % less memory than control */
    bool caveat_small;        /* fewer than VERSUS_MIN_RELAYS relays here or
                                 in the control */
    bool caveat_no_ci;        /* no interval (a group of one, or no data) */
} versus_row;

typedef struct {
    versus_row *rows;         /* ranked: non-control groups by % less,
                                 most first, those without a figure after
                                 them, then each experiment's control */
    size_t nrows;
    size_t nranked;           /* rows with a figure, at the front */
} versus_table;

void versus_build(const analysis *const *as, size_t n, versus_table *out);
void versus_free(versus_table *t);

#endif
