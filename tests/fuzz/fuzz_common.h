/* fuzz_common.h - small helpers the libFuzzer targets share.
 *
 * Each target defines LLVMFuzzerTestOneInput over one parser. Targets that
 * need files write the input into a private scratch directory made once
 * per process (under $TMPDIR), so runs never touch the repository. */
#ifndef MEMREPORT_FUZZ_COMMON_H
#define MEMREPORT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A directory of this process's own, removed by nobody: libFuzzer exits
 * with _exit, and the few small files in it are overwritten each run. */
static inline const char *fuzz_scratch(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/memreport-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            abort();
        }
    }
    return dir;
}

/* Writes data to dir/name (replacing it). Aborts on failure: a broken
 * scratch directory is the harness's fault, not a finding. */
static inline void fuzz_write(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

#endif
