/* sparkline.c - the site index's small chart: each group's mean over the
 * analysed period, one line per group in its colour on a shared scale,
 * with a dot at each line's end so groups that end close together stay
 * apart. Written as SVG text directly (it is 140x40 px and has no text of
 * its own), with numbers and validated colours only, so it is safe to
 * pass unescaped. */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"
#include "util.h"

char *chart_sparkline(const chart_spec *s, char **range)
{
    const double W = 140, H = 40, pad = 3;
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t g = 0; g < s->ngroups; g++)
        for (size_t k = 0; k < s->groups[g].nseries; k++) {
            const chart_point *p = &s->groups[g].series[k];
            if (isnan(p->mean))
                continue;
            t0 = p->t < t0 ? p->t : t0;
            t1 = p->t > t1 ? p->t : t1;
            lo = p->mean < lo ? p->mean : lo;
            hi = p->mean > hi ? p->mean : hi;
        }
    *range = NULL;
    strbuf b;
    buf_init(&b);
    buf_printf(&b, "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                   "role=\"img\" aria-label=\"Group means over the experiment",
               W, H, W, H);
    if (t0 <= t1) {
        char b1[FMT_BUF], b2[FMT_BUF];
        buf_printf(&b, ", %.2f to %.2f GiB", lo, hi);
        *range = xasprintf("%s\xe2\x80\x93%s GiB", fmt_fixed(b1, lo, 2), fmt_fixed(b2, hi, 2));
    }
    buf_puts(&b, "\">");
    if (t0 > t1) {
        buf_puts(&b, "</svg>");
        return buf_detach(&b);
    }
    if (hi - lo < 1e-9) {
        lo -= 0.5;
        hi += 0.5;
    }
    /* Faint top and bottom rules: the range the label under the line
     * names. */
    buf_printf(&b, "<path class=\"spark-rule\" d=\"M0 %.1fH%.0fM0 %.1fH%.0f\"/>", pad - 0.5, W,
               H - pad + 0.5, W);
    double span = t1 > t0 ? (double)(t1 - t0) : 1;
    const double right = W - 2 * pad - 3; /* room for the end dots */
    for (size_t g = 0; g < s->ngroups; g++) {
        const chart_group *gr = &s->groups[g];
        if (!gr->nseries)
            continue;
        buf_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" "
                       "stroke-linejoin=\"round\" points=\"",
                   gr->color);
        /* At most one point per horizontal pixel. */
        size_t step = gr->nseries > (size_t)W ? gr->nseries / (size_t)W : 1;
        double lx = NAN, ly = NAN;
        bool first = true;
        for (size_t k = 0; k < gr->nseries; k++) {
            if (k % step && k != gr->nseries - 1)
                continue;
            const chart_point *p = &gr->series[k];
            if (isnan(p->mean))
                continue;
            lx = pad + right * (double)(p->t - t0) / span;
            ly = H - pad - (H - 2 * pad) * (p->mean - lo) / (hi - lo);
            buf_printf(&b, "%s%.1f,%.1f", first ? "" : " ", lx, ly);
            first = false;
        }
        buf_puts(&b, "\"/>");
        if (!isnan(lx))
            buf_printf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"/>", lx, ly,
                       gr->color);
    }
    buf_puts(&b, "</svg>");
    return buf_detach(&b);
}
