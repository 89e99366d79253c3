/*
 * cpu.c — read the CPU facts the rest of the kernel depends on.
 */
#include <arch/cpu.h>
#include <lib/string.h>

struct cpu_info cpu;

void cpu_init(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	cpu.max_leaf = a;
	memcpy(cpu.vendor + 0, &b, 4);
	memcpy(cpu.vendor + 4, &d, 4);
	memcpy(cpu.vendor + 8, &c, 4);
	cpu.vendor[12] = '\0';

	if (cpu.max_leaf >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		cpu.la57 = c & (1u << 16);
	}
	cpuid(0x80000000, &a, &b, &c, &d);
	cpu.max_ext_leaf = a;
	if (cpu.max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		cpu.nx = d & (1u << 20);
		cpu.pdpe1gb = d & (1u << 26);
	}
	if (cpu.max_leaf >= 1) {
		cpuid(1, &a, &b, &c, &d);
		cpu.family = (a >> 8) & 0xf;
		if (cpu.family == 0xf)
			cpu.family += (a >> 20) & 0xff;
		cpu.pat = d & CPUID_1_EDX_PAT;
	}
	if (cpu.max_leaf >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		cpu.smep = b & (1u << 7);
		cpu.smap = b & (1u << 20);
		cpu.umip = c & (1u << 2);
	}
	cpu.maxphyaddr = 36;    /* architectural default without the leaf */
	cpu.maxvirtaddr = 48;
	if (cpu.max_ext_leaf >= 0x80000008) {
		cpuid(0x80000008, &a, &b, &c, &d);
		cpu.maxphyaddr = a & 0xff;
		cpu.maxvirtaddr = (a >> 8) & 0xff;
	}
}

unsigned int cpu_ctl_setup(void)
{
	unsigned int changed = 0;
	uint64_t want;

	if (read_cr0() != CR0_STATE) {
		write_cr0(CR0_STATE);
		changed |= CTL_CHANGED_CR0;
	}
	if (cpu.pat && rdmsr(MSR_PAT) != PAT_STATE) {
		wrmsr(MSR_PAT, PAT_STATE);
		changed |= CTL_CHANGED_PAT;
	}
	want = read_cr4() | (cpu.smep ? X86_CR4_SMEP : 0) | (cpu.smap ? X86_CR4_SMAP : 0) |
	       (cpu.umip ? X86_CR4_UMIP : 0);
	if (read_cr4() != want) {
		write_cr4(want);
		changed |= CTL_CHANGED_CR4;
	}
	return changed;
}
