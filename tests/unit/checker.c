/*
 * tests/unit/checker.c — the independent checks of a build: a raw walk of
 * the simulated tables against design §6, and the trace's end record (see
 * checker.h; the expected map and table count come from model.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lib/fnv.h>
#include "checker.h"
#include "hostenv.h"

/* ------------------------------------------------------------- walker --- */

struct walk {
	const struct check_input *in;
	struct check_result *r;
	uint32_t epoch;
	const struct mem_range *usable;
	unsigned int nu;
	struct mem_range *runs;                 /* direct-map coverage */
	unsigned int nruns, runs_cap;
	unsigned long image_leaves[IMAGE_SECTIONS_MAX];
	unsigned long fixmap_leaves;
	phys_addr_t *tables, *ro_leaves;        /* for the pinned-tables checks */
	unsigned int ntables, tables_cap, nro, ro_cap;
	uint64_t start;                         /* ref_start() */
	phys_addr_t ram_table_lo;               /* lowest table page from RAM */
};

static void push_pa(phys_addr_t **v, unsigned int *n, unsigned int *cap, phys_addr_t pa)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = realloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = pa;
}

__attribute__((format(printf, 2, 3)))
static void fail(struct check_result *r, const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	if (!r->errors) {
		va_start(ap, fmt);
		vsnprintf(r->first, sizeof(r->first), fmt, ap);
		va_end(ap);
	}
	if (verbose < 0)
		verbose = getenv("CHECKER_VERBOSE") != NULL;
	if (verbose && r->errors < 20) {
		va_start(ap, fmt);
		fprintf(stderr, "checker: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
	r->errors++;
}

static bool range_in(const struct mem_range *u, unsigned int n, uint64_t s, uint64_t e)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {                       /* last range with start <= s */
		unsigned int mid = (lo + hi) / 2;
		if (u[mid].start <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && e <= u[lo - 1].end;
}

static bool overlaps(uint64_t s, uint64_t e, uint64_t rs, uint64_t re)
{
	return s < re && rs < e;
}

static void add_run(struct walk *w, uint64_t s, uint64_t e)
{
	if (w->nruns && w->runs[w->nruns - 1].end == s) {
		w->runs[w->nruns - 1].end = e;
		return;
	}
	if (w->nruns == w->runs_cap) {
		w->runs_cap = w->runs_cap ? w->runs_cap * 2 : 256;
		w->runs = realloc(w->runs, w->runs_cap * sizeof(*w->runs));
	}
	w->runs[w->nruns].start = s;
	w->runs[w->nruns].end = e;
	w->nruns++;
}

static bool in_brk(const struct mm_image *img, uint64_t pa)
{
	return pa >= img->brk_pa && pa < img->brk_pa + img->brk_pages * PAGE_SIZE;
}

static void check_leaf(struct walk *w, uint64_t va, pte_t e, unsigned int level)
{
	const struct mm_config *cfg = w->in->cfg;
	const struct mm_image *img = w->in->image;
	struct check_result *r = w->r;
	uint64_t size = level_size(level), pa = pte_addr(e), flags = e & ~PTE_ADDR_MASK;
	pte_t nx = cfg->nx ? PTE_NX : 0;
	unsigned int i;

	r->leaves_at[level]++;
	if (level > 1 && (pa & (size - 1)))
		fail(r, "leaf va 0x%016lx (%s) has unaligned pa 0x%lx", (unsigned long)va,
		     page_size_name(level), (unsigned long)pa);
	if (va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < DIRECT_MAP_SIZE) {
		uint64_t want_pa = va - DIRECT_MAP_BASE;
		pte_t want = PTE_P | PTE_RW | nx | (level > 1 ? PTE_PS : 0);

		if (cfg->tables_readonly && overlaps(pa, pa + size, img->brk_pa,
						     img->brk_pa + img->brk_pages * PAGE_SIZE)) {
			want &= ~PTE_RW;
			if (level != 1)
				fail(r, "direct map of brk va 0x%016lx is a %s page, want 4k",
				     (unsigned long)va, page_size_name(level));
		} else if (host.pin && level == 1 && !(flags & PTE_RW)) {
			/* a pinned table page, checked after the walk */
			want &= ~PTE_RW;
			push_pa(&w->ro_leaves, &w->nro, &w->ro_cap, pa);
		}
		if (pa != want_pa)
			fail(r, "direct map va 0x%016lx maps pa 0x%010lx, not 0x%010lx",
			     (unsigned long)va, (unsigned long)pa, (unsigned long)want_pa);
		if (flags != want)
			fail(r, "direct map va 0x%016lx (%s) has flags 0x%lx, want 0x%lx",
			     (unsigned long)va, page_size_name(level), (unsigned long)flags,
			     (unsigned long)want);
		if (!range_in(w->usable, w->nu, want_pa, want_pa + size))
			fail(r, "direct map [mem 0x%010lx-0x%010lx] (%s) is not all usable RAM",
			     (unsigned long)want_pa, (unsigned long)(want_pa + size - 1),
			     page_size_name(level));
		r->direct_bytes += size;
		add_run(w, want_pa, want_pa + size);
		return;
	}
	if (va >= FIXMAP_BASE && va < FIXMAP_BASE + FIXMAP_SLOTS * PAGE_SIZE) {
		w->fixmap_leaves++;
		if (level != 1)
			fail(r, "fixmap va 0x%016lx mapped by a %s page", (unsigned long)va,
			     page_size_name(level));
		return;
	}
	for (i = 0; i < img->nr_sec; i++) {
		const struct image_section *s = &img->sec[i];
		pte_t want, alt;

		if (va < s->va || va >= s->va_end)
			continue;
		w->image_leaves[i]++;
		if (level != 1)
			fail(r, "image va 0x%016lx (%s) mapped by a %s page", (unsigned long)va,
			     s->name, page_size_name(level));
		if (pa != va - KERNEL_VMA)
			fail(r, "image va 0x%016lx (%s) maps pa 0x%010lx", (unsigned long)va,
			     s->name, (unsigned long)pa);
		switch (s->kind) {
		case IMG_TEXT:
			want = alt = PTE_P;
			break;
		case IMG_RODATA:
			want = alt = PTE_P | nx;
			break;
		case IMG_DATA:
			want = alt = PTE_P | PTE_RW | nx;
			break;
		case IMG_BRK:
			want = PTE_P | PTE_RW | nx;
			alt = cfg->tables_readonly ? (PTE_P | nx) : want;
			break;
		case IMG_GUARD:
		default:
			fail(r, "%s va 0x%016lx is mapped", s->name, (unsigned long)va);
			return;
		}
		if (flags != want && flags != alt)
			fail(r, "image va 0x%016lx (%s) has flags 0x%lx, want 0x%lx", (unsigned long)va,
			     s->name, (unsigned long)flags, (unsigned long)want);
		return;
	}
	fail(r, "stray mapping va 0x%016lx -> pa 0x%010lx (%s, flags 0x%lx)", (unsigned long)va,
	     (unsigned long)pa, page_size_name(level), (unsigned long)flags);
}

static void check_table_page(struct walk *w, phys_addr_t pa, unsigned int level)
{
	const struct mm_image *img = w->in->image;
	struct check_result *r = w->r;
	struct host_meta *m = host_meta(pa);
	unsigned int i;

	r->tables++;
	r->tables_at[level]++;
	push_pa(&w->tables, &w->ntables, &w->tables_cap, pa);
	if (!m || m->hooked_epoch != host_epoch())
		fail(r, "L%u table 0x%010lx never went through a hook", level, (unsigned long)pa);
	if (in_brk(img, pa)) {
		r->brk_tables++;
		return;
	}
	if (pa < 0x100000)
		fail(r, "L%u table 0x%010lx lies below 1 MiB", level, (unsigned long)pa);
	if (overlaps(pa, pa + PAGE_SIZE, img->pa_start & ~(PAGE_SIZE - 1), img->pa_end))
		fail(r, "L%u table 0x%010lx lies in the kernel image", level, (unsigned long)pa);
	if (!range_in(w->usable, w->nu, pa, pa + PAGE_SIZE))
		fail(r, "L%u table 0x%010lx is not in usable RAM", level, (unsigned long)pa);
	if (pa >= w->start)
		fail(r, "L%u table 0x%010lx is not below the start point 0x%lx", level,
		     (unsigned long)pa, (unsigned long)w->start);
	if (pa < w->ram_table_lo)
		w->ram_table_lo = pa;
	for (i = 0; i < w->in->nr_boot_data; i++) {
		const struct mem_range *b = &w->in->boot_data[i];
		uint64_t bs = b->start & ~(PAGE_SIZE - 1);
		uint64_t be = (b->end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

		if (b->end > b->start && overlaps(pa, pa + PAGE_SIZE, bs, be))
			fail(r, "L%u table 0x%010lx lies in boot data [0x%lx-0x%lx)", level,
			     (unsigned long)pa, (unsigned long)b->start, (unsigned long)b->end);
	}
}

/* The canonical VA at the depth asked for (bits above 12 + 9 * levels - 1
 * copy that bit), computed here rather than by mm's va_canonical(). */
static uint64_t canon(const struct walk *w, uint64_t va)
{
	unsigned int bits = 12 + 9 * w->in->levels;

	return (va >> (bits - 1)) & 1 ? va | ~((1ULL << bits) - 1) : va & ((1ULL << bits) - 1);
}

static void walk_table(struct walk *w, phys_addr_t pa, unsigned int level, uint64_t base)
{
	struct check_result *r = w->r;
	struct host_meta *m = host_meta(pa);
	const pte_t *t = host_page(pa, false);
	unsigned int i;

	if (!t || !m) {
		fail(r, "L%u table 0x%010lx was never written (garbage would be read)", level,
		     (unsigned long)pa);
		return;
	}
	if (m->seen_epoch == w->epoch) {
		fail(r, "L%u table 0x%010lx is reachable twice", level, (unsigned long)pa);
		return;
	}
	m->seen_epoch = w->epoch;
	check_table_page(w, pa, level);
	for (i = 0; i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		uint64_t va = canon(w, base + (uint64_t)i * level_size(level));

		if (!pte_present(e)) {
			if (e)
				fail(r, "L%u table 0x%010lx entry %u is not present but 0x%016lx",
				     level, (unsigned long)pa, i, (unsigned long)e);
			continue;
		}
		if (pte_is_leaf(e, level)) {
			check_leaf(w, va, e, level);
			continue;
		}
		if ((e & ~PTE_ADDR_MASK) != (PTE_P | PTE_RW))
			fail(r, "L%u table 0x%010lx entry %u (va 0x%016lx) links with flags 0x%lx",
			     level, (unsigned long)pa, i, (unsigned long)va,
			     (unsigned long)(e & ~PTE_ADDR_MASK));
		walk_table(w, pte_addr(e), level - 1, base + (uint64_t)i * level_size(level));
	}
}

/*
 * The order of the batches (the start rule, checker.h): batch 0 from brk
 * ends at S; each batch starts directly below the previous one until the
 * bottom of RAM; then, when S is below the end of RAM, the "above" batches:
 * the first ends at the end of RAM, each next directly below the previous,
 * the last at the lowest usable byte at or above S.  Nothing after.
 */
static void check_batch_order(struct check_result *r, const struct mem_range *u, unsigned int nu)
{
	enum { BELOW, ABOVE, DONE } phase = BELOW;
	uint64_t S = r->start, ram_lo = u[0].start, ram_top = u[nu - 1].end;
	uint64_t above_lo = ram_top, want_hi = S, floor = ram_lo;
	unsigned int k, i;

	for (i = 0; i < nu; i++)
		if (u[i].end > S) {
			above_lo = u[i].start > S ? u[i].start : S;
			break;
		}
	if (!host.nr_batches) {
		fail(r, "no batch was hooked");
		return;
	}
	if (host.batch[0].source != PT_SRC_BRK)
		fail(r, "batch 0 is not from brk");
	for (k = 0; k < host.nr_batches; k++) {
		const struct host_batch *b = &host.batch[k];

		if (phase == DONE) {
			fail(r, "batch %u [0x%lx-0x%lx) comes after all RAM was mapped", b->id,
			     (unsigned long)b->pa_lo, (unsigned long)b->pa_hi);
			return;
		}
		if (b->pa_hi != want_hi || b->pa_lo >= b->pa_hi || b->pa_lo < floor) {
			fail(r, "batch %u maps [0x%lx-0x%lx), want a window [>= 0x%lx, 0x%lx) (%s; start 0x%lx, RAM [0x%lx-0x%lx))",
			     b->id, (unsigned long)b->pa_lo, (unsigned long)b->pa_hi,
			     (unsigned long)floor, (unsigned long)want_hi,
			     k == 0 ? "batch 0 ends at the start point" :
			     phase == BELOW ? "directly below the previous batch" :
			     k == r->first_above ? "the first above batch ends at the top of RAM" :
			     "directly below the previous above batch",
			     (unsigned long)S, (unsigned long)ram_lo, (unsigned long)ram_top);
			return;
		}
		want_hi = b->pa_lo;
		if (phase == BELOW && b->pa_lo == ram_lo) {
			phase = S < ram_top ? ABOVE : DONE;
			if (phase == ABOVE)
				r->first_above = k + 1;
			want_hi = ram_top;
			floor = above_lo;
		} else if (phase == ABOVE && b->pa_lo == above_lo) {
			phase = DONE;
		}
	}
	if (phase != DONE)
		fail(r, "the batches stop at 0x%lx with RAM %s left unmapped (start 0x%lx, RAM [0x%lx-0x%lx))",
		     (unsigned long)want_hi, phase == BELOW ? "below the start point" :
		     "above the start point", (unsigned long)S, (unsigned long)ram_lo,
		     (unsigned long)ram_top);
}

unsigned long check_build(const struct check_input *in, struct check_result *r)
{
	static struct ref_map ref;
	static struct mem_range usable[REF_MAX];
	static struct mem_range freer[REF_MAX + 64];
	const struct mm_image *img = in->image;
	struct walk w = { .in = in, .r = r, .ram_table_lo = UINT64_MAX };
	phys_addr_t root = host.root;
	unsigned long hooked_links = 0, written = 0;
	unsigned int i, l, nf;

	memset(r, 0, sizeof(*r));
	ref_normalise(in->map, in->nr, &ref);
	w.nu = ref_usable(&ref, usable, REF_MAX);
	w.usable = usable;
	for (i = 0; i < w.nu; i++)
		r->usable_bytes += usable[i].end - usable[i].start;
	r->min_tables = min_tables(usable, w.nu, in->cfg, img, in->levels, r->min_at);
	nf = ref_free(usable, w.nu, img, in->boot_data, in->nr_boot_data, freer,
		      sizeof(freer) / sizeof(freer[0]));
	r->start = w.start = ref_start(usable, w.nu, freer, nf, in->cfg->max_level);
	r->ram_top = w.nu ? usable[w.nu - 1].end : 0;
	if (mm.start != r->start)
		fail(r, "mm.start is 0x%lx, the start rule gives 0x%lx", (unsigned long)mm.start,
		     (unsigned long)r->start);

	if (!host.root_loaded || host.load_root_calls != 1)
		fail(r, "load_root was called %lu times", host.load_root_calls);
	if (root != mm.root)
		fail(r, "CR3 holds 0x%lx, mm.root is 0x%lx", (unsigned long)root,
		     (unsigned long)mm.root);
	if (in->levels != 4 && in->levels != 5)
		fail(r, "asked for %u levels", in->levels);
	if (pt_levels != in->levels)
		fail(r, "mm ran at %u levels, %u were asked", pt_levels, in->levels);
	w.epoch = host_new_walk_epoch();
	walk_table(&w, root, in->levels, 0);

	/* VA 0 and user space */
	{
		const pte_t *t = host_page(root, false);

		if (t && t[0])
			fail(r, "L%u slot 0 (VA 0) is 0x%016lx", in->levels, (unsigned long)t[0]);
		if (host_lookup(root, 0, NULL))
			fail(r, "page 0 is mapped");
		for (i = 1; t && i < 256; i++)
			if (t[i])
				fail(r, "L%u slot %u (user half) is populated", in->levels, i);
	}
	/* every usable byte exactly once, nothing else */
	if (w.nruns != w.nu)
		fail(r, "direct map has %u runs, usable RAM has %u ranges (%lu of %lu bytes mapped)",
		     w.nruns, w.nu, (unsigned long)r->direct_bytes, (unsigned long)r->usable_bytes);
	for (i = 0; i < w.nruns && i < w.nu; i++)
		if (w.runs[i].start != usable[i].start || w.runs[i].end != usable[i].end) {
			fail(r, "direct map run %u is [0x%lx-0x%lx), usable RAM is [0x%lx-0x%lx)", i,
			     (unsigned long)w.runs[i].start, (unsigned long)w.runs[i].end,
			     (unsigned long)usable[i].start, (unsigned long)usable[i].end);
			break;
		}
	free(w.runs);
	/* image: every page of every section but the guard */
	for (i = 0; i < img->nr_sec; i++) {
		unsigned long pages = (img->sec[i].va_end - img->sec[i].va) / PAGE_SIZE;
		unsigned long want = img->sec[i].kind == IMG_GUARD ? 0 : pages;

		if (w.image_leaves[i] != want)
			fail(r, "image section %s: %lu of %lu pages mapped, want %lu", img->sec[i].name,
			     w.image_leaves[i], pages, want);
	}
	if (w.fixmap_leaves)
		fail(r, "%lu fixmap slots mapped after mm_init", w.fixmap_leaves);
	/* tables: counts, minimum, brk */
	if (r->tables != mm.tables)
		fail(r, "walk found %lu table pages, mm counted %lu", r->tables, mm.tables);
	for (l = 1; l <= PT_LEVELS_MAX; l++)
		if (r->tables_at[l] != mm.tables_at[l])
			fail(r, "walk found %lu L%u tables, mm counted %lu", r->tables_at[l], l,
			     mm.tables_at[l]);
	if (r->tables != host.hooked_pages)
		fail(r, "%lu table pages reachable, %lu went through hooks", r->tables,
		     host.hooked_pages);
	/* pinned (Xen PVH): every table page read-only wherever it is mapped,
	 * and only table pages (and brk) read-only in the direct map */
	if (host.pin) {
		for (i = 0; i < w.ntables; i++) {
			phys_addr_t pa = w.tables[i];
			pte_t e = host_lookup(root, DIRECT_MAP_BASE + pa, NULL);

			if (!pte_present(e))
				fail(r, "pinned table 0x%010lx is not in the direct map", (unsigned long)pa);
			else if (e & PTE_RW)
				fail(r, "pinned table 0x%010lx is writable in the direct map",
				     (unsigned long)pa);
			if (in_brk(img, pa) && (host_lookup(root, KERNEL_VMA + pa, NULL) & PTE_RW))
				fail(r, "pinned brk table 0x%010lx is writable in the image",
				     (unsigned long)pa);
		}
		for (i = 0; i < w.nro; i++) {
			struct host_meta *m = host_meta(w.ro_leaves[i]);

			if (!m || m->seen_epoch != w.epoch)
				fail(r, "direct map of 0x%010lx is read-only but it is no table",
				     (unsigned long)w.ro_leaves[i]);
		}
		if (host.pin_split_tables != mm.hook_split_tables)
			fail(r, "the hook allocated %lu split tables, mm counted %lu",
			     host.pin_split_tables, mm.hook_split_tables);
		r->min_tables += host.pin_split_tables;
		/* each change of a live mapping by the hook (a split, an entry made
		 * read-only) is followed by its TLB flush */
		if (host.pin_flushes != host.pin_splits + host.pin_ro_entries)
			fail(r, "the hook flushed %lu TLB entries for %lu splits and %lu read-only entries",
			     host.pin_flushes, host.pin_splits, host.pin_ro_entries);
	}
	free(w.tables);
	free(w.ro_leaves);
	/* RAM tables: the highest free pages below the start point (they are
	 * distinct free pages below it, checked above: so there must be no
	 * other free page between the lowest of them and the start point) */
	if (r->tables > r->brk_tables) {
		unsigned long n = r->tables - r->brk_tables;
		unsigned long f = ref_free_pages(freer, nf, w.ram_table_lo, w.start);

		if (f != n)
			fail(r, "the %lu RAM table pages are not the highest free pages below the start point 0x%lx: [0x%lx-0x%lx) holds %lu free pages",
			     n, (unsigned long)w.start, (unsigned long)w.ram_table_lo,
			     (unsigned long)w.start, f);
	}
	if (r->tables != r->min_tables)
		fail(r, "%lu table pages (l5=%lu l4=%lu l3=%lu l2=%lu l1=%lu), the minimum is %lu (l5=%lu l4=%lu l3=%lu l2=%lu l1=%lu)",
		     r->tables, r->tables_at[5], r->tables_at[4], r->tables_at[3], r->tables_at[2],
		     r->tables_at[1], r->min_tables, r->min_at[5], r->min_at[4], r->min_at[3],
		     r->min_at[2], r->min_at[1]);
	if (mm.brk_used > img->brk_pages)
		fail(r, "brk used %lu of %lu pages", mm.brk_used, img->brk_pages);
	if (r->brk_tables != mm.brk_used)
		fail(r, "%lu brk pages are tables, mm says %lu used", r->brk_tables, mm.brk_used);
	/* the hooks */
	r->batches = host.nr_batches;
	if (host.nr_batches != mm.batches || host.hook_calls != mm.hook_calls)
		fail(r, "backend saw %u batches / %lu hooks, mm counted %lu / %lu", host.nr_batches,
		     host.hook_calls, mm.batches, mm.hook_calls);
	for (i = 0; i < host.nr_batches; i++) {
		hooked_links += host.batch[i].nr_links;
		written += host.batch[i].links_written;
	}
	if (host.nr_batches && host.batch[0].nr_links)
		fail(r, "batch 0 has %u links", host.batch[0].nr_links);
	if (written != hooked_links || written != host.write_pte_calls)
		fail(r, "%lu links hooked, %lu written by write_pte (%lu calls)", hooked_links,
		     written, host.write_pte_calls);
	if (w.nu)
		check_batch_order(r, usable, w.nu);
	return r->errors;
}

/* -------------------------------------------------------------- trace --- */

unsigned long check_trace(const char *out, char *msg, unsigned long msglen,
			  unsigned long *batches, uint64_t *start)
{
	const char *p = out;
	uint32_t h = FNV1A32_INIT;
	unsigned long records = 0, nb = 0, errors = 0, want_n;
	unsigned int want_sum;
	uint64_t last_lo = UINT64_MAX, S = UINT64_MAX;
	uint64_t chunk = 0, batch_min = 0, mapped = 0;
	unsigned int growth = 0;
	bool ended = false, cr3 = false, above = false;

#define TFAIL(...) do { if (!errors++) snprintf(msg, msglen, __VA_ARGS__); } while (0)
	msg[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (!strncmp(p, "trace: end ", 11)) {
			if (sscanf(p, "trace: end records=%lu fnv1a=0x%x", &want_n, &want_sum) != 2)
				TFAIL("bad end record");
			else if (want_n != records || want_sum != h)
				TFAIL("end record says records=%lu fnv1a=0x%08x, the trace has %lu / 0x%08x",
				      want_n, want_sum, records, h);
			ended = true;
		} else if (!strncmp(p, "trace: ", 7)) {
			unsigned long lo, hi;

			if (ended)
				TFAIL("record after the end record");
			if (!nl)
				TFAIL("record without a newline");
			h = fnv1a32(h, p, len);
			records++;
			if (!strncmp(p, "trace: cr3 ", 11))
				cr3 = true;
			if (!strncmp(p, "trace: begin ", 13)) {
				const char *q = strstr(p, " start=0x");

				if (!q || sscanf(q, " start=0x%lx", &lo) != 1)
					TFAIL("begin record without start=");
				else
					S = lo;
				q = strstr(p, " chunk=0x");
				if (!q || sscanf(q, " chunk=0x%lx growth_shift=%u batch_min=0x%lx",
						 &lo, &growth, &hi) != 3)
					TFAIL("begin record without chunk= growth_shift= batch_min=");
				else
					chunk = lo, batch_min = hi;
			}
			if (!strncmp(p, "trace: batch ", 13)) {
				const char *q = strstr(p, "pa=[mem ");

				nb++;
				if (!q || sscanf(q, "pa=[mem 0x%lx-0x%lx]", &lo, &hi) != 2)
					TFAIL("batch record without pa range");
				else if (lo > hi)
					TFAIL("batch %lu [0x%lx-0x%lx] is empty", nb - 1, lo, hi);
				else if (nb == 1 && hi + 1 != S)
					TFAIL("batch 0 [0x%lx-0x%lx] does not end at start=0x%lx", lo, hi,
					      (unsigned long)S);
				else if (nb > 1 && hi + 1 != last_lo &&
					 (above || lo < S || hi + 1 <= last_lo))
					TFAIL("batch %lu [0x%lx-0x%lx] is not directly below the previous one (low 0x%lx)%s",
					      nb - 1, lo, hi, (unsigned long)last_lo,
					      above ? "" : " and no above batch (at or above start=)");
				else if (above && lo < S)
					TFAIL("above batch %lu [0x%lx-0x%lx] goes below start=0x%lx", nb - 1,
					      lo, hi, (unsigned long)S);
				else {
					if (nb > 1 && hi + 1 != last_lo)
						above = true;   /* the above batches begin */
					last_lo = lo;
				}
				if (nb > 1 && !cr3)
					TFAIL("batch %lu before the cr3 record", nb - 1);
				/* The growth rule: a step-5 batch maps chunks while it
				 * is below its target, max(batch_min, mapped << growth):
				 * stop=target means the last chunk (<= chunk bytes)
				 * reached it, any other stop that it did not. */
				char line[1024];
				bool at_target;

				snprintf(line, sizeof(line), "%.*s", (int)len, p);
				at_target = strstr(line, " stop=target\n") != NULL;
				q = strstr(line, " ram=");
				if (!q || sscanf(q, " ram=%lu", &lo) != 1) {
					TFAIL("batch record without ram=");
				} else {
					uint64_t target = mapped << growth;

					if (target < batch_min)
						target = batch_min;
					if (nb > 1 && at_target && (lo < target || lo >= target + chunk))
						TFAIL("batch %lu stops at its target 0x%lx with ram=0x%lx: not within the last chunk (0x%lx)",
						      nb - 1, (unsigned long)target, lo, (unsigned long)chunk);
					else if (nb > 1 && !at_target && lo >= target)
						TFAIL("batch %lu maps ram=0x%lx, its target is 0x%lx, yet it stops for another reason",
						      nb - 1, lo, (unsigned long)target);
					mapped += lo;
				}
			}
		}
		p += len;
	}
	if (!ended)
		TFAIL("no end record");
#undef TFAIL
	if (batches)
		*batches = nb;
	if (start)
		*start = S;
	return errors;
}
