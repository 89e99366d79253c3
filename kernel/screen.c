/*
 * screen.c — the screen console: finds the screen the loader left, maps
 * it, and keeps a text grid that follows everything printk prints.
 *
 * Mapping.  A framebuffer or the VGA text buffer is MMIO, not RAM: it is
 * not in the direct map (which holds usable RAM only).  Once the kernel's
 * own tables are live it is mapped through the fixmap, slots
 * FIX_SCREEN_FIRST..FIX_SCREEN_LAST (<arch/fixmap.h>), write-combining
 * (PAT entry 1 reprogrammed from WT to WC, as Linux does; uncached minus if
 * the CPU has no PAT).  A mode larger than that window gets a console on
 * its top lines only.  Before the switch (a panic early in the boot) it is
 * reached through the boot tables' identity map of 0-4 GiB, whose cache
 * type then comes from the firmware's MTRRs (uncached or WC for MMIO).
 */
#include <arch/bootmem.h>
#include <arch/fixmap.h>
#include <arch/cpu.h>
#include <kernel/boot_info.h>
#include <kernel/console.h>
#include <kernel/font.h>
#include <kernel/printk.h>
#include <kernel/screen.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include "screen_internal.h"

#define CELLS_MAX               (16 * 1024)
#define MSR_PAT                 0x277
#define PAT_WC                  0x01
#define CPUID_1_EDX_PAT         (1u << 16)

static struct screen scr;
static char text[CELLS_MAX];            /* the grid, rows in a ring from `top` */
static char shown[CELLS_MAX];           /* what each screen cell shows */
static unsigned int top, cx, cy;
static unsigned int dirty_lo, dirty_hi; /* screen rows to compare, [lo, hi) */
static int state;                       /* 0 not tried, 1 starting, 2 up, 3 none */

/* ------------------------------------------------------------ the grid --- */

static char *cell(unsigned int x, unsigned int y)
{
	return &text[((top + y) % scr.rows) * scr.cols + x];
}

static void mark(unsigned int lo, unsigned int hi)
{
	if (lo < dirty_lo)
		dirty_lo = lo;
	if (hi > dirty_hi)
		dirty_hi = hi;
}

static void newline(void)
{
	unsigned int i, x;

	cx = 0;
	if (++cy < scr.rows)
		return;
	for (i = 0; i < scr.jump; i++) {
		top = (top + 1) % scr.rows;
		for (x = 0; x < scr.cols; x++)
			*cell(x, scr.rows - 1) = ' ';
	}
	cy = scr.rows - scr.jump;
	mark(0, scr.rows);
}

static void put(char c)
{
	switch (c) {
	case '\n':
		newline();
		return;
	case '\r':
		cx = 0;
		return;
	case '\t':
		do
			put(' ');
		while (cx % 8 && cx < scr.cols);
		return;
	}
	if ((unsigned char)c < 0x20 || c == 0x7f)
		return;
	if ((unsigned char)c >= 0x80)
		c = '?';
	if (cx == scr.cols)
		newline();
	*cell(cx++, cy) = c;
	mark(cy, cy + 1);
}

static void flush(void)
{
	unsigned int x, y;

	for (y = dirty_lo; y < dirty_hi; y++) {
		char *want = cell(0, y), *have = &shown[y * scr.cols];

		for (x = 0; x < scr.cols; x++)
			if (have[x] != want[x]) {
				scr.draw(&scr, x, y, want[x]);
				have[x] = want[x];
			}
	}
	dirty_lo = scr.rows;
	dirty_hi = 0;
	if (scr.cursor)
		scr.cursor(&scr, cx < scr.cols ? cx : scr.cols - 1, cy);
}

static void screen_write(const char *s, size_t n)
{
	while (n--)
		put(*s++);
	flush();
}

static struct console screen_console = {
	.name = "screen",
	.write = screen_write,
};

/* ------------------------------------------------------------- mapping --- */

/* PAT entry 1 (PWT set, PCD clear) is write-combining on every CPU
 * (PAT_STATE, set by cpu_ctl_setup() in arch/x86_64/cpu.c on each). */
static pte_t wc_bits(const char **name)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_PAT)) {
		*name = "uc-";
		return PTE_PCD;
	}
	*name = "wc";
	return PTE_PWT;
}

static const char *map_screen(const struct boot_screen *m)
{
	uint64_t size = (uint64_t)m->pitch * m->height;
	uint64_t off = m->addr & (PAGE_SIZE - 1), pages, i;
	const char *cache;
	pte_t bits;

	if (!mm.root_loaded) {
		if (m->addr >= BOOT_IDENTITY_LIMIT)
			return NULL;
		scr.base = (uint8_t *)(uintptr_t)m->addr;
		scr.mapped = size < BOOT_IDENTITY_LIMIT - m->addr ? size : BOOT_IDENTITY_LIMIT - m->addr;
		return "boot identity map";
	}
	pages = (off + size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > FIX_SCREEN_SLOTS)
		pages = FIX_SCREEN_SLOTS;
	bits = wc_bits(&cache);
	for (i = 0; i < pages; i++)
		fixmap_set_cache(FIX_SCREEN_FIRST + i, m->addr - off + i * PAGE_SIZE, true, bits);
	scr.base = (uint8_t *)fixmap_addr(FIX_SCREEN_FIRST) + off;
	scr.mapped = pages * PAGE_SIZE - off;
	if (scr.mapped > size)
		scr.mapped = size;
	return cache;
}

static const char *kind_name(enum screen_kind k)
{
	switch (k) {
	case SCREEN_TEXT:
		return "text";
	case SCREEN_RGB:
		return "rgb";
	case SCREEN_INDEXED:
		return "indexed";
	default:
		return "none";
	}
}

static void screen_start(const struct boot_info *bi)
{
	const struct boot_screen *m = &bi->screen;
	const char *why = NULL, *how;
	unsigned int i;
	uint64_t t0 = rdtsc();

	if (state)
		return;
	state = 1;
	scr.mode = m;
	if (m->kind == SCREEN_NONE) {
		state = 3;
		printk("screen: none (the loader described no screen): serial only\n");
		return;
	}
	how = map_screen(m);
	if (!how)
		why = "above 4 GiB, out of reach of the boot tables";
	else if (m->kind == SCREEN_TEXT)
		vgacon_setup(&scr, &why);
	else if (m->kind == SCREEN_RGB)
		fbcon_setup(&scr, &why);
	else
		why = "palette modes are not drawn";
	if (!why && (!scr.cols || !scr.rows))
		why = "no whole text cell fits";
	if (!why && scr.cols * scr.rows > CELLS_MAX) {
		scr.rows = CELLS_MAX / scr.cols;
		if (scr.jump > (scr.rows + 1) / 2)
			scr.jump = (scr.rows + 1) / 2;
	}
	if (why) {
		state = 3;
		printk("screen: %s %ux%u bpp=%u at [mem 0x%010lx] not used: %s: serial only\n",
		       kind_name(m->kind), m->width, m->height, m->bpp, (unsigned long)m->addr, why);
		return;
	}
	for (i = 0; i < scr.cols * scr.rows; i++)
		text[i] = shown[i] = ' ';
	dirty_lo = scr.rows;
	scr.clear(&scr);
	screen_console.tsc = rdtsc() - t0;      /* mapping and clearing count too */
	console_register(&screen_console);      /* replays the log so far */
	state = 2;
	printk("screen: %s %ux%u bpp=%u pitch=%u at [mem 0x%010lx-0x%010lx] mapped %lu KiB (%s)\n",
	       scr.what, m->width, m->height, m->bpp, m->pitch, (unsigned long)m->addr,
	       (unsigned long)(m->addr + (uint64_t)m->pitch * m->height - 1),
	       (unsigned long)(scr.mapped >> 10), how);
	printk("screen: %ux%u cells%s%s, scrolls %u line%s at a time, setup and replay took %lu tsc\n",
	       scr.cols, scr.rows, m->kind == SCREEN_RGB ? ", font " : "",
	       m->kind == SCREEN_RGB ? screen_font.name : "", scr.jump, scr.jump > 1 ? "s" : "",
	       (unsigned long)screen_console.tsc);
}

void screen_init(const struct boot_info *bi)
{
	screen_start(bi);
}

void screen_emergency(void)
{
	screen_start(&boot_info);
}

uint64_t screen_tsc(void)
{
	return screen_console.tsc;
}
