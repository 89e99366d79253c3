/*
 * tests/unit/build.h — run mm_init on one memory map in the host
 * environment and check the result with the independent checker.  Used by
 * the unit tests and the builder fuzzer alike.
 */
#ifndef TESTS_BUILD_H
#define TESTS_BUILD_H

#include <stdbool.h>
#include "checker.h"
#include "hostenv.h"

struct build_case {
	const struct memmap_entry *map;         /* raw, as a loader gives it */
	unsigned int nr;
	const struct mem_range *boot_data;
	unsigned int nr_boot_data;
	unsigned int max_level;                 /* 1 4k, 2 2m, 3 1g */
	unsigned int levels;                    /* paging depth: 4 or 5 (0: 4) */
	bool nx;
	bool tables_readonly;
	unsigned long hook_reserve_pages;       /* mm_config's: what the hook may take */
	unsigned long brk_pages;
	uint64_t phys_limit;
	bool no_mm_check;                       /* skip mm's own self-check (fuzz speed) */
	bool pin;                               /* the hook pins tables (Xen PVH) */
	const struct mm_image *image;           /* NULL: hostenv's fake image */
	const char *trace_env;                  /* the env record, or NULL */
	const char *const *boot_data_why;       /* names of the boot_data ranges, or NULL */
};

struct build_outcome {
	bool panicked;
	char panic_msg[512];
	unsigned long errors;                   /* all sources below */
	char first[600];
	unsigned long host_errors, check_errors, mm_check_errors, trace_errors;
	struct check_result r;
	unsigned long trace_batches;
	uint64_t trace_start;                   /* the begin record's start= */
};

/* Build and check; returns o->errors (a panic is not counted here). */
unsigned long build_and_check(const struct build_case *c, struct build_outcome *o);

#endif /* TESTS_BUILD_H */
