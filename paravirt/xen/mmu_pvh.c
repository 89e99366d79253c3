/*
 * mmu_pvh.c — the Xen PVH hook: table protection (design §4).
 *
 * A PVH guest cannot ask Xen to pin its tables (MMUEXT_PIN_* is for PV
 * guests), so it protects them itself: after each batch is built and
 * before it is linked, every table page of the batch becomes read-only in
 * every kernel mapping of it — the direct map, and the image mapping for
 * brk pages.  A large direct-map page holding a table page is split (one
 * level at a time) so that only table pages lose write access; the split
 * tables are tables too, so they are protected in the same way, until a
 * whole pass changes nothing.  Later writes to live tables go through
 * xen_pvh_write_pte(), which lifts CR0.WP for the one store.
 *
 * Once, the hook also asks Xen to pin the root with MMUEXT_PIN_L4_TABLE
 * and records the answer in the trace: it shows why self-protection is
 * used.
 */
#include <arch/cpu.h>
#include <kernel/image.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <paravirt/ops.h>
#include "internal.h"

struct pin_pass {
	struct pt_batch *b;
	bool changed;
};

void xen_pvh_write_pte(pte_t *ptep, pte_t val)
{
	uint64_t cr0 = read_cr0();

	write_cr0(cr0 & ~X86_CR0_WP);
	*(volatile pte_t *)ptep = val;
	write_cr0(cr0);
}

/* Replace the large leaf *slot (level 2 or 3) by a table of the next level
 * down that maps the same memory with the same permissions. */
static void split(struct pin_pass *p, pte_t *slot, unsigned int level, uint64_t va)
{
	pte_t e = *slot;
	uint64_t size = level_size(level - 1);
	phys_addr_t base = pte_addr(e) & ~(level_size(level) - 1);
	pte_t flags = e & ~PTE_ADDR_MASK;
	phys_addr_t t = batch_alloc_table(p->b, level - 1);
	pte_t *nt = pt_page(t);
	unsigned int i;

	if (level - 1 == 1)
		flags &= ~PTE_PS;       /* bit 7 of an L1 entry is PAT */
	for (i = 0; i < PT_ENTRIES; i++)
		nt[i] = (base + i * size) | flags;
	write_pte(slot, t | PTE_P | PTE_RW);
	flush_tlb_one(va & ~(level_size(level) - 1));
	p->b->hook_splits++;
	p->changed = true;
}

static void protect(struct pin_pass *p, uint64_t va)
{
	unsigned int level;
	pte_t *slot;
	pte_t e = pt_lookup(va, &level, &slot);

	if (!pte_present(e))
		return;         /* not mapped yet: mm maps brk read-only when it does */
	while (level > 1) {
		split(p, slot, level, va);
		e = pt_lookup(va, &level, &slot);
	}
	if (e & PTE_RW) {
		write_pte(slot, e & ~PTE_RW);
		flush_tlb_one(va);
		p->b->hook_ro_entries++;
		p->changed = true;
	}
}

static void protect_table(phys_addr_t pa, void *arg)
{
	struct pin_pass *p = arg;
	uint64_t brk_lo = (uint64_t)__brk_start - KERNEL_VMA;
	uint64_t brk_hi = (uint64_t)__brk_end - KERNEL_VMA;

	protect(p, DIRECT_MAP_BASE + pa);
	if (pa >= brk_lo && pa < brk_hi)
		protect(p, KERNEL_VMA + pa);
}

static void try_real_pin(phys_addr_t root)
{
	struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
	unsigned int done = 0;
	long rc;

	op.arg1.mfn = root >> PAGE_SHIFT;
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	printk("xen: MMUEXT_PIN_L4_TABLE on our own root (gfn 0x%lx) -> rc=%ld%s\n",
	       (unsigned long)(root >> PAGE_SHIFT), rc,
	       rc ? " (refused: PVH protects its tables itself)" : "");
	trace("xen pin_attempt op=MMUEXT_PIN_L4_TABLE gfn=0x%lx rc=%ld", (unsigned long)(root >> PAGE_SHIFT), rc);
}

/* The reverse of protect(), for a table page that is no longer one: its
 * direct-map entry becomes writable again (any split stays). */
void xen_pvh_table_released(phys_addr_t pa)
{
	uint64_t va = DIRECT_MAP_BASE + pa;
	unsigned int level;
	pte_t *slot;
	pte_t e = pt_lookup(va, &level, &slot);

	if (!pte_present(e) || level != 1)
		panic("table 0x%010lx: no 4 KiB direct-map entry to make writable again",
		      (unsigned long)pa);
	write_pte(slot, e | PTE_RW);
	flush_tlb_one(va);
}

void xen_pvh_batch_built(struct pt_batch *b)
{
	struct pin_pass p = { .b = b };
	static bool tried;

	if (!tried) {
		tried = true;
		try_real_pin(mm.root);
	}
	do {
		p.changed = false;
		batch_for_each_table(b, protect_table, &p);
	} while (p.changed);
	b->hook_action = "pin-ro";
	b->hook_result = "ok";
}
