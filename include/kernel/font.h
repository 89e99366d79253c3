/*
 * include/kernel/font.h — the screen console's bitmap font.
 *
 * Generated at build time by tools/psf2c from a Linux console font of a
 * Debian package (FONT in the Makefile; console-data's default8x16 by
 * default): 128 glyphs indexed by ASCII code, `height` bytes each, one
 * byte per row, most significant bit leftmost.
 */
#ifndef KERNEL_FONT_H
#define KERNEL_FONT_H

#include <stdint.h>

struct font {
	const char *name;
	unsigned int width, height;     /* width <= 8 */
	const uint8_t *glyphs;          /* [128][height] */
};

extern const struct font screen_font;

#endif /* KERNEL_FONT_H */
