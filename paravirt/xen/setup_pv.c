/*
 * setup_pv.c — the Xen PV backend: start-up, console, traps, memory map,
 * stop.  The page-table side (p2m, pinning, mmu_update) is in mmu_pv.c.
 *
 * A PV guest kernel runs in ring 3: no port I/O, no cli/hlt, no
 * lgdt/lidt, no CR access.  What it needs instead, in the order
 * xen_pv_early() sets it up, before the first printk:
 *   - vcpu_info moved into the image (VCPUOP_register_vcpu_info): CR2 of a
 *     #PF and the event mask live there, and shared_info, its default home,
 *     is a machine page nothing maps;
 *   - the console ring named by start_info (console_io is refused for a
 *     domU on a release Xen, and 0xE9 is an HVM device);
 *   - a trap table (HYPERVISOR_set_trap_table): without one, the first
 *     fault makes Xen kill the domain ("Unhandled page fault").
 */
#include <arch/cpu.h>
#include <arch/traps.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>
#include <paravirt/xen_pv.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/sched.h>
#include <xen/version.h>
#include "internal.h"

struct xen_pv_domain xen_pv;

extern const uint64_t xen_pv_trap_stubs[32];

static struct vcpu_info vcpu0 __attribute__((aligned(64)));
static struct trap_info trap_table[33];

/* Before the console: nothing to print on, so end the domain as crashed. */
void xen_pv_stop_early(void)
{
	struct sched_shutdown s = { .reason = SHUTDOWN_crash };

	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

static uint64_t xen_pv_read_cr2(void)
{
	return vcpu0.arch.cr2;
}

static void xen_pv_irq_disable(void)
{
	vcpu0.evtchn_upcall_mask = 1;
	__asm__ volatile("" ::: "memory");
}

static void register_vcpu_info(void)
{
	uint64_t va = (uint64_t)&vcpu0;
	struct vcpu_register_vcpu_info r = {
		.mfn = xen_pv_virt_to_mfn(&vcpu0, __func__),
		.offset = va & (PAGE_SIZE - 1),
	};
	long rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);

	if (rc)
		xen_pv_stop_early();     /* no console yet; cannot say why */
	vcpu0.evtchn_upcall_mask = 1;   /* events stay masked: topdown polls */
}

static void set_traps(void)
{
	unsigned int v, n = 0;
	long rc;

	for (v = 0; v < 32; v++) {
		/* NMI and #MC come through callbacks, #DF never reaches a PV guest */
		if (v == 2 || v == X86_TRAP_DF || v == 18)
			continue;
		trap_table[n] = (struct trap_info){
			.vector = v,
			.cs = FLAT_KERNEL_CS,
			.address = xen_pv_trap_stubs[v],
		};
		TI_SET_IF(&trap_table[n], 1);   /* like an interrupt gate: events off */
		n++;
	}
	trap_table[n].address = 0;              /* terminator */
	rc = HYPERVISOR_set_trap_table(trap_table);
	if (rc)
		panic("HYPERVISOR_set_trap_table (%u vectors) rc=%ld", n, rc);
	printk("xen-pv: trap table: %u vectors, cs=0x%x (faults diagnosed, CR2 from vcpu_info)\n",
	       n, FLAT_KERNEL_CS);
}

/* dom0: Xen's console, which the initial domain may write (console_io is
 * refused to a domU by a release Xen); it reaches the serial line raw. */
static void xen_pv_console_io_write(const char *s, size_t n)
{
	while (n) {
		int k = n > 1024 ? 1024 : (int)n;

		HYPERVISOR_console_io(CONSOLEIO_write, k, s);
		s += k;
		n -= k;
	}
}

void xen_pv_early(const struct start_info *si)
{
	xen_pv.si = si;
	xen_pv.si_pa = (uint64_t)si - KERNEL_VMA;
	xen_pv.p2m = (const xen_pfn_t *)si->mfn_list;
	xen_pv.p2m_pa = si->mfn_list - KERNEL_VMA;
	xen_pv.nr_pages = si->nr_pages;
	xen_pv.shared_info_maddr = si->shared_info;
	xen_pv.initial_domain = si->flags & SIF_INITDOMAIN;
	register_vcpu_info();
	pv_ops.cpu.read_cr2 = xen_pv_read_cr2;
	pv_ops.cpu.irq_disable = xen_pv_irq_disable;
	if (xen_pv.initial_domain) {
		pv_ops.console.write = xen_pv_console_io_write;
	} else {
		uint64_t pfn = xen_pv_mfn_to_pfn(si->console.domU.mfn);

		if (pfn == XEN_PV_NO_PFN)
			xen_pv_stop_early();
		xen_pv.ring_pa = pfn << PAGE_SHIFT;
		xen_pv.ring_evtchn = si->console.domU.evtchn;
		xen_console_attach((volatile void *)(KERNEL_VMA + xen_pv.ring_pa), xen_pv.ring_evtchn);
	}
	set_traps();
}

/*
 * A domU's memory map is one RAM range [0, maxmem); only nr_pages of it are
 * populated: clamp, so that mm never maps (or takes tables from) frames the
 * domain does not have.  A PV dom0 has none (XENMEM_memory_map: -ENOSYS,
 * Xen keeps no pseudo-physical map for it): its RAM is its nr_pages frames,
 * pfn 0 up, as Linux takes it; the host's map (XENMEM_machine_memory_map)
 * is in machine addresses and only reported.
 */
static int xen_pv_memory_map(struct boot_info *bi)
{
	uint64_t limit = (uint64_t)xen_pv.nr_pages << PAGE_SHIFT;
	unsigned int i;
	int rc;

	if (xen_pv.initial_domain) {
		printk("xen-pv: dom0: host memory map (machine addresses) has %d entries; RAM is pfn 0-0x%lx (nr_pages)\n",
		       xen_machine_memory_map_entries(), xen_pv.nr_pages - 1);
		memmap_add(&bi->map, 0, limit, MEM_USABLE);
		bi->map_source = "nr_pages (dom0: no XENMEM_memory_map)";
		return 0;
	}
	rc = xen_memory_map(bi);
	if (rc)
		return rc;
	for (i = 0; i < bi->map.nr; i++) {
		struct memmap_entry *e = &bi->map.e[i];

		if (e->type != MEM_USABLE || e->start + e->size <= limit)
			continue;
		printk("xen-pv: memmap [mem 0x%010lx-0x%010lx] usable, but nr_pages=%lu: populated up to [mem 0x%010lx]\n",
		       (unsigned long)e->start, (unsigned long)(e->start + e->size - 1),
		       xen_pv.nr_pages, (unsigned long)(limit - 1));
		e->size = e->start < limit ? limit - e->start : 0;
	}
	bi->map_source = "XENMEM_memory_map+nr_pages";
	return 0;
}

__attribute__((noreturn))
static void xen_pv_stop(enum stop_code code)
{
	struct sched_shutdown s = {
		.reason = code == STOP_PASS ? SHUTDOWN_poweroff : SHUTDOWN_crash,
	};

	xen_console_flush();
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);     /* does not return */
}

/*
 * end=wait: stay alive, doing nothing, until destroyed.  The APs park
 * first (smp_pv.c); then the boot vCPU, events masked: SCHEDOP_poll on no
 * port blocks with them masked, and returns when one arrives: poll again.
 */
/* An empty multicall: Xen does nothing, xentrace records it (count 0). */
static void xen_pv_mark(void)
{
	HYPERVISOR_multicall(NULL, 0);
	xen_pv_total.probe_hypercalls++;
}

__attribute__((noreturn))
static void xen_pv_wait(void)
{
	struct sched_poll poll = { .nr_ports = 0, .timeout = 0 };

	xen_pv_smp_park();                      /* the APs first (smp_pv.c) */
	xen_console_flush();
	xen_pv_irq_disable();
	set_xen_guest_handle(poll.ports, NULL);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

void xen_pv_init(struct boot_info *bi, struct hypervisor_info *hv)
{
	static const uint32_t sig[3] = {
		XEN_CPUID_SIGNATURE_EBX, XEN_CPUID_SIGNATURE_ECX, XEN_CPUID_SIGNATURE_EDX,
	};
	long v = HYPERVISOR_xen_version(XENVER_version, NULL);

	if (v < 0)
		panic("XENVER_version rc=%ld", v);
	hv->present = true;
	hv->xen = true;
	memcpy(hv->signature, sig, sizeof(sig));        /* what CPUID would say */
	hv->signature[sizeof(sig)] = '\0';
	hv->version_major = (uint32_t)v >> 16;
	hv->version_minor = (uint32_t)v & 0xffff;
	printk("paravirt: hypervisor=%s (from the boot protocol) xen_version=%u.%u\n",
	       hv->signature, hv->version_major, hv->version_minor);
	printk("xen-pv: hypercalls through the hypercall page the domain builder filled (first stub %02x %02x %02x)\n",
	       hypercall_page[0], hypercall_page[1], hypercall_page[2]);
	pv_ops.name = "xen-pv";
	pv_ops.platform.stop = xen_pv_stop;
	pv_ops.platform.memory_map = xen_pv_memory_map;
	pv_ops.platform.wait = xen_pv_wait;
	pv_ops.platform.mark = xen_pv_mark;
	xen_pv_mmu_install();
	xen_pv_smp_install();                   /* the vCPUs: smp_pv.c */
	xen_pv_user_install();                  /* ring 3: user_pv.c */
	printk("xen: domain=%s console=%s nr_pages=%lu\n",
	       xen_pv.initial_domain ? "initial (dom0)" : "guest (domU)",
	       xen_pv.initial_domain ? "console_io" : "pv-ring (start_info)", xen_pv.nr_pages);
}

/* For smp_pv.c: the boot vCPU's vcpu_info and the trap table every vCPU gets. */
struct vcpu_info *xen_pv_vcpu0(void)
{
	return &vcpu0;
}

const struct trap_info *xen_pv_trap_table(void)
{
	return trap_table;
}
