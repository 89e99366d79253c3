/*
 * include/mm/uspace.h — user address spaces, one root slot each (design §8).
 *
 * An address space is one tree for slot 0 (USER_SLOT) of the root: an L3
 * at four levels, an L4 at five, holding user VAs in [0, USER_TOP) (512
 * GiB at both depths).  It never has a root of its own: a CPU runs it by
 * writing its slot-0 entry into the CPU's own root (uspace_l4e) and
 * flushing.
 * Its tables are a batch like every other (mm/uspace.c): pages from RAM the
 * live tables map, filled, passed to the paravirt hook, and only then made
 * reachable — by the first switch to it.  Unmapping and freeing go through
 * the same mapper (write_pte on live entries), and a freed table page is
 * handed back to the backend (table_released) before it is RAM again.
 */
#ifndef MM_USPACE_H
#define MM_USPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/pgtable.h>

/* One page to map: a frame the caller filled, its user VA and rights. */
struct uspace_page {
	uint64_t va;
	phys_addr_t pa;
	bool write, exec;
};

struct uspace {
	const char *name;
	unsigned int id;
	phys_addr_t top;                /* the slot-0 tree's top table (L3; L4 at
					 * five levels); 0 once freed */
	unsigned int batch;             /* id of the batch that built it */
	unsigned long tables, tables_at[PT_LEVELS_MAX + 1];
	unsigned long pages;            /* user pages mapped */
	const char *hook_action, *hook_result;
	unsigned long hook_ro_entries, hook_splits;
	unsigned long freed_tables, freed_pages;
};

/*
 * Build an address space holding `n` pages (VAs in slot 0, never page 0;
 * never writable and executable at once: a panic names the page).  One
 * batch; the hook runs before anything can reach it.
 */
void uspace_build(struct uspace *as, const char *name, const struct uspace_page *pages,
		  unsigned int n);

/*
 * A user root for CPU `cpu` (on a backend whose ring 3 runs on a root of
 * its own, Xen PV): an empty top-level table, one batch, hooked (pinned)
 * before anything can load it; only its slot 0 is ever written, by the
 * switches.  Returns its PA.
 */
phys_addr_t uspace_user_root(unsigned int cpu);

/* The slot-0 entry that makes a CPU run `as` (0: no address space). */
pte_t uspace_l4e(const struct uspace *as);

/* The leaf mapping va in `as` (0 if none). */
pte_t uspace_lookup(const struct uspace *as, uint64_t va);

/* Unmap one page (write_pte); the caller flushes CPUs that run `as`. */
pte_t uspace_unmap(struct uspace *as, uint64_t va);

/* Free every frame and table of `as`; no CPU may have it in slot 0. */
void uspace_free(struct uspace *as);

/*
 * Walk `as`: its tables are the ones built (count by level), every leaf is
 * a user page in slot 0, no page writable and executable (where the CPU
 * has NX), and (ro) every table page read-only in the direct map.  Returns
 * violations, printing up to a few; the first in `first`.
 */
unsigned long uspace_check(const struct uspace *as, bool ro, char *first, size_t first_size);

#endif /* MM_USPACE_H */
