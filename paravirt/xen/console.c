/*
 * console.c — Xen console output.
 *
 *   domU:  the PV console ring (HVM_PARAM_CONSOLE_PFN / _EVTCHN), which is
 *          what xenconsoled logs and `xl console` shows.  Port 0xE9 carries
 *          the output only until the ring is up (`xl dmesg`, with Xen's
 *          guest_loglvl=all); then everything printed so far is replayed
 *          into the ring, so the ring has the whole run.
 *   dom0:  no ring; port 0xE9 (Xen prints it as "(d0) ...").
 *
 * The ring's out buffer is 2 KiB: when it is full the writer notifies and
 * waits for xenconsoled to consume (bounded, so a dead backend cannot hang
 * the guest forever).
 */
#include <arch/cpu.h>
#include <kernel/console.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <paravirt/ops.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include "internal.h"

#define RING_WAIT_SPINS     200000000UL /* ~seconds under emulation */

static volatile struct xencons_interface *ring;
static phys_addr_t ring_pa;
static evtchn_port_t ring_port;
static bool ring_dead;

static void e9_write(const char *s, size_t n)
{
	while (n--)
		outb(XEN_HVM_DEBUGCONS_IOPORT, (uint8_t)*s++);
}

static uint64_t hvm_param(uint32_t index)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	long rc = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

	if (rc)
		panic("HVMOP_get_param(%u) failed: rc=%ld", index, rc);
	return p.value;
}

static void ring_notify(void)
{
	struct evtchn_send send = { .port = ring_port };

	HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

static void ring_write(const char *s, size_t n)
{
	unsigned long spins = 0;

	while (n && !ring_dead) {
		XENCONS_RING_IDX cons = ring->out_cons, prod = ring->out_prod;
		size_t space;

		__asm__ volatile("mfence" ::: "memory");
		space = sizeof(ring->out) - (prod - cons);
		if (!space) {
			if (spins++ == 0)
				ring_notify();
			if (spins > RING_WAIT_SPINS) {
				ring_dead = true;
				e9_write("xen: console ring stuck, output lost\n", 37);
			}
			__asm__ volatile("pause");
			continue;
		}
		spins = 0;
		for (; space && n; space--, n--)
			ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *s++;
		__asm__ volatile("sfence" ::: "memory");
		ring->out_prod = prod;
		ring_notify();
	}
}

void xen_console_flush(void)
{
	unsigned long spins;

	if (!ring)
		return;
	for (spins = 0; spins < RING_WAIT_SPINS && ring->out_cons != ring->out_prod; spins++) {
		if (!(spins & 0xffff))
			ring_notify();
		__asm__ volatile("pause");
	}
}

static void xen_console_write(const char *s, size_t n)
{
	if (ring)
		ring_write(s, n);
	else
		e9_write(s, n);
}

void xen_console_init(bool initial_domain)
{
	uint64_t pfn;

	pv_ops.console.write = xen_console_write;
	console_replay(e9_write);               /* what went to COM1 before */
	if (initial_domain)
		return;
	pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
	if (!pfn)
		panic("no PV console: HVM_PARAM_CONSOLE_PFN is 0 (domU without a console)");
	if (pfn >= (1ULL << 20))
		panic("PV console pfn 0x%lx is above 4 GiB, out of reach of the boot tables",
		      (unsigned long)pfn);
	ring_port = (evtchn_port_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	ring_pa = pfn << PAGE_SHIFT;
	ring = (volatile struct xencons_interface *)(uintptr_t)ring_pa;  /* identity */
	console_replay(ring_write);
	printk("xen: console ring pfn=0x%lx evtchn=%u (replayed the early log)\n",
	       (unsigned long)pfn, ring_port);
}

/* Xen PV: the ring's page is named by start_info (console.domU) and
 * reached through `va`; called again when that VA changes (step 4). */
void xen_console_attach(volatile void *va, uint32_t evtchn)
{
	ring = va;
	ring_port = evtchn;
	pv_ops.console.write = xen_console_write;
}

/* Called just before CR3 switches to our own tables, which have no identity
 * map: put the ring in the fixmap, then point at it once the switch is done. */
void xen_console_map_fixmap(void)
{
	if (ring)
		fixmap_set(FIX_XEN_PVH_CONSOLE, ring_pa, true);
}

void xen_console_use_fixmap(void)
{
	if (ring)
		ring = (volatile struct xencons_interface *)fixmap_addr(FIX_XEN_PVH_CONSOLE);
}
