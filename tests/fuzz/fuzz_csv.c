/* fuzz_csv.c - the streaming CSV reader on any bytes, differentially: the
 * fast path and libcsv alone must give the same records and the same
 * number of errors. Then the memory-CSV ingest over the same bytes. */
#include <assert.h>

#include "csvread.h"
#include "fuzz_common.h"
#include "ingest.h"
#include "model.h"

typedef struct {
    char *rows;   /* every field of every record, each as "len:bytes" */
    size_t len, cap;
    size_t nrec, nerr;
} dump;

static void put(dump *o, const char *s, size_t n)
{
    if (o->len + n + 32 > o->cap) {
        o->cap = (o->len + n + 32) * 2;
        o->rows = realloc(o->rows, o->cap);
        assert(o->rows);
    }
    o->len += (size_t)snprintf(o->rows + o->len, 32, "%zu:", n);
    memcpy(o->rows + o->len, s, n);
    o->len += n;
}

static void read_all(const uint8_t *data, size_t size, bool libcsv, dump *o)
{
    FILE *f = fmemopen((void *)data, size, "rb");
    assert(f);
    diag_list d;
    diag_init(&d);
    csvr *r = csvr_open(f, "fuzz.csv", libcsv);
    csv_row row;
    while (csvr_next(r, &row, &d)) {
        o->nrec++;
        put(o, "\n", 1);
        for (size_t i = 0; i < row.n; i++) {
            put(o, row.f[i], row.len[i]);
            (void)csv_row_col(&row, i);
        }
    }
    char hex[65];
    csvr_sha256(r, hex);
    csvr_close(r, &d);
    o->nerr = d.nerrors;
    diag_free(&d);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) /* fmemopen wants at least one byte */
        return 0;
    dump fast = {0}, ref = {0};
    read_all(data, size, false, &fast);
    read_all(data, size, true, &ref);
    assert(fast.nrec == ref.nrec);
    assert(fast.nerr == ref.nerr);
    assert(fast.len == ref.len && (!fast.len || !memcmp(fast.rows, ref.rows, fast.len)));
    free(fast.rows);
    free(ref.rows);

    FILE *f = fmemopen((void *)data, size, "rb");
    assert(f);
    experiment e;
    memset(&e, 0, sizeof e);
    diag_list d;
    diag_init(&d);
    ingest_options opt = {.strict = size & 1};
    ingest_memory_csv(f, "memory.csv", &opt, &e, &d);
    fclose(f);
    experiment_free(&e);
    diag_free(&d);
    return 0;
}
