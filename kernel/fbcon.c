/*
 * fbcon.c — the screen console's painter for a linear framebuffer with
 * direct colour (UEFI GOP, or a VBE mode under BIOS), 16, 24 or 32 bits
 * per pixel, drawing the console font (kernel/font.h).
 *
 * Painting a cell costs width x height pixel stores, so scrolling by
 * repainting the screen for every new line would cost far more than the
 * serial output it mirrors; the text scrolls by a quarter screen at a time
 * instead (the engine repaints only the cells that changed).
 */
#include <kernel/font.h>
#include "screen_internal.h"

static uint32_t colour(const struct boot_screen *m, unsigned int r, unsigned int g,
		       unsigned int b)
{
	return (r >> (8 - m->red_size)) << m->red_pos |
	       (g >> (8 - m->green_size)) << m->green_pos |
	       (b >> (8 - m->blue_size)) << m->blue_pos;
}

static void put_pixel(uint8_t *p, unsigned int bytes_pp, uint32_t v)
{
	switch (bytes_pp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		((volatile uint8_t *)p)[0] = (uint8_t)v;
		((volatile uint8_t *)p)[1] = (uint8_t)(v >> 8);
		((volatile uint8_t *)p)[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	}
}

static void fb_draw(struct screen *s, unsigned int x, unsigned int y, char c)
{
	const struct font *f = &screen_font;
	const uint8_t *glyph = f->glyphs + (unsigned int)(c & 0x7f) * f->height;
	uint8_t *row = s->base + (uint64_t)y * f->height * s->mode->pitch +
		       (uint64_t)x * f->width * s->bytes_pp;
	unsigned int r, i;

	for (r = 0; r < f->height; r++, row += s->mode->pitch) {
		uint8_t bits = glyph[r];

		if (s->bytes_pp == 4 && f->width == 8) {   /* two pixels per store */
			volatile uint64_t *p = (volatile uint64_t *)row;

			p[0] = s->pair[bits >> 6];
			p[1] = s->pair[(bits >> 4) & 3];
			p[2] = s->pair[(bits >> 2) & 3];
			p[3] = s->pair[bits & 3];
			continue;
		}
		for (i = 0; i < f->width; i++)
			put_pixel(row + i * s->bytes_pp, s->bytes_pp,
				  bits & (0x80 >> i) ? s->fg : s->bg);
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

		if (s->bytes_pp == 4) {
			volatile uint64_t *p = (volatile uint64_t *)row;

			for (x = 0; x < s->mode->width / 2; x++)
				p[x] = s->pair[0];
			if (s->mode->width & 1)
				*(volatile uint32_t *)(row + (s->mode->width - 1) * 4) = s->bg;
			continue;
		}
		for (x = 0; x < s->mode->width; x++)
			put_pixel(row + x * s->bytes_pp, s->bytes_pp, s->bg);
	}
}

int fbcon_setup(struct screen *s, const char **why)
{
	const struct boot_screen *m = s->mode;
	const struct font *f = &screen_font;
	uint64_t lines;
	unsigned int i;

	if (m->bpp != 16 && m->bpp != 24 && m->bpp != 32) {
		*why = "only 16, 24 and 32 bits per pixel are drawn";
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
	s->jump = s->rows / 4 ? s->rows / 4 : 1;
	s->fg = colour(m, 0xc0, 0xc0, 0xc0);
	s->bg = colour(m, 0, 0, 0);
	for (i = 0; i < 4; i++)         /* index bit 1: the left pixel (lower address) */
		s->pair[i] = (i & 2 ? s->fg : s->bg) | (uint64_t)(i & 1 ? s->fg : s->bg) << 32;
	s->draw = fb_draw;
	s->clear = fb_clear;
	s->cursor = 0;
	return 0;
}
