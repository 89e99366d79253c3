/*
 * selftest.c — the self-tests: each provokes one fault after setup
 * (design §10).
 *
 * A test registers what it expects (vector, diagnosis, where the faulting
 * instruction lies) with trap_expect() and runs its trigger; the trap path
 * diagnoses the fault and ends the run — PASS only if it matches.  A
 * trigger that returns has failed: the protection it probes did not hold.
 * The triggers live in their own text section, so "the fault came from the
 * test" is checked, not assumed.
 */
#include <arch/mmu.h>
#include <arch/traps.h>
#include <kernel/image.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/percpu.h>

/* Trigger code: kept out of line, in .text.selftest (see kernel.lds.S). */
#define SELFTEST_CODE __attribute__((section(".text.selftest"), noinline))

/* --------------------------------------------------------------- tests */

SELFTEST_CODE static void t_pin_write(void)
{
	/* A plain store into the live L4 through the direct map.  Where the
	 * backend pins tables this must fault; entry 0 (user half) stays 0. */
	volatile pte_t *l4 = (volatile pte_t *)(DIRECT_MAP_BASE + mm.root);

	l4[0] = l4[0];
}

/* Addresses go through a volatile so the compiler cannot see them. */
SELFTEST_CODE static void load_from(uintptr_t addr)
{
	volatile uintptr_t a = addr;

	(void)*(volatile uint64_t *)a;
}

SELFTEST_CODE static void t_unmapped(void)
{
	load_from(VMALLOC_BASE);        /* reserved, never mapped */
}

SELFTEST_CODE static void t_null(void)
{
	load_from(8);
}

SELFTEST_CODE static void t_wx_text(void)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)&t_wx_text;

	*p = *p;
}

/* A page of the image that holds a `ret`: written through the image
 * mapping (RW), called through the direct map, which must be NX. */
static uint8_t nx_probe[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static uint64_t nx_probe_direct(void)
{
	return DIRECT_MAP_BASE + ((uintptr_t)nx_probe - KERNEL_VMA);
}

SELFTEST_CODE static void t_nx_direct(void)
{
	void (*fn)(void);

	nx_probe[0] = 0xc3;     /* ret */
	fn = (void (*)(void))(uintptr_t)nx_probe_direct();
	fn();                   /* returns only where NX does not hold */
}

static volatile bool recurse_stop;      /* never set: defeats the optimiser */

SELFTEST_CODE static unsigned long recurse(unsigned long n)
{
	volatile uint8_t buf[512];

	buf[0] = (uint8_t)n;
	if (recurse_stop)
		return n;
	return recurse(n + 1) + buf[0];
}

SELFTEST_CODE static void t_stack_overflow(void)
{
	recurse(0);
}

SELFTEST_CODE static void t_double_fault(void)
{
	/* int3 with its gate not present raises #NP, whose gate is not present
	 * either: a contributory fault while delivering one is #DF. */
	trap_gate_disable(X86_TRAP_BP);
	trap_gate_disable(X86_TRAP_NP);
	__asm__ volatile("int3");
}

/* The user probe page's provider, registered as data by the user run
 * (kernel/user.c), so that this file does not call into it. */
static uint64_t (*probe_fn)(void);

void selftest_set_user_probe(uint64_t (*fn)(void))
{
	probe_fn = fn;
}

static uint64_t user_probe(void)
{
	if (!probe_fn)
		panic("no user probe page: the user run did not register one (user=off?)");
	return probe_fn();
}

/* SMEP: ring 0 calls a user page (it holds `ret`: returning means no SMEP). */
SELFTEST_CODE static void t_smep(void)
{
	volatile uintptr_t va = user_probe();

	((void (*)(void))va)();
}

/* SMAP: ring 0 reads a user page through its user VA, outside any copy. */
SELFTEST_CODE static void t_smap(void)
{
	load_from(user_probe());
}

/* A kernel mapping in an L4 slot nobody pre-populated (vmalloc): it needs
 * a new kernel-half L4 entry, which the APs' L4s would never get. */
SELFTEST_CODE static void t_l4_late(void)
{
	kmap_map_page(VMALLOC_BASE, 0, true);
}

/* An NMI through the IDT (int $2): it must run on its own IST stack. */
SELFTEST_CODE static void t_nmi_ist(void)
{
	__asm__ volatile("int $2" ::: "memory");
}

static const struct selftest tests[] = {
	{ "pin-write", X86_TRAP_PF, DIAG_PINNED, AT_TEST_CODE, t_pin_write },
	{ "unmapped", X86_TRAP_PF, DIAG_UNMAPPED, AT_TEST_CODE, t_unmapped },
	{ "null", X86_TRAP_PF, DIAG_NULL, AT_TEST_CODE, t_null },
	{ "wx-text", X86_TRAP_PF, DIAG_WX_TEXT, AT_TEST_CODE, t_wx_text },
	{ "nx-direct", X86_TRAP_PF, DIAG_NX_DIRECT, AT_NX_PROBE, t_nx_direct },
	{ "stack-overflow", X86_TRAP_DF, DIAG_STACK_GUARD, AT_ANYWHERE, t_stack_overflow },
	{ "double-fault", X86_TRAP_DF, DIAG_DOUBLE_FAULT, AT_ANYWHERE, t_double_fault },
	{ "user-kernel", X86_TRAP_PF, DIAG_USER_KERNEL, AT_NONE, NULL },
	{ "user-wx", X86_TRAP_PF, DIAG_USER_WX, AT_NONE, NULL },
	{ "user-nx", X86_TRAP_PF, DIAG_USER_NX, AT_NONE, NULL },
	{ "user-unmapped", X86_TRAP_PF, DIAG_USER_UNMAPPED, AT_NONE, NULL },
	/* ping prints "topdown: result: PASS" and is not killed: the run FAILs,
	 * and the forged line (printed as "user[ping]: ...") must not count */
	{ "user-forge", X86_TRAP_PF, DIAG_USER_OTHER, AT_NONE, NULL },
	{ "smep", X86_TRAP_PF, DIAG_SMEP, AT_USER_PROBE, t_smep },
	{ "smap", X86_TRAP_PF, DIAG_SMAP, AT_TEST_CODE, t_smap },
	{ "l4-late", -1, NULL, AT_PANIC, t_l4_late },
	{ "nmi-ist", X86_TRAP_NMI, DIAG_NMI_IST, AT_TEST_CODE, t_nmi_ist },
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
	static char names[256];
	size_t n = 0;
	unsigned int i;

	if (!names[0])
		for (i = 0; i < NR_TESTS; i++)
			n += snprintf(names + n, sizeof(names) - n, "%s%s", i ? " " : "",
				      tests[i].name);
	return names;
}

void selftest_run(const char *name)
{
	const struct selftest *t = selftest_find(name);
	struct trap_expect e = { .owner = "selftest" };

	if (!t)
		panic("unknown self-test '%s'", name);
	if (t->where == AT_NONE)        /* judged by the user run: user_selftest() */
		panic("self-test '%s' is judged by the user run, not run here", name);
	if (t->where == AT_PANIC) {
		printk("selftest: %s: expecting a PANIC that names the L4 slot\n", t->name);
		t->run();
		finish_fail("selftest %s: no panic: the write went through (one CPU only?)", t->name);
	}
	e.name = t->name;
	e.vector = (unsigned int)t->vector;
	e.diag = t->diag;
	if (t->where == AT_TEST_CODE) {
		e.rip_lo = (uintptr_t)__selftest_text_start;
		e.rip_hi = (uintptr_t)__selftest_text_end;
	} else if (t->where == AT_USER_PROBE) {
		e.rip_lo = SELFTEST_USER_PROBE_VA;
		e.rip_hi = e.rip_lo + PAGE_SIZE;
	} else if (t->where == AT_NX_PROBE) {
		e.rip_lo = nx_probe_direct();
		e.rip_hi = e.rip_lo + PAGE_SIZE;
	}
	printk("selftest: %s: expecting vector %d, diagnosis \"%s\"\n", t->name, t->vector,
	       t->diag);
	trap_expect(&e);
	t->run();
	trap_expect(NULL);
	finish_fail("selftest %s: no fault: the protection it probes did not hold", t->name);
}
