/*
 * mm/internal.h — shared between the files of mm/ only.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <mm/mm.h>
#include <mm/trace.h>

/* ---- brk.c: the bump allocator over the brk chunk */
void brk_init(void *va, phys_addr_t pa, unsigned long pages);
phys_addr_t brk_alloc_page(void);      /* 0 when exhausted */
unsigned long brk_pages_left(void);
bool pa_in_brk(phys_addr_t pa);
void *brk_virt(phys_addr_t pa);

/* ---- alloc.c: reservations, step 5's page source, batches */
extern uint64_t ram_cursor;            /* next RAM table page is below this */
extern struct mem_range free_ram[];    /* usable RAM minus the reservations */
extern unsigned int nr_free_ram;
void reserve(uint64_t start, uint64_t end, const char *why);
void build_free_ram(void);             /* usable RAM minus the reservations */
unsigned long free_pages_between(uint64_t lo, uint64_t hi);
phys_addr_t ram_alloc_page(void);      /* 0 when no mapped free page is left */
phys_addr_t ram_alloc_page_below(uint64_t limit);  /* the same, below limit */
#define FREED_PAGES_MAX 256
/* Give a page (writable again in every mapping) back to ram_alloc_page;
 * false if the list is full. */
bool page_free(phys_addr_t pa);
struct pt_builder;
/* Every batch starts here: b empty (the next id, its pages from src), and bd
 * a fresh builder that fills it.  batch_finish adds b to the totals. */
void batch_begin(struct pt_builder *bd, struct pt_batch *b, enum pt_source src);
void batch_finish(struct pt_batch *b);

/* Where mm reaches a table page: brk pages through the image, others
 * through phys_window() (the direct map in the kernel). */
static inline pte_t *pt_virt(phys_addr_t pa)
{
	return pa_in_brk(pa) ? brk_virt(pa) : phys_window(pa);
}

/* ---- pgtable.c: the walker/mapper */

/* A child created under a live parent is not linked until the batch is;
 * the builder remembers the newest such child per level so that the next
 * (lower) range reuses it.  Valid because ranges are visited top-down. */
struct pending_child {
	bool valid;
	uint64_t span_va;       /* VA of the first byte the child covers */
	phys_addr_t pa;
};

struct pt_builder {
	struct pt_batch *batch;
	bool count_only;                /* count tables needed, write nothing */
	unsigned long count;
	phys_addr_t fresh;              /* table page descend() just allocated */
	struct pending_child pending[PT_LEVELS_MAX + 1];
};

/* Map [va, va+size) to [pa, pa+size) under root, with leaves no larger than
 * max_level, top down.  root_live says whether root is reachable from CR3
 * (writes into live tables become links of the batch). */
void pt_map(struct pt_builder *bd, phys_addr_t root, bool root_live, uint64_t va,
	    uint64_t size, phys_addr_t pa, unsigned int max_level, pte_t flags);

/* The same under a table of `level` that is not a root (an address space's
 * L3, design §8): [va, va+size) must lie in that table's span. */
void pt_map_below(struct pt_builder *bd, phys_addr_t table, bool live, unsigned int level,
		  uint64_t va, uint64_t size, phys_addr_t pa, unsigned int max_level, pte_t flags);
/* The leaf for va under `table` (of `level`; pt_lookup's walk from any
 * table), 0 if none; its level and slot where asked. */
pte_t pt_lookup_below(phys_addr_t table, unsigned int level, uint64_t va,
		      unsigned int *leaf_level, pte_t **slot);
/* Clear the leaf for va under `table` (of `level`) through write_pte; returns
 * the old entry (0 if nothing was mapped).  The caller flushes. */
pte_t pt_unmap_below(phys_addr_t table, unsigned int level, uint64_t va);

/* Count, without writing, the tables what follows would allocate:
 *   pt_count_begin(bd, saved); pt_map(...)...; n = pt_count_end(bd, saved); */
void pt_count_begin(struct pt_builder *bd, struct pending_child *saved);
unsigned long pt_count_end(struct pt_builder *bd, const struct pending_child *saved);

/* The tables pt_map would allocate for the whole, aligned span of one
 * level-`level` entry at va (leaves up to max_level inside it), as a count
 * pass would find them, without one; PT_COUNT_MAPPED if part of the span is
 * mapped already. */
#define PT_COUNT_MAPPED ((unsigned long)-1)
unsigned long pt_count_whole(struct pt_builder *bd, phys_addr_t root, uint64_t va,
			    unsigned int level, unsigned int max_level);

/* Is the table of `level` covering va reachable from a live root?  (false
 * when it does not exist yet, or root is not live.) */
bool pt_table_live(phys_addr_t root, bool root_live, uint64_t va, unsigned int level);

/* Make sure a table of `level` exists for va (for the fixmap). */
void pt_ensure_table(struct pt_builder *bd, phys_addr_t root, bool root_live,
		     uint64_t va, unsigned int level);

/* Allocate a zeroed table page for the batch (brk or RAM, by its source),
 * record it in the extents; 0 if the source is exhausted. */
phys_addr_t batch_take_page(struct pt_batch *b, unsigned int level);
/* The same from RAM below `limit` (an AP's L4: CR3 is loaded in 32-bit mode). */
phys_addr_t batch_take_page_below(struct pt_batch *b, unsigned int level, uint64_t limit);

/* Visit every entry of the tree under root, depth first, in VA order.
 * table_fn(pa, level) for each table page (root included); leaf_fn for
 * each leaf. */
struct pt_visitor {
	void (*table_fn)(struct pt_visitor *v, phys_addr_t pa, unsigned int level);
	void (*leaf_fn)(struct pt_visitor *v, uint64_t va, pte_t e, unsigned int level);
};
void pt_walk(phys_addr_t root, struct pt_visitor *v);
/* The same from a table of `level` whose first byte is at VA `base`. */
void pt_walk_below(phys_addr_t table, unsigned int level, uint64_t base, struct pt_visitor *v);

/* ---- check.c: how every self-check of mm records a violation */
struct violations {
	const char *who;                /* the prefix of its VIOLATION lines */
	unsigned long n;
	char *first;                    /* the first one's text, if first_size */
	size_t first_size;
};
__attribute__((format(printf, 2, 3)))
void violation_add(struct violations *vs, const char *fmt, ...);

/* ---- init.c: every batch is hooked, then linked, by these two */
void batch_built(struct pt_batch *b);
void batch_link(struct pt_batch *b);

/* ---- trace.c (trace() and trace_end() are in <mm/trace.h>) */
void trace_begin(uint64_t chunk, unsigned int growth_shift, uint64_t batch_min,
		 unsigned long hook_reserve, uint64_t start);
void trace_batch(const struct pt_batch *b);
void trace_hook(const struct pt_batch *b);
/* A batch's table pages as "0xA-0xB,0xC-0xD" ("" if none; cut short past
 * the first few), for the per-CPU and address-space records. */
#define TRACE_EXTENTS_LEN 160
void trace_extents(const struct pt_batch *b, char *buf, size_t size);

#endif /* MM_INTERNAL_H */
