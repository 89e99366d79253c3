/*
 * include/arch/fixmap.h — every slot of the fixmap, in one place (like
 * Linux's enum fixed_addresses).
 *
 * The fixmap is FIXMAP_SLOTS pages of kernel VA at FIXMAP_BASE (one L1 in
 * the image's L2, <mm/layout.h>); slot n is the page at fixmap_addr(n),
 * mapped with fixmap_set()/fixmap_set_cache() (<mm/mm.h>).  It reaches
 * what the direct map does not hold (MMIO, a hypervisor's pages).  Every
 * user takes its slot from this enum.
 */
#ifndef ARCH_FIXMAP_H
#define ARCH_FIXMAP_H

#include <mm/layout.h>

enum fixed_addresses {
	/* 0: a page of the paravirt backend's own (paravirt/xen/internal.h:
	 * Xen PVH's console ring, Xen PV's shared_info); unused natively. */
	FIX_PARAVIRT,
	/* 1..510: the screen's framebuffer or VGA text buffer, write-combining
	 * (kernel/screen.c): FIX_SCREEN_SLOTS pages, a larger mode shows its
	 * top lines only. */
	FIX_SCREEN_FIRST,
	FIX_SCREEN_LAST = FIXMAP_SLOTS - 2,
	/* 511: the local APIC, uncached (arch/x86_64/lapic.c). */
	FIX_LAPIC,
	FIX_END,
};

#define FIX_SCREEN_SLOTS        (FIX_SCREEN_LAST - FIX_SCREEN_FIRST + 1)

_Static_assert(FIX_END == FIXMAP_SLOTS, "the enum names every fixmap slot");

#endif /* ARCH_FIXMAP_H */
