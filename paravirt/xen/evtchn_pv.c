/*
 * evtchn_pv.c — event channels of a Xen PV domain: the IPIs between its
 * vCPUs (issue 19 item 3; docs/xen-pv-smp.md).
 *
 * The 2-level ABI (<xen/xen.h>): a port is one bit of shared_info's
 * evtchn_pending[] (and of evtchn_mask[]); Xen sets it, and if the port is
 * unmasked it sets the word's bit in evtchn_pending_sel and
 * evtchn_upcall_pending in the vcpu_info of the vCPU the port is bound to,
 * and enters that vCPU at its event callback (the upcall) once its
 * evtchn_upcall_mask is clear.
 *
 *   ports     one per vCPU, EVTCHNOP_bind_ipi (bound to that vCPU); every
 *             other port masked, so the upcall sees only these
 *   upcall    xen_pv_event_entry (traps_pv.asm), registered for vCPU 0 with
 *             CALLBACKOP_register (CALLBACKTYPE_event; the failsafe callback
 *             a PANIC), for every AP in its VCPUOP_initialise context.  It
 *             runs xen_pv_event_upcall() below: for each pending port of
 *             this vCPU, clear it, count it, run the mailbox; it returns
 *             through HYPERVISOR_iret (xen_pv_iret), which restores the
 *             event mask from the saved RFLAGS.IF and goes back to kernel
 *             or user mode as the saved CS says
 *   send      EVTCHNOP_send on the target's port, counted when Xen accepts it
 *
 * shared_info is the machine page start_info names, mapped in the fixmap
 * (FIX_XEN_PV_SHARED_INFO) by p2m_pv.c at step 4; its slot lies in the
 * image's L2, which every per-CPU L4 shares.
 */
#include <arch/cpu.h>
#include <arch/smp.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/trace.h>
#include <paravirt/xen_pv.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include "internal.h"

#define WORD_BITS (sizeof(xen_ulong_t) * 8)

/* The iret hypercall's stub, for xen_pv_iret (traps_pv.asm). */
const uint64_t xen_pv_iret_stub = (uint64_t)hypercall_page + __HYPERVISOR_iret * 32;

extern const uint8_t xen_pv_event_entry[];

static volatile struct shared_info *sh;
static evtchn_port_t port_of[MAX_CPUS];
static unsigned int nr_ports;
static void (*on_call)(void);           /* smp_call_poll */
static struct xen_pv_evtchn_counts counts[MAX_CPUS];

static unsigned int this_cpu(void)
{
	return ((volatile struct globaldata *)GLOBALDATA_BASE)->cpu;
}

static long callback_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

__attribute__((force_align_arg_pointer, noreturn))
static void xen_pv_failsafe_callback(void)
{
	panic("Xen could not load a segment register on cpu %u (failsafe callback)", this_cpu());
}

uint64_t xen_pv_event_callback_address(void)
{
	return (uint64_t)xen_pv_event_entry;
}

uint64_t xen_pv_failsafe_callback_address(void)
{
	return (uint64_t)xen_pv_failsafe_callback;
}

static void register_callback(uint16_t type, uint64_t address, const char *what)
{
	struct callback_register r = { .type = type, .address = address };
	long rc = callback_op(CALLBACKOP_register, &r);

	if (rc)
		panic("CALLBACKOP_register %s address=0x%lx rc=%ld", what, (unsigned long)address, rc);
}

/*
 * One IPI port per vCPU (cpus[0..n-1], vCPU ids vcpu[]), every other port
 * masked, vCPU 0's callbacks registered (the APs get theirs in
 * VCPUOP_initialise).  Events stay masked on vCPU 0.
 */
void xen_pv_evtchn_init(unsigned int n, const uint32_t *vcpu, void (*call)(void))
{
	xen_ulong_t ours[WORD_BITS];
	char list[MAX_CPUS * 24];
	unsigned int i;
	size_t len;

	sh = (volatile struct shared_info *)fixmap_addr(FIX_XEN_PV_SHARED_INFO);
	on_call = call;
	memset(ours, 0, sizeof(ours));
	for (i = 0; i < n; i++) {
		struct evtchn_bind_ipi b = { .vcpu = vcpu[i] };
		long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

		if (rc)
			panic("EVTCHNOP_bind_ipi vcpu=%u rc=%ld", vcpu[i], rc);
		if (b.port >= WORD_BITS * WORD_BITS)
			panic("EVTCHNOP_bind_ipi vcpu=%u gave port %u: the 2-level ABI has %lu",
			      vcpu[i], b.port, (unsigned long)(WORD_BITS * WORD_BITS));
		port_of[i] = b.port;
		ours[b.port / WORD_BITS] |= 1UL << (b.port % WORD_BITS);
		trace("xenpv evtchn cpu=%u vcpu=%u port=%u op=bind_ipi", i, vcpu[i], b.port);
	}
	nr_ports = n;
	for (i = 0; i < WORD_BITS; i++)
		sh->evtchn_mask[i] = ~ours[i];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	register_callback(CALLBACKTYPE_event, xen_pv_event_callback_address(), "CALLBACKTYPE_event");
	register_callback(CALLBACKTYPE_failsafe, xen_pv_failsafe_callback_address(),
			  "CALLBACKTYPE_failsafe");
	for (i = 0, len = 0; i < n && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%svcpu %u port %u", i ? ", " : "",
				vcpu[i], port_of[i]);
	printk("xen-pv: event channels (2-level, shared_info mfn 0x%lx at 0x%lx): %u IPI ports by EVTCHNOP_bind_ipi, one per vCPU (%s), every other port masked; upcall CALLBACKTYPE_event, failsafe a PANIC\n",
	       (unsigned long)(xen_pv.shared_info_maddr >> PAGE_SHIFT),
	       (unsigned long)fixmap_addr(FIX_XEN_PV_SHARED_INFO), n, list);
}

/* EVTCHNOP_send on cpu id's port: counted on the sender when Xen accepts it. */
void xen_pv_evtchn_send(unsigned int id)
{
	struct evtchn_send s = { .port = port_of[id] };
	unsigned int self = this_cpu();
	long rc;

	if (id >= nr_ports)
		panic("cpu %u has no IPI port (%u bound)", id, nr_ports);
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
	if (rc)
		panic("EVTCHNOP_send port=%u (cpu %u) from cpu %u rc=%ld", s.port, id, self, rc);
	counts[self].sent++;
	counts[id].sent_to++;
}

bool xen_pv_evtchn_pending(unsigned int id)
{
	evtchn_port_t p = port_of[id];

	return (sh->evtchn_pending[p / WORD_BITS] >> (p % WORD_BITS)) & 1;
}

const struct xen_pv_evtchn_counts *xen_pv_evtchn_counts(unsigned int id)
{
	return &counts[id];
}

uint32_t xen_pv_evtchn_port(unsigned int id)
{
	return port_of[id];
}

/*
 * The upcall (from xen_pv_event_entry, events masked by Xen): every pending
 * unmasked port named by this vCPU's evtchn_pending_sel is cleared, then
 * handled: this vCPU's IPI port runs its mailbox; any other is counted as
 * stray (none is unmasked).  Again while Xen marks more pending.  cs: the
 * saved CS; RPL 3 means the upcall interrupted user mode (Xen's bounce frame
 * clears the RPL of a kernel-mode one).
 */
void xen_pv_event_upcall(uint64_t cs)
{
	unsigned int self = this_cpu();
	volatile struct vcpu_info *vi = xen_pv_vinfo(self);
	xen_ulong_t sel, bits;
	unsigned int w, b;
	evtchn_port_t port;

	counts[self].upcalls++;
	if ((cs & 3) == 3)
		counts[self].from_user++;
	do {
		vi->evtchn_upcall_pending = 0;
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel) {
			w = __builtin_ctzl(sel);
			sel &= sel - 1;
			bits = sh->evtchn_pending[w] & ~sh->evtchn_mask[w];
			while (bits) {
				b = __builtin_ctzl(bits);
				bits &= bits - 1;
				port = w * WORD_BITS + b;
				__atomic_fetch_and(&sh->evtchn_pending[w], ~(1UL << b), __ATOMIC_SEQ_CST);
				if (port == port_of[self]) {
					counts[self].received++;
					on_call();
				} else {
					counts[self].stray++;
				}
			}
		}
	} while (vi->evtchn_upcall_pending);
}
