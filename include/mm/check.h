/*
 * include/mm/check.h — walk the live tables and verify the invariants of
 * design §6 that apply to this run.
 */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include <stdbool.h>
#include <mm/pgtable.h>

struct mm_check_result {
	unsigned long violations;
	unsigned long tables, tables_at[PT_LEVELS_MAX + 1];
	unsigned long leaves_direct, leaves_image, leaves_fixmap;
	unsigned long long direct_bytes;
	unsigned long ro_tables_checked;
	char first[160];                /* the first violation, for the report */
};

/* Checks everything; with tables_ro also that every table page is
 * read-only wherever it is mapped.  Prints one line per violation (up to a
 * limit), fills *r (counts, and the first violation's text in r->first;
 * the caller prints the summary) and returns the number of violations. */
unsigned long mm_check(bool tables_ro, struct mm_check_result *r);

/* The selfcheck record of the trace (mm/trace.c; docs/trace.md). */
void trace_selfcheck(const struct mm_check_result *r, bool tables_ro);

/* Is pa one of the live table pages?  (Walks the tree: for fault reports.) */
bool mm_is_table(phys_addr_t pa);

#endif /* MM_CHECK_H */
