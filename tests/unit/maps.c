/*
 * tests/unit/maps.c — memory maps for the builder tests.
 *
 * The QEMU-like ones follow what QEMU + SeaBIOS / the PVH option ROM hand
 * over: conventional memory up to 0x9fc00, the EBDA and BIOS area reserved,
 * RAM from 1 MiB to the end of low memory (pc: up to 3.5 GiB, q35: up to
 * 2 GiB when RAM is larger than 2.75 GiB) minus a few ACPI pages at its top,
 * the PCI hole, and the rest of RAM from 4 GiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "maps.h"

#define K(x) ((uint64_t)(x) << 10)
#define M(x) ((uint64_t)(x) << 20)
#define G(x) ((uint64_t)(x) << 30)
#define T(x) ((uint64_t)(x) << 40)

static struct test_map *add_map(struct test_map *out, unsigned int *n, const char *name)
{
	struct test_map *m = &out[(*n)++];

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	return m;
}

static void e(struct test_map *m, uint64_t start, uint64_t size, uint32_t type)
{
	if (m->nr == MEMMAP_MAX) {
		fprintf(stderr, "maps: %s has more than %d entries\n", m->name, MEMMAP_MAX);
		abort();
	}
	m->e[m->nr].start = start;
	m->e[m->nr].size = size;
	m->e[m->nr].type = type;
	m->nr++;
}

static void qemu(struct test_map *m, uint64_t ram, bool q35)
{
	uint64_t low_max = q35 ? (ram >= 0xb0000000ULL ? G(2) : ram) :
				 (ram >= 0xe0000000ULL ? 0xe0000000ULL : ram);
	uint64_t low = ram < low_max ? ram : low_max;

	e(m, 0, 0x9fc00, MEM_USABLE);
	e(m, 0x9fc00, 0x400, MEM_RESERVED);
	e(m, 0xf0000, 0x10000, MEM_RESERVED);
	e(m, M(1), low - M(1) - K(128), MEM_USABLE);
	e(m, low - K(128), K(128), MEM_ACPI);
	if (q35)
		e(m, 0xb0000000ULL, M(256), MEM_RESERVED);     /* MMCONFIG */
	e(m, 0xfeffc000ULL, K(16), MEM_RESERVED);
	e(m, 0xfffc0000ULL, K(256), MEM_RESERVED);
	if (ram > low)
		e(m, G(4), ram - low, MEM_USABLE);
}

unsigned int test_maps(struct test_map *out)
{
	static const struct { const char *name; uint64_t ram; bool q35; } qm[] = {
		{ "pc-32M", M(32), false },   { "pc-128M", M(128), false },
		{ "pc-512M", M(512), false }, { "pc-1G", G(1), false },
		{ "pc-2G", G(2), false },     { "pc-3G", G(3), false },
		{ "pc-4G", G(4), false },     { "pc-8G", G(8), false },
		{ "pc-16G", G(16), false },   { "q35-32M", M(32), true },
		{ "q35-128M", M(128), true }, { "q35-2G", G(2), true },
		{ "q35-4G", G(4), true },     { "q35-16G", G(16), true },
	};
	struct test_map *m;
	unsigned int n = 0, i;

	for (i = 0; i < sizeof(qm) / sizeof(qm[0]); i++)
		qemu(add_map(out, &n, qm[i].name), qm[i].ram, qm[i].q35);

	/* The initrd and the multiboot info at the top of low RAM, as GRUB puts them. */
	m = add_map(out, &n, "pc-128M-initrd");
	qemu(m, M(128), false);
	m->boot_data[m->nr_boot_data++] = (struct mem_range){ M(100), M(127) + K(512) };
	m->boot_data[m->nr_boot_data++] = (struct mem_range){ 0x10000, 0x10800 };

	/* 62 RAM regions of odd sizes between reserved holes, over ~8 GiB. */
	m = add_map(out, &n, "holes-62");
	e(m, 0, 0x9f000, MEM_USABLE);
	e(m, M(1), M(9), MEM_USABLE);
	for (i = 0; i < 62; i++) {
		uint64_t base = M(16) + (uint64_t)i * M(128) + (uint64_t)(i % 7) * M(3);
		uint64_t size = M(5) + (uint64_t)(i * 37 % 97) * M(1) + (uint64_t)(i % 5) * K(4);

		e(m, base, size, MEM_USABLE);
		e(m, base + size, K(64) * (1 + i % 3), i % 2 ? MEM_RESERVED : MEM_ACPI);
	}

	/* Region edges on no natural boundary (not page, not 2 MiB aligned). */
	m = add_map(out, &n, "unaligned-edges");
	e(m, 0x800, 0x9f000, MEM_USABLE);
	e(m, 0xff123, M(37) + 0x456, MEM_USABLE);
	e(m, M(40) + 0x10, M(300) + 0x2345, MEM_USABLE);
	e(m, M(345) + 0x800, M(7), MEM_USABLE);
	e(m, M(345), 0x1000, MEM_RESERVED);
	e(m, G(1) + 0xfff, G(2) - 0x1ffe, MEM_USABLE);
	e(m, G(4) + 1, G(1) + M(3) + 0x777, MEM_USABLE);

	/* RAM above 4 GiB: a sliver in low memory, or only the image's own
	 * 512 KiB (the image must lie in usable RAM). */
	m = add_map(out, &n, "high-mostly");
	e(m, M(1), M(7), MEM_USABLE);
	e(m, G(4), G(8), MEM_USABLE);
	m = add_map(out, &n, "high-only");
	e(m, M(1), K(512), MEM_USABLE);
	e(m, G(4), G(4), MEM_USABLE);
	e(m, G(12) + M(2), G(3), MEM_USABLE);

	/* Exactly whole gigabytes (1 GiB leaves everywhere). */
	m = add_map(out, &n, "gig-aligned");
	e(m, M(1), M(3), MEM_USABLE);
	e(m, G(1), G(4), MEM_USABLE);
	e(m, G(6), G(2), MEM_USABLE);

	/* Tiny: 2 MiB and one page. */
	m = add_map(out, &n, "tiny-2M");
	e(m, M(1), M(2), MEM_USABLE);
	m = add_map(out, &n, "tiny-pages");
	e(m, M(1), M(1), MEM_USABLE);
	e(m, M(64), K(4), MEM_USABLE);

	/* Overlapping entries as buggy firmware gives them. */
	m = add_map(out, &n, "overlaps");
	e(m, 0, G(2), MEM_USABLE);
	e(m, M(512), M(16), MEM_ACPI);
	e(m, M(520), M(32), MEM_RESERVED);
	e(m, G(1) + K(2), K(8), MEM_NVS);
	e(m, M(1), G(1), MEM_USABLE);
	e(m, G(2) - M(1), M(2), MEM_RESERVED);

	/* Many small entries (the map table nearly full). */
	m = add_map(out, &n, "entries-120");
	e(m, M(1), M(1), MEM_USABLE);
	for (i = 0; i < 60; i++) {
		e(m, M(2) + (uint64_t)i * M(6) + K(4) * i, M(4) + K(12) * (i % 4), MEM_USABLE);
		e(m, M(6) + (uint64_t)i * M(6) + K(4) * i + K(12) * (i % 4), K(4), MEM_RESERVED);
	}

	/* Large: 64 GiB, 512 GiB-slot crossing, exactly 512 GiB, 1 TiB. */
	m = add_map(out, &n, "q35-64G");
	qemu(m, G(64), true);
	m = add_map(out, &n, "cross-512G");
	e(m, 0, 0x9fc00, MEM_USABLE);
	e(m, M(1), G(3) - M(1), MEM_USABLE);
	e(m, G(4), G(700) - G(4), MEM_USABLE);
	m = add_map(out, &n, "end-at-512G");
	e(m, M(1), G(2), MEM_USABLE);
	e(m, G(4), G(508), MEM_USABLE);
	m = add_map(out, &n, "flat-1T");
	e(m, 0, 0x9fc00, MEM_USABLE);
	e(m, 0xf0000, 0x10000, MEM_RESERVED);
	e(m, M(1), T(1) - M(1), MEM_USABLE);
	m = add_map(out, &n, "sparse-1T");
	e(m, M(1), G(1), MEM_USABLE);
	e(m, G(100), M(2), MEM_USABLE);
	e(m, G(511) + M(512), G(1), MEM_USABLE);
	e(m, G(700) + M(3), M(5) + K(4), MEM_USABLE);
	e(m, T(1) - K(4), K(4), MEM_USABLE);
	m = add_map(out, &n, "far-32T");
	e(m, M(1), M(255), MEM_USABLE);
	e(m, T(32), G(4), MEM_USABLE);
	m = add_map(out, &n, "top-64T");
	e(m, M(1), M(63), MEM_USABLE);
	e(m, T(64) - G(3) - M(6), G(3) + M(6), MEM_USABLE);
	return n;
}
