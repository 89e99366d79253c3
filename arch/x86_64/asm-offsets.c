/*
 * asm-offsets.c — constants the nasm sources need, taken from the C headers
 * (ours and Xen's public ones) so that each has exactly one source of truth.
 * Compiled to assembly only; the Makefile turns the markers into
 * build/gen/asm-offsets.inc.
 */
#include <stdint.h>
#include <mm/layout.h>
#include <arch/boot.h>
#include <xen/xen.h>
#include <xen/elfnote.h>
#include <xen/arch-x86/hvm/start_info.h>

#define DEFINE(sym, val) \
	__asm__ volatile("\n\t.ascii \"@@" #sym " %0@@\"" : : "i"((long)(val)))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(KERNEL_VMA_NEG, -(long)KERNEL_VMA);  /* 0x80000000 */
	DEFINE(KERNEL_LOAD_PA, KERNEL_LOAD_PA);
	DEFINE(XEN_ELFNOTE_PHYS32_ENTRY, XEN_ELFNOTE_PHYS32_ENTRY);
	DEFINE(XEN_HVM_START_MAGIC_VALUE, XEN_HVM_START_MAGIC_VALUE);
	DEFINE(BOOT_PROTO_MULTIBOOT2, BOOT_PROTO_MULTIBOOT2);
	DEFINE(BOOT_PROTO_PVH, BOOT_PROTO_PVH);
	DEFINE(MB2_HEADER_MAGIC, MB2_HEADER_MAGIC);
	DEFINE(MB2_ARCH_I386, MB2_ARCH_I386);
	DEFINE(MB2_HEADER_TAG_ENTRY_ADDRESS, MB2_HEADER_TAG_ENTRY_ADDRESS);
	DEFINE(MB2_HEADER_TAG_END, MB2_HEADER_TAG_END);
	DEFINE(DEBUG_EXIT_PORT, DEBUG_EXIT_PORT);
	DEFINE(DEBUG_EXIT_PANIC, DEBUG_EXIT_PANIC);
	DEFINE(STACK_PAGES, STACK_PAGES);
}
