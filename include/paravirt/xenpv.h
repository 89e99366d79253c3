/*
 * include/paravirt/xenpv.h — the Xen PV backend (paravirt/xen/pv*.c).
 *
 * Frame words (design §4, include/mm/pgtable.h):
 *   PFN   pseudo-physical frame: what mm calls a PA >> PAGE_SHIFT
 *   MFN   machine frame: what a PV guest's hardware tables, CR3 and
 *         mmu_update pointers hold.  PFN -> MFN through the p2m list the
 *         domain builder gives (start_info.mfn_list), MFN -> PFN through
 *         Xen's read-only M2P at MACH2PHYS_VIRT_START.
 *
 * Every hypercall's result is checked; a refusal ends the run with
 * "PANIC: <func>: <op> mfn=0x... rc=..." (a release Xen logs nothing).
 */
#ifndef PARAVIRT_XENPV_H
#define PARAVIRT_XENPV_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/batch.h>
#include <paravirt/xen.h>
#include <xen/xen.h>
#include <xen/vcpu.h>

#define _hypercall1(nr, a1) ({                                              \
	long __res, __ign1;                                                     \
	__asm__ volatile("call hypercall_page + %c[off]"                        \
			 : "=a"(__res), "=D"(__ign1)                            \
			 : [off] "i"((nr) * 32), "1"((long)(a1))                \
			 : "memory", "rcx", "r11");                             \
	__res; })

static inline long HYPERVISOR_set_trap_table(const struct trap_info *t)
{
	return _hypercall1(__HYPERVISOR_set_trap_table, t);
}

static inline long HYPERVISOR_mmu_update(struct mmu_update *req, unsigned int count,
					 unsigned int *done, domid_t dom)
{
	return _hypercall4(__HYPERVISOR_mmu_update, req, count, done, dom);
}

static inline long HYPERVISOR_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
	return _hypercall3(__HYPERVISOR_update_va_mapping, va, val, flags);
}

static inline long HYPERVISOR_multicall(struct multicall_entry *calls, unsigned int n)
{
	return _hypercall2(__HYPERVISOR_multicall, calls, n);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

/* What the PV backend knows of its domain (pv.c). */
struct xenpv_domain {
	const struct start_info *si;    /* current VA (moves to the direct map) */
	const xen_pfn_t *p2m;           /* pfn -> mfn, nr_pages entries (idem) */
	unsigned long nr_pages;
	uint64_t boot_l4_mfn;           /* the builder's pinned bootstrap L4 */
	phys_addr_t boot_pt_pa;         /* its tables: [pa, pa + nr * 4 KiB) */
	unsigned long boot_pt_frames;
};

extern struct xenpv_domain xenpv;

/* pv.c */
void xenpv_early(const struct start_info *si);  /* vcpu_info, console, traps */
void xenpv_stop_early(void) __attribute__((noreturn));

/* pvmmu.c */
uint64_t xenpv_pfn_to_mfn(uint64_t pfn, const char *func);
uint64_t xenpv_mfn_to_pfn(uint64_t mfn);       /* ~0 if not this domain's */
uint64_t xenpv_virt_to_mfn(const void *va, const char *func);
void xenpv_mmu_install(void);

#define XENPV_NO_PFN (~0ULL)

#endif /* PARAVIRT_XENPV_H */
