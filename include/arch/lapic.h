/*
 * include/arch/lapic.h — the local APIC: xAPIC mode (MMIO, mapped in a
 * fixmap slot, which every CPU shares: the fixmap is in the kernel half),
 * or x2APIC mode (MSRs) when the firmware handed over in it.
 */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/fixmap.h>         /* FIX_LAPIC */

#define LAPIC_ID            0x020
#define LAPIC_VERSION       0x030
#define LAPIC_EOI           0x0b0
#define LAPIC_SVR           0x0f0
#define LAPIC_ESR           0x280
#define LAPIC_ICR_LO        0x300
#define LAPIC_ICR_HI        0x310
#define LAPIC_IRR           0x200       /* 8 registers of 32 bits, 0x10 apart */
#define LAPIC_LVT_TIMER     0x320
#define LAPIC_LVT_LINT0     0x350
#define LAPIC_TIMER_INIT    0x380
#define LAPIC_TIMER_CUR     0x390
#define LAPIC_TIMER_DIV     0x3e0

#define LAPIC_SVR_ENABLE    (1u << 8)
#define ICR_FIXED           (0u << 8)
#define ICR_INIT            (5u << 8)
#define ICR_STARTUP         (6u << 8)
#define ICR_BUSY            (1u << 12)
#define ICR_ASSERT          (1u << 14)
#define LVT_MASKED          (1u << 16)
#define LVT_PERIODIC        (1u << 17)
#define TIMER_DIV_1         0xb

#define VECTOR_TIMER        0xef        /* the LAPIC timer: the boot CPU's bring-up wait */
#define VECTOR_CALL         0xf0        /* smp_call: run a function on another CPU */
#define VECTOR_SPURIOUS     0xff

/* Pick the register interface (x2APIC if the firmware left APIC_BASE.EXTD
 * set) and, in xAPIC mode, map the LAPIC at pa (from the MADT) in the
 * fixmap; once, on the BSP. */
void lapic_map(uint64_t pa);
bool lapic_x2apic(void);
/* Mask every input of the PC-AT 8259 pair (both IMRs), where the MADT says
 * there is one (MADT_PCAT_COMPAT); on the boot CPU, before lapic_enable. */
void legacy_pic_mask(void);
/* Software-enable this CPU's LAPIC (spurious vector), LINT0 masked. */
void lapic_enable(void);
/* The APIC id (xAPIC: 8 bits; x2APIC: 32). */
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Send an IPI (ICR low bits `lo`) to APIC id `apic`; in xAPIC mode waits
 * for the delivery to leave the ICR.  false if it never did. */
bool lapic_ipi(uint32_t apic, uint32_t lo);
uint32_t lapic_esr(void);

/* The LAPIC timer (this CPU's): its rate against the TSC (once, after
 * tsc_calibrate), a periodic tick every `us` microseconds on VECTOR_TIMER
 * (counted from now), and stop (masked, count 0, a tick still pending taken).  lapic_ticks counts the
 * ticks taken (only the boot CPU runs its timer: smp.c's bring-up wait). */
extern unsigned long lapic_timer_khz;
extern volatile unsigned long lapic_ticks;
void lapic_timer_calibrate(void);
void lapic_timer_periodic(unsigned long us);
void lapic_timer_stop(void);

/* Busy-wait, on the TSC (calibrated once by tsc_calibrate()). */
extern unsigned long tsc_khz;
extern const char *tsc_khz_source;
void tsc_calibrate(void);
void udelay(unsigned long us);
/* The TSC value `ms` milliseconds from now. */
uint64_t tsc_deadline(unsigned long ms);
/* The native backend's calibrate_tsc: PIT channel 2 against the TSC. */
unsigned long pit_calibrate_tsc(const char **source);

#endif /* ARCH_LAPIC_H */
