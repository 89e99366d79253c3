/*
 * selftest.c — the self-tests, and fault diagnosis.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/traps.h>
#include <kernel/fault.h>
#include <kernel/image.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include <mm/check.h>
#include <mm/mm.h>

static const struct selftest *running;

/* --------------------------------------------------------------- tests */

static void t_pin_write(void)
{
	/* A plain store into the live L4 through the direct map.  Where the
	 * backend pins tables this must fault; entry 0 (user half) stays 0. */
	volatile pte_t *l4 = (volatile pte_t *)(DIRECT_MAP_BASE + mm.root);

	l4[0] = l4[0];
}

/* Addresses go through a volatile so the compiler cannot see them. */
static void load_from(uintptr_t addr)
{
	volatile uintptr_t a = addr;

	(void)*(volatile uint64_t *)a;
}

static void t_unmapped(void)
{
	load_from(VMALLOC_BASE);        /* reserved, never mapped */
}

static void t_null(void)
{
	load_from(8);
}

static void t_wx_text(void)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)&t_wx_text;

	*p = *p;
}

/* A page of the image that holds a `ret`: written through the image
 * mapping (RW), called through the direct map, which must be NX. */
static uint8_t nx_probe[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void t_nx_direct(void)
{
	void (*fn)(void);

	nx_probe[0] = 0xc3;     /* ret */
	fn = (void (*)(void))(uintptr_t)(DIRECT_MAP_BASE + ((uintptr_t)nx_probe - KERNEL_VMA));
	fn();                   /* returns only where NX does not hold */
}

static volatile bool recurse_stop;      /* never set: defeats the optimiser */

static unsigned long __attribute__((noinline)) recurse(unsigned long n)
{
	volatile uint8_t buf[512];

	buf[0] = (uint8_t)n;
	if (recurse_stop)
		return n;
	return recurse(n + 1) + buf[0];
}

static void t_stack_overflow(void)
{
	recurse(0);
}

static void t_double_fault(void)
{
	/* int3 with its gate not present raises #NP, whose gate is not present
	 * either: a contributory fault while delivering one is #DF. */
	trap_gate_disable(X86_TRAP_BP);
	trap_gate_disable(X86_TRAP_NP);
	__asm__ volatile("int3");
}

static const struct selftest tests[] = {
	{ "pin-write", X86_TRAP_PF, DIAG_PINNED, t_pin_write },
	{ "unmapped", X86_TRAP_PF, DIAG_UNMAPPED, t_unmapped },
	{ "null", X86_TRAP_PF, DIAG_NULL, t_null },
	{ "wx-text", X86_TRAP_PF, DIAG_WX_TEXT, t_wx_text },
	{ "nx-direct", X86_TRAP_PF, DIAG_NX_DIRECT, t_nx_direct },
	{ "stack-overflow", X86_TRAP_DF, DIAG_STACK_GUARD, t_stack_overflow },
	{ "double-fault", X86_TRAP_DF, DIAG_DOUBLE_FAULT, t_double_fault },
};

#define NR_TESTS (sizeof(tests) / sizeof(tests[0]))

const struct selftest *selftest_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_TESTS; i++)
		if (!strcmp(tests[i].name, name))
			return &tests[i];
	return NULL;
}

const char *selftest_names(void)
{
	return "pin-write unmapped null wx-text nx-direct stack-overflow double-fault";
}

void selftest_run(const char *name)
{
	const struct selftest *t = selftest_find(name);

	if (!t)
		return;
	printk("selftest: %s: expecting vector %d, diagnosis \"%s\"\n", t->name, t->vector,
	       t->diag);
	running = t;
	t->run();
	running = NULL;
	finish_fail("selftest %s: no fault: the protection it probes did not hold", t->name);
}

const struct selftest *selftest_expected(unsigned int vector, const char *diag)
{
	if (running && (int)vector == running->vector && !strcmp(diag, running->diag))
		return running;
	return NULL;
}

/* --------------------------------------------------------------- faults */

const char *fault_diagnose(unsigned int vector, uint64_t err, uint64_t cr2)
{
	const char *sec;

	if (vector == X86_TRAP_DF)
		return addr_in_stack_guard(cr2) ? DIAG_STACK_GUARD : DIAG_DOUBLE_FAULT;
	if (vector != X86_TRAP_PF)
		return DIAG_OTHER;
	if (cr2 < PAGE_SIZE)
		return DIAG_NULL;
	if (addr_in_stack_guard(cr2))
		return DIAG_STACK_GUARD;
	if (!(err & PF_PRESENT))
		return DIAG_UNMAPPED;
	sec = image_section_name(cr2);
	if (err & PF_INSTR) {
		if (cr2 >= DIRECT_MAP_BASE && cr2 - DIRECT_MAP_BASE < DIRECT_MAP_SIZE)
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
		if (cr2 >= DIRECT_MAP_BASE && cr2 - DIRECT_MAP_BASE < DIRECT_MAP_SIZE)
			pa = cr2 - DIRECT_MAP_BASE;
		else if (sec)
			pa = cr2 - KERNEL_VMA;
		if (pa && mm_is_table(pa))
			return DIAG_PINNED;
	}
	return DIAG_OTHER;
}

void fault_conclude(unsigned int vector, const char *diag, uint64_t rip, uint64_t cr2)
{
	const struct selftest *t = selftest_expected(vector, diag);

	if (t) {
		printk("selftest: %s: caught as expected (vector %u, %s)\n", t->name, vector, diag);
		finish_pass();
	}
	panic_at("trap", "vector %u at rip 0x%016lx cr2 0x%016lx: %s", vector,
		 (unsigned long)rip, (unsigned long)cr2, diag);
}
