/* canvas_theme.c - the colours of the dark theme, for the PNG backend.
 *
 * The SVGs carry var(--fg, #222222) and so on and are restyled by the
 * page's stylesheet; a PNG is drawn once, so for a dark PNG the backend
 * needs the values the stylesheet gives the page's charts in its dark
 * theme. This table is those values; tests/unit/test_theme.c reads
 * assets/style.css and fails when a dark block there differs, and checks
 * their contrast against the background. */
#include <string.h>

#include "canvas.h"

const cv_theme_color cv_dark_colors[] = {
    {"fg", "#e4e7ec"},   /* titles, labels, the mean marks */
    {"muted", "#a9b1bf"}, /* subtitles, tick labels, captions */
    {"grid", "#2a3039"}, /* grid lines: faint on purpose, as in the light theme */
    {"axis", "#6f7988"}, /* axis lines and ticks */
    {"bg", "#171b22"},   /* the background (the page's chart surface) */
    {"band", "#ffffff"},
};
const size_t cv_dark_ncolors = sizeof cv_dark_colors / sizeof cv_dark_colors[0];

const char *canvas_theme_color(cv_theme t, const char *var)
{
    if (t != CV_THEME_DARK || !var)
        return NULL;
    for (size_t i = 0; i < cv_dark_ncolors; i++)
        if (strcmp(cv_dark_colors[i].var, var) == 0)
            return cv_dark_colors[i].dark;
    return NULL;
}
