/*
 * include/arch/traps.h — exceptions: the one handler, its diagnosis, and
 * the table of expected faults (design §10).
 *
 * Every exception ends the run.  The trap path prints the vector, error
 * code, registers and a diagnosis (DIAG_*, decided here and nowhere else),
 * then compares the fault with the expectation registered by trap_expect():
 * a fault that matches it ends the run with PASS, anything else with
 * PANIC.  Code that provokes a fault on purpose (kernel/selftest.c)
 * registers the expectation as data — XTF's exception-table idea — so the
 * trap path never calls back into it.
 */
#ifndef ARCH_TRAPS_H
#define ARCH_TRAPS_H

#include <stdint.h>

#define X86_TRAP_DE  0
#define X86_TRAP_DB  1
#define X86_TRAP_NMI 2
#define X86_TRAP_BP  3
#define X86_TRAP_UD  6
#define X86_TRAP_DF  8
#define X86_TRAP_NP 11
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_TRAP_MC 18

/* IST stacks: #DF, NMI, #DB, #MC (IST1..4), each CPU its own. */
#define IST_COUNT   4

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

/* null, kernel code64 (0x08), kernel data (0x10), TSS (0x18, two slots),
 * then the user segments in the order SYSRET wants them from STAR[63:48] =
 * 0x28: user data at +8 (0x30), user code64 at +16 (0x38); 0x28 itself
 * would be a 32-bit user code segment and stays null. */
#define GDT_ENTRIES 8
#define GDT_KERNEL_CS   0x08
#define USER_STAR_BASE  0x28
#define USER_DS         (0x30 | 3)
#define USER_CS         (0x38 | 3)

/* Diagnoses (compared with strcmp, pointer equality is not relied on). */
#define DIAG_NULL           "NULL pointer dereference (page 0 is never mapped)"
#define DIAG_UNMAPPED       "access to an unmapped address"
#define DIAG_WX_TEXT        "write to kernel text (W^X: text is read-only)"
#define DIAG_WX_RODATA      "write to kernel rodata (read-only)"
#define DIAG_NX_DIRECT      "instruction fetch from the direct map (NX)"
#define DIAG_NX_DATA        "instruction fetch from kernel data (NX)"
#define DIAG_STACK_GUARD    "kernel stack overflow into the guard page"
#define DIAG_PINNED         "write to a pinned page table"
#define DIAG_SMEP           "kernel instruction fetch from a user page (SMEP)"
#define DIAG_SMAP           "kernel access to a user page outside a user copy (SMAP)"
#define DIAG_DOUBLE_FAULT   "double fault (an exception while delivering another)"
#define DIAG_OTHER          "unexpected exception"
#define DIAG_NMI_IST        "NMI, on its own IST stack"
#define DIAG_NMI_NOT_IST    "NMI, NOT on its own IST stack"
/* Faults in ring 3: the program is killed, the kernel goes on. */
#define DIAG_USER_KERNEL    "user access to a kernel address (supervisor-only page)"
/* Xen PV: the user root has no kernel half, so the address is not present */
#define DIAG_USER_KERNEL_ABSENT "user access to a kernel address (not mapped in user mode)"
#define DIAG_USER_WX        "user write to its own code (W^X: user code is read-only)"
#define DIAG_USER_NX        "user instruction fetch from its own data (NX)"
#define DIAG_USER_UNMAPPED  "user access to an unmapped user address"
#define DIAG_USER_OTHER     "unexpected exception in user mode"

/*
 * One expected fault.  It matches an exception whose vector is `vector`,
 * whose diagnosis is `diag`, and whose saved RIP lies in [rip_lo, rip_hi)
 * (rip_lo == rip_hi == 0: anywhere — the SDM leaves the RIP saved by #DF
 * undefined).  On a match the trap path prints
 *   "<owner>: <name>: caught as expected (vector V, <diag>)"
 * and ends the run with PASS.
 */
struct trap_expect {
	const char *owner, *name;       /* "selftest", "null" */
	unsigned int vector;
	const char *diag;               /* DIAG_* */
	uint64_t rip_lo, rip_hi;
};

/* Register the expectation (the record is copied); NULL clears it. */
void trap_expect(const struct trap_expect *e);

void traps_init(void);
/* A CPU's GDT and TSS: fill, lgdt, reload segments, ltr; the IST stack
 * tops for #DF, NMI, #DB, #MC (IST1..4). */
void cpu_desc_load(uint64_t *gdt, struct tss *tss, const uint64_t ist_top[IST_COUNT]);
/* The one IDT, shared by every CPU. */
void idt_load(void);
void idt_set_interrupt(unsigned int vector, uint64_t handler);
/* This CPU's TSS (found through its GDT: works on every CPU). */
struct tss *cpu_tss(void);

/*
 * Who handles a fault in ring 3 (after the report and the diagnosis): it
 * ends the program, not the run, and does not return.  Registered as data
 * by the user run (kernel/user.c); with none, a ring-3 fault ends the run.
 */
typedef void (*user_fault_fn)(const struct trap_frame *f, unsigned int vector,
			      const char *diag, uint64_t cr2) __attribute__((noreturn));
void trap_set_user_fault(user_fault_fn fn);
void trap_handler(struct trap_frame *f);

/* Make `vector`'s gate not present (for the double-fault self-test). */
void trap_gate_disable(unsigned int vector);

#endif /* ARCH_TRAPS_H */
