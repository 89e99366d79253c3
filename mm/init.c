/*
 * init.c — mm_init: H. Peter Anvin's plan, steps 1 to 7 (design §1).
 *
 *   1. From brk: a new root (L4; L5 at 5 levels), the kernel image (4 KiB
 *      pages, W^X) and the fixmap's L1.
 *   2. From what is left of brk: the topmost RAM, downward, chunk by chunk,
 *      as long as brk can pay for the next chunk's tables.
 *   3. paravirt hook on batch 0 (everything from brk).
 *   4. CR3 switch: the boot tables are now obsolete.
 *   5. A new batch maps RAM below the lowest address mapped so far, with
 *      tables taken from RAM already mapped, highest page first.
 *   6. paravirt hook on that batch, then link it into the live tree.
 *   7. Repeat 5-6 until all RAM is mapped.
 *
 * Chunks are aligned to the largest leaf allowed (2 MiB when leaves are
 * 4 KiB, since a chunk then needs at most one L1), so cutting between
 * chunks never forces a smaller leaf: the tables used are the minimum for
 * the map and the leaf sizes allowed.  Each batch may map up to
 * 2^BATCH_GROWTH_SHIFT times the RAM mapped before it, so the number of
 * batches grows with the logarithm of RAM: 1 TiB takes a handful.  The
 * numbers of the policy are in <mm/policy.h>.
 */
#include <kernel/panic.h>
#include <lib/string.h>
#include <mm/policy.h>
#include <paravirt/ops.h>
#include "internal.h"

struct mm_state mm;

/*
 * The hook of steps 3 and 6 (design §1, §4): the backend sees a batch of
 * filled tables before any of them is reachable.  Every batch goes through
 * here — the seven steps', the per-CPU ones (percpu.c) and address spaces
 * (uspace.c) — so the counts in struct mm_state cover them all.
 */
void batch_built(struct pt_batch *b)
{
	b->hook_action = "unset";
	b->hook_result = "unset";
	pv_batch_built(b);
	mm.hook_calls++;
	mm.hook_splits += b->hook_splits;
	mm.hook_split_tables += b->hook_split_tables;
}

/* Is slot in a table every AP holds a copy of (percpu.c): the kernel half of
 * mm.root, and at five levels all of the L4 below its globaldata slot?  Its
 * level and index if so. */
static bool copied_slot(const pte_t *slot, unsigned int *level, unsigned int *idx)
{
	const pte_t *t = pt_virt(mm.root);
	unsigned int l, first = KERNEL_HALF_FIRST;

	for (l = pt_levels; l >= 4; l--) {
		if (slot >= t + first && slot < t + PT_ENTRIES) {
			*level = l;
			*idx = (unsigned int)(slot - t);
			return true;
		}
		if (l > 4)
			t = pt_virt(pte_phys(t[pt_index(GLOBALDATA_BASE, l)]));
		first = 0;
	}
	return false;
}

/* Link a hooked batch into the live tree: its recorded entries, through
 * write_pte, in one lazy group (one hypercall on Xen PV). */
void batch_link(struct pt_batch *b)
{
	unsigned int level, idx;

	/* Once the APs' roots hold a copy of mm.root's kernel half, a new entry
	 * there would reach the boot CPU only (design §8: kernel-half slots
	 * are pre-populated; later mappings go below the top level). */
	for (unsigned int i = 0; mm.root_copied && i < b->nr_links; i++)
		if (copied_slot(b->links[i].slot, &level, &idx))
			panic("kernel-half L%u slot %u of the boot CPU's root written after the per-CPU L%us copied it: the other CPUs would never see it",
			      level, idx, pt_levels);
	mmu_lazy_begin();
	for (unsigned int i = 0; i < b->nr_links; i++)
		write_pte(b->links[i].slot, b->links[i].val);
	mmu_lazy_end();
	mm.links += b->nr_links;
}

/* -------------------------------------------------------------- chunks */

static unsigned int chunk_level(void)
{
	/* 4 KiB leaves: chunks of one L1 (2 MiB); else of the largest leaf's
	 * parent span capped at 1 GiB. */
	return mm.cfg.max_level == 1 ? 2 : 3;
}

/* The next chunk of usable RAM in [floor, hi): [*lo, *chi).  false if none. */
static bool next_chunk(uint64_t hi, uint64_t floor, uint64_t *lo, uint64_t *chi)
{
	uint64_t csize = level_size(chunk_level());
	int i;

	for (i = (int)mm.ram.nr - 1; i >= 0; i--) {
		uint64_t s = mm.ram.e[i].start, e = s + mm.ram.e[i].size;

		if (s < floor)
			s = floor;
		if (s >= hi || e <= s)
			continue;
		if (e > hi)
			e = hi;
		*chi = e;
		*lo = (e - 1) & ~(csize - 1);
		if (*lo < s)
			*lo = s;
		return true;
	}
	return false;
}

/*
 * Where step 2 starts (mm.start): the top of RAM, unless reserved data (an
 * initrd, say) sits there — then brk would map pages that step 5 cannot
 * use, and step 5 would have nothing to take tables from.  So step 2
 * starts at the end of the highest free range of at least START_MIN_FREE
 * bytes, rounded up to the largest leaf (a boundary there splits no leaf,
 * so the tables stay the minimum), and the RAM above it is mapped last,
 * when plenty is mapped (the "above" batches).  Linux's
 * memory_map_top_down() starts at the highest free 2 MiB block likewise.
 */
static uint64_t start_point(void)
{
	uint64_t align = level_size(mm.cfg.max_level), t;
	int i;

	for (i = (int)nr_free_ram - 1; i >= 0; i--) {
		if (free_ram[i].end - free_ram[i].start < START_MIN_FREE)
			continue;
		t = (free_ram[i].end + align - 1) & ~(align - 1);
		return t < mm.ram_top ? t : mm.ram_top;
	}
	return mm.ram_top;
}

/* -------------------------------------------------- cost, check, map */

static const pte_t image_flags[] = {
	[IMG_TEXT] = PTE_P,
	[IMG_RODATA] = PTE_P | PTE_NX,
	[IMG_DATA] = PTE_P | PTE_RW | PTE_NX,
	[IMG_GUARD] = 0,
	[IMG_BRK] = PTE_P | PTE_RW | PTE_NX,
};

static pte_t nx_filter(pte_t f)
{
	return mm.cfg.nx ? f : f & ~PTE_NX;
}

/* Does [lo, hi) hold part of brk, which the direct map gives 4 KiB
 * read-only pages where the backend wants tables read-only? */
static bool brk_split(uint64_t lo, uint64_t hi)
{
	phys_addr_t bs = mm.image->brk_pa;

	return mm.cfg.tables_readonly && lo < bs + mm.image->brk_pages * PAGE_SIZE && bs < hi;
}

static void map_ram(struct pt_builder *bd, phys_addr_t root, bool live, uint64_t lo, uint64_t hi)
{
	const pte_t flags = PTE_P | PTE_RW | (mm.cfg.nx ? PTE_NX : 0);
	phys_addr_t bs = mm.image->brk_pa;
	phys_addr_t be = bs + mm.image->brk_pages * PAGE_SIZE;

	/* The brk chunk (whose pages are tables) is mapped with 4 KiB read-only
	 * pages from the start.  Tables from RAM are never in a range being
	 * mapped. */
	if (brk_split(lo, hi)) {
		uint64_t a = lo > bs ? lo : bs, b = hi < be ? hi : be;

		pt_map(bd, root, live, DIRECT_MAP_BASE + b, hi - b, b, mm.cfg.max_level, flags);
		pt_map(bd, root, live, DIRECT_MAP_BASE + a, b - a, a, 1, flags & ~PTE_RW);
		pt_map(bd, root, live, DIRECT_MAP_BASE + lo, a - lo, lo, mm.cfg.max_level, flags);
		return;
	}
	pt_map(bd, root, live, DIRECT_MAP_BASE + lo, hi - lo, lo, mm.cfg.max_level, flags);
}

/*
 * A piece of a batch: the direct map of RAM [lo, hi) (steps 2 and 5), an
 * image section or the fixmap's L1 (step 1).
 */
struct piece {
	enum { PIECE_RAM, PIECE_SECTION, PIECE_FIXMAP } kind;
	uint64_t lo, hi;                        /* PIECE_RAM */
	const struct image_section *sec;        /* PIECE_SECTION */
};

static inline void piece_map(struct pt_builder *bd, phys_addr_t root, bool live,
		      const struct piece *p)
{
	const struct image_section *s = p->sec;

	switch (p->kind) {
	case PIECE_RAM:
		map_ram(bd, root, live, p->lo, p->hi);
		break;
	case PIECE_SECTION:                     /* 4 KiB pages, W^X */
		pt_map(bd, root, live, s->va, s->va_end - s->va, s->va - KERNEL_VMA, 1,
		       nx_filter(image_flags[s->kind]));
		break;
	case PIECE_FIXMAP:
		pt_ensure_table(bd, root, live, FIXMAP_BASE, 1);
		break;
	}
}

/* What mapping p would take in table pages, nothing written: a whole chunk
 * of RAM counted on its path, anything else by a dry run. */
static unsigned long piece_cost(struct pt_builder *bd, phys_addr_t root, bool live,
				const struct piece *p)
{
	struct pending_child saved[PT_LEVELS_MAX + 1];
	uint64_t csize = level_size(chunk_level());

	if (p->kind == PIECE_RAM && p->hi - p->lo == csize && !(p->lo & (csize - 1)) &&
	    !brk_split(p->lo, p->hi)) {
		unsigned long n = pt_count_whole(bd, root, DIRECT_MAP_BASE + p->lo, chunk_level(),
						 mm.cfg.max_level);

		if (n != PT_COUNT_MAPPED)
			return n;
	}
	pt_count_begin(bd, saved);
	piece_map(bd, root, live, p);
	return pt_count_end(bd, saved);
}

/*
 * Cost and check, the first half of the one way a piece enters a batch
 * (then piece_map): what it would take in table pages (*cost), and whether
 * the batch can take it.  NULL if it can; else why not: the source cannot
 * pay ("brk" or "budget") or the descriptor has no room left for a piece's
 * worth of extents or links ("bounds": it stays bounded).
 */
static inline const char *piece_check(struct pt_builder *bd, phys_addr_t root, bool live,
				      const struct piece *p, unsigned long budget,
				      unsigned long *cost)
{
	const struct pt_batch *b = bd->batch;

	*cost = piece_cost(bd, root, live, p);
	if (*cost > budget)
		return b->source == PT_SRC_BRK ? "brk" : "budget";
	if (b->nr_extents + CHUNK_EXTENTS_ROOM > BATCH_EXTENTS_MAX ||
	    b->nr_links + CHUNK_LINKS_ROOM > BATCH_LINKS_MAX)
		return "bounds";
	return NULL;
}

/*
 * When a chunk [lo, hi) is one leaf of the largest size (1 GiB chunks of
 * 1 GiB leaves), the whole chunks below it, in the same RAM range and
 * under the same parent table, cost no table once it is mapped: each is
 * one entry of the parent, and one link if the parent is live.  How many
 * of them would fill_batch's per-chunk rules take after that chunk?
 * Nothing stops them but the descriptor bounds and the target (the budget
 * pays for 0).  `ram`, `links` and `extents` are the batch's figures once
 * the chunk is mapped (`extents` an upper bound: then fewer may be taken
 * here, and the chunk-by-chunk loop takes the rest).  The chunk and those
 * found are mapped by one pt_map — the batch is the same, chunk for chunk,
 * as one pt_map each.  Any other chunk takes none along: the loop maps the
 * chunks below it one by one, the same batch.
 */
static uint64_t free_chunks_below(phys_addr_t root, bool live, uint64_t lo, uint64_t hi,
				  uint64_t floor, uint64_t target, uint64_t ram,
				  unsigned long links, unsigned long extents)
{
	uint64_t csize = level_size(chunk_level());
	uint64_t pspan = level_size(chunk_level() + 1);
	uint64_t s = 0, low, k, limit;
	unsigned int i;

	if (csize != level_size(mm.cfg.max_level) || hi - lo != csize || (lo & (csize - 1)) ||
	    ram >= target || extents + CHUNK_EXTENTS_ROOM > BATCH_EXTENTS_MAX)
		return 0;
	for (i = 0; i < mm.ram.nr; i++)         /* the RAM range of the chunk at lo */
		if (mm.ram.e[i].start <= lo && lo < mm.ram.e[i].start + mm.ram.e[i].size)
			s = mm.ram.e[i].start;
	if (s < floor)
		s = floor;
	low = (s + csize - 1) & ~(csize - 1);
	if (low < (lo & ~(pspan - 1)))
		low = lo & ~(pspan - 1);
	if (mm.cfg.tables_readonly) {           /* brk's chunk is not a leaf */
		uint64_t be = mm.image->brk_pa + mm.image->brk_pages * PAGE_SIZE;

		if (mm.image->brk_pa < lo && be > low)
			low = (be + csize - 1) & ~(csize - 1);
	}
	if (low >= lo)
		return 0;
	k = (lo - low) / csize;
	limit = (target - ram + csize - 1) / csize;
	if (k > limit)
		k = limit;
	if (pt_table_live(root, live, DIRECT_MAP_BASE + lo, chunk_level() + 1)) {
		/* one link each; chunk j is checked with j - 1 links added */
		if (links + CHUNK_LINKS_ROOM > BATCH_LINKS_MAX)
			return 0;
		limit = BATCH_LINKS_MAX - CHUNK_LINKS_ROOM - links + 1;
		if (k > limit)
			k = limit;
	}
	return k;
}

/*
 * Map chunks below mapped_lo into batch b while the source can pay for
 * them (budget pages) and the batch is below `target` bytes.  Returns the
 * number of chunks mapped; the last chunk tried and its cost in *lo_out,
 * *hi_out, *need_out.
 */
static unsigned int fill_batch(struct pt_builder *bd, phys_addr_t root, bool live,
			       uint64_t hi, uint64_t floor, unsigned long budget, uint64_t target,
			       unsigned long *need_out, uint64_t *lo_out, uint64_t *hi_out)
{
	struct pt_batch *b = bd->batch;
	struct piece p = { .kind = PIECE_RAM };
	uint64_t top = hi, k;
	unsigned int n = 0;
	const char *refused;

	b->budget = budget;
	b->stop = "end";
	while (next_chunk(hi, floor, &p.lo, &p.hi)) {
		*lo_out = p.lo;
		*hi_out = p.hi;
		refused = piece_check(bd, root, live, &p, budget, need_out);
		if (refused) {
			b->stop = refused;
			break;
		}
		budget -= *need_out;
		if (!b->pa_hi)
			b->pa_hi = top;
		/* a whole leaf adds at most one link and `cost` extents */
		k = free_chunks_below(root, live, p.lo, p.hi, floor, target,
				      b->ram_bytes + (p.hi - p.lo), b->nr_links + 1,
				      b->nr_extents + *need_out);
		p.lo -= k * (p.hi - p.lo);
		piece_map(bd, root, live, &p);
		b->pa_lo = p.lo;
		b->ram_bytes += p.hi - p.lo;
		hi = p.lo;
		n += 1 + k;
		if (b->ram_bytes >= target) {
			b->stop = "target";
			break;
		}
	}
	return n;
}

/* --------------------------------------------------------------- steps */

/* Step 1: a new L4, the kernel image with 4 KiB pages, the fixmap's L1.
 * (brk's tables are one extent and link nothing: only brk can refuse.) */
static void step1(struct pt_builder *bd)
{
	const struct mm_image *img = mm.image;
	unsigned long leaves_before = bd->batch->leaves_at[1];
	const struct piece fixmap = { .kind = PIECE_FIXMAP };
	unsigned long before, need;
	unsigned int i;

	mm.root = batch_take_page(bd->batch, pt_levels);
	if (!mm.root)
		panic("brk exhausted: step 1 cannot allocate the L%u (brk has %lu pages)",
		      pt_levels, img->brk_pages);
	for (i = 0; i < img->nr_sec; i++) {
		const struct image_section *s = &img->sec[i];
		const struct piece p = { .kind = PIECE_SECTION, .sec = s };

		if (s->kind == IMG_GUARD)
			continue;
		before = bd->batch->nr_tables;
		if (piece_check(bd, mm.root, false, &p, brk_pages_left(), &need))
			panic("brk exhausted: step 1 needs %lu more pages to map %s, %lu of %lu left",
			      need, s->name, brk_pages_left(), img->brk_pages);
		piece_map(bd, mm.root, false, &p);
		trace("step1 id=0 what=%s va=[0x%016lx-0x%016lx] pa=[mem 0x%010lx-0x%010lx] page=4k perm=%s%s%s tables_new=%lu",
		      s->name, (unsigned long)s->va, (unsigned long)(s->va_end - 1),
		      (unsigned long)(s->va - KERNEL_VMA), (unsigned long)(s->va_end - 1 - KERNEL_VMA),
		      image_flags[s->kind] & PTE_RW ? "rw" : "r",
		      image_flags[s->kind] & PTE_NX ? "" : "x", "",
		      bd->batch->nr_tables - before);
	}
	bd->batch->image_leaves = bd->batch->leaves_at[1] - leaves_before;
	before = bd->batch->nr_tables;
	if (piece_check(bd, mm.root, false, &fixmap, brk_pages_left(), &need))
		panic("brk exhausted: step 1 needs %lu more pages for the fixmap, %lu of %lu left",
		      need, brk_pages_left(), img->brk_pages);
	piece_map(bd, mm.root, false, &fixmap);
	trace("step1 id=0 what=fixmap va=[0x%016lx-0x%016lx] tables_new=%lu",
	      (unsigned long)FIXMAP_BASE,
	      (unsigned long)(FIXMAP_BASE + FIXMAP_SLOTS * PAGE_SIZE - 1),
	      bd->batch->nr_tables - before);
}

/* Step 2: the topmost RAM, downward, while brk pays for it. */
static void step2(struct pt_builder *bd)
{
	unsigned long need = 0;
	uint64_t lo = 0, hi = 0;
	unsigned int n;

	mm.mapped_lo = mm.start;
	n = fill_batch(bd, mm.root, false, mm.start, 0, brk_pages_left(), UINT64_MAX,
		       &need, &lo, &hi);
	if (!n)
		panic("brk exhausted: step 2 cannot map the topmost chunk [mem 0x%010lx-0x%010lx]: needs %lu pages, %lu of %lu left",
		      (unsigned long)lo, (unsigned long)(hi - 1), need, brk_pages_left(),
		      mm.image->brk_pages);
	mm.mapped_lo = bd->batch->pa_lo;
	trace_batch(bd->batch);
}

/*
 * Steps 5-7, one batch: below mm.start down to the bottom of RAM, then the
 * RAM above mm.start, from the top down to it.  Returns false when all RAM
 * is mapped.
 */
static bool step5(struct pt_builder *bd, struct pt_batch *b)
{
	unsigned long budget, need = 0;
	uint64_t target, lo = 0, hi = 0, unused;
	bool above = !next_chunk(mm.mapped_lo, 0, &lo, &unused);
	uint64_t from = above ? mm.above_lo : mm.mapped_lo;
	uint64_t floor = above ? mm.start : 0;

	if (!next_chunk(from, floor, &lo, &unused))
		return false;
	batch_begin(bd, b, PT_SRC_RAM);
	budget = free_pages_between(mm.mapped_lo, ram_cursor);
	budget = budget > mm.cfg.hook_reserve_pages ? budget - mm.cfg.hook_reserve_pages : 0;
	target = mm.ram_mapped << BATCH_GROWTH_SHIFT;
	if (target < BATCH_MIN_BYTES)
		target = BATCH_MIN_BYTES;
	if (!fill_batch(bd, mm.root, true, from, floor, budget, target, &need, &lo, &hi))
		panic("RAM too small: mapping [mem 0x%010lx-0x%010lx] needs %lu table pages, free mapped pages: %lu in %lu KiB mapped (reserved data at the top of RAM? raise BRK_PAGES or pt.maxpage)",
		      (unsigned long)lo, (unsigned long)(hi - 1), need, budget,
		      (unsigned long)(mm.ram_mapped >> 10));
	trace_batch(b);
	batch_built(b);                                 /* step 6: hook ... */
	trace_hook(b);
	batch_link(b);                                  /* ... then link */
	trace("link id=%u step=6 entries=%u", b->id, b->nr_links);
	if (above)
		mm.above_lo = b->pa_lo;
	else
		mm.mapped_lo = b->pa_lo;
	batch_finish(b);
	return true;
}

void mm_init(const struct mm_config *cfg, const struct mm_image *image,
	     struct memmap *bootmap, const struct mem_range *boot_data,
	     unsigned int nr_boot_data)
{
	static struct pt_batch batch;
	struct pt_builder bd;
	struct trace_l5_buf l5;
	unsigned int i;

	memset(&mm, 0, sizeof(mm));
	mm.cfg = *cfg;
	mm.image = image;
	if (cfg->max_level < 1 || cfg->max_level > 3)
		panic("max page level %u out of range 1-3", cfg->max_level);
	if (pt_levels != 4 && pt_levels != 5)
		panic("paging depth %u: want 4 or 5 levels", pt_levels);

	memmap_normalise(bootmap, cfg->phys_limit);
	for (i = 0; i < bootmap->nr; i++)
		if (bootmap->e[i].type == MEM_USABLE)
			mm.ram.e[mm.ram.nr++] = bootmap->e[i];
	mm.ram_top = memmap_usable_end(&mm.ram);
	for (i = 0; i < mm.ram.nr; i++)
		if (image->pa_start >= mm.ram.e[i].start &&
		    image->pa_end <= mm.ram.e[i].start + mm.ram.e[i].size)
			break;
	if (i == mm.ram.nr)
		panic("kernel image [mem 0x%010lx-0x%010lx] is not inside usable RAM",
		      (unsigned long)image->pa_start, (unsigned long)(image->pa_end - 1));
	if (mm.ram_top > MAX_PHYS_MAPPED)
		panic("RAM ends at 0x%lx, beyond the %lu TiB direct map",
		      (unsigned long)mm.ram_top, (unsigned long)(MAX_PHYS_MAPPED >> 40));

	reserve(0, LOWMEM_END, "lowmem");
	reserve(image->pa_start, image->pa_end, "kernel");
	for (i = 0; i < nr_boot_data; i++)
		reserve(boot_data[i].start, boot_data[i].end,
			cfg->boot_data_why && cfg->boot_data_why[i] ? cfg->boot_data_why[i] : "bootdata");
	build_free_ram();
	mm.start = start_point();
	mm.above_lo = mm.ram_top;
	ram_cursor = mm.start;
	brk_init(image->brk, image->brk_pa, image->brk_pages);

	trace_begin(level_size(chunk_level()), BATCH_GROWTH_SHIFT, BATCH_MIN_BYTES,
		    cfg->hook_reserve_pages, mm.start);
	if (cfg->trace_env)
		trace("env %s", cfg->trace_env);
	trace("layout direct_map=0x%016lx kernel=0x%016lx fixmap=0x%016lx vmalloc=0x%016lx",
	      (unsigned long)DIRECT_MAP_BASE, (unsigned long)KERNEL_VMA,
	      (unsigned long)FIXMAP_BASE, (unsigned long)VMALLOC_BASE);
	for (i = 0; i < bootmap->nr; i++)
		trace("mem [mem 0x%010lx-0x%010lx] %s",
		      (unsigned long)bootmap->e[i].start,
		      (unsigned long)(bootmap->e[i].start + bootmap->e[i].size - 1),
		      mem_type_name(bootmap->e[i].type));
	for (i = 0; i < mm.nr_reserved; i++)
		trace("reserve [mem 0x%010lx-0x%010lx] %s",
		      (unsigned long)mm.reserved[i].start,
		      (unsigned long)(mm.reserved[i].end - 1), mm.reserved_why[i]);

	batch_begin(&bd, &batch, PT_SRC_BRK);
	step1(&bd);                                     /* 1: image from brk */
	step2(&bd);                                     /* 2: top of RAM from brk */
	batch_built(&batch);                            /* 3: hook */
	trace_hook(&batch);
	load_root(mm.root);                             /* 4: switch */
	mm.root_loaded = true;
	trace("cr3 step=4 root=0x%010lx", (unsigned long)mm.root);
	batch_finish(&batch);

	while (step5(&bd, &batch))                      /* 5-7 */
		;
	trace("summary ram_mapped=%lu tables=%lu brk_used=%lu brk_reserved=%lu batches=%lu hook_calls=%lu links=%lu %sl4=%lu l3=%lu l2=%lu l1=%lu leaves_4k=%lu leaves_2m=%lu leaves_1g=%lu splits=%lu split_tables=%lu",
	      (unsigned long)mm.ram_mapped, mm.tables, mm.brk_used, image->brk_pages,
	      mm.batches, mm.hook_calls, mm.links, trace_l5(&l5, mm.tables_at[5]),
	      mm.tables_at[4], mm.tables_at[3],
	      mm.tables_at[2], mm.tables_at[1], mm.leaves_at[1], mm.leaves_at[2],
	      mm.leaves_at[3], mm.hook_splits, mm.hook_split_tables);
}
