/*
 * lapic.c — the local APIC and TSC busy-waits.
 *
 * Two register interfaces, chosen once from IA32_APIC_BASE on the boot CPU:
 *   xAPIC   MMIO through a fixmap slot (uncached).  The fixmap's L1 is in
 *           the shared kernel half, so the one mapping made on the BSP
 *           serves every CPU; each CPU reaches its own LAPIC there.
 *   x2APIC  MSRs 0x800 + reg/16, when the firmware handed over with
 *           APIC_BASE.EXTD set (all CPUs are then in that mode: an AP's
 *           INIT leaves its APIC_BASE as it was).  32-bit APIC ids; the ICR
 *           is one 64-bit MSR write with no delivery-status bit to poll.
 * We never switch modes ourselves.  QEMU 7.2's TCG has no x2APIC (CPUID bit
 * masked, EXTD not kept: docs/hardware.md), so the x2APIC path runs only on
 * hardware (or KVM) that hands over in that mode: compiled and reviewed.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <paravirt/ops.h>

#define MSR_APIC_BASE           0x1b
#define APIC_BASE_EXTD          (1u << 10)
#define APIC_BASE_ENABLE        (1u << 11)
#define MSR_X2APIC_FIRST        0x800

#define TIMER_CAL_US            20      /* LAPIC timer against the TSC */

unsigned long tsc_khz;
const char *tsc_khz_source;
unsigned long lapic_timer_khz;          /* LAPIC timer counts per ms (divide 1) */
volatile unsigned long lapic_ticks;

void lapic_timer_interrupt(void);
static bool x2apic;
static bool mapped;             /* lapic_map ran: none on Xen PV (no LAPIC) */

static volatile uint32_t *lapic_reg(unsigned int reg)
{
	return (volatile uint32_t *)(fixmap_addr(FIX_LAPIC) + reg);
}

static uint32_t lapic_read(unsigned int reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return *lapic_reg(reg);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		*lapic_reg(reg) = v;
}

void lapic_map(uint64_t pa)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = base & APIC_BASE_EXTD;
	mapped = true;
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	if (x2apic)
		return;                 /* no MMIO in x2APIC mode */
	if (!pa)
		pa = base & 0xffffff000ULL;
	fixmap_set_cache(FIX_LAPIC, pa, true, PTE_PCD | PTE_PWT);      /* uncached */
}

bool lapic_x2apic(void)
{
	return x2apic;
}

/*
 * The kernel takes no legacy interrupt: in the virtual-wire mode firmware
 * leaves, the 8259's reach the boot CPU through LINT0 as ExtINT with the
 * 8259's own vectors (SeaBIOS: IRQ0, the PIT, at 0x08: #DF's), and the boot
 * CPU opens IF to take the tick its bring-up timer left (lapic_timer_stop).
 * So both 8259 IMRs are masked first (ACPI: when the MADT says PCAT_COMPAT,
 * the 8259s must be masked to use the APICs), which also drops an INTR the
 * 8259 has held asserted since the firmware's last tick, then LINT0 (APs
 * have it masked from INIT already).  In that order: QEMU 7.2 clears the
 * vCPU's pending ExtINT only when the 8259's output falls while LINT0 still
 * accepts it (hw/intc/apic.c, apic_deliver_pic_intr); masked the other way
 * round, the stale request was taken at the first sti as no vector at all
 * (#GP, error code 0xfffffff2: seen in boot case smp2-pvh-q35-6G).
 */
void legacy_pic_mask(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VECTOR_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);       /* after legacy_pic_mask: above */
}

uint32_t lapic_id(void)
{
	return x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_esr(void)
{
	if (!mapped)
		return 0;               /* no LAPIC in use: nothing to report */
	lapic_write(LAPIC_ESR, 0);      /* latch the errors, then read */
	return lapic_read(LAPIC_ESR);
}

bool lapic_ipi(uint32_t apic, uint32_t lo)
{
	uint64_t end;

	if (x2apic) {
		/* A WRMSR to an x2APIC register is not serializing (SDM vol. 3,
		 * 11.12.3): without the fence the IPI can reach the target before
		 * this CPU's earlier stores (a call's fn/arg/gen) are visible. */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_FIRST + (LAPIC_ICR_LO >> 4), ((uint64_t)apic << 32) | lo);
		return true;            /* x2APIC: no delivery status to wait for */
	}
	lapic_write(LAPIC_ICR_HI, apic << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	end = tsc_deadline(100);
	while (lapic_read(LAPIC_ICR_LO) & ICR_BUSY)
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
}

/* ---------------------------------------------------------- LAPIC timer */

/* Counts per ms at divide 1, against the TSC (the timer's clock is the bus or
 * crystal clock, not the TSC's: 25 MHz .. 1 GHz).  A masked timer counts all
 * the same (SDM vol. 3, 11.5.4): the mask only holds the interrupt back. */
void lapic_timer_calibrate(void)
{
	uint32_t left;

	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_TIMER_INIT, UINT32_MAX);
	udelay(TIMER_CAL_US);
	left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_timer_khz = (unsigned long)(UINT32_MAX - left) * 1000 / TIMER_CAL_US;
}

void lapic_timer_periodic(unsigned long us)
{
	unsigned long count = us * lapic_timer_khz / 1000;

	if (!lapic_timer_khz)
		return;         /* it did not count (said as "lapic timer=0 kHz"): no tick */
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VECTOR_TIMER);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(count ? (count > UINT32_MAX ? UINT32_MAX : count) : 1));
}

static bool timer_pending(void)
{
	return lapic_read(LAPIC_IRR + (VECTOR_TIMER / 32) * 0x10) & (1u << (VECTOR_TIMER % 32));
}

/* No tick after this one: masked and stopped, and a tick that fired after the
 * last wake-up (pending in IRR, IF clear) taken now, so IRR holds nothing of
 * ours when IF is next set. */
void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (timer_pending())
		__asm__ volatile("sti; nop; cli" ::: "memory");
	if (timer_pending())
		panic("LAPIC timer vector 0x%x still pending in IRR after its stop", VECTOR_TIMER);
}

/* VECTOR_TIMER (lapic_timer_stub, trampoline.asm). */
void lapic_timer_interrupt(void)
{
	lapic_ticks++;
	lapic_eoi();
}

/* ------------------------------------------------------------------ TSC */

void tsc_calibrate(void)
{
	tsc_khz = pv_calibrate_tsc(&tsc_khz_source);
	if (tsc_khz < 1000) {
		printk("tsc: %s gave %lu kHz, implausible: assuming 1 GHz for timeouts\n",
		       tsc_khz_source, tsc_khz);
		tsc_khz = 1000000;
		tsc_khz_source = "assumed";
	}
}

uint64_t tsc_deadline(unsigned long ms)
{
	return rdtsc() + (uint64_t)ms * (tsc_khz ? tsc_khz : 1000000);
}

void udelay(unsigned long us)
{
	uint64_t end = rdtsc() + (uint64_t)us * (tsc_khz ? tsc_khz : 1000000) / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

/* The native TSC rate: PIT channel 2 counting 10 ms (mode 0, gate on port
 * 0x61 bit 0, output on bit 5). */
#define PIT_HZ          1193182UL
#define PIT_MS          10

unsigned long pit_calibrate_tsc(const char **source)
{
	uint16_t latch = PIT_HZ * PIT_MS / 1000;
	uint64_t t0, t1, guard;
	uint8_t p61 = inb(0x61);

	*source = "pit";
	outb(0x61, (p61 & ~0x02) | 0x01);       /* gate on, speaker off */
	outb(0x43, 0xb0);                       /* channel 2, lo/hi, mode 0 */
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	t0 = rdtsc();
	for (guard = 0; !(inb(0x61) & 0x20) && guard < 100000000; guard++)
		cpu_relax();
	t1 = rdtsc();
	outb(0x61, p61);
	return (unsigned long)((t1 - t0) / PIT_MS);
}
