/* strmap.h - an open-addressing hash map from strings to size_t values.
 * Keys are copied. Used for relay, group and member look-ups on the ingest
 * hot path, so lookups take a pointer and length and never allocate. */
#ifndef MEMREPORT_STRMAP_H
#define MEMREPORT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char **keys;
    size_t *lens;
    size_t *vals;
    uint64_t *hashes;
    size_t cap;   /* power of two */
    size_t n;
} strmap;

void strmap_init(strmap *m);
void strmap_free(strmap *m);
/* Looks key[0..len) up; returns true and sets *val when present. */
bool strmap_get(const strmap *m, const char *key, size_t len, size_t *val);
/* Inserts or replaces. */
void strmap_put(strmap *m, const char *key, size_t len, size_t val);
uint64_t strmap_hash(const char *key, size_t len);

#endif
