/*
 * smp.c — every CPU up, each on its own L4 (design §8, issue 14), started
 * the way real hardware needs it (issue 24; docs/smp.md).
 *
 *   1. Before mm runs: acpi_init() has the CPU list; smp_reserve_trampoline()
 *      picks a free page below 1 MiB and reserves it as boot data.
 *   2. smp_init(), after mm_init: CPU 0 gets its globaldata page (slot 510 of
 *      mm.root, its L4 since step 4).  For each AP: its stacks in kmap (a
 *      live batch into the shared kernel half), then its own L4 (a batch:
 *      kernel half copied from mm.root, its globaldata page, slot 0 = the
 *      trampoline's identity map), hooked before anything can load it, and
 *      its record in the trampoline page (by APIC id: struct tramp_slot).
 *   3. All APs in one pass: INIT to each; the 10 ms INIT wait only where
 *      Linux keeps it (init_wait_us()); SIPI to each; a short wait; a second
 *      SIPI to each whose record is not taken yet; then ONE deadline for all.
 *   4. The AP: the trampoline finds its record by its own APIC id and claims
 *      it; smp_ap_entry() sets CR0/PAT (cpu_ctl_setup), drops slot 0, loads its
 *      GDT/TSS (in its globaldata page) and the shared IDT, writes its cpu and
 *      APIC id into globaldata, reads them back, and reports in
 *      (STARTING -> UP, compare-and-exchange), then waits for IPIs.
 *   5. At the deadline, each AP still STARTING is made TIMEOUT (the same
 *      compare-and-exchange: an AP that loses it parks itself and is never
 *      counted), INIT-parked (wait-for-SIPI), and its record made DEAD, so a
 *      wake-up later finds nothing to run.  Named in the output, left out.
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
#define INIT_WAIT_US        10000               /* MP spec 1.4; only on old CPUs */
#define SIPI_WAIT_US        200                 /* after each SIPI, old CPUs */
#define SIPI_WAIT_FAST_US   10                  /* after each SIPI, modern CPUs */
#define REPORT_TIMEOUT_MS   3000
#define WAIT_TICK_US        10                  /* the boot CPU's LAPIC timer tick while it waits */
#define CALL_TIMEOUT_MS     10000   /* a bound only: the Xen lab's TCG vCPUs on a busy host are slow */

extern const uint8_t smp_tramp_start[], smp_tramp_end[], smp_tramp_params[];
extern const uint32_t smp_tramp_gdt_off, smp_tramp_gdt_size, smp_tramp_pm32_off,
	smp_tramp_lm64_off;
#define NR_TRAMP_SLOTS ((PAGE_SIZE - (size_t)(smp_tramp_end - smp_tramp_start)) / \
			sizeof(struct tramp_slot))
extern const uint8_t smp_call_stub[], lapic_timer_stub[], spurious_stub[];

struct cpu cpus[MAX_CPUS];
unsigned int nr_cpus, nr_cpus_up;
static unsigned int nr_listed;          /* find_cpus: the MADT's entries, Xen PV's vCPUs */
static phys_addr_t tramp_pa;
static uint64_t bringup_tsc, last_report_tsc;
static uint32_t start_min = UINT32_MAX, start_max;      /* first INIT -> record taken */
static unsigned long init_wait;                 /* us after INIT: init_wait_us() */
static unsigned int nr_late;                    /* late wake-ups seen (smp.test=ap-late) */
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

static struct tramp_slot *tramp_slot(unsigned int i)
{
	return (struct tramp_slot *)(DIRECT_MAP_BASE + tramp_pa +
				     (smp_tramp_end - smp_tramp_start)) + i;
}

/* The code and the parameters, the same for every AP; then one READY record
 * per AP (cpus[1..]), which only that AP's APIC id finds. */
static void tramp_install(void)
{
	size_t size = smp_tramp_end - smp_tramp_start;
	struct tramp_params *p;
	unsigned int i;

	_Static_assert(sizeof(struct tramp_params) < 256, "parameter block");
	_Static_assert(sizeof(struct tramp_slot) == 32, "record size (trampoline.asm: TS_SIZE)");
	if (size > PAGE_SIZE || NR_TRAMP_SLOTS < nr_cpus - 1)
		panic("trampoline is %zu bytes: room for %zu AP records in its page, %u APs", size,
		      size > PAGE_SIZE ? (size_t)0 : NR_TRAMP_SLOTS, nr_cpus - 1);
	memcpy((void *)(DIRECT_MAP_BASE + tramp_pa), smp_tramp_start, size);
	p = tramp_params();
	p->gdtr_limit = smp_tramp_gdt_size - 1;
	p->gdtr_base = tramp_pa + smp_tramp_gdt_off;
	p->idtr_limit = 0;                      /* the null IDT */
	p->idtr_base = 0;
	p->jmp32_off = tramp_pa + smp_tramp_pm32_off;
	p->jmp32_sel = 0x08;
	p->jmp64_off = tramp_pa + smp_tramp_lm64_off;
	p->jmp64_sel = 0x18;
	p->cr4 = (uint32_t)read_cr4();          /* the boot CPU's, whole */
	p->efer = (uint32_t)(rdmsr(MSR_EFER) & ~(uint64_t)EFER_LMA);
	p->late = 0;
	p->entry = (uint64_t)smp_ap_entry;
	for (i = 1; i < nr_cpus; i++) {
		struct tramp_slot *t = tramp_slot(i - 1);

		t->apic_id = cpus[i].apic_id;
		t->cr3 = (uint32_t)cpus[i].pt.root;
		t->stack = cpus[i].pt.stack_top;
		t->arg = (uint64_t)&cpus[i];
		t->state = TRAMP_SLOT_READY;
	}
	p->nr_slots = nr_cpus - 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint32_t slot_state(unsigned int id)
{
	return __atomic_load_n(&tramp_slot(id - 1)->state, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------- the AP side */

__attribute__((noreturn))
static void ap_park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

void smp_ap_entry(struct cpu *c)
{
	struct globaldata *gd = this_gd();

	if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CPU_STARTING)
		ap_park();                              /* past its deadline: stay out */
	idt_load();                                     /* before anything can fault */
	if (options.smp_test && !strcmp(options.smp_test, "pat-differs") && c->id == nr_cpus - 1)
		write_cr0(CR0_STATE);   /* planted: PAT left as INIT left it (the old bug) */
	else
		cpu_ctl_setup();                        /* CR0, PAT: as on the boot CPU */
	c->pat_set = cpu.pat ? rdmsr(MSR_PAT) : 0;
	percpu_drop_identity(c->pt.root);               /* slot 0: empty again */
	flush_tlb_one(tramp_pa);
	c->ist[0] = c->pt.ist_top;              /* #DF: in kmap, with a guard page */
	cpu_desc_load(gd->gdt, &gd->tss, c->ist);
	lapic_enable();
	smp_ap_report_in(c, lapic_id());
	for (;;)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Any start path: the AP writes its ids into its globaldata, reads them
 * back, and reports in (STARTING -> UP); parks if the BSP gave up on it. */
void smp_ap_report_in(struct cpu *c, uint32_t apic_id)
{
	struct globaldata *gd = this_gd();
	enum cpu_state starting = CPU_STARTING;

	gd->cpu = c->id;
	gd->apic_id = apic_id;
	gd->magic = GLOBALDATA_MAGIC;
	c->seen_gd_cpu = ((volatile struct globaldata *)GLOBALDATA_BASE)->cpu;
	c->seen_gd_apic = ((volatile struct globaldata *)GLOBALDATA_BASE)->apic_id;
	c->seen_root = read_cr3();
	c->report_tsc = rdtsc();
	if (!__atomic_compare_exchange_n(&c->state, &starting, CPU_UP, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		ap_park();              /* the BSP gave up on it meanwhile: never counted */
}

/* ------------------------------------------------------- cross calls */

/*
 * One mailbox per target CPU.  A caller (any CPU that is up) takes the
 * target's box lock, posts fn/arg, publishes a new generation `gen` and
 * sends VECTOR_CALL; the target runs the call and acknowledges that
 * generation in `done`.  The caller waits for done == its gen: an ack of an
 * older call (one that timed out and finished late) never completes a newer
 * one.  While a CPU waits — for a lock or for an ack — it runs calls posted
 * to itself (its IF is clear), so two CPUs calling each other, or a call
 * made from inside a call, cannot deadlock.  Locks are taken in CPU order.
 */
struct call_box {
	volatile uint32_t lock;
	void (*volatile fn)(void *);
	void *volatile arg;
	volatile uint64_t gen, done;
	uint64_t before;                /* done when gen was posted (the caller's, under lock) */
	uint64_t running;               /* the generation being run (a call may wait inside) */
};

static struct call_box boxes[MAX_CPUS];
static unsigned long nr_stale_acks;     /* late acks of an older call seen by a waiter: refused */

static unsigned int this_cpu(void)
{
	return this_gd()->cpu;
}

/* Run what is posted to this CPU, if anything new: from the IPI, or from a
 * wait loop (Xen PV: the only way, smp_pv.c).  The seqlock-like re-read
 * makes sure fn/arg belong to the generation acknowledged. */
void smp_call_poll(void)
{
	struct call_box *b = &boxes[this_cpu()];
	uint64_t g = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
	void (*fn)(void *);
	void *arg;

	if (g == b->done || g == b->running)
		return;
	do {
		g = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
		fn = b->fn;
		arg = b->arg;
	} while (g != __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE));
	b->running = g;
	if (fn)
		fn(arg);
	__atomic_store_n(&b->done, g, __ATOMIC_RELEASE);
}

void smp_call_interrupt(void)
{
	smp_call_poll();
	lapic_eoi();
}

static void box_lock(struct call_box *b)
{
	while (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE))
		smp_call_poll();
}

static void box_unlock(struct call_box *b)
{
	__atomic_store_n(&b->lock, 0, __ATOMIC_RELEASE);
}

/* Post to `id` (its box locked by the caller); returns the generation. */
static uint64_t call_post(unsigned int id, void (*fn)(void *), void *arg)
{
	struct call_box *b = &boxes[id];
	uint64_t g = b->gen + 1;

	b->before = __atomic_load_n(&b->done, __ATOMIC_ACQUIRE);
	b->fn = fn;
	b->arg = arg;
	__atomic_store_n(&b->gen, g, __ATOMIC_RELEASE);
	pv_smp_send_call(id);
	return g;
}

/* pv_ops.smp.send_call natively: the VECTOR_CALL IPI. */
void native_smp_send_call(unsigned int id)
{
	uint32_t esr;

	if (!lapic_ipi(cpus[id].apic_id, VECTOR_CALL | ICR_FIXED | ICR_ASSERT)) {
		esr = lapic_esr();
		panic("cpu %u -> cpu %u apic %u: the call IPI never left the ICR (LAPIC ESR 0x%x)",
		      this_cpu(), id, cpus[id].apic_id, esr);
	}
}

/* Wait for the ack of generation g.  Any other change of `done` is the late
 * ack of an older call (one whose caller timed out): said, counted, refused. */
static bool call_wait(unsigned int id, uint64_t g, unsigned long ms)
{
	uint64_t end = tsc_deadline(ms), seen = boxes[id].before, d;

	while ((d = __atomic_load_n(&boxes[id].done, __ATOMIC_ACQUIRE)) != g)
		if (d != seen) {
			seen = d;
			__atomic_add_fetch(&nr_stale_acks, 1, __ATOMIC_ACQ_REL);
			printk("smp: cpu=%u acknowledged call %lu late, while call %lu from cpu %u waits: refused\n",
			       id, (unsigned long)d, (unsigned long)g, this_cpu());
		} else if (rdtsc() > end) {
			printk("smp: cpu=%u apic=%u did not acknowledge call %lu from cpu %u within %lu ms (LAPIC ESR 0x%x)\n",
			       id, cpus[id].apic_id, (unsigned long)g, this_cpu(), ms, lapic_esr());
			return false;
		} else {
			smp_call_poll();
			cpu_relax();
		}
	return true;
}

static bool call_bounded(unsigned int id, void (*fn)(void *), void *arg, unsigned long ms)
{
	struct call_box *b = &boxes[id];
	bool ok;

	if (id == this_cpu()) {
		fn(arg);
		return true;
	}
	box_lock(b);
	ok = call_wait(id, call_post(id, fn, arg), ms);
	box_unlock(b);
	return ok;
}

bool smp_call(unsigned int id, void (*fn)(void *), void *arg)
{
	return call_bounded(id, fn, arg, CALL_TIMEOUT_MS);
}

static void flush_one(void *va)
{
	flush_tlb_one((uint64_t)va);
}

/* From any CPU: every other CPU that is up invalidates va (locks in CPU
 * order, all posted before any wait).  pv_ops.smp.flush_tlb_others natively. */
void native_flush_tlb_others(uint64_t va)
{
	uint64_t g[MAX_CPUS];
	unsigned int i, self = this_cpu();

	for (i = 0; i < nr_cpus; i++)
		if (i != self && cpus[i].state == CPU_UP) {
			box_lock(&boxes[i]);
			g[i] = call_post(i, flush_one, (void *)va);
		}
	for (i = 0; i < nr_cpus; i++)
		if (i != self && cpus[i].state == CPU_UP) {
			if (!call_wait(i, g[i], CALL_TIMEOUT_MS))
				panic("cpu %u apic %u did not answer the TLB shootdown of va 0x%016lx from cpu %u within %d ms",
				      i, cpus[i].apic_id, (unsigned long)va, self, CALL_TIMEOUT_MS);
			box_unlock(&boxes[i]);
		}
}

/* --------------------------------------------------------- the BSP side */

/*
 * The INIT wait, as Linux decides it (arch/x86/kernel/smpboot.c,
 * smp_quirk_init_udelay): none on Intel family 6 and later, AMD family 0xf
 * and later, Hygon 0x18 and later; the MP specification's 10 ms on anything
 * else.  The SIPI waits follow: 10 us after each SIPI where INIT needs no
 * wait, 200 us elsewhere.
 */
static unsigned long init_wait_us(void)
{
	if ((!strcmp(cpu.vendor, "GenuineIntel") && cpu.family >= 6) ||
	    (!strcmp(cpu.vendor, "AuthenticAMD") && cpu.family >= 0xf) ||
	    (!strcmp(cpu.vendor, "HygonGenuine") && cpu.family >= 0x18))
		return 0;
	return INIT_WAIT_US;
}

static const char *test_victim(void)
{
	if (!options.smp_test || nr_cpus < 2)
		return NULL;
	if (!strcmp(options.smp_test, "ap-late") || !strcmp(options.smp_test, "ap-dead"))
		return options.smp_test;
	return NULL;
}

static void ipi(const struct cpu *c, uint32_t lo, const char *what)
{
	uint32_t esr;

	if (lapic_ipi(c->apic_id, lo))
		return;
	esr = lapic_esr();
	printk("smp: cpu=%u apic=%u: the %s IPI never left the ICR (LAPIC ESR 0x%x)\n", c->id,
	       c->apic_id, what, esr);
	trace("smp_ipi_fail cpu=%u apic=%u ipi=%s esr=0x%x", c->id, c->apic_id, what, esr);
}

/* At the deadline: an AP still STARTING will never count (the AP's own
 * STARTING -> UP exchange fails), is sent INIT (parked in wait-for-SIPI,
 * wherever it was), and its record made DEAD: a SIPI that wakes it later
 * runs the trampoline into its "no record" park. */
static void give_up(struct cpu *c, uint32_t esr)
{
	enum cpu_state starting = CPU_STARTING;
	uint32_t slot;

	if (!__atomic_compare_exchange_n(&c->state, &starting, CPU_TIMEOUT, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;                         /* it reported in after all */
	ipi(c, ICR_INIT | ICR_ASSERT, "INIT (park)");
	slot = __atomic_exchange_n(&tramp_slot(c->id - 1)->state, TRAMP_SLOT_DEAD,
				   __ATOMIC_ACQ_REL);
	nr_timeout++;
	printk("smp: cpu=%u apic=%u did not report in within %d ms (LAPIC ESR 0x%x, record %s): INIT-parked, record invalidated; left out, the run goes on without it\n",
	       c->id, c->apic_id, REPORT_TIMEOUT_MS, esr,
	       slot == TRAMP_SLOT_TAKEN ? "taken" : "never taken");
	trace("smp_timeout cpu=%u apic=%u ms=%d record=%s parked=init", c->id, c->apic_id,
	      REPORT_TIMEOUT_MS, slot == TRAMP_SLOT_TAKEN ? "taken" : "untaken");
}

/* smp.test=ap-late: the victim wakes only now, after its deadline (INIT,
 * SIPI): it must find its record dead and park in the trampoline. */
static void late_wakeup(struct cpu *c)
{
	struct tramp_params *p = tramp_params();
	uint32_t before = __atomic_load_n(&p->late, __ATOMIC_ACQUIRE);
	uint64_t end;

	ipi(c, ICR_INIT | ICR_ASSERT, "INIT");
	udelay(init_wait);
	ipi(c, ICR_STARTUP | ICR_ASSERT | (uint32_t)(tramp_pa >> 12), "SIPI");
	end = tsc_deadline(REPORT_TIMEOUT_MS);
	while (__atomic_load_n(&p->late, __ATOMIC_ACQUIRE) == before && rdtsc() < end)
		cpu_relax();
	nr_late = __atomic_load_n(&p->late, __ATOMIC_ACQUIRE) - before;
	printk("smp: smp.test=ap-late: cpu=%u apic=%u woken after its deadline: %s; state %s, not counted\n",
	       c->id, c->apic_id, nr_late ? "found its record invalidated and parked in the trampoline" :
	       "no sign of it in the trampoline", c->state == CPU_UP ? "UP (WRONG)" : "timed out");
	trace("smp_late cpu=%u apic=%u parked_in_trampoline=%u state=%s", c->id, c->apic_id, nr_late,
	      c->state == CPU_UP ? "up" : "timeout");
}

/*
 * Kick every AP in one pass, then wait once for all of them.
 *
 * The boot CPU's LAPIC timer ticks while it does (periodic, WAIT_TICK_US,
 * armed before the first INIT, stopped when the last AP is in or at the
 * deadline), as a kernel with a scheduler tick has its timer running while
 * it starts APs (Linux: the LAPIC timer is set up before smp_init).  The
 * boot CPU spins on the TSC deadline with IF clear: the ticks wait in the
 * IRR and the one left is taken when the timer stops (lapic_timer_stop).
 * On hardware the tick changes nothing.  Not a halted wait woken by the
 * tick: in the Xen lab (Xen 4.17 under QEMU's TCG-emulated SVM) a boot vCPU
 * halted there took its ticks but went on halting (the interrupted HLT
 * resumed at the HLT): a 4-vCPU dom0's bring-up stalled 6.6 s after its
 * APs were up, with 28,388 ticks taken (docs/smp.md).
 *
 * The tick keeps an emulator from charging time that no CPU spends.  In QEMU
 * 7.2's TCG with -icount (make bench), each vCPU runs with a budget of
 * instructions up to the next QEMU_CLOCK_VIRTUAL timer deadline
 * (accel/tcg/tcg-accel-ops-icount.c, icount_prepare_for_run: icount_get_limit;
 * the budget is split between vCPUs only from QEMU 8.1).  An AP takes INIT
 * by resetting itself inside its time slice (accel/tcg/cpu-exec.c,
 * cpu_handle_interrupt -> do_cpu_init -> cpu_reset), and the reset zeroes
 * the slice's instruction counters (hw/core/cpu-common.c, cpu_common_reset:
 * icount_extra = 0, icount_decr = 0), so icount_process_data counts the
 * whole budget as executed: virtual time jumps to that next deadline.  With
 * nothing but SeaBIOS's PIT (mode 3, 18.2 Hz, a deadline every 27.5 ms) that
 * was 27.5 M "instructions" per INIT round: 137 M for -smp 8 (docs/smp.md).
 * The tick is a deadline at most WAIT_TICK_US away, so an INIT costs at most
 * that.  Nothing here depends on it: a real AP starts the same either way.
 */
static void start_aps(void)
{
	const char *test = test_victim();
	struct cpu *victim = test ? &cpus[nr_cpus - 1] : NULL;
	unsigned long sipi_wait;
	unsigned int i, waiting;
	uint64_t t0, end, now;
	uint32_t vector = (uint32_t)(tramp_pa >> 12), esr;

	init_wait = init_wait_us();
	sipi_wait = init_wait ? SIPI_WAIT_US : SIPI_WAIT_FAST_US;
	tramp_install();
	for (i = 1; i < nr_cpus; i++)
		cpus[i].state = CPU_STARTING;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t0 = rdtsc();
	lapic_timer_periodic(WAIT_TICK_US);     /* before the first INIT: see above */
	lapic_esr();                            /* clear old errors */
	for (i = 1; i < nr_cpus; i++)
		if (&cpus[i] != victim)
			ipi(&cpus[i], ICR_INIT | ICR_ASSERT, "INIT");
	udelay(init_wait);
	for (i = 1; i < nr_cpus; i++)
		if (&cpus[i] != victim)
			ipi(&cpus[i], ICR_STARTUP | ICR_ASSERT | vector, "SIPI");
	udelay(sipi_wait);
	for (i = 1; i < nr_cpus; i++)           /* a second SIPI, to those not running yet */
		if (&cpus[i] != victim && slot_state(i) == TRAMP_SLOT_READY)
			ipi(&cpus[i], ICR_STARTUP | ICR_ASSERT | vector, "SIPI");

	/* One deadline for all, counted from the first INIT. */
	end = t0 + (tsc_deadline(REPORT_TIMEOUT_MS) - rdtsc());
	do {
		now = rdtsc();
		for (i = 1, waiting = 0; i < nr_cpus; i++)
			waiting += __atomic_load_n(&cpus[i].state, __ATOMIC_ACQUIRE) == CPU_STARTING;
		if (!waiting)
			break;
		cpu_relax();
	} while (now < end);
	bringup_tsc = rdtsc() - t0;
	lapic_timer_stop();

	esr = waiting ? lapic_esr() : 0;
	for (i = 1; i < nr_cpus; i++)
		give_up(&cpus[i], esr);         /* only those still STARTING */
	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP) {
			uint32_t st = tramp_slot(i - 1)->start_tsc - (uint32_t)t0;

			start_min = st < start_min ? st : start_min;
			start_max = st > start_max ? st : start_max;
			cpus[i].up_tsc = cpus[i].report_tsc - t0;
			if (cpus[i].report_tsc > last_report_tsc)
				last_report_tsc = cpus[i].report_tsc;
			nr_cpus_up++;
		}
	if (last_report_tsc)
		last_report_tsc -= t0;
	if (victim && !strcmp(test, "ap-late"))
		late_wakeup(victim);
}

static void list_cpus(uint32_t bsp_apic)
{
	unsigned int i;

	cpus[0].id = 0;
	cpus[0].apic_id = bsp_apic;
	cpus[0].state = CPU_UP;
	nr_cpus = nr_cpus_up = 1;
	nr_listed = acpi.nr_cpu + acpi.nr_over;
	for (i = 0; i < acpi.nr_cpu; i++) {
		const struct acpi_cpu *a = &acpi.cpu[i];
		struct cpu *c;

		if (!a->enabled || a->apic_id == bsp_apic)
			continue;
		if (a->apic_id > 0xfe && !lapic_x2apic()) {
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
	struct trace_l5_buf l5;

	printk("percpu: cpu=%u apic=%u root=0x%lx globaldata=0x%lx tables=%lu stack_top=0x%lx\n",
	       c->id, c->apic_id, (unsigned long)c->pt.root, (unsigned long)c->pt.globaldata,
	       c->pt.tables, (unsigned long)c->pt.stack_top);
	trace("percpu cpu=%u apic=%u root=0x%010lx globaldata=0x%010lx tables=%lu %sl4=%lu l3=%lu l2=%lu l1=%lu batch=%u hook=%s result=%s stack_top=0x%016lx up_tsc=%lu",
	      c->id, c->apic_id, (unsigned long)c->pt.root, (unsigned long)c->pt.globaldata,
	      c->pt.tables, trace_l5(&l5, c->pt.tables_at[5]), c->pt.tables_at[4],
	      c->pt.tables_at[3], c->pt.tables_at[2],
	      c->pt.tables_at[1], c->pt.batch, c->pt.hook_action, c->pt.hook_result,
	      (unsigned long)c->pt.stack_top, (unsigned long)c->up_tsc);
}

/* pv_ops.smp.find_cpus natively: the MADT's CPUs, the LAPIC where there
 * are APs to start. */
bool native_smp_find_cpus(const struct smp_env *env)
{
	bool can_start;
	uint32_t a, b, cx, d, bsp_apic;

	cpuid(1, &a, &b, &cx, &d);
	bsp_apic = b >> 24;                     /* the initial APIC id (8 bits) */
	can_start = acpi.nr_enabled > 1 && tramp_pa;
	if (can_start) {                        /* the LAPIC only where there are APs */
		lapic_map(acpi.lapic_pa);       /* xAPIC, or x2APIC if the firmware chose it */
		if (acpi.madt_flags & MADT_PCAT_COMPAT)
			legacy_pic_mask();      /* before LINT0 is masked (lapic.c) */
		lapic_enable();
		if (lapic_x2apic())
			bsp_apic = lapic_id();  /* 32 bits */
		else if (lapic_id() != bsp_apic)
			panic("LAPIC id %u, CPUID says the boot CPU's APIC id is %u",
			      lapic_id(), bsp_apic);
		idt_set_interrupt(VECTOR_CALL, (uint64_t)smp_call_stub);
		idt_set_interrupt(VECTOR_TIMER, (uint64_t)lapic_timer_stub);
		idt_set_interrupt(VECTOR_SPURIOUS, (uint64_t)spurious_stub);
		if (cpu_ctl_setup())            /* again: what reset it since the entry stub? */
			printk("smp: the boot CPU's CR0 or PAT changed since its entry stub set them: set again\n");
		cpus[0].pat_set = cpu.pat ? rdmsr(MSR_PAT) : 0;
		printk("smp: lapic mode=%s (from the firmware: APIC_BASE.EXTD %s)\n",
		       lapic_x2apic() ? "x2apic" : "xapic", lapic_x2apic() ? "set" : "clear");
	}
	list_cpus(bsp_apic);
	if (nr_cpus > 1 && !tramp_pa)
		printk("smp: %u APs listed but no trampoline page: not started\n", nr_cpus - 1);
	return can_start && nr_cpus > 1;
}

/* pv_ops.smp.start_cpus natively: INIT/SIPI through the trampoline. */
void native_smp_start_cpus(const struct smp_env *env)
{
	unsigned int i, j;

	tsc_calibrate();
	lapic_timer_calibrate();
	printk("smp: tsc=%lu kHz (%s), lapic timer=%lu kHz; all APs in one pass: INIT to each, %lu us (%s family 0x%x), SIPI to each, %d us, SIPI to those not running; one deadline, %d ms; the boot CPU's LAPIC timer ticking every %d us meanwhile\n",
	       tsc_khz, tsc_khz_source, lapic_timer_khz, init_wait_us(), cpu.vendor, cpu.family,
	       init_wait_us() ? SIPI_WAIT_US : SIPI_WAIT_FAST_US, REPORT_TIMEOUT_MS, WAIT_TICK_US);
	for (i = 1; i < nr_cpus; i++) {
		cpus[i].pt.globaldata = 0;
		percpu_stacks(&cpus[i].pt, i);
		percpu_build_root(&cpus[i].pt, i, tramp_pa, ROOT_LIMIT);
		for (j = 1; j < IST_COUNT; j++)         /* NMI, #DB, #MC: a page each */
			cpus[i].ist[j] = (uint64_t)phys_window(percpu_data_page()) + PAGE_SIZE;
		gd_of(&cpus[i])->self_pa = cpus[i].pt.globaldata;
	}
	if (test_victim())
		printk("smp: smp.test=%s: cpu=%u apic=%u is %s\n", test_victim(), nr_cpus - 1,
		       cpus[nr_cpus - 1].apic_id, !strcmp(test_victim(), "ap-dead") ?
		       "never kicked (a CPU that does not start)" :
		       "kicked only after the deadline (a CPU that wakes late)");
	start_aps();
}

static const struct smp_env env = {
	.cpus = cpus,
	.nr_cpus = &nr_cpus,
	.nr_cpus_up = &nr_cpus_up,
	.nr_listed = &nr_listed,
	.report_in = smp_ap_report_in,
	.call = smp_call,
	.no_shootdown = &options.smp_no_shootdown,
	.call_poll = smp_call_poll,
};

void smp_init(void)
{
	struct globaldata *gd;
	unsigned int i;
	bool can_start = pv_smp_find_cpus(&env);

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

	if (can_start)
		pv_smp_start_cpus(&env);

	printk("smp: cpus=%u up=%u listed=%u not_present=%u timed_out=%u unstartable=%u method=%s\n",
	       nr_cpus, nr_cpus_up, nr_listed,
	       acpi.nr_online_capable + acpi.nr_ignored, nr_timeout, nr_unstartable,
	       can_start ? pv_smp_method() : "none");
	trace("smp cpus=%u up=%u listed=%u not_present=%u timed_out=%u unstartable=%u method=%s madt=%s tramp=0x%06lx",
	      nr_cpus, nr_cpus_up, nr_listed,
	      acpi.nr_online_capable + acpi.nr_ignored, nr_timeout, nr_unstartable,
	      can_start ? pv_smp_method() : "none", acpi.have_madt ? "yes" : "no",
	      (unsigned long)tramp_pa);
	for (i = 0; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP)
			report_cpu(&cpus[i]);
	if (can_start && tramp_pa)
		printk("bench: smp_bringup_tsc=%lu last_report_tsc=%lu ap_start_tsc=%u-%u cpus_started=%u table_pages_per_ap=%lu init_wait_us=%lu (guest instructions under qemu -icount shift=0,sleep=off)\n",
		       (unsigned long)bringup_tsc, (unsigned long)last_report_tsc,
		       nr_cpus_up > 1 ? start_min : 0, start_max, nr_cpus_up - 1,
		       cpus[1].pt.tables, init_wait);
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

static void ctl_read(struct cpu_ctl *c, bool msrs)
{
	c->cr0 = read_cr0();
	c->cr4 = read_cr4();
	c->efer = msrs ? rdmsr(MSR_EFER) : 0;
	c->pat = msrs && cpu.pat ? rdmsr(MSR_PAT) : 0;
}

static void read_ctl(void *arg)
{
	(void)arg;
	ctl_read(&cpus[this_gd()->cpu].ctl, true);
}

struct ap_remap {
	uint64_t va;
	phys_addr_t pa;
};

static void remap_and_shoot(void *arg)
{
	const struct ap_remap *r = arg;

	kmap_remap_page(r->va, r->pa);          /* write_pte + local flush */
	flush_tlb_others(r->va);
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

/*
 * smp.test=stale-ack: a late acknowledgement of an older call must not
 * complete a newer one.  Call 1 to the last AP runs until call 2 is posted,
 * so it truly times out (STALE_WAIT_MS) and is acknowledged late, while the
 * caller waits for call 2; call 2's function runs only once the caller has
 * seen that stale ack (or STALE_BOUND_MS).  A wait satisfied by any ack
 * returns before call 2's function ran: the test fails.
 */
#define STALE_WAIT_MS       5
#define STALE_BOUND_MS      2000

struct stale_test {
	volatile uint32_t started, ran, mark_timed_out;
	unsigned long stale_before;
};

static void stale_slow(void *arg)
{
	struct stale_test *t = arg;
	struct call_box *b = &boxes[this_cpu()];
	uint64_t end = tsc_deadline(STALE_BOUND_MS);

	t->started = 1;
	while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == b->running && rdtsc() < end)
		cpu_relax();
}

static void stale_mark(void *arg)
{
	struct stale_test *t = arg;
	uint64_t end = tsc_deadline(STALE_BOUND_MS);

	while (__atomic_load_n(&nr_stale_acks, __ATOMIC_ACQUIRE) == t->stale_before)
		if (rdtsc() > end) {
			t->mark_timed_out = 1;
			break;
		} else {
			cpu_relax();
		}
	t->ran = 1;
}

static unsigned long stale_ack_test(void)
{
	static struct stale_test t;
	unsigned int i, id = 0;
	uint64_t g1, g2, end;
	bool first, second, ran;
	unsigned long stale;

	for (i = 1; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP)
			id = i;
	if (!id)
		return 0;
	t.stale_before = __atomic_load_n(&nr_stale_acks, __ATOMIC_ACQUIRE);
	first = call_bounded(id, stale_slow, &t, STALE_WAIT_MS);
	g1 = boxes[id].gen;
	end = tsc_deadline(STALE_BOUND_MS);
	while (!t.started && rdtsc() < end)
		cpu_relax();
	second = smp_call(id, stale_mark, &t);
	ran = t.ran;                            /* at the moment call 2 completed */
	g2 = boxes[id].gen;
	stale = __atomic_load_n(&nr_stale_acks, __ATOMIC_ACQUIRE) - t.stale_before;
	if (first || !t.started)
		note("stale ack: call %lu to cpu %u %s: the test tested nothing\n", (unsigned long)g1, id,
		     first ? "did not time out" : "never started");
	else if (!second || !ran)
		note("stale ack: call %lu to cpu %u %s (%lu stale acks seen): completed by the late ack of call %lu\n",
		     (unsigned long)g2, id, second ? "completed before its function ran" :
		     "never completed", stale, (unsigned long)g1);
	else if (!stale || t.mark_timed_out)
		note("stale ack: cpu %u's late ack of call %lu was never seen while call %lu waited\n", id,
		     (unsigned long)g1, (unsigned long)g2);
	else {
		printk("smptest: stale ack: call %lu to cpu %u timed out after %d ms and was acknowledged late, while call %lu waited: refused (%lu stale ack); call %lu completed by its own ack, after its function ran: ok\n",
		       (unsigned long)g1, id, STALE_WAIT_MS, (unsigned long)g2, stale, (unsigned long)g2);
		trace("smptest what=stale-ack cpu=%u old=%lu new=%lu stale=%lu result=ok", id,
		      (unsigned long)g1, (unsigned long)g2, stale);
		return 0;
	}
	printk("smptest: stale ack: FAIL\n");
	trace("smptest what=stale-ack cpu=%u old=%lu new=%lu stale=%lu result=fail", id,
	      (unsigned long)g1, (unsigned long)g2, stale);
	return 1;
}

unsigned long smp_selfcheck(void)
{
	static struct percpu_tables *t[MAX_CPUS];
	static struct probe p;
	unsigned long v = 0, n = 0, vctl;
	unsigned int i, j;
	uint64_t va = KMAP_DYN_BASE;
	phys_addr_t a, b;
	bool ok;
	const char *verdict;

	/* The control state: CR0 with caches on (CD, NW clear) on every CPU,
	 * and CR0, CR4, EFER, PAT the boot CPU's everywhere (the MSRs only
	 * where there are APs, which were started through the LAPIC: native
	 * or an HVM-like guest). */
	ctl_read(&cpus[0].ctl, nr_cpus_up > 1);
	ok = nr_cpus_up < 2 || on_each_ap(read_ctl, &p, "the control-register read");
	for (i = 0, n = 0; i < nr_cpus; i++) {
		const struct cpu_ctl *c = &cpus[i].ctl, *b0 = &cpus[0].ctl;

		if (cpus[i].state != CPU_UP)
			continue;
		if (c->cr0 & (X86_CR0_CD | X86_CR0_NW)) {
			note("cpu %u cr0=0x%lx: caches off (CD or NW set)\n", i, (unsigned long)c->cr0);
			n++;
		}
		if (c->cr0 != b0->cr0 || c->cr4 != b0->cr4 || c->efer != b0->efer ||
		    cpus[i].pat_set != cpus[0].pat_set) {
			note("cpu %u cr0=0x%lx cr4=0x%lx efer=0x%lx pat=0x%lx, the boot CPU's cr0=0x%lx cr4=0x%lx efer=0x%lx pat=0x%lx: not identical\n",
			     i, (unsigned long)c->cr0, (unsigned long)c->cr4, (unsigned long)c->efer,
			     (unsigned long)cpus[i].pat_set, (unsigned long)b0->cr0,
			     (unsigned long)b0->cr4, (unsigned long)b0->efer,
			     (unsigned long)cpus[0].pat_set);
			n++;
		} else if (c->pat != cpus[i].pat_set) {
			/* Seen only nested: QEMU's SVM under Xen here keeps no guest
			 * PAT of its own (the hypervisor's shows through). */
			printk("smptest: control registers: cpu %u PAT reads 0x%lx now, 0x%lx right after it was set: something outside the kernel changed it\n",
			       i, (unsigned long)c->pat, (unsigned long)cpus[i].pat_set);
		}
	}
	n += !ok;
	printk("smptest: control registers: cr0=0x%lx cr4=0x%lx efer=0x%lx pat=0x%lx on the boot CPU; %u cpus compared (CR0 CD/NW clear, CR0 CR4 EFER PAT identical): %s\n",
	       (unsigned long)cpus[0].ctl.cr0, (unsigned long)cpus[0].ctl.cr4,
	       (unsigned long)cpus[0].ctl.efer, (unsigned long)cpus[0].pat_set, nr_cpus_up,
	       n ? "FAIL" : "ok");
	trace("smptest what=control cr0=0x%lx cr4=0x%lx efer=0x%lx pat=0x%lx cpus=%u result=%s",
	      (unsigned long)cpus[0].ctl.cr0, (unsigned long)cpus[0].ctl.cr4,
	      (unsigned long)cpus[0].ctl.efer, (unsigned long)cpus[0].pat_set, nr_cpus_up,
	      n ? "fail" : "ok");
	vctl = n;
	n = 0;

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
	v += vctl;

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
		flush_tlb_others(va);
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
	       options.smp_no_shootdown ? "NO shootdown (smp.test=no-shootdown)" :
	       pv_smp_shootdown(),
	       nr_cpus_up - 1, ok ? "ok" : "FAIL");
	trace("smptest what=shootdown va=0x%016lx old=0x%010lx new=0x%010lx ipi=%s cpus=%u result=%s",
	      (unsigned long)va, (unsigned long)a, (unsigned long)b,
	      options.smp_no_shootdown ? "skipped" : "yes", nr_cpus_up - 1, ok ? "ok" : "fail");
	v += !ok;

	/* A shootdown started by an AP: the last AP remaps va to a third page
	 * and shoots it down on every other CPU, the boot CPU included (which
	 * runs the call while it waits for the AP); every CPU must then read
	 * the third page.  All of them read va just above (the BSP now). */
	if (nr_cpus_up > 1) {
		struct ap_remap r = { .va = va, .pa = percpu_data_page() };
		unsigned int from = 0;

		for (i = 1; i < nr_cpus; i++)
			if (cpus[i].state == CPU_UP)
				from = i;
		*(volatile uint64_t *)(DIRECT_MAP_BASE + r.pa) = 0x3333333333333333ULL ^ r.pa;
		(void)*(volatile uint64_t *)va;                 /* cache the old translation here */
		ok = smp_call(from, remap_and_shoot, &r);
		memset((void *)p.got, 0, sizeof(p.got));
		ok = on_each_ap(read_probe, &p, "the AP-shootdown read") && ok;
		p.got[0] = *(volatile uint64_t *)va;
		for (i = 0; i < nr_cpus; i++)
			if (cpus[i].state == CPU_UP && p.got[i] != (0x3333333333333333ULL ^ r.pa)) {
				note("cpu %u reads 0x%lx at 0x%lx after cpu %u remapped it to 0x%lx and shot it down, want 0x%lx\n",
				     i, (unsigned long)p.got[i], (unsigned long)va, from,
				     (unsigned long)r.pa, (unsigned long)(0x3333333333333333ULL ^ r.pa));
				ok = false;
			}
		printk("smptest: tlb shootdown from cpu %u: va=0x%lx remapped 0x%lx -> 0x%lx there, %s to the %u others (boot CPU included), generation-numbered calls: %s\n",
		       from, (unsigned long)va, (unsigned long)b, (unsigned long)r.pa,
		       pv_smp_shootdown(), nr_cpus_up - 1, ok ? "ok" : "FAIL");
		trace("smptest what=shootdown-from-ap from=%u va=0x%016lx old=0x%010lx new=0x%010lx cpus=%u result=%s",
		      from, (unsigned long)va, (unsigned long)b, (unsigned long)r.pa, nr_cpus_up - 1,
		      ok ? "ok" : "fail");
		v += !ok;
	}

	v += pv_smp_report(v ? NULL : first_violation, sizeof(first_violation)); /* the backend's */
	if (options.smp_test && !strcmp(options.smp_test, "stale-ack"))
		v += stale_ack_test();

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
