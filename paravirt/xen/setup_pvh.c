/*
 * setup_pvh.c — the Xen PVH backend: hypercall page, memory map (also
 * Xen PV's), stop, TSC rate, and the ops table.  The console is console.c,
 * the table protection (the hook) mmu_pvh.c.
 */
#include <arch/cpu.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>
#include <xen/sched.h>
#include <xen/memory.h>
#include "internal.h"

/*
 * XENMEM_memory_map fills an array of E820 entries.  Xen's public headers
 * do not define that entry (it is Xen's internal struct e820entry), so its
 * ABI layout — packed, 20 bytes — is spelled out here.
 */
struct xen_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct xen_e820_entry) == 20, "E820 entry ABI is 20 bytes");

static void install_hypercall_page(uint32_t base)
{
	uint32_t pages, msr, c, d;
	uint64_t pa = (uint64_t)hypercall_page - KERNEL_VMA;

	cpuid(base + 2, &pages, &msr, &c, &d);
	if (pages < 1)
		panic("CPUID 0x%08x reports %u hypercall pages", base + 2, pages);
	wrmsr(msr, pa);
	/* The page was all ud2 (0x0f 0x0b); Xen must have written stubs. */
	if (hypercall_page[0] == 0x0f && hypercall_page[1] == 0x0b)
		panic("hypercall page at 0x%lx still holds ud2 after wrmsr 0x%x",
		      (unsigned long)pa, msr);
	printk("xen: hypercall page at pa 0x%lx via msr 0x%x\n", (unsigned long)pa, msr);
}

int xen_memory_map(struct boot_info *bi)
{
	static struct xen_e820_entry e820[MEMMAP_MAX];
	struct xen_memory_map map = { .nr_entries = MEMMAP_MAX };
	unsigned int i;
	long rc;

	set_xen_guest_handle(map.buffer, e820);
	rc = HYPERVISOR_memory_op(XENMEM_memory_map, &map);
	if (rc)
		panic("XENMEM_memory_map failed: rc=%ld", rc);
	for (i = 0; i < map.nr_entries; i++)
		memmap_add(&bi->map, e820[i].addr, e820[i].size, e820[i].type);
	bi->map_source = "XENMEM_memory_map";
	return 0;
}

/* The host's memory map, in machine addresses (the initial domain only):
 * its number of entries, or Xen's negative error. */
int xen_machine_memory_map_entries(void)
{
	static struct xen_e820_entry e820[MEMMAP_MAX];
	struct xen_memory_map map = { .nr_entries = MEMMAP_MAX };
	long rc;

	set_xen_guest_handle(map.buffer, e820);
	rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &map);
	return rc ? (int)rc : (int)map.nr_entries;
}

__attribute__((noreturn))
static void xen_pvh_stop(enum stop_code code)
{
	struct sched_shutdown s = {
		.reason = code == STOP_PASS ? SHUTDOWN_poweroff : SHUTDOWN_crash,
	};

	xen_console_flush();
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
	halt_forever();         /* shutdown does not return; if it did, stay put */
}

static void xen_pvh_load_root(phys_addr_t root)
{
	xen_console_map_fixmap();       /* the ring must stay reachable */
	write_cr3(root);
	xen_console_use_fixmap();
}

/* Xen's CPUID time leaf (base + 3, sub-leaf 0): ECX = guest TSC kHz. */
static uint32_t xen_cpuid_base;

static unsigned long xen_pvh_calibrate_tsc(const char **source)
{
	uint32_t a, b, c, d;

	cpuid_count(xen_cpuid_base + 3, 0, &a, &b, &c, &d);
	*source = "xen-cpuid";
	return c;
}

void xen_pvh_init(struct boot_info *bi, uint32_t cpuid_base)
{
	bool initial = bi->pvh_flags & SIF_INITDOMAIN;

	install_hypercall_page(cpuid_base);
	pv_ops.name = "xen-pvh";
	pv_ops.platform.stop = xen_pvh_stop;
	pv_ops.platform.memory_map = xen_memory_map;
	pv_ops.platform.calibrate_tsc = xen_pvh_calibrate_tsc;
	xen_cpuid_base = cpuid_base;
	xen_console_init(initial);      /* replays everything printed so far */
	xen_pvh_mmu_install(xen_pvh_batch_built);
	pv_ops.mmu.load_root = xen_pvh_load_root;
	printk("xen: domain=%s console=%s\n", initial ? "initial (dom0)" : "guest (domU)",
	       initial ? "port-0xe9" : "pv-ring");
}
