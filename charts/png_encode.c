/* png_encode.c - see png_encode.h. libpng is driven with its write
 * callbacks into a growing buffer; errors come back through setjmp, as
 * libpng requires, and nothing it allocated outlives the call. */
#include "png_encode.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util.h"

/* Measured on the real 5-way experiment's four charts (bench/RESULTS.md):
 * level 4 without filtering keeps every chart within 15% of cairo's bytes
 * (-14% to +10%) in about a third of its time. Level 3 is faster but 26%
 * larger on the total chart; the Up, Sub or Paeth filter lose to no
 * filter on antialiased lines over flat colour. */
#define PNG_LEVEL 4
#define PNG_FILTER PNG_FILTER_NONE

typedef struct {
    unsigned char *data;
    size_t len, cap;
    const char *err;
} png_buf;

static void put(png_structp png, png_bytep data, png_size_t n)
{
    png_buf *b = png_get_io_ptr(png);
    xgrow((void **)&b->data, &b->cap, b->len + n, 1);
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void flush(png_structp png)
{
    (void)png;
}

static void on_error(png_structp png, png_const_charp msg)
{
    png_buf *b = png_get_error_ptr(png);
    (void)msg; /* libpng's text may be in a buffer it frees; keep a static one */
    b->err = "libpng could not encode the image";
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

int png_encode_rgb24(const unsigned char *pixels, int w, int h, int stride, unsigned char **out,
                     size_t *len, const char **err)
{
    png_buf b = {0};
    /* volatile: changed between setjmp and a possible longjmp. */
    unsigned char *volatile row = NULL;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &b, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        *err = "libpng: out of memory";
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        free(b.data);
        *err = b.err ? b.err : "libpng failed";
        return -1;
    }
    png_set_write_fn(png, &b, put, flush);
    png_set_compression_level(png, PNG_LEVEL);
    png_set_compression_strategy(png, Z_DEFAULT_STRATEGY);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    png_write_info(png, info);
    row = xmalloc((size_t)w * 3 + 1);
    for (int y = 0; y < h; y++) {
        const uint32_t *src = (const uint32_t *)(const void *)(pixels + (size_t)y * (size_t)stride);
        unsigned char *p = row;
        for (int x = 0; x < w; x++) {
            uint32_t v = src[x];
            *p++ = (unsigned char)(v >> 16);
            *p++ = (unsigned char)(v >> 8);
            *p++ = (unsigned char)v;
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    *out = b.data;
    *len = b.len;
    return 0;
}
