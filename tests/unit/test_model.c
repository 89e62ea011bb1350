/* experiment_table_fits: the bound on the relays x collections table that
 * every reader applies before allocating it, at its edges; collection_at,
 * the exact-time look-up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "model.h"

static bool fits(uint64_t nr, uint64_t nc, uint64_t ns, const char *want_in_why)
{
    char *why = NULL;
    bool ok = experiment_table_fits(nr, nc, ns, &why);
    bool said = ok ? why == NULL : why != NULL && (!want_in_why || strstr(why, want_in_why));
    free(why);
    return ok && said;
}

static bool refused(uint64_t nr, uint64_t nc, uint64_t ns, const char *want_in_why)
{
    char *why = NULL;
    bool ok = experiment_table_fits(nr, nc, ns, &why);
    bool said = why != NULL && strstr(why, want_in_why) != NULL;
    free(why);
    return !ok && said;
}

int main(void)
{
    /* 4,096 x 4,096 is 2^24 cells: allowed empty, one more relay is not. */
    OK(fits(4096, 4096, 0, NULL), "2^24 cells and no sample: fits");
    OK(refused(4097, 4096, 0, "fewer than one in 64"), "2^24 + 4,096 cells, no sample: refused");
    /* Beyond 2^24 cells, one sample in 64 cells is the sparsest allowed. */
    uint64_t cells = 8192ull * 4096;
    OK(fits(8192, 4096, cells / 64, NULL), "one sample in 64 cells: fits");
    OK(refused(8192, 4096, cells / 64 - 1, "for 524287 samples"), "just below one in 64: refused");
    /* The fleet: 1,000 x 8,760, dense. */
    OK(fits(1000, 8760, 8760000, NULL), "the fleet fits");
    /* Full but larger than half the machine's memory. */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        uint64_t phys = (uint64_t)pages * (uint64_t)page;
        uint64_t nc = 1000000, nr = phys / 2 / 18 / nc + 1;
        OK(refused(nr, nc, nr * nc, "half of this machine's memory"),
           "a full table of more than half the memory: refused");
        nr = phys / 4 / 18 / nc;
        OK(fits(nr, nc, nr * nc, NULL), "a full table of a quarter of the memory: fits");
    }
    /* Products that overflow 64 bits. */
    OK(refused(UINT64_MAX / 2, 3, UINT64_MAX, "too large"), "relays x collections overflows");
    OK(refused(1ull << 31, 1ull << 31, UINT64_MAX, "too large"), "cells x 18 bytes overflows");

    /* collection_at: each time finds its own index, any other time none. */
    const int64_t t[] = {-3600, 0, 3600, 7200, 86400};
    bool each = true;
    for (size_t i = 0; i < 5; i++)
        each = each && collection_at(t, 5, t[i]) == i && collection_at(t, i + 1, t[i]) == i;
    OK(each, "collection_at: every collection time gives its index, however many follow");
    OK(collection_at(t, 5, -3601) == SIZE_MAX && collection_at(t, 5, 1) == SIZE_MAX &&
           collection_at(t, 5, 86401) == SIZE_MAX,
       "collection_at: before, between and after the collections: none");
    OK(collection_at(t, 0, 0) == SIZE_MAX && collection_at(t, 2, 3600) == SIZE_MAX,
       "collection_at: a time beyond the n given is not found");
    return harness_done();
}
