/*
 * Kernel linker script.  Preprocessed by cpp so that the layout constants
 * come from <mm/layout.h> and nowhere else.
 *
 * Physical layout (all loaders put PT_LOAD segments at p_paddr):
 *
 *   1 MiB  .boot      32-bit entry stubs and the multiboot2 header, linked and
 *                     run at their physical address (identity), dead once
 *                     kmain runs
 *          .text      \
 *          .rodata     | linked at KERNEL_VMA + phys, each 4 KiB aligned so
 *          .data/.bss  | that step 1 can map them W^X with 4 KiB pages
 *          .stack      | guard page + boot stack
 *          .brk       /  BRK_PAGES pages, the page-table pool of steps 1-2
 */
#include <generated/config.h>
#include <mm/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(mb2_entry32)

PHDRS
{
	boot   PT_LOAD FLAGS(5);   /* R X */
	text   PT_LOAD FLAGS(5);   /* R X */
	rodata PT_LOAD FLAGS(4);   /* R   */
	data   PT_LOAD FLAGS(6);   /* R W */
	note   PT_NOTE FLAGS(4);
}

SECTIONS
{
	. = KERNEL_LOAD_PA;
	__image_start = . + KERNEL_VMA;

	.boot : {
		KEEP(*(.multiboot2))
		*(.boot.text)
		*(.boot.data)
	} :boot

	. = ALIGN(4096);
	. += KERNEL_VMA;

	.text : AT(ADDR(.text) - KERNEL_VMA) {
		__text_start = .;
		__selftest_text_start = .;
		*(.text.selftest)
		__selftest_text_end = .;
		*(.text .text.*)
		. = ALIGN(4096);
		__hypercall_page = .;
		KEEP(*(.hypercall_page))
		. = ALIGN(4096);
		__text_end = .;
	} :text

	.rodata : AT(ADDR(.rodata) - KERNEL_VMA) {
		__rodata_start = .;
		*(.rodata .rodata.*)
	} :rodata

	.note.Xen : AT(ADDR(.note.Xen) - KERNEL_VMA) {
		KEEP(*(.note.Xen))
	} :rodata :note

	. = ALIGN(4096);
	__rodata_end = .;

	.data : AT(ADDR(.data) - KERNEL_VMA) ALIGN(4096) {
		__data_start = .;
		*(.data .data.*)
	} :data

	.bss (NOLOAD) : AT(ADDR(.bss) - KERNEL_VMA) {
		. = ALIGN(16);
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(4096);
		__bss_end = .;
	} :data

	.stack (NOLOAD) : AT(ADDR(.stack) - KERNEL_VMA) {
		__stack_guard = .;
		. += 4096;
		__stack_bottom = .;
		. += STACK_PAGES * 4096;
		__stack_top = .;
	} :data

	.brk (NOLOAD) : AT(ADDR(.brk) - KERNEL_VMA) {
		__brk_start = .;
		. += BRK_PAGES * 4096;
		__brk_end = .;
	} :data

	__image_end = .;
	__data_end = .;

	/DISCARD/ : {
		*(.comment) *(.note.GNU-stack) *(.note.gnu.property) *(.eh_frame)
	}
}

/* What head.asm and mm/ assume about the image. */
ASSERT(__image_start == KERNEL_VMA + KERNEL_LOAD_PA, "image must start at 1 MiB")
ASSERT(__image_end - KERNEL_VMA <= KERNEL_SPAN, "image must fit in the first GiB")
ASSERT(__image_end - KERNEL_VMA <= 0x40000000, "the boot L2 maps 1 GiB of image only")
ASSERT(SIZEOF(.boot) < 32768, "multiboot2 header must sit in the first 32 KiB")
ASSERT((__text_start & 0xfff) == 0, ".text must be page aligned")
ASSERT((__rodata_start & 0xfff) == 0, ".rodata must be page aligned")
ASSERT((__rodata_end & 0xfff) == 0, ".rodata end must be page aligned")
ASSERT((__data_start & 0xfff) == 0, ".data must be page aligned")
ASSERT((__hypercall_page & 0xfff) == 0, "hypercall page must be page aligned")
ASSERT((__stack_guard & 0xfff) == 0, "stack guard must be page aligned")
ASSERT((__brk_start & 0xfff) == 0, "brk must be page aligned")
ASSERT(__brk_end - __brk_start == BRK_PAGES * 4096, "brk size mismatch")
ASSERT(BRK_PAGES >= 1, "brk needs at least one page")
