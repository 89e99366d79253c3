/*
 * include/kernel/boot_info.h — what any boot protocol tells the kernel,
 * normalised.  Each protocol stub's C half fills one of these and nothing
 * after it looks at the protocol's own structures.  Everything is copied
 * into the kernel image, so boot data need not stay mapped.
 */
#ifndef KERNEL_BOOT_INFO_H
#define KERNEL_BOOT_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/memmap.h>

#define CMDLINE_MAX     1024
#define BOOT_DATA_MAX   32

/* The screen the loader left (multiboot2 framebuffer tag). */
enum screen_kind {
	SCREEN_NONE = 0,                /* none given (PVH, Xen, GRUB without video) */
	SCREEN_TEXT,                    /* VGA/EGA text mode: cells of char + attribute */
	SCREEN_RGB,                     /* linear framebuffer, direct colour */
	SCREEN_INDEXED,                 /* linear framebuffer, palette (not drawn on) */
};

struct boot_screen {
	enum screen_kind kind;
	uint64_t addr;                  /* physical: MMIO, not RAM */
	uint32_t pitch;                 /* bytes per line */
	uint32_t width, height;         /* pixels (text: cells) */
	uint8_t bpp;                    /* bits per pixel (text: 16) */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

enum boot_protocol {
	PROTO_MULTIBOOT2 = 1,   /* == BOOT_PROTO_MULTIBOOT2 */
	PROTO_PVH = 2,          /* == BOOT_PROTO_PVH */
	PROTO_XEN_PV = 3,       /* Xen PV domU: 64-bit entry, struct start_info */
};

struct boot_info {
	enum boot_protocol protocol;
	char loader[64];                /* boot loader name, if given */
	uint32_t pvh_version;           /* hvm_start_info.version (PVH) */
	uint32_t pvh_flags;             /* hvm_start_info.flags (SIF_*); start_info.flags on PV */
	const void *xen_start_info;     /* Xen PV: struct start_info (virtual) */
	const char *map_source;         /* "multiboot2", "start_info", "XENMEM_memory_map", "memmap.test" */

	struct memmap map;              /* as given (not yet normalised) */

	char cmdline[CMDLINE_MAX];

	/* ACPI RSDP as the loader gave it (multiboot2: the PA of the tag's copy;
	 * PVH: hvm_start_info.rsdp_paddr), 0 if none: then the BIOS areas are
	 * searched (arch/x86_64/acpi.c). */
	uint64_t rsdp_pa;
	const char *rsdp_source;

	struct boot_screen screen;

	const char *firmware;           /* "uefi" (EFI system table given), else "bios" */
	uint64_t efi_system_table;      /* physical, 0 if none */
	uint32_t efi_mmap_entries;      /* descriptors in the EFI memory-map tag, if given */

	/* Boot data the loader placed in RAM (info blocks, tables, strings):
	 * reserved so that page tables never land on them. */
	struct mem_range boot_data[BOOT_DATA_MAX];
	const char *boot_data_why[BOOT_DATA_MAX];   /* NULL: "bootdata" */
	unsigned int nr_boot_data;
};

extern struct boot_info boot_info;

const char *boot_protocol_name(enum boot_protocol p);
void boot_data_add(struct boot_info *bi, uint64_t pa, uint64_t size);
void boot_data_add_named(struct boot_info *bi, uint64_t pa, uint64_t size, const char *why);

/* Protocol parsers (arch/x86_64/boot/): check the magic, fill bi. */
void multiboot2_parse(struct boot_info *bi, uint32_t magic, uint32_t info_pa);
void pvh_parse(struct boot_info *bi, uint32_t info_pa);
void xen_pv_parse(struct boot_info *bi, const void *start_info, uint64_t boot_stack_top);

#endif /* KERNEL_BOOT_INFO_H */
