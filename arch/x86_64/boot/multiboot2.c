/*
 * multiboot2.c — the C half of the multiboot2 entry (GRUB).
 *
 * Boot information layout (Multiboot2 spec 3.6): a u32 total_size and a
 * u32 reserved, then 8-byte aligned tags { u32 type; u32 size; ... } up to
 * an end tag.  The memory-map tag holds entry_size/entry_version and then
 * entries { u64 base_addr; u64 length; u32 type; u32 reserved }.
 */
#include <stddef.h>
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

/*
 * Framebuffer tag (spec 3.6.12): u64 addr, u32 pitch, u32 width, u32 height,
 * u8 bpp, u8 type, u16 reserved, then for direct colour (type 1) six u8:
 * red position/size, green position/size, blue position/size.  GRUB gives
 * type 2 (EGA text, 0xb8000, cells) when it leaves the BIOS in text mode.
 */
struct mb2_fb {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint16_t reserved;
	uint8_t rgb[6];
} __attribute__((packed));

static void parse_framebuffer(struct boot_info *bi, const struct mb2_tag *tag)
{
	const struct mb2_fb *fb = (const void *)(tag + 1);
	struct boot_screen *s = &bi->screen;

	if (tag->size < sizeof(*tag) + offsetof(struct mb2_fb, rgb))
		panic("framebuffer tag too short (size %u)", tag->size);
	if (!fb->width || !fb->height || !fb->pitch || !fb->bpp || fb->bpp > 32)
		panic("framebuffer tag: bad mode %ux%u pitch %u bpp %u", fb->width, fb->height,
		      fb->pitch, fb->bpp);
	if ((uint64_t)fb->pitch * 8 < (uint64_t)fb->width * fb->bpp ||
	    fb->addr + (uint64_t)fb->pitch * fb->height < fb->addr)
		panic("framebuffer tag: pitch %u too small for %u pixels of %u bits, or wraps at 0x%lx",
		      fb->pitch, fb->width, fb->bpp, (unsigned long)fb->addr);
	s->addr = fb->addr;
	s->pitch = fb->pitch;
	s->width = fb->width;
	s->height = fb->height;
	s->bpp = fb->bpp;
	switch (fb->type) {
	case MB2_FB_EGA_TEXT:
		s->kind = SCREEN_TEXT;
		break;
	case MB2_FB_RGB:
		if (tag->size < sizeof(*tag) + sizeof(*fb))
			panic("framebuffer tag: RGB without its colour fields (size %u)", tag->size);
		s->kind = SCREEN_RGB;
		s->red_pos = fb->rgb[0];
		s->red_size = fb->rgb[1];
		s->green_pos = fb->rgb[2];
		s->green_size = fb->rgb[3];
		s->blue_pos = fb->rgb[4];
		s->blue_size = fb->rgb[5];
		break;
	case MB2_FB_INDEXED:
		s->kind = SCREEN_INDEXED;
		break;
	default:
		panic("framebuffer tag: unknown type %u", fb->type);
	}
}

/* EFI tags: the system table says the firmware is UEFI.  The EFI memory
 * map is only counted: GRUB also gives it converted to E820 types in the
 * memory-map tag (EfiConventionalMemory and the boot-services types it
 * has exited become usable), which is the map this kernel uses. */
static void parse_efi(struct boot_info *bi, const struct mb2_tag *tag)
{
	const uint32_t *w = (const uint32_t *)(tag + 1);

	switch (tag->type) {
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		if (tag->size < sizeof(*tag) + (tag->type == MB2_TAG_EFI64 ? 8 : 4))
			panic("EFI system table tag too short (size %u)", tag->size);
		bi->firmware = "uefi";
		bi->efi_system_table = tag->type == MB2_TAG_EFI64 ? w[0] | (uint64_t)w[1] << 32 : w[0];
		break;
	case MB2_TAG_EFI_MMAP:
		if (tag->size < 16 || w[0] < 40)
			panic("EFI memory-map tag: size %u descriptor size %u", tag->size,
			      tag->size >= 12 ? w[0] : 0);
		bi->efi_mmap_entries = (tag->size - 16) / w[0];
		break;
	case MB2_TAG_EFI_BS:
		panic("the loader left EFI boot services running (tag 18): this kernel does not ask for that");
	}
}

void multiboot2_parse(struct boot_info *bi, uint32_t magic, uint32_t info_pa)
{
	const uint32_t *hdr;
	const uint8_t *p, *end;
	uint32_t total;

	bi->protocol = PROTO_MULTIBOOT2;
	bi->firmware = "bios";
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
		case MB2_TAG_FRAMEBUFFER:
			parse_framebuffer(bi, tag);
			break;
		case MB2_TAG_EFI32:
		case MB2_TAG_EFI64:
		case MB2_TAG_EFI_MMAP:
		case MB2_TAG_EFI_BS:
			parse_efi(bi, tag);
			break;
		}
		p += (tag->size + 7) & ~7u;
	}
}
