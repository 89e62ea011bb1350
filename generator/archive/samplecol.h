/* samplecol.h - one relay's samples of one field as a compact byte string.
 *
 * The archive stores samples per relay as packed columns: one BLOB per
 * relay and field, holding that field at every collection (docs/archive.md
 * describes the bytes). A value becomes a 32-bit code (0 = missing), the
 * codes become differences from the previous code (zigzag, LEB128
 * varints), and the varints are packed by Zstandard's fast level (older
 * archives deflated them with zlib: still read). Slowly
 * moving memory readings become one to three bytes each before packing,
 * and runs of equal values (a high-water mark, a group column, missing
 * stretches) almost nothing.
 *
 * The encoding is exact: decoding gives back every kB value, every float's
 * bits (a missing frag ratio is NAN) and every group index. */
#ifndef MEMREPORT_SAMPLECOL_H
#define MEMREPORT_SAMPLECOL_H

#include <stddef.h>
#include <stdint.h>

/* The first byte of a column: which field type the codes stand for. */
typedef enum {
    SAMPLECOL_KB = 'k',    /* uint32 kB, KB_MISSING (UINT32_MAX) missing */
    SAMPLECOL_FLOAT = 'f', /* float, NAN missing */
    SAMPLECOL_GROUP = 'g', /* uint16 index, COLGROUP_NONE (UINT16_MAX) missing */
} samplecol_kind;

/* The compression contexts and scratch buffer of one thread, reused from
 * column to column (setting them up costs more than a column). */
typedef struct samplecol_coder samplecol_coder;
samplecol_coder *samplecol_coder_new(void);
void samplecol_coder_free(samplecol_coder *c);

/* A column of n values, each code v: codes[i] = 0 means missing. The
 * byte string is malloc'd into *out (free it); returns its length. `c`
 * may be NULL (a coder is made for this one call). */
size_t samplecol_encode(samplecol_coder *c, samplecol_kind kind, const uint32_t *codes,
                        size_t n, unsigned char **out);

/* How the varints after the header are compressed: one Zstandard frame
 * (archive schema 4 and later, and every column written now), or one zlib
 * stream (RFC 1950, schema 2 and 3), read only. */
typedef enum { SAMPLECOL_ZSTD, SAMPLECOL_ZLIB } samplecol_codec;

/* Decodes a column that must hold exactly n codes into codes[0..n).
 * Returns 0, or -1 when the bytes are not such a column (wrong kind, other
 * count, damaged or trailing bytes, checksum): then codes is unspecified.
 * *kind gets the kind when it is not NULL. `c` may be NULL. Whatever the
 * bytes say, at most 5n + 1 bytes are unpacked. samplecol_decode is
 * samplecol_decode_as with SAMPLECOL_ZSTD. */
int samplecol_decode(samplecol_coder *c, const unsigned char *data, size_t len, size_t n,
                     uint32_t *codes, samplecol_kind *kind);
int samplecol_decode_as(samplecol_coder *c, samplecol_codec codec, const unsigned char *data,
                        size_t len, size_t n, uint32_t *codes, samplecol_kind *kind);

/* The codec a column's compressed part starts like (Zstandard's magic
 * number, else zlib), for readers that do not know the archive's schema
 * (the sqlite extension); -1 when the header is damaged. */
int samplecol_guess_codec(const unsigned char *data, size_t len);

/* The number of codes a column says it holds, or -1 when the header is
 * damaged: for readers that do not know n (the sqlite extension). */
long long samplecol_count(const unsigned char *data, size_t len);

/* Field values to codes and back. */
static inline uint32_t samplecol_kb_code(uint32_t kb)
{
    return kb + 1u; /* KB_MISSING wraps to 0 */
}
static inline uint32_t samplecol_kb_value(uint32_t code)
{
    return code - 1u;
}
static inline uint32_t samplecol_group_code(uint16_t g)
{
    return (uint16_t)(g + 1u); /* COLGROUP_NONE wraps to 0 */
}
static inline uint16_t samplecol_group_value(uint32_t code)
{
    return (uint16_t)(code - 1u);
}
/* A float's bits plus one, so that 0 is free for "missing" (every NAN is
 * stored as missing; -NAN's bit pattern 0xFFFFFFFF never occurs). */
uint32_t samplecol_float_code(float f);
float samplecol_float_value(uint32_t code);

#endif
