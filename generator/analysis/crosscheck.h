/* crosscheck.h - every statement of membership, used or not, checked
 * against the others (DESIGN 5).
 *
 * Statements: each line of every group file (groups/ and files the
 * manifest names), each entry of a manifest members list, each row of
 * relay_config.csv, each value of the memory CSV's group column. A relay
 * stated for two different groups anywhere usually means it moved, and
 * the figures may count it where it no longer was. Each such set of relays
 * gets one finding naming the relays, the groups, the files, which list the
 * figures use, and, when a restart or a migration event falls inside the
 * relay's time in the group the figures use, when it probably moved with
 * the manifest entries that would state it. A relay whose move the
 * manifest already states (a member window, or `exclude` leaving it out
 * of all but one group) is not reported. */
#ifndef MEMREPORT_CROSSCHECK_H
#define MEMREPORT_CROSSCHECK_H

#include "membership.h"
#include "model.h"
#include "stats.h"

/* Appends FINDING_CROSS_LISTED findings to res. Needs res->restarts. */
void crosscheck_collect(const experiment *e, const membership *m, results *res);

#endif
