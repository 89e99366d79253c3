/*
 * trace.c — the setup trace (format: docs/trace.md).
 *
 * Every record is one line "trace: <kind> key=value ...".  The checksum in
 * the end record is FNV-1a over the text of every record before it (from
 * "trace: " up to and including the newline), so a truncated or altered
 * trace is detected by tools/tracecmp.
 */
#include <stdarg.h>
#include <kernel/printk.h>
#include <lib/fnv.h>
#include <paravirt/ops.h>
#include <mm/check.h>
#include <mm/trace.h>
#include "internal.h"

#define TRACE_VERSION 1

static uint32_t trace_sum;
static unsigned long trace_records;

void trace(const char *fmt, ...)
{
	char line[PRINTK_MAX];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "trace: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = '\0';
	trace_sum = fnv1a32(trace_sum, line, (size_t)n);
	trace_records++;
	printk("%s", line);
}

void trace_begin(uint64_t chunk, unsigned int growth_shift, uint64_t batch_min,
		 unsigned long hook_reserve, uint64_t start)
{
	trace_sum = FNV1A32_INIT;
	trace_records = 0;
	trace("begin v=%d maxpage=%s nx=%d brk_pages=%lu phys_limit=0x%lx tables_ro=%d chunk=0x%lx growth_shift=%u batch_min=0x%lx hook_reserve=%lu start=0x%lx",
	      TRACE_VERSION, page_size_name(mm.cfg.max_level), mm.cfg.nx,
	      mm.image->brk_pages, (unsigned long)mm.cfg.phys_limit, mm.cfg.tables_readonly,
	      (unsigned long)chunk, growth_shift, (unsigned long)batch_min, hook_reserve,
	      (unsigned long)start);
}

void trace_end(void)
{
	uint32_t sum = trace_sum;
	unsigned long n = trace_records;

	printk("trace: end records=%lu fnv1a=0x%08x\n", n, sum);
}

void trace_batch(const struct pt_batch *b)
{
	trace("batch id=%u step=%s src=%s pa=[mem 0x%010lx-0x%010lx] va=[0x%016lx-0x%016lx] ram=%lu leaves_4k=%lu leaves_2m=%lu leaves_1g=%lu image_leaves=%lu tables=%lu l4=%lu l3=%lu l2=%lu l1=%lu links=%u budget=%lu stop=%s",
	      b->id, b->source == PT_SRC_BRK ? "1-2" : "5", b->source == PT_SRC_BRK ? "brk" : "ram",
	      (unsigned long)b->pa_lo, (unsigned long)(b->pa_hi - 1),
	      (unsigned long)(DIRECT_MAP_BASE + b->pa_lo), (unsigned long)(DIRECT_MAP_BASE + b->pa_hi - 1),
	      (unsigned long)b->ram_bytes, b->leaves_at[1], b->leaves_at[2], b->leaves_at[3],
	      b->image_leaves, b->nr_tables, b->tables_at[4], b->tables_at[3], b->tables_at[2],
	      b->tables_at[1], b->nr_links, b->budget, b->stop);
}

void trace_hook(const struct pt_batch *b)
{
	unsigned int i;

	trace("hook id=%u step=%u backend=%s action=%s result=%s ro_entries=%lu splits=%lu split_tables=%lu",
	      b->id, b->source == PT_SRC_BRK ? 3 : 6, pv_ops.name, b->hook_action,
	      b->hook_result, b->hook_ro_entries, b->hook_splits, b->hook_split_tables);
	for (i = 0; i < b->nr_extents; i++)
		trace("tables id=%u src=%s [mem 0x%010lx-0x%010lx] pages=%lu",
		      b->id, b->source == PT_SRC_BRK ? "brk" : "ram",
		      (unsigned long)b->extents[i].start, (unsigned long)(b->extents[i].end - 1),
		      (unsigned long)((b->extents[i].end - b->extents[i].start) / PAGE_SIZE));
}

void trace_selfcheck(const struct mm_check_result *r, bool tables_ro)
{
	trace("selfcheck violations=%lu tables=%lu direct_bytes=%llu direct_leaves=%lu image_leaves=%lu fixmap_leaves=%lu ro_tables_checked=%lu tables_ro=%s",
	      r->violations, r->tables, r->direct_bytes, r->leaves_direct, r->leaves_image,
	      r->leaves_fixmap, r->ro_tables_checked, tables_ro ? "checked" : "n/a");
}
