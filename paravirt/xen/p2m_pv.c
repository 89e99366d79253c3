/*
 * p2m_pv.c — Xen PV: the bootstrap region after the CR3 switch, and the
 * p2m where Xen's tools find it (design §4.1, docs/xen-pv.md).
 *
 * The domain builder maps its bootstrap region — image, p2m list,
 * start_info, xenstore and console pages, its own tables, boot stack,
 * padding — at KERNEL_VMA + pa, with tables of its own under L4 slot 511.
 * After step 4 the p2m is still needed by every make_pte of steps 5-7, and
 * the console ring by every printk, but both lie in low RAM, which the
 * direct map reaches last.  So batch 0's L4 borrows the builder's L3:
 * its slot XEN_PV_ALIAS_SLOT holds the builder's slot-511 entry (a plain
 * store before the pin; Xen validates it with the rest).  The whole region
 * then stays reachable, XEN_PV_ALIAS_DELTA below its builder address:
 *
 *   builder: KERNEL_VMA + pa         0xffffffff80000000 + pa   (slot 511)
 *   alias:   XEN_PV_ALIAS_VA(pa)     0xfffffe7f80000000 + pa   (slot 508)
 *
 * It costs one L4 entry, no table page and no brk page at any size: the
 * region (the p2m: 8 bytes per page) is as big as the builder makes it.
 * Once the batch that maps the region in the direct map is linked, the
 * p2m, start_info and the ring move there, the slot is cleared, and Xen
 * drops the type of every builder table (their L4 went at step 4, when it
 * was unpinned).  Their direct-map entries, read-only while they were
 * tables, are then made writable: each request Xen accepts is one counted
 * "unflip" (Xen maps a page writable only once it is no table).
 *
 * Xen's tools (xen-mfndump, xl dump-core, save) find a PV guest's memory
 * through shared_info: arch.max_pfn (the p2m's length) and the linear p2m
 * list — p2m_cr3 (the root, as CR3 holds it), p2m_vaddr, p2m_generation
 * (odd while it changes) — as Linux publishes it (xen_setup_mfn_list_list,
 * arch/x86/xen/p2m.c).  Published at step 4, updated when the p2m moves.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <paravirt/ops.h>
#include <paravirt/xen_pv.h>
#include "internal.h"

/* The builder's slot: KERNEL_VMA's, 511. */
#define BUILDER_SLOT        (PT_ENTRIES - 1)

static volatile struct shared_info *shinfo;

static uint64_t alias_va(phys_addr_t pa)
{
	return XEN_PV_ALIAS_VA(pa);
}

/*
 * Batch 0, before its pin: its L4 gets the builder's slot-511 entry in
 * XEN_PV_ALIAS_SLOT.  The builder maps nothing else (but Xen's own slots).
 */
void xen_pv_boot_region_borrow(struct pt_batch *b)
{
	const pte_t *boot_l4 = (const pte_t *)(KERNEL_VMA + xen_pv.boot_pt_pa);
	pte_t *root = pt_page(mm.root);
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (pte_present(boot_l4[i]) && i != BUILDER_SLOT &&
		    !(i >= mm.cfg.foreign_l4_lo && i < mm.cfg.foreign_l4_hi))
			panic("batch %u: the builder's L4 maps slot %u: only slot %u was expected",
			      b->id, i, BUILDER_SLOT);
	if (!pte_present(boot_l4[BUILDER_SLOT]) || pte_present(root[XEN_PV_ALIAS_SLOT]))
		panic("batch %u: cannot borrow the builder's L3: its slot %u is 0x%016lx, ours %u is 0x%016lx",
		      b->id, BUILDER_SLOT, (unsigned long)boot_l4[BUILDER_SLOT], XEN_PV_ALIAS_SLOT,
		      (unsigned long)root[XEN_PV_ALIAS_SLOT]);
	root[XEN_PV_ALIAS_SLOT] = boot_l4[BUILDER_SLOT];
	xen_pv.alias_active = true;
}

/* Everything the backend reads in the region, at `base` + pa from now on. */
static void region_at(uint64_t (*va)(phys_addr_t pa))
{
	xen_pv.p2m = (const xen_pfn_t *)va(xen_pv.p2m_pa);
	xen_pv.si = (const struct start_info *)va(xen_pv.si_pa);
	if (xen_pv.ring_pa)
		xen_console_attach((volatile void *)va(xen_pv.ring_pa), xen_pv.ring_evtchn);
}

/* Step 4, right after MMUEXT_NEW_BASEPTR: the builder's mapping is gone. */
void xen_pv_boot_region_alias(void)
{
	region_at(alias_va);
}

/* ------------------------------------------------------- shared_info */

/* The fixmap entry of `slot` (its L1 exists from step 1). */
static pte_t *fixmap_entry(unsigned int slot)
{
	uint64_t va = fixmap_addr(slot);
	phys_addr_t t = mm.root;
	unsigned int l;

	for (l = pt_levels; l > 1; l--) {
		pte_t e = pt_page(t)[pt_index(va, l)];

		if (!pte_present(e) || (e & PTE_PS))
			panic("no fixmap L1 table for va 0x%016lx", (unsigned long)va);
		t = pte_phys(e);
	}
	return pt_page(t) + pt_index(va, 1);
}

static void p2m_va_set(uint64_t va)
{
	shinfo->arch.p2m_generation++;          /* odd: changing */
	__asm__ volatile("sfence" ::: "memory");
	shinfo->arch.p2m_vaddr = va;
	__asm__ volatile("sfence" ::: "memory");
	shinfo->arch.p2m_generation++;
}

/*
 * shared_info is a machine page of Xen's, not in the p2m: its fixmap entry
 * holds the machine address start_info gives.  p2m_cr3 is our root, in the
 * format of CR3 (xen_pfn_to_cr3 on x86-64: mfn << 12).
 */
void xen_pv_p2m_publish(uint64_t root_mfn)
{
	write_pte(fixmap_entry(FIX_XEN_PV_SHARED_INFO),
		  (xen_pv.shared_info_maddr & PTE_ADDR_MASK) | PTE_P | PTE_RW |
		  (mm.cfg.nx ? PTE_NX : 0));
	shinfo = (volatile struct shared_info *)fixmap_addr(FIX_XEN_PV_SHARED_INFO);
	shinfo->arch.p2m_generation++;
	__asm__ volatile("sfence" ::: "memory");
	shinfo->arch.max_pfn = xen_pv.nr_pages;
	shinfo->arch.p2m_cr3 = root_mfn << PAGE_SHIFT;
	shinfo->arch.p2m_vaddr = (uint64_t)xen_pv.p2m;
	__asm__ volatile("sfence" ::: "memory");
	shinfo->arch.p2m_generation++;
}

/* ----------------------------------------------------------- release */

static uint64_t direct_va(phys_addr_t pa)
{
	return DIRECT_MAP_BASE + pa;
}

static bool direct_mapped(phys_addr_t pa)
{
	return pte_present(pt_lookup(DIRECT_MAP_BASE + pa, NULL, NULL));
}

/*
 * After every link (and at step 4): once the direct map holds the whole
 * region, move there and give the builder's tables back.
 */
void xen_pv_boot_region_follow(unsigned int batch_id)
{
	unsigned long h0 = xen_pv_total.hypercalls, q0 = xen_pv_total.mmu_update_reqs;
	unsigned int unflips = 0;
	phys_addr_t pa;

	if (!xen_pv.alias_active || !direct_mapped(xen_pv.region_pa) ||
	    !direct_mapped(xen_pv.region_end - PAGE_SIZE))
		return;
	region_at(direct_va);
	p2m_va_set((uint64_t)xen_pv.p2m);
	/* The last reference to the builder's L3: Xen drops the type of every
	 * builder table under it (and flushes the TLB: an L4 entry changed). */
	write_pte(pt_page(mm.root) + XEN_PV_ALIAS_SLOT, 0);
	xen_pv.alias_active = false;
	for (pa = xen_pv.boot_pt_pa; pa < xen_pv.boot_pt_pa + xen_pv.boot_pt_frames * PAGE_SIZE;
	     pa += PAGE_SIZE) {
		unsigned int level;
		pte_t *slot;
		pte_t e = pt_lookup(DIRECT_MAP_BASE + pa, &level, &slot);

		if (pte_present(e) && !(e & PTE_RW))
			xen_pv_write_queue(slot, e | PTE_RW, __func__);
	}
	unflips = xen_pv_write_flush(__func__);
	XEN_PV_COUNT(unflips, unflips);
	trace("xenpv release id=%u boot_tables=%lu unflips=%u alias_l4_slot=%u p2m_va=0x%016lx hypercalls=%lu mmu_update_reqs=%lu",
	      batch_id, xen_pv.boot_pt_frames, unflips, XEN_PV_ALIAS_SLOT,
	      (unsigned long)xen_pv.p2m, xen_pv_total.hypercalls - h0,
	      xen_pv_total.mmu_update_reqs - q0);
}
