/*
 * include/mm/memmap.h — the physical memory map and its normalisation.
 *
 * Types use the E820 numbering that multiboot2 and hvm_start_info share.
 * After memmap_normalise():
 *   - entries are sorted, do not overlap, have non-zero size;
 *   - adjacent entries of the same type are merged;
 *   - where entries overlapped, the more restrictive (higher) type wins;
 *     a type that is no E820 type (0, or above 7) counts as reserved:
 *     anything not usable RAM is reserved;
 *   - usable RAM is page aligned inward (partial pages become reserved);
 *   - nothing lies at or above the limit (MAXPHYADDR) — such entries panic.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#define MEMMAP_MAX      128     /* entries a loader may give */
#define MEMMAP_CAP      (4 * MEMMAP_MAX)        /* room while normalising: cuts
						 * and partial pages add entries */

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI = 3,
	MEM_NVS = 4,
	MEM_UNUSABLE = 5,
	MEM_DISABLED = 6,
	MEM_PMEM = 7,
};

struct mem_range {
	uint64_t start;
	uint64_t end;           /* exclusive */
};

struct memmap_entry {
	uint64_t start;
	uint64_t size;
	uint32_t type;
};

struct memmap {
	struct memmap_entry e[MEMMAP_CAP];
	unsigned int nr;
};

const char *mem_type_name(uint32_t type);

/* Append an entry as a loader gave it; panics past MEMMAP_MAX entries. */
void memmap_add(struct memmap *m, uint64_t start, uint64_t size, uint32_t type);

/*
 * Normalise in place (see above).  phys_limit is 1 << MAXPHYADDR: an entry
 * that ends above it, or wraps around, panics naming the entry; an empty
 * map or one without usable RAM panics too.
 */
void memmap_normalise(struct memmap *m, uint64_t phys_limit);

/* Print the map like Linux: "[mem 0x...-0x...] type". */
void memmap_print(const char *prefix, const struct memmap *m);

/* Total bytes of usable RAM, and the end of the highest usable range. */
uint64_t memmap_usable_bytes(const struct memmap *m);
uint64_t memmap_usable_end(const struct memmap *m);

#endif /* MM_MEMMAP_H */
