/*
 * layout.c — the virtual layout as data, for the boot log and the trace.
 * The numbers live in <mm/layout.h>; this table only names them.
 */
#include <mm/layout.h>

const struct layout_region layout_regions[] = {
	{ "user (unused)", 0x0000000000000000UL, 0x00007fffffffffffUL },
	{ "guard hole", 0xffff800000000000UL, DIRECT_MAP_BASE - 1 },
	{ "direct map", DIRECT_MAP_BASE, DIRECT_MAP_BASE + DIRECT_MAP_SIZE - 1 },
	{ "vmalloc (reserved)", VMALLOC_BASE, VMALLOC_BASE + VMALLOC_SIZE - 1 },
	{ "kernel image", KERNEL_VMA, FIXMAP_BASE - 1 },
	{ "fixmap", FIXMAP_BASE, FIXMAP_BASE + FIXMAP_SLOTS * PAGE_SIZE - 1 },
};

const unsigned int layout_nr_regions = sizeof(layout_regions) / sizeof(layout_regions[0]);
