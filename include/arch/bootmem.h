/*
 * include/arch/bootmem.h — reading boot data by physical address while the
 * boot page tables (identity map of 0-4 GiB) are live.
 */
#ifndef ARCH_BOOTMEM_H
#define ARCH_BOOTMEM_H

#include <stdint.h>

#define BOOT_IDENTITY_LIMIT 0x100000000ULL

/* A pointer to [pa, pa+size) — panics, naming `what`, when it is NULL or
 * not reachable through the boot identity map. */
const void *boot_phys(uint64_t pa, uint64_t size, const char *what);

#endif /* ARCH_BOOTMEM_H */
