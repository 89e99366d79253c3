/*
 * paravirt.c — find out where we run and pick the backend.
 *
 * Hypervisors answer CPUID leaves 0x40000000 + n * 0x100 with a signature
 * in EBX:ECX:EDX; Xen moves its leaves up by 0x100 when it also offers
 * Viridian, so every base is scanned.  QEMU direct PVH boot without Xen
 * (and bare metal) stays on the native backend.
 */
#include <arch/cpu.h>
#include <kernel/boot_info.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>

#define CPUID_HV_FIRST  0x40000000u
#define CPUID_HV_LAST   0x40010000u
#define CPUID_HV_STEP   0x100u

struct hypervisor_info hypervisor;

void paravirt_init(struct boot_info *bi)
{
	uint32_t base, a, b, c, d;

	if (bi->protocol == PROTO_XEN_PV) {
		/* A PV guest's CPUID is the host's unless Xen intercepts it; the
		 * boot protocol already told us where we are. */
		xen_pv_init(bi);
		printk("paravirt: backend=%s\n", pv_ops.name);
		return;
	}

	for (base = CPUID_HV_FIRST; base <= CPUID_HV_LAST; base += CPUID_HV_STEP) {
		char sig[13];

		cpuid(base, &a, &b, &c, &d);
		memcpy(sig + 0, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = '\0';
		if (a < base || a > base + 0xff)
			continue;       /* not a hypervisor leaf block */
		if (!hypervisor.present) {
			hypervisor.present = true;
			memcpy(hypervisor.signature, sig, sizeof(sig));
			hypervisor.cpuid_base = base;
		}
		if (!strcmp(sig, "XenVMMXenVMM")) {
			memcpy(hypervisor.signature, sig, sizeof(sig));
			hypervisor.cpuid_base = base;
			cpuid(base + 1, &a, &b, &c, &d);
			hypervisor.version_major = a >> 16;
			hypervisor.version_minor = a & 0xffff;
			break;
		}
	}
	printk("paravirt: hypervisor=%s cpuid_base=0x%08x",
	       hypervisor.present ? hypervisor.signature : "none", hypervisor.cpuid_base);
	if (!strcmp(hypervisor.signature, "XenVMMXenVMM"))
		printk(" xen_version=%u.%u", hypervisor.version_major, hypervisor.version_minor);
	printk("\n");

	if (!strcmp(hypervisor.signature, "XenVMMXenVMM"))
		xen_init(bi, hypervisor.cpuid_base);
	printk("paravirt: backend=%s\n", pv_ops.name);
}
