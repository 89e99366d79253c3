/*
 * include/mm/batch.h — one batch of page tables (design §1 steps 1-7).
 *
 * A batch is a set of new table pages, all filled before any of them
 * becomes reachable from CR3.  Batch 0 is made of brk pages (steps 1-2)
 * and becomes live by the CR3 switch (step 4); every later batch is made of
 * pages taken from RAM the live tables already map (step 5), and becomes
 * live when its links — the entries it needs in tables that are already
 * live — are written through write_pte (after the hook, step 6).
 *
 * The paravirt hook sees the batch between "built" and "linked".  It gets
 * every table page (extents), the ranges the batch maps, and an allocator
 * for any tables it needs itself (to split a large direct-map page).
 */
#ifndef MM_BATCH_H
#define MM_BATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/memmap.h>
#include <mm/pgtable.h>
#include <mm/policy.h>          /* BATCH_EXTENTS_MAX, BATCH_LINKS_MAX */

enum pt_source {
	PT_SRC_BRK,     /* the brk chunk inside the image (steps 1-2) */
	PT_SRC_RAM,     /* RAM already mapped by live tables (steps 5-7) */
};

/* An entry to write into an already-live table when the batch is linked. */
struct pt_link {
	pte_t *slot;
	pte_t val;
	unsigned int level;     /* level of the table holding slot */
};

struct pt_batch {
	unsigned int id;
	enum pt_source source;          /* brk for batch 0 (steps 1-2), else RAM */

	/* Table pages of this batch, as PA extents (pages are handed out
	 * downward, so there are few). */
	struct mem_range extents[BATCH_EXTENTS_MAX];
	unsigned int nr_extents;
	unsigned long nr_tables;
	unsigned long tables_at[PT_LEVELS_MAX + 1];     /* by level, [1..4] */
	phys_addr_t root;       /* a table of its own that no link reaches (an AP's L4,
				 * loaded by the AP or the hypervisor; a user address
				 * space's top table, reached by a switch), or 0 */
	unsigned int root_level;        /* its level; 0: the root level (pt_levels) */

	/* What it maps: the direct-map window [pa_lo, pa_hi) and the leaves. */
	uint64_t pa_lo, pa_hi;
	uint64_t ram_bytes;                         /* usable RAM in the window */
	unsigned long leaves_at[PT_LEVELS_MAX];         /* [1] 4k, [2] 2m, [3] 1g */

	unsigned long image_leaves;                 /* of leaves_at[1]: the image's */
	unsigned long budget;                       /* table pages it could spend */
	const char *stop;                           /* why it ended: brk, budget, target, bounds, end */

	struct pt_link *links;
	unsigned int nr_links;

	/* Filled by the hook. */
	const char *hook_action;        /* "none", "pin-ro", ... */
	const char *hook_result;        /* "ok", or why not */
	unsigned long hook_ro_entries;  /* mappings made read-only */
	unsigned long hook_splits;      /* large pages split to do so */
	unsigned long hook_split_tables;/* tables the hook allocated */
};

/* The pages of a batch, for backends: calls fn(pa) for every table page. */
void batch_for_each_table(const struct pt_batch *b, void (*fn)(phys_addr_t pa, void *arg),
			  void *arg);

/* A table page for the hook's own use (e.g. a split), counted in the batch.
 * Returns its PA; the page is zeroed and reachable through pt_virt(). */
phys_addr_t batch_alloc_table(struct pt_batch *b, unsigned int level);

#endif /* MM_BATCH_H */
