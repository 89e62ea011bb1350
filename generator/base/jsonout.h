/* jsonout.h - small helpers for the JSON writers (summary, compare) over
 * jansson: values that may be missing, and one way to print a document.
 *
 * Every output that speaks JSON prints it the same way (two-space indent,
 * keys in insertion order, ten significant digits), so scripts see one
 * layout whichever command wrote it. */
#ifndef MEMREPORT_JSONOUT_H
#define MEMREPORT_JSONOUT_H

#include <jansson.h>

#include "util.h"

/* Routes every jansson allocation through xmalloc_for (util.h), so that
 * memory running out while JSON is read or written exits 3 like anywhere
 * else. Call once, before jansson is used (main does). */
void jsonout_use_xmalloc(void);
/* A number, or null for NAN and infinities (JSON has neither). New
 * reference. */
json_t *jsonout_num(double v);
/* A string, or null for NULL (or text jansson refuses: invalid UTF-8).
 * New reference. */
json_t *jsonout_str(const char *s);
/* Appends root as indented JSON and a newline to out, then drops the
 * reference to root (the caller's reference is consumed). */
void jsonout_dump(json_t *root, strbuf *out);

#endif
