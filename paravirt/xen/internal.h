/*
 * paravirt/xen/internal.h — shared between the files of the Xen backends
 * only (both: console.c, hypercall.asm; PVH: setup_pvh.c, mmu_pvh.c,
 * protect_pvh.c; PV: setup_pv.c, mmu_pv.c, pin_pv.c, p2m_pv.c, smp_pv.c,
 * evtchn_pv.c, traps_pv.asm); nothing outside paravirt/xen/
 * includes it.  Names: xen_ is both backends', xen_pvh_ PVH's, xen_pv_ PV's.
 */
#ifndef PARAVIRT_XEN_INTERNAL_H
#define PARAVIRT_XEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/fixmap.h>
#include <mm/batch.h>
#include <paravirt/xen_hypercall.h>

struct boot_info;

/* setup_pvh.c (both backends use it) */
int xen_memory_map(struct boot_info *bi);       /* XENMEM_memory_map into bi->map */
int xen_machine_memory_map_entries(void);       /* dom0: the host's map, counted */

/* console.c */
void xen_console_init(bool initial_domain);
void xen_console_flush(void);
void xen_console_use_fixmap(void);
void xen_console_map_fixmap(void);
void xen_console_attach(volatile void *ring, uint32_t evtchn);  /* Xen PV: ring from start_info */

/* mmu_pvh.c (the protection itself: <paravirt/xen_pvh.h>) */
void xen_pvh_mmu_install(void (*hook)(struct pt_batch *b));
void xen_pvh_batch_built(struct pt_batch *batch);

/* ---- Xen PV: setup_pv.c, mmu_pv.c, pin_pv.c, p2m_pv.c */

/*
 * What the PV backend asked of Xen, counted where Xen's answer comes back
 * (a request Xen reports done, an entry whose result is 0): per batch
 * (reset by the hook) and for the whole run.
 */
struct xen_pv_counts {
	unsigned long tables;           /* table pages the hook found in its batch */
	unsigned long pins;             /* MMUEXT_PIN_Ln_TABLE accepted */
	unsigned long flips;            /* table pages whose last writable mapping
					 * Xen made read-only (writable -> table) */
	unsigned long unflips;          /* former tables Xen mapped writable again */
	unsigned long ro_updates;       /* read-only requests accepted */
	unsigned long repins_refused;   /* a batch's table pinned again: refused */
	unsigned long builder_tables_ro; /* the builder's tables (still typed) made
					 * read-only where a new batch maps them */
	unsigned long hypercalls, multicall_entries, mmu_update_reqs;
	unsigned long probe_hypercalls; /* the re-pins, the self-check's probe and the
					 * two empty multicalls marking mm_init */
};

extern struct xen_pv_counts xen_pv_batch, xen_pv_total;

#define XEN_PV_COUNT(field, n) do {                                         \
	unsigned long n_ = (n);                                             \
	xen_pv_batch.field += n_;                                           \
	xen_pv_total.field += n_;                                           \
} while (0)

/* What the backend's fixmap slot (<arch/fixmap.h>) holds: the console ring
 * on PVH; shared_info on PV (its ring is reached in the bootstrap region). */
#define FIX_XEN_PVH_CONSOLE     FIX_PARAVIRT
#define FIX_XEN_PV_SHARED_INFO  FIX_PARAVIRT

/* mmu_pv.c */
uint64_t xen_pv_virt_to_maddr(const void *p, const char *func);
void xen_pv_write_queue(pte_t *ptep, pte_t val, const char *func);
unsigned int xen_pv_write_flush(const char *func);     /* requests Xen did */
void xen_pv_mmuext_one(unsigned int cmd, uint64_t mfn, const char *func);
const char *xen_pv_ext_name(unsigned int cmd);

/* pin_pv.c */
void xen_pv_pin_batch(struct pt_batch *b);

/* p2m_pv.c */
void xen_pv_boot_region_borrow(struct pt_batch *b);     /* batch 0: the alias */
void xen_pv_boot_region_alias(void);                    /* step 4: use it */
void xen_pv_boot_region_follow(unsigned int batch_id);  /* after a link */
void xen_pv_p2m_publish(uint64_t root_mfn);             /* step 4: shared_info */

/* setup_pv.c, for smp_pv.c */
struct vcpu_info *xen_pv_vcpu0(void);
const struct trap_info *xen_pv_trap_table(void);       /* ends at address 0 */

/* user_pv.c: ring 3 (pv_ops.user, flush_tlb_user, table_released) */
void xen_pv_user_install(void);
void xen_pv_stack_switch_failed(long rc) __attribute__((noreturn));  /* entry_pv.asm */

/* smp_pv.c: pv_ops.smp and the pvclock TSC rate for Xen PV */
void xen_pv_smp_install(void);
struct vcpu_info *xen_pv_vinfo(unsigned int id);       /* CPU id's registered vcpu_info */
void xen_pv_smp_park(void);             /* end=wait: every AP masked and blocked */

/* evtchn_pv.c: one IPI port per vCPU, the upcall (docs/xen-pv-smp.md) */
struct xen_pv_evtchn_counts {
	unsigned long sent;             /* EVTCHNOP_send accepted, by this CPU */
	unsigned long sent_to;          /* ... to this CPU's port (counted by the sender) */
	unsigned long received;         /* its port found pending by its upcall (counted there) */
	unsigned long upcalls;          /* times Xen entered its upcall */
	unsigned long from_user;        /* ... interrupting user mode */
	unsigned long stray;            /* another port found pending (none is unmasked) */
};
void xen_pv_evtchn_init(unsigned int n, const uint32_t *vcpu, void (*call)(void));
void xen_pv_evtchn_send(unsigned int id);
bool xen_pv_evtchn_pending(unsigned int id);
uint32_t xen_pv_evtchn_port(unsigned int id);
const struct xen_pv_evtchn_counts *xen_pv_evtchn_counts(unsigned int id);
uint64_t xen_pv_event_callback_address(void);          /* traps_pv.asm's entry */
uint64_t xen_pv_failsafe_callback_address(void);       /* a PANIC */
void xen_pv_event_upcall(uint64_t cs);                  /* from xen_pv_event_entry */

#endif /* PARAVIRT_XEN_INTERNAL_H */
