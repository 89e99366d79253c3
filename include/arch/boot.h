/*
 * include/arch/boot.h — boot-protocol constants shared by the 32-bit entry
 * stubs (head.asm, through asm-offsets) and their C halves.
 *
 * Multiboot2 is GRUB's protocol; no Debian package ships its header, so the
 * few numbers used here are from the Multiboot2 specification (1.0, section
 * 3.1 "OS image format" and 3.6 "Boot information format").  Everything
 * Xen/PVH comes from Xen's public headers (libxen-dev).
 */
#ifndef ARCH_BOOT_H
#define ARCH_BOOT_H

/* Which stub ran: passed from head.asm to x86_64_start() in %edi. */
#define BOOT_PROTO_MULTIBOOT2   1
#define BOOT_PROTO_PVH          2

/* Multiboot2 header (in the image) */
#define MB2_HEADER_MAGIC                0xe85250d6
#define MB2_ARCH_I386                   0
#define MB2_HEADER_TAG_END              0
#define MB2_HEADER_TAG_ENTRY_ADDRESS    3
#define MB2_HEADER_TAG_FRAMEBUFFER      5       /* u32 width, height, depth */
#define MB2_HEADER_TAG_OPTIONAL         1       /* flags: loader may ignore it */

/* Multiboot2 boot information (from the loader) */
#define MB2_BOOTLOADER_MAGIC            0x36d76289
#define MB2_TAG_END                     0
#define MB2_TAG_CMDLINE                 1
#define MB2_TAG_BOOT_LOADER_NAME        2
#define MB2_TAG_MODULE                  3
#define MB2_TAG_MMAP                    6
#define MB2_TAG_FRAMEBUFFER             8
#define MB2_TAG_EFI32                   11      /* EFI system table, 32-bit */
#define MB2_TAG_EFI64                   12      /* EFI system table, 64-bit */
#define MB2_TAG_ACPI_OLD                14      /* copy of an ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW                15      /* copy of an ACPI 2.0+ RSDP */
#define MB2_TAG_EFI_MMAP                17      /* the EFI memory map as is */
#define MB2_TAG_EFI_BS                  18      /* boot services not exited */

/* Framebuffer tag types */
#define MB2_FB_INDEXED                  0
#define MB2_FB_RGB                      1
#define MB2_FB_EGA_TEXT                 2

/* QEMU isa-debug-exit: QEMU exits with status (value << 1) | 1. */
#define DEBUG_EXIT_PORT         0x501
#define DEBUG_EXIT_PASS         0x10    /* QEMU exit status 33 */
#define DEBUG_EXIT_FAIL         0x11    /* QEMU exit status 35 */
#define DEBUG_EXIT_PANIC        0x12    /* QEMU exit status 37 */

#endif /* ARCH_BOOT_H */
