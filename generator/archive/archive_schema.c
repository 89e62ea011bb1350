/* archive_schema.c - the tables of results.sqlite (docs/archive.md), one
 * list of columns each, and the SQL made from them. The column order is
 * the order of the INSERT's values and of the SELECT's results; changing a
 * table here changes all three at once (and ARCHIVE_SCHEMA_VERSION). */
#include <stdio.h>
#include <stdlib.h>

#include "archive.h"
#include "archive_internal.h"
#include "util.h"

#define COL(n, decl, type, st, f) {n, decl, type, offsetof(st, f), 0, NULL, 0, 0, 0, NULL}
/* A column added by schema `since`; files of an earlier one read `absent`. */
#define LATER(since, absent, n, decl, type, st, f)                                             \
    {n, decl, type, offsetof(st, f), 0, NULL, 0, 0, since, absent}
#define I(n, type, st, f) COL(n, "INTEGER", type, st, f)
#define R(n, st, f) COL(n, "REAL", AC_DBL, st, f)
#define TX(n, st, f) COL(n, "TEXT", AC_TEXT, st, f)
#define ISO(n, st, f) COL(n, "TEXT", AC_ISO, st, f)
#define TIME(n, st, f, none) {n, "INTEGER", AC_TIME, offsetof(st, f), none, NULL, 0, 0, 0, NULL}
#define ENUM(n, st, f, names)                                                                  \
    {n, "TEXT", AC_ENUM, offsetof(st, f), 0, names, ARRAY_LEN(names), 0, 0, NULL}
#define SEQ(n, decl) {n, decl, AC_SEQ, 0, 0, NULL, 0, 0, 0, NULL}
#define PARENT(n) {n, "INTEGER", AC_PARENT, 0, 0, NULL, 0, 0, 0, NULL}
#define TABLE(n, cols, tail, order) {n, cols, ARRAY_LEN(cols), tail, order, 0}
/* A table added by schema `since`: read as empty from earlier files. */
#define TABLE_SINCE(since, n, cols, tail, order) {n, cols, ARRAY_LEN(cols), tail, order, since}

static const char KEY_ROWID[] = ")";

static const acol meta_cols[] = {
    COL("key", "TEXT PRIMARY KEY", AC_TEXT, meta_row, key),
    TX("value", meta_row, value),
};
const atable T_META = TABLE("meta", meta_cols, ") WITHOUT ROWID", NULL);

#define EX(n, type, f) I(n, type, experiment_row, f)
#define EXT(n, f) TX(n, experiment_row, f)
#define EXR(n, f) R(n, experiment_row, f)
static const acol experiment_cols[] = {
    EXT("id", id), EXT("name", name), EXT("server", server), EXT("start_date", start_date),
    EXT("end_date", end_date), EXT("timezone", timezone), EX("tz_offset_min", AC_INT, tz_offset_min),
    EXT("problem", problem), EXT("hypothesis", hypothesis), EXT("description", description),
    EXT("result", result), EXT("recommendation", recommendation),
    EXT("manifest_baseline", manifest_baseline), EXT("tor_version", tor_version),
    EXT("allocator", allocator), EX("manifest_present", AC_BOOL, manifest_present),
    EXR("memory_budget_gib", memory_budget_gib), EXR("flat_gib_day", flat_gib_day),
    EXR("variable_cv", variable_cv), EXR("warmup_hours", warmup_hours),
    EXR("restart_drop", restart_drop), EXT("memory_path", memory_path),
    EXT("generator_version", generator_version), EX("nrelays", AC_SIZE, nrelays),
    EX("ncollections", AC_SIZE, ncollections), EX("nsamples", AC_SIZE, nsamples),
    EX("has_group_column", AC_BOOL, has_group_column),
    EX("duplicate_rows", AC_U64, duplicate_rows),
    EX("first_duplicate_line", AC_LONG, first_duplicate_line),
    EX("out_of_order_rows", AC_U64, out_of_order_rows),
    EX("first_out_of_order_line", AC_LONG, first_out_of_order_line),
    EX("partial_last_line", AC_BOOL, partial_last_line), EX("partial_line", AC_LONG, partial_line),
    EX("relay_rows", AC_U64, relay_rows), EX("aggregate_rows", AC_U64, aggregate_rows),
    TIME("until_t", experiment_row, until_t, INT64_MAX),
    EX("baseline_group", AC_IDX, baseline_group),
    TIME("first_t", experiment_row, first_t, INT64_MIN),
    TIME("last_t", experiment_row, last_t, INT64_MIN), EX("day1", AC_I64, day1),
    ISO("first_time", experiment_row, first_t), ISO("last_time", experiment_row, last_t),
};
const atable T_EXPERIMENT = TABLE("experiment", experiment_cols, KEY_ROWID, NULL);

static const acol input_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"),
    COL("path", "TEXT NOT NULL", AC_TEXT, input_file, path),
    I("bytes", AC_U64, input_file, bytes),
    I("rows", AC_U64, input_file, rows),
    {"sha256", "TEXT NOT NULL", AC_CHARS, offsetof(input_file, sha256), 65, NULL, 0, 0, 0, NULL},
    {"tail_sha256", "TEXT", AC_CHARS_OPT, offsetof(input_file, tail_sha256), 65, NULL, 0, 0, 0,
     NULL},
    {"sha256_state", "BLOB", AC_BLOB, offsetof(input_file, sha_state), SHA256_STATE_MAX, NULL, 0,
     offsetof(input_file, sha_state_len), 0, NULL},
    LATER(5, "0", "lines", "INTEGER", AC_U64, input_file, lines),
};
const atable T_INPUT_FILES = TABLE("input_files", input_cols, KEY_ROWID, "seq");

static const acol relay_cols[] = {
    COL("relay_id", "INTEGER PRIMARY KEY", AC_SIZE, relay_row, relay_id),
    TX("nickname", relay_row, nickname), TX("fingerprint", relay_row, fingerprint),
    I("first_line", AC_LONG, relay_row, first_line), I("ungrouped", AC_BOOL, relay_row, ungrouped),
};
const atable T_RELAYS = TABLE("relays", relay_cols, KEY_ROWID, NULL);

static const acol collection_cols[] = {
    COL("c", "INTEGER PRIMARY KEY", AC_SIZE, collection_row, c),
    COL("t", "INTEGER NOT NULL", AC_I64, collection_row, t),
    COL("time", "TEXT NOT NULL", AC_ISO, collection_row, t),
};
const atable T_COLLECTIONS = TABLE("collections", collection_cols, KEY_ROWID, NULL);

static const acol csv_group_cols[] = {
    COL("idx", "INTEGER PRIMARY KEY", AC_SIZE, name_row, idx),
    COL("name", "TEXT NOT NULL", AC_TEXT, name_row, name),
};
const atable T_CSV_GROUPS = TABLE("csv_groups", csv_group_cols, KEY_ROWID, "idx");

const char *const archive_sample_field_names[SF_COUNT] = {"rss_kb", "vmsize_kb", "hwm_kb",
                                                          "frag_ratio", "csv_group"};
#define BLOBCOL(n, k)                                                                          \
    {n, "BLOB", AC_BLOB_REF, offsetof(sample_row, blob[k]), 0, NULL, 0,                      \
     offsetof(sample_row, len[k]), 0, NULL}
static const acol sample_cols[] = {
    COL("relay_id", "INTEGER NOT NULL", AC_SIZE, sample_row, relay_id),
    /* Before schema 6 one row per relay held all its collections. */
    LATER(6, "0", "seg", "INTEGER NOT NULL", AC_SIZE, sample_row, seg),
    I("nsamples", AC_SIZE, sample_row, nsamples),
    BLOBCOL("rss_kb", SF_RSS), BLOBCOL("vmsize_kb", SF_VMSIZE), BLOBCOL("hwm_kb", SF_HWM),
    BLOBCOL("frag_ratio", SF_FRAG), BLOBCOL("csv_group", SF_GROUP),
};
const atable T_SAMPLE_COLUMNS = TABLE("sample_columns", sample_cols,
                                      ", PRIMARY KEY(seg, relay_id)) WITHOUT ROWID",
                                      "seg, relay_id");

static const acol aggregate_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), TIME("t", aggregate_row, t, TIME_NONE),
    ISO("time", aggregate_row, t), I("count", AC_U64, aggregate_row, count),
    I("total_kb", AC_U64, aggregate_row, total_kb), I("avg_kb", AC_U64, aggregate_row, avg_kb),
    I("min_kb", AC_U64, aggregate_row, min_kb), I("max_kb", AC_U64, aggregate_row, max_kb),
    I("line", AC_LONG, aggregate_row, line),
};
const atable T_AGGREGATES = TABLE("aggregates", aggregate_cols, KEY_ROWID, "seq");

static const acol event_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), TIME("t", event, t, TIME_NONE), ISO("time", event, t),
    TX("type", event, type), TX("description", event, description), TX("grp", event, group),
    I("line", AC_LONG, event, line),
};
const atable T_EVENTS = TABLE("events", event_cols, KEY_ROWID, "seq");

static const acol host_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), TIME("t", host_row, t, TIME_NONE), ISO("time", host_row, t),
    TX("hostname", host_row, hostname), TX("tor_version", host_row, tor_version),
    TX("os_release", host_row, os_release), TX("kernel", host_row, kernel),
    TX("allocator", host_row, allocator), R("mem_total_mb", host_row, mem_total_mb),
    I("relay_count", AC_COUNT, host_row, relay_count),
    R("relay_total_mb", host_row, relay_total_mb), I("line", AC_LONG, host_row, line),
};
const atable T_HOSTS = TABLE("hosts", host_cols, KEY_ROWID, "seq");

static const acol relay_config_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), TX("key", relay_assignment, key),
    TX("grp", relay_assignment, group), I("line", AC_LONG, relay_assignment, line),
};
const atable T_RELAY_CONFIG = TABLE("relay_config", relay_config_cols, KEY_ROWID, "seq");

static const acol group_file_cols[] = {
    SEQ("idx", "INTEGER PRIMARY KEY"), TX("id", group_file, id), TX("path", group_file, path),
};
const atable T_GROUP_FILES = TABLE("group_files", group_file_cols, KEY_ROWID, "idx");

static const acol group_file_member_cols[] = {
    I("file_idx", AC_SIZE, member_row, owner), I("seq", AC_SIZE, member_row, seq),
    TX("member", member_row, member), I("line", AC_LONG, member_row, line),
};
const atable T_GROUP_FILE_MEMBERS =
    TABLE("group_file_members", group_file_member_cols, ", PRIMARY KEY(file_idx, seq)) WITHOUT ROWID",
          "file_idx, seq");

#define MG(n, f) TX(n, manifest_group, f)
static const acol manifest_group_cols[] = {
    SEQ("idx", "INTEGER PRIMARY KEY"), MG("id", id), MG("name", name), MG("color", color),
    MG("description", description), MG("added", added), MG("config_json", config_json),
    MG("allocator", allocator), MG("version", version), MG("source", source),
    I("has_members", AC_BOOL, manifest_group, has_members), MG("members_file", members_file),
    TIME("start_t", manifest_group, start, TIME_NONE), TIME("end_t", manifest_group, end, TIME_NONE),
    I("line", AC_LONG, manifest_group, line),
};
const atable T_MANIFEST_GROUPS = TABLE("manifest_groups", manifest_group_cols, KEY_ROWID, "idx");

static const acol manifest_list_cols[] = {
    I("group_idx", AC_SIZE, member_row, owner), TX("kind", member_row, kind),
    I("seq", AC_SIZE, member_row, seq), TX("member", member_row, member),
};
const atable T_MANIFEST_GROUP_LISTS =
    TABLE("manifest_group_lists", manifest_list_cols,
          ", PRIMARY KEY(group_idx, kind, seq)) WITHOUT ROWID", "group_idx, kind, seq");

static const char *const source_names[] = {
    [MEMBERS_MANIFEST_LIST] = "manifest_list", [MEMBERS_MANIFEST_FILE] = "manifest_file",
    [MEMBERS_GROUP_COLUMN] = "group_column",   [MEMBERS_RELAY_CONFIG] = "relay_config",
    [MEMBERS_GROUP_FILE] = "group_file",       [MEMBERS_ALL] = "all",
};
static const acol group_cols[] = {
    COL("idx", "INTEGER PRIMARY KEY", AC_SIZE, group_row, idx),
    COL("id", "TEXT NOT NULL", AC_TEXT, group_row, id), TX("name", group_row, name),
    TX("color", group_row, color), I("manifest_idx", AC_IDX, group_row, manifest_idx),
    ENUM("source", group_row, source, source_names), TX("source_path", group_row, source_path),
    TIME("start_t", group_row, start_t, INT64_MIN), TIME("end_t", group_row, end_t, INT64_MAX),
    I("has_member_list", AC_BOOL, group_row, has_member_list),
    I("has_exclude_list", AC_BOOL, group_row, has_exclude_list),
    I("csv_group", AC_U16, group_row, csv_group), I("nmembers", AC_SIZE, group_row, nmembers),
    TX("allocator", group_row, allocator), TX("version", group_row, version),
    I("is_baseline", AC_BOOL, group_row, is_baseline),
};
const atable T_GROUPS = TABLE("groups", group_cols, KEY_ROWID, "idx");

static const acol membership_cols[] = {
    I("group_idx", AC_SIZE, membership_row, group_idx),
    I("relay_id", AC_SIZE, membership_row, relay_id),
    TIME("first_t", membership_row, first_t, INT64_MIN),
    TIME("last_t", membership_row, last_t, INT64_MIN), ISO("first_time", membership_row, first_t),
    ISO("last_time", membership_row, last_t), I("excluded", AC_BOOL, membership_row, excluded),
};
const atable T_MEMBERSHIP = TABLE("membership", membership_cols,
                                  ", PRIMARY KEY(group_idx, relay_id)) WITHOUT ROWID", NULL);

static const acol member_window_cols[] = {
    I("group_idx", AC_SIZE, membership_row, group_idx),
    I("relay_id", AC_SIZE, membership_row, relay_id),
    TIME("start_t", membership_row, first_t, INT64_MIN),
    TIME("end_t", membership_row, last_t, INT64_MAX),
};
const atable T_MEMBER_WINDOWS = TABLE_SINCE(3, "member_windows", member_window_cols,
                                            ", PRIMARY KEY(group_idx, relay_id)) WITHOUT ROWID",
                                            NULL);

static const acol missing_cols[] = {
    I("group_idx", AC_SIZE, member_row, owner), I("seq", AC_SIZE, member_row, seq),
    TX("member", member_row, member),
};
const atable T_MISSING_MEMBERS = TABLE("missing_members", missing_cols,
                                       ", PRIMARY KEY(group_idx, seq)) WITHOUT ROWID",
                                       "group_idx, seq");

static const acol overlap_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), I("relay_id", AC_SIZE, overlap, relay),
    I("group1", AC_SIZE, overlap, g1), I("group2", AC_SIZE, overlap, g2),
    TIME("from_t", overlap, from, INT64_MIN), TIME("to_t", overlap, to, INT64_MAX),
};
const atable T_OVERLAPS = TABLE("overlaps", overlap_cols, KEY_ROWID, "seq");

static const acol group_stat_cols[] = {
    PARENT("group_idx"), I("c", AC_SIZE, group_point, c), I("t", AC_I64, group_point, t),
    ISO("time", group_point, t), I("n", AC_SIZE, group_point, n),
    R("mean_gib", group_point, mean), R("median_gib", group_point, median),
    R("p10_gib", group_point, p10), R("p90_gib", group_point, p90),
    R("min_gib", group_point, min), R("max_gib", group_point, max),
};
const atable T_GROUP_STATS = TABLE("group_stats", group_stat_cols,
                                   ", PRIMARY KEY(group_idx, c)) WITHOUT ROWID", "group_idx, c");

/* Filled from trend_name() by archive_schema_init. */
static const char *trend_names[TREND_NONE + 1];
#define RS(n, type, f) I(n, type, result_row, f)
#define RR(n, f) R(n, result_row, r.f)
static const acol result_cols[] = {
    COL("group_idx", "INTEGER PRIMARY KEY", AC_SIZE, result_row, group_idx),
    TX("group_id", result_row, group_id), TX("name", result_row, name),
    RS("has_final", AC_BOOL, r.has_final), RS("final_c", AC_SIZE, r.final_c),
    TIME("final_t", result_row, r.final_t, 0), ISO("final_time", result_row, r.final_t),
    RS("final_n", AC_SIZE, r.final_n), RR("final_mean_gib", final_mean),
    RR("final_median_gib", final_median), RR("ratio", ratio), RR("ratio_lo", ratio_lo),
    RR("ratio_hi", ratio_hi), RR("p_value", p_value), RR("p_holm", p_holm),
    RR("slope_ols_gib_day", slope_ols), RR("slope_theil_sen_gib_day", slope_theil_sen),
    RR("r2", r2), RR("first_mean_gib", first_mean), RR("last_mean_gib", last_mean),
    RR("change_pct", change_pct), RR("cv", cv), RR("steady_gib_day", steady),
    RR("steady_lo", steady_lo), RR("steady_hi", steady_hi), RS("steady_n", AC_SIZE, r.steady_n),
    RR("forecast_days", forecast_days),
    {"trend", "TEXT", AC_ENUM, offsetof(result_row, r.trend), 0, trend_names,
     ARRAY_LEN(trend_names), 0, 0, NULL},
};
const atable T_RESULTS = TABLE("results", result_cols, KEY_ROWID, NULL);

static const acol final_value_cols[] = {
    I("group_idx", AC_SIZE, value_row, group_idx), I("seq", AC_SIZE, value_row, k),
    I("relay_id", AC_SIZE, value_row, relay_id), R("rss_gib", value_row, value),
};
const atable T_FINAL_VALUES = TABLE("final_values", final_value_cols,
                                    ", PRIMARY KEY(group_idx, seq)) WITHOUT ROWID", NULL);

static const acol day_cols[] = {
    COL("k", "INTEGER PRIMARY KEY", AC_SIZE, value_row, k), I("day", AC_INT, value_row, day),
};
const atable T_DAYS = TABLE("days", day_cols, KEY_ROWID, "k");

static const acol day_value_cols[] = {
    I("group_idx", AC_SIZE, value_row, group_idx), I("k", AC_SIZE, value_row, k),
    R("mean_gib", value_row, value),
};
const atable T_DAY_VALUES = TABLE("day_values", day_value_cols,
                                  ", PRIMARY KEY(group_idx, k)) WITHOUT ROWID", NULL);

static const acol restart_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), I("relay_id", AC_SIZE, restart, relay),
    I("c", AC_SIZE, restart, c), I("t", AC_I64, restart, t), ISO("time", restart, t),
    I("from_event", AC_BOOL, restart, from_event),
};
const atable T_RESTARTS = TABLE("restarts", restart_cols, KEY_ROWID, "seq");

static const char *const finding_names[] = {
    [FINDING_MISSING_MEMBER] = "missing_member",
    [FINDING_UNGROUPED] = "ungrouped",
    [FINDING_OVERLAP] = "overlap",
    [FINDING_DUPLICATE] = "duplicate",
    [FINDING_OUT_OF_ORDER] = "out_of_order",
    [FINDING_RESTART] = "restart",
    [FINDING_AGGREGATE_MISMATCH] = "aggregate_mismatch",
    [FINDING_PARTIAL_LINE] = "partial_line",
    [FINDING_EMPTY_GROUP] = "empty_group",
    [FINDING_STOPPED] = "stopped",
    [FINDING_CROSS_LISTED] = "cross_listed",
    [FINDING_SHARED_NICKNAME] = "shared_nickname",
};
static const acol finding_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), ENUM("kind", finding, kind, finding_names),
    I("error", AC_BOOL, finding, error), TX("message", finding, message),
    COL("file", "TEXT", AC_FILE, finding, file), I("line", AC_LONG, finding, line),
};
const atable T_FINDINGS = TABLE("findings", finding_cols, KEY_ROWID, "seq");

static const char *const severity_names[] = {[DIAG_WARNING] = "warning", [DIAG_ERROR] = "error"};
static const acol diagnostic_cols[] = {
    SEQ("seq", "INTEGER PRIMARY KEY"), ENUM("severity", diag_item, severity, severity_names),
    COL("file", "TEXT", AC_FILE, diag_item, file), I("line", AC_LONG, diag_item, line),
    I("col", AC_LONG, diag_item, col), TX("message", diag_item, message),
};
const atable T_DIAGNOSTICS = TABLE("diagnostics", diagnostic_cols, KEY_ROWID, "seq");

static const atable *const tables[] = {
    &T_META, &T_EXPERIMENT, &T_INPUT_FILES, &T_RELAYS, &T_COLLECTIONS, &T_CSV_GROUPS,
    &T_SAMPLE_COLUMNS, &T_AGGREGATES, &T_EVENTS, &T_HOSTS, &T_RELAY_CONFIG, &T_GROUP_FILES,
    &T_GROUP_FILE_MEMBERS, &T_MANIFEST_GROUPS, &T_MANIFEST_GROUP_LISTS, &T_GROUPS, &T_MEMBERSHIP,
    &T_MEMBER_WINDOWS, &T_MISSING_MEMBERS, &T_OVERLAPS, &T_GROUP_STATS, &T_RESULTS,
    &T_FINAL_VALUES, &T_DAYS, &T_DAY_VALUES, &T_RESTARTS, &T_FINDINGS, &T_DIAGNOSTICS,
};

/* One row per sample for the sqlite3 shell, decoded by the memreport_unpack
 * function of the memreport_samples extension (docs/archive.md). CROSS
 * JOIN keeps each segment's columns outside, so the extension decodes
 * every column once; a segment's collections are a range of `c`. */
#define SEG_TEXT STR(ARCHIVE_SEGMENT)
#define STR(x) STR_(x)
#define STR_(x) #x
static const char views_sql[] =
    "CREATE VIEW samples(relay_id, c, rss_kb, vmsize_kb, hwm_kb, frag_ratio, csv_group) AS\n"
    "  SELECT relay_id, c, rss, vms, hwm, frag, grp FROM (\n"
    "    SELECT p.relay_id AS relay_id, k.c AS c,\n"
    "      memreport_unpack(p.rss_kb, k.c - p.seg * " SEG_TEXT ") AS rss,\n"
    "      memreport_unpack(p.vmsize_kb, k.c - p.seg * " SEG_TEXT ") AS vms,\n"
    "      memreport_unpack(p.hwm_kb, k.c - p.seg * " SEG_TEXT ") AS hwm,\n"
    "      memreport_unpack(p.frag_ratio, k.c - p.seg * " SEG_TEXT ") AS frag,\n"
    "      memreport_unpack(p.csv_group, k.c - p.seg * " SEG_TEXT ") AS grp\n"
    "    FROM sample_columns p CROSS JOIN collections k\n"
    "    WHERE k.c >= p.seg * " SEG_TEXT " AND k.c < (p.seg + 1) * " SEG_TEXT ")\n"
    "  WHERE rss IS NOT NULL OR vms IS NOT NULL OR hwm IS NOT NULL OR frag IS NOT NULL;\n";

/* Every version read, oldest first; the last is the one written. What
 * each changed: 2 packed the samples per relay and field, deflated by
 * zlib; 3 added member_windows; 4 packed them by Zstandard; 5 added
 * input_files.lines; 6 split each relay's row into segments
 * (sample_columns.seg). Schema 1, one row per sample, is not read: its
 * samples were plain rows of another table. */
static const archive_version versions[] = {
    {2, SAMPLECOL_ZLIB, 0},
    {3, SAMPLECOL_ZLIB, 0},
    {4, SAMPLECOL_ZSTD, 0},
    {5, SAMPLECOL_ZSTD, 0},
    {ARCHIVE_SCHEMA_VERSION, SAMPLECOL_ZSTD, ARCHIVE_SEGMENT},
};
_Static_assert(ARCHIVE_SCHEMA_VERSION == 6, "a new schema needs its entry in versions[]");

const archive_version *archive_version_find(int64_t v)
{
    for (size_t i = 0; i < ARRAY_LEN(versions); i++)
        if (versions[i].version == v)
            return &versions[i];
    return NULL;
}

int archive_oldest_version(void)
{
    return versions[0].version;
}

void archive_schema_init(void)
{
    for (int t = TREND_FLAT; t <= TREND_NONE; t++)
        trend_names[t] = trend_name((trend_class)t);
}

char *archive_schema_sql(void)
{
    archive_schema_init();
    strbuf b;
    buf_init(&b);
    for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
        const atable *t = tables[i];
        buf_printf(&b, "CREATE TABLE %s(", t->name);
        for (size_t c = 0; c < t->ncols; c++)
            buf_printf(&b, "%s%s %s", c ? ", " : "", t->cols[c].name, t->cols[c].decl);
        buf_printf(&b, "%s;\n", t->tail);
    }
    buf_puts(&b, views_sql);
    return buf_detach(&b);
}

char *archive_clear_sql(const atable *keep1, const atable *keep2)
{
    strbuf b;
    buf_init(&b);
    for (size_t i = 0; i < ARRAY_LEN(tables); i++)
        if (tables[i] != keep1 && tables[i] != keep2)
            buf_printf(&b, "DELETE FROM %s;\n", tables[i]->name);
    return buf_detach(&b);
}

char *archive_insert_sql(const atable *t)
{
    strbuf b;
    buf_init(&b);
    buf_printf(&b, "INSERT INTO %s VALUES(", t->name);
    for (size_t c = 0; c < t->ncols; c++)
        buf_puts(&b, c ? ",?" : "?");
    buf_puts(&b, ")");
    return buf_detach(&b);
}

static bool readable(const acol *c)
{
    return c->type != AC_SEQ && c->type != AC_ISO;
}

bool archive_table_in(const atable *t, int version)
{
    return version >= t->since;
}

char *archive_select_sql(const atable *t, const char *where, int version)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "SELECT ");
    bool first = true;
    for (size_t c = 0; c < t->ncols; c++)
        if (readable(&t->cols[c])) {
            const acol *col = &t->cols[c];
            buf_puts(&b, first ? "" : ", ");
            if (version >= col->since)
                buf_puts(&b, col->name);
            else /* named, so that ORDER BY may still use it */
                buf_printf(&b, "%s AS %s", col->absent ? col->absent : "NULL", col->name);
            first = false;
        }
    buf_printf(&b, " FROM %s", t->name);
    if (where)
        buf_printf(&b, " WHERE %s", where);
    if (t->order)
        buf_printf(&b, " ORDER BY %s", t->order);
    return buf_detach(&b);
}

int archive_name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && s && str_eq(names[i], s))
            return (int)i;
    return -1;
}
