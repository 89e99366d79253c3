/*
 * protect_pvh.c — the Xen PVH table protection (design §4), shared by the
 * kernel and the host builds (<paravirt/xen_pvh.h>).
 *
 * A PVH guest cannot ask Xen to pin its tables (MMUEXT_PIN_* is for PV
 * guests), so it protects them itself: after each batch is built and
 * before it is linked, every table page of the batch becomes read-only in
 * every kernel mapping of it — the direct map, and the image mapping for
 * brk pages.  A large direct-map page holding a table page is split (one
 * level at a time) so that only table pages lose write access; the split
 * tables are tables too, so they are protected in the same way, until a
 * whole pass changes nothing.
 *
 * Only mm's lookup API (pt_lookup, pt_page, batch_*) and the paravirt
 * wrappers write_pte/flush_tlb_one: no hypercall, no CPU access.
 */
#include <kernel/panic.h>
#include <mm/mm.h>
#include <paravirt/ops.h>
#include <paravirt/xen_pvh.h>

struct protect_pass {
	struct pt_batch *b;
	bool changed;
};

/* Replace the large leaf *slot (level 2 or 3) by a table of the next level
 * down that maps the same memory with the same permissions. */
static void split(struct protect_pass *p, pte_t *slot, unsigned int level, uint64_t va)
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

static void protect(struct protect_pass *p, uint64_t va)
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
	struct protect_pass *p = arg;
	phys_addr_t brk_lo = mm.image->brk_pa;
	phys_addr_t brk_hi = brk_lo + mm.image->brk_pages * PAGE_SIZE;

	protect(p, DIRECT_MAP_BASE + pa);
	if (pa >= brk_lo && pa < brk_hi)
		protect(p, KERNEL_VMA + pa);
}

void xen_pvh_protect_batch(struct pt_batch *b)
{
	struct protect_pass p = { .b = b };

	do {
		p.changed = false;
		batch_for_each_table(b, protect_table, &p);
	} while (p.changed);
	b->hook_action = "pin-ro";
	b->hook_result = "ok";
}

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
