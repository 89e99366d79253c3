/*
 * fbcon.c — the screen console's painter for a linear framebuffer with
 * direct colour (UEFI GOP, or a VBE mode under BIOS), 16, 24 or 32 bits
 * per pixel, drawing the console font (kernel/font.h).
 *
 * A glyph row of an 8-pixel font is 8 x bytes-per-pixel bytes (16, 24 or
 * 32): the 256 possible rows are built once, in the mode's pixel format,
 * and a cell is painted by copying one of them per font row, 8 bytes per
 * store.  Scrolling by repainting the screen for every new line would
 * still cost far more than the serial output it mirrors, so the text
 * scrolls half a screen at a time (the engine repaints only the cells
 * that changed).  make bench-screen measures what it costs.
 */
#include <kernel/font.h>
#include "screen_internal.h"

#define ROW_BYTES_MAX 32                /* 8 pixels of 4 bytes */

/* rowpat[bits]: the 8 pixels of a font row with these bits, as stored. */
static uint64_t rowpat[256][ROW_BYTES_MAX / 8];

static uint32_t colour(const struct boot_screen *m, unsigned int r, unsigned int g,
		       unsigned int b)
{
	return (r >> (8 - m->red_size)) << m->red_pos |
	       (g >> (8 - m->green_size)) << m->green_pos |
	       (b >> (8 - m->blue_size)) << m->blue_pos;
}

static void put_pixel(volatile uint8_t *p, unsigned int bytes_pp, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < bytes_pp; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One font row (8 pixels) from the pattern table: bytes_pp 8-byte stores. */
static inline void put_row(volatile uint64_t *dst, const uint64_t *src, unsigned int words)
{
	unsigned int i;

	for (i = 0; i < words; i++)
		dst[i] = src[i];
}

static void fb_draw(struct screen *s, unsigned int x, unsigned int y, char c)
{
	const struct font *f = &screen_font;
	const uint8_t *glyph = f->glyphs + (unsigned int)(c & 0x7f) * f->height;
	uint8_t *row = s->base + (uint64_t)y * f->height * s->mode->pitch +
		       (uint64_t)x * 8 * s->bytes_pp;
	unsigned int r;

	/* one loop per depth, so that each copy is unrolled */
	switch (s->bytes_pp) {
	case 4:
		for (r = 0; r < f->height; r++, row += s->mode->pitch)
			put_row((volatile uint64_t *)row, rowpat[glyph[r]], 4);
		break;
	case 3:
		for (r = 0; r < f->height; r++, row += s->mode->pitch)
			put_row((volatile uint64_t *)row, rowpat[glyph[r]], 3);
		break;
	default:
		for (r = 0; r < f->height; r++, row += s->mode->pitch)
			put_row((volatile uint64_t *)row, rowpat[glyph[r]], 2);
		break;
	}
}

/* Clear every pixel line that is mapped, not only the text area. */
static void fb_clear(struct screen *s)
{
	uint64_t lines = s->mapped / s->mode->pitch;
	uint64_t y, x;

	if (lines > s->mode->height)
		lines = s->mode->height;
	for (y = 0; y < lines; y++) {
		uint8_t *row = s->base + y * s->mode->pitch;

		for (x = 0; x + 8 <= s->mode->width; x += 8)
			put_row((volatile uint64_t *)(row + x * s->bytes_pp), rowpat[0], s->bytes_pp);
		for (; x < s->mode->width; x++)
			put_pixel(row + x * s->bytes_pp, s->bytes_pp, s->bg);
	}
}

int fbcon_setup(struct screen *s, const char **why)
{
	const struct boot_screen *m = s->mode;
	const struct font *f = &screen_font;
	uint64_t lines;
	unsigned int b, i;

	if (m->bpp != 16 && m->bpp != 24 && m->bpp != 32) {
		*why = "only 16, 24 and 32 bits per pixel are drawn";
		return -1;
	}
	if (f->width != 8) {
		*why = "the font is not 8 pixels wide";
		return -1;
	}
	if (!m->red_size || m->red_size > 8 || !m->green_size || m->green_size > 8 ||
	    !m->blue_size || m->blue_size > 8 || m->red_pos > 24 || m->green_pos > 24 ||
	    m->blue_pos > 24) {
		*why = "colour fields out of range";
		return -1;
	}
	lines = s->mapped / m->pitch;
	if (lines > m->height)
		lines = m->height;
	s->what = "framebuffer";
	s->bytes_pp = m->bpp / 8;
	s->cols = m->width / f->width;
	s->rows = lines / f->height;
	s->jump = s->rows / 2 ? s->rows / 2 : 1;
	s->fg = colour(m, 0xc0, 0xc0, 0xc0);
	s->bg = colour(m, 0, 0, 0);
	for (b = 0; b < 256; b++)       /* bit 7 is the leftmost pixel (lowest address) */
		for (i = 0; i < 8; i++)
			put_pixel((uint8_t *)rowpat[b] + i * s->bytes_pp, s->bytes_pp,
				  b & (0x80 >> i) ? s->fg : s->bg);
	s->draw = fb_draw;
	s->clear = fb_clear;
	s->cursor = 0;
	return 0;
}
