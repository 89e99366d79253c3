/*
 * tests/unit/checker.h — an independent model of what mm/ must produce.
 *
 * Nothing here calls mm/'s own code (memmap_normalise, pt_walk, mm_check):
 *   - ref_normalise() (model.c): the normalised memory map, computed
 *     another way; min_tables() (model.c): the fewest table pages;
 *   - check_build() (checker.c): walks the simulated tables raw and checks
 *     design §6, the table-page count against min_tables(), and what the
 *     recording backend saw;
 *   - check_trace() (checker.c): the trace's end record (count + FNV-1a).
 * Shared by tests/unit and tests/fuzz.
 */
#ifndef TESTS_CHECKER_H
#define TESTS_CHECKER_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/mm.h>

#define REF_MAX (4 * MEMMAP_MAX + 8)

struct ref_map {
	struct memmap_entry e[REF_MAX];
	unsigned int nr;
};

/* The normalised map (types, page-aligned usable RAM, merged), no panics:
 * validity (wrap, limit, empty) is the caller's business. */
void ref_normalise(const struct memmap_entry *in, unsigned int n, struct ref_map *out);

/* Entry-by-entry equality (fields only: the struct has padding). */
bool entries_equal(const struct memmap_entry *a, const struct memmap_entry *b, unsigned int n);

/* Its usable ranges only, as [start, end). Returns the count. */
unsigned int ref_usable(const struct ref_map *m, struct mem_range *r, unsigned int max);

struct check_input {
	const struct memmap_entry *map;         /* the raw map given to mm_init */
	unsigned int nr;
	const struct mem_range *boot_data;
	unsigned int nr_boot_data;
	const struct mm_config *cfg;
	const struct mm_image *image;
};

struct check_result {
	unsigned long errors;
	char first[512];
	unsigned long tables, tables_at[PT_LEVELS + 1], brk_tables;
	unsigned long min_tables, min_at[PT_LEVELS + 1];
	unsigned long leaves_at[PT_LEVELS];
	uint64_t direct_bytes, usable_bytes;
	unsigned long batches;
};

/* The fewest table pages that can map the usable RAM in `usable` (sorted,
 * disjoint, merged) plus the image and the fixmap, with leaves no larger
 * than cfg->max_level. */
unsigned long min_tables(const struct mem_range *usable, unsigned int n,
			 const struct mm_config *cfg, const struct mm_image *img,
			 unsigned long at[PT_LEVELS + 1]);

/* After mm_init returned: check everything.  Returns r->errors. */
unsigned long check_build(const struct check_input *in, struct check_result *r);

/* Check the trace in `out`: end record count and checksum, batch records
 * moving down.  Returns the number of errors (first in msg). */
unsigned long check_trace(const char *out, char *msg, unsigned long msglen,
			  unsigned long *batches);

#endif /* TESTS_CHECKER_H */
