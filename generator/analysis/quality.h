/* quality.h - data-quality findings (DESIGN 6): plain sentences about what
 * in the inputs deserves a reader's attention. */
#ifndef MEMREPORT_QUALITY_H
#define MEMREPORT_QUALITY_H

#include "membership.h"
#include "model.h"
#include "stats.h"

/* Appends findings to res->findings. Needs res's series, finals and
 * restarts to be computed already. */
void quality_collect(const experiment *e, const membership *m, results *res);

/* Appends one finding; the message is copied. */
void quality_add(results *res, finding_kind kind, bool error, const char *file, long line,
                 const char *message);

#endif
