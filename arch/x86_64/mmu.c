/*
 * mmu.c — what mm/ needs from the machine: the direct-map window and the
 * kernel image's sections as the linker placed them.
 */
#include <stddef.h>
#include <kernel/image.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <arch/mmu.h>

/* Valid for every page the live tables map in the direct map; mm only asks
 * for pages it already mapped (hpa's rule) or brk pages, which it reaches
 * through the image instead. */
void *phys_window(phys_addr_t pa)
{
	return (void *)(DIRECT_MAP_BASE + pa);
}

static void add(struct mm_image *img, const char *name, enum image_kind kind,
		const char *start, const char *end)
{
	struct image_section *s = &img->sec[img->nr_sec++];

	s->name = name;
	s->kind = kind;
	s->va = (uint64_t)start;
	s->va_end = (uint64_t)end;
}

void arch_mm_image(struct mm_image *img)
{
	img->nr_sec = 0;
	img->pa_start = KERNEL_LOAD_PA;
	img->pa_end = (uint64_t)__image_end - KERNEL_VMA;
	add(img, "text", IMG_TEXT, __text_start, __text_end);
	add(img, "rodata", IMG_RODATA, __rodata_start, __rodata_end);
	add(img, "data", IMG_DATA, __data_start, __bss_end);
	add(img, "guard", IMG_GUARD, __stack_guard, __stack_bottom);
	add(img, "stack", IMG_DATA, __stack_bottom, __stack_top);
	add(img, "brk", IMG_BRK, __brk_start, __brk_end);
	img->brk = __brk_start;
	img->brk_pa = (uint64_t)__brk_start - KERNEL_VMA;
	img->brk_pages = (__brk_end - __brk_start) / PAGE_SIZE;
}

bool addr_in_stack_guard(uint64_t va)
{
	return va >= (uint64_t)__stack_guard && va < (uint64_t)__stack_bottom;
}

const char *image_section_name(uint64_t va)
{
	if (va >= (uint64_t)__text_start && va < (uint64_t)__text_end)
		return "text";
	if (va >= (uint64_t)__rodata_start && va < (uint64_t)__rodata_end)
		return "rodata";
	if (va >= (uint64_t)__data_start && va < (uint64_t)__brk_end)
		return "data";
	return NULL;
}
