/*
 * lookup.c — reading and patching the live tables once mm_init is done.
 */
#include <kernel/panic.h>
#include <paravirt/ops.h>
#include "internal.h"

pte_t *pt_page(phys_addr_t pa)
{
	return pt_virt(pa);
}

pte_t pt_lookup_below(phys_addr_t table, unsigned int level, uint64_t va,
		      unsigned int *leaf_level, pte_t **slot)
{
	unsigned int l;

	for (l = level; l >= 1; l--) {
		pte_t *p = pt_virt(table) + pt_index(va, l);

		if (!pte_present(*p))
			return 0;
		if (pte_is_leaf(*p, l)) {
			if (leaf_level)
				*leaf_level = l;
			if (slot)
				*slot = p;
			return *p;
		}
		table = pte_phys(*p);
	}
	return 0;
}

pte_t pt_lookup(uint64_t va, unsigned int *level, pte_t **slot)
{
	return pt_lookup_below(mm.root, pt_levels, va, level, slot);
}

void fixmap_set(unsigned int slot, phys_addr_t pa, bool writable)
{
	fixmap_set_cache(slot, pa, writable, 0);
}

void fixmap_set_cache(unsigned int slot, phys_addr_t pa, bool writable, pte_t cache)
{
	uint64_t va = fixmap_addr(slot);
	phys_addr_t t = mm.root;
	unsigned int l;
	pte_t *p = NULL;

	if (cache & ~(PTE_PWT | PTE_PCD))
		panic("fixmap slot %u: cache bits 0x%lx are not PWT/PCD", slot, (unsigned long)cache);
	if (slot >= FIXMAP_SLOTS)
		panic("fixmap slot %u out of range (%d slots)", slot, FIXMAP_SLOTS);
	for (l = pt_levels; l >= 1; l--) {
		p = pt_virt(t) + pt_index(va, l);
		if (l == 1)
			break;
		if (!pte_present(*p) || pte_is_leaf(*p, l))
			panic("no fixmap L1 table for va 0x%016lx", (unsigned long)va);
		t = pte_phys(*p);
	}
	write_pte(p, make_pte(pa, PTE_P | (writable ? PTE_RW : 0) | cache | (mm.cfg.nx ? PTE_NX : 0)));
	if (mm.root_loaded)
		flush_tlb_one(va);
}
