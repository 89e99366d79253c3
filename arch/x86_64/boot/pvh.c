/*
 * pvh.c — the C half of the PVH entry (QEMU -kernel, Xen domU and dom0).
 *
 * struct hvm_start_info and its memory map come from Xen's public header.
 * Version 1 carries a memory map (QEMU, xl-built domUs); version 0 (a PVH
 * dom0 built by Xen) does not, and the map is fetched later through the
 * paravirt backend (XENMEM_memory_map).
 */
#include <stdint.h>
#include <arch/bootmem.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>
#include <lib/string.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#define PVH_VERSION_MAX 1

static void copy_cmdline(struct boot_info *bi, uint64_t pa)
{
	const char *s;
	size_t n;

	if (!pa)
		return;
	/* Read at most CMDLINE_MAX bytes: more means too long. */
	s = boot_phys(pa, 1, "command line");
	if (pa + CMDLINE_MAX > BOOT_IDENTITY_LIMIT)
		panic("command line at 0x%lx is too close to 4 GiB", (unsigned long)pa);
	n = strnlen(s, CMDLINE_MAX);
	if (n == CMDLINE_MAX)
		panic("command line longer than %d bytes", CMDLINE_MAX - 1);
	memcpy(bi->cmdline, s, n + 1);
	boot_data_add(bi, pa, n + 1);
}

/* Modules (e.g. QEMU -initrd) stay where the loader put them: reserve
 * the list, each module and its command line. */
static void reserve_modules(struct boot_info *bi, const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m;
	uint32_t i;

	if (!si->nr_modules)
		return;
	if (si->nr_modules > BOOT_DATA_MAX / 2)
		panic("start_info lists %u modules (max %d)", si->nr_modules, BOOT_DATA_MAX / 2);
	m = boot_phys(si->modlist_paddr, (uint64_t)si->nr_modules * sizeof(*m), "start_info module list");
	boot_data_add(bi, si->modlist_paddr, (uint64_t)si->nr_modules * sizeof(*m));
	for (i = 0; i < si->nr_modules; i++) {
		if (m[i].paddr + m[i].size < m[i].paddr)
			panic("module %u [mem 0x%lx+0x%lx] wraps around", i,
			      (unsigned long)m[i].paddr, (unsigned long)m[i].size);
		boot_data_add(bi, m[i].paddr, m[i].size);
		if (m[i].cmdline_paddr) {
			const char *s = boot_phys(m[i].cmdline_paddr, 1, "module command line");
			boot_data_add(bi, m[i].cmdline_paddr, strnlen(s, CMDLINE_MAX) + 1);
		}
	}
}

void pvh_parse(struct boot_info *bi, uint32_t info_pa)
{
	const struct hvm_start_info *si;

	bi->protocol = PROTO_PVH;
	if (!info_pa)
		panic("no hvm_start_info (EBX = 0)");
	si = boot_phys(info_pa, sizeof(*si), "hvm_start_info");
	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		panic("bad hvm_start_info magic 0x%08x (want 0x%08x)", si->magic,
		      XEN_HVM_START_MAGIC_VALUE);
	if (si->version > PVH_VERSION_MAX)
		panic("hvm_start_info version %u unknown (this kernel knows 0-%d)",
		      si->version, PVH_VERSION_MAX);
	bi->pvh_version = si->version;
	bi->pvh_flags = si->flags;
	boot_data_add(bi, info_pa, sizeof(*si));
	copy_cmdline(bi, si->cmdline_paddr);
	reserve_modules(bi, si);
	strlcpy(bi->loader, "PVH", sizeof(bi->loader));
	if (si->rsdp_paddr) {
		bi->rsdp_pa = si->rsdp_paddr;
		bi->rsdp_source = "start_info";
	}

	if (si->version >= 1 && si->memmap_entries) {
		const struct hvm_memmap_table_entry *e;
		uint32_t i, n = si->memmap_entries;

		if (n > MEMMAP_MAX)
			panic("start_info memory map has %u entries (max %d)", n, MEMMAP_MAX);
		e = boot_phys(si->memmap_paddr, (uint64_t)n * sizeof(*e), "start_info memory map");
		for (i = 0; i < n; i++)
			memmap_add(&bi->map, e[i].addr, e[i].size, e[i].type);
		boot_data_add(bi, si->memmap_paddr, (uint64_t)n * sizeof(*e));
		bi->map_source = "start_info";
	}
}
