/* fuzz_archive.c - the archive reader on any bytes. The first byte picks
 * what they are:
 *  - even: a whole file, written as results.sqlite and read back as every
 *    command reads an archive kept alone (archive_read: the schema's
 *    version, the stored counts against the rows, every index, the packed
 *    columns in the schema's codec). It must give 0 or a message naming
 *    the file, never crash, hang or allocate what the file does not hold.
 *  - odd: one packed sample column, in the codec its bit 1 picks
 *    (Zstandard, or zlib as schemas 2 and 3 wrote it), decoded into
 *    exactly the n codes the next bits and byte ask for (as a row's
 *    collections would). One that decodes says n in its header and
 *    encodes back to one that decodes to the same codes.
 * Seeded with the older-schema fixtures (vacuumed to small pages to fit
 * the input size) and their columns (tests/fuzz/run.sh). */
#include <assert.h>

#include "archive.h"
#include "fuzz_common.h"
#include "samplecol.h"
#include "util.h"

static void read_file(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch();
    fuzz_write(dir, "results.sqlite", data, size);
    char *path = path_join(dir, "results.sqlite");
    analysis a;
    memset(&a, 0, sizeof a);
    diag_list d;
    diag_init(&d);
    int rc = archive_read(path, dir, &a, &d);
    assert(rc == 0 || (d.nerrors > 0 && d.items[d.n - 1].file &&
                       strstr(d.items[d.n - 1].file, "results.sqlite")));
    analysis_free(&a);
    diag_free(&d);
    free(path);
}

static void decode_column(samplecol_codec codec, size_t n, const uint8_t *col, size_t len)
{
    static samplecol_coder *coder;
    if (!coder)
        coder = samplecol_coder_new();
    /* Exactly n codes of room, so a write past them is ASan's finding. */
    uint32_t *codes = malloc((n ? n : 1) * sizeof *codes);
    samplecol_kind kind;
    if (samplecol_decode_as(coder, codec, col, len, n, codes, &kind) == 0) {
        assert(samplecol_count(col, len) == (long long)n);
        assert(n == 0 || samplecol_guess_codec(col, len) == (int)codec);
        unsigned char *again;
        size_t alen = samplecol_encode(coder, kind, codes, n, &again);
        uint32_t *back = malloc((n ? n : 1) * sizeof *back);
        assert(samplecol_decode(coder, again, alen, n, back, NULL) == 0);
        assert(n == 0 || memcmp(back, codes, n * sizeof *codes) == 0);
        free(back);
        free(again);
    }
    free(codes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!(data[0] & 1)) {
        read_file(data + 1, size - 1);
    } else if (size >= 2) {
        samplecol_codec codec = data[0] & 2 ? SAMPLECOL_ZLIB : SAMPLECOL_ZSTD;
        size_t n = ((size_t)(data[0] >> 2) << 8 | data[1]) % 4097; /* up to 4 segments */
        decode_column(codec, n, data + 2, size - 2);
    }
    return 0;
}
