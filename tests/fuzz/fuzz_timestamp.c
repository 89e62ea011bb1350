/* fuzz_timestamp.c - timestamp_parse and the offset parser on any bytes.
 * Checks that what parses formats and parses back to the same instant. */
#include <assert.h>

#include "fuzz_common.h"
#include "timestamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int tz = 0;
    if (size > 0) /* the first byte picks a zone from -12:00 to +14:00 */
        tz = ((int)data[0] % 53 - 24) * 30;
    ts_value v;
    if (timestamp_parse(s, size, tz, &v) == TS_OK) {
        char buf[64];
        timestamp_format_iso(v.t, tz, buf, sizeof buf);
        ts_value back;
        ts_status st = timestamp_parse(buf, strlen(buf), tz, &back);
        assert(st == TS_OK && back.t == v.t);
        timestamp_format_human(v.t, tz, buf, sizeof buf);
        timestamp_format_date(v.t, tz, buf, sizeof buf);
        (void)timestamp_local_day(v.t, tz);
    }
    char z[64];
    size_t n = size < sizeof z - 1 ? size : sizeof z - 1;
    memcpy(z, data, n);
    z[n] = '\0';
    int minutes;
    if (timestamp_parse_offset(z, &minutes))
        assert(minutes > -24 * 60 && minutes < 24 * 60);
    return 0;
}
