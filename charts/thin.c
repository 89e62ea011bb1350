/* thin.c - min/max per pixel column and LTTB downsampling. */
#include "thin.h"

#include <math.h>
#include <stdbool.h>

/* x is either positions (floored here) or pixel columns already. */
static inline size_t minmax(const double *x, bool floored, const double *y, size_t n,
                            size_t *keep)
{
    size_t k = 0, i = 0;
    while (i < n) {
        double col = floored ? x[i] : floor(x[i]);
        size_t first = i, lo = i, hi = i, last = i;
        double ylo = y[i], yhi = y[i];
        for (i++; i < n && (floored ? x[i] : floor(x[i])) == col; i++) {
            double v = y[i];
            if (v < ylo)
                ylo = v, lo = i;
            if (v > yhi)
                yhi = v, hi = i;
            last = i;
        }
        size_t c[4] = {first, lo < hi ? lo : hi, lo < hi ? hi : lo, last};
        for (int j = 0; j < 4; j++)
            if (k == 0 || keep[k - 1] < c[j])
                keep[k++] = c[j];
    }
    return k;
}

size_t thin_minmax(const double *x, const double *y, size_t n, size_t *keep)
{
    return minmax(x, false, y, n, keep);
}

size_t thin_minmax_cols(const double *col, const double *y, size_t n, size_t *keep)
{
    return minmax(col, true, y, n, keep);
}

size_t thin_lttb(const double *x, const double *y, size_t n, size_t target, size_t *keep)
{
    if (target < 3 || n <= target) {
        for (size_t i = 0; i < n; i++)
            keep[i] = i;
        return n;
    }
    size_t k = 0, a = 0;
    keep[k++] = 0;
    double every = (double)(n - 2) / (double)(target - 2);
    for (size_t b = 0; b < target - 2; b++) {
        /* average of the next bucket */
        size_t ns = (size_t)floor((double)(b + 1) * every) + 1;
        size_t ne = (size_t)floor((double)(b + 2) * every) + 1;
        if (ne > n)
            ne = n;
        double ax = 0, ay = 0;
        for (size_t j = ns; j < ne; j++)
            ax += x[j], ay += y[j];
        if (ne > ns)
            ax /= (double)(ne - ns), ay /= (double)(ne - ns);
        else
            ax = x[n - 1], ay = y[n - 1];
        /* this bucket: the point making the largest triangle with a and the average */
        size_t s = (size_t)floor((double)b * every) + 1;
        size_t e = (size_t)floor((double)(b + 1) * every) + 1;
        if (e > n - 1)
            e = n - 1;
        double best = -1;
        size_t pick = s;
        for (size_t j = s; j < e; j++) {
            double area = fabs((x[a] - ax) * (y[j] - y[a]) - (x[a] - x[j]) * (ay - y[a]));
            if (area > best)
                best = area, pick = j;
        }
        keep[k++] = pick;
        a = pick;
    }
    keep[k++] = n - 1;
    return k;
}
