/*
 * bootmem.c — boot data access through the boot identity map.
 */
#include <arch/bootmem.h>
#include <kernel/panic.h>

const void *boot_phys(uint64_t pa, uint64_t size, const char *what)
{
	if (!pa)
		panic("%s: physical address 0 (missing)", what);
	if (pa >= BOOT_IDENTITY_LIMIT || size > BOOT_IDENTITY_LIMIT - pa)
		panic("%s at [mem 0x%010lx-0x%010lx] lies above 4 GiB, out of reach",
		      what, (unsigned long)pa, (unsigned long)(pa + size - 1));
	return (const void *)(uintptr_t)pa;
}
