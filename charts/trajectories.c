/* trajectories.c - memory_trajectories: every relay's RSS over time, one
 * small panel per group on a shared y axis and a shared time axis, thin
 * lines in the group colour. Lines break where a relay has no sample or
 * is not a member, and are never smoothed, so restarts show as drops;
 * the spec's restarts are also ticked along each panel's bottom.
 *
 * Thinning: min/max per pixel column, and when the whole chart would
 * still hold more than TRAJ_POINT_BUDGET points, LTTB per relay down to
 * an equal share of that budget, so a year of hourly data for a thousand
 * relays stays a small file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_impl.h"
#include "plot.h"
#include "thin.h"
#include "util.h"

#define TRAJ_POINT_BUDGET 160000

/* Draws one relay's segments in panel coordinates: v is its row (GiB or
 * NAN per collection), px[c] the x of times[c] and col[c] its pixel
 * column, the same for every relay of the panel. */
static void draw_relay(canvas *c, size_t ntimes, const double *v, const double *px,
                       const double *col, const scale_linear *ys, size_t budget,
                       const cv_style *st, double *y, size_t *keep, double *xy)
{
    size_t cidx = 0;
    while (cidx < ntimes) {
        while (cidx < ntimes && isnan(v[cidx]))
            cidx++;
        size_t c0 = cidx, n = 0;
        for (; cidx < ntimes && !isnan(v[cidx]); cidx++)
            y[n++] = scale_map(ys, v[cidx]);
        const double *x = px + c0;
        if (n == 1) {
            cv_style dot = {.fill = st->stroke, .cls = "dot"};
            cv_circle(c, x[0], y[0], st->width, &dot);
            continue;
        }
        if (n < 2)
            continue;
        size_t k = thin_minmax_cols(col + c0, y, n, keep);
        if (k > budget) {
            /* LTTB over the min/max points keeps drops and peaks */
            double *tx = xmalloc(k * sizeof *tx), *ty = xmalloc(k * sizeof *ty);
            size_t *k2 = xmalloc(k * sizeof *k2);
            for (size_t i = 0; i < k; i++)
                tx[i] = x[keep[i]], ty[i] = y[keep[i]];
            size_t m = thin_lttb(tx, ty, k, budget, k2);
            for (size_t i = 0; i < m; i++)
                xy[2 * i] = tx[k2[i]], xy[2 * i + 1] = ty[k2[i]];
            k = m;
            free(tx);
            free(ty);
            free(k2);
        } else {
            for (size_t i = 0; i < k; i++)
                xy[2 * i] = x[keep[i]], xy[2 * i + 1] = y[keep[i]];
        }
        cv_polyline(c, xy, k, st);
    }
}

/* A panel's bold group label, then its muted counts when they fit. */
static void draw_panel_title(canvas *c, const chart_group *gr, const plot_rect *pr)
{
    const double pw = pr->w;
    size_t nrest = gr->nrestarts, nmem = gr->nrelays;
    cv_font hf = {.size = FS_LABEL, .bold = true, .valign = CV_BOTTOM, .fill = PAINT_FG,
                  .cls = "panel-title"};
    char *ht = canvas_fit_text(c, gr->label, FS_LABEL, true, pw);
    cv_text(c, pr->x, pr->y - 5, ht, &hf);
    double used = canvas_text_width(c, ht, FS_LABEL, true) + 8;
    free(ht);
    char *full = xasprintf("%zu relays, %zu restarts", nmem, nrest);
    char *shrt = xasprintf("%zu relays", nmem);
    const char *counts = NULL;
    if (used + canvas_text_width(c, full, FS_SMALL, false) <= pw)
        counts = nrest ? full : shrt;
    else if (used + canvas_text_width(c, shrt, FS_SMALL, false) <= pw)
        counts = shrt;
    if (counts) {
        cv_font cf = {.size = FS_SMALL, .valign = CV_BOTTOM, .fill = PAINT_MUTED,
                      .cls = "panel-note"};
        cv_text(c, pr->x + used, pr->y - 5, counts, &cf);
    }
    free(full);
    free(shrt);
}

/* Restart ticks along a panel's bottom: one per pixel column, however
 * many relays restarted there. */
static void draw_restarts(canvas *c, const chart_group *gr, const plot_rect *pr,
                          const scale_linear *xs)
{
    size_t nrest = gr->nrestarts;
    cv_style rt = {.stroke = plot_group_paint(gr->color, 0), .width = 1.2, .cls = "restart"};
    size_t ncols = (size_t)pr->w + 2;
    unsigned char *seen = xcalloc(ncols, 1);
    char *tip = xasprintf("%zu restarts seen in the data", nrest);
    cv_group_begin(c, "restarts", tip, NULL);
    free(tip);
    for (size_t i = 0; i < nrest; i++) {
        double rx = scale_map(xs, (double)gr->restarts[i]);
        long col = lround(rx - pr->x);
        if (col < 0 || (size_t)col >= ncols || seen[col])
            continue;
        seen[col] = 1;
        cv_line(c, pr->x + (double)col, pr->y + pr->h, pr->x + (double)col, pr->y + pr->h - 6,
                &rt);
    }
    free(seen);
    cv_group_end(c);
}

canvas *chart_draw_trajectories(const chart_spec *s)
{
    const chart_samples *sm = &s->samples;
    const size_t ng = s->ngroups;
    const int tz = s->tz_offset_min;
    canvas *c = canvas_new(PLOT_W, PLOT_H);

    size_t total = 0;
    double ymax = 0;
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    size_t ncap = sm->ntimes ? sm->ntimes : 1;
    double *vals = xmalloc(ncap * sizeof *vals);
    /* The highest value, and which collections have any: the time span
     * comes from those afterwards, not from every sample. */
    unsigned char *seen = xcalloc(ncap, 1);
    for (size_t g = 0; g < ng; g++) {
        total += s->groups[g].nrelays;
        for (size_t i = 0; i < s->groups[g].nrelays; i++) {
            sm->row(sm->ctx, g, i, vals);
            for (size_t ci = 0; ci < sm->ntimes; ci++) {
                double v = vals[ci];
                if (isnan(v))
                    continue;
                ymax = v > ymax ? v : ymax;
                seen[ci] = 1;
            }
        }
    }
    for (size_t ci = 0; ci < sm->ntimes; ci++)
        if (seen[ci]) {
            t0 = sm->times[ci] < t0 ? sm->times[ci] : t0;
            t1 = sm->times[ci] > t1 ? sm->times[ci] : t1;
        }
    free(seen);

    char tzs[16], sub[200];
    chart_fmt_tz(tz, tzs, sizeof tzs);
    snprintf(sub, sizeof sub, "One line per relay, shared y axis; drops are restarts; times in %s",
             tzs);
    canvas_set_meta(c, "memory_trajectories", chart_title(CHART_TRAJECTORIES), sub);
    double x = PLOT_MARGIN, w = PLOT_W - 2 * PLOT_MARGIN;
    double y = plot_title(c, "Memory of every relay over time", sub, x, PLOT_MARGIN, w);
    y += 6;

    size_t cols = ng <= 3 ? (ng ? ng : 1) : ng == 4 ? 2 : 3;
    if (PLOT_NARROW)
        cols = ng <= 1 ? 1 : 2;
    size_t rows = ng ? (ng + cols - 1) / cols : 1;
    double head = FS_LABEL * 1.5 + 2, axis_h = plot_time_axis_height();
    double panel_h = rows == 1 ? 260 : rows == 2 ? 150 : 120;
    double cell_h = head + panel_h + axis_h + 6;
    canvas_set_height(c, y + (double)rows * cell_h + PLOT_MARGIN - 6);

    double ystep;
    double ytop = ticks_nice_max(ymax, (int)(panel_h / 35), &ystep);
    tick *yt;
    size_t nyt = ticks_linear(0, ytop, ystep, &yt);
    double left = x + FS_LABEL + 8 + plot_tick_width(c, yt, nyt) + 6;
    double gap = 14;
    double pw = (PLOT_W - PLOT_MARGIN - left - gap * (double)(cols - 1)) / (double)cols;
    if (!ng || !total)
        chart_no_data(c, left, y, PLOT_W - PLOT_MARGIN - left, panel_h, "No relay samples");
    if (t1 <= t0 && total)
        t0 -= 3600, t1 += 3600;

    tick *xt = NULL;
    size_t nxt = total ? plot_time_ticks(c, pw, t0, t1, tz, &xt) : 0;
    size_t budget = total ? TRAJ_POINT_BUDGET / total : 0;
    if (budget < 24)
        budget = 24;
    double *px = xmalloc(ncap * sizeof *px), *pcol = xmalloc(ncap * sizeof *pcol);
    double *by = xmalloc(ncap * sizeof *by);
    size_t *keep = xmalloc(ncap * sizeof *keep);
    double *xy = xmalloc(2 * ncap * sizeof *xy);

    for (size_t g = 0; g < ng && total; g++) {
        size_t row = g / cols, col = g % cols;
        plot_rect pr = {left + (double)col * (pw + gap), y + (double)row * cell_h + head, pw, panel_h};
        scale_linear ys = {0, ytop, pr.y + pr.h, pr.y};
        scale_linear xs = {(double)t0, (double)t1, pr.x, pr.x + pr.w};
        const chart_group *gr = &s->groups[g];
        const char *color = gr->color, *label = gr->label;
        size_t nrest = gr->nrestarts, nmem = gr->nrelays;
        draw_panel_title(c, gr, &pr);

        plot_axis_y(c, &pr, &ys, yt, nyt, col == 0, "RSS (GiB)", x + FS_LABEL / 2);
        plot_axis_time(c, &pr, &xs, xt, nxt, true, true);

        char *cls = xasprintf("series g-%s", gr->id);
        cv_group_begin(c, cls, label, color);
        free(cls);
        double wdt = nmem > 200 ? 0.6 : nmem > 40 ? 0.8 : 1.1;
        double op = nmem > 200 ? 0.35 : nmem > 40 ? 0.5 : 0.7;
        cv_style ls = {.stroke = plot_group_paint(color, op), .width = wdt, .cls = "relay"};
        for (size_t ci = 0; ci < sm->ntimes; ci++) {
            px[ci] = scale_map(&xs, (double)sm->times[ci]);
            pcol[ci] = floor(px[ci]);
        }
        for (size_t i = 0; i < nmem; i++) {
            cv_group_begin(c, "relay", gr->relays[i].label, NULL);
            sm->row(sm->ctx, g, i, vals);
            draw_relay(c, sm->ntimes, vals, px, pcol, &ys, budget, &ls, by, keep, xy);
            cv_group_end(c);
        }
        if (nrest)
            draw_restarts(c, gr, &pr, &xs);
        cv_group_end(c);
        plot_baseline(c, &pr);
    }

    free(yt);
    free(xt);
    free(vals);
    free(px);
    free(pcol);
    free(by);
    free(keep);
    free(xy);
    return c;
}
