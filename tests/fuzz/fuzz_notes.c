/* fuzz_notes.c - notes.md through cmark-gfm and the section splitter.
 * Checks that no raw HTML survives into the page. */
#include <assert.h>

#include "fuzz_common.h"
#include "notes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    notes n;
    memset(&n, 0, sizeof n);
    notes_parse((const char *)data, size, &n);
    assert(n.html);
    /* A tag that the input spelled must come out escaped or omitted. */
    assert(!strstr(n.html, "<script"));
    notes_free(&n);
    return 0;
}
