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
 *               trap table, the event upcall and the failsafe callback (a
 *               PANIC) and no GDT (gdt_ents = 0: a GDT frame must be
 *               read-only everywhere, globaldata is writable).  Then
 *               VCPUOP_up for all, and one deadline: an AP that does not
 *               report in is a PANIC naming it.
 *   send_call   EVTCHNOP_send on the target's IPI port (evtchn_pv.c); an AP
 *               waits in SCHEDOP_block, which unmasks its events, and runs
 *               its mailbox in the upcall.  The boot vCPU keeps events
 *               masked: it runs its mailbox while it waits (smp.c).
 *   flush_tlb_others  one MMUEXT_INVLPG_MULTI with the mask of the other
 *               vCPUs that are up; Xen flushes where they ran, no IPI.
 *   report      32 shootdown trials seen from vCPU 0 (where the
 *               no-shootdown control fails), and the event counts of every
 *               vCPU, sent and received, checked.
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
static volatile bool parked[MAX_CPUS];  /* end=wait: the AP is masked and blocked for good */

static volatile bool park_requested;

static unsigned int this_cpu(void)
{
	return ((volatile struct globaldata *)GLOBALDATA_BASE)->cpu;
}

struct vcpu_info *xen_pv_vinfo(unsigned int id)
{
	return id ? vinfo[id] : xen_pv_vcpu0();
}

/* Once every CPU has its globaldata: CR2 from this vCPU's own vcpu_info. */
static uint64_t smp_pv_read_cr2(void)
{
	return vinfo[this_cpu()]->arch.cr2;
}

/* Blocked for good, events masked: SCHEDOP_poll on no port, no timeout
 * (returns only if an event is marked for this vCPU anyway: poll again). */
__attribute__((noreturn))
static void park(volatile struct vcpu_info *vi)
{
	struct sched_poll p = { .nr_ports = 0, .timeout = 0 };

	vi->evtchn_upcall_mask = 1;
	set_xen_guest_handle(p.ports, NULL);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/*
 * The AP's first instruction (rdi = its struct cpu, rsp its kmap stack).
 * It waits in SCHEDOP_block, which unmasks its events and blocks unless one
 * is pending; Xen delivers the upcall (evtchn_pv.c: the mailbox) as it
 * returns.  Events are masked again at once: the upcall runs only there.
 */
__attribute__((noreturn))
static void xen_pv_ap_entry(struct cpu *c)
{
	volatile struct vcpu_info *vi = vinfo[c->id];

	c->pat_set = cpu.pat ? rdmsr(MSR_PAT) : 0;     /* Xen's: a PV guest cannot set it */
	env->report_in(c, c->apic_id);
	for (;;) {
		vi->evtchn_upcall_mask = 1;
		__asm__ volatile("" ::: "memory");
		if (park_requested) {
			__atomic_store_n(&parked[c->id], true, __ATOMIC_RELEASE);
			park(vi);
		}
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	}
}

static bool xen_pv_find_cpus(const struct smp_env *e)
{
	static uint32_t vcpu_ids[MAX_CPUS];
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
	*env->nr_listed = max_vcpus;
	for (id = 0; id < *env->nr_cpus; id++)
		vcpu_ids[id] = env->cpus[id].apic_id;
	xen_pv_evtchn_init(*env->nr_cpus, vcpu_ids, env->call_poll);
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
	vi->evtchn_upcall_mask = 1;             /* unmasked only in SCHEDOP_block */
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
		ctxt.trap_ctxt[t[i].vector] = t[i];   /* Xen looks a trap up by its vector */
	ctxt.gdt_ents = 0;                      /* Xen's flat selectors only */
	ctxt.kernel_ss = FLAT_KERNEL_SS;
	ctxt.kernel_sp = c->pt.stack_top;
	ctxt.ctrlreg[3] = xen_pfn_to_cr3(l4_mfn);
	ctxt.event_callback_eip = xen_pv_event_callback_address();
	ctxt.failsafe_callback_eip = xen_pv_failsafe_callback_address();
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
static unsigned long nr_invlpg_multi;   /* MMUEXT_INVLPG_MULTI hypercalls Xen did */

/* One MMUEXT_INVLPG_MULTI naming every other up vCPU; returns its mask
 * (the first 64 vCPUs: MAX_CPUS). */
static unsigned long invlpg_multi(uint64_t va, unsigned int self)
{
	unsigned long mask[MAX_CPUS / 64 + 1];
	unsigned int i, done = 0;
	struct mmuext_op op = { .cmd = MMUEXT_INVLPG_MULTI, .arg1.linear_addr = va };
	long rc;

	memset(mask, 0, sizeof(mask));
	for (i = 0; i < *env->nr_cpus; i++)
		if (i != self && env->cpus[i].state == CPU_UP)
			mask[env->cpus[i].apic_id / 64] |= 1UL << (env->cpus[i].apic_id % 64);
	set_xen_guest_handle(op.arg2.vcpumask, mask);
	rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
	if (rc || done != 1)
		panic("MMUEXT_INVLPG_MULTI va=0x%lx vcpumask=0x%lx rc=%ld done=%u",
		      (unsigned long)va, mask[0], rc, done);
	__atomic_fetch_add(&nr_invlpg_multi, 1, __ATOMIC_RELAXED);
	return mask[0];
}

/* va out of every other up vCPU's TLB: one MMUEXT_INVLPG_MULTI, no IPI. */
static void xen_pv_flush_tlb_others(uint64_t va)
{
	unsigned long before = nr_invlpg_multi;
	unsigned int self = this_cpu();
	unsigned long mask[1] = { invlpg_multi(va, self) };
	unsigned int hypercalls = nr_invlpg_multi - before;

	nr_shootdowns++;
	printk("xen-pv: tlb shootdown %u from cpu %u: va=0x%lx, vcpumask=0x%lx: %u hypercall (MMUEXT_INVLPG_MULTI), no IPI\n",
	       nr_shootdowns, self, (unsigned long)va, mask[0], hypercalls);
	trace("xenpv_shootdown from=%u va=0x%016lx vcpumask=0x%lx hypercalls=%u op=invlpg_multi",
	      self, (unsigned long)va, mask[0], hypercalls);
}

static void xen_pv_send_call(unsigned int id)
{
	xen_pv_evtchn_send(id);
}

/*
 * The shootdown seen from the vCPU that must lose the entry (docs/xen-pv-
 * smp.md, "The no-shootdown control on PV").  TRIALS times: the boot vCPU
 * drops its own entry for va (MMUEXT_INVLPG_LOCAL) and reads va, caching
 * the current page; an AP remaps va to the other page (mmu_update of the L1
 * entry, MMUEXT_INVLPG_LOCAL for itself) and then, unless the control
 * smp.test=no-shootdown is on, invalidates it everywhere else with one
 * MMUEXT_INVLPG_MULTI naming the boot vCPU; the boot vCPU, which only spun
 * meanwhile (smp_call's wait: no hypercall), reads va again.  With the
 * shootdown every read must give the new page; without it, a read of the
 * old page is the stale entry the shootdown exists for.  Many trials, the
 * APs in turn: in this lab a cached entry is not kept reliably (the doc).
 */
#define TRIALS 32
#define TRIAL_VA (KMAP_DYN_BASE + PAGE_SIZE)    /* the page after smp.c's test page */

struct trial {
	uint64_t va;
	phys_addr_t to;
	bool shoot;
};

static void trial_remap(void *arg)
{
	const struct trial *t = arg;

	kmap_remap_page(t->va, t->to);          /* mmu_update + MMUEXT_INVLPG_LOCAL */
	if (t->shoot)
		invlpg_multi(t->va, this_cpu());
}

static uint64_t trial_value(phys_addr_t pa)
{
	return 0x5151515151515151ULL ^ pa;
}

static unsigned long shootdown_trials(char *first, size_t len)
{
	bool shoot = !*env->no_shootdown;
	phys_addr_t page[2], cur = 0;
	unsigned int k, i = 0, stale = 0, fresh = 0, other = 0;
	struct trial t = { .va = TRIAL_VA, .shoot = shoot };
	uint64_t got;
	bool bad;

	page[0] = kmap_map_page(TRIAL_VA, 0, true);
	page[1] = percpu_data_page();
	for (k = 0; k < 2; k++)
		*(volatile uint64_t *)(DIRECT_MAP_BASE + page[k]) = trial_value(page[k]);
	for (k = 0; k < TRIALS; k++) {
		do
			i = i + 1 < *env->nr_cpus ? i + 1 : 1;
		while (env->cpus[i].state != CPU_UP);
		flush_tlb_one(TRIAL_VA);
		got = *(volatile uint64_t *)TRIAL_VA;   /* cached: page[cur] */
		t.to = page[cur ^ 1];
		if (got != trial_value(page[cur]) || !env->call(i, trial_remap, &t))
			panic("trial %u: cpu 0 reads 0x%lx at 0x%lx before the remap (want 0x%lx), or cpu %u did not run it",
			      k, (unsigned long)got, (unsigned long)TRIAL_VA,
			      (unsigned long)trial_value(page[cur]), i);
		got = *(volatile uint64_t *)TRIAL_VA;
		bad = got != trial_value(t.to);
		if (bad && !stale && !other && first && len)
			snprintf(first, len, "trial %u: cpu 0 reads 0x%lx at 0x%lx after cpu %u remapped it to 0x%lx%s, want 0x%lx: %s",
				 k, (unsigned long)got, (unsigned long)TRIAL_VA, i, (unsigned long)t.to,
				 shoot ? " and shot it down" : " (no shootdown)",
				 (unsigned long)trial_value(t.to),
				 got == trial_value(page[cur]) ? "a stale TLB entry" : "unexpected");
		stale += got == trial_value(page[cur]);
		other += bad && got != trial_value(page[cur]);
		fresh += !bad;
		cur ^= 1;
	}
	printk("smptest: shootdown trials: %u x (cpu 0 reads va=0x%lx, an AP remaps it by mmu_update, %s, cpu 0 reads it again): %u new page, %u old page (stale TLB entry), %u other: %s\n",
	       TRIALS, (unsigned long)TRIAL_VA,
	       shoot ? "then MMUEXT_INVLPG_MULTI naming cpu 0" : "NO shootdown (smp.test=no-shootdown)",
	       fresh, stale, other, stale || other ? "FAIL" : "ok");
	trace("xenpv shootdown_trials trials=%u shootdown=%s fresh=%u stale=%u other=%u result=%s",
	      TRIALS, shoot ? "invlpg_multi" : "none", fresh, stale, other, stale || other ? "fail" : "ok");
	return stale || other;
}

/*
 * After the per-CPU tests: the events of every vCPU as counted where they
 * happened (the sender at EVTCHNOP_send, the receiver in its upcall).  An
 * AP must have received every event sent to it, by its upcall, and no
 * other; the boot vCPU keeps events masked (it runs its mailbox while it
 * waits), so an event sent to it stays pending and none is received.
 */
static unsigned long xen_pv_smp_report(char *first, size_t len)
{
	unsigned long v = 0, bad = 0, sent = 0, received = 0;
	unsigned int i;

	if (*env->nr_cpus_up > 1)
		v += shootdown_trials(first, len);

	for (i = 0; i < *env->nr_cpus; i++) {
		const struct xen_pv_evtchn_counts *k = xen_pv_evtchn_counts(i);
		bool pending = xen_pv_evtchn_pending(i);
		bool ok = env->cpus[i].state != CPU_UP ||
			(!k->stray && (i ? k->received == k->sent_to && k->sent_to && !pending :
				       !k->received && pending == !!k->sent_to));

		sent += k->sent;
		received += k->received;
		printk("smptest: events: cpu %u vcpu %u port %u: %lu sent to it, %lu received by its upcall (%lu upcalls, %lu from user mode, %lu stray), %lu sent by it, port %s%s\n",
		       i, env->cpus[i].apic_id, xen_pv_evtchn_port(i), k->sent_to, k->received,
		       k->upcalls, k->from_user, k->stray, k->sent, pending ? "pending" : "clear",
		       ok ? "" : ": WRONG");
		trace("xenpv events cpu=%u vcpu=%u port=%u sent_to=%lu received=%lu upcalls=%lu from_user=%lu stray=%lu sent=%lu pending=%u",
		      i, env->cpus[i].apic_id, xen_pv_evtchn_port(i), k->sent_to, k->received,
		      k->upcalls, k->from_user, k->stray, k->sent, pending);
		if (!ok && !v && first && len)
			snprintf(first, len, "cpu %u: %lu events sent to it, %lu received, %lu stray, port %s",
				 i, k->sent_to, k->received, k->stray, pending ? "pending" : "clear");
		bad += !ok;
		v += !ok;
	}
	printk("smptest: cross calls by event channel: %lu EVTCHNOP_send, %lu received by the APs' upcalls; each AP received what was sent to it, the boot vCPU (events masked) none: %s\n",
	       sent, received, bad ? "FAIL" : "ok");
	return v;
}

/* end=wait: every AP parks (events masked, blocked in SCHEDOP_poll) so
 * that Xen's view of the domain is taken while nothing runs. */
void xen_pv_smp_park(void)
{
	unsigned int i, n = 0;
	uint64_t end;

	if (!env || *env->nr_cpus_up < 2)
		return;
	park_requested = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 1; i < *env->nr_cpus; i++)
		if (env->cpus[i].state == CPU_UP)
			xen_pv_evtchn_send(i);
	end = tsc_deadline(REPORT_TIMEOUT_MS);
	for (i = 1; i < *env->nr_cpus; i++) {
		if (env->cpus[i].state != CPU_UP)
			continue;
		while (!__atomic_load_n(&parked[i], __ATOMIC_ACQUIRE) && rdtsc() < end)
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		if (!parked[i])
			panic("vcpu %u (cpu %u) did not park within %d ms of its event", env->cpus[i].apic_id,
			      i, REPORT_TIMEOUT_MS);
		n++;
	}
	printk("xen-pv: end=wait: %u APs parked (events masked, blocked in SCHEDOP_poll), the boot vCPU next\n", n);
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
	pv_ops.smp.report = xen_pv_smp_report;
	pv_ops.smp.flush_tlb_others = xen_pv_flush_tlb_others;
	pv_ops.smp.method = "vcpuop";
	pv_ops.smp.shootdown = "MMUEXT_INVLPG_MULTI (one hypercall, no IPI)";
	pv_ops.platform.calibrate_tsc = xen_pv_calibrate_tsc;
}
