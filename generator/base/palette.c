/* palette.c - Okabe-Ito colours, ordered so neighbours contrast. */
#include "palette.h"

#include <ctype.h>
#include <string.h>

static const char *const okabe_ito[] = {
    "#0072B2", /* blue */
    "#E69F00", /* orange */
    "#009E73", /* bluish green */
    "#D55E00", /* vermillion */
    "#CC79A7", /* reddish purple */
    "#56B4E9", /* sky blue */
    "#F0E442", /* yellow */
    "#000000", /* black */
};

const char *palette_color(size_t i)
{
    return okabe_ito[i % (sizeof okabe_ito / sizeof okabe_ito[0])];
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
