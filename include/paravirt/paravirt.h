/*
 * include/paravirt/paravirt.h — choosing the backend.
 */
#ifndef PARAVIRT_PARAVIRT_H
#define PARAVIRT_PARAVIRT_H

#include <stdbool.h>
#include <stdint.h>

struct boot_info;

/* What paravirt_init() found, for the boot log and the trace. */
struct hypervisor_info {
	bool present;
	bool xen;               /* the signature is Xen's (XEN_CPUID_SIGNATURE_*) */
	char signature[13];     /* e.g. "XenVMMXenVMM", or "" */
	uint32_t cpuid_base;    /* 0x40000000 + n * 0x100 */
	uint32_t version_major, version_minor;
};

extern struct hypervisor_info hypervisor;

/* Detect a hypervisor and switch pv_ops to its backend (once). */
void paravirt_init(struct boot_info *bi);

/* Native backend entry points other backends may reuse. */
void native_write_pte(uint64_t *ptep, uint64_t val);
void native_flush_tlb_one(uint64_t va);
void native_flush_tlb_user(void);
void native_table_released(uint64_t pa);
void native_load_root(uint64_t root);
uint64_t native_make_pte(uint64_t pa, uint64_t flags);
uint64_t native_pte_phys(uint64_t e);
void native_fill_leaves(uint64_t *dst, uint64_t pa, unsigned int n, uint64_t step,
			uint64_t flags);
void native_lazy_nop(void);
uint64_t native_read_cr3(void);

/* Xen PVH backend (paravirt/xen/): installs the hypercall page and takes
 * over pv_ops; panics if Xen cannot be used. */
void xen_pvh_init(struct boot_info *bi, uint32_t cpuid_base);

/* Xen PV backend (the boot protocol says so: PV has no CPUID-visible
 * way in, and its hypercall page was filled by the domain builder).
 * Fills *hv (Xen, its version) and takes over pv_ops. */
void xen_pv_init(struct boot_info *bi, struct hypervisor_info *hv);

#endif /* PARAVIRT_PARAVIRT_H */
