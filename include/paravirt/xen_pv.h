/*
 * include/paravirt/xen_pv.h — the Xen PV backend (setup_pv.c, mmu_pv.c) as
 * the PV entry (arch/x86_64/boot/xenpv.c) sees it.  Its hypercalls are in
 * <paravirt/xen_hypercall.h>.
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
#ifndef PARAVIRT_XEN_PV_H
#define PARAVIRT_XEN_PV_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/pgtable.h>
#include <xen/xen.h>

/* What the PV backend knows of its domain (setup_pv.c). */
struct xen_pv_domain {
	const struct start_info *si;    /* current VA: the builder's mapping, its */
	const xen_pfn_t *p2m;           /* alias, the direct map (p2m_pv.c); the p2m
					 * is pfn -> mfn, nr_pages entries */
	unsigned long nr_pages;
	bool initial_domain;            /* dom0 (SIF_INITDOMAIN): no ring, no xenstore */
	uint64_t boot_l4_mfn;           /* the builder's pinned bootstrap L4 */
	phys_addr_t boot_pt_pa;         /* its tables: [pa, pa + nr * 4 KiB) */
	unsigned long boot_pt_frames;
	phys_addr_t region_pa, region_end; /* the bootstrap region past the image */
	phys_addr_t p2m_pa, si_pa;      /* where these lie in it */
	phys_addr_t ring_pa;            /* the console ring's page (0: dom0, none) */
	uint32_t ring_evtchn;
	uint64_t shared_info_maddr;     /* start_info.shared_info: a machine address */
	bool alias_active;              /* the builder's L3 borrowed (steps 3-7) */
};

extern struct xen_pv_domain xen_pv;

/* setup_pv.c */
void xen_pv_early(const struct start_info *si);  /* vcpu_info, console, traps */
void xen_pv_stop_early(void) __attribute__((noreturn));

/* pin_pv.c: xenpv.plant=skip-pin|writable-table (test only, docs/xen-pv.md) */
void xen_pv_plant(const char *what);

/* mmu_pv.c */
uint64_t xen_pv_pfn_to_mfn(uint64_t pfn, const char *func);
uint64_t xen_pv_mfn_to_pfn(uint64_t mfn);       /* ~0 if not this domain's */
uint64_t xen_pv_virt_to_mfn(const void *va, const char *func);
void xen_pv_mmu_install(void);

#define XEN_PV_NO_PFN (~0ULL)

#endif /* PARAVIRT_XEN_PV_H */
