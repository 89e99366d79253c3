/*
 * mmu_pvh.c — the Xen PVH MMU ops (design §4): the hook and write_pte.
 *
 * The hook is the table protection of protect_pvh.c (every table page of a
 * batch read-only in every kernel mapping of it, before it is linked).
 * Later writes to live tables go through xen_pvh_write_pte(), which lifts
 * CR0.WP for the one store.
 *
 * Once, the hook also asks Xen to pin the root with MMUEXT_PIN_L4_TABLE
 * and records the answer in the trace: it shows why self-protection is
 * used.
 */
#include <arch/cpu.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>
#include <paravirt/xen_pvh.h>
#include "internal.h"

static void xen_pvh_write_pte(pte_t *ptep, pte_t val)
{
	uint64_t cr0 = read_cr0();

	write_cr0(cr0 & ~X86_CR0_WP);
	*(volatile pte_t *)ptep = val;
	write_cr0(cr0);
}

static void try_pin_root(phys_addr_t root)
{
	struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
	unsigned int done = 0;
	long rc;

	op.arg1.mfn = root >> PAGE_SHIFT;
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	printk("xen: MMUEXT_PIN_L4_TABLE on our own root (gfn 0x%lx) -> rc=%ld%s\n",
	       (unsigned long)(root >> PAGE_SHIFT), rc,
	       rc ? " (refused: PVH protects its tables itself)" : "");
	trace("xen pin_attempt op=MMUEXT_PIN_L4_TABLE gfn=0x%lx rc=%ld", (unsigned long)(root >> PAGE_SHIFT), rc);
}

void xen_pvh_batch_built(struct pt_batch *b)
{
	static bool tried;

	if (!tried) {
		tried = true;
		try_pin_root(mm.root);
	}
	xen_pvh_protect_batch(b);
}

/* The PVH MMU ops (xen_pvh_init), with its hook or another. */
void xen_pvh_mmu_install(void (*hook)(struct pt_batch *b))
{
	pv_ops.mmu.batch_built = hook;
	pv_ops.mmu.write_pte = xen_pvh_write_pte;
	pv_ops.mmu.table_released = xen_pvh_table_released;
	pv_ops.mmu.tables_readonly = true;
	pv_ops.mmu.hook_reserve_pages = XEN_PVH_HOOK_PAGES;
}

void xen_pvh_on_native(void)
{
	pv_ops.name = "xen-pvh-on-native";
	xen_pvh_mmu_install(xen_pvh_protect_batch);     /* no MMUEXT_PIN_L4_TABLE */
}
