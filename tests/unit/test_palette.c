/* test_palette.c - the default group colours: enough of them, each visible
 * on the site's light and dark backgrounds (WCAG 2 relative luminance,
 * computed here independently of the code under test), and distinct from
 * one another (CIE76 distance in L*a*b*). */
#include <math.h>
#include <stdio.h>

#include "harness.h"
#include "palette.h"

static double channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static void rgb_of(const char *hex, double v[3])
{
    unsigned r, g, b;
    sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b);
    v[0] = channel(r / 255.0), v[1] = channel(g / 255.0), v[2] = channel(b / 255.0);
}

static double luminance(const char *hex)
{
    double v[3];
    rgb_of(hex, v);
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

static double contrast(const char *a, const char *b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static double lab_f(double t)
{
    return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116;
}

static void lab_of(const char *hex, double lab[3])
{
    double v[3];
    rgb_of(hex, v);
    double x = (0.4124 * v[0] + 0.3576 * v[1] + 0.1805 * v[2]) / 0.95047;
    double y = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
    double z = (0.0193 * v[0] + 0.1192 * v[1] + 0.9505 * v[2]) / 1.08883;
    lab[0] = 116 * lab_f(y) - 16;
    lab[1] = 500 * (lab_f(x) - lab_f(y));
    lab[2] = 200 * (lab_f(y) - lab_f(z));
}

int main(void)
{
    /* Backgrounds: the site's light surface, its dark surface, the chart
     * SVG's own dark default. */
    static const char *const bgs[] = {"#ffffff", "#171b22", "#1b1b1b"};
    OK(PALETTE_SIZE >= 12, "at least twelve colours");
    double worst = 99, closest = 1e9;
    for (size_t i = 0; i < PALETTE_SIZE; i++) {
        OK(palette_valid(palette_color(i)), "each colour is #rrggbb");
        for (size_t k = 0; k < sizeof bgs / sizeof bgs[0]; k++)
            worst = fmin(worst, contrast(palette_color(i), bgs[k]));
        double li[3];
        lab_of(palette_color(i), li);
        for (size_t j = 0; j < i; j++) {
            double lj[3];
            lab_of(palette_color(j), lj);
            closest = fmin(closest, sqrt((li[0] - lj[0]) * (li[0] - lj[0]) +
                                         (li[1] - lj[1]) * (li[1] - lj[1]) +
                                         (li[2] - lj[2]) * (li[2] - lj[2])));
        }
    }
    CHECK_(worst >= 3.0, "3:1 contrast on light and dark backgrounds", "worst %.2f", worst);
    CHECK_(closest >= 20.0, "colours distinct (CIE76 >= 20)", "closest pair %.1f", closest);
    /* Black (Okabe-Ito's last colour) vanished on the dark theme. */
    OK(contrast("#000000", "#171b22") < 3.0, "the contrast test rejects black on dark");
    STR_EQ(palette_color(PALETTE_SIZE), palette_color(0), "cycles after the last colour");
    OK(palette_color(10) != palette_color(1), "the 11th group differs from the 2nd");
    return harness_done();
}
