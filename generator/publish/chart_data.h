/* chart_data.h - one experiment's chart spec (charts/chart_spec.h), filled
 * from its analysis: series, final-snapshot dots and boxes, trajectory
 * members, events and server totals, with the labels, colours and order
 * the writers choose. The statistics are analysis's (stats_box,
 * totals_series); this only hands them over. */
#ifndef MEMREPORT_CHART_DATA_H
#define MEMREPORT_CHART_DATA_H

#include <stddef.h>

#include "analysis.h"
#include "chart_spec.h"

typedef struct {
    chart_spec spec;          /* points into the storage below and into the
                                 analysis, which must outlive it */
    const analysis *a;
    chart_group *groups;
    chart_point **series;     /* [ngroups] */
    chart_dot **dots;         /* [ngroups] */
    chart_relay **relays;     /* [ngroups] */
    size_t **members;         /* [ngroups] relay indices behind relays */
    int64_t **restarts;       /* [ngroups] */
    char **labels;            /* [ngroups] */
    size_t *order;
    chart_event *events;
    chart_total *totals;
} chart_data;

/* Fills cd from a. Without the packed samples (e.rss_kb NULL: a site's
 * index after the pages are written) the trajectories and totals are
 * left empty. cd must not move afterwards (the spec's sample callback
 * points at it). Free with chart_data_free. */
void chart_data_fill(chart_data *cd, const analysis *a);
void chart_data_free(chart_data *cd);

#endif
