/* Table-driven tests of timestamp parsing and formatting. */
#include "harness.h"
#include "timestamp.h"

static const struct {
    const char *in;
    int tz;
    ts_status st;
    long long t;
    int date_only, had_offset;
} cases[] = {
    {"1970-01-01", 0, TS_OK, 0, 1, 0},
    {"2026-01-08T20:47:02", 0, TS_OK, 1767905222, 0, 0},
    {"2026-01-08 20:47:02", 0, TS_OK, 1767905222, 0, 0},
    {"2026-01-08T20:47", 0, TS_OK, 1767905220, 0, 0},
    {"2026-01-08T20:47:02.999", 0, TS_OK, 1767905222, 0, 0},
    {"2026-01-08T20:47:02Z", -480, TS_OK, 1767905222, 0, 1},
    {"2026-01-08T20:47:02", -480, TS_OK, 1767905222 + 8 * 3600, 0, 0},
    {"2026-01-08T20:47:02-08:00", 0, TS_OK, 1767905222 + 8 * 3600, 0, 1},
    {"2026-01-08T20:47:02+0530", 0, TS_OK, 1767905222 - 330 * 60, 0, 1},
    {"2024-02-29T00:00:00", 0, TS_OK, 1709164800, 0, 0},
    {"2025-02-29", 0, TS_RANGE, 0, 0, 0},
    {"2026-13-01", 0, TS_RANGE, 0, 0, 0},
    {"2026-01-08T24:00:00", 0, TS_RANGE, 0, 0, 0},
    {"2026-01-08T20:61", 0, TS_RANGE, 0, 0, 0},
    {"2026-01-08T20:47:02+25:00", 0, TS_RANGE, 0, 0, 0},
    {"2026-1-08", 0, TS_SYNTAX, 0, 0, 0},
    {"yesterday", 0, TS_SYNTAX, 0, 0, 0},
    {"", 0, TS_SYNTAX, 0, 0, 0},
    {"2026-01-08T", 0, TS_SYNTAX, 0, 0, 0},
    {"2026-01-08Z", 0, TS_SYNTAX, 0, 0, 0},
    {"2026-01-08T20:47:02 ", 0, TS_SYNTAX, 0, 0, 0},
    {"2026-01-08T20:47:02.", 0, TS_SYNTAX, 0, 0, 0},
    {"2026-01-08T20:47:02+8", 0, TS_SYNTAX, 0, 0, 0},
};

int main(void)
{
    char name[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_value v = {0};
        ts_status st = timestamp_parse(cases[i].in, strlen(cases[i].in), cases[i].tz, &v);
        snprintf(name, sizeof name, "parse '%s' status", cases[i].in);
        INT_EQ(st, cases[i].st, name);
        if (cases[i].st == TS_OK) {
            snprintf(name, sizeof name, "parse '%s' value", cases[i].in);
            INT_EQ(v.t, cases[i].t, name);
            snprintf(name, sizeof name, "parse '%s' flags", cases[i].in);
            OK(v.date_only == cases[i].date_only && v.had_offset == cases[i].had_offset, name);
        }
    }
    char buf[40];
    timestamp_format_iso(1767905222 + 8 * 3600, -480, buf, sizeof buf);
    STR_EQ(buf, "2026-01-08T20:47:02-08:00", "format iso with offset");
    timestamp_format_iso(0, 0, buf, sizeof buf);
    STR_EQ(buf, "1970-01-01T00:00:00Z", "format iso UTC");
    timestamp_format_date(1767905222 + 8 * 3600 + 4 * 3600, -480, buf, sizeof buf);
    STR_EQ(buf, "2026-01-09", "format date crosses midnight in offset");
    timestamp_format_human(-1, 0, buf, sizeof buf);
    STR_EQ(buf, "1969-12-31 23:59", "format before epoch");
    INT_EQ(timestamp_local_day(-1, 0), -1, "local day before epoch");
    int off = 0;
    OK(timestamp_parse_offset("-08:00", &off) && off == -480, "offset -08:00");
    OK(timestamp_parse_offset("+0530", &off) && off == 330, "offset +0530");
    OK(!timestamp_parse_offset("PST", &off), "offset PST rejected");
    int64_t bad = 0;
    for (int64_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        unsigned m, dd;
        civil_from_days(d, &y, &m, &dd);
        if (days_from_civil(y, m, dd) != d)
            bad++;
    }
    INT_EQ(bad, 0, "civil round trip over 4000 years");
    return harness_done();
}
