/*
 * include/arch/traps.h — exceptions.
 */
#ifndef ARCH_TRAPS_H
#define ARCH_TRAPS_H

#include <stdint.h>

#define X86_TRAP_DE  0
#define X86_TRAP_BP  3
#define X86_TRAP_UD  6
#define X86_TRAP_DF  8
#define X86_TRAP_NP 11
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14

/* #PF error code bits */
#define PF_PRESENT  (1u << 0)
#define PF_WRITE    (1u << 1)
#define PF_USER     (1u << 2)
#define PF_RSVD     (1u << 3)
#define PF_INSTR    (1u << 4)

/* What entry.asm leaves on the stack (lowest address first). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

/* The 64-bit TSS. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define GDT_ENTRIES 5   /* null, code64 (0x08), data (0x10), TSS (0x18, two slots) */

void traps_init(void);
/* A CPU's GDT and TSS: fill, lgdt, reload segments, ltr (#DF on IST1). */
void cpu_desc_load(uint64_t *gdt, struct tss *tss, uint64_t df_stack_top);
/* The one IDT, shared by every CPU. */
void idt_load(void);
void idt_set_interrupt(unsigned int vector, uint64_t handler);
void trap_handler(struct trap_frame *f);

/* Make `vector`'s gate not present (for the double-fault self-test). */
void trap_gate_disable(unsigned int vector);

#endif /* ARCH_TRAPS_H */
