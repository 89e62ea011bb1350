/* manifest.h - experiment.json, the experiment's manifest (DESIGN 5).
 *
 * Parsed with jansson (duplicate keys rejected). jansson keeps no
 * positions for values, so the parser also scans the text once to learn
 * where every key and value starts: a wrong type, a bad timestamp or an
 * unknown baseline is reported at its own line and column. Unknown keys
 * are ignored (users keep their own notes in the file). */
#ifndef MEMREPORT_MANIFEST_H
#define MEMREPORT_MANIFEST_H

#include <stddef.h>

#include "diag.h"
#include "model.h"

/* Limits of experiment.json (README, Limits): a larger or deeper file is
 * an error naming it, never a long wait. */
#define MANIFEST_MAX_BYTES (1024 * 1024)
#define MANIFEST_MAX_DEPTH 32

/* Sets the defaults of a manifest that is absent: no groups, timezone
 * +00:00, default thresholds. */
void manifest_defaults(manifest *m);

/* Parses text[0..len) into m (which must be zeroed or defaulted; it is
 * owned by the experiment and freed by experiment_free). `display` names
 * the file in messages. Returns 0, or 1 after adding errors to d; m is
 * always safe to free. */
int manifest_parse(const char *text, size_t len, const char *display, manifest *m,
                   diag_list *d);

/* Fills g->config_keys/values from g->config_json (an object's keys in
 * order; strings as they are, other values as compact JSON). Nothing for a
 * string config or none. The archive calls it for the groups it reads. */
void manifest_config_pairs(manifest_group *g);

/* Normalises a relative path as written in the manifest ("./groups//a.txt"
 * becomes "groups/a.txt"). Caller frees. */
char *manifest_clean_path(const char *p);

#endif
