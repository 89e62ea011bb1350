/* samplecol.c - packed sample columns (see samplecol.h, docs/archive.md).
 *
 * Bytes: the kind ('k', 'f' or 'g'), the count n as a LEB128 varint, then
 * a zlib stream (RFC 1950) whose content is n LEB128 varints: the zigzag
 * of each code's difference from the previous one (the first from 0),
 * modulo 2^32. Decoding inflates in chunks and never needs the whole
 * varint stream in memory. */
#include "samplecol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util.h"

/* Level 1: deflate's fast mode; level 6 gains a few per cent on memory
 * readings at three times the time. */
#ifndef SAMPLECOL_LEVEL
#define SAMPLECOL_LEVEL 1
#endif

uint32_t samplecol_float_code(float f)
{
    if (isnan(f))
        return 0;
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits + 1u;
}

float samplecol_float_value(uint32_t code)
{
    if (code == 0)
        return NAN;
    uint32_t bits = code - 1u;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* Reads a varint of at most 10 bytes from p[0..len); returns the bytes
 * used, 0 when it does not end in time. */
static size_t get_varint(const unsigned char *p, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

static uint32_t zigzag(uint32_t delta)
{
    int32_t s = (int32_t)delta;
    return ((uint32_t)s << 1) ^ (uint32_t)(s >> 31);
}

static uint32_t unzigzag(uint32_t z)
{
    return (z >> 1) ^ (0u - (z & 1u));
}

size_t samplecol_encode(samplecol_kind kind, const uint32_t *codes, size_t n,
                        unsigned char **out)
{
    unsigned char *raw = xmalloc(n * 5 + 1);
    size_t rlen = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        rlen += put_varint(raw + rlen, zigzag(codes[i] - prev));
        prev = codes[i];
    }
    uLong bound = compressBound((uLong)rlen);
    unsigned char *buf = xmalloc(11 + bound);
    buf[0] = (unsigned char)kind;
    size_t head = 1 + put_varint(buf + 1, n);
    uLongf zlen = bound;
    if (compress2(buf + head, &zlen, raw, (uLong)rlen, SAMPLECOL_LEVEL) != Z_OK)
        abort(); /* only Z_MEM_ERROR is possible: the out-of-memory policy */
    free(raw);
    *out = buf;
    return head + zlen;
}

static int header(const unsigned char *data, size_t len, samplecol_kind *kind, uint64_t *n)
{
    if (len < 2 || (data[0] != SAMPLECOL_KB && data[0] != SAMPLECOL_FLOAT &&
                    data[0] != SAMPLECOL_GROUP))
        return -1;
    size_t used = get_varint(data + 1, len - 1, n);
    if (!used)
        return -1;
    *kind = (samplecol_kind)data[0];
    return (int)(1 + used);
}

long long samplecol_count(const unsigned char *data, size_t len)
{
    samplecol_kind k;
    uint64_t n;
    if (header(data, len, &k, &n) < 0 || n > (uint64_t)1 << 40)
        return -1;
    return (long long)n;
}

int samplecol_decode(const unsigned char *data, size_t len, size_t n, uint32_t *codes,
                     samplecol_kind *kind)
{
    samplecol_kind k;
    uint64_t count;
    int head = header(data, len, &k, &count);
    if (head < 0 || count != n)
        return -1;
    if (kind)
        *kind = k;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return -1;
    z.next_in = (unsigned char *)data + head;
    z.avail_in = (uInt)(len - (size_t)head);
    unsigned char chunk[1 << 14];
    size_t have = 0, got = 0;
    uint32_t prev = 0;
    int zr = Z_OK, rc = 0;
    while (rc == 0) {
        z.next_out = chunk + have;
        z.avail_out = (uInt)(sizeof chunk - have);
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
            rc = -1;
            break;
        }
        size_t end = sizeof chunk - z.avail_out, pos = 0;
        uint64_t v;
        size_t used;
        while (pos < end && (used = get_varint(chunk + pos, end - pos, &v)) > 0) {
            if (got == n || v > UINT32_MAX) {
                rc = -1;
                break;
            }
            prev += unzigzag((uint32_t)v);
            codes[got++] = prev;
            pos += used;
        }
        /* Keep a varint cut by the chunk's end for the next round. */
        memmove(chunk, chunk + pos, end - pos);
        have = end - pos;
        if (zr == Z_STREAM_END || (zr == Z_BUF_ERROR && z.avail_in == 0) ||
            have == sizeof chunk)
            break;
    }
    if (zr != Z_STREAM_END || z.avail_in != 0 || have != 0 || got != n)
        rc = -1;
    inflateEnd(&z);
    return rc;
}
