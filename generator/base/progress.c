/* progress.c - see progress.h. */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

void progress_start(progress *p, const char *label, uint64_t total, uint64_t min)
{
    p->on = total >= min && total > 0 && isatty(STDERR_FILENO);
    p->label = label;
    p->total = total;
    p->shown = -1;
}

void progress_update(progress *p, uint64_t done)
{
    if (!p->on)
        return;
    int pct = done >= p->total ? 100 : (int)(done * 100 / p->total);
    if (pct == p->shown)
        return;
    p->shown = pct;
    fprintf(stderr, "\rmemreport: reading %s %3d%%", p->label, pct);
    fflush(stderr);
}

void progress_done(progress *p)
{
    if (p->on && p->shown >= 0)
        fprintf(stderr, "\r\033[K");
    p->on = false;
}
