/* chart_spec.h - what the chart library draws: plain data, no analysis.
 *
 * The caller (publish/) fills one chart_spec from its results; every chart
 * kind reads the parts it needs. Values are GiB, times UTC epoch seconds
 * shown in the spec's timezone. Strings and arrays are borrowed: the spec
 * owns nothing, so whoever filled it frees what it points to. Statistics
 * (box quartiles, totals) arrive computed; the library only lays out and
 * draws them. */
#ifndef MEMREPORT_CHART_SPEC_H
#define MEMREPORT_CHART_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Marker shapes the charts cycle through (circle, square, triangle,
 * diamond, inverted triangle, hexagon), so groups differ in print and in
 * grey; chart_group.shape is one of 0 .. CHART_NSHAPES - 1. */
#define CHART_NSHAPES 6

/* One point of a group's series: member RSS at one collection. */
typedef struct {
    int64_t t;
    size_t n;                 /* members with a sample */
    double mean, median, p10, p90;
} chart_point;

/* A box over the relays' values at the final snapshot. */
typedef struct {
    double q1, median, q3;
    double whisker_lo, whisker_hi; /* furthest value within 1.5 IQR of the box */
    double max;
} chart_box;

/* One relay's value at the final snapshot. */
typedef struct {
    const char *label;        /* nickname or fingerprint */
    double jitter;            /* horizontal offset in [-1, 1], the same for a
                                 relay in every run */
    double gib;
} chart_dot;

/* A relay drawn in a trajectory panel. */
typedef struct {
    const char *label;
} chart_relay;

typedef struct {
    const char *id;           /* short ID: direct labels, CSS class g-ID */
    const char *label;        /* "A mimalloc 3.0.1" */
    const char *color;        /* "#rrggbb" */
    int shape;                /* marker shape, below CHART_NSHAPES */
    int dash;                 /* its line: 0 solid, 1 dashed, 2 dotted */
    bool baseline;

    const chart_point *series; /* the group mean over time */
    size_t nseries;

    bool has_final;           /* a final snapshot exists */
    int64_t final_t;
    double final_mean;
    const chart_dot *dots;    /* ndots relays at the final snapshot */
    size_t ndots;
    chart_box box;            /* over the dots' values */

    const chart_relay *relays; /* members drawn in the trajectory panel */
    size_t nrelays;
    const int64_t *restarts;  /* times of the restarts seen in its members */
    size_t nrestarts;
} chart_group;

typedef struct {
    int64_t t;
    size_t number;            /* shown in the badge and the key (1-based) */
    const char *type, *description;
} chart_event;

/* The server total at one collection. */
typedef struct {
    int64_t t;
    double gib;
    double count;             /* relays; NAN when unknown */
    bool summed;              /* from relay rows, not an aggregate row */
} chart_total;

/* Every relay's RSS over time, read through a callback so a fleet's
 * samples are not copied: row(ctx, g, i, v) sets v[c] for c < ntimes to
 * group g's relay i (an index into chart_group.relays) at times[c], in
 * GiB, or NAN when that relay has no sample counting for g then. It may
 * be called from several threads at once. */
typedef struct {
    const int64_t *times;
    size_t ntimes;
    void (*row)(const void *ctx, size_t g, size_t i, double *v);
    const void *ctx;
} chart_samples;

typedef struct {
    const char *name;         /* experiment name for subtitles, or NULL */
    const char *server;       /* server name, or NULL */
    int tz_offset_min;        /* display timezone */
    int64_t first_t, last_t;  /* analysed period; first_t TIME_NONE or 0 when unknown */
    double budget_gib;        /* per-relay budget line; 0: none */

    const chart_group *groups;
    size_t ngroups;
    const size_t *by_final_mean; /* group indices with a final snapshot,
                                    lowest final mean first (the
                                    distribution's order) */
    size_t nby_final_mean;

    const chart_event *events;
    size_t nevents;
    const chart_total *totals; /* in time order */
    size_t ntotals;
    chart_samples samples;
    bool dark;                /* PNGs in the dark theme (SVGs are themed by CSS) */
} chart_spec;

#endif
