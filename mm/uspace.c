/*
 * uspace.c — user address spaces in the root's slot 0 (include/mm/uspace.h).
 *
 * Building one is a batch like steps 5-6 of mm_init: the top table (L3, or
 * L4 at five levels) and every table below it come from RAM already mapped
 * (ram_alloc_page, the highest free page, or a page freed earlier), are
 * filled by the one mapper (pt_map_below, starting at that level), and go to
 * the paravirt hook.  The batch has no links:
 * nothing live points at it until a CPU writes uspace_l4e() into slot 0 of
 * its own root (through write_pte), which is the address-space switch.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/uspace.h>
#include <paravirt/ops.h>
#include "internal.h"

/* An address space's top table: the one below the root's slot 0 — an L3 at
 * four levels, an L4 at five (<mm/layout.h>: user VAs stay below USER_TOP,
 * so it has one entry then). */
static unsigned int user_level(void)
{
	return pt_levels - 1;
}

static unsigned int nr_spaces;

static bool user_va(uint64_t va)
{
	return va >= PAGE_SIZE && va < USER_TOP;
}

void uspace_build(struct uspace *as, const char *name, const struct uspace_page *pages,
		  unsigned int n)
{
	static struct pt_batch b;
	struct pt_builder bd;
	char ext[TRACE_EXTENTS_LEN], l4s[24] = "";
	unsigned int i, l;

	memset(as, 0, sizeof(*as));
	as->name = name;
	as->id = ++nr_spaces;
	batch_begin(&bd, &b, PT_SRC_RAM);
	as->top = batch_take_page(&b, user_level());
	if (!as->top)
		panic("%s: no free mapped page for its L%u", name, user_level());
	b.root = as->top;               /* nothing links it: the hook starts here */
	b.root_level = user_level();
	for (i = 0; i < n; i++) {
		const struct uspace_page *p = &pages[i];
		pte_t flags = PTE_P | PTE_US | (p->write ? PTE_RW : 0) |
			      (!p->exec && mm.cfg.nx ? PTE_NX : 0);

		if (!user_va(p->va) || (p->va & (PAGE_SIZE - 1)))
			panic("%s: page va 0x%lx is not a page of the user slot [0x%lx-0x%lx]",
			      name, (unsigned long)p->va, (unsigned long)PAGE_SIZE,
			      (unsigned long)USER_TOP - 1);
		if (p->write && p->exec)
			panic("%s: page va 0x%lx asked writable and executable (W^X)", name,
			      (unsigned long)p->va);
		pt_map_below(&bd, as->top, false, user_level(), p->va, PAGE_SIZE, p->pa, 1, flags);
	}
	batch_built(&b);                 /* before anything can reach the tree */
	as->batch = b.id;
	as->tables = b.nr_tables;
	for (l = 1; l <= pt_levels; l++)
		as->tables_at[l] = b.tables_at[l];
	as->pages = n;
	as->hook_action = b.hook_action;
	as->hook_result = b.hook_result;
	as->hook_ro_entries = b.hook_ro_entries;
	as->hook_splits = b.hook_splits;
	trace_extents(&b, ext, sizeof(ext));
	if (user_level() == 4)
		snprintf(l4s, sizeof(l4s), "l4s=%lu ", b.tables_at[4]);
	trace("uspace id=%u as=%u name=%s l%u=0x%010lx tables=%lu %sl3s=%lu l2=%lu l1=%lu src=ram pa=[%s] pages=%lu hook=%s result=%s ro_entries=%lu splits=%lu split_tables=%lu",
	      b.id, as->id, name, user_level(), (unsigned long)as->top, b.nr_tables, l4s,
	      b.tables_at[3],
	      b.tables_at[2], b.tables_at[1], ext, as->pages, b.hook_action, b.hook_result,
	      b.hook_ro_entries, b.hook_splits, b.hook_split_tables);
	batch_finish(&b);
}

phys_addr_t uspace_user_root(unsigned int cpu)
{
	static struct pt_batch b;
	struct pt_builder bd;
	phys_addr_t root;

	batch_begin(&bd, &b, PT_SRC_RAM);
	root = batch_take_page(&b, pt_levels);
	if (!root)
		panic("cpu %u: no free mapped page for its user root (L%u)", cpu, pt_levels);
	b.root = root;                  /* empty: slot 0 is written by each switch */
	batch_built(&b);
	trace("uspace_root id=%u cpu=%u l%u=0x%010lx tables=%lu hook=%s result=%s ro_entries=%lu",
	      b.id, cpu, pt_levels, (unsigned long)root, b.nr_tables, b.hook_action, b.hook_result,
	      b.hook_ro_entries);
	batch_finish(&b);
	return root;
}

pte_t uspace_l4e(const struct uspace *as)
{
	return as && as->top ? make_pte(as->top, PTE_P | PTE_RW | PTE_US) : 0;
}

pte_t uspace_lookup(const struct uspace *as, uint64_t va)
{
	if (!as->top || va >= USER_TOP)
		return 0;
	return pt_lookup_below(as->top, user_level(), va, NULL, NULL);
}

pte_t uspace_unmap(struct uspace *as, uint64_t va)
{
	pte_t e;

	if (!as->top || !user_va(va))
		return 0;
	e = pt_unmap_below(as->top, user_level(), va);
	if (pte_present(e))
		as->pages--;
	return e;
}

/* ------------------------------------------------------------- freeing */

struct freer {
	struct pt_visitor v;
	struct uspace *as;
	phys_addr_t tables[64];
	unsigned int nr_tables;
};

static void free_leaf(struct pt_visitor *v, uint64_t va, pte_t e, unsigned int level)
{
	struct freer *f = (struct freer *)v;

	if (page_free(pte_phys(e)))
		f->as->freed_pages++;
}

static void note_table(struct pt_visitor *v, phys_addr_t pa, unsigned int level)
{
	struct freer *f = (struct freer *)v;

	if (f->nr_tables == sizeof(f->tables) / sizeof(f->tables[0]))
		panic("%s: more than %u table pages", f->as->name, f->nr_tables);
	f->tables[f->nr_tables++] = pa;
}

void uspace_free(struct uspace *as)
{
	static struct freer f;
	unsigned int i;

	if (!as->top)
		return;
	memset(&f, 0, sizeof(f));
	f.v.table_fn = note_table;
	f.v.leaf_fn = free_leaf;
	f.as = as;
	pt_walk_below(as->top, user_level(), 0, &f.v);
	/* Tables after the walk: each becomes ordinary RAM again (on Xen PVH
	 * writable in the direct map) before anything may write it. */
	for (i = 0; i < f.nr_tables; i++) {
		pv_table_released(f.tables[i]);
		if (page_free(f.tables[i]))
			as->freed_tables++;
	}
	trace("uspace_free as=%u name=%s l%u=0x%010lx tables=%lu pages=%lu table_released=%s",
	      as->id, as->name, user_level(), (unsigned long)as->top, as->freed_tables, as->freed_pages,
	      pv_name());
	as->top = 0;
}

/* -------------------------------------------------------------- check */

struct uchk {
	struct pt_visitor v;
	const struct uspace *as;
	bool ro;
	unsigned long tables_at[PT_LEVELS_MAX + 1], leaves;
	struct violations vs;
};

#define bad(c, ...) violation_add(&(c)->vs, __VA_ARGS__)

static void chk_table(struct pt_visitor *v, phys_addr_t pa, unsigned int level)
{
	struct uchk *c = (struct uchk *)v;

	c->tables_at[level]++;
	if (c->ro) {
		pte_t e = pt_lookup(DIRECT_MAP_BASE + pa, NULL, NULL);

		if (!pte_present(e) || (e & PTE_RW))
			bad(c, "%s: L%u table 0x%010lx is %s in the direct map", c->as->name, level,
			    (unsigned long)pa, pte_present(e) ? "writable" : "not mapped");
	}
}

static void chk_leaf(struct pt_visitor *v, uint64_t va, pte_t e, unsigned int level)
{
	struct uchk *c = (struct uchk *)v;

	c->leaves++;
	if (level != 1 || !(e & PTE_US) || !user_va(va))
		bad(c, "%s: leaf va 0x%lx level %u entry 0x%016lx is not a user 4 KiB page of slot 0",
		    c->as->name, (unsigned long)va, level, (unsigned long)e);
	if (mm.cfg.nx && (e & PTE_RW) && !(e & PTE_NX))
		bad(c, "%s: user page va 0x%lx is writable and executable", c->as->name,
		    (unsigned long)va);
}

unsigned long uspace_check(const struct uspace *as, bool ro, char *first, size_t first_size)
{
	struct uchk c = { { chk_table, chk_leaf }, as, ro, { 0 }, 0, { "uspace", 0, first, first_size } };
	unsigned int l;

	if (!as->top)
		return 0;
	pt_walk_below(as->top, user_level(), 0, &c.v);
	for (l = 1; l <= user_level(); l++)
		if (c.tables_at[l] != as->tables_at[l])
			bad(&c, "%s: %lu L%u tables found, %lu built", as->name, c.tables_at[l], l,
			    as->tables_at[l]);
	if (c.leaves != as->pages)
		bad(&c, "%s: %lu pages mapped, %lu expected", as->name, c.leaves, as->pages);
	return c.vs.n;
}
