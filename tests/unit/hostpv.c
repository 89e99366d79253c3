/*
 * tests/unit/hostpv.c — pv_ops for the host: a recording, native-like
 * backend (see hostenv.h).
 *
 * At every hook it checks:
 *   - batch 0 (brk) is hooked before load_root, every other batch after;
 *   - each table page of the batch belongs to no other batch, is not yet
 *     reachable from the live root (nothing was linked before the hook),
 *     and — for pages from RAM — is mapped by the live direct map at that
 *     moment (hpa's rule: tables come from RAM that is already mapped);
 *   - each link targets an entry of a live table that is still empty, and a
 *     link to a table points into this batch;
 *   - the batch windows follow the start rule's shape: batch 0 ends at
 *     some start point S; each batch lies directly below the previous one,
 *     except once: the first "above" batch, which lies at or above S (as do
 *     all the above batches after it);
 *   - RAM table pages lie below S and move strictly downward from batch to
 *     batch (split tables of the pin hook included);
 * and at load_root / write_pte that only hooked tables become live.  That
 * S is the right start point, that the below batches reach the bottom of
 * RAM and the above ones the top, and that the tables are the highest free
 * pages below S, the checker sees after the build (checker.c: the rule is
 * computed there, independently of mm).
 * With host.pin it then runs the Xen PVH hook's table protection on the
 * batch (paravirt/xen/protect_pvh.c, the kernel's code; design §4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mm/batch.h>
#include <paravirt/ops.h>
#include <paravirt/xen_pvh.h>
#include "hostenv.h"

/* ------------------------------------------------- recording backend --- */

static void mark_live(phys_addr_t t, unsigned int level, uint32_t epoch)
{
	struct host_meta *m = host_meta(t);
	const pte_t *p = host_page(t, false);
	unsigned int i;

	if (!m || !p) {
		host_error("live tree: L%u table 0x%010lx was never written", level,
			   (unsigned long)t);
		return;
	}
	if (m->live_epoch == epoch)
		return;                 /* reported by the checker */
	m->live_epoch = epoch;
	m->live_level = (uint8_t)level;
	if (level == 1)
		return;
	for (i = 0; i < PT_ENTRIES; i++)
		if (pte_present(p[i]) && !pte_is_leaf(p[i], level))
			mark_live(pte_addr(p[i]), level - 1, epoch);
}

static uint32_t last_live_epoch;

static void pin_batch(struct pt_batch *b);

/* The shape of the order (see the top of the file). */
static void check_order(const struct pt_batch *b, struct host_batch *hb)
{
	const struct host_batch *prev = host.nr_batches > 1 ? &host.batch[host.nr_batches - 2] : NULL;
	uint64_t S = host.batch[0].pa_hi;
	unsigned int i;

	/* the pin hook may have added split tables: they count too */
	for (i = 0; i < b->nr_extents; i++) {
		if (b->extents[i].start < hb->table_lo)
			hb->table_lo = b->extents[i].start;
		if (b->extents[i].end - PAGE_SIZE > hb->table_hi)
			hb->table_hi = b->extents[i].end - PAGE_SIZE;
	}
	if (hb->pa_lo >= hb->pa_hi)
		host_error("batch %u: empty window [0x%lx-0x%lx)", b->id, (unsigned long)hb->pa_lo,
			   (unsigned long)hb->pa_hi);
	if (prev && hb->pa_hi != prev->pa_lo) {
		if (host.first_above)
			host_error("batch %u maps [0x%lx-0x%lx), not directly below batch %u's 0x%lx (the above batches began at batch %u)",
				   b->id, (unsigned long)hb->pa_lo, (unsigned long)hb->pa_hi, prev->id,
				   (unsigned long)prev->pa_lo, host.first_above);
		else if (hb->pa_lo < S)
			host_error("batch %u maps [0x%lx-0x%lx), neither directly below batch %u's 0x%lx nor above the start 0x%lx",
				   b->id, (unsigned long)hb->pa_lo, (unsigned long)hb->pa_hi, prev->id,
				   (unsigned long)prev->pa_lo, (unsigned long)S);
		else
			host.first_above = host.nr_batches - 1;
	} else if (host.first_above && hb->pa_lo < S) {
		host_error("above batch %u maps [0x%lx-0x%lx), below the start 0x%lx", b->id,
			   (unsigned long)hb->pa_lo, (unsigned long)hb->pa_hi, (unsigned long)S);
	}
	if (b->source != PT_SRC_RAM || hb->table_lo == UINT64_MAX)
		return;
	if (hb->table_hi >= S)
		host_error("batch %u: table page 0x%lx is not below the start 0x%lx", b->id,
			   (unsigned long)hb->table_hi, (unsigned long)S);
	for (i = host.nr_batches - 1; i-- > 0;) {
		const struct host_batch *p = &host.batch[i];

		if (p->source != PT_SRC_RAM || p->table_lo == UINT64_MAX)
			continue;
		if (hb->table_hi >= p->table_lo)
			host_error("batch %u: table page 0x%lx not below batch %u's 0x%lx", b->id,
				   (unsigned long)hb->table_hi, p->id, (unsigned long)p->table_lo);
		break;
	}
}

static void rec_batch_built(struct pt_batch *b)
{
	struct host_batch *hb;
	uint32_t epoch = host_new_walk_epoch();
	unsigned long n = 0;
	unsigned int i;

	host.hook_calls++;
	b->hook_action = "none";
	b->hook_result = "ok";
	if (host.nr_batches == HOST_BATCHES_MAX) {
		host_error("more than %d batches", HOST_BATCHES_MAX);
		return;
	}
	hb = &host.batch[host.nr_batches];
	memset(hb, 0, sizeof(*hb));
	hb->id = b->id;
	hb->source = b->source;
	hb->pa_lo = b->pa_lo;
	hb->pa_hi = b->pa_hi;
	hb->nr_links = b->nr_links;
	hb->table_lo = UINT64_MAX;
	if (b->id != host.nr_batches)
		host_error("hook %u got batch id %u", host.nr_batches, b->id);
	host.nr_batches++;

	if (b->source == PT_SRC_BRK) {
		if (host.root_loaded)
			host_error("batch %u from brk hooked after the CR3 switch", b->id);
		if (b->id)
			host_error("batch %u from brk is not batch 0", b->id);
	} else if (!host.root_loaded) {
		host_error("batch %u from RAM hooked before the CR3 switch", b->id);
	}
	if (host.root_loaded)
		mark_live(host.root, pt_levels, epoch);
	last_live_epoch = epoch;

	for (i = 0; i < b->nr_extents; i++) {
		const struct mem_range *x = &b->extents[i];
		phys_addr_t pa;

		if ((x->start | x->end) & (PAGE_SIZE - 1) || x->end <= x->start) {
			host_error("batch %u: bad extent [0x%lx-0x%lx)", b->id,
				   (unsigned long)x->start, (unsigned long)x->end);
			continue;
		}
		for (pa = x->start; pa < x->end; pa += PAGE_SIZE) {
			struct host_meta *m = host_meta(pa);
			bool in_brk = pa >= host.image.brk_pa &&
				      pa < host.image.brk_pa + host.image.brk_pages * PAGE_SIZE;

			n++;
			if (pa < hb->table_lo)
				hb->table_lo = pa;
			if (pa > hb->table_hi)
				hb->table_hi = pa;
			if (!m) {
				host_error("batch %u: table page 0x%010lx was never written", b->id,
					   (unsigned long)pa);
				continue;
			}
			if (m->hooked_epoch == host_epoch())
				host_error("batch %u: table page 0x%010lx already belongs to batch %u",
					   b->id, (unsigned long)pa, m->batch);
			if (m->live_epoch == epoch)
				host_error("batch %u: table page 0x%010lx is reachable from CR3 before its hook",
					   b->id, (unsigned long)pa);
			if (b->source == PT_SRC_BRK) {
				if (!in_brk)
					host_error("batch %u: brk batch has page 0x%010lx outside brk",
						   b->id, (unsigned long)pa);
			} else {
				unsigned int level = 0;
				pte_t e;

				if (in_brk)
					host_error("batch %u: RAM batch has brk page 0x%010lx", b->id,
						   (unsigned long)pa);
				e = host.root_loaded ?
				    host_lookup(host.root, DIRECT_MAP_BASE + pa, &level) : 0;
				if (!pte_present(e))
					host_error("batch %u: table page 0x%010lx was not mapped when allocated",
						   b->id, (unsigned long)pa);
			}
			m->hooked_epoch = host_epoch();
			m->batch = b->id;
			host.hooked_pages++;
		}
	}
	hb->nr_tables = n;
	if (n != b->nr_tables)
		host_error("batch %u: extents hold %lu pages, nr_tables says %lu", b->id, n,
			   b->nr_tables);

	for (i = 0; i < b->nr_links; i++) {
		const struct pt_link *l = &b->links[i];
		phys_addr_t spa;
		struct host_meta *m;

		if (!host_pa_of(l->slot, &spa) || !(m = host_meta(spa))) {
			host_error("batch %u: link %u slot %p is not in simulated memory", b->id, i,
				   (void *)l->slot);
			continue;
		}
		if (m->live_epoch != epoch)
			host_error("batch %u: link %u writes into 0x%010lx, not a live table", b->id, i,
				   (unsigned long)spa);
		else if (m->live_level != l->level)
			host_error("batch %u: link %u says L%u, the table is L%u", b->id, i, l->level,
				   m->live_level);
		if (*l->slot == l->val)
			host_error("batch %u: link %u (0x%010lx) was written before the hook", b->id, i,
				   (unsigned long)spa);
		else if (pte_present(*l->slot))
			host_error("batch %u: link %u would overwrite present entry 0x%016lx at 0x%010lx",
				   b->id, i, (unsigned long)*l->slot, (unsigned long)spa);
		if (l->level > 1 && pte_present(l->val) && !pte_is_leaf(l->val, l->level)) {
			struct host_meta *t = host_meta(pte_addr(l->val));

			if (!t || t->hooked_epoch != host_epoch() || t->batch != b->id)
				host_error("batch %u: link %u points to 0x%010lx, not a table of the batch",
					   b->id, i, (unsigned long)pte_addr(l->val));
		}
	}

	if (host.pin)
		pin_batch(b);
	if (!host.after_init)           /* mm_init's batch order only */
		check_order(b, hb);
}

/* ----------------------------------------------------- the pin hook --- */

/*
 * With host.pin the hook is the Xen PVH backend's own table protection
 * (paravirt/xen/protect_pvh.c, linked here as it is into the kernel): its
 * writes come back through rec_write_pte and rec_flush_tlb_one, which
 * count what they see while host.in_hook is set.  The tables it takes for
 * splits belong to the batch: they are marked hooked with it afterwards.
 */
static void pin_batch(struct pt_batch *b)
{
	unsigned int i;
	phys_addr_t pa;

	host.in_hook = true;
	xen_pvh_protect_batch(b);
	host.in_hook = false;
	for (i = 0; i < b->nr_extents; i++)
		for (pa = b->extents[i].start; pa < b->extents[i].end; pa += PAGE_SIZE) {
			struct host_meta *m = host_meta(pa);

			if (m && m->hooked_epoch != host_epoch()) {
				m->hooked_epoch = host_epoch();
				m->batch = b->id;
				host.hooked_pages++;
				host.pin_split_tables++;
			}
		}
}

/* A store of the pin hook into a table: a split (a large leaf replaced by
 * a table) or a leaf losing RW; anything else is an error. */
static void hook_write(pte_t *ptep, pte_t val, phys_addr_t spa)
{
	pte_t old = *ptep;

	if (pte_present(old) && (old & PTE_PS) && pte_present(val) && !(val & PTE_PS))
		host.pin_splits++;
	else if (pte_present(old) && (old & PTE_RW) && val == (old & ~PTE_RW))
		host.pin_ro_entries++;
	else
		host_error("pin hook: write_pte(0x%010lx, 0x%016lx) over 0x%016lx is neither a split nor a read-only change",
			   (unsigned long)spa, (unsigned long)val, (unsigned long)old);
	*(volatile pte_t *)ptep = val;
}

static void rec_write_pte(pte_t *ptep, pte_t val)
{
	phys_addr_t spa;
	struct host_meta *m;

	if (!host_pa_of(ptep, &spa) || !(m = host_meta(spa))) {
		host_error("write_pte(%p): not a simulated page", (void *)ptep);
		return;
	}
	if (host.in_hook) {             /* the pin hook's own (counted there) */
		hook_write(ptep, val, spa);
		return;
	}
	host.write_pte_calls++;
	if (m->hooked_epoch != host_epoch())
		host_error("write_pte into 0x%010lx, not a table of a hooked batch",
			   (unsigned long)spa);
	if (!host.root_loaded)
		host_error("write_pte into 0x%010lx before the CR3 switch", (unsigned long)spa);
	if (m->live_epoch == last_live_epoch && m->live_level > 1 && pte_present(val) &&
	    !pte_is_leaf(val, m->live_level)) {
		struct host_meta *t = host_meta(pte_addr(val));

		if (!t || t->hooked_epoch != host_epoch())
			host_error("write_pte links 0x%010lx, a table that was not hooked",
				   (unsigned long)pte_addr(val));
	}
	*(volatile pte_t *)ptep = val;
	if (host.nr_batches)
		host.batch[host.nr_batches - 1].links_written++;
}

static void rec_load_root(phys_addr_t root)
{
	struct host_meta *m = host_meta(root);

	host.load_root_calls++;
	if (host.load_root_calls > 1)
		host_error("load_root called %lu times", host.load_root_calls);
	if (!m || m->hooked_epoch != host_epoch())
		host_error("load_root(0x%010lx): root was not hooked", (unsigned long)root);
	host.root = root;
	host.root_loaded = true;
}

static void rec_flush_tlb_one(uint64_t va)
{
	if (host.in_hook)
		host.pin_flushes++;
	else
		host.flush_calls++;
}

static void rec_table_released(phys_addr_t pa)
{
	host.released_calls++;
}

static void host_console_write(const char *s, size_t n)
{
	host_out_append(s, n);
}

__attribute__((noreturn))
static void host_stop(enum stop_code code)
{
	fprintf(stderr, "hostenv: platform_stop(%d)\n", code);
	abort();
}

static int host_memory_map(struct boot_info *bi)
{
	return -1;
}

static pte_t host_make_pte(phys_addr_t pa, pte_t flags)
{
	return pa | flags;
}

static phys_addr_t host_pte_phys(pte_t e)
{
	return pte_addr(e);
}

/*
 * fill_leaves: what make_pte gives, entry by entry, but as one run, checking
 * what the contract in <paravirt/ops.h> promises: a run of at most one
 * table page, into a page of no hooked batch, onto empty entries (or into
 * mm's own one-entry buffer, for a link's value); page-aligned frames and
 * flags without address bits.
 */
static void host_fill_leaves(pte_t *dst, phys_addr_t pa, unsigned int n, uint64_t step,
			     pte_t flags)
{
	phys_addr_t dpa;
	unsigned int k;

	if ((pa | step) & (PAGE_SIZE - 1) || flags & PTE_ADDR_MASK || !(flags & PTE_P))
		host_error("fill_leaves(pa 0x%lx, step 0x%lx, flags 0x%lx): bad frame or flags",
			   (unsigned long)pa, (unsigned long)step, (unsigned long)flags);
	if (host_pa_of(dst, &dpa)) {
		struct host_meta *m = host_meta(dpa);

		if (!n || (dpa & (PAGE_SIZE - 1)) + n * sizeof(pte_t) > PAGE_SIZE)
			host_error("fill_leaves: %u entries at 0x%010lx leave the table page", n,
				   (unsigned long)dpa);
		else if (m && m->hooked_epoch == host_epoch())
			host_error("fill_leaves into 0x%010lx, a table of a hooked batch",
				   (unsigned long)dpa);
		for (k = 0; k < n; k++)
			if (pte_present(dst[k]))
				host_error("fill_leaves over present entry 0x%016lx",
					   (unsigned long)dst[k]);
	} else if (n != 1) {
		host_error("fill_leaves: %u entries into a buffer outside the tables", n);
	}
	host.fill_calls++;
	for (k = 0; k < n; k++)
		dst[k] = host_make_pte(pa + k * step, flags);
}

static void host_lazy_nop(void)
{
}

static unsigned long host_check(void)
{
	return 0;
}

struct paravirt_ops pv_ops = {
	.name = "host-rec",
	.mmu = {
		.batch_built = rec_batch_built,
		.write_pte = rec_write_pte,
		.load_root = rec_load_root,
		.flush_tlb_one = rec_flush_tlb_one,
		.table_released = rec_table_released,
		.make_pte = host_make_pte,
		.pte_phys = host_pte_phys,
		.fill_leaves = host_fill_leaves,
		.lazy_begin = host_lazy_nop,
		.lazy_end = host_lazy_nop,
		.check = host_check,
		.max_level = 3,
		.tables_readonly = false,
	},
	.console = {
		.write = host_console_write,
	},
	.platform = {
		.stop = host_stop,
		.memory_map = host_memory_map,
	},
};

void host_backend_name(const char *name)
{
	pv_ops.name = name;
}
