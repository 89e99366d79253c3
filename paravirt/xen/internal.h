/*
 * paravirt/xen/internal.h — shared between the files of the Xen backends
 * only (both: console.c, hypercall.asm; PVH: setup_pvh.c, mmu_pvh.c; PV:
 * setup_pv.c, mmu_pv.c, traps_pv.asm); nothing outside paravirt/xen/
 * includes it.  Names: xen_ is both backends', xen_pvh_ PVH's, xen_pv_ PV's.
 */
#ifndef PARAVIRT_XEN_INTERNAL_H
#define PARAVIRT_XEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/batch.h>
#include <paravirt/xen_hypercall.h>

struct boot_info;

/* setup_pvh.c (both backends use it) */
int xen_memory_map(struct boot_info *bi);       /* XENMEM_memory_map into bi->map */

/* console.c */
void xen_console_init(bool initial_domain);
void xen_console_write(const char *s, size_t n);
void xen_console_flush(void);
void xen_console_use_fixmap(void);
void xen_console_map_fixmap(void);
void xen_console_attach(volatile void *ring, uint32_t evtchn);  /* Xen PV: ring from start_info */

/* mmu_pvh.c */

/*
 * The most table pages xen_pvh_batch_built() takes per batch.  It splits only
 * the large direct-map pages that hold the batch's table pages, which are
 * runs taken downward from one cursor: in practice one 1 GiB page into an
 * L2 and one or two 2 MiB pages into L1s, and the split tables (taken just
 * below) rarely reach a further 2 MiB page.  8 is that with a margin;
 * should a batch ever need more, batch_alloc_table() panics with the
 * batch and level instead of corrupting anything.
 */
#define XEN_PVH_HOOK_PAGES 8

void xen_pvh_batch_built(struct pt_batch *batch);
void xen_pvh_table_released(phys_addr_t pa);
void xen_pvh_write_pte(pte_t *ptep, pte_t val);

#endif /* PARAVIRT_XEN_INTERNAL_H */
