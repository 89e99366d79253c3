/*
 * plant.c — walk.plant=: a planted page-table bug for the outside walker
 * (tests/walk/, test only).
 *
 * The bug is planted after every in-guest self-check has run (mm_check,
 * the per-CPU and the user checks), so the run still ends in PASS: only a
 * judge outside the guest can see it.  tests/walk/ boots with end=wait,
 * walks the tables from QEMU's copy of guest memory and must name it.
 *
 *   wx        one page of the kernel text becomes writable: W+X
 *   lowtable  the L1 table that maps that page is copied to a free page
 *             below 1 MiB and the L2 entry points there: a table page that
 *             no batch claims, below the start point and in low memory
 */
#include <kernel/image.h>
#include <kernel/panic.h>
#include <kernel/plant.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <paravirt/ops.h>

/* The text page to plant on: this function's own. */
static uint64_t plant_va(void)
{
	return (uint64_t)(uintptr_t)&walk_plant & ~(PAGE_SIZE - 1);
}

static void plant_wx(void)
{
	unsigned int level;
	pte_t *slot;
	pte_t e = pt_lookup(plant_va(), &level, &slot);

	if (!e || level != 1)
		panic("walk.plant=wx: text va 0x%016lx is not a 4 KiB leaf", (unsigned long)plant_va());
	write_pte(slot, e | PTE_RW);
	flush_tlb_one(plant_va());
	printk("walk.plant: wx: text va 0x%016lx made writable (entry 0x%016lx)\n",
	       (unsigned long)plant_va(), (unsigned long)(e | PTE_RW));
}

/* Is [pa, pa + PAGE_SIZE) usable RAM that nothing but "lowmem" reserves? */
static bool low_page_free(phys_addr_t pa)
{
	bool usable = false;
	unsigned int i;

	for (i = 0; i < mm.ram.nr; i++)
		if (mm.ram.e[i].type == MEM_USABLE && pa >= mm.ram.e[i].start &&
		    pa + PAGE_SIZE <= mm.ram.e[i].start + mm.ram.e[i].size)
			usable = true;
	for (i = 0; usable && i < mm.nr_reserved; i++)
		if (strcmp(mm.reserved_why[i], "lowmem") && pa < mm.reserved[i].end &&
		    pa + PAGE_SIZE > mm.reserved[i].start)
			return false;
	return usable;
}

static void plant_lowtable(void)
{
	uint64_t va = plant_va();
	phys_addr_t t = mm.root, low;
	pte_t *l2e = NULL;
	unsigned int l, i;

	for (l = pt_levels; l >= 2; l--) {
		pte_t *p = pt_page(t) + pt_index(va, l);

		if (!pte_present(*p) || pte_is_leaf(*p, l))
			panic("walk.plant=lowtable: va 0x%016lx has no L1 table", (unsigned long)va);
		l2e = p;
		t = pte_phys(*p);
	}
	for (low = 0x9f000; low >= 0x10000; low -= PAGE_SIZE)
		if (low_page_free(low))
			break;
	if (low < 0x10000)
		panic("walk.plant=lowtable: no free usable page below 1 MiB");
	memcpy(pt_page(low), pt_page(t), PAGE_SIZE);
	write_pte(l2e, make_pte(low, *l2e & ~PTE_ADDR_MASK));
	for (i = 0; i < PT_ENTRIES; i++)
		flush_tlb_one((va & ~(level_size(2) - 1)) + (uint64_t)i * PAGE_SIZE);
	printk("walk.plant: lowtable: the L1 of va 0x%016lx moved from 0x%lx to 0x%lx\n",
	       (unsigned long)va, (unsigned long)t, (unsigned long)low);
}

void walk_plant(const char *what)
{
	if (!strcmp(what, "wx"))
		plant_wx();
	else
		plant_lowtable();
}
