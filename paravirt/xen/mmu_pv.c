/*
 * mmu_pv.c — Xen PV page tables: frames, pinning, mmu_update (design §4).
 *
 * On PV every entry of a hardware table holds a machine frame, and Xen
 * validates every page that becomes a table: it must have no writable
 * mapping anywhere, and from then on it is typed (L1..L4) and may be
 * written only through the hypervisor.  hpa's hook does exactly that:
 *
 *   step 3 (batch 0, brk): its tables are still private, so the hook clears
 *     RW with plain stores where the new tree maps them (image and direct
 *     map) and where it maps the bootstrap tables (Xen-typed); then one
 *     multicall makes them read-only in the builder's bootstrap mapping
 *     (update_va_mapping, one entry per page) and pins them all
 *     (one mmuext_op entry with every MMUEXT_PIN_Ln_TABLE, L1s first).
 *   step 4: MMUEXT_NEW_BASEPTR, then MMUEXT_UNPIN_TABLE of the builder's
 *     L4: Xen drops the type of every bootstrap table; they are plain RAM.
 *   step 6 (every later batch): one multicall — an mmu_update clearing RW
 *     in the live direct map for each new table page, and an mmuext_op
 *     pinning them — then the links, queued between lazy_begin and lazy_end
 *     and sent as one mmu_update.
 *   later write_pte: mmu_update (queued while lazy).
 *
 * Each table page is thus validated exactly once (a "status flip",
 * writable -> Ln); the bootstrap tables flip back once.  Every hypercall's
 * result, and every multicall entry's, is checked: a refusal is a PANIC
 * naming the operation, the frame and Xen's return code.
 */
#include <arch/cpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>
#include <paravirt/xen_pv.h>
#include "internal.h"

#define XENPV_REQ_MAX       2048        /* requests per hypercall (buffers) */
/* Fixmap slots after step 4: the ring in slot 0 (as on PVH); the p2m in
 * the topmost slots, clear of the low ones others use (the LAPIC's and the
 * screen's, never on PV: no LAPIC is probed and no screen is described). */
#define FIX_XENPV_CONSOLE   0
#define FIX_XENPV_LOW_USED  2           /* slots below this are not the p2m's */

/* Counters: per batch (reset by the hook) and for the whole run. */
struct xenpv_counts {
	unsigned long tables, pins, flips, unflips, ro_updates;
	unsigned long hypercalls, multicall_entries, mmu_update_reqs;
};

static struct xenpv_counts batch_cnt, total_cnt;

static struct mmu_update mmu_req[XENPV_REQ_MAX];
static unsigned int nr_mmu_req;
static struct mmuext_op ext_op[XENPV_REQ_MAX];
static unsigned int nr_ext_op;
static struct multicall_entry mc[XENPV_REQ_MAX + 2];
static unsigned int nr_mc;
static bool lazy;
static uint64_t root_mfn;               /* what CR3 holds */
static unsigned long pin_failures_seen; /* never nonzero: a refusal panics */

/* Tables of the batch being hooked, in pin order (children first). */
static struct { phys_addr_t pa; unsigned int level; } hooked[XENPV_REQ_MAX];
static unsigned int nr_hooked;

static void count(unsigned long *field, unsigned long n)
{
	field[0] += n;
	/* same offset in total_cnt */
	((unsigned long *)&total_cnt)[field - (unsigned long *)&batch_cnt] += n;
}

#define COUNT(f, n) count(&batch_cnt.f, (n))

/* ------------------------------------------------------------- frames */

uint64_t xen_pv_pfn_to_mfn(uint64_t pfn, const char *func)
{
	if (pfn >= xen_pv.nr_pages)
		panic_at(func, "pfn 0x%lx has no machine frame (nr_pages=%lu)", (unsigned long)pfn,
			 xen_pv.nr_pages);
	return xen_pv.p2m[pfn];
}

uint64_t xen_pv_mfn_to_pfn(uint64_t mfn)
{
	uint64_t pfn;

	if (mfn >= MACH2PHYS_NR_ENTRIES)
		return XEN_PV_NO_PFN;
	pfn = machine_to_phys_mapping[mfn];
	if (pfn >= xen_pv.nr_pages || xen_pv.p2m[pfn] != mfn)
		return XEN_PV_NO_PFN;            /* not ours (Xen's, or foreign) */
	return pfn;
}

static uint64_t virt_to_pa(const void *p, const char *func)
{
	uint64_t va = (uint64_t)p;

	if (va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < DIRECT_MAP_SIZE)
		return va - DIRECT_MAP_BASE;
	if (va >= KERNEL_VMA)
		return va - KERNEL_VMA;
	panic_at(func, "va 0x%016lx is neither in the image nor in the direct map",
		 (unsigned long)va);
}

uint64_t xen_pv_virt_to_mfn(const void *p, const char *func)
{
	return xen_pv_pfn_to_mfn(virt_to_pa(p, func) >> PAGE_SHIFT, func);
}

static uint64_t virt_to_maddr(const void *p, const char *func)
{
	return (xen_pv_virt_to_mfn(p, func) << PAGE_SHIFT) | ((uint64_t)p & (PAGE_SIZE - 1));
}

static pte_t xen_pv_make_pte(phys_addr_t pa, pte_t flags)
{
	return (xen_pv_pfn_to_mfn(pa >> PAGE_SHIFT, __func__) << PAGE_SHIFT) | flags;
}

/* make_pte for a run of leaves (mm's hot loop): one p2m read per entry,
 * no call; the run's last frame is checked once. */
static void xen_pv_fill_leaves(pte_t *dst, phys_addr_t pa, unsigned int n, uint64_t step,
			      pte_t flags)
{
	uint64_t pfn = pa >> PAGE_SHIFT, k;

	if (!n)
		return;
	if (step != PAGE_SIZE) {
		for (; n; n--, pa += step)
			*dst++ = xen_pv_make_pte(pa, flags);
		return;
	}
	xen_pv_pfn_to_mfn(pfn + n - 1, __func__);  /* panics past nr_pages */
	for (k = 0; k < n; k++)
		dst[k] = (xen_pv.p2m[pfn + k] << PAGE_SHIFT) | flags;
}

static phys_addr_t xen_pv_pte_phys(pte_t e)
{
	uint64_t pfn = xen_pv_mfn_to_pfn(pte_addr(e) >> PAGE_SHIFT);

	return pfn == XEN_PV_NO_PFN ? PTE_ADDR_MASK : pfn << PAGE_SHIFT;
}

/* ---------------------------------------------------------- hypercalls */

static void mmu_update_flush(const char *func)
{
	unsigned int done = 0, n = nr_mmu_req;
	long rc;

	if (!n)
		return;
	nr_mmu_req = 0;
	rc = HYPERVISOR_mmu_update(mmu_req, n, &done, DOMID_SELF);
	COUNT(hypercalls, 1);
	COUNT(mmu_update_reqs, n);
	if (rc || done != n) {
		const struct mmu_update *r = &mmu_req[done < n ? done : n - 1];

		panic_at(func, "mmu_update mfn=0x%lx ptr=0x%lx val=0x%016lx rc=%ld (request %u of %u)",
			 (unsigned long)(r->ptr >> PAGE_SHIFT), (unsigned long)r->ptr,
			 (unsigned long)r->val, rc, done + 1, n);
	}
}

static void mmu_update_queue(pte_t *ptep, pte_t val, const char *func)
{
	if (nr_mmu_req == XENPV_REQ_MAX)
		mmu_update_flush(func);
	mmu_req[nr_mmu_req].ptr = virt_to_maddr(ptep, func) | MMU_NORMAL_PT_UPDATE;
	mmu_req[nr_mmu_req].val = val;
	nr_mmu_req++;
}

static const char *ext_name(unsigned int cmd)
{
	switch (cmd) {
	case MMUEXT_PIN_L1_TABLE: return "MMUEXT_PIN_L1_TABLE";
	case MMUEXT_PIN_L2_TABLE: return "MMUEXT_PIN_L2_TABLE";
	case MMUEXT_PIN_L3_TABLE: return "MMUEXT_PIN_L3_TABLE";
	case MMUEXT_PIN_L4_TABLE: return "MMUEXT_PIN_L4_TABLE";
	case MMUEXT_UNPIN_TABLE: return "MMUEXT_UNPIN_TABLE";
	case MMUEXT_NEW_BASEPTR: return "MMUEXT_NEW_BASEPTR";
	}
	return "mmuext_op";
}

/* One mmuext_op hypercall (outside a multicall). */
static void mmuext_one(unsigned int cmd, uint64_t mfn, const char *func)
{
	struct mmuext_op op = { .cmd = cmd };
	unsigned int done = 0;
	long rc;

	op.arg1.mfn = mfn;
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	COUNT(hypercalls, 1);
	if (rc || done != 1)
		panic_at(func, "%s mfn=0x%lx rc=%ld", ext_name(cmd), (unsigned long)mfn, rc);
}

static void mc_add(unsigned long op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct multicall_entry *e = &mc[nr_mc++];

	memset(e, 0, sizeof(*e));
	e->op = op;
	e->args[0] = a0;
	e->args[1] = a1;
	e->args[2] = a2;
	e->args[3] = a3;
}

/*
 * Issue the multicall: the update_va_mapping entries already queued in mc,
 * then the queued mmu_update requests as one entry, then the queued
 * mmuext_ops as one entry.  Every entry's result is checked.
 */
static void multicall_flush(const char *func)
{
	static unsigned int mmu_done, ext_done;
	unsigned int n_mmu = nr_mmu_req, n_ext = nr_ext_op, i;
	long rc;

	mmu_done = ext_done = 0;
	if (n_mmu)
		mc_add(__HYPERVISOR_mmu_update, (uint64_t)mmu_req, n_mmu, (uint64_t)&mmu_done,
		       DOMID_SELF);
	if (n_ext)
		mc_add(__HYPERVISOR_mmuext_op, (uint64_t)ext_op, n_ext, (uint64_t)&ext_done,
		       DOMID_SELF);
	if (!nr_mc)
		return;
	rc = HYPERVISOR_multicall(mc, nr_mc);
	COUNT(hypercalls, 1);
	COUNT(multicall_entries, nr_mc);
	COUNT(mmu_update_reqs, n_mmu);
	if (rc)
		panic_at(func, "multicall of %u entries rc=%ld", nr_mc, rc);
	for (i = 0; i < nr_mc; i++) {
		const struct multicall_entry *e = &mc[i];
		long r = (long)e->result;

		if (e->op == __HYPERVISOR_update_va_mapping && r)
			panic_at(func, "update_va_mapping va=0x%016lx mfn=0x%lx rc=%ld (multicall entry %u of %u)",
				 (unsigned long)e->args[0], (unsigned long)(pte_addr(e->args[1]) >> PAGE_SHIFT),
				 r, i + 1, nr_mc);
		if (e->op == __HYPERVISOR_mmu_update && (r || mmu_done != n_mmu)) {
			const struct mmu_update *q = &mmu_req[mmu_done < n_mmu ? mmu_done : n_mmu - 1];

			panic_at(func, "mmu_update mfn=0x%lx ptr=0x%lx val=0x%016lx rc=%ld (request %u of %u)",
				 (unsigned long)(q->ptr >> PAGE_SHIFT), (unsigned long)q->ptr,
				 (unsigned long)q->val, r, mmu_done + 1, n_mmu);
		}
		if (e->op == __HYPERVISOR_mmuext_op && (r || ext_done != n_ext)) {
			const struct mmuext_op *o = &ext_op[ext_done < n_ext ? ext_done : n_ext - 1];

			pin_failures_seen++;
			panic_at(func, "%s mfn=0x%lx rc=%ld (op %u of %u)", ext_name(o->cmd),
				 (unsigned long)o->arg1.mfn, r, ext_done + 1, n_ext);
		}
	}
	nr_mc = nr_mmu_req = nr_ext_op = 0;
}

/* ------------------------------------------------------------ write_pte */

static void xen_pv_write_pte(pte_t *ptep, pte_t val)
{
	mmu_update_queue(ptep, val, __func__);
	if (!lazy)
		mmu_update_flush(__func__);
}

static void xen_pv_lazy_begin(void)
{
	lazy = true;
}

static unsigned int link_batch_id;

static void xen_pv_lazy_end(void)
{
	unsigned long h = batch_cnt.hypercalls, q = batch_cnt.mmu_update_reqs, n = nr_mmu_req;

	lazy = false;
	mmu_update_flush(__func__);
	if (n)
		trace("xenpv link id=%u mmu_update_reqs=%lu hypercalls=%lu", link_batch_id,
		      batch_cnt.mmu_update_reqs - q, batch_cnt.hypercalls - h);
}

static void xen_pv_flush_tlb_one(uint64_t va)
{
	struct mmuext_op op = { .cmd = MMUEXT_INVLPG_LOCAL };
	unsigned int done = 0;
	long rc;

	op.arg1.linear_addr = va;
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	COUNT(hypercalls, 1);
	if (rc || done != 1)
		panic("MMUEXT_INVLPG_LOCAL va=0x%016lx rc=%ld", (unsigned long)va, rc);
}

/* ----------------------------------------------------------------- hook */

static bool in_batch(const struct pt_batch *b, phys_addr_t pa)
{
	unsigned int i;

	for (i = 0; i < b->nr_extents; i++)
		if (pa >= b->extents[i].start && pa < b->extents[i].end)
			return true;
	return false;
}

/* Collect the batch's tables under t (a table of `level`), children first. */
static void collect(const struct pt_batch *b, phys_addr_t t, unsigned int level)
{
	const pte_t *p = pt_page(t);
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < PT_ENTRIES; i++) {
			pte_t e = p[i];

			if (level == PT_LEVELS && i >= mm.cfg.foreign_l4_lo && i < mm.cfg.foreign_l4_hi)
				continue;
			if (!pte_present(e) || (e & PTE_PS))
				continue;
			if (in_batch(b, xen_pv_pte_phys(e)))
				collect(b, xen_pv_pte_phys(e), level - 1);
		}
	}
	if (nr_hooked == XENPV_REQ_MAX)
		panic("batch %u has more than %d tables (raise XENPV_REQ_MAX)", b->id, XENPV_REQ_MAX);
	hooked[nr_hooked].pa = t;
	hooked[nr_hooked].level = level;
	nr_hooked++;
}

static void collect_sorted(const struct pt_batch *b)
{
	unsigned int i;

	nr_hooked = 0;
	if (b->source == PT_SRC_BRK) {
		collect(b, mm.root, PT_LEVELS);
	} else {
		for (i = 0; i < b->nr_links; i++) {
			const struct pt_link *l = &b->links[i];

			if (l->level > 1 && !(l->val & PTE_PS) && in_batch(b, xen_pv_pte_phys(l->val)))
				collect(b, xen_pv_pte_phys(l->val), l->level - 1);
		}
	}
	if (nr_hooked != b->nr_tables)
		panic("batch %u: %u tables reachable from the batch, %lu allocated", b->id,
		      nr_hooked, b->nr_tables);
}

static void xen_pv_queue_pins(void)
{
	unsigned int i;

	for (i = 0; i < nr_hooked; i++) {
		struct mmuext_op *o = &ext_op[nr_ext_op++];

		memset(o, 0, sizeof(*o));
		o->cmd = MMUEXT_PIN_L1_TABLE + hooked[i].level - 1;
		o->arg1.mfn = xen_pv_pfn_to_mfn(hooked[i].pa >> PAGE_SHIFT, __func__);
	}
	COUNT(pins, nr_hooked);
	COUNT(flips, nr_hooked);
}

/* A plain store clearing RW where the (still private) new tree maps va. */
static unsigned long private_ro(uint64_t va)
{
	unsigned int level;
	pte_t *slot;
	pte_t e = pt_lookup(va, &level, &slot);

	if (!pte_present(e) || !(e & PTE_RW))
		return 0;
	if (level != 1)
		panic("va 0x%016lx is mapped by a %s page on Xen PV", (unsigned long)va,
		      page_size_name(level));
	*slot = e & ~PTE_RW;
	return 1;
}

static void xen_pv_hook_brk(struct pt_batch *b)
{
	unsigned int i;
	unsigned long ro = 0;

	/* 1. the new tree, still private: plain stores */
	for (i = 0; i < nr_hooked; i++) {
		ro += private_ro(KERNEL_VMA + hooked[i].pa);
		ro += private_ro(DIRECT_MAP_BASE + hooked[i].pa);
	}
	for (i = 0; i < xen_pv.boot_pt_frames; i++)
		ro += private_ro(DIRECT_MAP_BASE + xen_pv.boot_pt_pa + i * PAGE_SIZE);
	b->hook_ro_entries += ro;
	/* 2. the builder's mapping of each page, read-only, then the pins */
	for (i = 0; i < nr_hooked; i++) {
		phys_addr_t pa = hooked[i].pa;

		mc_add(__HYPERVISOR_update_va_mapping, KERNEL_VMA + pa,
		       xen_pv_make_pte(pa, PTE_P | (mm.cfg.nx ? PTE_NX : 0)), UVMF_INVLPG, 0);
	}
	COUNT(ro_updates, nr_hooked);
	xen_pv_queue_pins();
	multicall_flush(__func__);
}

static void xen_pv_hook_ram(struct pt_batch *b)
{
	unsigned int i, level;

	for (i = 0; i < nr_hooked; i++) {
		uint64_t va = DIRECT_MAP_BASE + hooked[i].pa;
		pte_t *slot;
		pte_t e = pt_lookup(va, &level, &slot);

		if (!pte_present(e) || level != 1)
			panic("batch %u: table 0x%010lx is not mapped by a 4 KiB page of the direct map",
			      b->id, (unsigned long)hooked[i].pa);
		if (!(e & PTE_RW))
			continue;
		mmu_update_queue(slot, e & ~PTE_RW, __func__);
	}
	b->hook_ro_entries += nr_mmu_req;
	COUNT(ro_updates, nr_mmu_req);
	xen_pv_queue_pins();
	multicall_flush(__func__);
}

static void xen_pv_batch_built(struct pt_batch *b)
{
	memset(&batch_cnt, 0, sizeof(batch_cnt));
	collect_sorted(b);
	COUNT(tables, nr_hooked);
	if (b->source == PT_SRC_BRK)
		xen_pv_hook_brk(b);
	else
		xen_pv_hook_ram(b);
	link_batch_id = b->id;
	b->hook_action = "pin";
	b->hook_result = "ok";
	trace("xenpv hook id=%u tables=%lu pins=%lu flips=%lu ro_updates=%lu hypercalls=%lu multicall_entries=%lu mmu_update_reqs=%lu",
	      b->id, batch_cnt.tables, batch_cnt.pins, batch_cnt.flips, batch_cnt.ro_updates,
	      batch_cnt.hypercalls, batch_cnt.multicall_entries, batch_cnt.mmu_update_reqs);
}

/* --------------------------------------------------------------- step 4 */

/* After the switch only the image and what the new tree maps are
 * reachable: the console ring and the p2m go to the fixmap (the direct map
 * reaches them only when the last batch maps low RAM). */
static void xen_pv_load_root(phys_addr_t root)
{
	phys_addr_t p2m_pa = (uint64_t)xen_pv.p2m - KERNEL_VMA;
	unsigned long p2m_pages = (xen_pv.nr_pages * sizeof(xen_pfn_t) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t ring_mfn = xen_pv.si->console.domU.mfn;
	uint32_t ring_evtchn = xen_pv.si->console.domU.evtchn;
	phys_addr_t ring_pa = xen_pv_mfn_to_pfn(ring_mfn) << PAGE_SHIFT;
	unsigned long i, h0 = total_cnt.hypercalls, q0 = total_cnt.mmu_update_reqs;

	memset(&batch_cnt, 0, sizeof(batch_cnt));
	unsigned int fix_p2m = FIXMAP_SLOTS - p2m_pages;

	if (p2m_pages > FIXMAP_SLOTS - FIX_XENPV_LOW_USED)
		panic("p2m list of %lu pages does not fit the fixmap (%d slots): guest RAM above %lu MiB",
		      p2m_pages, FIXMAP_SLOTS - FIX_XENPV_LOW_USED,
		      (unsigned long)((FIXMAP_SLOTS - FIX_XENPV_LOW_USED) * (PAGE_SIZE / sizeof(xen_pfn_t)) *
				      PAGE_SIZE >> 20));
	mmu_lazy_begin();
	fixmap_set(FIX_XENPV_CONSOLE, ring_pa, true);
	for (i = 0; i < p2m_pages; i++)
		fixmap_set(fix_p2m + i, (p2m_pa & ~(PAGE_SIZE - 1)) + i * PAGE_SIZE, false);
	lazy = false;
	mmu_update_flush(__func__);

	mmuext_one(MMUEXT_NEW_BASEPTR, xen_pv_pfn_to_mfn(root >> PAGE_SHIFT, __func__),
		   __func__);
	/* Nothing of the bootstrap region is reachable now but through these: */
	xen_pv.p2m = (const xen_pfn_t *)(fixmap_addr(fix_p2m) + (p2m_pa & (PAGE_SIZE - 1)));
	xen_pv.si = NULL;
	xen_console_attach((volatile void *)fixmap_addr(FIX_XENPV_CONSOLE), ring_evtchn);
	root_mfn = xen_pv_pfn_to_mfn(root >> PAGE_SHIFT, __func__);

	/* The builder's tables: unpin, and Xen drops their type (L4 to L1). */
	mmuext_one(MMUEXT_UNPIN_TABLE, xen_pv.boot_l4_mfn, __func__);
	COUNT(unflips, xen_pv.boot_pt_frames);
	/* Where the new tree maps them already, they are writable RAM again. */
	mmu_lazy_begin();
	for (i = 0; i < xen_pv.boot_pt_frames; i++) {
		uint64_t va = DIRECT_MAP_BASE + xen_pv.boot_pt_pa + i * PAGE_SIZE;
		unsigned int level;
		pte_t *slot;
		pte_t e = pt_lookup(va, &level, &slot);

		if (pte_present(e))
			write_pte(slot, e | PTE_RW);
	}
	lazy = false;
	mmu_update_flush(__func__);
	trace("xenpv cr3 step=4 new_baseptr_mfn=0x%lx unpinned_boot_l4_mfn=0x%lx boot_tables_released=%lu fixmap_pages=%lu hypercalls=%lu mmu_update_reqs=%lu",
	      (unsigned long)root_mfn, (unsigned long)xen_pv.boot_l4_mfn, xen_pv.boot_pt_frames,
	      1 + p2m_pages, total_cnt.hypercalls - h0, total_cnt.mmu_update_reqs - q0);
}

static uint64_t xen_pv_read_cr3(void)
{
	uint64_t mfn = root_mfn ? root_mfn : xen_pv.boot_l4_mfn;
	uint64_t pfn = xen_pv_mfn_to_pfn(mfn);

	return pfn == XEN_PV_NO_PFN ? mfn << PAGE_SHIFT : pfn << PAGE_SHIFT;
}

/* ----------------------------------------------------------- self-check */

/*
 * The pins above mean something only if Xen validates: ask it to pin a
 * page that is still writable (a zeroed page of .bss, mapped RW by the
 * image and the direct map).  Xen must refuse; if it accepted, the run
 * could not tell a validated table from a recorded one.  Not counted in
 * the hook's figures.
 */
static unsigned long probe_refusal(void)
{
	static uint8_t page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE };
	unsigned int done = 0;
	long rc;

	op.arg1.mfn = xen_pv_virt_to_mfn(page, __func__);
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	printk("xen-pv: probe: MMUEXT_PIN_L1_TABLE on a writable page mfn=0x%lx -> rc=%ld (%s)\n",
	       (unsigned long)op.arg1.mfn, rc, rc ? "refused, as Xen must" : "ACCEPTED: pins are not validated");
	trace("xenpv probe op=MMUEXT_PIN_L1_TABLE page=writable mfn=0x%lx rc=%ld", (unsigned long)op.arg1.mfn, rc);
	if (rc)
		return 0;
	mmuext_one(MMUEXT_UNPIN_TABLE, op.arg1.mfn, __func__);
	printk("selfcheck: VIOLATION: Xen pinned a writable page as an L1 table\n");
	return 1;
}

static unsigned long xen_pv_check(void)
{
	unsigned long v = 0, expect = mm.tables;

	if (total_cnt.pins != expect) {
		printk("selfcheck: VIOLATION: xen-pv pinned %lu table pages, mm built %lu\n",
		       total_cnt.pins, expect);
		v++;
	}
	if (total_cnt.flips != expect) {
		printk("selfcheck: VIOLATION: xen-pv flipped %lu table pages, mm built %lu\n",
		       total_cnt.flips, expect);
		v++;
	}
	if (pin_failures_seen)
		v++;
	v += probe_refusal();
	printk("xen-pv: summary tables=%lu pins=%lu (all accepted) flips=%lu (+%lu bootstrap tables released) ro_updates=%lu hypercalls=%lu multicall_entries=%lu mmu_update_reqs=%lu batches=%lu\n",
	       total_cnt.tables, total_cnt.pins, total_cnt.flips, total_cnt.unflips,
	       total_cnt.ro_updates, total_cnt.hypercalls, total_cnt.multicall_entries,
	       total_cnt.mmu_update_reqs, mm.batches);
	printk("xen-pv: status flips: %lu for %lu table pages (one each: the minimum) + %lu bootstrap tables back to writable; hypercalls: %lu, Linux PV would make %lu for these tables (3 per L1, 2 per L2/L3)\n",
	       total_cnt.flips, expect, total_cnt.unflips, total_cnt.hypercalls,
	       3 * mm.tables_at[1] + 2 * (mm.tables_at[2] + mm.tables_at[3]));
	trace("xenpv summary tables=%lu pins=%lu flips=%lu unflips=%lu ro_updates=%lu hypercalls=%lu multicall_entries=%lu mmu_update_reqs=%lu violations=%lu",
	      total_cnt.tables, total_cnt.pins, total_cnt.flips, total_cnt.unflips,
	      total_cnt.ro_updates, total_cnt.hypercalls, total_cnt.multicall_entries,
	      total_cnt.mmu_update_reqs, v);
	return v;
}

void xen_pv_mmu_install(void)
{
	pv_ops.mmu.batch_built = xen_pv_batch_built;
	pv_ops.mmu.write_pte = xen_pv_write_pte;
	pv_ops.mmu.load_root = xen_pv_load_root;
	pv_ops.mmu.flush_tlb_one = xen_pv_flush_tlb_one;
	pv_ops.mmu.make_pte = xen_pv_make_pte;
	pv_ops.mmu.fill_leaves = xen_pv_fill_leaves;
	pv_ops.mmu.pte_phys = xen_pv_pte_phys;
	pv_ops.mmu.lazy_begin = xen_pv_lazy_begin;
	pv_ops.mmu.lazy_end = xen_pv_lazy_end;
	pv_ops.mmu.check = xen_pv_check;
	pv_ops.mmu.max_level = 1;               /* PV: no superpages */
	pv_ops.mmu.foreign_l4_lo = 256;         /* Xen's slots, 0xffff800000000000- */
	pv_ops.mmu.foreign_l4_hi = 272;         /* 0xffff87ffffffffff */
	pv_ops.mmu.tables_readonly = true;
	pv_ops.mmu.hook_reserve_pages = 0;      /* the hook takes no pages: nothing to split */
	/* A PV guest kernel runs in ring 3 itself; its user mode would run on a
	 * second root given with MMUEXT_NEW_USER_BASEPTR (docs/smp-and-user.md),
	 * which topdown does not build. */
	pv_ops.mmu.user_unsupported = "the PV guest kernel runs in ring 3; user mode needs a separate user root (MMUEXT_NEW_USER_BASEPTR), not built";
	pv_ops.cpu.read_cr3 = xen_pv_read_cr3;
}
