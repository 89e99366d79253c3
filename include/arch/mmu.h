/* include/arch/mmu.h — the machine side of mm (arch/x86_64/mmu.c). */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdbool.h>
#include <stdint.h>

struct mm_image;

void arch_mm_image(struct mm_image *img);
bool addr_in_stack_guard(uint64_t va);
const char *image_section_name(uint64_t va);   /* "text", "rodata", "data" or NULL */

#endif /* ARCH_MMU_H */
