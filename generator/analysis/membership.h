/* membership.h - which relays belong to which group, and when.
 *
 * Resolution per DESIGN 5, first that applies for each group: manifest
 * `members` (a file or a list); the memory CSV's `group` column;
 * relay_config.csv; groups/group_<ID>_*.txt. With a manifest that lists
 * groups, those are the groups; otherwise they are discovered from the
 * first source that has any. A sample counts for group g when the relay is
 * a member at that sample and the sample's time is inside g's window. */
#ifndef MEMREPORT_MEMBERSHIP_H
#define MEMREPORT_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"
#include "strmap.h"

/* Name look-up over the relays: nickname -> relays (a chain, as two relays
 * may share a nickname), upper-case fingerprint -> relays. */
typedef struct {
    strmap nick, fp;
    size_t *next_nick, *next_fp; /* SIZE_MAX ends a chain */
} relay_index;

void relay_index_build(relay_index *ix, const experiment *e);
void relay_index_free(relay_index *ix);
/* Puts the relays a member name denotes (a fingerprint, any case, else a
 * nickname) into out, which has room for every relay; returns how many. */
size_t relay_index_collect(const relay_index *ix, const char *name, size_t *out);

typedef enum {
    MEMBERS_MANIFEST_LIST,
    MEMBERS_MANIFEST_FILE,
    MEMBERS_GROUP_COLUMN,
    MEMBERS_RELAY_CONFIG,
    MEMBERS_GROUP_FILE,
    MEMBERS_ALL,              /* no group information anywhere: every relay */
} members_source;

typedef struct {
    char *id;
    char *name;               /* manifest name, else the ID */
    char *color;              /* "#rrggbb": manifest or palette */
    const manifest_group *spec; /* NULL when not in the manifest */
    members_source source;
    char *source_path;        /* file the members came from, or NULL */
    int64_t start, end;       /* window, inclusive; INT64_MIN / INT64_MAX when open */
    uint8_t *member;          /* [nrelays] static membership; NULL for
                                 MEMBERS_GROUP_COLUMN */
    uint16_t colgroup;        /* for MEMBERS_GROUP_COLUMN */
    uint8_t *excluded;        /* [nrelays] for MEMBERS_GROUP_COLUMN: relays the
                                 manifest's `exclude` leaves out; else NULL */
    int64_t *mstart, *mend;   /* [nrelays] each member's own window (manifest
                                 {"relay", "start", "end"}), inclusive; NULL
                                 when no member has one */
    size_t nmembers;          /* relays that are members at some sample */
    char **missing;           /* listed members never seen in the data */
    size_t nmissing;
} group;

/* A relay in two groups at once. */
typedef struct {
    size_t relay;
    size_t g1, g2;
    int64_t from, to;         /* first and last overlapping collection time */
} overlap;

typedef struct {
    group *groups;
    size_t ngroups;
    overlap *overlaps;
    size_t noverlaps;
    uint8_t *ungrouped;       /* [nrelays]: in no group at any sample */
    size_t nungrouped;
    /* Only in a page's view over some of the groups (build --groups,
     * publish/group_view.h): each group's index in the whole membership,
     * and how many groups that has. NULL and 0 otherwise. */
    const size_t *shown_from;
    size_t nall;
} membership;

/* The one group of a report without any group information. */
#define MEMBERSHIP_ALL_ID "all"

/* Returns 0, or 1 after adding errors to d (unknown group, ambiguous group
 * files, member file outside the directory, empty window...). Overlaps
 * are warnings, errors when strict. */
int membership_resolve(const experiment *e, bool strict, membership *m, diag_list *d);
/* The limits of experiment_groups_fit on the groups membership_resolve
 * would make, alone (for `init`, which drafts a manifest from them before
 * they can be resolved): 0, or 1 after one error saying where the groups
 * come from. */
int membership_check_count(const experiment *e, diag_list *d);
void membership_free(membership *m);

/* True when relay r's sample at collection c counts for group g (the
 * relay is a member then, and times[c] is inside g's window). Does not
 * look at whether a sample exists. Inline: the statistics ask it for
 * every sample. */
static inline bool membership_has(const membership *m, const experiment *e, size_t g, size_t r,
                                  size_t c)
{
    const group *gr = &m->groups[g];
    int64_t t = e->times[c];
    if (t < gr->start || t > gr->end)
        return false;
    if (gr->mstart && (t < gr->mstart[r] || t > gr->mend[r]))
        return false;
    if (gr->source == MEMBERS_GROUP_COLUMN)
        return e->col_group && e->col_group[exp_idx(e, r, c)] == gr->colgroup &&
               !(gr->excluded && gr->excluded[r]);
    return gr->member && gr->member[r];
}

/* False when membership_has(m, e, g, r, c) is false for every c: a relay
 * that is not a listed member (a group column can place any relay not
 * excluded). Lets a scan over collections skip such relays. */
static inline bool membership_may_have(const membership *m, size_t g, size_t r)
{
    const group *gr = &m->groups[g];
    if (gr->source == MEMBERS_GROUP_COLUMN)
        return !(gr->excluded && gr->excluded[r]);
    return gr->member && gr->member[r];
}

/* membership_has for every collection of relay r at once: in[c] = 1 or 0
 * for c < e->ncoll, in one pass (a chart reads whole relays). Returns
 * false, with in all 0, when r is never in g. */
bool membership_relay_mask(const membership *m, const experiment *e, size_t g, size_t r,
                    unsigned char *in);

/* One sentence per set of relays that share an overlap (same two groups,
 * same start), e.g. "a, b and c are in both D and E from 2026-01-04 22:16;
 * they count in both groups". Returns the count; *out and its strings are
 * malloc'd and owned by the caller. */
size_t membership_overlap_messages(const membership *m, const experiment *e, char ***out);

/* When relay r's time in group g starts: the later of the group's start
 * and the member's own; INT64_MIN when both are open. */
int64_t membership_member_start(const membership *m, size_t g, size_t r);

/* Without groups in the manifest, the manifest's baseline must name a
 * group some other source defines (group column, relay_config.csv, a
 * group file). Returns 0, or 1 after adding an error at the manifest's
 * "baseline" line. Checked before membership is resolved, so that
 * `check` reports it next to ingest's errors. */
int membership_check_baseline(const experiment *e, diag_list *d);

/* Index of the group with this ID, or -1. */
long membership_find(const membership *m, const char *id);

#endif
