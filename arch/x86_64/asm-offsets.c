/*
 * asm-offsets.c — constants the nasm sources need, taken from the C headers
 * (ours and Xen's public ones) so that each has exactly one source of truth.
 * Compiled to assembly only; the Makefile turns the markers into
 * build/gen/asm-offsets.inc.
 */
#include <stdint.h>
#include <mm/layout.h>
#include <stddef.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <arch/traps.h>
#include <arch/usermode.h>
#include <xen/xen.h>
#include <xen/elfnote.h>
#include <xen/arch-x86/hvm/start_info.h>

#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(type, member))
#define DEFINE(sym, val) \
	__asm__ volatile("\n\t.ascii \"@@" #sym " %0@@\"" : : "i"((long)(val)))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(KERNEL_VMA_NEG, -(long)KERNEL_VMA);  /* 0x80000000 */
	DEFINE(KERNEL_LOAD_PA, KERNEL_LOAD_PA);
	DEFINE(KERNEL_VMA, KERNEL_VMA);
	DEFINE(XEN_ELFNOTE_PHYS32_ENTRY, XEN_ELFNOTE_PHYS32_ENTRY);
	DEFINE(XEN_ELFNOTE_ENTRY, XEN_ELFNOTE_ENTRY);
	DEFINE(XEN_ELFNOTE_HYPERCALL_PAGE, XEN_ELFNOTE_HYPERCALL_PAGE);
	DEFINE(XEN_ELFNOTE_VIRT_BASE, XEN_ELFNOTE_VIRT_BASE);
	DEFINE(XEN_ELFNOTE_PADDR_OFFSET, XEN_ELFNOTE_PADDR_OFFSET);
	DEFINE(XEN_ELFNOTE_XEN_VERSION, XEN_ELFNOTE_XEN_VERSION);
	DEFINE(XEN_ELFNOTE_GUEST_OS, XEN_ELFNOTE_GUEST_OS);
	DEFINE(XEN_ELFNOTE_LOADER, XEN_ELFNOTE_LOADER);
	DEFINE(XEN_HVM_START_MAGIC_VALUE, XEN_HVM_START_MAGIC_VALUE);
	DEFINE(XEN_HVM_DEBUGCONS_IOPORT, XEN_HVM_DEBUGCONS_IOPORT);
	/* Xen PV ring 3 (paravirt/xen/entry_pv.asm) */
	DEFINE(FLAT_USER_CS, FLAT_USER_CS);
	DEFINE(FLAT_USER_SS, FLAT_USER_SS);
	DEFINE(FLAT_KERNEL_SS, FLAT_KERNEL_SS);
	DEFINE(VGCF_in_syscall, VGCF_in_syscall);
	DEFINE(__HYPERVISOR_iret, __HYPERVISOR_iret);
	DEFINE(__HYPERVISOR_stack_switch, __HYPERVISOR_stack_switch);
	DEFINE(BOOT_PROTO_MULTIBOOT2, BOOT_PROTO_MULTIBOOT2);
	DEFINE(BOOT_PROTO_PVH, BOOT_PROTO_PVH);
	DEFINE(MB2_HEADER_MAGIC, MB2_HEADER_MAGIC);
	DEFINE(MB2_ARCH_I386, MB2_ARCH_I386);
	DEFINE(MB2_HEADER_TAG_ENTRY_ADDRESS, MB2_HEADER_TAG_ENTRY_ADDRESS);
	DEFINE(MB2_HEADER_TAG_END, MB2_HEADER_TAG_END);
	DEFINE(MB2_HEADER_TAG_FRAMEBUFFER, MB2_HEADER_TAG_FRAMEBUFFER);
	DEFINE(MB2_HEADER_TAG_OPTIONAL, MB2_HEADER_TAG_OPTIONAL);
	DEFINE(DEBUG_EXIT_PORT, DEBUG_EXIT_PORT);
	DEFINE(DEBUG_EXIT_PASS, DEBUG_EXIT_PASS);
	DEFINE(DEBUG_EXIT_FAIL, DEBUG_EXIT_FAIL);
	DEFINE(DEBUG_EXIT_PANIC, DEBUG_EXIT_PANIC);
	DEFINE(STACK_PAGES, STACK_PAGES);

	/* tests/boot/badboot.asm builds and breaks boot information */
	DEFINE(MB2_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
	DEFINE(MB2_TAG_END, MB2_TAG_END);
	DEFINE(MB2_TAG_CMDLINE, MB2_TAG_CMDLINE);
	DEFINE(MB2_TAG_BOOT_LOADER_NAME, MB2_TAG_BOOT_LOADER_NAME);
	DEFINE(MB2_TAG_MODULE, MB2_TAG_MODULE);
	DEFINE(MB2_TAG_MMAP, MB2_TAG_MMAP);
	OFFSET(HVM_SI_MAGIC, struct hvm_start_info, magic);
	OFFSET(HVM_SI_VERSION, struct hvm_start_info, version);
	OFFSET(HVM_SI_NR_MODULES, struct hvm_start_info, nr_modules);
	OFFSET(HVM_SI_MODLIST_PADDR, struct hvm_start_info, modlist_paddr);
	OFFSET(HVM_SI_CMDLINE_PADDR, struct hvm_start_info, cmdline_paddr);
	OFFSET(HVM_SI_MEMMAP_PADDR, struct hvm_start_info, memmap_paddr);
	OFFSET(HVM_SI_MEMMAP_ENTRIES, struct hvm_start_info, memmap_entries);
	DEFINE(HVM_SI_SIZE, sizeof(struct hvm_start_info));
	OFFSET(HVM_MOD_PADDR, struct hvm_modlist_entry, paddr);
	OFFSET(HVM_MOD_SIZE, struct hvm_modlist_entry, size);
	DEFINE(HVM_MOD_ENTRY_SIZE, sizeof(struct hvm_modlist_entry));
	DEFINE(HVM_MEMMAP_ENTRY_SIZE, sizeof(struct hvm_memmap_table_entry));

	/* arch/x86_64/user.asm: ring 3 */
	DEFINE(USER_CS, USER_CS);
	DEFINE(USER_DS, USER_DS);
	DEFINE(GD_USER_REGS, GLOBALDATA_BASE + offsetof(struct globaldata, user_regs));
	DEFINE(GD_KERNEL_RSP, GLOBALDATA_BASE + offsetof(struct globaldata, kernel_rsp));
	DEFINE(GD_TSS_RSP0, GLOBALDATA_BASE + offsetof(struct globaldata, tss_rsp0));
	DEFINE(GD_SCRATCH, GLOBALDATA_BASE + offsetof(struct globaldata, scratch));
	OFFSET(UR_rax, struct user_regs, rax);
	OFFSET(UR_rbx, struct user_regs, rbx);
	OFFSET(UR_rcx, struct user_regs, rcx);
	OFFSET(UR_rdx, struct user_regs, rdx);
	OFFSET(UR_rsi, struct user_regs, rsi);
	OFFSET(UR_rdi, struct user_regs, rdi);
	OFFSET(UR_rbp, struct user_regs, rbp);
	OFFSET(UR_r8, struct user_regs, r8);
	OFFSET(UR_r9, struct user_regs, r9);
	OFFSET(UR_r10, struct user_regs, r10);
	OFFSET(UR_r11, struct user_regs, r11);
	OFFSET(UR_r12, struct user_regs, r12);
	OFFSET(UR_r13, struct user_regs, r13);
	OFFSET(UR_r14, struct user_regs, r14);
	OFFSET(UR_r15, struct user_regs, r15);
	OFFSET(UR_rip, struct user_regs, rip);
	OFFSET(UR_rsp, struct user_regs, rsp);
	OFFSET(UR_rflags, struct user_regs, rflags);

	/* arch/x86_64/trampoline.asm: the AP parameter block */
	DEFINE(TP_SIZE, sizeof(struct tramp_params));
	OFFSET(TP_gdtr_limit, struct tramp_params, gdtr_limit);
	OFFSET(TP_idtr_limit, struct tramp_params, idtr_limit);
	OFFSET(TP_jmp32_off, struct tramp_params, jmp32_off);
	OFFSET(TP_jmp64_off, struct tramp_params, jmp64_off);
	OFFSET(TP_cr4, struct tramp_params, cr4);
	OFFSET(TP_efer, struct tramp_params, efer);
	OFFSET(TP_nr_slots, struct tramp_params, nr_slots);
	OFFSET(TP_late, struct tramp_params, late);
	DEFINE(TS_SIZE, sizeof(struct tramp_slot));
	OFFSET(TS_apic_id, struct tramp_slot, apic_id);
	OFFSET(TS_state, struct tramp_slot, state);
	OFFSET(TS_cr3, struct tramp_slot, cr3);
	OFFSET(TS_start_tsc, struct tramp_slot, start_tsc);
	OFFSET(TS_stack, struct tramp_slot, stack);
	OFFSET(TS_arg, struct tramp_slot, arg);
	DEFINE(TRAMP_SLOT_READY, TRAMP_SLOT_READY);
	DEFINE(TRAMP_SLOT_TAKEN, TRAMP_SLOT_TAKEN);
	DEFINE(CR0_STATE, CR0_STATE);
	OFFSET(TP_entry, struct tramp_params, entry);
}
