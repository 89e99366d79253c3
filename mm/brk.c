/*
 * brk.c — the brk chunk: BRK_PAGES pages reserved inside the kernel image
 * (section .brk, sized by the build, checked by the linker script), handed
 * out by a bump allocator.  Only steps 1 and 2 use it; exhaustion in step 1
 * is a panic with the numbers, in step 2 it is what ends the step.
 */
#include <lib/string.h>
#include "internal.h"

static struct {
	uint8_t *va;
	phys_addr_t pa;
	unsigned long pages, used;
} brk;

void brk_init(void *va, phys_addr_t pa, unsigned long pages)
{
	brk.va = va;
	brk.pa = pa;
	brk.pages = pages;
	brk.used = 0;
}

phys_addr_t brk_alloc_page(void)
{
	phys_addr_t pa;

	if (brk.used == brk.pages)
		return 0;
	pa = brk.pa + brk.used * PAGE_SIZE;
	memset(brk.va + brk.used * PAGE_SIZE, 0, PAGE_SIZE);
	brk.used++;
	mm.brk_used = brk.used;
	return pa;
}

unsigned long brk_pages_left(void)
{
	return brk.pages - brk.used;
}

bool pa_in_brk(phys_addr_t pa)
{
	return pa >= brk.pa && pa < brk.pa + brk.pages * PAGE_SIZE;
}

void *brk_virt(phys_addr_t pa)
{
	return brk.va + (pa - brk.pa);
}
