/* memreport_samples.c - a loadable sqlite extension that decodes the
 * archive's packed sample columns, so the `samples` view of
 * results.sqlite works in the sqlite3 shell:
 *
 *     sqlite3 -cmd '.load build/memreport_samples' EXPDIR/results.sqlite
 *
 * memreport_unpack(COLUMN, C) is the value at collection C of one packed
 * column (samplecol.h): an integer for kB and group columns, a real for
 * frag ratios, NULL for a missing value, a C out of range or a NULL
 * column; an error for bytes that are not a column. The view calls it for
 * every collection of a segment in turn, so the last column decoded is kept
 * (per field position, keyed by its bytes) and each column is unpacked
 * once per query rather than once per value. The columns of older
 * archives (zlib, schemas 2 and 3) are told from their bytes: the
 * extension does not know the file's schema. */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stdlib.h>
#include <string.h>

#include "samplecol.h"

enum { CACHE_SLOTS = 8 };

typedef struct {
    unsigned char *bytes; /* copy of the encoded column */
    size_t len;
    uint32_t *codes;
    size_t n;
    samplecol_kind kind;
} cached_column;

typedef struct {
    cached_column slot[CACHE_SLOTS];
    unsigned next; /* round-robin replacement */
} column_cache;

static void cache_free(void *p)
{
    column_cache *c = p;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->slot[i].bytes);
        free(c->slot[i].codes);
    }
    free(c);
}

static const cached_column *lookup(column_cache *cache, const unsigned char *b, size_t len)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cached_column *s = &cache->slot[i];
        if (s->bytes && s->len == len && memcmp(s->bytes, b, len) == 0)
            return s;
    }
    long long n = samplecol_count(b, len);
    if (n < 0 || (unsigned long long)n > SIZE_MAX / sizeof(uint32_t))
        return NULL;
    uint32_t *codes = malloc((size_t)(n ? n : 1) * sizeof *codes);
    unsigned char *copy = malloc(len);
    samplecol_kind kind;
    int codec = samplecol_guess_codec(b, len);
    if (!codes || !copy || codec < 0 ||
        samplecol_decode_as(NULL, (samplecol_codec)codec, b, len, (size_t)n, codes, &kind) != 0) {
        free(codes);
        free(copy);
        return NULL;
    }
    memcpy(copy, b, len);
    cached_column *s = &cache->slot[cache->next++ % CACHE_SLOTS];
    free(s->bytes);
    free(s->codes);
    *s = (cached_column){.bytes = copy, .len = len, .codes = codes, .n = (size_t)n, .kind = kind};
    return s;
}

static void unpack(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return; /* NULL */
    const unsigned char *b = sqlite3_value_blob(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_int64 c = sqlite3_value_int64(argv[1]);
    const cached_column *col = b ? lookup(sqlite3_user_data(ctx), b, len) : NULL;
    if (!col) {
        sqlite3_result_error(ctx, "memreport_unpack: not a packed sample column", -1);
        return;
    }
    if (c < 0 || (sqlite3_uint64)c >= col->n || col->codes[c] == 0)
        return;
    uint32_t code = col->codes[c];
    switch (col->kind) {
    case SAMPLECOL_KB: sqlite3_result_int64(ctx, samplecol_kb_value(code)); break;
    case SAMPLECOL_GROUP: sqlite3_result_int64(ctx, samplecol_group_value(code)); break;
    case SAMPLECOL_FLOAT: sqlite3_result_double(ctx, samplecol_float_value(code)); break;
    }
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_memreportsamples_init(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    column_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return SQLITE_NOMEM;
    return sqlite3_create_function_v2(db, "memreport_unpack", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, cache, unpack, NULL,
                                      NULL, cache_free);
}
