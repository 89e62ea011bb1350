/* feed.c - the site's Atom feed (see feed.h). */
#include "feed.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "report_common.h"
#include "report_html.h"
#include "status.h"
#include "timestamp.h"

/* Text for an XML element: escaped, without the control characters XML
 * 1.0 cannot hold. */
static void put_text(strbuf *b, const char *s)
{
    strbuf t;
    buf_init(&t);
    for (const char *p = s ? s : ""; *p; p++)
        if ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n')
            buf_putc(&t, *p);
    fmt_html_escape(b, t.data ? t.data : "");
    buf_free(&t);
}

static void put_element(strbuf *b, const char *name, const char *text)
{
    buf_printf(b, "<%s>", name);
    put_text(b, text);
    buf_printf(b, "</%s>\n", name);
}

/* An entry with the time it was updated: its last collection, or the
 * clock when it has none. */
typedef struct {
    feed_entry e;
    int64_t t;
} dated;

static int cmp_newest(const void *x, const void *y)
{
    const dated *a = x, *b = y;
    if (a->t != b->t)
        return a->t > b->t ? -1 : 1;
    return strcmp(a->e.url, b->e.url);
}

void feed_render(const char *base_url, const feed_entry *e, size_t n, int64_t clock,
                 strbuf *out)
{
    dated *v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (dated){e[i], e[i].a->r.last_t != INT64_MIN ? e[i].a->r.last_t : clock};
    if (n)
        qsort(v, n, sizeof *v, cmp_newest);
    int64_t latest = n ? v[0].t : clock;
    char when[40];
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    put_element(out, "title", "Memory experiments");
    put_element(out, "subtitle", "Memory of Tor relays under different allocators: one entry "
                                 "per experiment, updated at its last collection.");
    put_element(out, "id", base_url);
    buf_puts(out, "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    fmt_html_escape(out, base_url);
    buf_puts(out, FEED_FILE "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    fmt_html_escape(out, base_url);
    buf_puts(out, "\"/>\n");
    timestamp_format_iso(latest, 0, when, sizeof when);
    put_element(out, "updated", when);
    buf_puts(out, "<author><name>Relay memory experiments</name></author>\n");
    buf_printf(out, "<generator version=\"%s\">memreport</generator>\n", MEMREPORT_VERSION);
    for (size_t i = 0; i < n; i++) {
        buf_puts(out, "<entry>\n");
        put_element(out, "title", report_title(v[i].e.a));
        buf_puts(out, "<link rel=\"alternate\" type=\"text/html\" href=\"");
        fmt_html_escape(out, v[i].e.url);
        buf_puts(out, "\"/>\n");
        put_element(out, "id", v[i].e.url);
        timestamp_format_iso(v[i].t, 0, when, sizeof when);
        put_element(out, "updated", when);
        char *summary = report_share_text(v[i].e.a);
        put_element(out, "summary", summary);
        free(summary);
        buf_puts(out, "</entry>\n");
    }
    buf_puts(out, "</feed>\n");
    free(v);
}
