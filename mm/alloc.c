/*
 * alloc.c — where table pages come from, and the batch descriptor.
 *
 *   - reservations: RAM that never holds tables (lowmem, the image, boot
 *     data), and the free RAM that remains;
 *   - ram_alloc_page(): step 5's source, the highest free page below the
 *     cursor that the direct map already covers;
 *   - the batch: its table pages as extents, its links, its counts.
 */
#include <kernel/panic.h>
#include <lib/string.h>
#include "internal.h"

static struct pt_link link_store[BATCH_LINKS_MAX];

/* Free RAM for tables: usable RAM minus the reservations, ascending. */
struct mem_range free_ram[MEMMAP_CAP + RESERVE_MAX];
unsigned int nr_free_ram;
uint64_t ram_cursor;                    /* next RAM table page is below this */

/* Pages given back after mm_init (an address space's tables and frames),
 * handed out again before the cursor moves down.  Empty during mm_init. */
static phys_addr_t freed[FREED_PAGES_MAX];
static unsigned int nr_freed;

/* ------------------------------------------------------------ reserve */

void reserve(uint64_t start, uint64_t end, const char *why)
{
	if (end <= start)
		return;
	if (mm.nr_reserved == RESERVE_MAX)
		panic("more than %d reserved ranges (adding %s)", RESERVE_MAX, why);
	mm.reserved[mm.nr_reserved].start = start & ~(PAGE_SIZE - 1);
	mm.reserved[mm.nr_reserved].end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	mm.reserved_why[mm.nr_reserved] = why;
	mm.nr_reserved++;
}

/* free_ram = usable RAM minus every reserved range (which may overlap). */
void build_free_ram(void)
{
	struct mem_range sorted[RESERVE_MAX];
	unsigned int i, j, n = mm.nr_reserved;

	nr_freed = 0;                   /* a new mm_init: nothing was freed */
	for (i = 0; i < n; i++) {
		struct mem_range v = mm.reserved[i];
		for (j = i; j > 0 && sorted[j - 1].start > v.start; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
	nr_free_ram = 0;
	for (i = 0; i < mm.ram.nr; i++) {
		uint64_t cur = mm.ram.e[i].start, e = cur + mm.ram.e[i].size;

		for (j = 0; j < n && cur < e; j++) {
			if (sorted[j].end <= cur || sorted[j].start >= e)
				continue;
			if (sorted[j].start > cur) {
				free_ram[nr_free_ram].start = cur;
				free_ram[nr_free_ram++].end = sorted[j].start;
			}
			cur = sorted[j].end > cur ? sorted[j].end : cur;
		}
		if (cur < e) {
			free_ram[nr_free_ram].start = cur;
			free_ram[nr_free_ram++].end = e;
		}
	}
}

/* Free pages in [lo, hi). */
unsigned long free_pages_between(uint64_t lo, uint64_t hi)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < nr_free_ram; i++) {
		uint64_t s = free_ram[i].start > lo ? free_ram[i].start : lo;
		uint64_t e = free_ram[i].end < hi ? free_ram[i].end : hi;
		if (e > s)
			n += (e - s) / PAGE_SIZE;
	}
	return n;
}


bool page_free(phys_addr_t pa)
{
	if (nr_freed == FREED_PAGES_MAX)
		return false;           /* kept out of use: a leak, counted by the caller */
	freed[nr_freed++] = pa;
	return true;
}

/* Step 5's allocator: the highest free page below the cursor that the
 * direct map already covers.  0 when there is none. */
phys_addr_t ram_alloc_page(void)
{
	int i;

	if (nr_freed) {
		phys_addr_t pa = freed[--nr_freed];

		memset(pt_virt(pa), 0, PAGE_SIZE);
		return pa;
	}

	for (i = (int)nr_free_ram - 1; i >= 0; i--) {
		const struct mem_range *f = &free_ram[i];
		uint64_t top = f->end < ram_cursor ? f->end : ram_cursor;

		if (top <= f->start)
			continue;
		if (top - PAGE_SIZE < mm.mapped_lo)
			return 0;
		ram_cursor = top - PAGE_SIZE;
		memset(pt_virt(ram_cursor), 0, PAGE_SIZE);
		return ram_cursor;
	}
	return 0;
}

/* The highest free mapped page below `limit`.  Below the cursor this is
 * ram_alloc_page(); above it, the page is cut out of free_ram so that the
 * cursor never hands it out again. */
phys_addr_t ram_alloc_page_below(uint64_t limit)
{
	int i;

	if (ram_cursor <= limit)
		return ram_alloc_page();
	for (i = (int)nr_free_ram - 1; i >= 0; i--) {
		struct mem_range *f = &free_ram[i];
		uint64_t top = (f->end < limit ? f->end : limit) & ~(PAGE_SIZE - 1);
		phys_addr_t pa;

		if (top < f->start + PAGE_SIZE)
			continue;
		pa = top - PAGE_SIZE;
		if (pa < mm.mapped_lo)
			return 0;
		if (top < f->end) {             /* split: [top, end) stays free */
			if (nr_free_ram == MEMMAP_CAP + RESERVE_MAX)
				return 0;
			memmove(f + 2, f + 1, (nr_free_ram - i - 1) * sizeof(*f));
			f[1].start = top;
			f[1].end = f->end;
			nr_free_ram++;
		}
		f->end = pa;
		memset(pt_virt(pa), 0, PAGE_SIZE);
		return pa;
	}
	return 0;
}

/* ------------------------------------------------------------- batches */

void batch_begin(struct pt_builder *bd, struct pt_batch *b, enum pt_source src)
{
	memset(b, 0, sizeof(*b));
	b->id = mm.batches;
	b->source = src;
	b->links = link_store;
	memset(bd, 0, sizeof(*bd));
	bd->batch = b;
}

static phys_addr_t take(struct pt_batch *b, unsigned int level, phys_addr_t pa);

phys_addr_t batch_take_page(struct pt_batch *b, unsigned int level)
{
	return take(b, level, b->source == PT_SRC_BRK ? brk_alloc_page() : ram_alloc_page());
}

phys_addr_t batch_take_page_below(struct pt_batch *b, unsigned int level, uint64_t limit)
{
	return take(b, level, ram_alloc_page_below(limit));
}

static phys_addr_t take(struct pt_batch *b, unsigned int level, phys_addr_t pa)
{
	struct mem_range *x = b->nr_extents ? &b->extents[b->nr_extents - 1] : NULL;

	if (!pa)
		return 0;
	if (x && x->start == pa + PAGE_SIZE) {
		x->start = pa;                  /* downward, contiguous */
	} else if (x && x->end == pa) {
		x->end = pa + PAGE_SIZE;        /* upward (brk) */
	} else {
		if (b->nr_extents == BATCH_EXTENTS_MAX)
			panic("batch %u: table pages in more than %d extents", b->id,
			      BATCH_EXTENTS_MAX);
		b->extents[b->nr_extents].start = pa;
		b->extents[b->nr_extents].end = pa + PAGE_SIZE;
		b->nr_extents++;
	}
	b->nr_tables++;
	b->tables_at[level]++;
	mm.tables++;
	mm.tables_at[level]++;
	return pa;
}

phys_addr_t batch_alloc_table(struct pt_batch *b, unsigned int level)
{
	phys_addr_t pa = batch_take_page(b, level);

	if (!pa)
		panic("batch %u: no page left for the hook's L%u table (%s)", b->id, level,
		      b->source == PT_SRC_BRK ? "brk exhausted" : "no free mapped RAM");
	b->hook_split_tables++;
	return pa;
}

void batch_for_each_table(const struct pt_batch *b, void (*fn)(phys_addr_t pa, void *arg),
			  void *arg)
{
	unsigned int i;
	phys_addr_t pa;

	for (i = 0; i < b->nr_extents; i++)
		for (pa = b->extents[i].start; pa < b->extents[i].end; pa += PAGE_SIZE)
			fn(pa, arg);
}

void batch_finish(struct pt_batch *b)
{
	unsigned int l;

	for (l = 1; l < pt_levels; l++)
		mm.leaves_at[l] += b->leaves_at[l];
	mm.ram_mapped += b->ram_bytes;
	mm.batches++;
}
