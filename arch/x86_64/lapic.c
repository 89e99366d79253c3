/*
 * lapic.c — the local APIC (xAPIC, MMIO through a fixmap slot) and TSC
 * busy-waits.
 *
 * The fixmap's L1 is in the shared kernel half, so the one mapping made on
 * the BSP serves every CPU; each CPU reaches its own LAPIC there.  (The
 * xAPIC page is uncacheable through the MTRRs on real machines; the fixmap
 * entry itself carries no PCD.)
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <paravirt/ops.h>

#define MSR_APIC_BASE           0x1b
#define APIC_BASE_ENABLE        (1u << 11)

unsigned long tsc_khz;
const char *tsc_khz_source;

static volatile uint32_t *lapic_reg(unsigned int reg)
{
	return (volatile uint32_t *)(fixmap_addr(FIX_LAPIC) + reg);
}

void lapic_map(uint64_t pa)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	if (!pa)
		pa = base & 0xffffff000ULL;
	fixmap_set_cache(FIX_LAPIC, pa, true, PTE_PCD | PTE_PWT);      /* uncached */
}

void lapic_enable(void)
{
	*lapic_reg(LAPIC_SVR) = LAPIC_SVR_ENABLE | VECTOR_SPURIOUS;
}

uint32_t lapic_id(void)
{
	return *lapic_reg(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	*lapic_reg(LAPIC_EOI) = 0;
}

uint32_t lapic_esr(void)
{
	*lapic_reg(LAPIC_ESR) = 0;      /* latch the errors, then read */
	return *lapic_reg(LAPIC_ESR);
}

bool lapic_ipi(uint32_t apic, uint32_t lo)
{
	uint64_t end;

	*lapic_reg(LAPIC_ICR_HI) = apic << 24;
	*lapic_reg(LAPIC_ICR_LO) = lo;
	end = tsc_deadline(100);
	while (*lapic_reg(LAPIC_ICR_LO) & ICR_BUSY)
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
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
