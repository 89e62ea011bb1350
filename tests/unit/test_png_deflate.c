/* test_png_deflate.c - png_deflate's streams against two decoders that
 * share no code with it (zlib's inflate and libdeflate's): every input
 * comes back byte for byte, from one byte to a chart's 5 MB, across
 * block boundaries, with rows too long for deflate's window, with skewed
 * counts; Huffman codes stay within 15 bits and complete; an input it
 * cannot shrink grows by under 1%; and on the example's charts and a
 * drawn one the stream is within 5% of libdeflate's level 4 (which
 * encoded every PNG before it). */
#include <libdeflate.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "harness.h"
#include "png_deflate.h"
#include "util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* Compresses in and decodes it both ways; a check per decoder. Returns
 * the stream's length (0 when compression failed). */
static size_t round_trip(const char *what, const unsigned char *in, size_t n, size_t row)
{
    unsigned char *z = NULL;
    size_t nz = 0;
    const char *err = NULL;
    int rc = png_deflate(in, n, row, &z, &nz, &err);
    char name[200];
    snprintf(name, sizeof name, "%s: compressed", what);
    OK(rc == 0 && z && nz > 0, name);
    if (rc != 0)
        return 0;
    unsigned char *back = malloc(n + 1);
    uLongf got = (uLongf)n + 1;
    int zr = uncompress(back, &got, z, (uLong)nz);
    snprintf(name, sizeof name, "%s: zlib's inflate gives the %zu bytes back", what, n);
    CHECK_(zr == Z_OK && got == n && memcmp(back, in, n) == 0, name, "zlib %d, %lu bytes", zr,
           (unsigned long)got);
    memset(back, 0, n + 1);
    struct libdeflate_decompressor *dz = libdeflate_alloc_decompressor();
    size_t dn = 0;
    enum libdeflate_result dr = libdeflate_zlib_decompress(dz, z, nz, back, n + 1, &dn);
    libdeflate_free_decompressor(dz);
    snprintf(name, sizeof name, "%s: libdeflate's decoder gives them back", what);
    CHECK_(dr == LIBDEFLATE_SUCCESS && dn == n && memcmp(back, in, n) == 0, name,
           "libdeflate %d, %zu bytes", (int)dr, dn);
    free(back);
    free(z);
    return nz;
}

/* The size libdeflate's level 4 gives the same bytes. */
static size_t libdeflate_size(const unsigned char *in, size_t n)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(4);
    size_t bound = libdeflate_zlib_compress_bound(c, n);
    unsigned char *out = malloc(bound);
    size_t nz = libdeflate_zlib_compress(c, in, n, out, bound);
    libdeflate_free_compressor(c);
    free(out);
    return nz;
}

static void test_small(void)
{
    static const unsigned char one[1] = {0};
    round_trip("one byte", one, 1, 1);
    static const unsigned char three[3] = {0, 7, 7};
    round_trip("three bytes", three, 3, 3);
    unsigned char few[40];
    for (size_t i = 0; i < sizeof few; i++)
        few[i] = (unsigned char)next_random();
    round_trip("40 random bytes", few, sizeof few, 10);
}

/* A 1600 x 1112 chart's scanlines, all one colour: the longest matches,
 * hundreds of blocks' worth of them. */
static void test_flat(void)
{
    size_t row = 1600 * 3 + 1, n = row * 1112;
    unsigned char *in = malloc(n);
    for (size_t y = 0; y < 1112; y++) {
        in[y * row] = 0;
        memset(in + y * row + 1, 0xff, row - 1);
    }
    size_t nz = round_trip("a flat 1600 x 1112 chart", in, n, row);
    CHECK_(nz > 0 && nz < n / 200, "a flat chart: under 0.5% of its bytes", "%zu of %zu", nz,
           n);
    free(in);
}

static void test_random(void)
{
    size_t n = 300000;
    unsigned char *in = malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (unsigned char)next_random();
    size_t nz = round_trip("300,000 random bytes", in, n, 601);
    CHECK_(nz > 0 && nz <= n + n / 100, "random bytes grow by under 1%", "%zu for %zu", nz, n);
    free(in);
}

/* Rows of 40,001 bytes are further apart than deflate's 32 KiB window:
 * the row above cannot be used, the pixels beside can. */
static void test_wide_rows(void)
{
    size_t row = 40001, rows = 12, n = row * rows;
    unsigned char *in = malloc(n);
    for (size_t x = 0; x < row; x++)
        in[x] = x % 5000 < 4000 ? 0x20 : (unsigned char)next_random();
    for (size_t y = 1; y < rows; y++)
        memcpy(in + y * row, in, row);
    round_trip("rows wider than the window", in, n, row);
    free(in);
}

/* Byte k appears fib(k) times, in random order: literals of very
 * different counts among short matches. */
static void test_skewed_counts(void)
{
    size_t fib[26] = {1, 1};
    for (int k = 2; k < 26; k++)
        fib[k] = fib[k - 1] + fib[k - 2];
    size_t n = 0;
    for (int k = 0; k < 26; k++)
        n += fib[k];
    unsigned char *in = malloc(n);
    size_t at = 0;
    for (int k = 0; k < 26; k++)
        for (size_t j = 0; j < fib[k]; j++)
            in[at++] = (unsigned char)(k * 9);
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = next_random() % (i + 1);
        unsigned char t = in[i];
        in[i] = in[j];
        in[j] = t;
    }
    round_trip("skewed byte counts", in, n, n);
    free(in);
}

/* 2^-len summed over the coded symbols, times 2^15: 2^15 for a complete
 * code (every bit string a code or a prefix of one). */
static uint64_t kraft(const uint8_t *len, int n)
{
    uint64_t sum = 0;
    for (int s = 0; s < n; s++)
        if (len[s])
            sum += (uint64_t)1 << (15 - len[s]);
    return sum;
}

/* The length limit itself: Fibonacci counts make a tree as deep as it has
 * symbols; one or no counted symbol still needs a complete code. */
static void test_code_lengths(void)
{
    uint32_t count[286] = {0};
    uint8_t len[286];
    count[0] = count[1] = 1;
    for (int s = 2; s < 24; s++)
        count[s] = count[s - 1] + count[s - 2];
    png_deflate_code_lengths(count, 24, 99, len);
    INT_EQ(len[0], 23, "Fibonacci counts unlimited: the rarest code is 23 bits");
    png_deflate_code_lengths(count, 24, 15, len);
    int longest = 0;
    for (int s = 0; s < 24; s++)
        longest = len[s] > longest ? len[s] : longest;
    CHECK_(longest <= 15 && longest >= 9, "Fibonacci counts limited to 15 bits: none longer",
           "longest %d", longest);
    INT_EQ(kraft(len, 24), 1 << 15, "Fibonacci counts limited: the code is complete");
    OK(len[23] <= len[22] && len[22] <= len[10] && len[10] <= len[0],
       "Fibonacci counts limited: a commoner symbol never has a longer code");
    memset(count, 0, sizeof count);
    count[7] = 40;
    png_deflate_code_lengths(count, 30, 15, len);
    OK(len[7] == 1 && len[0] == 1 && kraft(len, 30) == 1 << 15,
       "one counted symbol: it and the first uncounted one get 1 bit");
    memset(count, 0, sizeof count);
    png_deflate_code_lengths(count, 19, 7, len);
    OK(len[0] == 1 && len[1] == 1 && kraft(len, 19) == 1 << 15,
       "no counted symbol: the first two get 1 bit");
}

/* A drawn chart: background, grid lines, a few polylines with soft
 * edges, and noise where text would be. */
static void test_drawn(void)
{
    enum { W = 1600, H = 700 };
    size_t row = W * 3 + 1, n = row * H;
    unsigned char *in = malloc(n);
    for (size_t y = 0; y < H; y++) {
        unsigned char *r = in + y * row;
        r[0] = 0;
        for (size_t x = 0; x < W; x++) {
            unsigned char v = 0xfa;
            if (y % 100 == 50 || x % 200 == 100)
                v = 0xe0;
            for (int l = 0; l < 5; l++) {
                long cy = 100 + 100 * l + (long)((x * (size_t)(l + 1) / 7) % 90);
                long dy = (long)y - cy;
                if (dy >= -1 && dy <= 1)
                    v = (unsigned char)(0x30 + 0x40 * (dy + 1) + l);
            }
            if (y > 650 && x < 600 && next_random() % 3 == 0)
                v = (unsigned char)next_random();
            r[1 + 3 * x] = v;
            r[2 + 3 * x] = (unsigned char)(v ^ 0x11);
            r[3 + 3 * x] = (unsigned char)(v + 7);
        }
    }
    size_t nz = round_trip("a drawn chart", in, n, row), ref = libdeflate_size(in, n);
    CHECK_(nz > 0 && nz <= ref + ref / 20, "a drawn chart: within 5% of libdeflate's level 4",
           "%zu bytes, libdeflate %zu", nz, ref);
    free(in);
}

/* The example's charts, decoded by libpng and given back as scanlines
 * with no filter, as png_encode.c gives them. */
static void test_example(void)
{
    const char *top = getenv("TOP");
    if (!top) {
        printf("SKIP example charts: TOP not set\n");
        return;
    }
    static const char *const files[] = {"memory_distribution.png", "memory_timeseries.png",
                                        "memory_total.png", "memory_trajectories.png"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char *path = xasprintf("%s/data/example/charts/%s", top, files[i]);
        png_image im;
        memset(&im, 0, sizeof im);
        im.version = PNG_IMAGE_VERSION;
        char name[200];
        snprintf(name, sizeof name, "example %s: libpng reads it", files[i]);
        OK(png_image_begin_read_from_file(&im, path) != 0, name);
        im.format = PNG_FORMAT_RGB;
        size_t w = im.width, h = im.height, row = 3 * w + 1;
        unsigned char *px = malloc(PNG_IMAGE_SIZE(im) + 1);
        if (!png_image_finish_read(&im, NULL, px, 0, NULL)) {
            free(px);
            free(path);
            continue;
        }
        unsigned char *lines = malloc(row * h);
        for (size_t y = 0; y < h; y++) {
            lines[y * row] = 0;
            memcpy(lines + y * row + 1, px + y * 3 * w, 3 * w);
        }
        snprintf(name, sizeof name, "example %s", files[i]);
        size_t nz = round_trip(name, lines, row * h, row), ref = libdeflate_size(lines, row * h);
        snprintf(name, sizeof name, "example %s: within 5%% of libdeflate's level 4", files[i]);
        CHECK_(nz > 0 && nz <= ref + ref / 20, name, "%zu bytes, libdeflate %zu", nz, ref);
        free(lines);
        free(px);
        free(path);
    }
}

int main(void)
{
    test_small();
    test_flat();
    test_random();
    test_wide_rows();
    test_skewed_counts();
    test_code_lengths();
    test_drawn();
    test_example();
    return harness_done();
}
