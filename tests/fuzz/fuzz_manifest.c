/* fuzz_manifest.c - experiment.json parsing (jansson, then the position
 * scanner and every key's checks) on any bytes. */
#include "fuzz_common.h"
#include "manifest.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    experiment e;
    memset(&e, 0, sizeof e);
    manifest_defaults(&e.man);
    diag_list d;
    diag_init(&d);
    manifest_parse((const char *)data, size, "experiment.json", &e.man, &d);
    for (size_t i = 0; i < d.n; i++)
        free(diag_format(&d.items[i]));
    experiment_free(&e);
    diag_free(&d);
    return 0;
}
