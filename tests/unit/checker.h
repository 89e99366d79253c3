/*
 * tests/unit/checker.h — an independent model of what mm/ must produce.
 *
 * Nothing here calls mm/'s own code (memmap_normalise, pt_walk, mm_check):
 *   - ref_normalise() (model.c): the normalised memory map, computed
 *     another way; min_tables() (model.c): the fewest table pages;
 *     ref_free() / ref_start() (model.c): the free RAM and where step 2
 *     must start;
 *   - check_build() (checker.c): walks the simulated tables raw and checks
 *     design §6, the table-page count against min_tables(), and what the
 *     recording backend saw;
 *   - check_trace() (checker.c): the trace's end record (count + FNV-1a:
 *     the checksum is not a rule of the builder, it uses kernel/fnv.c),
 *     its start=, the order of its batch records, and the growth rule
 *     (each step-5 batch stops at its target, or short of it).
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
	unsigned int levels;                    /* the depth asked for: 4 or 5 */
};

struct check_result {
	unsigned long errors;
	char first[512];
	unsigned long tables, tables_at[PT_LEVELS_MAX + 1], brk_tables;
	unsigned long min_tables, min_at[PT_LEVELS_MAX + 1];
	unsigned long leaves_at[PT_LEVELS_MAX];
	uint64_t direct_bytes, usable_bytes;
	unsigned long batches;
	uint64_t start;                         /* ref_start(): where step 2 must start */
	uint64_t ram_top;                       /* end of usable RAM */
	unsigned int first_above;               /* first batch above start (0: none) */
};

/* The fewest table pages that can map the usable RAM in `usable` (sorted,
 * disjoint, merged) plus the image and the fixmap, with leaves no larger
 * than cfg->max_level, under a root of `levels` (4: an L4, 5: an L5). */
unsigned long min_tables(const struct mem_range *usable, unsigned int n,
			 const struct mm_config *cfg, const struct mm_image *img,
			 unsigned int levels, unsigned long at[PT_LEVELS_MAX + 1]);

/*
 * Free RAM, where tables may go: the usable ranges u[] (sorted, merged)
 * minus every reservation — [0, 1 MiB), the image, each boot-data range,
 * page-rounded outward, overlapping or not — as maximal ranges, ascending.
 * Returns the count (at most max).
 */
unsigned int ref_free(const struct mem_range *u, unsigned int n, const struct mm_image *img,
		      const struct mem_range *bd, unsigned int nbd, struct mem_range *out,
		      unsigned int max);

/*
 * The start point S (mm.start): the end of the highest free range at least
 * REF_START_MIN_FREE long, rounded up to the largest leaf allowed, capped at
 * the end of RAM; the end of RAM if no free range is that long.  Batch 0
 * maps down from S, the RAM batches go on below it to the bottom of RAM,
 * then "above" batches map [S, end of RAM) from the top down; RAM table
 * pages are the highest free pages below S.
 */
#define REF_START_MIN_FREE (2ULL << 20)
uint64_t ref_start(const struct mem_range *u, unsigned int n, const struct mem_range *f,
		   unsigned int nf, unsigned int max_level);

/* Free pages (of f[], from ref_free) in [lo, hi). */
unsigned long ref_free_pages(const struct mem_range *f, unsigned int nf, uint64_t lo, uint64_t hi);

/* After mm_init returned: check everything.  Returns r->errors. */
unsigned long check_build(const struct check_input *in, struct check_result *r);

/* Check the trace in `out`: end record count and checksum; batch records
 * in the order of the start rule (see ref_start): the first ends at the
 * begin record's start=, each next one directly below the previous, except
 * once, when the "above" batches begin (all at or above start=, directly
 * below each other).  *start gets start= (UINT64_MAX if absent), for the
 * caller to compare with ref_start().  Returns the number of errors (first
 * in msg). */
unsigned long check_trace(const char *out, char *msg, unsigned long msglen,
			  unsigned long *batches, uint64_t *start);

#endif /* TESTS_CHECKER_H */
