/* strmap.c - open addressing with linear probing, FNV-1a hashes. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void strmap_init(strmap *m)
{
    memset(m, 0, sizeof *m);
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->lens);
    free(m->vals);
    free(m->hashes);
    strmap_init(m);
}

uint64_t strmap_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t find_slot(const strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    while (m->keys[i]) {
        if (m->hashes[i] == h && m->lens[i] == len && memcmp(m->keys[i], key, len) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

bool strmap_get(const strmap *m, const char *key, size_t len, size_t *val)
{
    if (!m->cap)
        return false;
    size_t i = find_slot(m, key, len, strmap_hash(key, len));
    if (!m->keys[i])
        return false;
    if (val)
        *val = m->vals[i];
    return true;
}

static void rehash(strmap *m, size_t ncap)
{
    strmap old = *m;
    m->cap = ncap;
    m->keys = xcalloc(ncap, sizeof *m->keys);
    m->lens = xcalloc(ncap, sizeof *m->lens);
    m->vals = xcalloc(ncap, sizeof *m->vals);
    m->hashes = xcalloc(ncap, sizeof *m->hashes);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        size_t j = find_slot(m, old.keys[i], old.lens[i], old.hashes[i]);
        m->keys[j] = old.keys[i];
        m->lens[j] = old.lens[i];
        m->vals[j] = old.vals[i];
        m->hashes[j] = old.hashes[i];
    }
    free(old.keys);
    free(old.lens);
    free(old.vals);
    free(old.hashes);
}

void strmap_put(strmap *m, const char *key, size_t len, size_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        rehash(m, m->cap ? m->cap * 2 : 64);
    uint64_t h = strmap_hash(key, len);
    size_t i = find_slot(m, key, len, h);
    if (!m->keys[i]) {
        m->keys[i] = xstrndup(key, len);
        m->lens[i] = len;
        m->hashes[i] = h;
        m->n++;
    }
    m->vals[i] = val;
}
