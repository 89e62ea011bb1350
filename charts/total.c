/* total.c - memory_total: the server's total RSS over time and, in a
 * smaller panel below on the same time axis, the number of relays.
 * Totals come from the aggregate rows; at collections without an
 * aggregate row they are the sum of the relay rows (the spec marks them
 * `summed`; drawn as hollow markers so the reader can tell). Thinned per
 * pixel column. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_impl.h"
#include "palette.h"
#include "plot.h"
#include "thin.h"
#include "util.h"

static void draw_trace(canvas *c, const double *x, const double *y, size_t n, const cv_style *st,
                       double area_bottom, const cv_style *area)
{
    size_t *keep = xmalloc((n ? n : 1) * sizeof *keep);
    size_t k = thin_minmax(x, y, n, keep);
    double *xy = xmalloc((2 * k + 4) * sizeof *xy);
    for (size_t i = 0; i < k; i++)
        xy[2 * i] = x[keep[i]], xy[2 * i + 1] = y[keep[i]];
    if (area && k >= 2) {
        xy[2 * k] = xy[2 * k - 2], xy[2 * k + 1] = area_bottom;
        xy[2 * k + 2] = xy[0], xy[2 * k + 3] = area_bottom;
        cv_polygon(c, xy, k + 2, area);
    }
    cv_polyline(c, xy, k, st);
    free(xy);
    free(keep);
}

canvas *chart_draw_total(const chart_spec *s)
{
    const int tz = s->tz_offset_min;
    canvas *c = canvas_new(PLOT_W, PLOT_H);
    const chart_total *p = s->totals;
    size_t n = s->ntotals;
    size_t nsummed = 0;
    double ymax = 0, cmax = 0;
    for (size_t i = 0; i < n; i++) {
        ymax = fmax(ymax, p[i].gib);
        if (isfinite(p[i].count))
            cmax = fmax(cmax, p[i].count);
        nsummed += p[i].summed;
    }

    char tzs[16], sub[200];
    chart_fmt_tz(tz, tzs, sizeof tzs);
    snprintf(sub, sizeof sub, "%s%s%s; times in %s", s->server ? "Server " : "",
             s->server ? s->server : "",
             s->server ? ": sum of all relays' RSS" : "Sum of all relays' RSS", tzs);
    canvas_set_meta(c, "memory_total", chart_title(CHART_TOTAL), sub);
    double x = PLOT_MARGIN, w = PLOT_W - 2 * PLOT_MARGIN;
    double y = plot_title(c, "Server total memory", sub, x, PLOT_MARGIN, w);

    const char *color = palette_color(0), *ccolor = "#5f5f5f";
    legend_entry le[3] = {
        {"total RSS (aggregate rows)", color, 0, true, CV_SOLID, 2, false, false, NULL},
        /* The relay count is not a group: it takes the theme's muted
         * colour, which reads on the dark background too. */
        {"relays", ccolor, -1, true, CV_SOLID, 1.5, false, false, "muted"},
        {"sum of relay rows (no aggregate row)", color, 0, false, CV_SOLID, 0, false, true, NULL},
    };
    y += 4;
    size_t nle = nsummed ? 3 : 2;
    y += plot_legend(c, le, nle, x, y, w, true) + 8;

    double axis_h = plot_time_axis_height();
    double count_h = 70, mid_gap = 12;
    double top_h = PLOT_H - y - count_h - mid_gap - axis_h - PLOT_MARGIN;

    double ystep, cstep;
    double ytop = ticks_nice_max(ymax, (int)(top_h / 45), &ystep);
    double ctop = ticks_nice_max(cmax, 2, &cstep);
    if (cstep < 1)
        ctop = ticks_nice_max(fmax(cmax, 2), 2, &cstep);
    tick *yt, *ct;
    size_t nyt = ticks_linear(0, ytop, ystep, &yt);
    size_t nct = ticks_linear(0, ctop, cstep, &ct);
    double lw = fmax(plot_tick_width(c, yt, nyt), plot_tick_width(c, ct, nct));
    double left = x + FS_LABEL + 8 + lw + 6;
    plot_rect top = {left, y, PLOT_W - PLOT_MARGIN - left, top_h};
    plot_rect bot = {left, y + top_h + mid_gap, top.w, count_h};
    scale_linear ys = {0, ytop, top.y + top.h, top.y};
    scale_linear cs = {0, ctop, bot.y + bot.h, bot.y};
    plot_axis_y(c, &top, &ys, yt, nyt, true, "Total RSS (GiB)", x + FS_LABEL / 2);
    plot_axis_y(c, &bot, &cs, ct, nct, true, "Relays", x + FS_LABEL / 2);
    free(yt);
    free(ct);

    if (!n) {
        chart_no_data(c, top.x, top.y, top.w, top.h, "No aggregate or relay rows");
        plot_baseline(c, &top);
        plot_baseline(c, &bot);
        return c;
    }
    int64_t t0 = p[0].t, t1 = p[n - 1].t;
    if (t1 <= t0)
        t0 -= 3600, t1 += 3600;
    scale_linear xs = {(double)t0, (double)t1, top.x, top.x + top.w};
    tick *xt;
    size_t nxt = plot_time_ticks(c, top.w, t0, t1, tz, &xt);
    plot_axis_time(c, &top, &xs, xt, nxt, true, false);
    plot_axis_time(c, &bot, &xs, xt, nxt, true, true);
    free(xt);

    double *px = xmalloc(n * sizeof *px), *py = xmalloc(n * sizeof *py);
    double *qx = xmalloc(n * sizeof *qx), *qy = xmalloc(n * sizeof *qy);
    size_t nq = 0;
    for (size_t i = 0; i < n; i++) {
        px[i] = scale_map(&xs, (double)p[i].t);
        py[i] = scale_map(&ys, p[i].gib);
        if (isfinite(p[i].count)) {
            qx[nq] = px[i];
            qy[nq++] = scale_map(&cs, p[i].count);
        }
    }
    cv_group_begin(c, "series total", "Server total RSS", color);
    cv_style area = {.fill = plot_group_paint(color, 0.12), .cls = "area"};
    cv_style ls = {.stroke = plot_group_paint(color, 0), .width = 2, .cls = "line"};
    draw_trace(c, px, py, n, &ls, top.y + top.h, &area);
    /* Markers with tooltips when there is room for them. */
    if ((double)n <= top.w / 6) {
        cv_style full = {.fill = plot_group_paint(color, 0), .stroke = PAINT_BG, .width = 0.8};
        cv_style hollow = {.fill = PAINT_BG, .stroke = plot_group_paint(color, 0), .width = 1.4};
        for (size_t i = 0; i < n; i++) {
            char when[40], v[24];
            chart_fmt_time(s, p[i].t, when, sizeof when);
            chart_fmt_gib(p[i].gib, v, sizeof v);
            char *tip = isfinite(p[i].count)
                            ? xasprintf("%s: %s GiB over %.0f relays (%s)", when, v, p[i].count,
                                        p[i].summed ? "sum of relay rows" : "aggregate row")
                            : xasprintf("%s: %s GiB (aggregate row)", when, v);
            cv_group_begin(c, "pt", tip, NULL);
            cv_circle(c, px[i], py[i], 2.8, p[i].summed ? &hollow : &full);
            cv_group_end(c);
            free(tip);
        }
    }
    cv_group_end(c);

    cv_group_begin(c, "series relays", "Relays", ccolor);
    cv_style cl = {.stroke = {ccolor, "muted", 0}, .width = 1.5, .cls = "line"};
    draw_trace(c, qx, qy, nq, &cl, 0, NULL);
    cv_group_end(c);

    plot_baseline(c, &top);
    plot_baseline(c, &bot);
    free(px);
    free(py);
    free(qx);
    free(qy);
    return c;
}
