/*
 * include/arch/cpu.h — the CPU, one inline wrapper per instruction.
 * arch/, paravirt/ and kernel/ call these; mm/ never does (it reaches the
 * CPU only through the paravirt ops), so that it also compiles for the host.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>
#include <stdbool.h>

#define X86_CR0_PE      (1UL << 0)
#define X86_CR0_MP      (1UL << 1)
#define X86_CR0_ET      (1UL << 4)
#define X86_CR0_NE      (1UL << 5)
#define X86_CR0_WP      (1UL << 16)
#define X86_CR0_NW      (1UL << 29)
#define X86_CR0_CD      (1UL << 30)
#define X86_CR0_PG      (1UL << 31)
/* The one CR0 of every CPU, loaded as a whole (never OR-ed into what the
 * firmware left): caches on (CD, NW clear), no FPU emulation or lazy-FPU
 * trap (EM, TS clear), WP on.  trampoline.asm (APs) and cpu_ctl_setup()
 * (every CPU). */
#define CR0_STATE       (X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | \
			 X86_CR0_PE)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	cpuid_count(leaf, 0, a, b, c, d);
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* Under QEMU with -icount shift=0,sleep=off the TSC counts guest instructions
 * (sleep=off: the virtual clock never jumps by host time), which
 * makes rdtsc deltas deterministic (make bench relies on it). */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void invlpg(const void *va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#define MSR_EFER        0xc0000080
#define EFER_LME        (1u << 8)
#define EFER_LMA        (1u << 10)
#define EFER_NXE        (1u << 11)
#define MSR_PAT         0x277
/* PAT: the power-on layout (WB WT UC- UC, twice) with entry 1 (PWT alone)
 * write-combining: what the screen maps its framebuffer with. */
#define PAT_UC          0x00
#define PAT_WC          0x01
#define PAT_WT          0x04
#define PAT_WB          0x06
#define PAT_UCMINUS     0x07
#define PAT_ENTRY(i, t) ((uint64_t)(t) << ((i) * 8))
#define PAT_STATE       (PAT_ENTRY(0, PAT_WB) | PAT_ENTRY(1, PAT_WC) | PAT_ENTRY(2, PAT_UCMINUS) | \
			 PAT_ENTRY(3, PAT_UC) | PAT_ENTRY(4, PAT_WB) | PAT_ENTRY(5, PAT_WT) | \
			 PAT_ENTRY(6, PAT_UCMINUS) | PAT_ENTRY(7, PAT_UC))
#define CPUID_1_EDX_PAT (1u << 16)
#define X86_CR4_PSE     (1u << 4)
#define X86_CR4_PAE     (1u << 5)
#define X86_CR4_PGE     (1u << 7)
#define X86_CR4_UMIP    (1u << 11)
#define X86_CR4_LA57    (1u << 12)     /* 5-level paging */
#define X86_CR4_SMEP    (1u << 20)
#define X86_CR4_SMAP    (1u << 21)

__attribute__((noreturn))
static inline void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* CPU facts read once by cpu_init(). */
struct cpu_info {
	char vendor[13];
	uint32_t max_leaf, max_ext_leaf;
	bool nx;            /* CPUID 0x80000001 EDX[20] */
	bool pdpe1gb;       /* CPUID 0x80000001 EDX[26]: 1 GiB pages */
	bool la57;          /* CPUID 7.0 ECX[16]: 5-level paging */
	unsigned int maxphyaddr;   /* CPUID 0x80000008 EAX[7:0] */
	unsigned int maxvirtaddr;  /* CPUID 0x80000008 EAX[15:8] */
	unsigned int family;       /* CPUID 1 EAX: base family (+ extended if 0xf) */
	bool pat;                  /* CPUID 1 EDX[16] */
	bool smep, smap, umip;     /* CPUID 7.0 EBX[7], EBX[20], ECX[2] */
};

extern struct cpu_info cpu;
void cpu_init(void);

/*
 * The control state every CPU runs with, set on each by the same code: the
 * boot CPU from its entry stub (not on Xen PV, where the hypervisor owns
 * CR0 and PAT), every AP from smp_ap_entry().  CR0 = CR0_STATE; PAT =
 * PAT_STATE where the CPU has a PAT; CR4.SMEP, SMAP and UMIP where the CPU
 * has them (the kernel never touches a user VA: user copies go through the
 * program's tables and the direct map, so SMAP needs no stac/clac).  Identical on every CPU (SDM vol. 3,
 * 11.12.4: "the PAT must be the same in all processors"); smp_selfcheck()
 * compares them.
 */
unsigned int cpu_ctl_setup(void);       /* returns CTL_CHANGED_*: what it had to set */
#define CTL_CHANGED_CR0 1u
#define CTL_CHANGED_PAT 2u
#define CTL_CHANGED_CR4 4u

#endif /* ARCH_CPU_H */
