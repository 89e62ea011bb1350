/* palette.h - default group colours: twelve hues that stay visible on light
 * and dark backgrounds alike. Manifest colours win over these. */
#ifndef MEMREPORT_PALETTE_H
#define MEMREPORT_PALETTE_H

#include <stdbool.h>
#include <stddef.h>

#define PALETTE_SIZE 12

/* "#rrggbb" for the i-th group (cycles after PALETTE_SIZE). Static storage. */
const char *palette_color(size_t i);
/* True for "#rrggbb" (hexadecimal digits, either case); false for NULL. */
bool palette_valid(const char *hex);
/* Parses "#rrggbb" into 0..1 components; false when malformed. */
bool palette_parse(const char *hex, double *r, double *g, double *b);

#endif
