/* model.h - the experiment: everything read from an experiment directory.
 *
 * Ingest fills one `experiment`; every later stage (membership, stats,
 * charts, writers, archive) reads it and never opens the input files again.
 *
 * Samples are stored packed: one dense matrix per measured field, indexed
 * [relay * ncoll + collection], with collections sorted by time. A missing
 * kB value is KB_MISSING; a missing frag ratio is NAN. Times are UTC epoch
 * seconds; display converts with man.tz_offset_min. */
#ifndef MEMREPORT_MODEL_H
#define MEMREPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sha256.h"

#define KB_MISSING UINT32_MAX
#define COLGROUP_NONE UINT16_MAX
#define TIME_NONE INT64_MIN

/* Trend classification limits and restart handling (manifest "thresholds"). */
typedef struct {
    double flat_gib_day;  /* |steady growth| at most this is not growing: 0.05 */
    double variable_cv;   /* coefficient of variation of the group mean above
                             which a non-growing group is Variable: 0.10 */
    double warmup_hours;  /* samples this soon after a start are skipped: 6 */
    double restart_drop;  /* RSS must fall by at least this fraction, together
                             with hwm_kb, to count as a restart: 0.10 */
} thresholds;

/* One group as the manifest describes it. Strings are NULL when absent. */
typedef struct {
    char *id;
    char *name;
    char *color;          /* "#rrggbb" */
    char *description;
    char *added;
    char *config_json;    /* the "config" object re-serialised compactly */
    char *allocator, *version, *source; /* config.allocator/version/source */
    char **config_keys, **config_values; /* every key of an object config, in
                                            file order, values as text */
    size_t nconfig;
    bool has_members;     /* "members" was given (file or list) */
    char *members_file;   /* path relative to the experiment directory */
    char **members;       /* literal list; nmembers entries */
    int64_t *member_start, *member_end; /* [nmembers] a member's own window
                                           ({"relay", "start", "end"}); TIME_NONE
                                           when open; NULL with no list */
    long *member_lines;   /* [nmembers] line of each entry in experiment.json */
    size_t nmembers;
    char **exclude;
    size_t nexclude;
    int64_t start, end;   /* TIME_NONE when absent */
    long line;            /* line of the group's key in experiment.json */
} manifest_group;

typedef struct {
    bool present;         /* experiment.json existed */
    char *id, *name, *server, *start_date, *end_date;
    char *problem, *hypothesis, *description, *result, *recommendation;
    char *baseline;       /* group ID or NULL */
    char *control;        /* group ID of the control (cross-experiment
                             comparison) or NULL */
    char *tor_version, *allocator;
    int tz_offset_min;    /* "timezone", default 0 */
    manifest_group *groups;
    size_t ngroups;
    thresholds th;        /* defaults filled in even without a manifest */
    double memory_budget_gib; /* 0 when absent */
    long baseline_line;   /* line of "baseline" in experiment.json, or 0 */
    long control_line;    /* line of "control", or 0 */
} manifest;

typedef struct {
    char *nickname;       /* "" when the CSV had none */
    char *fingerprint;    /* "" or 40 upper-case hex digits */
    long first_line;      /* memory.csv line of its first row */
    char *label;          /* "NAME#2" for the second relay with a nickname
                             (experiment_label_relays), else NULL */
} relay;

/* Two relays that share a nickname without fingerprints and report
 * different values at one collection (ingest split them). */
typedef struct {
    size_t first, second;       /* relay indices */
    long line1, line2;          /* their first rows in one collection */
} shared_nickname;

typedef struct {
    int64_t t;
    uint64_t count, total_kb, avg_kb, min_kb, max_kb; /* UINT64_MAX when empty */
    long line;
} aggregate_row;

typedef struct {
    int64_t t;
    char *type, *description, *group;
    long line;
    bool had_offset;      /* written with Z or an offset (not archived) */
    int offset_min;       /* that offset, minutes east of UTC */
} event;

/* One row of diagnostics.csv (host facts at one collection). */
typedef struct {
    int64_t t;
    char *hostname, *tor_version, *os_release, *kernel, *allocator;
    double mem_total_mb;  /* NAN when empty */
    long relay_count;     /* -1 when empty */
    double relay_total_mb;
    long line;
} host_row;

/* relay_config.csv: key is a fingerprint or nickname. */
typedef struct {
    char *key;
    char *group;
    long line;
} relay_assignment;

/* One groups/group_<ID>_<slug>.txt file. */
typedef struct {
    char *id;             /* parsed from the file name */
    char *path;           /* relative to the experiment directory */
    char **members;
    long *member_lines;
    size_t nmembers;
    bool manifest_only;   /* read only because the manifest's `members` names
                             it (not a groups/ file): not a group-file source */
} group_file;

/* Every input file read, for the data reference and the archive. */
typedef struct {
    char *path;           /* relative to the experiment directory */
    uint64_t bytes;
    uint64_t rows;        /* data rows (CSV) or members (group file) */
    char sha256[65];      /* lower-case hex */
    /* For rebuilds that read only what a collector appended: the SHA-256
     * of the file's last 64 KiB (all of it when shorter; "" when not
     * computed), and the hash state after every byte (sha256_state_export
     * bytes; sha_state_len 0 when not kept), from which hashing the
     * appended bytes gives the grown file's full hash. */
    char tail_sha256[65];
    unsigned char sha_state[SHA256_STATE_MAX];
    size_t sha_state_len;
    /* The memory CSV's physical lines when it ends with a newline (0: not
     * counted): an append's line numbers continue from it. */
    uint64_t lines;
} input_file;

/* Things ingest noticed that are not errors; data quality reports them. */
typedef struct {
    uint64_t duplicate_rows;    /* same relay, same timestamp: last one kept */
    long first_duplicate_line;
    uint64_t out_of_order_rows; /* timestamp earlier than the previous row's */
    long first_out_of_order_line;
    bool partial_last_line;     /* collector still writing: row left out */
    long partial_line;
    uint64_t relay_rows, aggregate_rows;
    bool read_in_parallel;      /* the memory CSV was read by two threads */
    bool read_appended_only;    /* only what was appended since the archive */
    shared_nickname *shared;    /* nickname splits, in order found */
    size_t nshared;
} ingest_notes;

typedef struct experiment {
    char *dir;
    char *memory_path;          /* relative name of the memory CSV used */
    manifest man;

    relay *relays;
    size_t nrelays;
    int64_t *times;             /* ncoll collection times, ascending */
    size_t ncoll;

    /* Packed samples, [r * ncoll + c]. */
    uint32_t *rss_kb, *vmsize_kb, *hwm_kb;
    float *frag;
    uint16_t *col_group;        /* index into colgroups, or COLGROUP_NONE;
                                   NULL when the CSV has no group column */
    char **colgroups;           /* distinct non-empty values of `group` */
    size_t ncolgroups;

    aggregate_row *aggs;        /* sorted by time */
    size_t naggs;
    event *events;              /* in file order */
    size_t nevents;
    host_row *hosts;
    size_t nhosts;
    relay_assignment *assignments;
    size_t nassignments;
    group_file *gfiles;
    size_t ngfiles;
    input_file *inputs;
    size_t ninputs;
    /* An experiment kept as its archive alone: the files beside it that a
     * build from the CSVs would read and this one does not, as they are
     * now, where they differ from the archive's record (changed or new).
     * They are said, and keyed by the build record, never read. */
    input_file *unread;
    size_t nunread;
    ingest_notes notes;
    char *notes_text;           /* notes.md as read (NUL-terminated), NULL
                                   when there is none: the renderer gets
                                   these bytes, the ones the hash describes */
    size_t notes_len;
} experiment;

static inline size_t exp_idx(const experiment *e, size_t r, size_t c)
{
    return r * e->ncoll + c;
}

void thresholds_default(thresholds *th);
void experiment_free(experiment *e);
/* Frees a list of n input files: each path, then the array. */
void input_files_free(input_file *in, size_t n);
/* Allocates the sample matrices for e->nrelays x e->ncoll cells (rss,
 * vmsize, hwm, frag, and col_group when the CSV has a group column),
 * uninitialised: the caller fills every cell. */
void experiment_alloc_samples(experiment *e, bool has_group);
/* Frees the sample matrices (rss, vmsize, hwm, frag, col_group) and sets
 * them NULL; times, relays and everything else stay. */
void experiment_free_samples(experiment *e);
/* The samples are a table of every relay at every collection, 16 to 18
 * bytes a cell. A table above EXPERIMENT_TABLE_FREE cells must hold at
 * least one sample in EXPERIMENT_TABLE_SPARSEST cells and take at most
 * half of the machine's memory: a small hostile file (each row a relay
 * of its own at a time of its own) would otherwise ask for gigabytes.
 * Returns true, or false with *why (malloc'd) saying which limit. */
#define EXPERIMENT_TABLE_FREE (1u << 24)
#define EXPERIMENT_TABLE_SPARSEST 64
bool experiment_table_fits(uint64_t nrelays, uint64_t ncoll, uint64_t nsamples, char **why);
/* A report compares at most EXPERIMENT_MAX_GROUPS groups, and keeps
 * tables per group and relay (member marks and windows, final snapshots,
 * steady slopes: some 50 bytes a cell), at most EXPERIMENT_TABLE_FREE
 * cells: a small file that names a group of its own for every relay
 * would otherwise ask for gigabytes and minutes. Returns true, or false
 * with *why (malloc'd) saying which limit. */
#define EXPERIMENT_MAX_GROUPS 256
bool experiment_groups_fit(uint64_t ngroups, uint64_t nrelays, char **why);
/* The index of the collection at exactly time t in times[0..n) (ascending),
 * or SIZE_MAX when no collection is at t. */
size_t collection_at(const int64_t *times, size_t n, int64_t t);
/* Gives the second, third... relay with one nickname the display names
 * NAME#2, NAME#3 (in relay order), so tables and messages tell them apart.
 * Ingest and the archive call it once the relays are known. */
void experiment_label_relays(experiment *e);
/* Display name of a relay: its label, nickname, else fingerprint. */
const char *relay_label(const relay *r);

#endif
