/*
 * paravirt.c — find out where we run and pick the backend (design §4).
 *
 * Hypervisors answer CPUID leaves 0x40000000 + n * 0x100 with a signature
 * in EBX:ECX:EDX; Xen moves its leaves up by 0x100 when it also offers
 * Viridian, so every base is scanned (Xen's public arch-x86/cpuid.h).
 * QEMU direct PVH boot without Xen (and bare metal) stays on the native
 * backend.
 */
#include <arch/cpu.h>
#include <generated/config.h>
#include <kernel/boot_info.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>
#include <xen/arch-x86/cpuid.h>

#define CPUID_HV_FIRST  XEN_CPUID_FIRST_LEAF    /* any hypervisor's first leaf */
#define CPUID_HV_LAST   (CPUID_HV_FIRST + 0x10000u)
#define CPUID_HV_STEP   0x100u

struct hypervisor_info hypervisor;

static bool is_xen(uint32_t b, uint32_t c, uint32_t d)
{
	return b == XEN_CPUID_SIGNATURE_EBX && c == XEN_CPUID_SIGNATURE_ECX &&
	       d == XEN_CPUID_SIGNATURE_EDX;
}

void paravirt_init(struct boot_info *bi)
{
	uint32_t base, a, b, c, d;

	if (bi->protocol == PROTO_XEN_PV) {
		/* A PV guest's CPUID is the host's unless Xen intercepts it; the
		 * boot protocol already told us where we are. */
		xen_pv_init(bi, &hypervisor);
		printk("paravirt: backend=%s\n", pv_ops.name);
		return;
	}

	for (base = CPUID_HV_FIRST; base <= CPUID_HV_LAST; base += CPUID_HV_STEP) {
		cpuid(base, &a, &b, &c, &d);
		if (a < base || a > base + 0xff)
			continue;       /* not a hypervisor leaf block */
		if (!hypervisor.present || is_xen(b, c, d)) {
			hypervisor.present = true;
			memcpy(hypervisor.signature + 0, &b, 4);
			memcpy(hypervisor.signature + 4, &c, 4);
			memcpy(hypervisor.signature + 8, &d, 4);
			hypervisor.signature[12] = '\0';
			hypervisor.cpuid_base = base;
		}
		if (is_xen(b, c, d)) {
			hypervisor.xen = true;
			cpuid(base + 1, &a, &b, &c, &d);
			hypervisor.version_major = a >> 16;
			hypervisor.version_minor = a & 0xffff;
			break;
		}
	}
	printk("paravirt: hypervisor=%s cpuid_base=0x%08x",
	       hypervisor.present ? hypervisor.signature : "none", hypervisor.cpuid_base);
	if (hypervisor.xen)
		printk(" xen_version=%u.%u", hypervisor.version_major, hypervisor.version_minor);
	printk("\n");

	if (hypervisor.xen)
		xen_pvh_init(bi, hypervisor.cpuid_base);
	else if (PVH_ON_NATIVE)
		xen_pvh_on_native();    /* test only: make PVH_ON_NATIVE=1 */
	printk("paravirt: backend=%s\n", pv_ops.name);
}
