/* diag.c - the list of problems found while reading an experiment. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

void diag_init(diag_list *d)
{
    d->items = NULL;
    d->n = d->cap = d->nerrors = d->nio = 0;
}

void diag_free(diag_list *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    diag_init(d);
}

static void push(diag_list *d, diag_severity sev, const char *file, long line, long col, char *msg)
{
    xgrow((void **)&d->items, &d->cap, d->n + 1, sizeof *d->items);
    diag_item *it = &d->items[d->n++];
    it->severity = sev;
    it->file = xstrdup(file);
    it->line = line;
    it->col = col;
    it->message = msg;
    if (sev == DIAG_ERROR)
        d->nerrors++;
}

void diag_add(diag_list *d, diag_severity sev, const char *file, long line, long col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    push(d, sev, file, line, col, msg);
}

void diag_append(diag_list *dst, const diag_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const diag_item *it = &src->items[i];
        push(dst, it->severity, it->file, it->line, it->col, xstrdup(it->message));
    }
    dst->nio += src->nio;
}

char *diag_format(const diag_item *it)
{
    strbuf b;
    buf_init(&b);
    if (it->file) {
        buf_puts(&b, it->file);
        if (it->line > 0)
            buf_printf(&b, ":%ld", it->line);
        if (it->line > 0 && it->col > 0)
            buf_printf(&b, ":%ld", it->col);
        buf_puts(&b, ": ");
    }
    if (it->severity == DIAG_WARNING)
        buf_puts(&b, "warning: ");
    buf_puts(&b, it->message);
    return buf_detach(&b);
}

void diag_print(const diag_list *d, FILE *f, bool errors_only)
{
    for (size_t i = 0; i < d->n; i++) {
        if (errors_only && d->items[i].severity != DIAG_ERROR)
            continue;
        char *s = diag_format(&d->items[i]);
        fprintf(f, "memreport: %s\n", s);
        free(s);
    }
}
