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

/* Xen PVH backend (paravirt/xen/): installs the hypercall page and takes
 * over pv_ops; panics if Xen cannot be used. */
void xen_pvh_init(struct boot_info *bi, uint32_t cpuid_base);

/* Test only (a kernel built with `make PVH_ON_NATIVE=1`, for the fixtures
 * of tests/trace/make-fixtures.sh): without a hypervisor, the native
 * backend with the Xen PVH MMU ops — the same hook but for its one
 * hypercall, read-only tables written with CR0.WP lifted. */
void xen_pvh_on_native(void);

/* Xen PV backend (the boot protocol says so: PV has no CPUID-visible
 * way in, and its hypercall page was filled by the domain builder).
 * Fills *hv (Xen, its version) and takes over pv_ops. */
void xen_pv_init(struct boot_info *bi, struct hypervisor_info *hv);

#endif /* PARAVIRT_PARAVIRT_H */
