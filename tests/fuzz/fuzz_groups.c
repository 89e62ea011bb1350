/* fuzz_groups.c - a group member file on any bytes, read as
 * groups/group_A_fuzz.txt through the same reader builds use. */
#include <sys/stat.h>

#include "fuzz_common.h"
#include "ingest_internal.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char groups[300];
    const char *dir = fuzz_scratch();
    if (!groups[0]) {
        snprintf(groups, sizeof groups, "%s/groups", dir);
        mkdir(groups, 0700);
    }
    fuzz_write(dir, "groups/group_A_fuzz.txt", data, size);
    experiment e;
    memset(&e, 0, sizeof e);
    diag_list d;
    diag_init(&d);
    ingest_group_file(dir, "groups/group_A_fuzz.txt", "groups/group_A_fuzz.txt", "A", &e, &d);
    experiment_free(&e);
    diag_free(&d);
    return 0;
}
