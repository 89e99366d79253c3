/*
 * entry.c — the first C code.  head.asm calls x86_64_start() in the higher
 * half, on the boot stack, with the boot tables (identity 0-4 GiB) live.
 */
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/serial.h>
#include <arch/traps.h>
#include <kernel/boot_info.h>
#include <kernel/kmain.h>
#include <kernel/panic.h>
#include <kernel/screen.h>
#include <mm/pgtable.h>

void x86_64_start(uint32_t proto, uint32_t magic, uint32_t info_pa);

void x86_64_start(uint32_t proto, uint32_t magic, uint32_t info_pa)
{
	panic_before_verdict(screen_emergency);  /* a panic shows on the screen, however early */
	serial_init();                  /* printk works from here on */
	cpu_init();
	cpu_ctl_setup();                    /* CR0, PAT (CR4 features): as on every AP */
	/* head.asm chose the depth before paging was on: mm follows it. */
	pt_levels = read_cr4() & X86_CR4_LA57 ? 5 : 4;
	traps_init();                   /* faults are reported, not fatal resets */

	switch (proto) {
	case BOOT_PROTO_MULTIBOOT2:
		multiboot2_parse(&boot_info, magic, info_pa);
		break;
	case BOOT_PROTO_PVH:
		pvh_parse(&boot_info, info_pa);
		break;
	default:
		panic("unknown entry stub %u", proto);
	}
	kmain(&boot_info);
}
