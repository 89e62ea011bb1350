/* timeseries.c - memory_timeseries: each group's mean RSS per collection
 * inside the group's window, its 10th-90th percentile band, markers with
 * tooltips on collections, events as numbered vertical lines with a
 * numbered key below, the baseline drawn heavier, y from 0 in GiB and an
 * optional per-relay budget line. Long series are thinned to the pixel
 * grid (min/max per column for lines, an envelope for bands, LTTB for
 * which points get markers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_impl.h"
#include "plot.h"
#include "thin.h"
#include "util.h"

#define KEY_ROW 16.0
/* More numbered events than this would bury the chart under its key; the
 * rest are drawn as plain lines and counted in a last key line. */
#define MAX_NUMBERED 16

typedef struct {
    size_t ev;      /* index into e.events */
    double x;
    int row;        /* badge row at the top of the plot */
} shown_event;

/* Radius of a numbered badge: wide enough for two- and three-digit numbers. */
static double badge_r(canvas *c, const char *num)
{
    return fmax(8, canvas_text_width(c, num, FS_BADGE, true) / 2 + 2.5);
}

static bool event_in(const chart_spec *s, size_t i, int64_t t0, int64_t t1)
{
    int64_t t = s->events[i].t;
    return t >= t0 && t <= t1;
}

/* The band: p90 left to right then p10 back, one envelope point per pixel
 * column when the series is denser than the pixels. */
static void draw_band(canvas *c, const chart_group *gr, const scale_linear *xs,
                      const scale_linear *ys, cv_paint paint)
{
    size_t n = gr->nseries, cap = 0, k = 0;
    double *hi = NULL, *lo = NULL, *xx = NULL;
    size_t caphi = 0, caplo = 0;
    for (size_t i = 0; i < n;) {
        double x = scale_map(xs, (double)gr->series[i].t);
        double col = floor(x), sx = 0, mx = -1e300, mn = 1e300;
        size_t cnt = 0;
        for (; i < n; i++) {
            double xi = scale_map(xs, (double)gr->series[i].t);
            if (floor(xi) != col)
                break;
            sx += xi, cnt++;
            mx = fmax(mx, gr->series[i].p90);
            mn = fmin(mn, gr->series[i].p10);
        }
        xgrow((void **)&xx, &cap, k + 1, sizeof *xx);
        xgrow((void **)&hi, &caphi, k + 1, sizeof *hi);
        xgrow((void **)&lo, &caplo, k + 1, sizeof *lo);
        xx[k] = sx / (double)cnt;
        hi[k] = scale_map(ys, mx);
        lo[k] = scale_map(ys, mn);
        k++;
    }
    if (k >= 2) {
        double *poly = xmalloc(4 * k * sizeof *poly);
        for (size_t i = 0; i < k; i++) {
            poly[2 * i] = xx[i], poly[2 * i + 1] = hi[i];
            poly[2 * (2 * k - 1 - i)] = xx[i], poly[2 * (2 * k - 1 - i) + 1] = lo[i];
        }
        cv_style bs = {.fill = paint, .cls = "band"};
        cv_polygon(c, poly, 2 * k, &bs);
        free(poly);
    }
    free(xx);
    free(hi);
    free(lo);
}

static void draw_mean(canvas *c, const chart_group *gr, const scale_linear *xs,
                      const scale_linear *ys, const cv_style *st)
{
    size_t n = gr->nseries;
    double *x = xmalloc(n * sizeof *x), *y = xmalloc(n * sizeof *y);
    size_t *keep = xmalloc(n * sizeof *keep);
    for (size_t i = 0; i < n; i++) {
        x[i] = scale_map(xs, (double)gr->series[i].t);
        y[i] = scale_map(ys, gr->series[i].mean);
    }
    size_t k = thin_minmax(x, y, n, keep);
    double *xy = xmalloc(2 * k * sizeof *xy);
    for (size_t i = 0; i < k; i++)
        xy[2 * i] = x[keep[i]], xy[2 * i + 1] = y[keep[i]];
    cv_polyline(c, xy, k, st);
    free(xy);
    free(keep);
    free(x);
    free(y);
}

static void draw_markers(canvas *c, const chart_spec *s, const chart_group *gr,
                         const scale_linear *xs, const scale_linear *ys, double plot_w)
{
    const char *label = gr->label, *color = gr->color;
    int shape = gr->shape;
    size_t n = gr->nseries;
    size_t target = (size_t)(plot_w / 9);
    size_t *keep = xmalloc((n ? n : 1) * sizeof *keep);
    size_t k;
    if (n <= target) {
        for (size_t i = 0; i < n; i++)
            keep[i] = i;
        k = n;
    } else {
        double *x = xmalloc(n * sizeof *x), *y = xmalloc(n * sizeof *y);
        for (size_t i = 0; i < n; i++)
            x[i] = (double)gr->series[i].t, y[i] = gr->series[i].mean;
        k = thin_lttb(x, y, n, target, keep);
        free(x);
        free(y);
    }
    cv_style ms = {.fill = plot_group_paint(color, 0), .stroke = PAINT_BG, .width = 0.8};
    for (size_t i = 0; i < k; i++) {
        const chart_point *p = &gr->series[keep[i]];
        char when[40], mean[24], med[24], lo[24], hi[24];
        chart_fmt_time(s, p->t, when, sizeof when);
        chart_fmt_gib(p->mean, mean, sizeof mean);
        chart_fmt_gib(p->median, med, sizeof med);
        chart_fmt_gib(p->p10, lo, sizeof lo);
        chart_fmt_gib(p->p90, hi, sizeof hi);
        char *tip = xasprintf("%s, %s: mean %s GiB, median %s, p10-p90 %s-%s, n=%zu", label,
                              when, mean, med, lo, hi, p->n);
        cv_group_begin(c, "pt", tip, NULL);
        plot_marker(c, shape, scale_map(xs, (double)p->t), scale_map(ys, p->mean), 3.2, &ms);
        cv_group_end(c);
        free(tip);
    }
    free(keep);
}

/* Legend: colour, marker shape and the baseline in bold. Returns the y
 * below it. */
static double draw_legend(canvas *c, const chart_spec *s, double x, double y, double w)
{
    const size_t ng = s->ngroups;
    legend_entry *le = xcalloc(ng ? ng : 1, sizeof *le);
    char **leg = xcalloc(ng ? ng : 1, sizeof *leg);
    for (size_t g = 0; g < ng; g++) {
        const chart_group *gr = &s->groups[g];
        bool base = gr->baseline;
        leg[g] = base ? xasprintf("%s \xC2\xB7 baseline", gr->label) : xstrdup(gr->label);
        le[g] = (legend_entry){leg[g], gr->color, gr->shape, true, plot_dash(gr->dash), base ? 3 : 1.8, base,
                               false, NULL};
    }
    y += plot_legend(c, le, ng, x, y, w, true);
    for (size_t g = 0; g < ng; g++)
        free(leg[g]);
    free(leg);
    free(le);
    return y;
}

/* The events within a tenth of [*t0, *t1]'s span, into ev; widens the
 * domain to hold them. Returns how many. */
static size_t shown_events(const chart_spec *s, int64_t *t0, int64_t *t1, shown_event *ev)
{
    size_t nev = 0;
    int64_t slack = (*t1 - *t0) / 10, lo = *t0 - slack, hi = *t1 + slack;
    for (size_t i = 0; i < s->nevents; i++)
        if (event_in(s, i, lo, hi)) {
            ev[nev++].ev = i;
            *t0 = s->events[i].t < *t0 ? s->events[i].t : *t0;
            *t1 = s->events[i].t > *t1 ? s->events[i].t : *t1;
        }
    return nev;
}

/* The per-relay budget as a dashed line across the plot, labelled. */
static void draw_budget(canvas *c, double budget, const plot_rect *pr, const scale_linear *ys)
{
    cv_style bs = {.stroke = PAINT_FG, .width = 1.2, .dash = CV_DASHED, .cls = "budget"};
    double by = scale_map(ys, budget);
    cv_line(c, pr->x, by, pr->x + pr->w, by, &bs);
    char bl[64], v[24];
    chart_fmt_gib(budget, v, sizeof v);
    snprintf(bl, sizeof bl, "budget %s GiB", v);
    cv_font bf = {.size = FS_SMALL, .anchor = CV_END, .valign = CV_BOTTOM, .fill = PAINT_FG};
    cv_text(c, pr->x + pr->w - 2, by - 2, bl, &bf);
}

/* Every group's band, then lines and markers, the baseline last so it
 * stays on top, and the group IDs at the line ends. */
static void draw_groups(canvas *c, const chart_spec *s, const plot_rect *pr,
                        const scale_linear *xs, const scale_linear *ys)
{
    const size_t ng = s->ngroups;
    /* Bands first (all groups), then lines and markers, baseline last so
     * it stays on top. */
    size_t *order = xmalloc((ng ? ng : 1) * sizeof *order);
    size_t no = 0;
    for (size_t g = 0; g < ng; g++)
        if (!s->groups[g].baseline)
            order[no++] = g;
    for (size_t g = 0; g < ng; g++)
        if (s->groups[g].baseline)
            order[no++] = g;
    for (size_t j = 0; j < no; j++) {
        const chart_group *gr = &s->groups[order[j]];
        const char *col = gr->color;
        char *cls = xasprintf("series g-%s", gr->id);
        cv_group_begin(c, cls, NULL, col);
        draw_band(c, gr, xs, ys, plot_group_paint(col, 0.13));
        cv_group_end(c);
        free(cls);
    }
    double *endy = xcalloc(ng ? ng : 1, sizeof *endy);
    size_t *endg = xcalloc(ng ? ng : 1, sizeof *endg);
    size_t nend = 0;
    for (size_t j = 0; j < no; j++) {
        size_t g = order[j];
        const chart_group *gr = &s->groups[g];
        if (!gr->nseries)
            continue;
        const char *col = gr->color;
        bool base = gr->baseline;
        char *cls = xasprintf("series g-%s%s", gr->id, base ? " baseline" : "");
        cv_group_begin(c, cls, gr->label, col);
        cv_style ls = {.stroke = plot_group_paint(col, 0), .width = base ? 3 : 1.8,
                       .dash = plot_dash(gr->dash), .cls = "line"};
        draw_mean(c, gr, xs, ys, &ls);
        draw_markers(c, s, gr, xs, ys, pr->w);
        cv_group_end(c);
        free(cls);
        endy[nend] = scale_map(ys, gr->series[gr->nseries - 1].mean);
        endg[nend++] = g;
    }
    /* Direct labels (group IDs) at the line ends, spread apart. */
    plot_declutter(endy, nend, FS_LABEL + 1, pr->y, pr->y + pr->h);
    for (size_t i = 0; i < nend; i++) {
        size_t g = endg[i];
        const chart_group *gr = &s->groups[g];
        cv_group_begin(c, "end-label", NULL, gr->color);
        cv_font f = {.size = FS_LABEL, .bold = true, .valign = CV_CENTER,
                     .fill = plot_group_paint(gr->color, 0)};
        double ex = scale_map(xs, (double)gr->series[gr->nseries - 1].t) + 6;
        cv_text(c, ex, endy[i], gr->id, &f);
        cv_group_end(c);
    }
    free(order);
    free(endy);
    free(endg);
}

/* Numbered badges at the top of the plot; close ones go to new rows. */
static void draw_badges(canvas *c, const chart_spec *s, shown_event *ev, size_t nnum,
                        const plot_rect *pr)
{
    /* As many rows as fit in the plot's upper half; past them a badge
     * goes beside the row that ends furthest left (never on top of
     * another, which hid 8-10 of twelve events in nine minutes). */
    enum { MAX_ROWS = 16 };
    double lastx[MAX_ROWS];
    int rows = (int)(pr->h / 2 / 19);
    rows = rows < 1 ? 1 : rows > MAX_ROWS ? MAX_ROWS : rows;
    for (int r = 0; r < MAX_ROWS; r++)
        lastx[r] = -1e300;
    cv_style badge = {.fill = PAINT_BG, .stroke = PAINT_FG, .width = 1};
    cv_font bf = {.size = FS_BADGE, .bold = true, .anchor = CV_MIDDLE, .valign = CV_CENTER,
                  .fill = PAINT_FG};
    for (size_t i = 0; i < nnum; i++) {
        const chart_event *e = &s->events[ev[i].ev];
        char when[40], num[16];
        chart_fmt_time(s, e->t, when, sizeof when);
        snprintf(num, sizeof num, "%zu", e->number);
        /* Inside the plot, clear of the y labels and the line-end labels;
         * the dotted line keeps the event's true time. */
        double br = badge_r(c, num);
        double bx = fmin(fmax(ev[i].x, pr->x + br + 1), pr->x + pr->w - br - 1);
        int r = 0;
        while (r < rows && bx - lastx[r] < 2 * br + 2)
            r++;
        if (r == rows) {
            r = 0;
            for (int k = 1; k < rows; k++)
                if (lastx[k] < lastx[r])
                    r = k;
            bx = fmin(lastx[r] + 2 * br + 2, pr->x + pr->w - br - 1);
        }
        lastx[r] = bx;
        ev[i].row = r;
        char *tip = xasprintf("%s %s: %s", when, e->type ? e->type : "event",
                              e->description ? e->description : "");
        cv_group_begin(c, "event-badge", tip, NULL);
        double by = pr->y + 10 + r * 19;
        cv_circle(c, bx, by, br, &badge);
        cv_text(c, bx, by, num, &bf);
        cv_group_end(c);
        free(tip);
    }
}

/* The key of the numbered events at (x, ky) within w, column-major,
 * and a last line counting the events drawn unnumbered. */
static void draw_event_key(canvas *c, const chart_spec *s, const shown_event *ev, size_t nev,
                           size_t nnum, int keycols, double x, double ky, double w)
{
    size_t keyrows = (nnum + (size_t)keycols - 1) / (size_t)keycols;
    cv_style badge = {.fill = PAINT_BG, .stroke = PAINT_FG, .width = 1};
    double colw = (w - (keycols - 1) * 16) / keycols;
    cv_font kf = {.size = FS_SMALL, .valign = CV_CENTER, .fill = PAINT_FG, .cls = "key"};
    cv_font nf = {.size = FS_BADGE, .bold = true, .anchor = CV_MIDDLE, .valign = CV_CENTER,
                  .fill = PAINT_FG};
    /* One column for the texts, clear of the widest badge: the largest
     * number's. */
    size_t top = 0;
    for (size_t i = 0; i < nnum; i++)
        top = s->events[ev[i].ev].number > top ? s->events[ev[i].ev].number : top;
    char widest[24];
    snprintf(widest, sizeof widest, "%zu", top);
    double rmax = badge_r(c, widest), tx = 2 * rmax + 5;
    for (size_t i = 0; i < nnum; i++) {
        const chart_event *e = &s->events[ev[i].ev];
        double kx = x + (double)(i / keyrows) * (colw + 16);
        double yy = ky + (double)(i % keyrows) * KEY_ROW + KEY_ROW / 2;
        char when[40], num[16];
        chart_fmt_short_time(s, e->t, when, sizeof when);
        snprintf(num, sizeof num, "%zu", e->number);
        char *full = xasprintf("%s  %s", when, e->description ? e->description : "");
        cv_group_begin(c, "event-key", full, NULL);
        cv_circle(c, kx + rmax, yy, badge_r(c, num), &badge);
        cv_text(c, kx + rmax, yy, num, &nf);
        char *t = canvas_fit_text(c, full, FS_SMALL, false, colw - tx - 1);
        cv_text(c, kx + tx, yy, t, &kf);
        free(t);
        cv_group_end(c);
        free(full);
    }
    if (nev > nnum) {
        char *more = xasprintf("%zu more events after these are drawn as unnumbered lines",
                               nev - nnum);
        cv_text(c, x + 2, ky + (double)keyrows * KEY_ROW + KEY_ROW / 2, more, &kf);
        free(more);
    }
}

canvas *chart_draw_timeseries(const chart_spec *s)
{
    const size_t ng = s->ngroups;
    const int tz = s->tz_offset_min;
    canvas *c = canvas_new(PLOT_W, PLOT_H);

    /* Domain: the analysed period (falling back to the series' extent). */
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    double ymax = 0;
    size_t npoints = 0;
    for (size_t g = 0; g < ng; g++) {
        const chart_group *gr = &s->groups[g];
        for (size_t i = 0; i < gr->nseries; i++) {
            t0 = gr->series[i].t < t0 ? gr->series[i].t : t0;
            t1 = gr->series[i].t > t1 ? gr->series[i].t : t1;
            ymax = fmax(ymax, fmax(gr->series[i].p90, gr->series[i].mean));
        }
        npoints += gr->nseries;
    }
    if (s->first_t != 0 && s->last_t > s->first_t && s->first_t != INT64_MIN) {
        t0 = s->first_t < t0 ? s->first_t : t0;
        t1 = s->last_t > t1 ? s->last_t : t1;
    }
    double budget = s->budget_gib;
    if (budget > 0)
        ymax = fmax(ymax, budget * 1.04);

    char tzs[16], sub[256];
    chart_fmt_tz(tz, tzs, sizeof tzs);
    snprintf(sub, sizeof sub, "%s%sMean per relay; band: 10th-90th percentile; times in %s",
             s->name ? s->name : "", s->name ? " \xC2\xB7 " : "", tzs);
    canvas_set_meta(c, "memory_timeseries", chart_title(CHART_TIMESERIES), sub);

    double x = PLOT_MARGIN, w = PLOT_W - 2 * PLOT_MARGIN;
    double y = plot_title(c, "Memory per relay over time", sub, x, PLOT_MARGIN, w);

    y = draw_legend(c, s, x, y + 4, w) + 12;

    /* Events inside the domain, with badge rows so close ones stack. */
    /* Events up to a tenth of the span outside the data still belong to
     * the story (an allocator enabled hours before its group's window
     * opens, the end noted minutes after the last collection): widen the
     * domain to show them. */
    shown_event *ev = xcalloc(s->nevents ? s->nevents : 1, sizeof *ev);
    size_t nev = npoints ? shown_events(s, &t0, &t1, ev) : 0;

    /* Vertical budget: key rows below the axis. */
    size_t nnum = nev < MAX_NUMBERED ? nev : MAX_NUMBERED;
    int keycols = nnum > 4 && !PLOT_NARROW ? 2 : 1;
    size_t keyrows = (nnum + (size_t)keycols - 1) / (size_t)keycols;
    double keyh = nnum ? 10 + (double)(keyrows + (nev > nnum)) * KEY_ROW : 0;
    double axis_h = plot_time_axis_height();
    double plot_h = PLOT_H - y - axis_h - PLOT_MARGIN;
    if (plot_h < 200)
        plot_h = 200;
    double total_h = y + plot_h + axis_h + keyh + PLOT_MARGIN;
    canvas_set_height(c, total_h);

    /* y scale and margins from measured labels. */
    double ystep;
    double ytop = ticks_nice_max(ymax, (int)(plot_h / 45), &ystep);
    tick *yt;
    size_t nyt = ticks_linear(0, ytop, ystep, &yt);
    double ylw = plot_tick_width(c, yt, nyt);
    double left = x + FS_LABEL + 8 + ylw + 6;
    double idw = 0;
    for (size_t g = 0; g < ng; g++)
        idw = fmax(idw, canvas_text_width(c, s->groups[g].id, FS_LABEL, true));
    double right = PLOT_W - PLOT_MARGIN - idw - 8;
    plot_rect pr = {left, y, right - left, plot_h};
    scale_linear ys = {0, ytop, pr.y + pr.h, pr.y};
    scale_linear xs = {(double)t0, (double)t1, pr.x, pr.x + pr.w};
    if (t1 <= t0)
        xs.d0 -= 3600, xs.d1 += 3600;

    plot_axis_y(c, &pr, &ys, yt, nyt, true, "RSS per relay (GiB)", x + FS_LABEL / 2);
    if (!npoints) {
        chart_no_data(c, pr.x, pr.y, pr.w, pr.h, "No samples in any group's window");
    } else {
        tick *xt;
        size_t nxt = plot_time_ticks(c, pr.w, (int64_t)xs.d0, (int64_t)xs.d1, tz, &xt);
        plot_axis_time(c, &pr, &xs, xt, nxt, true, true);
        free(xt);
    }

    /* Events: dotted lines behind the data. */
    cv_style evs = {.stroke = PAINT_AXIS, .width = 1, .dash = CV_DOTTED, .cls = "event"};
    for (size_t i = 0; i < nev; i++) {
        ev[i].x = scale_map(&xs, (double)s->events[ev[i].ev].t);
        cv_line(c, ev[i].x, pr.y, ev[i].x, pr.y + pr.h, &evs);
    }
    if (budget > 0)
        draw_budget(c, budget, &pr, &ys);

    draw_groups(c, s, &pr, &xs, &ys);

    draw_badges(c, s, ev, nnum, &pr);

    /* The event key, column-major, below the time axis. */
    if (nnum)
        draw_event_key(c, s, ev, nev, nnum, keycols, x, pr.y + pr.h + axis_h + 6, w);
    plot_baseline(c, &pr);

    free(ev);
    free(yt);
    return c;
}
