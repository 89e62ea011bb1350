/* report_md.c - fills the REPORT.md template from an analysis (see
 * report_md.h). Values only; the wording of generated sentences lives in
 * report_common.c and the statistics in stats.c. */
#include "report_md.h"

#include <string.h>

#include "report_fill.h"
#include "sha256.h"
#include "tmpl.h"

int report_md_render(const analysis *a, const report_ctx *ctx, strbuf *out, diag_list *d)
{
    tmpl_dict *dict = tmpl_dict_new();
    report_fill(a, ctx, RF_MD, dict);
    size_t start = out->len;
    int rc = tmpl_expand(REPORT_MD_TEMPLATE, dict, out);
    tmpl_dict_free(dict);
    if (rc != 0) {
        diag_error(d, "templates/REPORT.md.tpl", 0, "template failed to expand");
        return -1;
    }
    /* The marker hashes this report only, not what the buffer held before. */
    strbuf tail;
    buf_init(&tail);
    buf_putn(&tail, out->data + start, out->len - start);
    report_md_seal(&tail);
    buf_puts(out, tail.data + (out->len - start));
    buf_free(&tail);
    return 0;
}

void report_md_seal(strbuf *out)
{
    char hex[65];
    sha256_hex_of(out->data, out->len, hex);
    buf_printf(out, "%s%s -->\n", REPORT_MD_MARKER_PREFIX, hex);
}

bool report_md_has_marker(const char *text, size_t len)
{
    size_t plen = strlen(REPORT_MD_MARKER_PREFIX);
    for (size_t i = 0; i + plen <= len;) {
        if (!memcmp(text + i, REPORT_MD_MARKER_PREFIX, plen))
            return true;
        const char *nl = memchr(text + i, '\n', len - i);
        if (!nl)
            break;
        i = (size_t)(nl - text) + 1;
    }
    return false;
}

bool report_md_unedited(const char *text, size_t len)
{
    /* The marker is the last line: find where it starts. */
    size_t end = len;
    if (end > 0 && text[end - 1] == '\n')
        end--;
    size_t start = end;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    const char *line = text + start;
    size_t plen = strlen(REPORT_MD_MARKER_PREFIX);
    if (end - start != plen + 64 + 4 || memcmp(line, REPORT_MD_MARKER_PREFIX, plen) != 0 ||
        memcmp(line + plen + 64, " -->", 4) != 0)
        return false;
    char hex[65];
    sha256_hex_of(text, start, hex);
    return memcmp(hex, line + plen, 64) == 0;
}
