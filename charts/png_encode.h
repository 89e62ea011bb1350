/* png_encode.h - PNG bytes from a cairo RGB24 image, compressed by
 * png_deflate.c.
 *
 * cairo_surface_write_to_png uses zlib's default level and libpng's
 * adaptive filter search, which tries five filters on every row; charts
 * (flat colour, thin lines, text) compress about as well with no filter
 * and a compressor that looks one pixel back and one row up first, at a
 * small fraction of the time.
 * The bytes depend only on the pixels (no time stamp, no text chunks). */
#ifndef MEMREPORT_PNG_ENCODE_H
#define MEMREPORT_PNG_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* Encodes w x h pixels of cairo's RGB24 format (one native-endian uint32
 * 0x00RRGGBB per pixel, rows `stride` >= 4w bytes apart) as an 8-bit RGB
 * PNG, using the pixels' buffer as its scratch: the pixels are gone
 * afterwards. *out is malloc'd (free it). Returns 0, or -1 with *err set
 * to a static message. */
int png_encode_rgb24(unsigned char *pixels, int w, int h, int stride, unsigned char **out,
                     size_t *len, const char **err);

#endif
