/* distribution.c - memory_distribution: for each group at the final
 * snapshot, a box (median, quartiles, whiskers to the furthest relay
 * within 1.5 IQR) over every relay drawn as a dot with deterministic
 * jitter, the mean as a diamond, and the mean's value above. Groups are
 * ordered by final mean, lowest first (the spec's by_final_mean); the box
 * numbers arrive computed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_impl.h"
#include "plot.h"
#include "util.h"

/* Splits a label in two lines at the space nearest the middle when it is
 * wider than w; each line is then shortened to fit. */
/* Returns the number of lines drawn (1 or 2). */
static int category_label(canvas *c, const char *s, double x, double y, double w)
{
    cv_font f = {.size = FS_TICK, .anchor = CV_MIDDLE, .valign = CV_TOP, .fill = PAINT_FG,
                 .cls = "tick"};
    if (canvas_text_width(c, s, FS_TICK, false) <= w || !strchr(s, ' ')) {
        char *t = canvas_fit_text(c, s, FS_TICK, false, w);
        cv_text(c, x, y, t, &f);
        free(t);
        return 1;
    }
    size_t n = strlen(s), best = 0;
    double bd = 1e300;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ' && fabs((double)i - (double)n / 2) < bd)
            bd = fabs((double)i - (double)n / 2), best = i;
    char *l1 = xstrndup(s, best);
    char *t1 = canvas_fit_text(c, l1, FS_TICK, false, w);
    char *t2 = canvas_fit_text(c, s + best + 1, FS_TICK, false, w);
    cv_text(c, x, y, t1, &f);
    cv_text(c, x, y + FS_TICK * 1.25, t2, &f);
    free(l1);
    free(t1);
    free(t2);
    return 2;
}

canvas *chart_draw_distribution(const chart_spec *s)
{
    canvas *c = canvas_new(PLOT_W, PLOT_H);
    const size_t *order = s->by_final_mean;
    size_t no = s->nby_final_mean;
    double ymax = 0;
    int64_t snap = INT64_MIN;
    for (size_t j = 0; j < no; j++) {
        const chart_group *gr = &s->groups[order[j]];
        for (size_t i = 0; i < gr->ndots; i++)
            ymax = fmax(ymax, gr->dots[i].gib);
        snap = gr->final_t > snap ? gr->final_t : snap;
    }

    char when[40] = "", sub[200];
    if (no)
        chart_fmt_time(s, snap, when, sizeof when);
    snprintf(sub, sizeof sub,
             "Final snapshot%s%s; box: median and quartiles, whiskers to 1.5 IQR; "
             "\xE2\x97\x86 mean; dots: relays",
             no ? " " : "", when);
    canvas_set_meta(c, "memory_distribution", chart_title(CHART_DISTRIBUTION), sub);
    double x = PLOT_MARGIN, w = PLOT_W - 2 * PLOT_MARGIN;
    double y = plot_title(c, "Memory per relay at the final snapshot", sub, x, PLOT_MARGIN, w);
    y += 10;

    double cat_h = FS_TICK * 2.6 + 8 + FS_SMALL * 1.4;
    double plot_h = PLOT_H - y - cat_h - PLOT_MARGIN;
    double ystep;
    double ytop = ticks_nice_max(ymax * 1.1, (int)(plot_h / 45), &ystep);
    tick *yt;
    size_t nyt = ticks_linear(0, ytop, ystep, &yt);
    double left = x + FS_LABEL + 8 + plot_tick_width(c, yt, nyt) + 6;
    plot_rect pr = {left, y, PLOT_W - PLOT_MARGIN - left, plot_h};
    scale_linear ys = {0, ytop, pr.y + pr.h, pr.y};
    plot_axis_y(c, &pr, &ys, yt, nyt, true, "RSS per relay (GiB)", x + FS_LABEL / 2);
    free(yt);
    if (!no)
        chart_no_data(c, pr.x, pr.y, pr.w, pr.h, "No group has a final snapshot");

    double slot = no ? pr.w / (double)no : pr.w;
    double boxw = fmin(56, slot * 0.42);
    cv_style edge = {.stroke = PAINT_FG, .width = 1.2, .cls = "box"};
    cv_style whisk = {.stroke = PAINT_FG, .width = 1.2, .cls = "whisker"};
    cv_style med = {.stroke = PAINT_FG, .width = 2.6, .cls = "median"};
    cv_style meanst = {.fill = PAINT_BG, .stroke = PAINT_FG, .width = 1.4, .cls = "mean"};
    for (size_t j = 0; j < no; j++) {
        size_t g = order[j];
        const chart_group *gr = &s->groups[g];
        const char *col = gr->color;
        const char *label = gr->label;
        double cx = pr.x + slot * ((double)j + 0.5);
        size_t n = gr->ndots;
        double q1 = gr->box.q1, q2 = gr->box.median, q3 = gr->box.q3;
        double wlo = gr->box.whisker_lo, whi = gr->box.whisker_hi;
        char *cls = xasprintf("series g-%s%s", gr->id, gr->baseline ? " baseline" : "");
        cv_group_begin(c, cls, label, col);
        free(cls);

        /* box under the dots, filled lightly in the group colour */
        cv_style fillst = {.fill = plot_group_paint(col, 0.22), .cls = "box-fill"};
        cv_rect(c, cx - boxw / 2, scale_map(&ys, q3), boxw, scale_map(&ys, q1) - scale_map(&ys, q3),
                &fillst);
        double yl = scale_map(&ys, wlo), yh = scale_map(&ys, whi);
        cv_line(c, cx, yl, cx, scale_map(&ys, q1), &whisk);
        cv_line(c, cx, scale_map(&ys, q3), cx, yh, &whisk);
        cv_line(c, cx - boxw / 4, yl, cx + boxw / 4, yl, &whisk);
        cv_line(c, cx - boxw / 4, yh, cx + boxw / 4, yh, &whisk);

        /* dots, each with its relay and value as a tooltip */
        cv_style dot = {.fill = plot_group_paint(col, 0.75), .stroke = PAINT_BG, .width = 0.6};
        double r = n > 300 ? 1.6 : n > 60 ? 2.2 : 2.8;
        for (size_t i = 0; i < n; i++) {
            const chart_dot *dt = &gr->dots[i];
            char val[24];
            chart_fmt_gib(dt->gib, val, sizeof val);
            char *tip = xasprintf("%s: %s GiB", dt->label, val);
            cv_group_begin(c, "pt", tip, NULL);
            plot_marker(c, gr->shape, cx + dt->jitter * slot * 0.3, scale_map(&ys, dt->gib),
                        r, &dot);
            cv_group_end(c);
            free(tip);
        }
        cv_rect(c, cx - boxw / 2, scale_map(&ys, q3), boxw, scale_map(&ys, q1) - scale_map(&ys, q3),
                &edge);
        cv_line(c, cx - boxw / 2, scale_map(&ys, q2), cx + boxw / 2, scale_map(&ys, q2), &med);

        char mv[24], qa[24], qb[24], qc[24];
        chart_fmt_gib(gr->final_mean, mv, sizeof mv);
        chart_fmt_gib(q1, qa, sizeof qa);
        chart_fmt_gib(q2, qb, sizeof qb);
        chart_fmt_gib(q3, qc, sizeof qc);
        char *tip = xasprintf("%s: mean %s GiB, median %s, quartiles %s-%s, n=%zu", label, mv, qb,
                              qa, qc, n);
        cv_group_begin(c, "pt mean", tip, NULL);
        plot_marker(c, 3, cx, scale_map(&ys, gr->final_mean), 4.5, &meanst);
        cv_group_end(c);
        free(tip);

        /* value label above the highest mark */
        double top = scale_map(&ys, fmax(gr->box.max, whi));
        char *vl = xasprintf("%s GiB", mv);
        cv_font vf = {.size = FS_LABEL, .bold = true, .anchor = CV_MIDDLE, .valign = CV_BOTTOM,
                      .fill = PAINT_FG, .cls = "value"};
        char *vt = canvas_fit_text(c, vl, FS_LABEL, true, slot - 4);
        cv_text(c, cx, fmax(pr.y + FS_LABEL + 2, top - 6), vt, &vf);
        free(vt);
        free(vl);
        cv_group_end(c);

        int lines = category_label(c, label, cx, pr.y + pr.h + 7, slot - 8);
        char nl[48];
        snprintf(nl, sizeof nl, "n = %zu", n);
        cv_font nf = {.size = FS_SMALL, .anchor = CV_MIDDLE, .valign = CV_TOP, .fill = PAINT_MUTED,
                      .cls = "tick"};
        cv_text(c, cx, pr.y + pr.h + 7 + FS_TICK * 1.25 * lines + 3, nl, &nf);
    }
    plot_baseline(c, &pr);
    return c;
}
