/*
 * layout.c — the virtual layout as data, for the boot log and the trace.
 * The numbers live in <mm/layout.h>; this table only names them.
 */
#include <mm/layout.h>

const struct layout_region layout_regions[] = {
	{ "user slot 0 (empty)", 0x0000000000000000UL, USER_TOP - 1 },
	{ "guard hole", 0xffff800000000000UL, DIRECT_MAP_BASE - 1 },
	{ "direct map", DIRECT_MAP_BASE, DIRECT_MAP_BASE + DIRECT_MAP_SIZE - 1 },
	{ "vmalloc (reserved)", VMALLOC_BASE, VMALLOC_BASE + VMALLOC_SIZE - 1 },
	{ "kmap (cpu stacks)", KMAP_BASE, KMAP_BASE + PML4_SLOT_SIZE - 1 },
	{ "globaldata (per cpu)", GLOBALDATA_BASE, GLOBALDATA_BASE + PML4_SLOT_SIZE - 1 },
	{ "kernel image", KERNEL_VMA, FIXMAP_BASE - 1 },
	{ "fixmap", FIXMAP_BASE, FIXMAP_BASE + FIXMAP_SLOTS * PAGE_SIZE - 1 },
};

const unsigned int layout_nr_regions = sizeof(layout_regions) / sizeof(layout_regions[0]);
