/* png_encode.c - see png_encode.h. The PNG is written here, chunk by
 * chunk (signature, IHDR, one IDAT, IEND); png_deflate.c compresses the
 * rows and libdeflate computes the chunks' CRC-32. The rows are packed
 * in the pixels' own buffer: a copy of a 1600-pixel chart is 5 MB of
 * fresh pages to fault in and write, for each chart of every build. */
#include "png_encode.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "png_deflate.h"
#include "util.h"

/* No filter: the Up, Sub or Paeth filters lose to none on antialiased
 * lines over flat colour (bench/RESULTS.md), and png_deflate finds the
 * row above by itself. */
#define PNG_FILTER_NONE 0

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

/* Frames the n data bytes already at p + 8 as a chunk of the given type:
 * length before, CRC of type and data after. Returns the end. */
static unsigned char *chunk(unsigned char *p, const char type[4], size_t n)
{
    put_u32(p, (uint32_t)n);
    memcpy(p + 4, type, 4);
    uint32_t crc = libdeflate_crc32(0, p + 4, n + 4);
    return put_u32(p + 8 + n, crc);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <tmmintrin.h>
#define HAVE_PACK_SSSE3 1

/* Row pixels [0, n) of src packed as RGB at out + 1, four at a time, and
 * the filter byte at out[0]; n is at least 8, a multiple of 4, at most w.
 * One shuffle turns four pixels' 16 bytes (B G R X each: little-endian
 * 0x00RRGGBB) into 12 bytes of R G B; each 16-byte store is made once the
 * next four pixels are loaded, so in place it never reaches a pixel not
 * yet read (its last 4 bytes are the next store's to overwrite), and the
 * filter byte is written once the first four are loaded. */
__attribute__((target("ssse3"))) static void pack_row_ssse3(const unsigned char *src,
                                                             unsigned char *out, size_t n)
{
    const __m128i rgb = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    __m128i cur = _mm_loadu_si128((const __m128i *)(const void *)src);
    out[0] = PNG_FILTER_NONE;
    unsigned char *p = out + 1;
    size_t x = 0;
    for (; x + 8 <= n; x += 4) {
        __m128i next = _mm_loadu_si128((const __m128i *)(const void *)(src + 4 * (x + 4)));
        _mm_storeu_si128((__m128i *)(void *)(p + 3 * x), _mm_shuffle_epi8(cur, rgb));
        cur = next;
    }
    /* The last four: 12 bytes exactly. */
    __m128i v = _mm_shuffle_epi8(cur, rgb);
    _mm_storel_epi64((__m128i *)(void *)(p + 3 * x), v);
    uint32_t tail = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(v, 8));
    memcpy(p + 3 * x + 8, &tail, 4);
}
#endif

/* Packs the rows into the PNG's filtered image in place: row y becomes a
 * filter byte and its RGB triples at y * (3w + 1). No byte is written
 * before it is read: with stride >= 4w, a row's output starts at or
 * before its input, each pixel's three bytes end before the next pixel's
 * four begin, and only the filter byte can land on the row's first pixel,
 * which is read before it. Four pixels at a time where the processor has
 * SSSE3 (pack_row_ssse3), the rest one by one. */
static void pack_rows(unsigned char *pixels, int w, int h, size_t stride)
{
    size_t row = (size_t)w * 3 + 1, fast = 0;
#ifdef HAVE_PACK_SSSE3
    if (w >= 8 && __builtin_cpu_supports("ssse3"))
        fast = (size_t)w / 4 * 4;
#endif
    for (size_t y = 0; y < (size_t)h; y++) {
        const unsigned char *src = pixels + y * stride;
        unsigned char *p = pixels + y * row;
        uint32_t v;
        size_t x = 0;
#ifdef HAVE_PACK_SSSE3
        if (fast) {
            pack_row_ssse3(src, p, fast);
            x = fast;
        }
#endif
        if (!x) {
            memcpy(&v, src, sizeof v);
            *p = PNG_FILTER_NONE;
        }
        p += 1 + 3 * x;
        for (; x < (size_t)w; x++) {
            if (x)
                memcpy(&v, src + 4 * x, sizeof v);
            p[0] = (unsigned char)(v >> 16);
            p[1] = (unsigned char)(v >> 8);
            p[2] = (unsigned char)v;
            p += 3;
        }
    }
}

int png_encode_rgb24(unsigned char *pixels, int w, int h, int stride, unsigned char **out,
                     size_t *len, const char **err)
{
    *out = NULL, *len = 0;
    if (w <= 0 || h <= 0 || w > 0x7fffffff / 4 || stride < 4 * w) {
        *err = "PNG: empty or oversized image";
        return -1;
    }
    size_t row = (size_t)w * 3 + 1, nraw = row * (size_t)h;
    pack_rows(pixels, w, h, (size_t)stride);
    unsigned char *z;
    size_t nz;
    if (png_deflate(pixels, nraw, row, &z, &nz, err) != 0)
        return -1;
    if (nz > 0x7fffffff) {
        free(z);
        *err = "PNG: image too large";
        return -1;
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /* signature, IHDR (13 data bytes), IDAT, IEND: 12 framing bytes each */
    unsigned char *png = xmalloc(sizeof sig + 12 + 13 + 12 + nz + 12);
    unsigned char *p = png;
    memcpy(p, sig, sizeof sig);
    p += sizeof sig;
    unsigned char *ihdr = p + 8;
    put_u32(ihdr, (uint32_t)w);
    put_u32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bits per channel */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering (per-row filter bytes) */
    ihdr[12] = 0; /* not interlaced */
    p = chunk(p, "IHDR", 13);
    memcpy(p + 8, z, nz);
    free(z);
    p = chunk(p, "IDAT", nz);
    p = chunk(p, "IEND", 0);
    *out = png;
    *len = (size_t)(p - png);
    return 0;
}
