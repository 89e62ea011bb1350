/* archive_internal.h - what the archive's schema, writer and reader share.
 *
 * Every table of results.sqlite is one `atable`: its columns in order,
 * each with its SQL declaration, how its value is kept in a C row struct
 * (type and offset) and what NULL stands for. The same table drives the
 * CREATE statement (archive_schema.c), the INSERT and its binds
 * (archive_write.c) and the SELECT and its reads (archive_read.c), so a
 * column is named in one place. */
#ifndef MEMREPORT_ARCHIVE_INTERNAL_H
#define MEMREPORT_ARCHIVE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "diag.h"
#include "samplecol.h"

/* How a column's value sits in its row struct. */
typedef enum {
    AC_SEQ,      /* the row's position, given by the caller; never read back */
    AC_PARENT,   /* the owning row's index, given by the caller; read back */
    AC_TEXT,     /* char *, NULL <-> NULL */
    AC_FILE,     /* char *, a path stored relative to the experiment directory */
    AC_CHARS,    /* char[none], always text */
    AC_CHARS_OPT,/* char[none], "" <-> NULL */
    AC_I64,      /* int64_t */
    AC_INT,      /* int (also an enum stored as its number) */
    AC_LONG,     /* long */
    AC_SIZE,     /* size_t */
    AC_BOOL,     /* bool */
    AC_U16,      /* uint16_t */
    AC_U64,      /* uint64_t, UINT64_MAX (or beyond INT64_MAX) <-> NULL */
    AC_IDX,      /* size_t index, SIZE_MAX <-> NULL */
    AC_COUNT,    /* long, negative <-> NULL */
    AC_TIME,     /* int64_t epoch seconds, INT64_MIN/INT64_MAX -> NULL -> `none` */
    AC_ISO,      /* text of the int64_t time at `off` in the experiment's timezone;
                    written only */
    AC_DBL,      /* double, NAN <-> NULL */
    AC_ENUM,     /* int, stored as names[value] */
    AC_BLOB,     /* unsigned char[none] with its length, a size_t, at len_off */
    AC_BLOB_REF, /* const unsigned char * with its length at len_off; read back
                    as a pointer into sqlite's row, valid until the next step */
} acol_type;

typedef struct {
    const char *name;
    const char *decl;          /* SQL type and constraints */
    acol_type type;
    size_t off;                /* offset of the value in the row struct */
    int64_t none;              /* AC_TIME: value of NULL; AC_CHARS*, AC_BLOB: size */
    const char *const *names;  /* AC_ENUM */
    size_t nnames;
    size_t len_off;            /* AC_BLOB*: offset of the length */
    /* Reading an older schema (archive_version): the first version that
     * has the column (0: every version), and the SQL value read in its
     * place from a file of an earlier one. */
    int since;
    const char *absent;
} acol;

typedef struct {
    const char *name;
    const acol *cols;
    size_t ncols;
    const char *tail;          /* after the columns: ")" or a key and ") WITHOUT ROWID" */
    const char *order;         /* ORDER BY of reads, or NULL */
    int since;                 /* the first version that has the table (0: every one);
                                  read as empty from an earlier one */
} atable;

/* What sets each schema version this program reads apart, as data: the
 * columns and tables a version lacks are marked in the column tables
 * (acol.since, atable.since); the rest is here. The last entry is
 * ARCHIVE_SCHEMA_VERSION, the one written. */
typedef struct {
    int version;
    samplecol_codec codec;     /* how the packed sample columns are compressed */
    size_t segment;            /* collections per sample_columns row; 0: one row per
                                  relay holds all its collections */
} archive_version;

/* The entry of version v, or NULL when this program cannot read it. */
const archive_version *archive_version_find(int64_t v);
/* The oldest version read. */
int archive_oldest_version(void);

/* Row structs of the tables that do not map onto a model struct. */
typedef struct {
    const char *key;
    char *value;
} meta_row;

typedef struct {
    char *id, *name, *server, *start_date, *end_date, *timezone;
    int tz_offset_min;
    char *problem, *hypothesis, *description, *result, *recommendation;
    char *manifest_baseline, *tor_version, *allocator;
    bool manifest_present;
    double memory_budget_gib, flat_gib_day, variable_cv, warmup_hours, restart_drop;
    char *memory_path;
    const char *generator_version;
    size_t nrelays, ncollections, nsamples;
    bool has_group_column;
    uint64_t duplicate_rows;
    long first_duplicate_line;
    uint64_t out_of_order_rows;
    long first_out_of_order_line;
    bool partial_last_line;
    long partial_line;
    uint64_t relay_rows, aggregate_rows;
    int64_t until_t;
    size_t baseline_group;     /* SIZE_MAX without groups */
    int64_t first_t, last_t, day1;
} experiment_row;

typedef struct {
    size_t relay_id;
    char *nickname, *fingerprint;
    long first_line;
    bool ungrouped;
} relay_row;

typedef struct {
    size_t c;
    int64_t t;
} collection_row;

typedef struct {
    size_t idx;
    char *name;
} name_row;

/* Each relay's samples are stored in segments of ARCHIVE_SEGMENT
 * collections (the last one shorter): segment s holds collections
 * [s * ARCHIVE_SEGMENT, (s + 1) * ARCHIVE_SEGMENT). The boundaries depend
 * only on the collection index, so an archive updated after an append
 * holds the rows a build from scratch writes, and only each relay's last
 * segment is packed again. */
#define ARCHIVE_SEGMENT 1024
enum { SF_RSS, SF_VMSIZE, SF_HWM, SF_FRAG, SF_GROUP, SF_COUNT };
typedef struct {
    size_t relay_id, seg, nsamples;
    const unsigned char *blob[SF_COUNT];
    size_t len[SF_COUNT];
} sample_row;

typedef struct {
    size_t owner, seq;         /* group file or group; position in its list */
    const char *kind;          /* manifest_group_lists: "members" or "exclude" */
    char *member;
    long line;
} member_row;

typedef struct {
    size_t idx;
    char *id, *name, *color;
    size_t manifest_idx;       /* SIZE_MAX: not in the manifest */
    int source;                /* members_source */
    char *source_path;
    int64_t start_t, end_t;
    bool has_member_list, has_exclude_list;
    uint16_t csv_group;
    size_t nmembers;
    const char *allocator, *version;
    bool is_baseline;
} group_row;

typedef struct {
    size_t group_idx, relay_id;
    int64_t first_t, last_t;   /* membership: first and last sample; windows: bounds */
    bool excluded;
} membership_row;

typedef struct {
    size_t group_idx;
    const char *group_id, *name;
    group_result r;            /* final_t is INT64_MIN without a final snapshot */
} result_row;

typedef struct {
    size_t group_idx, k;
    size_t relay_id;
    double value;
    int day;
} value_row;

/* The tables, in the order they are created. */
extern const atable T_META, T_EXPERIMENT, T_INPUT_FILES, T_RELAYS, T_COLLECTIONS, T_CSV_GROUPS,
    T_SAMPLE_COLUMNS, T_AGGREGATES, T_EVENTS, T_HOSTS, T_RELAY_CONFIG, T_GROUP_FILES,
    T_GROUP_FILE_MEMBERS, T_MANIFEST_GROUPS, T_MANIFEST_GROUP_LISTS, T_GROUPS, T_MEMBERSHIP,
    T_MEMBER_WINDOWS, T_MISSING_MEMBERS, T_OVERLAPS, T_GROUP_STATS, T_RESULTS, T_FINAL_VALUES,
    T_DAYS, T_DAY_VALUES, T_RESTARTS, T_FINDINGS, T_DIAGNOSTICS;

/* The packed sample fields, in sample_row order, and their column kinds. */
extern const char *const archive_sample_field_names[SF_COUNT];

/* Fills the name lists taken from other modules (trend names); the
 * writer and the reader call it before using the tables. */
void archive_schema_init(void);
/* CREATE TABLE for every table, then the views; malloc'd SQL. */
char *archive_schema_sql(void);
/* "DELETE FROM t;" for every table but keep1 and keep2; malloc'd. */
char *archive_clear_sql(const atable *keep1, const atable *keep2);
/* "INSERT INTO t VALUES(?,...)" and "SELECT readable columns FROM t
 * [WHERE where] [ORDER BY ...]" for a file of schema `version` (a column
 * it lacks is read as its `absent` value, named as the column, so the
 * results keep their places); malloc'd. */
char *archive_insert_sql(const atable *t);
char *archive_select_sql(const atable *t, const char *where, int version);
/* Whether a file of schema `version` has table t. */
bool archive_table_in(const atable *t, int version);
/* Index of s in names[0..n), or -1. */
int archive_name_index(const char *const *names, size_t n, const char *s);

/* Writing: the first error wins, later calls do nothing. */
typedef struct {
    sqlite3 *db;
    diag_list *d;
    const char *display;
    bool failed;
    int tz;
    const char *dir;           /* e->dir, to store file names relative to it */
    const int64_t *times;      /* the collections' times (ascending) and their */
    char (*iso)[40];           /* ISO text, made once: most times written are these */
    size_t ntimes;
    /* Updating a copy of the archive an append was resumed from: the
     * packed samples of the first keep_segs segments of the first
     * keep_relays relays are already there (0, 0: a fresh file). */
    bool update;
    size_t keep_relays, keep_segs;
} wctx;

/* Reading: the first error wins; every message names the archive. */
typedef struct {
    sqlite3 *db;
    diag_list *d;
    const char *path;
    const char *dir;
    bool failed;
    archive_samples *defer;    /* not NULL: keep the samples packed, here */
    const archive_version *ver;/* the file's schema, set by archive_open_checked */
    bool has_group;            /* sample_columns has csv_group values: set by read_counts */
    size_t packed_bytes;       /* the sample columns' bytes: what backs the group tables */
} rctx;

void archive_rfail(rctx *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepares t's SELECT; NULL after an error, and NULL without one for a
 * table the file's schema does not have (archive_rrow then finds no row). */
sqlite3_stmt *archive_rselect(rctx *r, const atable *t, const char *where);
/* Steps; true for a row, false at the end or on error. */
bool archive_rrow(rctx *r, sqlite3_stmt *st);
/* Fills row from the statement's current row (strings malloc'd; the
 * parent index, when the table has one, into *parent). False, with a
 * message, for a value the table does not allow (an unknown name). */
bool archive_rget(rctx *r, sqlite3_stmt *st, const atable *t, void *row, int64_t *parent);
/* An index read from the file, checked against the array it indexes. */
bool archive_rindex(rctx *r, int64_t v, size_t n, const char *what, size_t *out);

/* The opening read-only without mutexes and the check of user_version:
 * 0 with r->ver set, EXIT_BAD_INPUT (a version not read: only the current
 * one unless `older`, and never a newer one) or EXIT_IO. */
int archive_open_checked(rctx *r, const char *path, bool older);
/* --until as the meta table records it (malloc'd). */
char *archive_until_key(const analysis_options *o);
const char *archive_opt_baseline(const analysis_options *o);

#endif
