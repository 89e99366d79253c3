/*
 * smp.c — every CPU up, each on its own L4 (design §8, issue 14).
 *
 *   1. Before mm runs: acpi_init() has the CPU list; smp_reserve_trampoline()
 *      picks a free page below 1 MiB and reserves it as boot data.
 *   2. smp_init(), after mm_init: CPU 0 gets its globaldata page (slot 510 of
 *      mm.root, its L4 since step 4).  For each AP, in order: its stacks in
 *      kmap (a live batch into the shared kernel half), then its own L4 (a
 *      batch: kernel half copied from mm.root, its globaldata page, slot 0 =
 *      the trampoline's identity map), hooked before anything can load it.
 *   3. Each AP in turn: parameters in the trampoline page, INIT, 10 ms,
 *      SIPI, 200 us, SIPI if it has not reported yet; then wait (bounded)
 *      for it to report in.  An AP that does not is named and left out.
 *   4. The AP (smp_ap_entry): drops slot 0, loads its GDT/TSS (in its
 *      globaldata page) and the shared IDT, writes its cpu and APIC id into
 *      globaldata, reads them back, reports in, and waits for IPIs.
 *
 * Xen PVH: the domain's emulated LAPIC takes the same INIT and SIPI (Xen
 * 4.17 starts the vCPU in real mode at the SIPI vector), and the toolstack
 * builds a MADT with one entry per vCPU (APIC id = 2 x vcpu id): the same
 * code runs, through the paravirt hook for every table.
 */
#include <stdarg.h>
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/traps.h>
#include <kernel/boot_info.h>
#include <kernel/cmdline.h>
#include <kernel/image.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <paravirt/ops.h>

#define TRAMP_LOW           0x1000ULL           /* trampoline page: in [4 KiB, 636 KiB) */
#define TRAMP_HIGH          0x9f000ULL
#define ROOT_LIMIT          0x100000000ULL      /* the trampoline's mov to CR3 is 32-bit */
#define INIT_WAIT_US        10000
#define SIPI_WAIT_US        200
#define REPORT_TIMEOUT_MS   3000
#define CALL_TIMEOUT_MS     3000

extern const uint8_t smp_tramp_start[], smp_tramp_end[], smp_tramp_params[];
extern const uint32_t smp_tramp_gdt_off, smp_tramp_gdt_size, smp_tramp_pm32_off,
	smp_tramp_lm64_off;
extern const uint8_t smp_call_stub[], spurious_stub[];

struct cpu cpus[MAX_CPUS];
unsigned int nr_cpus, nr_cpus_up;
static phys_addr_t tramp_pa;
static uint64_t bringup_tsc;
static char first_violation[200];
static unsigned int nr_timeout, nr_unstartable;

void smp_ap_entry(struct cpu *c) __attribute__((noreturn));
void smp_call_interrupt(void);

static struct globaldata *this_gd(void)
{
	return (struct globaldata *)GLOBALDATA_BASE;
}

static struct globaldata *gd_of(const struct cpu *c)
{
	return (struct globaldata *)phys_window(c->pt.globaldata);
}

/* ------------------------------------------------------ the trampoline */

static bool page_free_for_tramp(const struct boot_info *bi, uint64_t pa)
{
	bool usable = false;
	unsigned int i;

	for (i = 0; i < bi->map.nr; i++) {
		const struct memmap_entry *e = &bi->map.e[i];
		bool overlaps = e->start < pa + PAGE_SIZE && pa < e->start + e->size;

		if (!overlaps)
			continue;
		if (e->type != MEM_USABLE)
			return false;
		if (e->start <= pa && pa + PAGE_SIZE <= e->start + e->size)
			usable = true;
	}
	for (i = 0; i < bi->nr_boot_data; i++)
		if (bi->boot_data[i].start < pa + PAGE_SIZE && pa < bi->boot_data[i].end)
			return false;
	return usable;
}

void smp_reserve_trampoline(struct boot_info *bi)
{
	uint64_t pa;

	if (acpi.nr_enabled < 2)
		return;
	for (pa = TRAMP_HIGH - PAGE_SIZE; pa >= TRAMP_LOW; pa -= PAGE_SIZE)
		if (page_free_for_tramp(bi, pa))
			break;
	if (pa < TRAMP_LOW) {
		printk("smp: no free usable page in [mem 0x%06lx-0x%06lx] for the AP trampoline: the boot CPU only\n",
		       (unsigned long)TRAMP_LOW, (unsigned long)TRAMP_HIGH - 1);
		return;
	}
	tramp_pa = pa;
	boot_data_add(bi, pa, PAGE_SIZE);       /* mm never puts a table there */
	printk("smp: trampoline page [mem 0x%06lx-0x%06lx] reserved (SIPI vector 0x%02lx)\n",
	       (unsigned long)pa, (unsigned long)(pa + PAGE_SIZE - 1), (unsigned long)(pa >> 12));
}

static struct tramp_params *tramp_params(void)
{
	return (struct tramp_params *)(DIRECT_MAP_BASE + tramp_pa +
				       (smp_tramp_params - smp_tramp_start));
}

static void tramp_install(void)
{
	size_t size = smp_tramp_end - smp_tramp_start;
	struct tramp_params *p;

	_Static_assert(sizeof(struct tramp_params) < 256, "parameter block");
	if (size > PAGE_SIZE)
		panic("trampoline is %zu bytes, more than a page", size);
	memcpy((void *)(DIRECT_MAP_BASE + tramp_pa), smp_tramp_start, size);
	p = tramp_params();
	p->gdtr_limit = smp_tramp_gdt_size - 1;
	p->gdtr_base = tramp_pa + smp_tramp_gdt_off;
	p->jmp32_off = tramp_pa + smp_tramp_pm32_off;
	p->jmp32_sel = 0x08;
	p->jmp64_off = tramp_pa + smp_tramp_lm64_off;
	p->jmp64_sel = 0x18;
	p->cr4 = read_cr4() & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE);
	p->efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
	p->lapic_va = fixmap_addr(FIX_LAPIC);
	p->entry = (uint64_t)smp_ap_entry;
}

/* ---------------------------------------------------------- the AP side */

void smp_ap_entry(struct cpu *c)
{
	struct globaldata *gd = this_gd();

	percpu_drop_identity(c->pt.root);               /* slot 0: empty again */
	flush_tlb_one(tramp_pa);
	cpu_desc_load(gd->gdt, &gd->tss, c->pt.ist_top);
	idt_load();
	lapic_enable();
	gd->cpu = c->id;
	gd->apic_id = lapic_id();
	gd->magic = GLOBALDATA_MAGIC;
	c->seen_gd_cpu = ((volatile struct globaldata *)GLOBALDATA_BASE)->cpu;
	c->seen_gd_apic = ((volatile struct globaldata *)GLOBALDATA_BASE)->apic_id;
	c->seen_root = read_cr3();
	__atomic_store_n(&c->state, CPU_UP, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* ------------------------------------------------------- cross calls */

struct call_box {
	void (*fn)(void *);
	void *arg;
	volatile unsigned int done;
};

static struct call_box boxes[MAX_CPUS];

void smp_call_interrupt(void)
{
	struct call_box *b = &boxes[this_gd()->cpu];

	if (b->fn)
		b->fn(b->arg);
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	lapic_eoi();
}

static void call_post(unsigned int id, void (*fn)(void *), void *arg)
{
	boxes[id].fn = fn;
	boxes[id].arg = arg;
	boxes[id].done = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!lapic_ipi(cpus[id].apic_id, VECTOR_CALL | ICR_FIXED | ICR_ASSERT))
		panic("cpu %u apic %u: the call IPI never left the ICR", id, cpus[id].apic_id);
}

static bool call_wait(unsigned int id)
{
	uint64_t end = tsc_deadline(CALL_TIMEOUT_MS);

	while (!__atomic_load_n(&boxes[id].done, __ATOMIC_ACQUIRE))
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
}

bool smp_call(unsigned int id, void (*fn)(void *), void *arg)
{
	call_post(id, fn, arg);
	return call_wait(id);
}

static void flush_one(void *va)
{
	flush_tlb_one((uint64_t)va);
}

void smp_flush_tlb_others(uint64_t va)
{
	unsigned int i;

	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP)
			call_post(i, flush_one, (void *)va);
	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP && !call_wait(i))
			panic("cpu %u apic %u did not answer the TLB shootdown of va 0x%016lx within %d ms",
			      i, cpus[i].apic_id, (unsigned long)va, CALL_TIMEOUT_MS);
}

/* --------------------------------------------------------- the BSP side */

static void start_ap(struct cpu *c)
{
	struct tramp_params *p = tramp_params();
	uint64_t t0, end;
	uint32_t esr;

	p->cr3 = (uint32_t)c->pt.root;
	p->apic_id = c->apic_id;
	p->stack = c->pt.stack_top;
	p->arg = (uint64_t)c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	c->state = CPU_STARTING;
	t0 = rdtsc();
	lapic_esr();
	lapic_ipi(c->apic_id, ICR_INIT | ICR_ASSERT);
	udelay(INIT_WAIT_US);
	lapic_ipi(c->apic_id, ICR_STARTUP | ICR_ASSERT | (uint32_t)(tramp_pa >> 12));
	udelay(SIPI_WAIT_US);
	if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CPU_UP)
		lapic_ipi(c->apic_id, ICR_STARTUP | ICR_ASSERT | (uint32_t)(tramp_pa >> 12));
	end = tsc_deadline(REPORT_TIMEOUT_MS);
	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CPU_UP && rdtsc() < end)
		cpu_relax();
	if (c->state != CPU_UP) {
		esr = lapic_esr();
		c->state = CPU_TIMEOUT;
		nr_timeout++;
		printk("smp: cpu=%u apic=%u did not report in within %d ms (LAPIC ESR 0x%x): left out, the run goes on without it\n",
		       c->id, c->apic_id, REPORT_TIMEOUT_MS, esr);
		trace("smp_timeout cpu=%u apic=%u ms=%d", c->id, c->apic_id, REPORT_TIMEOUT_MS);
		return;
	}
	c->up_tsc = rdtsc() - t0;
	nr_cpus_up++;
}

static void list_cpus(uint32_t bsp_apic)
{
	unsigned int i;

	cpus[0].id = 0;
	cpus[0].apic_id = bsp_apic;
	cpus[0].state = CPU_UP;
	nr_cpus = nr_cpus_up = 1;
	for (i = 0; i < acpi.nr_cpu; i++) {
		const struct acpi_cpu *a = &acpi.cpu[i];
		struct cpu *c;

		if (!a->enabled || a->apic_id == bsp_apic)
			continue;
		if (a->apic_id > 0xfe) {
			printk("smp: apic=%u (x2APIC entry uid=%u) cannot be started in xAPIC mode: left out\n",
			       a->apic_id, a->uid);
			nr_unstartable++;
			continue;
		}
		c = &cpus[nr_cpus];
		c->id = nr_cpus++;
		c->apic_id = a->apic_id;
		c->state = CPU_ABSENT;
	}
}

static void report_cpu(const struct cpu *c)
{
	printk("percpu: cpu=%u apic=%u root=0x%lx globaldata=0x%lx tables=%lu stack_top=0x%lx\n",
	       c->id, c->apic_id, (unsigned long)c->pt.root, (unsigned long)c->pt.globaldata,
	       c->pt.tables, (unsigned long)c->pt.stack_top);
	trace("percpu cpu=%u apic=%u root=0x%010lx globaldata=0x%010lx tables=%lu l4=%lu l3=%lu l2=%lu l1=%lu batch=%u hook=%s result=%s stack_top=0x%016lx up_tsc=%lu",
	      c->id, c->apic_id, (unsigned long)c->pt.root, (unsigned long)c->pt.globaldata,
	      c->pt.tables, c->pt.tables_at[4], c->pt.tables_at[3], c->pt.tables_at[2],
	      c->pt.tables_at[1], c->pt.batch, c->pt.hook_action, c->pt.hook_result,
	      (unsigned long)c->pt.stack_top, (unsigned long)c->up_tsc);
}

void smp_init(void)
{
	struct globaldata *gd;
	uint64_t t0;
	unsigned int i;
	bool can_start;

	uint32_t a, b, cx, d;

	cpuid(1, &a, &b, &cx, &d);
	list_cpus(b >> 24);                     /* the initial APIC id */
	can_start = nr_cpus > 1 && tramp_pa;
	if (can_start) {                        /* the LAPIC only where there are APs */
		lapic_map(acpi.lapic_pa);
		lapic_enable();
		if (lapic_id() != cpus[0].apic_id)
			panic("LAPIC id %u, CPUID says the boot CPU's APIC id is %u",
			      lapic_id(), cpus[0].apic_id);
		idt_set_interrupt(VECTOR_CALL, (uint64_t)smp_call_stub);
		idt_set_interrupt(VECTOR_SPURIOUS, (uint64_t)spurious_stub);
	}

	/* CPU 0: its L4 is mm.root; globaldata through the same contract. */
	percpu_boot_cpu(&cpus[0].pt);
	cpus[0].pt.stack_top = (uint64_t)__stack_top;  /* the image's boot stack */
	gd = this_gd();
	gd->cpu = 0;
	gd->apic_id = cpus[0].apic_id;
	gd->magic = GLOBALDATA_MAGIC;
	gd->self_pa = cpus[0].pt.globaldata;
	cpus[0].seen_gd_cpu = ((volatile struct globaldata *)GLOBALDATA_BASE)->cpu;
	cpus[0].seen_gd_apic = ((volatile struct globaldata *)GLOBALDATA_BASE)->apic_id;
	cpus[0].seen_root = read_cr3();

	if (nr_cpus > 1 && !tramp_pa)
		printk("smp: %u APs listed but no trampoline page: not started\n", nr_cpus - 1);
	if (can_start) {
		tsc_calibrate();
		printk("smp: tsc=%lu kHz (%s); per AP: INIT, %d us, SIPI, %d us, SIPI, report-in within %d ms\n",
		       tsc_khz, tsc_khz_source, INIT_WAIT_US, SIPI_WAIT_US, REPORT_TIMEOUT_MS);
		for (i = 1; i < nr_cpus; i++) {
			cpus[i].pt.globaldata = 0;
			percpu_stacks(&cpus[i].pt, i);
			percpu_build_root(&cpus[i].pt, i, tramp_pa, ROOT_LIMIT);
			gd_of(&cpus[i])->self_pa = cpus[i].pt.globaldata;
		}
		tramp_install();
		t0 = rdtsc();
		for (i = 1; i < nr_cpus; i++)
			start_ap(&cpus[i]);
		bringup_tsc = rdtsc() - t0;
	}

	printk("smp: cpus=%u up=%u listed=%u not_present=%u timed_out=%u unstartable=%u method=%s\n",
	       nr_cpus, nr_cpus_up, acpi.nr_cpu + acpi.nr_over,
	       acpi.nr_online_capable + acpi.nr_ignored, nr_timeout, nr_unstartable,
	       can_start ? "init-sipi" : "none");
	trace("smp cpus=%u up=%u listed=%u not_present=%u timed_out=%u unstartable=%u method=%s madt=%s tramp=0x%06lx",
	      nr_cpus, nr_cpus_up, acpi.nr_cpu + acpi.nr_over,
	      acpi.nr_online_capable + acpi.nr_ignored, nr_timeout, nr_unstartable,
	      can_start ? "init-sipi" : "none", acpi.have_madt ? "yes" : "no",
	      (unsigned long)tramp_pa);
	for (i = 0; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP)
			report_cpu(&cpus[i]);
	if (can_start)
		printk("bench: smp_bringup_tsc=%lu cpus_started=%u table_pages_per_ap=%lu (guest instructions under qemu -icount shift=0,sleep=off)\n",
		       (unsigned long)bringup_tsc, nr_cpus - 1, cpus[1].pt.tables);
}

/* ------------------------------------------------- tests and self-check */

__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...)
{
	char msg[sizeof(first_violation)];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("smpcheck: VIOLATION: %s", msg);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	if (!first_violation[0])
		memcpy(first_violation, msg, sizeof(msg));
}

const char *smp_first_violation(void)
{
	return first_violation;
}

struct probe {
	uint64_t va;
	volatile uint64_t got[MAX_CPUS];
};

static void read_probe(void *arg)
{
	struct probe *p = arg;

	p->got[this_gd()->cpu] = *(volatile uint64_t *)p->va;
}

static void read_gd(void *arg)
{
	struct probe *p = arg;
	volatile struct globaldata *g = (volatile struct globaldata *)GLOBALDATA_BASE;

	p->got[this_gd()->cpu] = ((uint64_t)g->cpu << 32) | g->apic_id;
}

/* Every up AP runs fn(p); false (and a message) if one does not answer. */
static bool on_each_ap(void (*fn)(void *), struct probe *p, const char *what)
{
	unsigned int i;

	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP && !smp_call(i, fn, p)) {
			printk("smp: cpu=%u did not run %s within %d ms\n", i, what, CALL_TIMEOUT_MS);
			return false;
		}
	return true;
}

unsigned long smp_selfcheck(void)
{
	static struct percpu_tables *t[MAX_CPUS];
	static struct probe p;
	unsigned long v = 0, n = 0;
	unsigned int i, j;
	uint64_t va = KMAP_DYN_BASE;
	phys_addr_t a, b;
	bool ok;
	const char *verdict;

	/* globaldata: each CPU wrote its ids and read them back through
	 * GLOBALDATA_BASE; the BSP checks every page through the direct map,
	 * and asks every AP to read its slot again now. */
	p.va = GLOBALDATA_BASE;
	ok = on_each_ap(read_gd, &p, "the globaldata read");
	for (i = 0; i < nr_cpus; i++) {
		const struct cpu *c = &cpus[i];
		const struct globaldata *g;

		if (c->state != CPU_UP)
			continue;
		g = gd_of(c);
		if (c->seen_gd_cpu != i || c->seen_gd_apic != c->apic_id || g->cpu != i ||
		    g->apic_id != c->apic_id || g->magic != GLOBALDATA_MAGIC ||
		    g->self_pa != c->pt.globaldata ||
		    (i && p.got[i] != (((uint64_t)i << 32) | c->apic_id))) {
			note("cpu %u globaldata: read back cpu=%u apic=%u, page at 0x%lx holds cpu=%u apic=%u magic=0x%lx, later read 0x%lx (want cpu=%u apic=%u)\n",
			       i, c->seen_gd_cpu, c->seen_gd_apic, (unsigned long)c->pt.globaldata,
			       g->cpu, g->apic_id, (unsigned long)g->magic, (unsigned long)p.got[i],
			       i, c->apic_id);
			v++;
		}
		/* CR3 holds what a table entry holds (a machine frame on Xen PV) */
		if (pte_phys((c->seen_root & PTE_ADDR_MASK) | PTE_P) != c->pt.root) {
			note("cpu %u runs on CR3 0x%lx, its L4 is 0x%lx\n", i,
			       (unsigned long)c->seen_root, (unsigned long)c->pt.root);
			v++;
		}
		for (j = 0; j < i; j++)
			if (cpus[j].state == CPU_UP && cpus[j].pt.globaldata == c->pt.globaldata) {
				note("cpus %u and %u share globaldata 0x%lx\n", j,
				       i, (unsigned long)c->pt.globaldata);
				v++;
			}
		t[n++] = &cpus[i].pt;
	}
	if (!ok) {
		note("an AP did not answer the globaldata read\n");
		v++;
	}
	printk("smptest: globaldata: %lu cpus wrote and read back their ids at 0x%lx, checked through the direct map: %s\n",
	       n, (unsigned long)GLOBALDATA_BASE, v ? "FAIL" : "ok");
	trace("smptest what=globaldata cpus=%lu va=0x%016lx result=%s", n,
	      (unsigned long)GLOBALDATA_BASE, v ? "fail" : "ok");

	/* A new kernel mapping (new L2 and L1 below the shared kmap L3, no L4
	 * touched) is seen by every CPU. */
	a = kmap_map_page(va, 0, true);
	*(volatile uint64_t *)(DIRECT_MAP_BASE + a) = 0x1111111111111111ULL ^ a;
	memset((void *)p.got, 0, sizeof(p.got));
	p.va = va;
	ok = on_each_ap(read_probe, &p, "the new-mapping read");
	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP && p.got[i] != (0x1111111111111111ULL ^ a)) {
			note("cpu %u reads 0x%lx at new kernel mapping 0x%lx, want 0x%lx\n",
			       i, (unsigned long)p.got[i], (unsigned long)va,
			       (unsigned long)(0x1111111111111111ULL ^ a));
			ok = false;
		}
	verdict = ok ? "ok" : "FAIL";
	printk("smptest: new kernel mapping va=0x%lx pa=0x%lx (pre-populated kernel L4 slots, no L4 written): seen by %u cpus: %s\n",
	       (unsigned long)va, (unsigned long)a, nr_cpus_up, verdict);
	trace("smptest what=kernel-mapping va=0x%016lx pa=0x%010lx cpus=%u result=%s",
	      (unsigned long)va, (unsigned long)a, nr_cpus_up, ok ? "ok" : "fail");
	v += !ok;

	/* TLB shootdown: every AP has va cached (it just read it); remap va to
	 * another page; the others must read the new contents. */
	b = percpu_data_page();
	*(volatile uint64_t *)(DIRECT_MAP_BASE + b) = 0x2222222222222222ULL ^ b;
	kmap_remap_page(va, b);
	if (!options.smp_no_shootdown)
		smp_flush_tlb_others(va);
	memset((void *)p.got, 0, sizeof(p.got));
	ok = on_each_ap(read_probe, &p, "the shootdown read");
	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP && p.got[i] != (0x2222222222222222ULL ^ b)) {
			note("cpu %u reads 0x%lx at 0x%lx after the remap to 0x%lx (%s), want 0x%lx: a stale TLB entry\n",
			       i, (unsigned long)p.got[i], (unsigned long)va, (unsigned long)b,
			       p.got[i] == (0x1111111111111111ULL ^ a) ? "the old page's contents" :
			       "unexpected", (unsigned long)(0x2222222222222222ULL ^ b));
			ok = false;
		}
	printk("smptest: tlb shootdown va=0x%lx remapped 0x%lx -> 0x%lx, %s: %u other cpus read the new page: %s\n",
	       (unsigned long)va, (unsigned long)a, (unsigned long)b,
	       options.smp_no_shootdown ? "NO shootdown (smp.test=no-shootdown)" : "IPI + invlpg",
	       nr_cpus_up - 1, ok ? "ok" : "FAIL");
	trace("smptest what=shootdown va=0x%016lx old=0x%010lx new=0x%010lx ipi=%s cpus=%u result=%s",
	      (unsigned long)va, (unsigned long)a, (unsigned long)b,
	      options.smp_no_shootdown ? "skipped" : "yes", nr_cpus_up - 1, ok ? "ok" : "fail");
	v += !ok;

	/* The tables of every CPU. */
	n = percpu_check(t, (unsigned int)n, pv_tables_readonly(),
			 v ? NULL : first_violation, v ? 0 : sizeof(first_violation));
	printk("smpcheck: cpus=%u l4s=%u kernel_halves=identical? %s globaldata=distinct? %s user_slots=empty? %s tables_ro=%s violations=%lu\n",
	       nr_cpus_up, nr_cpus_up, n ? "see above" : "yes", n ? "see above" : "yes",
	       n ? "see above" : "yes", pv_tables_readonly() ? "checked" : "n/a", n);
	v += n;
	trace("smpcheck cpus=%u violations=%lu tables_ro=%s", nr_cpus_up, v,
	      pv_tables_readonly() ? "checked" : "n/a");
	return v;
}
