/* png_deflate.h - the zlib stream (RFC 1950, 1951) of a PNG's scanlines,
 * made for charts.
 *
 * A chart is mostly long runs of one colour and rows equal to the row
 * above, with antialiased edges and text between. A general compressor
 * (libdeflate, zlib) hashes every input byte to find its matches; this
 * one looks first one pixel back and one row up, and hashes only where
 * those do not reach far, so a background of megabytes costs one compare
 * per 258 bytes. On the example's and the real 5-way experiment's charts
 * it is 2.9-3.6 times as fast as libdeflate's level 4, within 2.3% of its
 * size (bench/png_deflate.sh, bench/RESULTS.md section 14). Any input
 * gives a valid stream; an input it cannot shrink grows by under 1%. */
#ifndef MEMREPORT_PNG_DEFLATE_H
#define MEMREPORT_PNG_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

/* The n bytes at in, rows of `row` bytes each (a filter byte and the
 * row's pixels; row 3 * width + 1 for 8-bit RGB), as a zlib stream in
 * *out (malloc'd: free it), *out_len bytes. Returns 0, or -1 with *err
 * set to a static message (out of memory, or n of 2 GiB or more). */
int png_deflate(const unsigned char *in, size_t n, size_t row, unsigned char **out,
                size_t *out_len, const char **err);

/* Huffman code lengths for the n (<= 286) symbols of counts count, none
 * over limit bits, every code complete (fewer than two counted symbols
 * get company from the first uncounted ones): the counts are halved, a
 * count staying at least 1, until the tree is shallow enough. For the
 * tests; png_deflate calls it for each block. */
void png_deflate_code_lengths(const uint32_t *count, int n, int limit, uint8_t *len);

#endif
