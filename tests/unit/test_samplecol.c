/* The packed sample columns of the archive: every code comes back exactly
 * (table of columns: empty, all missing, the extremes of each kind, large
 * jumps both ways), a long noisy column packs small, and damaged bytes are
 * refused rather than misread; the zlib columns of archive schemas 2 and 3
 * decode too, and refuse damage the same way. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model.h"
#include "oldcol.h"
#include "samplecol.h"
#include "util.h"

static int round_trip(samplecol_kind kind, const uint32_t *codes, size_t n)
{
    unsigned char *b;
    size_t len = samplecol_encode(NULL, kind, codes, n, &b);
    uint32_t *back = malloc((n ? n : 1) * sizeof *back);
    samplecol_kind k;
    int ok = samplecol_decode(NULL, b, len, n, back, &k) == 0 && k == kind &&
             (n == 0 || memcmp(back, codes, n * sizeof *codes) == 0) &&
             samplecol_count(b, len) == (long long)n;
    free(back);
    free(b);
    return ok;
}

int main(void)
{
    static const struct {
        const char *name;
        samplecol_kind kind;
        uint32_t v[6];
        size_t n;
    } cases[] = {
        {"empty", SAMPLECOL_KB, {0}, 0},
        {"all missing", SAMPLECOL_KB, {0, 0, 0, 0}, 4},
        {"kB extremes", SAMPLECOL_KB, {1, UINT32_MAX, 0, UINT32_MAX, 1, 2}, 6},
        {"jumps both ways", SAMPLECOL_KB, {5, 4000000000u, 7, 0, 3000000000u, 3000000001u}, 6},
        {"groups", SAMPLECOL_GROUP, {1, 1, 0, 2, 65535, 0}, 6},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char name[80];
        snprintf(name, sizeof name, "round trip: %s", cases[i].name);
        OK(round_trip(cases[i].kind, cases[i].v, cases[i].n), name);
    }

    /* Values to codes: missing is 0 for every kind; the largest real kB
     * value and every float's bits survive. */
    INT_EQ(samplecol_kb_code(KB_MISSING), 0, "code: missing kB is 0");
    INT_EQ(samplecol_kb_value(samplecol_kb_code(UINT32_MAX - 1)), UINT32_MAX - 1,
           "code: largest kB value");
    INT_EQ(samplecol_group_code(COLGROUP_NONE), 0, "code: no group is 0");
    INT_EQ(samplecol_group_value(samplecol_group_code(7)), 7, "code: group 7");
    INT_EQ(samplecol_float_code(NAN), 0, "code: NAN is missing");
    const float fl[] = {0.0f, -0.0f, 3.42f, 1e-30f, INFINITY, -INFINITY, 16777217.0f};
    int fbad = 0;
    for (size_t i = 0; i < ARRAY_LEN(fl); i++) {
        float back = samplecol_float_value(samplecol_float_code(fl[i]));
        fbad += memcmp(&back, &fl[i], sizeof back) != 0;
    }
    INT_EQ(fbad, 0, "code: float bits kept (signed zero, infinities)");
    OK(isnan(samplecol_float_value(0)), "code: 0 is NAN");

    /* A year of hourly readings that wander by a few MB: a few bytes each. */
    enum { N = 8760 };
    uint32_t *col = malloc(N * sizeof *col);
    uint32_t x = 1500000;
    srand(1);
    for (size_t i = 0; i < N; i++) {
        x += (uint32_t)(rand() % 4001) - 2000u;
        col[i] = i % 97 == 5 ? 0 : samplecol_kb_code(x);
    }
    OK(round_trip(SAMPLECOL_KB, col, N), "round trip: noisy year with gaps");
    unsigned char *b;
    size_t len = samplecol_encode(NULL, SAMPLECOL_KB, col, N, &b);
    OK(len < N * 3, "noisy year: under 3 bytes a value");

    /* Damage: every cut short, a flipped byte, the wrong count or kind,
     * bytes after the stream. */
    uint32_t *back = malloc(N * sizeof *back);
    int cut_ok = 0;
    for (size_t cut = 0; cut < len; cut += 1 + len / 50)
        cut_ok += samplecol_decode(NULL, b, cut, N, back, NULL) == 0;
    INT_EQ(cut_ok, 0, "damaged: cut short refused");
    INT_EQ(samplecol_decode(NULL, b, len, N - 1, back, NULL), -1, "damaged: other count refused");
    unsigned char *c = malloc(len + 1);
    memcpy(c, b, len);
    c[0] = 'x';
    INT_EQ(samplecol_decode(NULL, c, len, N, back, NULL), -1, "damaged: unknown kind refused");
    memcpy(c, b, len);
    c[len / 2] ^= 0x5a;
    INT_EQ(samplecol_decode(NULL, c, len, N, back, NULL), -1, "damaged: flipped byte refused");
    memcpy(c, b, len);
    c[len] = 0;
    INT_EQ(samplecol_decode(NULL, c, len + 1, N, back, NULL), -1, "damaged: trailing byte refused");
    INT_EQ(samplecol_count(c, 1), -1, "damaged: no count");
    free(c);
    /* Schema 2 and 3's columns: the same varints in a zlib stream, made
     * by tests/oldcol.h from the format's description. They decode as
     * zlib only, and every way of damaging them is refused, also a
     * stream that unpacks to more than n varints can take. */
    unsigned char *z;
    size_t zlen = oldcol_encode(SAMPLECOL_KB, col, N, &z);
    uint32_t *zback = malloc(N * sizeof *zback);
    samplecol_kind zk;
    OK(samplecol_decode_as(NULL, SAMPLECOL_ZLIB, z, zlen, N, zback, &zk) == 0 && zk == SAMPLECOL_KB &&
           memcmp(zback, col, N * sizeof *col) == 0,
       "zlib: a noisy year comes back exactly");
    INT_EQ(samplecol_guess_codec(z, zlen), SAMPLECOL_ZLIB, "zlib: told from its bytes");
    INT_EQ(samplecol_guess_codec(b, len), SAMPLECOL_ZSTD, "zstd: told from its bytes");
    INT_EQ(samplecol_guess_codec(b, 1), -1, "no header: no codec");
    INT_EQ(samplecol_decode(NULL, z, zlen, N, zback, NULL), -1, "zlib: not read as Zstandard");
    INT_EQ(samplecol_decode_as(NULL, SAMPLECOL_ZLIB, b, len, N, zback, NULL), -1,
           "zstd: not read as zlib");
    INT_EQ(samplecol_decode_as(NULL, (samplecol_codec)7, b, len, N, zback, NULL), -1,
           "an unknown codec: refused");
    samplecol_coder *coder = samplecol_coder_new(); /* one coder, reused as the reader does */
    cut_ok = 0;
    for (size_t cut = 0; cut < zlen; cut += 1 + zlen / 50)
        cut_ok += samplecol_decode_as(coder, SAMPLECOL_ZLIB, z, cut, N, zback, NULL) == 0;
    INT_EQ(cut_ok, 0, "zlib, damaged: cut short refused");
    INT_EQ(samplecol_decode_as(coder, SAMPLECOL_ZLIB, z, zlen, N + 1, zback, NULL), -1,
           "zlib, damaged: other count refused");
    c = malloc(zlen + 1);
    memcpy(c, z, zlen);
    c[zlen / 2] ^= 0x5a;
    INT_EQ(samplecol_decode_as(coder, SAMPLECOL_ZLIB, c, zlen, N, zback, NULL), -1,
           "zlib, damaged: flipped byte refused (Adler-32)");
    memcpy(c, z, zlen);
    c[zlen] = 0;
    INT_EQ(samplecol_decode_as(coder, SAMPLECOL_ZLIB, c, zlen + 1, N, zback, NULL), -1,
           "zlib, damaged: trailing byte refused");
    free(c);
    /* The header says 4 values; the stream holds 4 MiB of zero varints. */
    unsigned char *zeros = calloc(1 << 22, 1), *bomb;
    size_t blen = oldcol_wrap(SAMPLECOL_KB, 4, zeros, 1 << 22, &bomb);
    INT_EQ(samplecol_decode_as(coder, SAMPLECOL_ZLIB, bomb, blen, 4, zback, NULL), -1,
           "zlib, damaged: a stream longer than its values refused");
    free(bomb);
    /* Fewer varints than the header says, and a varint beyond 32 bits. */
    blen = oldcol_wrap(SAMPLECOL_KB, 5, zeros, 4, &bomb);
    INT_EQ(samplecol_decode_as(coder, SAMPLECOL_ZLIB, bomb, blen, 5, zback, NULL), -1,
           "zlib, damaged: too few values refused");
    free(bomb);
    const unsigned char wide[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
    blen = oldcol_wrap(SAMPLECOL_KB, 1, wide, sizeof wide, &bomb);
    INT_EQ(samplecol_decode_as(coder, SAMPLECOL_ZLIB, bomb, blen, 1, zback, NULL), -1,
           "zlib, damaged: a value beyond 32 bits refused");
    free(bomb);
    free(zeros);
    /* After all that the coder still decodes a good column. */
    OK(samplecol_decode_as(coder, SAMPLECOL_ZLIB, z, zlen, N, zback, NULL) == 0 &&
           memcmp(zback, col, N * sizeof *col) == 0,
       "zlib: the coder recovers after damaged columns");
    samplecol_coder_free(coder);
    free(zback);
    free(z);
    free(back);
    free(b);
    free(col);
    return harness_done();
}
