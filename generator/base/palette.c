/* palette.c - twelve group colours of middle lightness, each with at least
 * 3:1 contrast against both a white and a near-black background (WCAG's
 * minimum for graphics), ordered so neighbours differ in hue. Charts add a
 * marker shape and a dash per group, so colour is never the only cue. */
#include "palette.h"

#include <ctype.h>
#include <string.h>

static const char *const colors[PALETTE_SIZE] = {
    "#1f77d0", /* blue */
    "#d9640a", /* orange */
    "#1a9a5c", /* green */
    "#d43c6e", /* rose */
    "#8a63d2", /* violet */
    "#0f9aa8", /* teal */
    "#b07b00", /* ochre */
    "#64748b", /* slate */
    "#5d7f0b", /* olive */
    "#b83fb0", /* magenta */
    "#e0452b", /* red */
    "#9c6644", /* brown */
};

const char *palette_color(size_t i)
{
    return colors[i % PALETTE_SIZE];
}

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

bool palette_valid(const char *hex)
{
    if (!hex || strlen(hex) != 7 || hex[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!isxdigit((unsigned char)hex[i]))
            return false;
    return true;
}

bool palette_parse(const char *hex, double *r, double *g, double *b)
{
    if (!palette_valid(hex))
        return false;
    *r = (hexval(hex[1]) * 16 + hexval(hex[2])) / 255.0;
    *g = (hexval(hex[3]) * 16 + hexval(hex[4])) / 255.0;
    *b = (hexval(hex[5]) * 16 + hexval(hex[6])) / 255.0;
    return true;
}
