/*
 * xenpv.c — the C half of the Xen PV entry (xen_pv_entry64 in head.asm).
 *
 * The domain builder loaded the image at its linked address and laid out,
 * right after it and mapped 1:1 at KERNEL_VMA + pseudo-physical address
 * (xen/include/public/xen.h, "start of day" layout):
 *
 *   image | [module] | p2m list | start_info | xenstore | console |
 *   bootstrap page tables (read-only) | bootstrap stack | padding to 4 MiB
 *
 * All of it is reserved (each named in the trace): the bootstrap tables are
 * live until step 4, and every other page of the region is writable in
 * them, so none of it may become one of our tables before they are gone.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <kernel/boot_info.h>
#include <kernel/kmain.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/screen.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/pgtable.h>
#include <paravirt/xen_pv.h>

#define XEN_PV_MAGIC         "xen-3.0-x86_64"
#define BOOTSTRAP_ALIGN     (4ULL << 20)

void xen_pv_start(const struct start_info *si, uint64_t boot_stack_top);

static uint64_t pa_of(uint64_t va)
{
	return va - KERNEL_VMA;
}

static void add(struct boot_info *bi, uint64_t pa, uint64_t size, const char *why)
{
	printk("boot: xen-pv bootstrap [mem 0x%010lx-0x%010lx] %s\n", (unsigned long)pa,
	       (unsigned long)(pa + size - 1), why);
	boot_data_add_named(bi, pa, size, why);
}

/* A frame named by its MFN in start_info, as a pseudo-physical address. */
static uint64_t mfn_pa(uint64_t mfn, const char *what)
{
	uint64_t pfn = xen_pv_mfn_to_pfn(mfn);

	if (pfn == XEN_PV_NO_PFN)
		panic("start_info %s mfn=0x%lx is not one of this domain's frames", what,
		      (unsigned long)mfn);
	return pfn << PAGE_SHIFT;
}

/*
 * Where the builder's mapping of the region ends: walk its tables (they are
 * mapped read-only in the region itself) from the image upward.
 */
static uint64_t bootstrap_mapped_end(const struct start_info *si)
{
	uint64_t va = KERNEL_VMA + KERNEL_LOAD_PA;

	for (;; va += PAGE_SIZE) {
		const pte_t *t = (const pte_t *)si->pt_base;
		unsigned int l;

		for (l = pt_levels; l >= 1; l--) {
			pte_t e = t[pt_index(va, l)];
			uint64_t pfn;

			if (!(e & PTE_P))
				return pa_of(va);
			if (l == 1)
				break;
			pfn = xen_pv_mfn_to_pfn(pte_addr(e) >> PAGE_SHIFT);
			if (pfn == XEN_PV_NO_PFN)
				panic("bootstrap L%u entry 0x%016lx names a foreign frame", l,
				      (unsigned long)e);
			t = (const pte_t *)(KERNEL_VMA + (pfn << PAGE_SHIFT));
		}
	}
}

void xen_pv_parse(struct boot_info *bi, const void *start_info, uint64_t boot_stack_top)
{
	const struct start_info *si = start_info;
	uint64_t top = 0, end, n, region = 0;

	bi->protocol = PROTO_XEN_PV;
	bi->xen_start_info = si;
	bi->pvh_flags = si->flags;
	strlcpy(bi->loader, "Xen PV domain builder", sizeof(bi->loader));

	n = strnlen((const char *)si->cmd_line, MAX_GUEST_CMDLINE);
	if (n == MAX_GUEST_CMDLINE)
		panic("start_info command line is not terminated within %d bytes",
		      MAX_GUEST_CMDLINE);
	if (n >= CMDLINE_MAX)
		panic("command line longer than %d bytes", CMDLINE_MAX - 1);
	memcpy(bi->cmdline, si->cmd_line, n + 1);

	/* A module (the initrd) is inside the region unless Xen gave it as
	 * frames (SIF_MOD_START_PFN: a dom0's, outside the mapping). */
	if (si->mod_len && (si->flags & SIF_MOD_START_PFN))
		add(bi, si->mod_start << PAGE_SHIFT, si->mod_len, "xen-module");
	else if (si->mod_len)
		add(bi, region = pa_of(si->mod_start), si->mod_len, "xen-module");
	add(bi, pa_of(si->mfn_list), si->nr_pages * sizeof(xen_pfn_t), "xen-p2m");
	if (!region)
		region = pa_of(si->mfn_list);
	add(bi, pa_of((uint64_t)si), PAGE_SIZE, "xen-start_info");
	if (!(si->flags & SIF_INITDOMAIN)) {    /* dom0: no xenstore, no ring */
		add(bi, mfn_pa(si->store_mfn, "xenstore"), PAGE_SIZE, "xen-xenstore");
		add(bi, mfn_pa(si->console.domU.mfn, "console"), PAGE_SIZE, "xen-console");
	}
	add(bi, pa_of(si->pt_base), si->nr_pt_frames * PAGE_SIZE, "xen-bootstrap-tables");
	if (boot_stack_top & (PAGE_SIZE - 1))
		panic("bootstrap stack top 0x%lx is not page aligned", (unsigned long)boot_stack_top);
	add(bi, pa_of(boot_stack_top) - PAGE_SIZE, PAGE_SIZE, "xen-boot-stack");

	/* The region's elements end at the highest of them; the builder maps
	 * on to a 4 MiB boundary with at least 512 KiB of padding. */
	for (unsigned int i = 0; i < bi->nr_boot_data; i++)
		if (bi->boot_data[i].end > top)
			top = bi->boot_data[i].end;
	end = bootstrap_mapped_end(si);
	if (end < top || end & (BOOTSTRAP_ALIGN - 1))
		panic("bootstrap mapping ends at 0x%lx: not a 4 MiB boundary above the region's last element (0x%lx)",
		      (unsigned long)end, (unsigned long)top);
	add(bi, top, end - top, "xen-padding");
	printk("boot: xen-pv bootstrap region [mem 0x%010lx-0x%010lx] (to the 4 MiB boundary), %lu bootstrap table frames, L4 at pa 0x%lx\n",
	       (unsigned long)region, (unsigned long)(end - 1), si->nr_pt_frames,
	       (unsigned long)pa_of(si->pt_base));
	xen_pv.region_pa = region;
	xen_pv.region_end = end;

	xen_pv.boot_pt_pa = pa_of(si->pt_base);
	xen_pv.boot_pt_frames = si->nr_pt_frames;
	xen_pv.boot_l4_mfn = xen_pv_pfn_to_mfn(xen_pv.boot_pt_pa >> PAGE_SHIFT, __func__);
}

void xen_pv_start(const struct start_info *si, uint64_t boot_stack_top)
{
	panic_before_verdict(screen_emergency);  /* as x86_64_start */
	/* Everything else in start_info is only as good as its magic. */
	if (strncmp(si->magic, XEN_PV_MAGIC, sizeof(si->magic)))
		xen_pv_stop_early();
	xen_pv_early(si);        /* vcpu_info, console ring, trap table: printk works */
	cpu_init();
	printk("boot: xen-pv start_info magic=\"%s\" nr_pages=%lu flags=0x%x\n", si->magic,
	       si->nr_pages, si->flags);
	xen_pv_parse(&boot_info, si, boot_stack_top);
	kmain(&boot_info);
}
