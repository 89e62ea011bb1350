/* fuzz_png_deflate.c - png_deflate on any bytes, checked by zlib's
 * inflate: the stream must give the input back exactly. The first two
 * bytes give the row length (1 to 40,000: up to wider than the window),
 * the third how many times the rest is repeated (1 to 16, so that long
 * matches and several blocks come up from a short input). */
#include <assert.h>
#include <stdlib.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "png_deflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t row = 1 + ((size_t)data[0] << 8 | data[1]) % 40000;
    size_t reps = 1 + data[2] % 16;
    data += 3, size -= 3;
    size_t n = size * reps;
    unsigned char *in = malloc(n + 1);
    for (size_t r = 0; r < reps; r++)
        memcpy(in + r * size, data, size);
    unsigned char *z = NULL;
    size_t nz = 0;
    const char *err = NULL;
    int rc = png_deflate(in, n, row, &z, &nz, &err);
    assert(rc == 0);
    unsigned char *back = malloc(n + 1);
    uLongf got = (uLongf)n + 1;
    assert(uncompress(back, &got, z, (uLong)nz) == Z_OK);
    assert(got == n && memcmp(back, in, n) == 0);
    free(back);
    free(z);
    free(in);
    return 0;
}
