/* png_deflate_probe.c - charts/png_deflate.c against libdeflate's level 4
 * (the compressor every PNG went through before it) on the scanlines of
 * the PNGs given: each file is decoded by libpng and given back as rows
 * with no filter, as png_encode.c gives them; then both compressors run
 * on the same bytes, alternating, REPS times each. Prints one Markdown
 * row per file (median milliseconds, bytes) and a total row.
 * usage: png_deflate_probe REPS FILE.png... */
#include <libdeflate.h>
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "png_deflate.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The PNG's rows as scanlines with no filter; NULL when libpng cannot read it. */
static unsigned char *scanlines(const char *path, size_t *n, size_t *row)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path))
        return NULL;
    im.format = PNG_FORMAT_RGB;
    size_t w = im.width, h = im.height;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    if (!px || !png_image_finish_read(&im, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&im);
        return NULL;
    }
    *row = 3 * w + 1;
    *n = *row * h;
    unsigned char *lines = malloc(*n);
    for (size_t y = 0; lines && y < h; y++) {
        lines[y * *row] = 0;
        memcpy(lines + y * *row + 1, px + y * 3 * w, 3 * w);
    }
    free(px);
    return lines;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 0;
    if (reps < 1 || argc < 3) {
        fprintf(stderr, "usage: png_deflate_probe REPS FILE.png...\n");
        return 2;
    }
    double *t_ours = malloc((size_t)reps * sizeof *t_ours);
    double *t_lib = malloc((size_t)reps * sizeof *t_lib);
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(4);
    double sum_ours = 0, sum_lib = 0;
    size_t bytes_ours = 0, bytes_lib = 0;
    printf("| chart | png_deflate ms | libdeflate 4 ms | speed-up | png_deflate bytes | "
           "libdeflate 4 bytes | size |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (int a = 2; a < argc; a++) {
        size_t n = 0, row = 0, nz = 0, nl = 0;
        unsigned char *in = scanlines(argv[a], &n, &row);
        if (!in) {
            fprintf(stderr, "png_deflate_probe: %s: not a PNG libpng can read\n", argv[a]);
            return 1;
        }
        size_t bound = libdeflate_zlib_compress_bound(c, n);
        unsigned char *out = malloc(bound);
        for (int r = 0; r < reps; r++) {
            /* Alternating, each first every other time. */
            for (int k = 0; k < 2; k++) {
                bool ours = (r + k) % 2 == 0;
                double t0 = now_ms();
                if (ours) {
                    unsigned char *z = NULL;
                    const char *err = NULL;
                    if (png_deflate(in, n, row, &z, &nz, &err) != 0) {
                        fprintf(stderr, "png_deflate_probe: %s\n", err);
                        return 1;
                    }
                    free(z);
                } else {
                    nl = libdeflate_zlib_compress(c, in, n, out, bound);
                }
                (ours ? t_ours : t_lib)[r] = now_ms() - t0;
            }
        }
        double mo = median(t_ours, reps), ml = median(t_lib, reps);
        const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        printf("| %s | %.2f | %.2f | %.1fx | %zu | %zu | %+.1f%% |\n", name, mo, ml, ml / mo, nz,
               nl, 100.0 * ((double)nz / (double)nl - 1));
        sum_ours += mo, sum_lib += ml, bytes_ours += nz, bytes_lib += nl;
        free(out);
        free(in);
    }
    printf("| all | %.2f | %.2f | %.1fx | %zu | %zu | %+.1f%% |\n", sum_ours, sum_lib,
           sum_lib / sum_ours, bytes_ours, bytes_lib,
           100.0 * ((double)bytes_ours / (double)bytes_lib - 1));
    libdeflate_free_compressor(c);
    free(t_ours);
    free(t_lib);
    return 0;
}
