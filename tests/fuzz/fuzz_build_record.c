/* fuzz_build_record.c - the build record's reader on any lines, sealed
 * with a correct checksum and key so the fuzzer gets past them: it must
 * neither crash nor hang, whatever paths and numbers the lines hold. */
#include <assert.h>

#include "build_record.h"
#include "fuzz_common.h"
#include "sha256.h"
#include "util.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    strbuf b;
    buf_init(&b);
    buf_puts(&b, "memreport build record 1\nkey " KEY "\n");
    buf_putn(&b, (const char *)data, size);
    if (b.len && b.data[b.len - 1] != '\n')
        buf_putc(&b, '\n');
    char hex[65];
    sha256_hex_of(b.data, b.len, hex);
    buf_printf(&b, "end %s\n", hex);
    diag_list msgs;
    char *why = NULL;
    if (!build_record_check_text(b.data, b.len, KEY, &msgs, &why))
        assert(msgs.n == 0);
    diag_free(&msgs);
    free(why);
    buf_free(&b);
    return 0;
}
