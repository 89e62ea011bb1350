/* oldcol.h - packed sample columns in the bytes of archive schemas 2 and 3
 * (docs/archive.md), made by the tests from the format's description
 * rather than by memreport's encoder, which writes only Zstandard: the
 * kind, the count as a LEB128 varint, then one zlib stream (RFC 1950) of
 * the zigzagged differences of the codes as varints. */
#ifndef MEMREPORT_TESTS_OLDCOL_H
#define MEMREPORT_TESTS_OLDCOL_H

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "samplecol.h"
#include "util.h"

static inline size_t oldcol_varint(unsigned char *p, uint32_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        p[n++] = (unsigned char)(v | 0x80);
    p[n++] = (unsigned char)v;
    return n;
}

/* A column of `kind` whose header says n values and whose zlib stream
 * holds raw[0..rlen) (any bytes: also a stream that does not fit n).
 * *out is malloc'd; returns its length. */
static inline size_t oldcol_wrap(samplecol_kind kind, size_t n, const unsigned char *raw,
                                 size_t rlen, unsigned char **out)
{
    uLongf zlen = compressBound((uLong)rlen);
    unsigned char *b = xmalloc(16 + zlen);
    b[0] = (unsigned char)kind;
    size_t head = 1 + oldcol_varint(b + 1, (uint32_t)n);
    if (compress2(b + head, &zlen, raw, (uLong)rlen, 6) != Z_OK)
        abort();
    *out = b;
    return head + zlen;
}

/* The column of codes[0..n) as schema 2 and 3 wrote it. */
static inline size_t oldcol_encode(samplecol_kind kind, const uint32_t *codes, size_t n,
                                   unsigned char **out)
{
    unsigned char *raw = xmalloc(n * 5 + 1);
    size_t rlen = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = codes[i] - prev;
        rlen += oldcol_varint(raw + rlen, (d << 1) ^ (uint32_t)((int32_t)d >> 31));
        prev = codes[i];
    }
    size_t len = oldcol_wrap(kind, n, raw, rlen, out);
    free(raw);
    return len;
}

#endif
