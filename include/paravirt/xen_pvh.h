/*
 * include/paravirt/xen_pvh.h — the Xen PVH table protection, the part of
 * the PVH hook that needs no hypercall (paravirt/xen/protect_pvh.c).  It is
 * written against mm's lookup API and the write_pte/flush_tlb_one wrappers
 * only, so the very same code is linked into the kernel and into the host
 * builds (tests/unit, tools/tracecmp), which run it under their recording
 * backend instead of a copy.
 */
#ifndef PARAVIRT_XEN_PVH_H
#define PARAVIRT_XEN_PVH_H

#include <mm/batch.h>

/*
 * The most table pages xen_pvh_protect_batch() takes per batch.  It splits
 * only the large direct-map pages that hold the batch's table pages, which
 * are runs taken downward from one cursor: in practice one 1 GiB page into
 * an L2 and one or two 2 MiB pages into L1s, and the split tables (taken
 * just below) rarely reach a further 2 MiB page.  8 is that with a margin;
 * should a batch ever need more, batch_alloc_table() panics with the batch
 * and level instead of corrupting anything.
 */
#define XEN_PVH_HOOK_PAGES 8

/* Every table page of b read-only in every kernel mapping of it (the direct
 * map; the image too for brk pages), splitting large pages as needed;
 * fills b's hook counts and hook_action "pin-ro". */
void xen_pvh_protect_batch(struct pt_batch *b);

/* The reverse for a table page that is no longer one: its 4 KiB direct-map
 * entry writable again (any split stays). */
void xen_pvh_table_released(phys_addr_t pa);

#endif /* PARAVIRT_XEN_PVH_H */
