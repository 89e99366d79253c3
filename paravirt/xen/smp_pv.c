/*
 * smp_pv.c — the vCPUs of a Xen PV domain (issue 19; docs/xen-pv-smp.md):
 * pv_ops.smp for Xen PV.
 *
 *   find_cpus   no ACPI, no LAPIC: vCPU ids 1, 2, ... asked with
 *               VCPUOP_is_up until Xen says -ENOENT (past the domain's
 *               max_vcpus).  Each must be down: the builder starts vCPU 0
 *               only.
 *   start_cpus  for each AP: its stacks and its own L4 through mm/percpu.c
 *               (the L4 pinned in its own hooked batch, no trampoline map);
 *               its vcpu_info registered in the image
 *               (VCPUOP_register_vcpu_info, so CR2 and the event mask are
 *               per vCPU and reachable); VCPUOP_initialise with that L4 in
 *               ctrlreg[3], rip/rsp at xen_pv_ap_entry on its kmap stack,
 *               the flat kernel selectors, VGCF_in_kernel, kernel_ss/sp, the
 *               trap table, the event and failsafe callbacks (both a PANIC:
 *               events stay masked) and no GDT (gdt_ents = 0: a GDT frame
 *               must be read-only everywhere, globaldata is writable).  Then
 *               VCPUOP_up for all, and one deadline: an AP that does not
 *               report in is a PANIC naming it.
 *   send_call   nothing: an AP looks at its mailbox every 1 ms, blocked in
 *               SCHEDOP_poll between (event-channel IPIs are not built).
 *   flush_tlb_others  one MMUEXT_INVLPG_MULTI with the mask of the other
 *               vCPUs that are up; Xen flushes where they ran, no IPI.
 * Time: the TSC rate from vcpu_time_info (pvclock), not the PIT.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/percpu.h>
#include <mm/trace.h>
#include <paravirt/ops.h>
#include <paravirt/xen_pv.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include "internal.h"

#define REPORT_TIMEOUT_MS 10000     /* vCPUs of a TCG lab on a busy host start slowly */

static struct vcpu_info ap_vcpu_info[MAX_CPUS] __attribute__((aligned(64)));
static struct vcpu_info *vinfo[MAX_CPUS];       /* by cpu id; [0] the boot vCPU's */
static struct vcpu_guest_context ctxt;          /* Xen copies it: one for all */
static unsigned int max_vcpus;
static const struct smp_env *env;       /* smp_init's: the CPU table, the AP calls */

static unsigned int this_cpu(void)
{
	return ((volatile struct globaldata *)GLOBALDATA_BASE)->cpu;
}

/* Once every CPU has its globaldata: CR2 from this vCPU's own vcpu_info. */
static uint64_t smp_pv_read_cr2(void)
{
	return vinfo[this_cpu()]->arch.cr2;
}

/* Events stay masked on every vCPU; neither callback can run unless Xen
 * delivers one anyway (event) or cannot load a segment (failsafe). */
__attribute__((force_align_arg_pointer, noreturn))
static void xen_pv_event_callback(void)
{
	panic("event upcall on cpu %u with events masked", this_cpu());
}

__attribute__((force_align_arg_pointer, noreturn))
static void xen_pv_failsafe_callback(void)
{
	panic("Xen could not load a segment register on cpu %u", this_cpu());
}

/* Xen's system time in ns, from this vCPU's pvclock (xen.h's formula). */
static uint64_t system_time_ns(const volatile struct vcpu_time_info *t)
{
	uint32_t v;
	uint64_t ns, d;

	do {
		v = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		d = rdtsc() - t->tsc_timestamp;
		d = t->tsc_shift < 0 ? d >> -t->tsc_shift : d << t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)d * t->tsc_to_system_mul) >> 32);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != t->version);
	return ns;
}

/*
 * The AP's first instruction (rdi = its struct cpu, rsp its kmap stack).
 * It waits for cross calls by looking at its mailbox every POLL_NS, blocked
 * in between (SCHEDOP_poll on no port with a timeout, events masked: Xen
 * idles the physical CPU); no event channel, no IPI.
 */
#define POLL_NS 1000000ULL

__attribute__((noreturn))
static void xen_pv_ap_entry(struct cpu *c)
{
	const volatile struct vcpu_time_info *t = &vinfo[c->id]->time;
	struct sched_poll p = { .nr_ports = 0 };

	c->pat_set = cpu.pat ? rdmsr(MSR_PAT) : 0;     /* Xen's: a PV guest cannot set it */
	env->report_in(c, c->apic_id);
	for (;;) {
		env->call_poll();
		p.timeout = system_time_ns(t) + POLL_NS;
		HYPERVISOR_sched_op(SCHEDOP_poll, &p);
	}
}

static bool xen_pv_find_cpus(const struct smp_env *e)
{
	unsigned int id;
	long rc = 0;

	env = e;
	env->cpus[0].id = 0;
	env->cpus[0].apic_id = 0;                    /* on Xen PV: the vCPU id */
	env->cpus[0].state = CPU_UP;
	*env->nr_cpus = *env->nr_cpus_up = 1;
	for (id = 1; id < 4096; id++) {
		rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL);
		if (rc == -XEN_ENOENT)
			break;
		if (rc)
			panic("VCPUOP_is_up vcpu=%u rc=%ld: want 0 (down, never started)", id, rc);
		if (*env->nr_cpus == MAX_CPUS)
			continue;               /* counted below, not started */
		env->cpus[*env->nr_cpus].id = *env->nr_cpus;
		env->cpus[*env->nr_cpus].apic_id = id;
		env->cpus[*env->nr_cpus].state = CPU_ABSENT;
		(*env->nr_cpus)++;
	}
	max_vcpus = id;
	printk("smp: xen-pv: %u vCPUs (VCPUOP_is_up: vcpu 0 up, %u down, -ENOENT at vcpu %u)%s\n",
	       max_vcpus, max_vcpus - 1, max_vcpus,
	       max_vcpus > MAX_CPUS ? ": more than MAX_CPUS, the rest left out" : "");
	return *env->nr_cpus > 1;
}

static void register_vcpu_info(unsigned int id, uint32_t vcpu)
{
	struct vcpu_info *vi = &ap_vcpu_info[id];
	struct vcpu_register_vcpu_info r = {
		.mfn = xen_pv_virt_to_mfn(vi, __func__),
		.offset = (uint64_t)vi & (PAGE_SIZE - 1),
	};
	long rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &r);

	if (rc)
		panic("VCPUOP_register_vcpu_info vcpu=%u mfn=0x%lx offset=0x%x rc=%ld", vcpu,
		      (unsigned long)r.mfn, r.offset, rc);
	vi->evtchn_upcall_mask = 1;             /* events masked: the vCPU polls */
	vinfo[id] = vi;
}

/* VCPUOP_initialise: the vCPU starts at xen_pv_ap_entry(c) on c's own L4. */
static void initialise(struct cpu *c)
{
	const struct trap_info *t = xen_pv_trap_table();
	uint64_t l4_mfn = xen_pv_pfn_to_mfn(c->pt.root >> PAGE_SHIFT, __func__);
	unsigned int i;
	long rc;

	memset(&ctxt, 0, sizeof(ctxt));
	ctxt.flags = VGCF_in_kernel;
	ctxt.user_regs.rip = (uint64_t)xen_pv_ap_entry;
	ctxt.user_regs.rsp = c->pt.stack_top - 8;       /* as if called: the ABI's alignment */
	ctxt.user_regs.rdi = (uint64_t)c;
	ctxt.user_regs.cs = FLAT_KERNEL_CS;
	ctxt.user_regs.ss = FLAT_KERNEL_SS;
	ctxt.user_regs.ds = ctxt.user_regs.es = FLAT_KERNEL_DS;
	ctxt.user_regs.rflags = 0x2;            /* Xen sets IF; events masked in vcpu_info */
	for (i = 0; t[i].address; i++)
		ctxt.trap_ctxt[i] = t[i];
	ctxt.gdt_ents = 0;                      /* Xen's flat selectors only */
	ctxt.kernel_ss = FLAT_KERNEL_SS;
	ctxt.kernel_sp = c->pt.stack_top;
	ctxt.ctrlreg[3] = xen_pfn_to_cr3(l4_mfn);
	ctxt.event_callback_eip = (uint64_t)xen_pv_event_callback;
	ctxt.failsafe_callback_eip = (uint64_t)xen_pv_failsafe_callback;
	rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, c->apic_id, &ctxt);
	if (rc)
		panic("VCPUOP_initialise vcpu=%u l4=0x%lx mfn=0x%lx rc=%ld", c->apic_id,
		      (unsigned long)c->pt.root, (unsigned long)l4_mfn, rc);
	trace("xenpv_vcpu cpu=%u vcpu=%u l4=0x%010lx l4_mfn=0x%lx rip=0x%016lx rsp=0x%016lx trap_vectors=%u gdt_ents=0 vcpu_info=0x%016lx",
	      c->id, c->apic_id, (unsigned long)c->pt.root, (unsigned long)l4_mfn,
	      (unsigned long)ctxt.user_regs.rip, (unsigned long)ctxt.user_regs.rsp, i,
	      (unsigned long)vinfo[c->id]);
}

static void xen_pv_start_cpus(const struct smp_env *e)
{
	unsigned int i, waiting;
	uint64_t t0, end;
	long rc;

	env = e;
	tsc_calibrate();
	vinfo[0] = xen_pv_vcpu0();
	env->cpus[0].pat_set = cpu.pat ? rdmsr(MSR_PAT) : 0;
	pv_ops.cpu.read_cr2 = smp_pv_read_cr2;  /* every CPU has globaldata from here */
	printk("smp: tsc=%lu kHz (%s); each vCPU: VCPUOP_register_vcpu_info, VCPUOP_initialise on its own pinned L4, VCPUOP_up; one deadline, %d ms\n",
	       tsc_khz, tsc_khz_source, REPORT_TIMEOUT_MS);
	for (i = 1; i < *env->nr_cpus; i++) {
		struct cpu *c = &env->cpus[i];

		c->pt.globaldata = 0;
		percpu_stacks(&c->pt, i);
		percpu_build_root(&c->pt, i, 0, ~0ULL);  /* no trampoline, no 4 GiB limit */
		((struct globaldata *)(DIRECT_MAP_BASE + c->pt.globaldata))->self_pa =
			c->pt.globaldata;
		register_vcpu_info(i, c->apic_id);
		c->state = CPU_STARTING;
		initialise(c);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t0 = rdtsc();
	for (i = 1; i < *env->nr_cpus; i++) {
		rc = HYPERVISOR_vcpu_op(VCPUOP_up, env->cpus[i].apic_id, NULL);
		if (rc)
			panic("VCPUOP_up vcpu=%u rc=%ld", env->cpus[i].apic_id, rc);
	}
	end = tsc_deadline(REPORT_TIMEOUT_MS);
	do {
		for (i = 1, waiting = 0; i < *env->nr_cpus; i++)
			waiting += __atomic_load_n(&env->cpus[i].state, __ATOMIC_ACQUIRE) == CPU_STARTING;
		if (waiting)
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	} while (waiting && rdtsc() < end);
	for (i = 1; i < *env->nr_cpus; i++) {
		struct cpu *c = &env->cpus[i];

		if (c->state != CPU_UP)
			panic("vcpu %u (cpu %u) did not report in within %d ms of VCPUOP_up (VCPUOP_is_up=%ld)",
			      c->apic_id, i, REPORT_TIMEOUT_MS,
			      HYPERVISOR_vcpu_op(VCPUOP_is_up, c->apic_id, NULL));
		c->up_tsc = c->report_tsc - t0;
		(*env->nr_cpus_up)++;
	}
}

static unsigned int nr_shootdowns;

/* va out of every other up vCPU's TLB: one MMUEXT_INVLPG_MULTI, no IPI. */
static void xen_pv_flush_tlb_others(uint64_t va)
{
	static unsigned long mask[MAX_CPUS / 64 + 1];
	unsigned int i, self = this_cpu(), done = 0, hypercalls = 0;
	struct mmuext_op op = { .cmd = MMUEXT_INVLPG_MULTI, .arg1.linear_addr = va };
	long rc;

	memset(mask, 0, sizeof(mask));
	for (i = 0; i < *env->nr_cpus; i++)
		if (i != self && env->cpus[i].state == CPU_UP)
			mask[env->cpus[i].apic_id / 64] |= 1UL << (env->cpus[i].apic_id % 64);
	set_xen_guest_handle(op.arg2.vcpumask, mask);
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	hypercalls++;
	if (rc || done != 1)
		panic("MMUEXT_INVLPG_MULTI va=0x%lx vcpumask=0x%lx rc=%ld done=%u",
		      (unsigned long)va, mask[0], rc, done);
	nr_shootdowns++;
	printk("xen-pv: tlb shootdown %u from cpu %u: va=0x%lx, vcpumask=0x%lx: %u hypercall (MMUEXT_INVLPG_MULTI), no IPI\n",
	       nr_shootdowns, self, (unsigned long)va, mask[0], hypercalls);
	trace("xenpv_shootdown from=%u va=0x%016lx vcpumask=0x%lx hypercalls=%u op=invlpg_multi",
	      self, (unsigned long)va, mask[0], hypercalls);
}

static void xen_pv_send_call(unsigned int id)
{
	(void)id;       /* the target polls its mailbox (xen_pv_ap_entry) */
}

/*
 * The TSC rate from pvclock (vcpu_time_info of the boot vCPU):
 * Hz = ((10^9 << 32) / tsc_to_system_mul) >> tsc_shift (xen.h); no PIT
 * port I/O from a PV guest.
 */
static unsigned long xen_pv_calibrate_tsc(const char **source)
{
	const volatile struct vcpu_time_info *t = &xen_pv_vcpu0()->time;
	uint32_t v, mul;
	int8_t shift;
	uint64_t khz;

	do {
		v = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != t->version);
	if (!mul)
		panic("vcpu_time_info: tsc_to_system_mul is 0 (version %u)", v);
	khz = (1000000ULL << 32) / mul;
	khz = shift < 0 ? khz << -shift : khz >> shift;
	*source = "xen-pvclock";
	return khz;
}

void xen_pv_smp_install(void)
{
	pv_ops.smp.find_cpus = xen_pv_find_cpus;
	pv_ops.smp.start_cpus = xen_pv_start_cpus;
	pv_ops.smp.send_call = xen_pv_send_call;
	pv_ops.smp.flush_tlb_others = xen_pv_flush_tlb_others;
	pv_ops.smp.method = "vcpuop";
	pv_ops.smp.shootdown = "MMUEXT_INVLPG_MULTI (one hypercall, no IPI)";
	pv_ops.platform.calibrate_tsc = xen_pv_calibrate_tsc;
}
