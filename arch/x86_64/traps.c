/*
 * traps.c — GDT with a TSS, the IDT, the one exception handler and its
 * diagnosis.
 *
 * Every exception prints the vector, its name, the error code, RIP, CR2
 * (for #PF), the registers and a diagnosis, then ends the run: PASS if it
 * is the fault registered with trap_expect(), PANIC otherwise.  #DF runs on
 * its own stack (IST1), so a kernel stack overflow into the guard page is
 * reported, not a triple fault; NMI (IST2), #DB (IST3) and #MC (IST4) have
 * their own too, because they can arrive anywhere — in the syscall path's
 * few instructions on the user's RSP, or inside another handler.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/traps.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/check.h>
#include <mm/layout.h>
#include <paravirt/ops.h>

#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define TSS_SEL     0x18
#define IST_DF      1
#define IST_NMI     2
#define IST_DB      3
#define IST_MC      4

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t trap_stubs[32];

static struct tss tss;
static struct trap_expect expected;     /* vector 0 with no diag: none */
static uint64_t gdt[GDT_ENTRIES];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint8_t ist_stacks[IST_COUNT][4096] __attribute__((aligned(16)));

static const char *const trap_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

static void set_gate(unsigned int v, uint64_t handler, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.offset_lo = handler & 0xffff,
		.selector = KERNEL_CS,
		.ist = ist,
		.type_attr = 0x8e,              /* present, DPL 0, interrupt gate */
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = handler >> 32,
	};
}

void trap_expect(const struct trap_expect *e)
{
	expected = e ? *e : (struct trap_expect){ 0 };
}

void trap_gate_disable(unsigned int vector)
{
	idt[vector].type_attr &= 0x7f;
}

/* Fill and load a CPU's GDT and TSS (the boot CPU's are static; an AP's
 * live in its globaldata page). */
void cpu_desc_load(uint64_t *g, struct tss *t, const uint64_t ist_top[IST_COUNT])
{
	uint64_t base = (uint64_t)t;
	struct desc_ptr gdtr = { GDT_ENTRIES * sizeof(uint64_t) - 1, (uint64_t)g };
	unsigned int i;

	for (i = 0; i < IST_COUNT; i++)
		t->ist[i] = ist_top[i];
	t->iomap_base = sizeof(*t);

	g[0] = 0;
	g[1] = 0x00af9a000000ffffULL;         /* 64-bit code */
	g[2] = 0x00cf92000000ffffULL;         /* data */
	g[3] = (sizeof(*t) - 1) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((base >> 24) & 0xff) << 56);
	g[4] = base >> 32;
	g[5] = 0;
	g[6] = 0x00cff2000000ffffULL;         /* user data, DPL 3 */
	g[7] = 0x00affa000000ffffULL;         /* user 64-bit code, DPL 3 */

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 : : "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
			 : "rax", "memory");
}

struct tss *cpu_tss(void)
{
	struct desc_ptr gdtr;
	const uint64_t *g;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	g = (const uint64_t *)gdtr.base;
	return (struct tss *)(((g[3] >> 16) & 0xffffff) | (((g[3] >> 56) & 0xff) << 24) |
			      (g[4] << 32));
}

static user_fault_fn user_fault;

void trap_set_user_fault(user_fault_fn fn)
{
	user_fault = fn;
}

void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_set_interrupt(unsigned int vector, uint64_t handler)
{
	set_gate(vector, handler, 0);
}

static uint8_t ist_of(unsigned int vector)
{
	switch (vector) {
	case X86_TRAP_DF:
		return IST_DF;
	case X86_TRAP_NMI:
		return IST_NMI;
	case X86_TRAP_DB:
		return IST_DB;
	case X86_TRAP_MC:
		return IST_MC;
	}
	return 0;
}

/* The trap frame lies in the top page of this CPU's IST stack for vector. */
static bool on_ist(unsigned int vector, const struct trap_frame *f)
{
	uint64_t top;

	if (!ist_of(vector))
		return false;
	top = cpu_tss()->ist[ist_of(vector) - 1];
	return (uint64_t)f < top && (uint64_t)f >= top - 4096;
}

void traps_init(void)
{
	unsigned int v;

	uint64_t top[IST_COUNT];

	for (v = 0; v < IST_COUNT; v++)
		top[v] = (uint64_t)(ist_stacks[v] + sizeof(ist_stacks[v]));
	cpu_desc_load(gdt, &tss, top);
	for (v = 0; v < 32; v++)
		set_gate(v, trap_stubs[v], ist_of(v));
	idt_load();
}

static void dump_registers(const struct trap_frame *f)
{
	printk("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n",
	       f->rax, f->rbx, f->rcx, f->rdx);
	printk("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n",
	       f->rsi, f->rdi, f->rbp, f->rsp);
	printk("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n",
	       f->r8, f->r9, f->r10, f->r11);
	printk("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n",
	       f->r12, f->r13, f->r14, f->r15);
	printk("  rflags=%016lx cs=%04lx ss=%04lx cr3=%016lx\n",
	       f->rflags, f->cs, f->ss, pv_read_cr3());
}

static bool in_direct_map(uint64_t va)
{
	return va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < DIRECT_MAP_SIZE;
}

/* What the fault means, from the vector, the #PF error code and address,
 * and what the kernel knows about that address. */
/* A fault in ring 3: what the program did. */
static const char *user_diagnose(unsigned int vector, uint64_t err, uint64_t cr2)
{
	if (vector != X86_TRAP_PF || !(err & PF_USER))
		return DIAG_USER_OTHER;
	if (cr2 >> 47)                  /* the kernel half (canonical: all ones above) */
		return err & PF_PRESENT ? DIAG_USER_KERNEL : DIAG_USER_KERNEL_ABSENT;
	if (!(err & PF_PRESENT))
		return DIAG_USER_UNMAPPED;
	if (err & PF_INSTR)
		return DIAG_USER_NX;
	if (err & PF_WRITE)
		return DIAG_USER_WX;
	return DIAG_USER_OTHER;
}

static const char *diagnose(unsigned int vector, uint64_t err, uint64_t cr2)
{
	const char *sec;

	if (vector == X86_TRAP_DF)
		return addr_in_stack_guard(cr2) ? DIAG_STACK_GUARD : DIAG_DOUBLE_FAULT;
	if (vector != X86_TRAP_PF)
		return DIAG_OTHER;
	if (cr2 < PAGE_SIZE)
		return DIAG_NULL;
	/* A present user page (the user half) refused to ring 0: only SMEP
	 * (a fetch) or SMAP (a data access) does that. */
	if ((err & PF_PRESENT) && !(cr2 >> 47) && (err & PF_INSTR) && (read_cr4() & X86_CR4_SMEP))
		return DIAG_SMEP;
	if ((err & PF_PRESENT) && !(cr2 >> 47) && !(err & PF_INSTR) && (read_cr4() & X86_CR4_SMAP))
		return DIAG_SMAP;
	if (addr_in_stack_guard(cr2))
		return DIAG_STACK_GUARD;
	if (!(err & PF_PRESENT))
		return DIAG_UNMAPPED;
	sec = image_section_name(cr2);
	if (err & PF_INSTR) {
		if (in_direct_map(cr2))
			return DIAG_NX_DIRECT;
		if (sec && strcmp(sec, "text"))
			return DIAG_NX_DATA;
		return DIAG_OTHER;
	}
	if (err & PF_WRITE) {
		uint64_t pa = 0;

		if (sec && !strcmp(sec, "text"))
			return DIAG_WX_TEXT;
		if (sec && !strcmp(sec, "rodata"))
			return DIAG_WX_RODATA;
		if (in_direct_map(cr2))
			pa = cr2 - DIRECT_MAP_BASE;
		else if (sec)
			pa = cr2 - KERNEL_VMA;
		if (pa && mm_is_table(pa))
			return DIAG_PINNED;
	}
	return DIAG_OTHER;
}

static bool is_expected(unsigned int vector, const char *diag, uint64_t rip)
{
	const struct trap_expect *e = &expected;

	if (!e->diag || e->vector != vector || strcmp(e->diag, diag))
		return false;
	return (!e->rip_lo && !e->rip_hi) || (rip >= e->rip_lo && rip < e->rip_hi);
}

void trap_handler(struct trap_frame *f)
{
	unsigned int v = f->vector & 31;
	uint64_t cr2 = pv_read_cr2();
	const char *diag;

	printk("TRAP: vector=%u %s error=0x%lx rip=%016lx%s\n", v, trap_names[v],
	       f->error_code, f->rip, on_ist(v, f) ? " (IST stack)" : "");
	if (v == X86_TRAP_PF)
		printk("  cr2=%016lx access=%s%s%s\n", cr2,
		       f->error_code & PF_INSTR ? "fetch" :
		       f->error_code & PF_WRITE ? "write" : "read",
		       f->error_code & PF_PRESENT ? " protection-violation" : " not-present",
		       f->error_code & PF_RSVD ? " reserved-bit" : "");
	else if (v == X86_TRAP_DF)
		printk("  cr2=%016lx (the last page-fault address)\n", cr2);
	dump_registers(f);

	if (v == X86_TRAP_NMI && (f->cs & 3) != 3)
		diag = on_ist(v, f) ? DIAG_NMI_IST : DIAG_NMI_NOT_IST;
	else
		diag = (f->cs & 3) == 3 ? user_diagnose(v, f->error_code, cr2) :
					   diagnose(v, f->error_code, cr2);
	printk("  diagnosis: %s\n", diag);
	if ((f->cs & 3) == 3 && user_fault)
		user_fault(f, v, diag, cr2);    /* kills the program, not the kernel */
	if (is_expected(v, diag, f->rip)) {
		printk("%s: %s: caught as expected (vector %u, %s)\n", expected.owner,
		       expected.name, v, diag);
		finish_pass();
	}
	if (expected.diag)
		printk("  expected by %s %s: vector %u, %s, rip in [%016lx-%016lx)\n",
		       expected.owner, expected.name, expected.vector, expected.diag,
		       (unsigned long)expected.rip_lo, (unsigned long)expected.rip_hi);
	panic("vector %u at rip 0x%016lx cr2 0x%016lx: %s", v,
	      (unsigned long)f->rip, (unsigned long)cr2, diag);
}
