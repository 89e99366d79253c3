/*
 * include/mm/layout.h — the whole virtual address layout, in one place
 * (design §9).
 *
 * x86-64, 4-level paging, 48-bit virtual addresses.  One PML4 slot spans
 * 512 GiB.  Ranges are inclusive, like docs/smp-and-user.md's table.  With 5
 * levels (pt.levels=5, docs/la57.md) every VA below stays where it is: the
 * whole table is PML5 slot 0 (user: an address space's L4) and slot 511 (the
 * kernel half's L4, per CPU because of globaldata); PML5 slots 1-510 are
 * never mapped.
 *
 *   start               end                 size     slot     what
 *   0000000000000000    0000007fffffffff    512 GiB  0        user space: one L3 tree per
 *                                                             address space (mm/uspace.c);
 *                                                             a CPU's slot 0 points at the
 *                                                             one it runs (holds the AP
 *                                                             trampoline's identity map
 *                                                             only while that AP starts)
 *   0000008000000000    00007fffffffffff    127.5 TiB 1-255   never mapped
 *   0000800000000000    ffff7fffffffffff    ~16 EiB  -        non-canonical hole
 *   ffff800000000000    ffff887fffffffff    8.5 TiB  256-272  guard hole, never mapped
 *   ffff888000000000    ffffc87fffffffff    64 TiB   273-400  direct map of all RAM
 *   ffffc88000000000    ffffc8ffffffffff    0.5 TiB  401      guard hole
 *   ffffc90000000000    ffffe8ffffffffff    32 TiB   402-465  vmalloc (reserved, unused)
 *   ffffe90000000000    fffffdffffffffff    ~21 TiB  466-507  unused
 *   fffffe0000000000    fffffe7fffffffff    512 GiB  508      Xen PV, steps 3-7 only: the domain
 *                                                             builder's L3, borrowed, shows its
 *                                                             bootstrap region (the p2m) at
 *                                                             XEN_PV_ALIAS_VA(pa) until the direct
 *                                                             map reaches it (paravirt/xen/p2m_pv.c)
 *   fffffe8000000000    fffffeffffffffff    512 GiB  509      kmap: CPU stacks (guard page
 *                                                             below each) and kernel
 *                                                             mappings made after mm_init
 *   ffffff0000000000    ffffff7fffffffff    512 GiB  510      globaldata: the same VA maps
 *                                                             each CPU's own page(s)
 *   ffffff8000000000    ffffffff7fffffff    510 GiB  511      unused
 *   ffffffff80000000    ffffffffbfdfffff    1022 MiB 511      kernel image (at 1 MiB phys)
 *   ffffffffbfe00000    ffffffffbfffffff    2 MiB    511      fixmap (512 x 4 KiB slots)
 *   ffffffffc0000000    ffffffffffffffff    1 GiB    511      unused
 *
 * The PML4 slot plan (Linux 2.4 x86-64, Dillon's advice for DragonFly):
 * every CPU has its own L4.  Slot 0 is the user slot.  The kernel half
 * (256-511) of every CPU's L4 is identical, pointing at shared L3 tables,
 * except the globaldata slot, whose entry differs per CPU.  Rule for
 * kernel-half top-level entries: PRE-POPULATED.  Every kernel slot that can
 * ever hold a mapping has its L3 before the first per-CPU L4 is built (the
 * direct map's by mm_init, the kmap L3 by percpu setup, the image's in step
 * 1), so a kernel mapping added later goes below the top level and every
 * CPU sees it without any L4 being touched; a CPU's L4 never changes once
 * loaded, but for slot 0.  vmalloc has no L3s: whoever brings it into use
 * must create them before the per-CPU L4s are built (the per-CPU self-check
 * finds any kernel-half difference between CPUs).

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

/* PML4 slots (each 512 GiB) of the slot plan above. */
#define PML4_SLOT_SIZE      (_UL(1) << 39)
#define USER_SLOT           0
#define XEN_PV_ALIAS_SLOT   508
#define KMAP_SLOT           509
#define GLOBALDATA_SLOT     510
#define KERNEL_HALF_FIRST   256
#define XEN_PV_ALIAS_BASE   _UL(0xfffffe0000000000)  /* slot 508 */
#define KMAP_BASE           _UL(0xfffffe8000000000)  /* slot 509 */
/* The builder maps pa at KERNEL_VMA + pa, in slot 511: the same offset in
 * the alias slot. */
#define XEN_PV_ALIAS_VA(pa) (XEN_PV_ALIAS_BASE + (KERNEL_VMA & (PML4_SLOT_SIZE - 1)) + (pa))
#define GLOBALDATA_BASE     _UL(0xffffff0000000000)  /* slot 510 */
#define GLOBALDATA_PAGES    1                        /* per CPU */
#define USER_TOP            _UL(0x0000008000000000)  /* end of slot 0 */

/* kmap: CPU i's stacks at KMAP_BASE + i * CPU_STACK_SPAN:
 *   guard page | CPU_STACK_PAGES of stack | guard page | CPU_IST_PAGES (#DF) */
#define CPU_STACK_PAGES     4
#define CPU_IST_PAGES       1
#define CPU_STACK_SPAN      (_UL(16) * PAGE_SIZE)
#define MAX_CPUS            64
/* Kernel mappings made at run time (tests, later users), above the stacks. */
#define KMAP_DYN_BASE       (KMAP_BASE + (_UL(1) << 30))

/* Highest physical address (exclusive) the direct map can hold. */
#define MAX_PHYS_MAPPED     DIRECT_MAP_SIZE

/* Boot stack: a guard page (never mapped once our own tables are live)
 * below STACK_PAGES pages of stack. */
#define STACK_PAGES         4

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
