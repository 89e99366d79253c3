/*
 * pgtable.c — the one mapper (pt_map) and the one walker (pt_walk).
 *
 * pt_map goes top down, both across a range and inside each table: entries
 * are visited from the highest slot to the lowest.  That order is what lets
 * the builder remember only the newest not-yet-linked child per level (see
 * struct pending_child), and it is the order of hpa's plan.
 *
 * Writes go one of two ways:
 *   - into a table that belongs to the batch being built (not yet reachable
 *     from CR3): a plain store;
 *   - into a live table: recorded as a link of the batch and written by
 *     mm_init through write_pte() after the paravirt hook.
 *
 * In count mode nothing is written or allocated: the builder only counts
 * the table pages a range would need, so that a batch never takes more
 * pages than its source can give.  A table that would be allocated is
 * "virtual" (pa 0) and reads as empty; it is remembered in the pending
 * slots like a real unlinked child, so pt_count_begin/end save and restore
 * those around a count.
 */
#include <kernel/panic.h>
#include <lib/string.h>
#include <paravirt/ops.h>
#include "internal.h"

unsigned int pt_levels = 4;             /* <mm/pgtable.h>: set before mm_init */

/* An entry of a live table: recorded as a link, written after the hook. */
static void add_link(struct pt_builder *bd, pte_t *slot, unsigned int level, pte_t val)
{
	struct pt_batch *b = bd->batch;

	if (b->nr_links == BATCH_LINKS_MAX)
		panic("batch %u: more than %d links into live tables", b->id, BATCH_LINKS_MAX);
	b->links[b->nr_links].slot = slot;
	b->links[b->nr_links].val = val;
	b->links[b->nr_links].level = level;
	b->nr_links++;
}

/* The table below entry i of t (level `level`), creating it if needed. */
static phys_addr_t descend(struct pt_builder *bd, pte_t *t, unsigned int i, bool live,
			   unsigned int level, uint64_t span_va, pte_t leaf_flags, bool *child_live)
{
	/* A table entry grants all it can; the leaves decide.  Only US must be
	 * set on the whole path for a user page to be reachable from ring 3. */
	pte_t tf = PTE_P | PTE_RW | (leaf_flags & PTE_US);
	pte_t e = t ? t[i] : 0;
	struct pending_child *pc = &bd->pending[level - 1];
	phys_addr_t pa;

	if (pte_present(e)) {
		if (pte_is_leaf(e, level))
			panic("va 0x%016lx is already mapped by a %s page",
			      (unsigned long)va_canonical(span_va), page_size_name(level));
		*child_live = live;
		return pte_phys(e);
	}
	*child_live = false;
	if (pc->valid && pc->span_va == span_va && (live || bd->count_only))
		return pc->pa;
	if (bd->count_only) {
		/* Remember the virtual table too: a range counted in several
		 * pt_map calls must not count it twice. */
		bd->count++;
		pc->valid = true;
		pc->span_va = span_va;
		pc->pa = 0;
		return 0;
	}
	pa = batch_take_page(bd->batch, level - 1);
	if (!pa)
		panic("batch %u: table source exhausted for an L%u table (planning error)",
		      bd->batch->id, level - 1);
	bd->fresh = pa;
	if (live) {
		add_link(bd, &t[i], level, make_pte(pa, tf));
		pc->valid = true;
		pc->span_va = span_va;
		pc->pa = pa;
	} else {
		t[i] = make_pte(pa, tf);
	}
	return pa;
}

/* Are the n entries at t all empty?  (Eight at a time: the remap check
 * costs about one instruction per entry.) */
static bool run_empty(const pte_t *t, unsigned int n)
{
	pte_t any = 0;

	for (; n >= 8; n -= 8, t += 8)
		any |= t[0] | t[1] | t[2] | t[3] | t[4] | t[5] | t[6] | t[7];
	for (; n; n--)
		any |= *t++;
	return !(any & PTE_P);
}

/*
 * The leaves of [va, end) at `level`, all in table t: one run of
 * consecutive slots, va and end aligned to the leaf size.  Into a table of
 * the batch the whole run is one fill_leaves(); into a live table each
 * entry is a link.  Entries already present panic (a remap), except in a
 * table allocated by this very map_in's descend (`fresh`): zeroed, and
 * map_in writes each of its slots once.
 */
static void map_leaves(struct pt_builder *bd, pte_t *t, bool live, bool fresh,
		       unsigned int level, uint64_t va, uint64_t end, int64_t va_to_pa,
		       pte_t flags)
{
	unsigned int shift = level_shift(level), i = pt_index(va, level);
	unsigned int n = (unsigned int)((end - va) >> shift), k;
	uint64_t size = 1ULL << shift;
	pte_t lf = flags | (level > 1 ? PTE_PS : 0);

	if (bd->count_only)
		return;         /* leaves need no tables */
	bd->batch->leaves_at[level] += n;
	if (!live && (fresh || run_empty(t + i, n))) {
		fill_leaves(t + i, va + va_to_pa, n, size, lf);
		return;
	}
	for (k = n; k-- > 0;) {         /* top down, like the ranges */
		uint64_t slot = va + k * size;
		pte_t e = t[i + k], v;

		if (pte_present(e))
			panic("va 0x%016lx is already mapped (entry 0x%016lx)",
			      (unsigned long)va_canonical(slot), (unsigned long)e);
		if (live) {
			fill_leaves(&v, slot + va_to_pa, 1, 0, lf);
			add_link(bd, &t[i + k], level, v);
		}
	}
}

static void map_in(struct pt_builder *bd, phys_addr_t table, bool live, unsigned int level,
		   uint64_t va, uint64_t end, int64_t va_to_pa, unsigned int max_level,
		   pte_t flags);

/* [lo, hi) inside the slot at slot_va of table t: one level down. */
static void map_below(struct pt_builder *bd, pte_t *t, bool live, unsigned int level,
		      uint64_t slot_va, uint64_t lo, uint64_t hi, int64_t va_to_pa,
		      unsigned int max_level, pte_t flags)
{
	bool child_live;
	phys_addr_t child = descend(bd, t, pt_index(slot_va, level), live, level, slot_va,
				    flags, &child_live);

	map_in(bd, child, child_live, level - 1, lo, hi, va_to_pa, max_level, flags);
}

/*
 * [va, end) inside the span of table `table` (level `level`).  Where
 * leaves of this level can go (level <= max_level, PA aligned like the VA)
 * the range is: a partial slot at the top, a run of whole slots (leaves),
 * a partial slot at the bottom — only the partial slots go down a level.
 * Otherwise every slot goes down.  Top down throughout, so a new child is
 * always the lowest one created so far (struct pending_child).
 */
static void map_in(struct pt_builder *bd, phys_addr_t table, bool live, unsigned int level,
		   uint64_t va, uint64_t end, int64_t va_to_pa, unsigned int max_level,
		   pte_t flags)
{
	pte_t *t = table ? pt_virt(table) : NULL;
	uint64_t size = level_size(level), mask = size - 1;
	bool fresh = table && table == bd->fresh;       /* zeroed just now */

	bd->fresh = 0;
	if (bd->count_only && level == 1)
		return;         /* only leaves below: nothing to count */

	if (level <= max_level && !((uint64_t)va_to_pa & mask)) {
		uint64_t a = (va + mask) & ~mask;       /* first whole slot */
		uint64_t b = end & ~mask;               /* end of the whole slots */

		if (a > b) {                            /* inside one slot */
			map_below(bd, t, live, level, va & ~mask, va, end, va_to_pa,
				  max_level, flags);
			return;
		}
		if (b < end)
			map_below(bd, t, live, level, b, b, end, va_to_pa, max_level, flags);
		if (a < b)
			map_leaves(bd, t, live, fresh, level, a, b, va_to_pa, flags);
		if (va < a)
			map_below(bd, t, live, level, a - size, va, a, va_to_pa, max_level,
				  flags);
		return;
	}
	for (uint64_t slot = (end - 1) & ~mask;; slot -= size) {
		uint64_t lo = slot > va ? slot : va;
		uint64_t hi = end - slot < size ? end : slot + size;

		map_below(bd, t, live, level, slot, lo, hi, va_to_pa, max_level, flags);
		if (slot <= va)
			break;
	}
}

/* The checks both entries to the mapper make; returns the VA without its
 * sign bits (va_strip_sign), as the mapper's arithmetic wants it. */
static uint64_t map_args(const char *func, uint64_t va, uint64_t size, phys_addr_t pa)
{
	if ((va | size | pa) & (PAGE_SIZE - 1))
		panic_at(func, "unaligned range va 0x%lx size 0x%lx pa 0x%lx", (unsigned long)va,
		      (unsigned long)size, (unsigned long)pa);
	return va_strip_sign(va);
}

void pt_map(struct pt_builder *bd, phys_addr_t root, bool root_live, uint64_t va,
	    uint64_t size, phys_addr_t pa, unsigned int max_level, pte_t flags)
{
	if (!size)
		return;
	va = map_args(__func__, va, size, pa);
	map_in(bd, root, root_live, pt_levels, va, va + size, (int64_t)(pa - va),
	       max_level, flags);
}

void pt_map_below(struct pt_builder *bd, phys_addr_t table, bool live, unsigned int level,
		  uint64_t va, uint64_t size, phys_addr_t pa, unsigned int max_level, pte_t flags)
{
	if (!size)
		return;
	va = map_args(__func__, va, size, pa);
	if (level >= pt_levels || (va >> level_shift(level + 1)) !=
	    ((va + size - 1) >> level_shift(level + 1)))
		panic("range va 0x%lx size 0x%lx leaves the L%u table's span", (unsigned long)va,
		      (unsigned long)size, level);
	map_in(bd, table, live, level, va, va + size, (int64_t)(pa - va), max_level, flags);
}

pte_t pt_unmap_below(phys_addr_t table, unsigned int level, uint64_t va)
{
	pte_t *slot;
	pte_t e = pt_lookup_below(table, level, va, NULL, &slot);

	if (pte_present(e))
		write_pte(slot, 0);
	return e;
}

void pt_ensure_table(struct pt_builder *bd, phys_addr_t root, bool root_live,
		     uint64_t va, unsigned int level)
{
	phys_addr_t t = root;
	bool live = root_live;
	unsigned int l;

	va = va_strip_sign(va);
	for (l = pt_levels; l > level; l--) {
		pte_t *p = t ? pt_virt(t) : NULL;
		t = descend(bd, p, pt_index(va, l), live, l, va & ~(level_size(l) - 1), 0, &live);
	}
}

unsigned long pt_count_whole(struct pt_builder *bd, phys_addr_t root, uint64_t va,
			    unsigned int level, unsigned int max_level)
{
	unsigned long own = level > max_level ? 1 : 0;  /* one table below, inside */
	phys_addr_t t = root;
	unsigned int l;

	va = va_strip_sign(va);
	for (l = pt_levels; l > level; l--) {
		pte_t e = pt_virt(t)[pt_index(va, l)];
		const struct pending_child *pc = &bd->pending[l - 1];

		if (pte_present(e) && !pte_is_leaf(e, l))
			t = pte_phys(e);
		else if (pte_present(e))
			return PT_COUNT_MAPPED;       /* mapped already: pt_map says how */
		else if (pc->valid && pc->span_va == (va & ~(level_size(l) - 1)))
			t = pc->pa;
		else
			return l - level + own; /* tables of levels l-1 .. level */
	}
	return own;
}

bool pt_table_live(phys_addr_t root, bool root_live, uint64_t va, unsigned int level)
{
	phys_addr_t t = root;
	unsigned int l;

	if (!root_live)
		return false;
	va = va_strip_sign(va);
	for (l = pt_levels; l > level; l--) {
		pte_t e = pt_virt(t)[pt_index(va, l)];

		if (!pte_present(e) || pte_is_leaf(e, l))
			return false;
		t = pte_phys(e);
	}
	return true;
}

static void walk_in(phys_addr_t table, unsigned int level, uint64_t base, struct pt_visitor *v)
{
	const pte_t *t = pt_virt(table);
	unsigned int i;

	if (v->table_fn)
		v->table_fn(v, table, level);
	for (i = 0; i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		uint64_t va = base + (uint64_t)i * level_size(level);

		if (!pte_present(e))
			continue;
		if (level == pt_levels && i >= mm.cfg.foreign_l4_lo && i < mm.cfg.foreign_l4_hi)
			continue;       /* the hypervisor's slots */
		if (pte_is_leaf(e, level)) {
			if (v->leaf_fn)
				v->leaf_fn(v, va_canonical(va), e, level);
		} else {
			walk_in(pte_phys(e), level - 1, va, v);
		}
	}
}

void pt_walk(phys_addr_t root, struct pt_visitor *v)
{
	walk_in(root, pt_levels, 0, v);
}

void pt_walk_below(phys_addr_t table, unsigned int level, uint64_t base, struct pt_visitor *v)
{
	walk_in(table, level, base, v);
}

void pt_count_begin(struct pt_builder *bd, struct pending_child *saved)
{
	memcpy(saved, bd->pending, sizeof(bd->pending));
	bd->count_only = true;
	bd->count = 0;
}

unsigned long pt_count_end(struct pt_builder *bd, const struct pending_child *saved)
{
	memcpy(bd->pending, saved, sizeof(bd->pending));
	bd->count_only = false;
	return bd->count;
}
