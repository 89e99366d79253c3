/*
 * traps.c — GDT with a TSS, the IDT, and the one exception handler.
 *
 * Every exception prints the vector, its name, the error code, RIP, CR2
 * (for #PF), the registers and a diagnosis, then ends the run (a self-test
 * that expected exactly this fault turns it into its verdict).  #DF runs on
 * its own stack (IST1), so a kernel stack overflow into the guard page is
 * reported, not a triple fault.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/traps.h>
#include <kernel/fault.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/layout.h>
#include <paravirt/ops.h>

#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define TSS_SEL     0x18
#define IST_DF      1

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
static uint64_t gdt[GDT_ENTRIES];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));

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

void trap_gate_disable(unsigned int vector)
{
	idt[vector].type_attr &= 0x7f;
}

/* Fill and load a CPU's GDT and TSS (the boot CPU's are static; an AP's
 * live in its globaldata page). */
void cpu_desc_load(uint64_t *g, struct tss *t, uint64_t df_stack_top)
{
	uint64_t base = (uint64_t)t;
	struct desc_ptr gdtr = { GDT_ENTRIES * sizeof(uint64_t) - 1, (uint64_t)g };

	t->ist[IST_DF - 1] = df_stack_top;
	t->iomap_base = sizeof(*t);

	g[0] = 0;
	g[1] = 0x00af9a000000ffffULL;         /* 64-bit code */
	g[2] = 0x00cf92000000ffffULL;         /* data */
	g[3] = (sizeof(*t) - 1) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((base >> 24) & 0xff) << 56);
	g[4] = base >> 32;

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

void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_set_interrupt(unsigned int vector, uint64_t handler)
{
	set_gate(vector, handler, 0);
}

void traps_init(void)
{
	unsigned int v;

	cpu_desc_load(gdt, &tss, (uint64_t)(df_stack + sizeof(df_stack)));
	for (v = 0; v < 32; v++)
		set_gate(v, trap_stubs[v], v == X86_TRAP_DF ? IST_DF : 0);
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

void trap_handler(struct trap_frame *f)
{
	unsigned int v = f->vector & 31;
	uint64_t cr2 = pv_read_cr2();
	const char *diag;

	printk("TRAP: vector=%u %s error=0x%lx rip=%016lx%s\n", v, trap_names[v],
	       f->error_code, f->rip, v == X86_TRAP_DF ? " (IST stack)" : "");
	if (v == X86_TRAP_PF)
		printk("  cr2=%016lx access=%s%s%s\n", cr2,
		       f->error_code & PF_INSTR ? "fetch" :
		       f->error_code & PF_WRITE ? "write" : "read",
		       f->error_code & PF_PRESENT ? " protection-violation" : " not-present",
		       f->error_code & PF_RSVD ? " reserved-bit" : "");
	else if (v == X86_TRAP_DF)
		printk("  cr2=%016lx (the last page-fault address)\n", cr2);
	dump_registers(f);

	diag = fault_diagnose(v, f->error_code, cr2);
	printk("  diagnosis: %s\n", diag);
	fault_conclude(v, diag, f->rip, cr2);
}
