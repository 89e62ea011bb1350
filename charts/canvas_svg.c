/* canvas_svg.c - the SVG backend: writes the display list as a standalone
 * SVG 1.1 document for the web.
 *
 * Unlike cairo's SVG surface it writes real <text>, <title> tooltips,
 * CSS classes and colours as `var(--name, #fallback)`, so a page can
 * restyle the chart (light/dark themes) by setting custom properties such
 * as --fg, --bg, --grid, --muted on an ancestor. The document has a
 * viewBox (it scales to its container), role="img" with <title>/<desc>,
 * and ids derived from the chart name, so output is byte-for-byte
 * reproducible. Coordinates are written to 0.1 px; paths use relative
 * moves to stay small. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas_impl.h"
#include "fmt.h"
#include "util.h"

/* The default theme. Colours come from custom properties with fallbacks;
 * the dark block applies when the viewer prefers dark and the embedding
 * page has not set the properties itself. */
static const char svg_css[] =
    "text{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;white-space:pre}"
    /* !important: the markers carry their paint in style attributes. */
    ".pt:hover>*{stroke:var(--fg,#222)!important;stroke-width:2px!important}"
    "@media (prefers-color-scheme:dark){.mr-chart{--fg:#e6e6e6;--muted:#aaaaaa;"
    "--bg:#1b1b1b;--grid:#3a3a3a;--axis:#8a8a8a;--band:#ffffff}}";

/* t tenths as the shortest decimal: 15 -> "1.5", 20 -> "2", 5 -> ".5". */
static void put_tenths(strbuf *b, long t)
{
    if (t < 0) {
        buf_putc(b, '-');
        t = -t;
    }
    if (t % 10 == 0) {
        fmt_put_long(b, t / 10);
        return;
    }
    if (t >= 10)
        fmt_put_long(b, t / 10);
    buf_putc(b, '.');
    buf_putc(b, (char)('0' + t % 10));
}

static void put_num(strbuf *b, double v)
{
    put_tenths(b, lround(v * 10));
}

static void put_color(strbuf *b, const cv_paint *p, const char *prop)
{
    buf_printf(b, "%s:", prop);
    if (p->var) {
        buf_printf(b, "var(--%s,", p->var);
        buf_puts(b, p->color ? p->color : "#000000");
        buf_putc(b, ')');
    } else {
        buf_puts(b, p->color);
    }
    buf_putc(b, ';');
    if (p->opacity > 0 && p->opacity < 1) {
        buf_printf(b, "%s-opacity:", prop);
        put_num(b, p->opacity);
        /* two decimals matter for light bands */
        if (fabs(p->opacity * 10 - lround(p->opacity * 10)) > 1e-9)
            buf_printf(b, "%d", (int)lround(p->opacity * 100) % 10);
        buf_putc(b, ';');
    }
}

/* Attributes common to shapes: fallback colours as presentation attributes
 * (for renderers without CSS custom properties), the themable colours in
 * style. */
static void put_style(strbuf *b, const cv_style *st)
{
    if (st->cls) {
        buf_puts(b, " class=\"");
        fmt_html_escape(b, st->cls);
        buf_putc(b, '"');
    }
    buf_puts(b, " style=\"");
    if (st->fill.color)
        put_color(b, &st->fill, "fill");
    else
        buf_puts(b, "fill:none;");
    if (st->stroke.color && st->width > 0) {
        put_color(b, &st->stroke, "stroke");
        buf_puts(b, "stroke-width:");
        put_num(b, st->width);
        buf_putc(b, ';');
        if (st->dash == CV_DASHED) {
            buf_puts(b, "stroke-dasharray:");
            put_num(b, 5 * st->width + 2);
            buf_putc(b, ' ');
            put_num(b, 3 * st->width + 1);
            buf_putc(b, ';');
        } else if (st->dash == CV_DOTTED) {
            buf_puts(b, "stroke-dasharray:");
            put_num(b, st->width);
            buf_putc(b, ' ');
            put_num(b, 2 * st->width + 1);
            buf_putc(b, ';');
        }
    }
    if (b->data[b->len - 1] == ';')
        b->len--, b->data[b->len] = 0;
    buf_putc(b, '"');
}

static void put_path(strbuf *b, const double *p, size_t n, bool close)
{
    buf_puts(b, "<path d=\"M");
    long px = lround(p[0] * 10), py = lround(p[1] * 10);
    put_tenths(b, px);
    buf_putc(b, ' ');
    put_tenths(b, py);
    buf_putc(b, 'l');
    for (size_t k = 1; k < n; k++) {
        long x = lround(p[2 * k] * 10), y = lround(p[2 * k + 1] * 10);
        long dx = x - px, dy = y - py;
        if (k > 1 && dx >= 0)
            buf_putc(b, ' ');
        put_tenths(b, dx);
        if (dy >= 0)
            buf_putc(b, ' ');
        put_tenths(b, dy);
        px = x, py = y;
    }
    if (close)
        buf_putc(b, 'z');
    buf_putc(b, '"');
}

/* The document's opening: size, accessible title and description, the
 * themable stylesheet and the background. */
static void put_head(strbuf *b, const canvas *c)
{
    const char *id = c->id ? c->id : "chart";
    buf_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mr-chart\" viewBox=\"0 0 ");
    put_num(b, c->w);
    buf_putc(b, ' ');
    put_num(b, c->h);
    buf_puts(b, "\" width=\"");
    put_num(b, c->w);
    buf_puts(b, "\" height=\"");
    put_num(b, c->h);
    buf_puts(b, "\" role=\"img\" aria-labelledby=\"");
    fmt_html_escape(b, id);
    buf_puts(b, "-title ");
    fmt_html_escape(b, id);
    buf_puts(b, "-desc\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\">\n<title id=\"");
    fmt_html_escape(b, id);
    buf_puts(b, "-title\">");
    fmt_html_escape(b, c->title ? c->title : "");
    buf_puts(b, "</title>\n<desc id=\"");
    fmt_html_escape(b, id);
    buf_puts(b, "-desc\">");
    fmt_html_escape(b, c->desc ? c->desc : "");
    buf_puts(b, "</desc>\n<style>");
    buf_puts(b, svg_css);
    buf_puts(b, "</style>\n<rect class=\"bg\" width=\"100%\" height=\"100%\" style=\"fill:var(--bg,#ffffff)\"/>\n");
}

/* <text> at its anchor, rotated about it when the font says so. */
static void put_text(strbuf *b, const cv_op *op)
{
    const cv_font *f = &op->font;
    buf_puts(b, "<text x=\"");
    put_num(b, op->a[0]);
    buf_puts(b, "\" y=\"");
    put_num(b, op->a[1] + op->a[2]);
    buf_putc(b, '"');
    if (f->angle != 0) {
        buf_puts(b, " transform=\"rotate(");
        put_num(b, f->angle);
        buf_putc(b, ' ');
        put_num(b, op->a[0]);
        buf_putc(b, ' ');
        put_num(b, op->a[1]);
        /* Rotation is about the anchor point, so the baseline
         * shift in y above applies in the rotated frame, as in
         * the cairo backend. */
        buf_puts(b, ")\"");
    }
    if (f->anchor != CV_START)
        buf_printf(b, " text-anchor=\"%s\"", f->anchor == CV_MIDDLE ? "middle" : "end");
    buf_puts(b, " font-size=\"");
    put_num(b, f->size);
    buf_putc(b, '"');
    if (f->bold)
        buf_puts(b, " font-weight=\"bold\"");
    if (f->cls) {
        buf_puts(b, " class=\"");
        fmt_html_escape(b, f->cls);
        buf_putc(b, '"');
    }
    buf_puts(b, " style=\"");
    put_color(b, &f->fill, "fill");
    b->len--, b->data[b->len] = 0;
    buf_puts(b, "\">");
    fmt_html_escape(b, op->text);
    buf_puts(b, "</text>\n");
}

/* One drawing operation as an element (groups open and close <g>). */
static void put_op(strbuf *b, const canvas *c, const cv_op *op)
{
    switch (op->kind) {
    case OP_GROUP_BEGIN:
        buf_puts(b, "<g");
        if (op->cls) {
            buf_puts(b, " class=\"");
            fmt_html_escape(b, op->cls);
            buf_putc(b, '"');
        }
        if (op->color) {
            buf_puts(b, " style=\"--c:");
            fmt_html_escape(b, op->color);
            buf_putc(b, '"');
        }
        buf_putc(b, '>');
        if (op->text) {
            buf_puts(b, "<title>");
            fmt_html_escape(b, op->text);
            buf_puts(b, "</title>");
        }
        buf_putc(b, '\n');
        break;
    case OP_GROUP_END:
        buf_puts(b, "</g>\n");
        break;
    case OP_LINE:
        buf_puts(b, "<line x1=\"");
        put_num(b, op->a[0]);
        buf_puts(b, "\" y1=\"");
        put_num(b, op->a[1]);
        buf_puts(b, "\" x2=\"");
        put_num(b, op->a[2]);
        buf_puts(b, "\" y2=\"");
        put_num(b, op->a[3]);
        buf_putc(b, '"');
        put_style(b, &op->st);
        buf_puts(b, "/>\n");
        break;
    case OP_POLYLINE:
    case OP_POLYGON:
        put_path(b, c->pts + 2 * op->pt, op->npt, op->kind == OP_POLYGON);
        put_style(b, &op->st);
        buf_puts(b, "/>\n");
        break;
    case OP_RECT:
        buf_puts(b, "<rect x=\"");
        put_num(b, op->a[0]);
        buf_puts(b, "\" y=\"");
        put_num(b, op->a[1]);
        buf_puts(b, "\" width=\"");
        put_num(b, op->a[2]);
        buf_puts(b, "\" height=\"");
        put_num(b, op->a[3]);
        buf_putc(b, '"');
        put_style(b, &op->st);
        buf_puts(b, "/>\n");
        break;
    case OP_CIRCLE:
        buf_puts(b, "<circle cx=\"");
        put_num(b, op->a[0]);
        buf_puts(b, "\" cy=\"");
        put_num(b, op->a[1]);
        buf_puts(b, "\" r=\"");
        put_num(b, op->a[2]);
        buf_putc(b, '"');
        put_style(b, &op->st);
        buf_puts(b, "/>\n");
        break;
    case OP_TEXT:
        put_text(b, op);
        break;
    }
}

int canvas_to_svg(const canvas *c, char **out, size_t *len)
{
    strbuf b;
    buf_init(&b);
    put_head(&b, c);
    for (size_t i = 0; i < c->nops; i++)
        put_op(&b, c, &c->ops[i]);
    buf_puts(&b, "</svg>\n");
    *len = b.len;
    *out = buf_detach(&b);
    return 0;
}
