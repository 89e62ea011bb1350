/* manifest_init.h - a first experiment.json from what a directory holds
 * (`memreport init`): every group with its member file (one picked when a
 * group has several, the others under "alternatives", which the manifest
 * reader ignores), the timezone the inputs write offsets in, the period of
 * the data, and start times from events.csv where an event names a group.
 * A draft to review, made so that `memreport build` works right after. */
#ifndef MEMREPORT_MANIFEST_INIT_H
#define MEMREPORT_MANIFEST_INIT_H

#include <stddef.h>

#include "model.h"
#include "util.h"

/* Appends the manifest's JSON text to out. `name` is the experiment's id
 * and name (the directory's). *notes gets sentences for stderr (malloc'd,
 * each and the array, owned by the caller). */
void manifest_init_text(const experiment *e, const char *name, strbuf *out, char ***notes,
                        size_t *nnotes);

#endif
