/* strmap: insert, replace, look-up across rehashes. */
#include <stdio.h>

#include "harness.h"
#include "strmap.h"

int main(void)
{
    strmap m;
    strmap_init(&m);
    size_t v = 0;
    OK(!strmap_get(&m, "a", 1, &v), "empty map has nothing");
    char key[32];
    for (size_t i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "relay%zu", i);
        strmap_put(&m, key, (size_t)n, i * 3);
    }
    INT_EQ(m.n, 5000, "5000 distinct keys");
    size_t wrong = 0;
    for (size_t i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof key, "relay%zu", i);
        if (!strmap_get(&m, key, (size_t)n, &v) || v != i * 3)
            wrong++;
    }
    INT_EQ(wrong, 0, "every key found with its value");
    strmap_put(&m, "relay7", 6, 1);
    OK(strmap_get(&m, "relay7", 6, &v) && v == 1 && m.n == 5000, "put replaces");
    OK(!strmap_get(&m, "relay7x", 6, &v) || v == 1, "length bounds the key");
    OK(!strmap_get(&m, "relay", 5, &v), "prefix is not a key");
    strmap_free(&m);
    return harness_done();
}
