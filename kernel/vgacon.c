/*
 * vgacon.c — the screen console's painter for VGA text mode (what GRUB
 * leaves on BIOS machines: 80x25 cells of { u8 char, u8 attribute } at
 * 0xb8000, below 1 MiB and outside RAM).
 */
#include <arch/cpu.h>
#include "screen_internal.h"

#define VGA_ATTR        0x07            /* light grey on black */
#define VGA_CRTC_INDEX  0x3d4
#define VGA_CRTC_DATA   0x3d5
#define CRTC_CURSOR_HI  0x0e
#define CRTC_CURSOR_LO  0x0f

static void vga_draw(struct screen *s, unsigned int x, unsigned int y, char c)
{
	volatile uint16_t *cell = (volatile uint16_t *)(s->base + y * s->mode->pitch) + x;

	*cell = (uint16_t)(uint8_t)c | VGA_ATTR << 8;
}

static void vga_clear(struct screen *s)
{
	unsigned int x, y;

	for (y = 0; y < s->rows; y++)
		for (x = 0; x < s->cols; x++)
			vga_draw(s, x, y, ' ');
}

static void vga_cursor(struct screen *s, unsigned int x, unsigned int y)
{
	unsigned int pos = y * s->cols + x;

	outb(VGA_CRTC_INDEX, CRTC_CURSOR_HI);
	outb(VGA_CRTC_DATA, (uint8_t)(pos >> 8));
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_LO);
	outb(VGA_CRTC_DATA, (uint8_t)pos);
}

int vgacon_setup(struct screen *s, const char **why)
{
	const struct boot_screen *m = s->mode;

	if (m->bpp != 16 || m->pitch < m->width * 2) {
		*why = "text mode cells are not 16 bits";
		return -1;
	}
	s->what = "vga-text";
	s->cols = m->width;
	s->rows = m->height;
	if ((uint64_t)s->rows * m->pitch > s->mapped)
		s->rows = s->mapped / m->pitch;
	s->jump = 1;
	s->draw = vga_draw;
	s->clear = vga_clear;
	s->cursor = vga_cursor;
	return 0;
}
