/*
 * mmu_pv.c — Xen PV page tables: frames, mmu_update, the CR3 switch and
 * the backend's account (design §4.1, docs/xen-pv.md).
 *
 * On PV every entry of a hardware table holds a machine frame, and Xen
 * validates every page that becomes a table: it must have no writable
 * mapping anywhere, and from then on it is typed (L1..L4) and may be
 * written only through the hypervisor.  This file turns frames (the p2m),
 * writes live entries (mmu_update, queued while lazy), switches CR3 and
 * keeps the counts; the hook of steps 3 and 6 is in pin_pv.c, the
 * bootstrap region and the published p2m in p2m_pv.c.
 *
 * Counts are taken where Xen's answer comes back, never from what was
 * queued: a request counts once Xen reports it done (the `done` output of
 * mmu_update and mmuext_op, the `result` of a multicall entry).  Any
 * refusal ends the run: "PANIC: <func>: <op> mfn=0x... (...) rc=...".
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

#define WRITE_QUEUE_MAX     512         /* write_pte requests per mmu_update */

struct xen_pv_counts xen_pv_batch, xen_pv_total;

static struct mmu_update write_queue[WRITE_QUEUE_MAX];
static unsigned int nr_queued;
static bool lazy;
static uint64_t root_mfn;               /* what CR3 holds */

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

uint64_t xen_pv_virt_to_maddr(const void *p, const char *func)
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

/*
 * Send the queued write_pte requests as one mmu_update.  Returns how many
 * Xen reports done (all of them: anything less is a refusal, and panics
 * naming the refused request).
 */
unsigned int xen_pv_write_flush(const char *func)
{
	unsigned int done = 0, n = nr_queued;
	long rc;

	if (!n)
		return 0;
	nr_queued = 0;
	rc = HYPERVISOR_mmu_update(write_queue, n, &done, DOMID_SELF);
	XEN_PV_COUNT(hypercalls, 1);
	XEN_PV_COUNT(mmu_update_reqs, done);
	if (rc) {
		const struct mmu_update *r = &write_queue[done < n ? done : n - 1];

		panic_at(func, "mmu_update mfn=0x%lx (the table holding the entry; new entry 0x%016lx) rc=%ld (request %u of %u)",
			 (unsigned long)(r->ptr >> PAGE_SHIFT), (unsigned long)r->val, rc, done + 1, n);
	}
	return done;
}

void xen_pv_write_queue(pte_t *ptep, pte_t val, const char *func)
{
	if (nr_queued == WRITE_QUEUE_MAX)
		xen_pv_write_flush(func);
	write_queue[nr_queued].ptr = xen_pv_virt_to_maddr(ptep, func) | MMU_NORMAL_PT_UPDATE;
	write_queue[nr_queued].val = val;
	nr_queued++;
}

const char *xen_pv_ext_name(unsigned int cmd)
{
	switch (cmd) {
	case MMUEXT_PIN_L1_TABLE: return "MMUEXT_PIN_L1_TABLE";
	case MMUEXT_PIN_L2_TABLE: return "MMUEXT_PIN_L2_TABLE";
	case MMUEXT_PIN_L3_TABLE: return "MMUEXT_PIN_L3_TABLE";
	case MMUEXT_PIN_L4_TABLE: return "MMUEXT_PIN_L4_TABLE";
	case MMUEXT_UNPIN_TABLE: return "MMUEXT_UNPIN_TABLE";
	case MMUEXT_NEW_BASEPTR: return "MMUEXT_NEW_BASEPTR";
	case MMUEXT_INVLPG_LOCAL: return "MMUEXT_INVLPG_LOCAL";
	case MMUEXT_NEW_USER_BASEPTR: return "MMUEXT_NEW_USER_BASEPTR";
	case MMUEXT_TLB_FLUSH_LOCAL: return "MMUEXT_TLB_FLUSH_LOCAL";
	}
	return "mmuext_op";
}

/* One mmuext_op outside a multicall, counted as one hypercall: Xen's rc. */
static long xen_pv_mmuext_issue(struct mmuext_op *op)
{
	unsigned int done = 0;
	long rc = HYPERVISOR_mmuext_op(op, 1, &done, DOMID_SELF);

	XEN_PV_COUNT(hypercalls, 1);
	return rc;
}

/* One mmuext_op on a frame (outside a multicall); a refusal panics. */
void xen_pv_mmuext_one(unsigned int cmd, uint64_t mfn, const char *func)
{
	struct mmuext_op op = { .cmd = cmd };
	long rc;

	op.arg1.mfn = mfn;
	rc = xen_pv_mmuext_issue(&op);
	if (rc)
		panic_at(func, "%s mfn=0x%lx rc=%ld", xen_pv_ext_name(cmd), (unsigned long)mfn, rc);
}

/* ------------------------------------------------------------ write_pte */

static void xen_pv_write_pte(pte_t *ptep, pte_t val)
{
	xen_pv_write_queue(ptep, val, __func__);
	if (!lazy)
		xen_pv_write_flush(__func__);
}

static void xen_pv_lazy_begin(void)
{
	lazy = true;
}

static unsigned int link_batch_id;

static void xen_pv_lazy_end(void)
{
	unsigned long h = xen_pv_batch.hypercalls, q = xen_pv_batch.mmu_update_reqs;
	unsigned int n = nr_queued;

	lazy = false;
	xen_pv_write_flush(__func__);
	if (n)
		trace("xenpv link id=%u mmu_update_reqs=%lu hypercalls=%lu", link_batch_id,
		      xen_pv_batch.mmu_update_reqs - q, xen_pv_batch.hypercalls - h);
	xen_pv_boot_region_follow(link_batch_id);      /* the direct map may reach it now */
}

static void xen_pv_flush_tlb_one(uint64_t va)
{
	struct mmuext_op op = { .cmd = MMUEXT_INVLPG_LOCAL };
	long rc;

	op.arg1.linear_addr = va;
	rc = xen_pv_mmuext_issue(&op);
	if (rc)
		panic("MMUEXT_INVLPG_LOCAL va=0x%016lx rc=%ld", (unsigned long)va, rc);
}

/* ----------------------------------------------------------------- hook */

static void xen_pv_batch_built(struct pt_batch *b)
{
	memset(&xen_pv_batch, 0, sizeof(xen_pv_batch));
	xen_pv_pin_batch(b);
	link_batch_id = b->id;
}

/* --------------------------------------------------------------- step 4 */

/*
 * Step 4: the new root, then the builder's L4 unpinned.  Its L3 lives on,
 * borrowed by the new L4 (p2m_pv.c): until the direct map reaches the
 * bootstrap region, the p2m, start_info and the console ring are read
 * through it.
 */
static void xen_pv_load_root(phys_addr_t root)
{
	unsigned long h0 = xen_pv_total.hypercalls, q0 = xen_pv_total.mmu_update_reqs;

	memset(&xen_pv_batch, 0, sizeof(xen_pv_batch));
	root_mfn = xen_pv_pfn_to_mfn(root >> PAGE_SHIFT, __func__);
	xen_pv_mmuext_one(MMUEXT_NEW_BASEPTR, root_mfn, __func__);
	xen_pv_boot_region_alias();             /* p2m, start_info, ring: via the alias */
	xen_pv_mmuext_one(MMUEXT_UNPIN_TABLE, xen_pv.boot_l4_mfn, __func__);
	xen_pv_p2m_publish(root_mfn);           /* shared_info: where the tools find it */
	trace("xenpv cr3 step=4 new_baseptr_mfn=0x%lx unpinned_boot_l4_mfn=0x%lx alias_l4_slot=%u p2m_va=0x%016lx shared_info_mfn=0x%lx hypercalls=%lu mmu_update_reqs=%lu",
	      (unsigned long)root_mfn, (unsigned long)xen_pv.boot_l4_mfn, XEN_PV_ALIAS_SLOT,
	      (unsigned long)xen_pv.p2m, (unsigned long)(xen_pv.shared_info_maddr >> PAGE_SHIFT),
	      xen_pv_total.hypercalls - h0, xen_pv_total.mmu_update_reqs - q0);
	xen_pv_boot_region_follow(0);           /* a small guest maps it in batch 0 */
}

static uint64_t xen_pv_read_cr3(void)
{
	uint64_t mfn = root_mfn ? root_mfn : xen_pv.boot_l4_mfn;
	uint64_t pfn = xen_pv_mfn_to_pfn(mfn);

	return pfn == XEN_PV_NO_PFN ? mfn << PAGE_SHIFT : pfn << PAGE_SHIFT;
}

/* ----------------------------------------------------------- self-check */

/*
 * The pins mean something only if Xen validates: ask it to pin a page
 * that is still writable (a zeroed page of .bss, mapped RW by the image
 * and the direct map).  Xen must refuse; if it accepted, the run could not
 * tell a validated table from a recorded one.  Counted apart (probes).
 */
static unsigned long probe_refusal(void)
{
	static uint8_t page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE };
	unsigned int done = 0;
	long rc;

	op.arg1.mfn = xen_pv_virt_to_mfn(page, __func__);
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	xen_pv_total.probe_hypercalls++;
	printk("xen-pv: probe: MMUEXT_PIN_L1_TABLE on a writable page mfn=0x%lx -> rc=%ld (%s)\n",
	       (unsigned long)op.arg1.mfn, rc, rc ? "refused, as Xen must" : "ACCEPTED: pins are not validated");
	trace("xenpv probe op=MMUEXT_PIN_L1_TABLE page=writable mfn=0x%lx rc=%ld", (unsigned long)op.arg1.mfn, rc);
	if (rc)
		return 0;
	xen_pv_mmuext_one(MMUEXT_UNPIN_TABLE, op.arg1.mfn, __func__);
	printk("selfcheck: VIOLATION: Xen pinned a writable page as an L1 table\n");
	return 1;
}

/* One figure against what it must be; a difference is a violation. */
static unsigned long expect(const char *what, unsigned long got, unsigned long want)
{
	if (got == want)
		return 0;
	printk("selfcheck: VIOLATION: xen-pv %s: %lu, want %lu\n", what, got, want);
	return 1;
}

static unsigned long xen_pv_check(void)
{
	const struct xen_pv_counts *t = &xen_pv_total;
	unsigned long v = 0;

	v += expect("table pages pinned (accepted MMUEXT_PIN_Ln)", t->pins, mm.tables);
	v += expect("table pages flipped (last writable mapping made read-only)", t->flips, mm.tables);
	v += expect("bootstrap tables flipped back (writable mapping accepted)", t->unflips,
		    xen_pv.boot_pt_frames);
	v += expect("batches whose re-pin Xen refused as already pinned", t->repins_refused,
		    mm.hook_calls);
	if (xen_pv.alias_active) {
		printk("selfcheck: VIOLATION: xen-pv: the builder's L3 is still borrowed (L4 slot %u): the direct map never reached the bootstrap region [mem 0x%010lx-0x%010lx]\n",
		       XEN_PV_ALIAS_SLOT, (unsigned long)xen_pv.region_pa,
		       (unsigned long)(xen_pv.region_end - 1));
		v++;
	}
	v += probe_refusal();
	printk("xen-pv: summary tables=%lu pins=%lu flips=%lu unflips=%lu (bootstrap tables back to writable) repins_refused=%lu hypercalls=%lu multicall_entries=%lu mmu_update_reqs=%lu probe_hypercalls=%lu batches=%lu\n",
	       t->tables, t->pins, t->flips, t->unflips, t->repins_refused, t->hypercalls,
	       t->multicall_entries, t->mmu_update_reqs, t->probe_hypercalls, mm.batches);
	trace("xenpv summary tables=%lu pins=%lu flips=%lu unflips=%lu ro_updates=%lu hypercalls=%lu multicall_entries=%lu mmu_update_reqs=%lu repins_refused=%lu probe_hypercalls=%lu violations=%lu",
	      t->tables, t->pins, t->flips, t->unflips, t->ro_updates, t->hypercalls,
	      t->multicall_entries, t->mmu_update_reqs, t->repins_refused, t->probe_hypercalls, v);
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
	pv_ops.cpu.read_cr3 = xen_pv_read_cr3;
}
