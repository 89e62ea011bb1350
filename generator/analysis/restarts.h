/* restarts.h - restarts seen in the data (DESIGN 6, steady growth).
 *
 * A relay restarted between two of its consecutive samples when its
 * hwm_kb fell and its RSS fell by at least th.restart_drop together (with
 * no hwm_kb on either side, an RSS drop of at least half), or when a
 * `restart` event that covers it lies between the two samples. */
#ifndef MEMREPORT_RESTARTS_H
#define MEMREPORT_RESTARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "membership.h"
#include "model.h"
#include "stats.h"

/* Every restart of every relay at collections up to `until`, sorted by
 * relay then collection; *out is malloc'd and owned by the caller. */
void restarts_detect(const experiment *e, const membership *m, int64_t until, restart **out,
                     size_t *n);

/* True when an event's group field names group g: empty or "all", the ID
 * or name (case-insensitive), or forms like "group_<id>" / "group <id>". */
bool restarts_event_covers(const char *event_group, const group *g);

#endif
