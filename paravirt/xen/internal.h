/*
 * paravirt/xen/internal.h — shared between the files of the Xen backends
 * only (PVH: xen.c, console.c, pin.c; PV: pv.c, pvmmu.c, which also use
 * console.c); nothing outside paravirt/xen/ includes it.
 */
#ifndef PARAVIRT_XEN_INTERNAL_H
#define PARAVIRT_XEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/batch.h>
#include <paravirt/xen_hypercall.h>

struct boot_info;

/* xen.c */
int xen_memory_map(struct boot_info *bi);       /* XENMEM_memory_map into bi->map */

/* console.c */
void xen_console_init(bool initial_domain);
void xen_console_write(const char *s, size_t n);
void xen_console_flush(void);
void xen_console_use_fixmap(void);
void xen_console_map_fixmap(void);
void xen_console_attach(volatile void *ring, uint32_t evtchn);  /* Xen PV: ring from start_info */

/* pin.c */

/*
 * The most table pages xen_batch_built() takes per batch.  It splits only
 * the large direct-map pages that hold the batch's table pages, which are
 * runs taken downward from one cursor: in practice one 1 GiB page into an
 * L2 and one or two 2 MiB pages into L1s, and the split tables (taken just
 * below) rarely reach a further 2 MiB page.  8 is that with a margin;
 * should a batch ever need more, batch_alloc_table() panics with the
 * batch and level instead of corrupting anything.
 */
#define XEN_PIN_HOOK_PAGES 8

void xen_batch_built(struct pt_batch *batch);
void xen_table_released(phys_addr_t pa);
void xen_write_pte(pte_t *ptep, pte_t val);

#endif /* PARAVIRT_XEN_INTERNAL_H */
