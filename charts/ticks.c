/* ticks.c - calendar ticks for time axes, in the experiment's timezone.
 *
 * All arithmetic is on local civil time (UTC + offset) with the project's
 * own civil-date helpers, so ticks never depend on the machine's TZ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scale.h"
#include "timestamp.h"
#include "util.h"

static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static const time_step ladder[] = {
    {TU_MINUTE, 1}, {TU_MINUTE, 5}, {TU_MINUTE, 10}, {TU_MINUTE, 15}, {TU_MINUTE, 30},
    {TU_HOUR, 1},   {TU_HOUR, 2},   {TU_HOUR, 3},    {TU_HOUR, 6},    {TU_HOUR, 12},
    {TU_DAY, 1},    {TU_DAY, 2},    {TU_WEEK, 1},    {TU_WEEK, 2},    {TU_MONTH, 1},
    {TU_MONTH, 2},  {TU_MONTH, 3},  {TU_MONTH, 6},   {TU_YEAR, 1},    {TU_YEAR, 2},
    {TU_YEAR, 5},   {TU_YEAR, 10},  {TU_YEAR, 25},   {TU_YEAR, 50},   {TU_YEAR, 100},
};

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Rough length of one step in seconds, to bound the tick count. */
static int64_t approx_secs(time_step s)
{
    switch (s.unit) {
    case TU_MINUTE: return 60LL * s.n;
    case TU_HOUR: return 3600LL * s.n;
    case TU_DAY: return 86400LL * s.n;
    case TU_WEEK: return 7 * 86400LL * s.n;
    case TU_MONTH: return 28 * 86400LL * s.n;
    case TU_YEAR: return 365 * 86400LL * s.n;
    }
    return 86400;
}

static void label_tick(tick *t, int64_t local, time_step s, const int64_t *prev_local)
{
    int64_t day = floordiv(local, 86400);
    int64_t secs = local - day * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    int64_t py = 0;
    unsigned pm = 0, pd = 0;
    int64_t pday = 0;
    if (prev_local) {
        pday = floordiv(*prev_local, 86400);
        civil_from_days(pday, &py, &pm, &pd);
    }
    t->sub[0] = 0;
    switch (s.unit) {
    case TU_MINUTE:
    case TU_HOUR:
        snprintf(t->label, sizeof t->label, "%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60));
        if (!prev_local || pday != day)
            snprintf(t->sub, sizeof t->sub, "%s %u", month_abbr[m - 1], d);
        break;
    case TU_DAY:
    case TU_WEEK:
        snprintf(t->label, sizeof t->label, "%s %u", month_abbr[m - 1], d);
        if (!prev_local || py != y)
            snprintf(t->sub, sizeof t->sub, "%lld", (long long)y);
        break;
    case TU_MONTH:
        snprintf(t->label, sizeof t->label, "%s", month_abbr[m - 1]);
        if (!prev_local || py != y)
            snprintf(t->sub, sizeof t->sub, "%lld", (long long)y);
        break;
    case TU_YEAR:
        snprintf(t->label, sizeof t->label, "%lld", (long long)y);
        break;
    }
}

/* The first tick at or after local time l0, as local seconds. */
static int64_t first_tick(int64_t l0, time_step s)
{
    int64_t day = floordiv(l0, 86400);
    int64_t y;
    unsigned m, d;
    switch (s.unit) {
    case TU_MINUTE:
    case TU_HOUR: {
        int64_t q = (s.unit == TU_MINUTE ? 60 : 3600) * (int64_t)s.n;
        /* aligned from local midnight; every ladder step divides a day */
        return day * 86400 + floordiv(l0 - day * 86400 + q - 1, q) * q;
    }
    case TU_DAY: {
        int64_t kd = floordiv(l0 + 86399, 86400); /* first midnight >= l0 */
        return floordiv(kd + s.n - 1, s.n) * s.n * 86400;
    }
    case TU_WEEK: {
        /* 1970-01-05 was a Monday: day 4. */
        int64_t kd = floordiv(l0 + 86399, 86400);
        int64_t w = floordiv(kd - 4 + 7 * s.n - 1, 7 * s.n);
        return (4 + w * 7 * s.n) * 86400;
    }
    case TU_MONTH: {
        civil_from_days(day, &y, &m, &d);
        int64_t mi = y * 12 + (m - 1);
        if (d > 1 || l0 > day * 86400)
            mi++;
        mi = floordiv(mi + s.n - 1, s.n) * s.n;
        return days_from_civil(floordiv(mi, 12), (unsigned)(mi - floordiv(mi, 12) * 12) + 1, 1) *
               86400;
    }
    case TU_YEAR: {
        civil_from_days(day, &y, &m, &d);
        int64_t yy = y + ((m > 1 || d > 1 || l0 > day * 86400) ? 1 : 0);
        yy = floordiv(yy + s.n - 1, s.n) * s.n;
        return days_from_civil(yy, 1, 1) * 86400;
    }
    }
    return l0;
}

static int64_t next_tick(int64_t l, time_step s)
{
    int64_t day = floordiv(l, 86400), y;
    unsigned m, d;
    switch (s.unit) {
    case TU_MINUTE: return l + 60LL * s.n;
    case TU_HOUR: return l + 3600LL * s.n;
    case TU_DAY: return l + 86400LL * s.n;
    case TU_WEEK: return l + 7 * 86400LL * s.n;
    case TU_MONTH: {
        civil_from_days(day, &y, &m, &d);
        int64_t mi = y * 12 + (m - 1) + s.n;
        return days_from_civil(floordiv(mi, 12), (unsigned)(mi - floordiv(mi, 12) * 12) + 1, 1) *
               86400;
    }
    case TU_YEAR:
        civil_from_days(day, &y, &m, &d);
        return days_from_civil(y + s.n, 1, 1) * 86400;
    }
    return l + 86400;
}

size_t ticks_time(int64_t t0, int64_t t1, int tz, time_step step, tick **out)
{
    *out = NULL;
    if (t1 < t0 || step.n < 1)
        return 0;
    if ((t1 - t0) / approx_secs(step) > 2000)
        return 0;
    int64_t off = (int64_t)tz * 60;
    size_t n = 0, cap = 0;
    int64_t prev = 0;
    for (int64_t l = first_tick(t0 + off, step); l <= t1 + off; l = next_tick(l, step)) {
        xgrow((void **)out, &cap, n + 1, sizeof **out);
        tick *t = &(*out)[n];
        memset(t, 0, sizeof *t);
        t->v = (double)(l - off);
        label_tick(t, l, step, n ? &prev : NULL);
        prev = l;
        n++;
    }
    return n;
}

static bool fits(const tick *t, size_t n, int64_t t0, int64_t t1, double width, double gap,
                 tick_measure_fn measure, void *ctx)
{
    if (n < 2)
        return true;
    double ppx = width / (double)(t1 - t0 > 0 ? t1 - t0 : 1);
    double prev_right = -1e300;
    for (size_t i = 0; i < n; i++) {
        double w = measure(ctx, t[i].label), ws = t[i].sub[0] ? measure(ctx, t[i].sub) : 0;
        if (ws > w)
            w = ws;
        double x = (t[i].v - (double)t0) * ppx;
        if (x - w / 2 < prev_right + gap)
            return false;
        prev_right = x + w / 2;
    }
    return true;
}

size_t ticks_time_auto(int64_t t0, int64_t t1, int tz, double width_px, double gap_px,
                       tick_measure_fn measure, void *ctx, time_step *chosen, tick **out)
{
    *out = NULL;
    size_t nl = ARRAY_LEN(ladder);
    for (size_t i = 0; i < nl; i++) {
        /* Skip steps that would make hundreds of ticks before measuring. */
        if ((double)(t1 - t0) / (double)approx_secs(ladder[i]) > width_px / 20 + 1)
            continue;
        tick *t;
        size_t n = ticks_time(t0, t1, tz, ladder[i], &t);
        if (i + 1 == nl || (n >= 1 && fits(t, n, t0, t1, width_px, gap_px, measure, ctx)) ||
            (n == 0 && i + 1 == nl)) {
            if (chosen)
                *chosen = ladder[i];
            *out = t;
            return n;
        }
        /* A span too short for any tick at this step: try finer steps
         * only; here steps only grow, so keep going. */
        free(t);
    }
    return 0;
}
