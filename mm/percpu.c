/*
 * percpu.c — every CPU's own root, globaldata and stacks (include/mm/percpu.h).
 *
 * Each piece is a batch like steps 5-6 of mm_init: its table pages come
 * from RAM the live tables already map (ram_alloc_page: the highest free
 * page), are filled, then go to the paravirt hook, and only then become
 * reachable — linked through write_pte into a live table (the BSP's
 * globaldata, the stacks and other kmap mappings), or loaded into CR3 once
 * by the AP itself (an AP's root).
 *
 * The kernel half of an AP's root is a copy of mm.root's entries 256-511:
 * they point at the same tables, so a mapping added below the top level is
 * seen by every CPU at once.  That every kernel slot has its table before
 * the first copy is the pre-population rule of <mm/layout.h>; the kmap L3
 * comes with the first AP's stacks, which are mapped before any AP root is
 * built.  At five levels the same holds one level down for the L4 on the
 * globaldata path, which each CPU has its own copy of.
 */
#include <kernel/panic.h>
#include <lib/string.h>
#include <mm/percpu.h>
#include <paravirt/ops.h>
#include "internal.h"

unsigned long percpu_tables_total;
static phys_addr_t tramp_l4e;           /* root slot-0 entry: identity map of the trampoline */

static pte_t data_flags(bool writable)
{
	return PTE_P | (writable ? PTE_RW : 0) | (mm.cfg.nx ? PTE_NX : 0);
}

phys_addr_t percpu_data_page(void)
{
	phys_addr_t pa = ram_alloc_page();

	if (!pa)
		panic("no free mapped RAM left for a per-CPU data page");
	return pa;
}

static void trace_percpu_batch(const struct pt_batch *b, const char *what, unsigned int cpu)
{
	struct trace_l5_buf l5;
	char ext[TRACE_EXTENTS_LEN];

	trace_extents(b, ext, sizeof(ext));
	trace("percpu_batch id=%u cpu=%u what=%s tables=%lu %sl4=%lu l3=%lu l2=%lu l1=%lu pa=[%s] links=%u hook=%s result=%s ro_entries=%lu splits=%lu",
	      b->id, cpu, what, b->nr_tables, trace_l5(&l5, b->tables_at[5]), b->tables_at[4],
	      b->tables_at[3], b->tables_at[2],
	      b->tables_at[1], ext[0] ? ext : "none", b->nr_links, b->hook_action,
	      b->hook_result, b->hook_ro_entries, b->hook_splits);
}

/* The hook, then the links: the batch goes live. */
static void hook_and_link(struct pt_batch *b, const char *what, unsigned int cpu)
{
	batch_built(b);
	batch_link(b);
	trace_percpu_batch(b, what, cpu);
	batch_finish(b);
}

/* The tables a batch put under a root nobody walks from mm.root. */
static void off_root(const struct pt_batch *b)
{
	percpu_tables_total += b->nr_tables;
}

static void record(struct percpu_tables *t, const struct pt_batch *b)
{
	unsigned int l;

	t->batch = b->id;
	t->tables += b->nr_tables;
	for (l = 1; l <= pt_levels; l++)
		t->tables_at[l] += b->tables_at[l];
	t->hook_action = b->hook_action;
	t->hook_result = b->hook_result;
}

void percpu_boot_cpu(struct percpu_tables *t)
{
	static struct pt_batch b;
	struct pt_builder bd;

	memset(t, 0, sizeof(*t));
	t->root = mm.root;
	t->globaldata = percpu_data_page();
	batch_begin(&bd, &b, PT_SRC_RAM);
	pt_map(&bd, mm.root, true, GLOBALDATA_BASE, PAGE_SIZE, t->globaldata, 1,
	       data_flags(true));
	hook_and_link(&b, "globaldata", 0);
	t->tables_at[pt_levels] = 1;    /* mm.root, made in step 1 */
	t->tables = 1;
	record(t, &b);
}

void percpu_stacks(struct percpu_tables *t, unsigned int id)
{
	static struct pt_batch b;
	struct pt_builder bd;
	uint64_t base = KMAP_BASE + (uint64_t)id * CPU_STACK_SPAN;
	uint64_t stack = base + PAGE_SIZE;                      /* above the first guard */
	uint64_t ist = stack + (CPU_STACK_PAGES + 1) * PAGE_SIZE;  /* above the second */
	int i;

	if (id >= MAX_CPUS)
		panic("cpu %u: beyond MAX_CPUS (%d)", id, MAX_CPUS);
	for (i = 0; i < CPU_DATA_PAGES; i++)
		t->data_pa[i] = percpu_data_page();
	batch_begin(&bd, &b, PT_SRC_RAM);
	/* top down, as the builder wants */
	for (i = CPU_IST_PAGES - 1; i >= 0; i--)
		pt_map(&bd, mm.root, true, ist + i * PAGE_SIZE, PAGE_SIZE,
		       t->data_pa[CPU_STACK_PAGES + i], 1, data_flags(true));
	for (i = CPU_STACK_PAGES - 1; i >= 0; i--)
		pt_map(&bd, mm.root, true, stack + i * PAGE_SIZE, PAGE_SIZE, t->data_pa[i], 1,
		       data_flags(true));
	hook_and_link(&b, "stacks", id);
	t->stack_top = stack + CPU_STACK_PAGES * PAGE_SIZE;
	t->ist_top = ist + CPU_IST_PAGES * PAGE_SIZE;
}

/* Level of the table whose slot GLOBALDATA_SLOT is the globaldata slot. */
#define GD_LEVEL 4

/* The table of `level` on the globaldata path under root (level >= GD_LEVEL:
 * the per-CPU part of a CPU's tables). */
static phys_addr_t gd_table(phys_addr_t root, unsigned int level)
{
	phys_addr_t t = root;
	unsigned int l;

	for (l = pt_levels; l > level; l--)
		t = pte_phys(pt_virt(t)[pt_index(GLOBALDATA_BASE, l)]);
	return t;
}

void percpu_build_root(struct percpu_tables *t, unsigned int id, phys_addr_t tramp_pa,
		       uint64_t root_limit)
{
	static struct pt_batch b;
	struct pt_builder bd;
	phys_addr_t table, ref;
	unsigned int i, l, first = KERNEL_HALF_FIRST;
	unsigned long before, tramp_at[PT_LEVELS_MAX + 1];
	pte_t *top;

	t->globaldata = percpu_data_page();
	mm.root_copied = true;          /* from here on, batch_link refuses kernel-half L4 writes */
	batch_begin(&bd, &b, PT_SRC_RAM);
	t->root = batch_take_page_below(&b, pt_levels, root_limit);
	if (!t->root)
		panic("cpu %u: no free mapped page below 0x%lx for its L%u", id,
		      (unsigned long)root_limit, pt_levels);
	b.root = t->root;
	/*
	 * The kernel half copied from mm.root but for the globaldata path: at
	 * four levels the root is the L4 and its slot GLOBALDATA_SLOT stays
	 * empty; at five the root's slot for GLOBALDATA_BASE points at this
	 * CPU's own copy of the BSP's L4 (every slot but GLOBALDATA_SLOT), so
	 * that globaldata keeps the same VA at both depths (<mm/layout.h>).
	 */
	table = t->root;
	ref = mm.root;
	for (l = pt_levels; l >= GD_LEVEL; l--) {
		const pte_t *src = pt_virt(ref);
		pte_t *dst = pt_virt(table);
		unsigned int gi = pt_index(GLOBALDATA_BASE, l);

		for (i = first; i < PT_ENTRIES; i++)
			if (i != gi)
				dst[i] = src[i];
		first = 0;
		if (l == GD_LEVEL)
			break;
		ref = pte_phys(src[gi]);
		table = batch_take_page(&b, l - 1);
		if (!table)
			panic("cpu %u: no free mapped page for its L%u", id, l - 1);
		dst[gi] = make_pte(table, PTE_P | PTE_RW);
	}
	pt_map(&bd, t->root, false, GLOBALDATA_BASE, PAGE_SIZE, t->globaldata, 1,
	       data_flags(true));
	top = pt_virt(t->root);
	memset(tramp_at, 0, sizeof(tramp_at));
	if (tramp_pa && !tramp_l4e) {
		/* The trampoline page, executable, read-only, at its own PA: the
		 * first AP's batch makes these tables, every AP shares them. */
		before = b.nr_tables;
		memcpy(tramp_at, b.tables_at, sizeof(tramp_at));
		pt_map(&bd, t->root, false, tramp_pa, PAGE_SIZE, tramp_pa, 1, PTE_P);
		tramp_l4e = top[USER_SLOT];
		for (l = 1; l <= pt_levels; l++)
			tramp_at[l] = b.tables_at[l] - tramp_at[l];
		tramp_at[0] = b.nr_tables - before;
	}
	top[USER_SLOT] = tramp_l4e;
	hook_and_link(&b, "root", id);
	off_root(&b);
	record(t, &b);
	t->tables -= tramp_at[0];       /* not its own: shared with the other APs */
	for (l = 1; l <= pt_levels; l++)
		t->tables_at[l] -= tramp_at[l];
}

void percpu_drop_identity(phys_addr_t root)
{
	write_pte(pt_virt(root) + USER_SLOT, 0);
}

phys_addr_t kmap_map_page(uint64_t va, phys_addr_t pa, bool writable)
{
	static struct pt_batch b;
	struct pt_builder bd;

	if (!pa)
		pa = percpu_data_page();
	batch_begin(&bd, &b, PT_SRC_RAM);
	pt_map(&bd, mm.root, true, va, PAGE_SIZE, pa, 1, data_flags(writable));
	hook_and_link(&b, "kmap", 0);
	return pa;
}

void kmap_remap_page(uint64_t va, phys_addr_t pa)
{
	unsigned int level;
	pte_t *slot;
	pte_t e = pt_lookup(va, &level, &slot);

	if (!pte_present(e) || level != 1)
		panic("kmap va 0x%016lx is not mapped by a 4 KiB page", (unsigned long)va);
	write_pte(slot, make_pte(pa, e & ~PTE_ADDR_MASK));
	flush_tlb_one(va);
}

/* ------------------------------------------------------------ check */

struct pc_check {
	struct violations vs;
};

#define bad(c, ...) violation_add(&(c)->vs, __VA_ARGS__)

static void check_ro(struct pc_check *c, unsigned int cpu, phys_addr_t pa, unsigned int level)
{
	pte_t e = pt_lookup(DIRECT_MAP_BASE + pa, NULL, NULL);

	if (!pte_present(e))
		bad(c, "cpu %u: L%u table 0x%010lx is not in the direct map", cpu, level,
		    (unsigned long)pa);
	else if (e & PTE_RW)
		bad(c, "cpu %u: L%u table 0x%010lx is writable in the direct map", cpu, level,
		    (unsigned long)pa);
}

unsigned long percpu_check(struct percpu_tables *const *t, unsigned int n, bool ro,
			   char *first, size_t first_size)
{
	struct pc_check c = { { "smpcheck", 0, first, first_size } };
	unsigned int i, j, k, l, flo, fhi;

	pv_foreign_l4(&flo, &fhi);
	for (i = 0; i < n; i++) {
		const pte_t *top = pt_virt(t[i]->root);
		unsigned int level = 0;
		pte_t e;

		if (pte_present(top[USER_SLOT]))
			bad(&c, "cpu %u: L%u 0x%010lx user slot 0 is populated: 0x%016lx", i,
			    pt_levels, (unsigned long)t[i]->root, (unsigned long)top[USER_SLOT]);
		for (k = 1; k < KERNEL_HALF_FIRST; k++)
			if (pte_present(top[k]))
				bad(&c, "cpu %u: L%u slot %u (user half) is populated", i, pt_levels, k);
		/* Its own tables on the globaldata path (the root; at five levels
		 * its L4 too): the same as cpu 0's but for that path's slot. */
		for (l = pt_levels; l >= GD_LEVEL; l--) {
			phys_addr_t own_pa = gd_table(t[i]->root, l), ref_pa = gd_table(mm.root, l);
			const pte_t *own = pt_virt(own_pa);
			const pte_t *ref = pt_virt(ref_pa);
			unsigned int gi = pt_index(GLOBALDATA_BASE, l);

			for (k = l == pt_levels ? KERNEL_HALF_FIRST : 0; k < PT_ENTRIES; k++)
				if (l == 4 && k >= flo && k < fhi && own[k] != ref[k] &&
				    pte_phys(own[k]) == own_pa && pte_phys(ref[k]) == ref_pa)
					continue;       /* the hypervisor's self-map of each L4 (Xen PV) */
				else if (k != gi && (own[k] ^ ref[k]) & ~(PTE_A | PTE_D))
					bad(&c, "cpu %u: L%u slot %u is 0x%016lx, cpu 0 has 0x%016lx (accessed/dirty aside)", i, l, k,
					    (unsigned long)own[k], (unsigned long)ref[k]);
			if (!pte_present(own[gi])) {
				bad(&c, "cpu %u: no globaldata slot in its L%u", i, l);
				break;
			}
			for (j = 0; j < i; j++)
				if (pte_phys(own[gi]) ==
				    pte_phys(pt_virt(gd_table(t[j]->root, l))[gi]))
					bad(&c, "cpus %u and %u share their globaldata L%u 0x%010lx", j,
					    i, l - 1, (unsigned long)pte_phys(own[gi]));
		}
		e = pt_lookup_below(t[i]->root, pt_levels, GLOBALDATA_BASE, &level, NULL);
		if (!pte_present(e) || level != 1 || pte_phys(e) != t[i]->globaldata)
			bad(&c, "cpu %u: globaldata va maps 0x%016lx, want its page 0x%010lx", i,
			    (unsigned long)e, (unsigned long)t[i]->globaldata);
		else if (!(e & PTE_RW) || (mm.cfg.nx && !(e & PTE_NX)))
			bad(&c, "cpu %u: globaldata page is %s", i,
			    !(e & PTE_RW) ? "read-only" : "executable");
		if (ro) {
			/* the CPU's own tables: its root and the globaldata path */
			phys_addr_t p = t[i]->root;

			for (l = pt_levels; l >= 1; l--) {
				check_ro(&c, i, p, l);
				if (l > 1)
					p = pte_phys(pt_virt(p)[pt_index(GLOBALDATA_BASE, l)]);
			}
		}
	}
	return c.vs.n;
}
