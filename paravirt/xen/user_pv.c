/*
 * user_pv.c — ring 3 on Xen PV (issue 19 item 5; docs/xen-pv.md "Ring 3"):
 * pv_ops.user, flush_tlb_user and table_released for Xen PV.
 *
 * A 64-bit PV guest kernel runs in ring 3 itself; Xen tells its kernel and
 * user modes apart and keeps two roots per vCPU: the kernel's (CR3,
 * MMUEXT_NEW_BASEPTR: here each CPU's own L4) and a user root
 * (MMUEXT_NEW_USER_BASEPTR), which Xen loads whenever the vCPU goes to user
 * mode.  Here the user root is one more pinned L4 per vCPU holding slot 0
 * only (Xen adds its own slots 256-271): mm builds it as a batch of its own
 * (uspace_user_root), the PV hook pins it, and the address-space switch
 * writes its slot 0 (one mmu_update) and flushes (MMUEXT_TLB_FLUSH_LOCAL).
 * The kernel roots keep slot 0 empty on PV: the kernel reads user memory
 * through the direct map only (kernel/user.c copy_from_user), so a switch
 * writes one entry, not two.
 *
 *   cpu_setup   on each vCPU: the syscall callback (CALLBACKOP_register,
 *               CALLBACKTYPE_syscall, events masked), its user root built
 *               and handed over with MMUEXT_NEW_USER_BASEPTR (not by
 *               VCPUOP_initialise's ctrlreg[1]: the boot vCPU needs the
 *               mmuext anyway, and one way serves every vCPU).
 *   enter       entry_pv.asm: HYPERVISOR_stack_switch (Xen's kernel_sp just
 *               below user_enter's frame, on this vCPU's own stack), then
 *               HYPERVISOR_iret.
 *   table_released  a freed address space's table page: unpinned
 *               (MMUEXT_UNPIN_TABLE) and its direct-map entry writable again
 *               (update_va_mapping, which Xen accepts only once the page is
 *               no longer a table); then mm gives it back to the page list.
 */
#include <arch/smp.h>
#include <arch/usermode.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <mm/uspace.h>
#include <paravirt/ops.h>
#include <paravirt/xen_pv.h>
#include <xen/callback.h>
#include "internal.h"

extern void xen_pv_syscall_entry(void);
extern uint64_t xen_pv_user_enter(struct user_regs *r);
extern unsigned long xen_pv_user_hypercalls;    /* entry_pv.asm: stack_switch, iret */

static phys_addr_t user_root[MAX_CPUS];
static unsigned long released;

/* entry_pv.asm, when Xen refuses the kernel stack. */
__attribute__((noreturn))
void xen_pv_stack_switch_failed(long rc)
{
	panic("HYPERVISOR_stack_switch ss=0x%x rc=%ld", FLAT_KERNEL_SS, rc);
}

static void xen_pv_user_cpu_setup(unsigned int id)
{
	struct callback_register cb = {
		.type = CALLBACKTYPE_syscall,
		.flags = CALLBACKF_mask_events,
		.address = (xen_callback_t)xen_pv_syscall_entry,
	};
	uint64_t mfn;
	long rc;

	rc = _hypercall2(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb);
	XEN_PV_COUNT(hypercalls, 1);
	if (rc)
		panic("CALLBACKOP_register CALLBACKTYPE_syscall cpu=%u address=0x%lx rc=%ld", id,
		      (unsigned long)cb.address, rc);
	if (!user_root[id])
		user_root[id] = uspace_user_root(id);
	mfn = xen_pv_pfn_to_mfn(user_root[id] >> PAGE_SHIFT, __func__);
	xen_pv_mmuext_one(MMUEXT_NEW_USER_BASEPTR, mfn, __func__);
	printk("xen-pv: cpu %u: user root l4=0x%010lx mfn=0x%lx (pinned; MMUEXT_NEW_USER_BASEPTR), syscall callback (CALLBACKTYPE_syscall, events masked)\n",
	       id, (unsigned long)user_root[id], (unsigned long)mfn);
	trace("xenpv user_root cpu=%u l4=0x%010lx mfn=0x%lx syscall_callback=0x%016lx",
	      id, (unsigned long)user_root[id], (unsigned long)mfn, (unsigned long)cb.address);
}

static phys_addr_t xen_pv_user_root(unsigned int id)
{
	if (id >= MAX_CPUS || !user_root[id])
		panic("cpu %u has no user root (its user setup has not run)", id);
	return user_root[id];
}

static unsigned long xen_pv_hypercalls(void)
{
	return xen_pv_total.hypercalls + __atomic_load_n(&xen_pv_user_hypercalls, __ATOMIC_RELAXED);
}

/* After a write to slot 0 of this vCPU's user root: its TLB, all of it
 * (Xen has no flush of one slot; with global pages on, Xen marks user
 * pages global, and this flush drops those too). */
static void xen_pv_flush_tlb_user(void)
{
	xen_pv_mmuext_one(MMUEXT_TLB_FLUSH_LOCAL, 0, __func__);
}

static void xen_pv_table_released(phys_addr_t pa)
{
	uint64_t mfn = xen_pv_pfn_to_mfn(pa >> PAGE_SHIFT, __func__);
	uint64_t va = DIRECT_MAP_BASE + pa;
	unsigned int level;
	pte_t e = pt_lookup(va, &level, NULL);
	long rc;

	if (!pte_present(e) || level != 1)
		panic("table 0x%010lx is not mapped by a 4 KiB page of the direct map",
		      (unsigned long)pa);
	xen_pv_mmuext_one(MMUEXT_UNPIN_TABLE, mfn, __func__);
	rc = HYPERVISOR_update_va_mapping(va, e | PTE_RW, UVMF_INVLPG | UVMF_LOCAL);
	XEN_PV_COUNT(hypercalls, 1);
	if (rc)
		panic("update_va_mapping mfn=0x%lx (the released table page at pa 0x%010lx: its direct-map entry made writable) rc=%ld",
		      (unsigned long)mfn, (unsigned long)pa, rc);
	released++;
	trace("xenpv table_released pfn=0x%lx mfn=0x%lx released=%lu", (unsigned long)(pa >> PAGE_SHIFT),
	      (unsigned long)mfn, released);
}

void xen_pv_user_install(void)
{
	pv_ops.mmu.flush_tlb_user = xen_pv_flush_tlb_user;
	pv_ops.mmu.table_released = xen_pv_table_released;
	pv_ops.user.cpu_setup = xen_pv_user_cpu_setup;
	pv_ops.user.root = xen_pv_user_root;
	pv_ops.user.enter = xen_pv_user_enter;
	pv_ops.user.hypercalls = xen_pv_hypercalls;
	pv_ops.user.kernel_half = false;
	pv_ops.user.how = "CALLBACKTYPE_syscall in, HYPERVISOR_iret out, HYPERVISOR_stack_switch per entry, a pinned user root per vcpu (MMUEXT_NEW_USER_BASEPTR)";
}
