/*
 * include/mm/layout.h — the whole virtual address layout, in one place.
 *
 * x86-64, 4-level paging, 48-bit virtual addresses.  One PML4 slot spans
 * 512 GiB.  Ranges are inclusive, like the README's table.
 *
 *   start               end                 size     slot     what
 *   0000000000000000    00007fffffffffff    128 TiB  0-255    user space (unused; slot 0
 *                                                             kept empty for one)
 *   0000800000000000    ffff7fffffffffff    ~16 EiB  -        non-canonical hole
 *   ffff800000000000    ffff887fffffffff    8.5 TiB  256-272  guard hole, never mapped
 *   ffff888000000000    ffffc87fffffffff    64 TiB   273-400  direct map of all RAM
 *   ffffc88000000000    ffffc8ffffffffff    0.5 TiB  401      guard hole
 *   ffffc90000000000    ffffe8ffffffffff    32 TiB   402-465  vmalloc (reserved, unused)
 *   ffffe90000000000    fffffffeffffffff    ~23 TiB  466-511  unused
 *   ffffffff80000000    ffffffffbfdfffff    1022 MiB 511      kernel image (at 1 MiB phys)
 *   ffffffffbfe00000    ffffffffbfffffff    2 MiB    511      fixmap (512 x 4 KiB slots)
 *   ffffffffc0000000    ffffffffffffffff    1 GiB    511      unused
 *
 * The kernel image is linked at KERNEL_VMA + its physical load address, so
 * virt = phys + KERNEL_VMA for every byte of the image, and the direct map
 * holds every byte of usable RAM at DIRECT_MAP_BASE + phys.
 */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define PAGE_SHIFT          12
#define PAGE_SIZE           (_UL(1) << PAGE_SHIFT)

#define KERNEL_VMA          _UL(0xffffffff80000000)  /* -2 GiB              */
#define KERNEL_LOAD_PA      _UL(0x100000)            /* 1 MiB               */
#define KERNEL_SPAN         _UL(0x3fe00000)          /* image must fit here */

#define DIRECT_MAP_BASE     _UL(0xffff888000000000)
#define DIRECT_MAP_SIZE     _UL(0x0000400000000000)  /* 64 TiB              */
#define VMALLOC_BASE        _UL(0xffffc90000000000)
#define VMALLOC_SIZE        _UL(0x0000200000000000)  /* 32 TiB              */
#define FIXMAP_BASE         _UL(0xffffffffbfe00000)  /* shares the image's L2 */
#define FIXMAP_SLOTS        512

/* Highest physical address (exclusive) the direct map can hold. */
#define MAX_PHYS_MAPPED     DIRECT_MAP_SIZE

/* Boot stack: a guard page (never mapped once our own tables are live)
 * below STACK_PAGES pages of stack. */
#define STACK_PAGES         4

#ifndef BRK_PAGES
#define BRK_PAGES           16
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One named region of the virtual layout, for the boot-time table and the
 * trace. */
struct layout_region {
	const char *name;
	uint64_t start;
	uint64_t end;      /* inclusive */
};

extern const struct layout_region layout_regions[];
extern const unsigned int layout_nr_regions;

static inline uint64_t fixmap_addr(unsigned int slot)
{
	return FIXMAP_BASE + (uint64_t)slot * PAGE_SIZE;
}
#endif

#endif /* MM_LAYOUT_H */
