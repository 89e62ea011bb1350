/* timestamp.h - ISO 8601 timestamps as the inputs write them.
 *
 * Accepted: YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.frac]], each optionally
 * followed by Z, +HH:MM, -HH:MM, +HHMM or -HHMM. A naive timestamp is in
 * the experiment's timezone (offset in minutes east of UTC). */
#ifndef MEMREPORT_TIMESTAMP_H
#define MEMREPORT_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    TS_OK = 0,
    TS_SYNTAX,      /* not a timestamp of an accepted form */
    TS_RANGE,       /* well-formed but impossible: month 13, Feb 30, 25:00 */
} ts_status;

typedef struct {
    int64_t t;          /* UTC epoch seconds (fraction dropped) */
    bool date_only;     /* YYYY-MM-DD without a time */
    bool had_offset;    /* Z or an explicit offset was given */
} ts_value;

/* Parses s[0..len). */
ts_status timestamp_parse(const char *s, size_t len, int tz_offset_min, ts_value *out);
/* Human description of a status for messages. */
const char *timestamp_strerror(ts_status st);
/* Parses "+HH:MM", "-HHMM", "Z" into minutes east of UTC. */
bool timestamp_parse_offset(const char *s, int *minutes);

/* Formats t in the given offset. Buffers of at least 32 bytes.
 * iso:  2026-01-08T20:47:02-08:00     date: 2026-01-08
 * human: 2026-01-08 20:47             */
void timestamp_format_iso(int64_t t, int tz_offset_min, char *buf, size_t n);
void timestamp_format_date(int64_t t, int tz_offset_min, char *buf, size_t n);
void timestamp_format_human(int64_t t, int tz_offset_min, char *buf, size_t n);

/* Days since 1970-01-01 for a civil date, and back (proleptic Gregorian). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* The local calendar day number (days since epoch) of t in the offset. */
int64_t timestamp_local_day(int64_t t, int tz_offset_min);

#endif
