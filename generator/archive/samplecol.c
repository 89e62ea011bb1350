/* samplecol.c - packed sample columns (see samplecol.h, docs/archive.md).
 *
 * Bytes: the kind ('k', 'f' or 'g'), the count n as a LEB128 varint, then
 * one Zstandard frame (RFC 8878, level 1, with its content size and
 * checksum) whose content is n LEB128 varints: the zigzag of each code's
 * difference from the previous one (the first from 0), modulo 2^32.
 * Zstandard's fast level packs these varints as small as deflate did at
 * a fifth of the time, and unpacks them several times faster; the frame's
 * checksum catches a damaged column that would still parse. Archives of
 * schema 2 and 3 hold a zlib stream (RFC 1950, with its Adler-32) in place
 * of the frame: decoded the same way, into the same bounded buffer. */
#include "samplecol.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "util.h"

#ifndef SAMPLECOL_LEVEL
#define SAMPLECOL_LEVEL 1
#endif

/* A 32-bit value takes at most 5 varint bytes. */
enum { VARINT_MAX = 5 };

struct samplecol_coder {
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    z_stream z;         /* set up on the first zlib column (older archives) */
    bool zready;
    unsigned char *raw; /* the varints of one column */
    size_t cap;
};

samplecol_coder *samplecol_coder_new(void)
{
    samplecol_coder *c = xcalloc(1, sizeof *c);
    c->cctx = ZSTD_createCCtx();
    c->dctx = ZSTD_createDCtx();
    if (!c->cctx || !c->dctx)
        abort(); /* only out of memory: the out-of-memory policy */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_compressionLevel, SAMPLECOL_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_checksumFlag, 1)))
        abort();
    return c;
}

void samplecol_coder_free(samplecol_coder *c)
{
    if (!c)
        return;
    ZSTD_freeCCtx(c->cctx);
    ZSTD_freeDCtx(c->dctx);
    if (c->zready)
        inflateEnd(&c->z);
    free(c->raw);
    free(c);
}

static unsigned char *scratch(samplecol_coder *c, size_t n)
{
    size_t need = n * VARINT_MAX + 1;
    if (need > c->cap) {
        free(c->raw);
        c->raw = xmalloc(need);
        c->cap = need;
    }
    return c->raw;
}

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

/* Reads a varint of at most `max` bytes from p[0..len) (the header's
 * count); returns the bytes used, 0 when it does not end in time. */
static size_t get_varint(const unsigned char *p, size_t len, size_t max, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < len && i < max; i++) {
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

size_t samplecol_encode(samplecol_coder *coder, samplecol_kind kind, const uint32_t *codes,
                        size_t n, unsigned char **out)
{
    samplecol_coder *c = coder ? coder : samplecol_coder_new();
    unsigned char *raw = scratch(c, n);
    size_t rlen = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        rlen += put_varint(raw + rlen, zigzag(codes[i] - prev));
        prev = codes[i];
    }
    size_t bound = ZSTD_compressBound(rlen);
    unsigned char *buf = xmalloc(11 + bound);
    buf[0] = (unsigned char)kind;
    size_t head = 1 + put_varint(buf + 1, n);
    size_t zlen = ZSTD_compress2(c->cctx, buf + head, bound, raw, rlen);
    if (ZSTD_isError(zlen))
        abort(); /* the bound always suffices: only out of memory is left */
    if (!coder)
        samplecol_coder_free(c);
    *out = buf;
    return head + zlen;
}

static int header(const unsigned char *data, size_t len, samplecol_kind *kind, uint64_t *n)
{
    if (len < 2 || (data[0] != SAMPLECOL_KB && data[0] != SAMPLECOL_FLOAT &&
                    data[0] != SAMPLECOL_GROUP))
        return -1;
    size_t used = get_varint(data + 1, len - 1, 10, n);
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

/* The varints of raw[0..rlen) into exactly n codes, with nothing left
 * over. One byte is the common case (slow readings, runs of equal codes),
 * so it is tested first; a varint may take at most 5 bytes, the last
 * holding the top 4 bits of 32. */
static int unpack_varints(const unsigned char *raw, size_t rlen, size_t n, uint32_t *codes)
{
    const unsigned char *p = raw, *end = raw + rlen;
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (p == end)
            return -1;
        uint32_t v = *p++;
        if (v & 0x80) {
            v &= 0x7f;
            for (unsigned shift = 7;; shift += 7) {
                if (p == end)
                    return -1;
                uint32_t b = *p++;
                if (shift == 28 && b > 0x0f)
                    return -1; /* beyond 32 bits, or a sixth byte */
                v |= (b & 0x7f) << shift;
                if (!(b & 0x80))
                    break;
            }
        }
        prev += unzigzag(v);
        codes[i] = prev;
    }
    return p == end ? 0 : -1;
}

/* Zstandard: exactly one frame, with a content size n to 5n bytes, so a
 * damaged header cannot make it allocate or write more. The number of
 * bytes unpacked, or -1. */
static long long unpack_zstd(samplecol_coder *c, const unsigned char *frame, size_t flen,
                             size_t n)
{
    unsigned long long content = ZSTD_getFrameContentSize(frame, flen);
    if (content == ZSTD_CONTENTSIZE_UNKNOWN || content == ZSTD_CONTENTSIZE_ERROR ||
        content < n || content > (unsigned long long)n * VARINT_MAX ||
        ZSTD_findFrameCompressedSize(frame, flen) != flen)
        return -1;
    unsigned char *raw = scratch(c, n);
    size_t got = ZSTD_decompressDCtx(c->dctx, raw, c->cap, frame, flen);
    return ZSTD_isError(got) || got != content ? -1 : (long long)got;
}

/* zlib: one whole stream that ends with the input and unpacks into the
 * 5n + 1 bytes n varints can take at most (a stream that wants more is
 * not a column, and is refused when the buffer fills). */
static long long unpack_zlib(samplecol_coder *c, const unsigned char *stream, size_t slen,
                             size_t n)
{
    if (!c->zready) {
        memset(&c->z, 0, sizeof c->z);
        if (inflateInit(&c->z) != Z_OK)
            abort(); /* only out of memory: the out-of-memory policy */
        c->zready = true;
    } else if (inflateReset(&c->z) != Z_OK) {
        return -1;
    }
    unsigned char *raw = scratch(c, n);
    size_t cap = n * VARINT_MAX + 1; /* scratch's size for n */
    if (slen > UINT_MAX || cap > UINT_MAX)
        return -1; /* zlib counts in unsigned int; no column of an archive is this long */
    c->z.next_in = (unsigned char *)stream;
    c->z.avail_in = (uInt)slen;
    c->z.next_out = raw;
    c->z.avail_out = (uInt)cap;
    int zr = inflate(&c->z, Z_FINISH);
    if (zr != Z_STREAM_END || c->z.avail_in != 0)
        return -1;
    return (long long)(cap - c->z.avail_out);
}

int samplecol_decode_as(samplecol_coder *coder, samplecol_codec codec, const unsigned char *data,
                        size_t len, size_t n, uint32_t *codes, samplecol_kind *kind)
{
    samplecol_kind k;
    uint64_t count;
    int head = header(data, len, &k, &count);
    if (head < 0 || count != n || (codec != SAMPLECOL_ZSTD && codec != SAMPLECOL_ZLIB))
        return -1;
    if (kind)
        *kind = k;
    samplecol_coder *c = coder ? coder : samplecol_coder_new();
    const unsigned char *packed = data + head;
    size_t plen = len - (size_t)head;
    long long got = codec == SAMPLECOL_ZSTD ? unpack_zstd(c, packed, plen, n)
                                            : unpack_zlib(c, packed, plen, n);
    int rc = got < 0 ? -1 : unpack_varints(c->raw, (size_t)got, n, codes);
    if (!coder)
        samplecol_coder_free(c);
    return rc;
}

int samplecol_decode(samplecol_coder *c, const unsigned char *data, size_t len, size_t n,
                     uint32_t *codes, samplecol_kind *kind)
{
    return samplecol_decode_as(c, SAMPLECOL_ZSTD, data, len, n, codes, kind);
}

int samplecol_guess_codec(const unsigned char *data, size_t len)
{
    samplecol_kind k;
    uint64_t n;
    int head = header(data, len, &k, &n);
    if (head < 0)
        return -1;
    static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    return len - (size_t)head >= 4 && memcmp(data + head, zstd_magic, 4) == 0 ? SAMPLECOL_ZSTD
                                                                              : SAMPLECOL_ZLIB;
}
