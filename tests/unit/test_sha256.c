/* SHA-256 against the FIPS 180-2 / NIST example vectors, lengths around
 * the padding boundaries (values from sha256sum), and chunked updates;
 * for the portable code and, where the CPU has them, the SHA instructions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "sha256.h"

static const struct {
    const char *name;
    const char *msg;
    const char *hex;
} vectors[] = {
    {"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"448 bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"896 bits",
     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
     "mnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static const struct {
    size_t n;
    const char *hex;
} as[] = {
    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
    {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    {1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static void run(const char *mode)
{
    char hex[65], name[128];
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        sha256_hex_of(vectors[i].msg, strlen(vectors[i].msg), hex);
        snprintf(name, sizeof name, "sha256 %s: %s", mode, vectors[i].name);
        STR_EQ(hex, vectors[i].hex, name);
    }
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
        sha256_hex_of(a, as[i].n, hex);
        snprintf(name, sizeof name, "sha256 %s: %zu x 'a'", mode, as[i].n);
        STR_EQ(hex, as[i].hex, name);
    }
    /* The same million bytes fed in uneven pieces. */
    sha256_ctx c;
    unsigned char dg[32];
    sha256_init(&c);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = step < 1000000 - off ? step : 1000000 - off;
        sha256_update(&c, a + off, n);
        off += n;
        step = step * 7 % 1031 + 1;
    }
    sha256_final(&c, dg);
    sha256_hex(dg, hex);
    snprintf(name, sizeof name, "sha256 %s: chunked updates equal one-shot", mode);
    STR_EQ(hex, as[7].hex, name);
    free(a);
}

/* A hash stopped, saved as bytes and resumed gives the one-shot digest,
 * at every length around the block boundary; bad bytes are refused. */
static void test_state(void)
{
    unsigned char msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 1);
    int bad = 0;
    for (size_t cut = 0; cut <= 130; cut++) {
        sha256_ctx a, b;
        sha256_init(&a);
        sha256_update(&a, msg, cut);
        unsigned char st[SHA256_STATE_MAX];
        size_t n = sha256_state_export(&a, st);
        if (n != 40 + cut % 64 || sha256_state_import(&b, st, n) != 0) {
            bad++;
            continue;
        }
        sha256_update(&b, msg + cut, sizeof msg - cut);
        unsigned char d1[32];
        char h1[65], h2[65];
        sha256_final(&b, d1);
        sha256_hex(d1, h1);
        sha256_hex_of(msg, sizeof msg, h2);
        bad += strcmp(h1, h2) != 0;
    }
    INT_EQ(bad, 0, "state: resumed at 0..130 bytes gives the one-shot digest");
    sha256_ctx a, b;
    sha256_init(&a);
    sha256_update(&a, msg, 70);
    unsigned char st[SHA256_STATE_MAX];
    size_t n = sha256_state_export(&a, st);
    INT_EQ(n, 46, "state: 70 bytes hashed leave 6 waiting");
    INT_EQ(sha256_state_import(&b, st, n - 1), -1, "state: short bytes refused");
    INT_EQ(sha256_state_import(&b, st, 39), -1, "state: no count refused");
}

/* The SHA instructions against the portable code on random bytes: every
 * start offset within a block (unaligned loads), lengths 0..300 and some
 * long ones, fed whole and in random pieces. */
static void test_hardware_matches_portable(void)
{
    enum { N = 70000 };
    unsigned char *buf = malloc(N + 64);
    uint32_t x = 12345;
    for (size_t i = 0; i < N + 64; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    int bad = 0, cases = 0;
    for (size_t off = 0; off < 64; off++)
        for (size_t len = 0; len < N; len = len < 300 ? len + 1 : len * 3 + 17) {
            char h[2][65];
            for (int hw = 0; hw < 2; hw++) {
                sha256_use_hardware(hw == 1);
                sha256_ctx c;
                unsigned char dg[32];
                sha256_init(&c);
                size_t done = 0;
                uint32_t y = (uint32_t)(off * 977 + len);
                while (done < len) { /* portable: whole; SHA-NI: pieces of 0..199 */
                    y = y * 1103515245u + 12345u;
                    size_t k = hw ? (y >> 16) % 200 : len - done;
                    k = k < len - done ? k : len - done;
                    sha256_update(&c, buf + off + done, k);
                    done += k;
                }
                sha256_final(&c, dg);
                sha256_hex(dg, h[hw]);
            }
            bad += strcmp(h[0], h[1]) != 0;
            cases++;
        }
    printf("# %d cases\n", cases);
    INT_EQ(bad, 0, "sha256 SHA-NI: equals the portable code at every offset and length");
    free(buf);
}

/* sha256_hex_of_fd: the same digest as the bytes in memory, across its
 * 64 KiB reads, from where the descriptor stands, and a limit kept. */
static void test_fd(void)
{
    size_t n = (1u << 16) * 3 + 17;
    unsigned char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    FILE *f = tmpfile();
    fwrite(buf, 1, n, f);
    fflush(f);
    int fd = fileno(f);
    char want[65], got[65];
    uint64_t len = 0;
    sha256_hex_of(buf, n, want);
    lseek(fd, 0, SEEK_SET);
    OK(sha256_hex_of_fd(fd, UINT64_MAX, &len, got) && len == n, "sha256 fd: reads it all");
    STR_EQ(got, want, "sha256 fd: the digest of the bytes");
    sha256_hex_of(buf + 100, n - 100, want);
    lseek(fd, 100, SEEK_SET);
    OK(sha256_hex_of_fd(fd, UINT64_MAX, &len, got) && len == n - 100,
       "sha256 fd: from the descriptor's offset");
    STR_EQ(got, want, "sha256 fd: the digest of the rest");
    lseek(fd, 0, SEEK_SET);
    OK(!sha256_hex_of_fd(fd, n - 1, &len, got), "sha256 fd: more than the limit is refused");
    lseek(fd, 0, SEEK_SET);
    OK(sha256_hex_of_fd(fd, n, &len, got), "sha256 fd: exactly the limit is fine");
    OK(!sha256_hex_of_fd(-1, n, &len, got), "sha256 fd: a bad descriptor is refused");
    fclose(f);
    free(buf);
}

int main(void)
{
    test_state();
    test_fd();
    sha256_use_hardware(false);
    run("portable");
    if (sha256_use_hardware(true)) {
        run("SHA-NI");
        test_hardware_matches_portable();
    } else
        printf("SKIP sha256 SHA-NI: this CPU has no SHA instructions\n");
    return harness_done();
}
