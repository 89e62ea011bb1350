/* legend.c - the group legend and wrapped captions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "util.h"

#define SWATCH_W 22.0
#define ENTRY_GAP 18.0
#define ROW_H 18.0

double plot_legend(canvas *c, const legend_entry *e, size_t n, double x, double y, double w,
                   bool draw)
{
    double cx = x, cy = y;
    for (size_t i = 0; i < n; i++) {
        double tw = canvas_text_width(c, e[i].label, FS_LABEL, e[i].bold);
        double ew = SWATCH_W + 5 + tw;
        if (ew > w)
            ew = w;
        if (cx > x && cx + ew > x + w) {
            cx = x;
            cy += ROW_H;
        }
        if (draw) {
            cv_group_begin(c, "legend-item", NULL, e[i].color);
            double my = cy + ROW_H / 2;
            cv_paint sw = e[i].var ? (cv_paint){e[i].color, e[i].var, 0}
                                   : plot_group_paint(e[i].color, 0);
            if (e[i].line) {
                cv_style ls = {.stroke = sw,
                               .width = e[i].width > 0 ? e[i].width : 2,
                               .dash = e[i].dash};
                cv_line(c, cx, my, cx + SWATCH_W, my, &ls);
            }
            if (e[i].shape >= 0) {
                cv_style ms = {.fill = sw, .stroke = PAINT_BG, .width = 1};
                if (e[i].hollow)
                    ms = (cv_style){.fill = PAINT_BG, .stroke = sw,
                                    .width = 1.4};
                plot_marker(c, e[i].shape, cx + SWATCH_W / 2, my, 4, &ms);
            }
            cv_font f = {.size = FS_LABEL, .bold = e[i].bold, .valign = CV_CENTER,
                         .fill = PAINT_FG};
            char *t = canvas_fit_text(c, e[i].label, FS_LABEL, e[i].bold, ew - SWATCH_W - 5);
            cv_text(c, cx + SWATCH_W + 5, my, t, &f);
            free(t);
            cv_group_end(c);
        }
        cx += ew + ENTRY_GAP;
    }
    return n ? cy - y + ROW_H : 0;
}

double plot_caption(canvas *c, const char *text, double x, double y, double w, int max_lines,
                    bool draw)
{
    double lh = FS_SMALL * 1.35;
    cv_font f = {.size = FS_SMALL, .valign = CV_TOP, .fill = PAINT_MUTED, .cls = "caption"};
    const char *p = text;
    int lines = 0;
    strbuf line;
    buf_init(&line);
    while (*p && lines < max_lines) {
        /* take words while they fit */
        buf_reset(&line);
        const char *q = p;
        while (*q) {
            const char *sp = q;
            while (*sp == ' ')
                sp++;
            const char *end = sp;
            while (*end && *end != ' ')
                end++;
            size_t old = line.len;
            if (line.len)
                buf_putc(&line, ' ');
            buf_putn(&line, sp, (size_t)(end - sp));
            if (old > 0 && canvas_text_width(c, line.data, FS_SMALL, false) > w) {
                line.len = old;
                line.data[old] = 0;
                break;
            }
            q = end;
        }
        while (*q == ' ')
            q++;
        lines++;
        if (draw) {
            char *t = canvas_fit_text(c, line.data, FS_SMALL, false, w);
            if (lines == max_lines && *q) {
                char *more = xasprintf("%s\xE2\x80\xA6", line.data);
                free(t);
                t = canvas_fit_text(c, more, FS_SMALL, false, w);
                free(more);
            }
            cv_text(c, x, y + (lines - 1) * lh, t, &f);
            free(t);
        }
        p = q;
    }
    buf_free(&line);
    return lines * lh;
}
