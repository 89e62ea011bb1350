/* timestamp.c - parsing and formatting the ISO 8601 forms the inputs use.
 * Civil-date arithmetic is done by hand (no timegm, no TZ environment) so
 * results never depend on the machine's timezone. */
#include "timestamp.h"

#include <stdio.h>
#include <string.h>

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n digits at *p. */
static bool digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || (**p < '0' || **p > '9'))
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return true;
}

/* Parses Z, ±HH:MM or ±HHMM filling the rest of [p, end). */
static ts_status parse_offset(const char *p, const char *end, int *minutes)
{
    if (end - p == 1 && (*p == 'Z' || *p == 'z')) {
        *minutes = 0;
        return TS_OK;
    }
    if (p >= end || (*p != '+' && *p != '-'))
        return TS_SYNTAX;
    int sign = *p == '-' ? -1 : 1, hh, mm;
    p++;
    if (!digits(&p, end, 2, &hh))
        return TS_SYNTAX;
    if (p < end && *p == ':')
        p++;
    if (!digits(&p, end, 2, &mm) || p != end)
        return TS_SYNTAX;
    if (hh > 23 || mm > 59)
        return TS_RANGE;
    *minutes = sign * (hh * 60 + mm);
    return TS_OK;
}

bool timestamp_parse_offset(const char *s, int *minutes)
{
    return parse_offset(s, s + strlen(s), minutes) == TS_OK;
}

ts_status timestamp_parse(const char *s, size_t len, int tz_offset_min, ts_value *out)
{
    const char *p = s, *end = s + len;
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (!digits(&p, end, 4, &y) || p >= end || *p++ != '-' || !digits(&p, end, 2, &mo) ||
        p >= end || *p++ != '-' || !digits(&p, end, 2, &d))
        return TS_SYNTAX;
    bool date_only = p == end;
    if (!date_only) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return TS_SYNTAX;
        p++;
        if (!digits(&p, end, 2, &hh) || p >= end || *p++ != ':' || !digits(&p, end, 2, &mi))
            return TS_SYNTAX;
        if (p < end && *p == ':') {
            p++;
            if (!digits(&p, end, 2, &ss))
                return TS_SYNTAX;
            if (p < end && (*p == '.' || *p == ',')) {
                p++;
                const char *f = p;
                while (p < end && *p >= '0' && *p <= '9')
                    p++;
                if (p == f)
                    return TS_SYNTAX;
            }
        }
    }
    int offset = tz_offset_min;
    bool had_offset = false;
    if (p < end) {
        if (date_only)
            return TS_SYNTAX;
        ts_status st = parse_offset(p, end, &offset);
        if (st != TS_OK)
            return st;
        had_offset = true;
    }
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo) || hh > 23 ||
        mi > 59 || ss > 60)
        return TS_RANGE;
    if (ss == 60) /* a leap second reads as the next second's start */
        ss = 59;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    out->t = days * 86400 + hh * 3600 + mi * 60 + ss - (int64_t)offset * 60;
    out->date_only = date_only;
    out->had_offset = had_offset;
    return TS_OK;
}

const char *timestamp_strerror(ts_status st)
{
    switch (st) {
    case TS_OK:
        return "ok";
    case TS_SYNTAX:
        return "not a timestamp (expected YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM])";
    case TS_RANGE:
        return "impossible date or time";
    }
    return "bad timestamp";
}

int64_t timestamp_local_day(int64_t t, int tz_offset_min)
{
    int64_t local = t + (int64_t)tz_offset_min * 60;
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

static void split(int64_t t, int tz, int64_t *y, unsigned *mo, unsigned *d, int *hh, int *mi,
                  int *ss)
{
    int64_t day = timestamp_local_day(t, tz);
    int64_t sec = t + (int64_t)tz * 60 - day * 86400;
    civil_from_days(day, y, mo, d);
    *hh = (int)(sec / 3600);
    *mi = (int)(sec / 60 % 60);
    *ss = (int)(sec % 60);
}

void timestamp_format_iso(int64_t t, int tz, char *buf, size_t n)
{
    int64_t y;
    unsigned mo, d;
    int hh, mi, ss;
    split(t, tz, &y, &mo, &d, &hh, &mi, &ss);
    int a = tz < 0 ? -tz : tz;
    if (tz == 0)
        snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, mo, d, hh, mi, ss);
    else
        snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", (long long)y, mo, d, hh,
                 mi, ss, tz < 0 ? '-' : '+', a / 60, a % 60);
}

void timestamp_format_date(int64_t t, int tz, char *buf, size_t n)
{
    int64_t y;
    unsigned mo, d;
    int hh, mi, ss;
    split(t, tz, &y, &mo, &d, &hh, &mi, &ss);
    snprintf(buf, n, "%04lld-%02u-%02u", (long long)y, mo, d);
}

void timestamp_format_human(int64_t t, int tz, char *buf, size_t n)
{
    int64_t y;
    unsigned mo, d;
    int hh, mi, ss;
    split(t, tz, &y, &mo, &d, &hh, &mi, &ss);
    snprintf(buf, n, "%04lld-%02u-%02u %02d:%02d", (long long)y, mo, d, hh, mi);
}
