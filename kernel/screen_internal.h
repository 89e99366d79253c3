/*
 * kernel/screen_internal.h — between the screen console's text engine
 * (screen.c) and its two painters (vgacon.c, fbcon.c).
 *
 * The engine keeps the text as a grid of cells in RAM and, at the end of
 * every write, paints the cells that differ from what the screen shows;
 * it never reads the screen back (framebuffer reads are uncached MMIO).
 */
#ifndef KERNEL_SCREEN_INTERNAL_H
#define KERNEL_SCREEN_INTERNAL_H

#include <stdint.h>
#include <kernel/boot_info.h>

struct screen {
	const struct boot_screen *mode;
	uint8_t *base;                  /* mapped first byte of the screen */
	uint64_t mapped;                /* bytes reachable from base */
	unsigned int cols, rows;        /* text cells */
	unsigned int jump;              /* lines scrolled at once */
	const char *what;               /* "vga-text", "framebuffer" */

	/* paint one cell (c is 0x20..0x7e) */
	void (*draw)(struct screen *s, unsigned int x, unsigned int y, char c);
	/* clear the whole area, before the first draw */
	void (*clear)(struct screen *s);
	/* move the blinking cursor, if the hardware has one (may be NULL) */
	void (*cursor)(struct screen *s, unsigned int x, unsigned int y);

	uint32_t fg, bg;                /* framebuffer: pixel values */
	unsigned int bytes_pp;          /* framebuffer: bytes per pixel */
};

/* Fill in cols, rows, jump and the painters; 0, or -1 with a reason. */
int vgacon_setup(struct screen *s, const char **why);
int fbcon_setup(struct screen *s, const char **why);

#endif /* KERNEL_SCREEN_INTERNAL_H */
