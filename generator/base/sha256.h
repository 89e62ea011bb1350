/* sha256.h - SHA-256 (FIPS 180-4), streaming.
 *
 * Ingest hashes every input file as it reads it, so the data reference and
 * the archive can name exactly which bytes a report came from, and a
 * rebuild can tell unchanged inputs without parsing them again. */
#ifndef MEMREPORT_SHA256_H
#define MEMREPORT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t total;         /* bytes hashed so far */
    unsigned char block[64];
    size_t nblock;          /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Writes the 32-byte digest; the context must be initialised again before reuse. */
void sha256_final(sha256_ctx *c, unsigned char out[32]);
/* Writes 64 lower-case hex digits and a NUL into hex[65]. */
void sha256_hex(const unsigned char digest[32], char hex[65]);
/* Chooses the CPU's SHA instructions (when on and the CPU has them) or
 * the portable code; returns true when the instructions are in use. The
 * default is on. For tests and benchmarks; not thread-safe. */
bool sha256_use_hardware(bool on);
/* The state of an unfinished hash as bytes, so hashing can go on later
 * from where it stopped (a file that only grew: hash the appended bytes
 * only). Layout: the eight 32-bit words big-endian, the byte count as a
 * 64-bit big-endian integer, then the count mod 64 bytes still waiting for
 * a block: 40 to 103 bytes. Returns the length written into out. */
#define SHA256_STATE_MAX 103
size_t sha256_state_export(const sha256_ctx *c, unsigned char out[SHA256_STATE_MAX]);
/* Restores a state written by sha256_state_export; -1 when the bytes are
 * not one (wrong length for their byte count). */
int sha256_state_import(sha256_ctx *c, const unsigned char *in, size_t len);
/* Hex digest of what the open file fd gives from where it stands to its
 * end; *len gets the bytes hashed. False when a read fails, memory runs
 * out or there are more than max bytes. */
bool sha256_hex_of_fd(int fd, uint64_t max, uint64_t *len, char hex[65]);
/* One-shot convenience: hex digest of data[0..n). */
void sha256_hex_of(const void *data, size_t n, char hex[65]);

#endif
