/* analysis.h - the whole read-and-compute pipeline for one directory:
 * ingest -> membership -> stats. Commands call this, then render. */
#ifndef MEMREPORT_ANALYSIS_H
#define MEMREPORT_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "membership.h"
#include "model.h"
#include "stats.h"

typedef struct {
    bool strict;
    int64_t until;            /* INT64_MAX for end of data */
    const char *baseline;     /* NULL: manifest, else highest final mean */
    bool force_libcsv;
    const char *until_text;   /* when set, parsed with analysis_parse_until in
                                 the experiment's timezone once the manifest
                                 is read; overrides `until` */
    bool no_memory_hash;      /* ingest_options.no_memory_hash (check) */
    const experiment *resume; /* ingest_options.resume: an archive's
                                 experiment whose memory CSV may only have
                                 grown since (archive_load.c) */
    const stats_prior *prior; /* with resume: that archive's per-collection
                                 statistics, used (stats_options.prior) only
                                 when ingest read the appended rows alone */
} analysis_options;

/* The archive file an append's rebuild took its first samples from (set
 * by analysis_load): its identity when it was read, and the relays and
 * collections it held, which are the first ones of the analysis. The
 * archive writer then updates a copy of it instead of packing every
 * sample again. path is NULL otherwise. */
typedef struct {
    char *path;
    unsigned long long dev, ino, size;
    long long mtime_s, mtime_ns;
    size_t nrelays, ncoll;
} archive_origin;

typedef struct {
    experiment e;
    membership m;
    results r;
    diag_list diag;           /* every warning and error, in order */
    archive_origin resumed;
} analysis;

void analysis_options_default(analysis_options *o);
/* Returns an exit status: 0 ok, 1 bad input (errors in a->diag), 3 I/O.
 * `a` is always safe to free. */
int analysis_run(const char *dir, const analysis_options *o, analysis *a);
void analysis_free(analysis *a);

/* Membership and stats again over a->e as it is (an experiment read back
 * from its archive, whose CSVs are gone), with options o: what a
 * different --until or --baseline needs. Earlier membership, results and
 * diagnostics are replaced (ingest's own warnings are not repeated).
 * Returns like analysis_run. */
int analysis_rerun(analysis *a, const analysis_options *o);

/* The median gap between consecutive collections, in seconds (the
 * collector's schedule; manual runs in between barely move it); 0 with
 * fewer than two collections. */
int64_t analysis_typical_interval(const experiment *e);

/* Parses a --until argument: a full timestamp, or a date meaning the end of
 * that day (23:59:59) in the experiment's timezone. */
bool analysis_parse_until(const char *s, int tz_offset_min, int64_t *out);

#endif
