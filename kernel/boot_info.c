/*
 * boot_info.c — the normalised boot information.
 */
#include <stddef.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>

struct boot_info boot_info;

const char *boot_protocol_name(enum boot_protocol p)
{
	switch (p) {
	case PROTO_MULTIBOOT2:
		return "multiboot2";
	case PROTO_PVH:
		return "pvh";
	case PROTO_XEN_PV:
		return "xen-pv";
	}
	return "unknown";
}

void boot_data_add(struct boot_info *bi, uint64_t pa, uint64_t size)
{
	boot_data_add_named(bi, pa, size, NULL);
}

void boot_data_add_named(struct boot_info *bi, uint64_t pa, uint64_t size, const char *why)
{
	if (!size)
		return;
	if (bi->nr_boot_data == BOOT_DATA_MAX)
		panic("too many boot data ranges (max %d)", BOOT_DATA_MAX);
	bi->boot_data[bi->nr_boot_data].start = pa;
	bi->boot_data[bi->nr_boot_data].end = pa + size;
	bi->boot_data_why[bi->nr_boot_data] = why;
	bi->nr_boot_data++;
}
