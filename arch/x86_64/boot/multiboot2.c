/*
 * multiboot2.c — the C half of the multiboot2 entry (GRUB).
 *
 * Boot information layout (Multiboot2 spec 3.6): a u32 total_size and a
 * u32 reserved, then 8-byte aligned tags { u32 type; u32 size; ... } up to
 * an end tag.  The memory-map tag holds entry_size/entry_version and then
 * entries { u64 base_addr; u64 length; u32 type; u32 reserved }.
 */
#include <stdint.h>
#include <arch/boot.h>
#include <arch/bootmem.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>
#include <lib/string.h>

#define MB2_INFO_MAX    (1024 * 1024)   /* sanity bound on total_size */

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

static void copy_string(char *dst, size_t max, const struct mb2_tag *tag,
			const char *what)
{
	const char *s = (const char *)(tag + 1);
	size_t room = tag->size - sizeof(*tag);
	size_t n = strnlen(s, room);

	if (n == room)
		panic("%s tag is not NUL-terminated (size %u)", what, tag->size);
	if (n >= max)
		panic("%s is %zu bytes, longer than the %zu this kernel keeps", what, n, max - 1);
	memcpy(dst, s, n + 1);
}

/* Module tag: u32 mod_start, u32 mod_end (exclusive), then its string. */
static void parse_module(struct boot_info *bi, const struct mb2_tag *tag)
{
	const uint32_t *m = (const uint32_t *)(tag + 1);

	if (tag->size < 17 || m[1] < m[0])
		panic("bad module tag: size %u range 0x%x-0x%x", tag->size,
		      tag->size >= 16 ? m[0] : 0, tag->size >= 16 ? m[1] : 0);
	boot_data_add(bi, m[0], m[1] - m[0]);
}

static void parse_mmap(struct boot_info *bi, const struct mb2_tag *tag)
{
	const uint32_t *hdr = (const uint32_t *)(tag + 1);
	uint32_t entry_size = hdr[0];
	const uint8_t *p = (const uint8_t *)(hdr + 2);
	const uint8_t *end = (const uint8_t *)tag + tag->size;

	if (tag->size < 16 || entry_size < sizeof(struct mb2_mmap_entry) || entry_size % 8)
		panic("bad memory-map tag: size %u entry_size %u", tag->size, entry_size);
	for (; p + entry_size <= end; p += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		memmap_add(&bi->map, e->base_addr, e->length, e->type);
	}
	bi->map_source = "multiboot2";
}

void multiboot2_parse(struct boot_info *bi, uint32_t magic, uint32_t info_pa)
{
	const uint32_t *hdr;
	const uint8_t *p, *end;
	uint32_t total;

	bi->protocol = PROTO_MULTIBOOT2;
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("bad multiboot2 magic 0x%08x in EAX (want 0x%08x)", magic, MB2_BOOTLOADER_MAGIC);
	if (info_pa & 7)
		panic("boot information at 0x%08x is not 8-byte aligned", info_pa);
	hdr = boot_phys(info_pa, 8, "multiboot2 boot information");
	total = hdr[0];
	if (total < 16 || total > MB2_INFO_MAX)
		panic("boot information total_size %u out of range [16, %u]", total, MB2_INFO_MAX);
	p = boot_phys(info_pa, total, "multiboot2 boot information");
	end = p + total;
	boot_data_add(bi, info_pa, total);

	for (p += 8; p + sizeof(struct mb2_tag) <= end;) {
		const struct mb2_tag *tag = (const void *)p;

		if (tag->size < sizeof(*tag) || p + tag->size > end)
			panic("tag type %u at offset 0x%lx has bad size %u (info is %u bytes)",
			      tag->type, (unsigned long)(p - (end - total)), tag->size, total);
		if (tag->type == MB2_TAG_END)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			copy_string(bi->cmdline, sizeof(bi->cmdline), tag, "command line");
			break;
		case MB2_TAG_BOOT_LOADER_NAME:
			copy_string(bi->loader, sizeof(bi->loader), tag, "boot loader name");
			break;
		case MB2_TAG_MMAP:
			parse_mmap(bi, tag);
			break;
		case MB2_TAG_MODULE:
			parse_module(bi, tag);
			break;
		case MB2_TAG_ACPI_NEW:          /* preferred over the old one */
		case MB2_TAG_ACPI_OLD:
			if (tag->size > sizeof(*tag) &&
			    (!bi->rsdp_pa || tag->type == MB2_TAG_ACPI_NEW)) {
				bi->rsdp_pa = info_pa + (uint32_t)((const uint8_t *)(tag + 1) -
								   (end - total));
				bi->rsdp_source = tag->type == MB2_TAG_ACPI_NEW ?
						  "multiboot2-acpi-new" : "multiboot2-acpi-old";
			}
			break;
		}
		p += (tag->size + 7) & ~7u;
	}
}
