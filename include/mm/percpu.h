/*
 * include/mm/percpu.h — every CPU's own root, its globaldata page and its
 * stacks, built through the same contract as every table (mm/percpu.c):
 * table pages from RAM already mapped (as high as possible), filled, passed
 * to the paravirt hook, and only then made reachable (linked, or loaded
 * into CR3 once by the CPU itself).
 */
#ifndef MM_PERCPU_H
#define MM_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/pgtable.h>

#define CPU_DATA_PAGES  (CPU_STACK_PAGES + CPU_IST_PAGES)

struct percpu_tables {
	phys_addr_t root;               /* the CPU's root, L4 or L5 (the BSP's: mm.root) */
	phys_addr_t globaldata;         /* PA of its globaldata page */
	phys_addr_t data_pa[CPU_DATA_PAGES];   /* stack pages, then IST pages */
	uint64_t stack_top, ist_top;    /* VAs in kmap (0 for the BSP: image stack) */
	unsigned long tables;           /* table pages of its own (root [+ L4] + globaldata) */
	unsigned long tables_at[PT_LEVELS_MAX + 1];
	unsigned int batch;             /* id of the batch that built them */
	const char *hook_action, *hook_result;
};

/* CPU 0: its root is mm.root; add its globaldata page (a live batch linked
 * into slot GLOBALDATA_SLOT after the hook). */
void percpu_boot_cpu(struct percpu_tables *t);

/* Map CPU id's stacks in kmap (shared kernel half): guard page, stack,
 * guard page, IST stack; a live batch into mm.root. */
void percpu_stacks(struct percpu_tables *t, unsigned int id);

/*
 * A new root for an AP: the page as high as possible below root_limit (the
 * trampoline loads CR3 in 32-bit mode), kernel half copied from mm.root but
 * for its own globaldata slot, slot 0 pointing at the identity map of the
 * trampoline page (shared tables, made by the first call; none when
 * tramp_pa is 0: a CPU started on its root by the hypervisor).  Hooked; not
 * reachable until the AP loads it.
 */
void percpu_build_root(struct percpu_tables *t, unsigned int id, phys_addr_t tramp_pa,
		       uint64_t root_limit);

/* Drop slot 0 (the trampoline identity map) from a live per-CPU root; the
 * caller flushes. */
void percpu_drop_identity(phys_addr_t root);

/* Map `pa` (0: a fresh zeroed page from mapped RAM) at `va` in the kernel
 * half of mm.root, through a live batch: every CPU sees it (the kernel
 * half's L3s are shared).  Returns the page's PA. */
phys_addr_t kmap_map_page(uint64_t va, phys_addr_t pa, bool writable);

/* Point the existing kmap leaf for va at pa (write_pte); flushes only the
 * calling CPU: other CPUs need a shootdown. */
void kmap_remap_page(uint64_t va, phys_addr_t pa);

/* A fresh zeroed data page from mapped RAM (not a table). */
phys_addr_t percpu_data_page(void);

/* Tables built here that no walk of mm.root finds: every AP's L4 and
 * globaldata tables, and the trampoline identity tables. */
extern unsigned long percpu_tables_total;

/*
 * The per-CPU self-check over every CPU's L4: kernel halves identical to
 * the BSP's but for the globaldata slot (and, in the hypervisor's slots, an
 * entry that maps each root itself: Xen PV's linear maps), globaldata entries distinct and
 * mapping each CPU's own page, the user slot empty, and (ro) every per-CPU
 * table page read-only in the direct map.  Returns violations; the first
 * one in `first`.
 */
unsigned long percpu_check(struct percpu_tables *const *t, unsigned int n, bool ro,
			   char *first, size_t first_size);

#endif /* MM_PERCPU_H */
