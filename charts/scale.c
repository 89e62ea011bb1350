/* scale.c - linear scales and nice numeric ticks. */
#include "scale.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

double ticks_nice_step(double span, int max_ticks)
{
    static const double mant[] = {1, 2, 2.5, 5};
    if (!(span > 0) || !isfinite(span))
        return 1;
    if (max_ticks < 1)
        max_ticks = 1;
    double raw = span / max_ticks;
    double p = pow(10, floor(log10(raw)));
    for (;;) {
        for (size_t i = 0; i < ARRAY_LEN(mant); i++) {
            double s = mant[i] * p;
            /* small tolerance: 10 / 5 must give 2, not 2.5 */
            if (span / s <= max_ticks + 1e-9)
                return s;
        }
        p *= 10;
    }
}

double ticks_nice_max(double max, int max_ticks, double *step)
{
    if (!(max > 0) || !isfinite(max)) {
        *step = ticks_nice_step(1, max_ticks);
        return 1;
    }
    double s = ticks_nice_step(max, max_ticks);
    double top = ceil(max / s - 1e-9) * s;
    *step = s;
    return top;
}

static int decimals_for(double step)
{
    for (int d = 0; d < 9; d++) {
        double x = step * pow(10, d);
        if (fabs(x - round(x)) < 1e-6 * fmax(1, x))
            return d;
    }
    return 9;
}

void ticks_format(double v, double step, char *buf, size_t n)
{
    int d = decimals_for(step);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", d, v);
    if (tmp[0] == '-' && strspn(tmp + 1, "0.") == strlen(tmp + 1))
        memmove(tmp, tmp + 1, strlen(tmp)); /* "-0.0" rounds to zero */
    /* Thousands separators on the integer part from 10,000 up; "1000"
     * reads fine and stays narrow. */
    const char *s = tmp;
    bool neg = *s == '-';
    if (neg)
        s++;
    const char *dot = strchr(s, '.');
    size_t ilen = dot ? (size_t)(dot - s) : strlen(s);
    char out[96];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    for (size_t i = 0; i < ilen; i++) {
        out[o++] = s[i];
        size_t left = ilen - i - 1;
        if (ilen > 4 && left > 0 && left % 3 == 0)
            out[o++] = ',';
    }
    snprintf(out + o, sizeof out - o, "%s", dot ? dot : "");
    snprintf(buf, n, "%s", out);
}

size_t ticks_linear(double lo, double hi, double step, tick **out)
{
    *out = NULL;
    if (!(step > 0) || !(hi >= lo))
        return 0;
    double k0 = ceil(lo / step - 1e-9), k1 = floor(hi / step + 1e-9);
    if (k1 - k0 > 10000)
        return 0;
    size_t n = (size_t)(k1 - k0 + 1), cap = 0;
    xgrow((void **)out, &cap, n, sizeof **out);
    for (size_t i = 0; i < n; i++) {
        tick *t = &(*out)[i];
        memset(t, 0, sizeof *t);
        t->v = (k0 + (double)i) * step;
        ticks_format(t->v, step, t->label, sizeof t->label);
    }
    return n;
}
