/* jsonout.c - JSON output helpers (see jsonout.h). */
#include "jsonout.h"

#include <math.h>
#include <stdlib.h>

static void *json_xmalloc(size_t n)
{
    return xmalloc_for("jansson", n);
}

void jsonout_use_xmalloc(void)
{
    json_set_alloc_funcs(json_xmalloc, free);
}

json_t *jsonout_num(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

json_t *jsonout_str(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

void jsonout_dump(json_t *root, strbuf *out)
{
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (s) {
        buf_puts(out, s);
        buf_putc(out, '\n');
        free(s);
    }
    json_decref(root);
}
