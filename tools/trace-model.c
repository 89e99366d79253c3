/*
 * trace-model.c — check a trace against itself and recompute what the
 * builder should have done with the trace's own input.
 *
 * The input of mm_init, as the trace states it: the usable RAM (mem
 * records), the reservations (reserve records), the kernel image and brk
 * (step1 records), maxpage and tables_ro (begin).  From that the model
 * replays design §1 with its own arithmetic: which tables a range needs
 * is geometry (a table per span that is not one leaf), so the model keeps
 * only the set of tables that exist, keyed by level and span, and who made
 * them.  It does not share code with mm/.
 *
 * Where step 2 starts (S, begin's start=) is the model's own too: the end
 * of the highest free range (usable minus reservations) of at least 2 MiB,
 * rounded up to the largest leaf, at most the top of RAM; the top of RAM
 * when no free range is that long.  Batch 0 maps down from S, the next
 * batches on down to the bottom of RAM, then "above" batches map
 * [S, top of RAM) from the top down.  RAM table pages are the highest free
 * pages below S, downward across all batches.  A trace without start=
 * (an older kernel) is replayed with S = the top of RAM.
 *
 * For every batch it
 *   1. decides the window itself (the builder's policy: chunks aligned to
 *      the largest leaf, brk pays for batch 0, later batches take the free
 *      mapped pages below the last table page and stop at 16x what is
 *      mapped), and compares that decision with the trace;
 *   2. then maps the trace's own window, whatever it was, and compares the
 *      consequences: leaves, tables by level, links, every table page's
 *      address (highest free mapped page first), and for tables_ro the
 *      hook's read-only entries and splits.
 * Following the trace's window in 2 keeps one wrong decision from making
 * every later batch look wrong.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

#define VA48(x)     ((x) & ((1ULL << 48) - 1))
#define EMPTY       UINT64_MAX

/* ------------------------------------------------------------ key set */

/* Open addressing, linear probing.  Keys inserted while a decision is
 * being tried are journalled and removed again afterwards; removal shifts
 * the entries after the slot back, so the set is restored whether or not
 * the table grew meanwhile. */
struct kset {
	uint64_t *k;
	int *v;
	size_t cap, n;
};

static size_t kset_home(const struct kset *s, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (s->cap - 1);
}

static size_t kset_slot(const struct kset *s, uint64_t key)
{
	size_t i = kset_home(s, key);

	while (s->k[i] != EMPTY && s->k[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void kset_reserve(struct kset *s, size_t more)
{
	struct kset old = *s;

	if (s->cap && 2 * (s->n + more) < s->cap)
		return;
	s->cap = s->cap ? s->cap : 1024;
	while (2 * (s->n + more) >= s->cap)
		s->cap *= 2;
	s->k = malloc(s->cap * sizeof(*s->k));
	s->v = malloc(s->cap * sizeof(*s->v));
	if (!s->k || !s->v) {
		perror("tracecmp");
		exit(2);
	}
	for (size_t i = 0; i < s->cap; i++)
		s->k[i] = EMPTY;
	s->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.k[i] != EMPTY) {
			size_t j = kset_slot(s, old.k[i]);

			s->k[j] = old.k[i];
			s->v[j] = old.v[i];
			s->n++;
		}
	free(old.k);
	free(old.v);
}

static int kset_get(const struct kset *s, uint64_t key)
{
	size_t i;

	if (!s->cap)
		return -1;
	i = kset_slot(s, key);
	return s->k[i] == EMPTY ? -1 : s->v[i];
}

static void kset_put(struct kset *s, uint64_t key, int v)
{
	size_t i;

	kset_reserve(s, 1);
	i = kset_slot(s, key);
	if (s->k[i] == EMPTY)
		s->n++;
	s->k[i] = key;
	s->v[i] = v;
}

static void kset_del(struct kset *s, uint64_t key)
{
	size_t mask, i, j;

	if (!s->cap)
		return;
	mask = s->cap - 1;
	i = kset_slot(s, key);
	if (s->k[i] == EMPTY)
		return;
	/* close the hole: move back every later entry of the run whose home
	 * is not cyclically in (i, j] */
	for (j = (i + 1) & mask; s->k[j] != EMPTY; j = (j + 1) & mask) {
		size_t h = kset_home(s, s->k[j]);

		if (((j - h) & mask) >= ((j - i) & mask)) {
			s->k[i] = s->k[j];
			s->v[i] = s->v[j];
			i = j;
		}
	}
	s->k[i] = EMPTY;
	s->n--;
}

static void kset_free(struct kset *s)
{
	free(s->k);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* -------------------------------------------------------------- state */

static unsigned lshift(unsigned level)
{
	return 12 + 9 * (level - 1);
}

static uint64_t lsize(unsigned level)
{
	return 1ULL << lshift(level);
}

/* The table of `level` covering VA `va`. */
static uint64_t tkey(unsigned level, uint64_t va)
{
	return ((uint64_t)level << 56) | (level == 4 ? 0 : VA48(va) >> lshift(level + 1));
}

struct mstate {
	const struct run *r;
	struct model *m;
	struct kset tables;             /* key -> id of the batch that made it */
	struct kset ro;                 /* direct-map 4 KiB entries made read-only */
	struct kset img_ro;             /* brk pages read-only in the image map */
	uint64_t *journal;
	size_t njournal, capjournal;
	bool journalling;

	struct t_range free[T_MEM_MAX + T_RES_MAX];
	int nfree;
	uint64_t start;                 /* S: batch 0 maps down from here */
	uint64_t cursor;                /* RAM table pages lie below it */
	uint64_t mapped_lo;             /* lowest PA mapped below S */
	uint64_t above_lo;              /* lowest PA mapped above S (top: none) */
	unsigned long brk_used;

	/* the batch being built */
	int cur;
	bool from_brk;
	struct model_batch *mb;
	struct t_range ext[T_EXT_MAX];  /* the kernel's extents, same merge rule */
	int next;
	bool alloc_failed;
	bool counting;
	unsigned long count;
	uint64_t counted[256];          /* virtual tables of this count */
	bool mark_brk_ro;
};

static uint64_t brk_end(const struct mstate *s)
{
	return s->r->brk_pa + s->r->brk_pages * K_PAGE;
}

static bool usable(const struct run *r, uint64_t pa)
{
	for (int i = 0; i < r->nusable; i++)
		if (pa >= r->usable[i].lo && pa < r->usable[i].end)
			return true;
	return false;
}

/* free = usable minus every reservation. */
static void build_free(struct mstate *s)
{
	const struct run *r = s->r;

	s->nfree = 0;
	for (int i = 0; i < r->nusable; i++) {
		uint64_t cur = r->usable[i].lo, e = r->usable[i].end;

		while (cur < e) {
			uint64_t next_res = e, skip_to = cur;

			for (int j = 0; j < r->nres; j++) {
				if (r->res[j].end <= cur || r->res[j].lo >= e)
					continue;
				if (r->res[j].lo <= cur) {
					if (r->res[j].end > skip_to)
						skip_to = r->res[j].end;
				} else if (r->res[j].lo < next_res) {
					next_res = r->res[j].lo;
				}
			}
			if (skip_to > cur) {
				cur = skip_to;
				continue;
			}
			s->free[s->nfree].lo = cur;
			s->free[s->nfree].end = next_res;
			s->nfree++;
			cur = next_res;
		}
	}
}

/* S, the plan's way: below the highest free range of 2 MiB or more. */
static uint64_t plan_start(const struct mstate *s)
{
	const struct run *r = s->r;
	uint64_t align = 1ULL << (12 + 9 * (r->maxlevel - 1)), best = 0, t;

	for (int i = 0; i < s->nfree; i++)
		if (s->free[i].end - s->free[i].lo >= K_START_MIN_FREE && s->free[i].end > best)
			best = s->free[i].end;
	if (!best)
		return r->ram_top;
	t = (best + align - 1) & ~(align - 1);
	return t < r->ram_top ? t : r->ram_top;
}

static unsigned long free_pages_between(const struct mstate *s, uint64_t lo, uint64_t hi)
{
	unsigned long n = 0;

	for (int i = 0; i < s->nfree; i++) {
		uint64_t a = s->free[i].lo > lo ? s->free[i].lo : lo;
		uint64_t b = s->free[i].end < hi ? s->free[i].end : hi;

		if (b > a)
			n += (b - a) / K_PAGE;
	}
	return n;
}

static uint64_t take_page(struct mstate *s)
{
	uint64_t pa = 0;
	struct t_range *x = s->next ? &s->ext[s->next - 1] : NULL;

	if (s->from_brk) {
		if (s->brk_used == s->r->brk_pages)
			return 0;
		pa = s->r->brk_pa + s->brk_used++ * K_PAGE;
	} else {
		for (int i = s->nfree - 1; i >= 0 && !pa; i--) {
			uint64_t top = s->free[i].end < s->cursor ? s->free[i].end : s->cursor;

			if (top <= s->free[i].lo)
				continue;
			if (top - K_PAGE < s->mapped_lo)
				return 0;
			s->cursor = top - K_PAGE;
			pa = s->cursor;
		}
		if (!pa)
			return 0;
	}
	if (x && x->lo == pa + K_PAGE) {
		x->lo = pa;
	} else if (x && x->end == pa) {
		x->end = pa + K_PAGE;
	} else if (s->next < T_EXT_MAX) {
		s->ext[s->next].lo = pa;
		s->ext[s->next].end = pa + K_PAGE;
		s->next++;
	}
	return pa;
}

static void put_table(struct mstate *s, uint64_t key)
{
	kset_put(&s->tables, key, s->cur);
	if (s->journalling) {
		if (s->njournal == s->capjournal) {
			s->capjournal = s->capjournal ? 2 * s->capjournal : 1024;
			s->journal = realloc(s->journal, s->capjournal * sizeof(*s->journal));
		}
		s->journal[s->njournal++] = key;
	}
}

/* A table of `level` is needed for the span holding `va`. */
static void need_table(struct mstate *s, unsigned level, uint64_t va)
{
	uint64_t key = tkey(level, va);
	int parent;

	if (kset_get(&s->tables, key) >= 0)
		return;
	if (s->counting) {
		/* a table two pieces of one chunk need is counted once */
		for (unsigned long i = 0; i < s->count && i < 256; i++)
			if (s->counted[i] == key)
				return;
		if (s->count < 256)
			s->counted[s->count] = key;
		s->count++;
		return;
	}
	put_table(s, key);
	s->mb->tables++;
	s->mb->tl[level]++;
	if (!take_page(s))
		s->alloc_failed = true;
	parent = kset_get(&s->tables, tkey(level + 1, va));
	if (parent >= 0 && parent < s->cur)
		s->mb->links++;         /* written into a live table */
}

static void leaf(struct mstate *s, unsigned level, uint64_t va)
{
	int holder;

	if (s->counting)
		return;
	s->mb->leaves[level]++;
	holder = kset_get(&s->tables, tkey(level, va));
	if (holder >= 0 && holder < s->cur)
		s->mb->links++;
}

/* Geometry of one range: top down, highest slot first, like the mapper. */
static void walk(struct mstate *s, unsigned level, uint64_t va, uint64_t end, uint64_t va_to_pa,
		 unsigned maxl)
{
	uint64_t size = lsize(level), slot = (end - 1) & ~(size - 1);

	for (;;) {
		uint64_t lo = slot > va ? slot : va;
		uint64_t hi = end - slot < size ? end : slot + size;
		uint64_t pa = lo + va_to_pa;

		if (level <= maxl && lo == slot && hi - slot == size && !(pa & (size - 1))) {
			leaf(s, level, slot);
		} else {
			need_table(s, level - 1, slot);
			walk(s, level - 1, lo, hi, va_to_pa, maxl);
		}
		if (slot <= va)
			break;
		slot -= size;
	}
}

static void map(struct mstate *s, uint64_t va, uint64_t size, uint64_t pa, unsigned maxl)
{
	if (!size)
		return;
	va = VA48(va);
	walk(s, 4, va, va + size, pa - va, maxl);
}

/* The direct map of [lo, hi); with tables_ro the brk chunk in 4 KiB
 * read-only pages. */
static void map_ram(struct mstate *s, uint64_t lo, uint64_t hi)
{
	const struct run *r = s->r;
	uint64_t dm = r->direct_map_base, bs = r->brk_pa, be = brk_end(s);

	if (r->tables_ro && r->has_brk && lo < be && bs < hi) {
		uint64_t a = lo > bs ? lo : bs, b = hi < be ? hi : be;

		map(s, dm + b, hi - b, b, r->maxlevel);
		map(s, dm + a, b - a, a, 1);
		map(s, dm + lo, a - lo, lo, r->maxlevel);
		if (!s->counting && s->mark_brk_ro)
			for (uint64_t p = a; p < b; p += K_PAGE)
				kset_put(&s->ro, p >> 12, 1);
		return;
	}
	map(s, dm + lo, hi - lo, lo, r->maxlevel);
}

static unsigned long chunk_cost(struct mstate *s, uint64_t lo, uint64_t hi)
{
	s->counting = true;
	s->count = 0;
	map_ram(s, lo, hi);
	s->counting = false;
	return s->count;
}

static uint64_t chunk_size(const struct run *r)
{
	return lsize(r->maxlevel == 1 ? 2 : 3);
}

/* The next chunk of usable RAM in [floor, hi): [*lo, *chi). */
static bool next_chunk(const struct mstate *s, uint64_t hi, uint64_t floor, uint64_t *lo,
		       uint64_t *chi)
{
	const struct run *r = s->r;
	uint64_t csize = chunk_size(r);

	for (int i = r->nusable - 1; i >= 0; i--) {
		uint64_t a = r->usable[i].lo, e = r->usable[i].end;

		if (a < floor)
			a = floor;
		if (a >= hi || e <= a)
			continue;
		if (e > hi)
			e = hi;
		*chi = e;
		*lo = (e - 1) & ~(csize - 1);
		if (*lo < a)
			*lo = a;
		return true;
	}
	return false;
}

/* The builder's policy: chunks of [floor, from), from the top down, while
 * the budget pays and the batch is below target. */
static int fill(struct mstate *s, uint64_t from, uint64_t floor, unsigned long budget,
		uint64_t target)
{
	struct model_batch *mb = s->mb;
	uint64_t hi = from, lo, chi;
	int n = 0;

	mb->stop_key = "end";
	mb->stop = floor < s->start && usable_in(s->r, s->start, s->r->ram_top) ?
		   "all RAM below start mapped" : "all RAM mapped";
	while (next_chunk(s, hi, floor, &lo, &chi)) {
		unsigned long cost = chunk_cost(s, lo, chi);

		if (cost > budget) {
			mb->stop_key = s->from_brk ? "brk" : "budget";
			mb->stop = s->from_brk ? "brk exhausted" : "budget";
			break;
		}
		if (s->next + 4 > K_EXTENTS_MAX || mb->links + 3 * 512 / 2 > K_LINKS_MAX) {
			mb->stop_key = "bounds";
			mb->stop = "descriptor bounds";
			break;
		}
		map_ram(s, lo, chi);
		budget -= cost;
		if (!mb->pa_end)
			mb->pa_end = from;
		mb->pa_lo = lo;
		mb->ram += chi - lo;
		hi = lo;
		n++;
		if (mb->ram >= target) {
			mb->stop_key = "target";
			mb->stop = "target";
			break;
		}
	}
	return n;
}

/* Map the trace's window [lo, end) in the builder's chunks. */
static void follow(struct mstate *s, uint64_t wlo, uint64_t wend)
{
	uint64_t hi = wend, lo, chi;

	while (hi > wlo && next_chunk(s, hi, wlo, &lo, &chi)) {
		map_ram(s, lo, chi);
		s->mb->ram += chi - lo;
		hi = lo;
	}
}

struct snapshot {
	uint64_t cursor;
	unsigned long brk_used;
	struct t_range ext[T_EXT_MAX];
	int next;
	struct model_batch mb;
};

/* Decide the window the model's way, note it, and undo everything. */
static void decide(struct mstate *s, uint64_t from, uint64_t floor, unsigned long budget,
		   uint64_t target)
{
	struct snapshot snap;
	struct model_batch decided;

	snap.cursor = s->cursor;
	snap.brk_used = s->brk_used;
	memcpy(snap.ext, s->ext, sizeof(s->ext));
	snap.next = s->next;
	snap.mb = *s->mb;
	s->journalling = true;
	s->njournal = 0;
	s->mark_brk_ro = false;
	fill(s, from, floor, budget, target);
	s->journalling = false;
	s->mark_brk_ro = true;
	decided = *s->mb;
	while (s->njournal)
		kset_del(&s->tables, s->journal[--s->njournal]);
	s->cursor = snap.cursor;
	s->brk_used = snap.brk_used;
	memcpy(s->ext, snap.ext, sizeof(s->ext));
	s->next = snap.next;
	*s->mb = snap.mb;
	s->mb->pa_lo = decided.pa_lo;
	s->mb->pa_end = decided.pa_end;
	s->mb->stop = decided.stop;
	s->mb->stop_key = decided.stop_key;
	s->mb->budget = budget;
	s->mb->target = target;
	s->mb->valid = decided.pa_end != 0;
	s->alloc_failed = false;
}

/* ----------------------------------------------------------- the hook */

/* Leaf level of the direct map at pa (the page is mapped). */
static unsigned dm_level(struct mstate *s, uint64_t pa)
{
	uint64_t va = s->r->direct_map_base + pa;

	if (kset_get(&s->tables, tkey(2, va)) < 0)
		return 3;
	if (kset_get(&s->tables, tkey(1, va)) < 0)
		return 2;
	return 1;
}

struct pin {
	bool changed;
	uint64_t floor;                 /* lowest PA below S the hook sees mapped */
};

static void protect_dm(struct mstate *s, struct pin *p, uint64_t pa)
{
	unsigned level;

	if (!usable(s->r, pa) || (pa < s->start ? pa < p->floor : pa < s->above_lo))
		return;                 /* not mapped (yet) */
	for (level = dm_level(s, pa); level > 1; level--) {
		put_table(s, tkey(level - 1, s->r->direct_map_base + pa));
		if (!take_page(s))
			s->alloc_failed = true;
		s->mb->splits++;
		s->mb->split_tables++;
		s->mb->split_tl[level - 1]++;
		p->changed = true;
	}
	if (kset_get(&s->ro, pa >> 12) < 0) {
		kset_put(&s->ro, pa >> 12, 1);
		s->mb->ro_entries++;
		p->changed = true;
	}
}

/* The Xen PVH hook (pin-ro): every table page of the batch, the split
 * tables included, read-only in the direct map and, for brk pages, in the
 * image map; passes until nothing changes. */
static void hook_pin_ro(struct mstate *s, uint64_t floor)
{
	struct pin p = { .floor = floor };

	do {
		p.changed = false;
		for (int i = 0; i < s->next; i++)
			for (uint64_t pa = s->ext[i].lo; pa < s->ext[i].end; pa += K_PAGE) {
				protect_dm(s, &p, pa);
				if (s->r->has_brk && pa >= s->r->brk_pa && pa < brk_end(s) &&
				    kset_get(&s->img_ro, pa >> 12) < 0) {
					kset_put(&s->img_ro, pa >> 12, 1);
					s->mb->ro_entries++;
					p.changed = true;
				}
			}
	} while (p.changed);
	s->mb->hook_modelled = true;
}

static void run_hook(struct mstate *s, const struct t_batch *tb, uint64_t floor)
{
	if (s->r->tables_ro && (!tb->hook_seen || !strcmp(tb->action, "pin-ro"))) {
		hook_pin_ro(s, floor);
	} else if (!s->r->tables_ro && (!tb->hook_seen || !strcmp(tb->action, "none"))) {
		s->mb->hook_modelled = true;
	} else {
		/* a hook the model does not know: take its pages as stated */
		for (unsigned long i = 0; i < tb->split_tables; i++)
			take_page(s);
	}
}

static void batch_begin(struct mstate *s, int id, bool from_brk)
{
	s->cur = id;
	s->from_brk = from_brk;
	s->mb = &s->m->b[id];
	memset(s->mb, 0, sizeof(*s->mb));
	s->next = 0;
	s->alloc_failed = false;
}

static void batch_end(struct mstate *s)
{
	struct model_batch *mb = s->mb;

	mb->npages = s->next;
	memcpy(mb->pages, s->ext, sizeof(mb->pages));
}

/* ------------------------------------------------------------- checks */

#define BAD(...)  finding_add(fs, F_UNEXPECTED, where, __VA_ARGS__)

static const char *sf_target(uint64_t target)
{
	static char buf[48];
	char sz[32];

	snprintf(buf, sizeof(buf), ", target %s", fmt_size(sz, sizeof(sz), target));
	return buf;
}

static bool same_pages(const struct t_batch *b, const struct model_batch *mb, char *diff,
		       size_t n)
{
	/* Compare as sorted page ranges: merge both lists. */
	struct t_range a[T_EXT_MAX], c[T_EXT_MAX];
	int na = 0, nc = 0;

	for (int i = 0; i < b->next; i++)
		a[na++] = (struct t_range){ b->ext[i].lo, b->ext[i].end };
	for (int i = 0; i < mb->npages; i++)
		c[nc++] = mb->pages[i];
	for (int pass = 0; pass < 2; pass++) {
		struct t_range *v = pass ? c : a;
		int cnt = pass ? nc : na;

		for (int i = 1; i < cnt; i++)
			for (int j = i; j > 0 && v[j - 1].lo > v[j].lo; j--) {
				struct t_range t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
	}
	/* coalesce adjacent ranges */
	for (int pass = 0; pass < 2; pass++) {
		struct t_range *v = pass ? c : a;
		int *cnt = pass ? &nc : &na, o = 0;

		for (int i = 0; i < *cnt; i++) {
			if (o && v[o - 1].end == v[i].lo)
				v[o - 1].end = v[i].end;
			else
				v[o++] = v[i];
		}
		*cnt = o;
	}
	if (na == nc && !memcmp(a, c, na * sizeof(a[0])))
		return true;
	{
		size_t used = 0;
		char m[64];

		used += snprintf(diff + used, n - used, "model: ");
		for (int i = 0; i < nc && used < n; i++)
			used += snprintf(diff + used, n - used, "%s%s", i ? " " : "",
					 fmt_mem(m, sizeof(m), c[i].lo, c[i].end));
	}
	return false;
}

static void compare_batch(const struct run *r, int k, const struct model_batch *mb,
			  struct findings *fs)
{
	const struct t_batch *b = &r->b[k];
	char where[40], m1[64], m2[64], diff[300];
	static const char *const ln[4] = { "", "4k", "2m", "1g" };

	snprintf(where, sizeof(where), "%s batch %d", r->label, k);
	if (mb->valid && (mb->pa_lo != b->pa_lo || mb->pa_end != b->pa_end))
		BAD("window %s, the plan gives %s (%s; budget %lu pages%s)",
		    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end),
		    fmt_mem(m2, sizeof(m2), mb->pa_lo, mb->pa_end), mb->stop, mb->budget,
		    k ? sf_target(mb->target) : "");
	else if (!mb->valid)
		BAD("the plan maps nothing more here (%s), the trace maps %s", mb->stop,
		    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end));
	else if (b->stop[0] && mb->stop_key && strcmp(b->stop, mb->stop_key))
		BAD("stop=%s, the plan's window ends by stop=%s (%s)", b->stop, mb->stop_key,
		    mb->stop);
	for (int l = 1; l <= 3; l++)
		if (b->leaves[l] != mb->leaves[l])
			BAD("leaves_%s=%lu, the window needs %lu", ln[l], b->leaves[l], mb->leaves[l]);
	if (b->tables != mb->tables || memcmp(b->tl, mb->tl, sizeof(b->tl)))
		BAD("tables=%lu (l4=%lu l3=%lu l2=%lu l1=%lu), the window needs %lu (l4=%lu l3=%lu l2=%lu l1=%lu)",
		    b->tables, b->tl[4], b->tl[3], b->tl[2], b->tl[1], mb->tables, mb->tl[4],
		    mb->tl[3], mb->tl[2], mb->tl[1]);
	if (b->links != mb->links)
		BAD("links=%lu, the window writes %lu entries into live tables", b->links, mb->links);
	if (b->has_budget && b->budget != mb->budget)
		BAD("budget=%lu pages, the plan has %lu", b->budget, mb->budget);
	if (mb->hook_modelled && b->hook_seen &&
	    (b->ro_entries != mb->ro_entries || b->splits != mb->splits ||
	     b->split_tables != mb->split_tables))
		BAD("hook ro_entries=%lu splits=%lu split_tables=%lu, the plan needs %lu, %lu, %lu",
		    b->ro_entries, b->splits, b->split_tables, mb->ro_entries, mb->splits,
		    mb->split_tables);
	if (b->hook_seen && !same_pages(b, mb, diff, sizeof(diff)))
		BAD("table pages are not the highest free mapped pages (%s)", diff);
}

static void model_run(const struct run *r, struct model *m, struct findings *fs);

/* Mark the batches an UNEXPECTED finding is about ("<label> batch <k>"). */
static void mark_deviations(const struct run *r, struct model *m, const struct findings *fs,
			    int from)
{
	char prefix[40];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%s batch ", r->label);

	for (int i = from; i < fs->n; i++) {
		int k;

		if (fs->f[i].cls == F_UNEXPECTED && !strncmp(fs->f[i].where, prefix, n) &&
		    sscanf(fs->f[i].where + n, "%d", &k) == 1 && k >= 0 && k < T_BATCH_MAX)
			m->b[k].deviates = true;
	}
}

void model_check(const struct run *r, struct model *m, struct findings *fs)
{
	int from = fs->n;

	memset(m, 0, sizeof(*m));
	self_check(r, fs);
	model_run(r, m, fs);
	mark_deviations(r, m, fs, from);
}

static void model_run(const struct run *r, struct model *m, struct findings *fs)
{
	struct mstate st = { .r = r, .m = m, .mark_brk_ro = true };
	struct mstate *s = &st;
	char where[40], m1[64];
	uint64_t ram_mapped = 0;
	unsigned long split_tl[5] = { 0 };

	snprintf(where, sizeof(where), "%s model", r->label);
	if (!r->has_brk || !r->nusable || !r->nb || !r->b[0].seen) {
		snprintf(m->why_not, sizeof(m->why_not), "the trace lacks brk, RAM or batch 0");
		finding_add(fs, F_INFO, where, "builder model not run: %s", m->why_not);
		return;
	}
	build_free(s);

	/* where step 2 starts: the plan's S against begin's start= */
	m->start = plan_start(s);
	s->start = r->start;                    /* stated; else the top of RAM */
	if (r->has_start && r->start != m->start)
		finding_add(fs, F_UNEXPECTED, where,
			    "begin start=0x%llx, the plan starts step 2 at 0x%llx (the end of the highest free range of 2 MiB or more, rounded up to %s, at most the top of RAM 0x%llx)",
			    (unsigned long long)r->start, (unsigned long long)m->start, r->maxpage,
			    (unsigned long long)r->ram_top);
	else if (!r->has_start && m->start != r->ram_top)
		finding_add(fs, F_INFO, where,
			    "begin has no start= (an older trace): replayed from the top of RAM 0x%llx; the current plan starts step 2 at 0x%llx",
			    (unsigned long long)r->ram_top, (unsigned long long)m->start);
	if (!s->start || s->start > r->ram_top)
		s->start = m->start;            /* nonsense: replay the plan's */
	if (r->has_chunk && r->chunk != chunk_size(r))
		finding_add(fs, F_UNEXPECTED, where, "begin chunk=0x%llx, the plan's chunks for maxpage=%s are 0x%llx",
			    (unsigned long long)r->chunk, r->maxpage,
			    (unsigned long long)chunk_size(r));
	s->cursor = s->start;
	s->above_lo = r->ram_top;

	/* step 1: the L4, the image in 4 KiB pages, the fixmap's L1 */
	batch_begin(s, 0, true);
	put_table(s, tkey(4, 0));
	s->mb->tables++;
	s->mb->tl[4]++;
	take_page(s);
	m->root = r->brk_pa;
	for (int i = 0; i < r->ns1; i++) {
		const struct t_step1 *x = &r->s1[i];
		unsigned long before = s->mb->tables;

		if (x->has_pa) {
			map(s, x->va, x->va_end - x->va, x->pa, 1);
		} else {        /* the fixmap: the L3, L2 and L1 above its first slot */
			for (int l = 3; l >= 1; l--)
				need_table(s, (unsigned)l, x->va);
		}
		m->s1_tables[i] = s->mb->tables - before;
		if (m->s1_tables[i] != x->tables_new)
			finding_add(fs, F_UNEXPECTED, where,
				    "step1 %s: tables_new=%lu, mapping it needs %lu", x->what,
				    x->tables_new, m->s1_tables[i]);
	}
	m->image_leaves = s->mb->leaves[1];
	if (r->b[0].has_image_leaves && r->b[0].image_leaves != m->image_leaves) {
		snprintf(where, sizeof(where), "%s batch 0", r->label);
		finding_add(fs, F_UNEXPECTED, where,
			    "image_leaves=%lu, step 1 maps the image with %lu 4 KiB pages",
			    r->b[0].image_leaves, m->image_leaves);
		snprintf(where, sizeof(where), "%s model", r->label);
	}

	/* step 2: RAM down from S while brk pays */
	s->mapped_lo = s->start;
	decide(s, s->start, 0, r->brk_pages - s->brk_used, UINT64_MAX);
	follow(s, r->b[0].pa_lo, r->b[0].pa_end);
	run_hook(s, &r->b[0], r->b[0].pa_lo);   /* step 3 */
	batch_end(s);
	if (s->alloc_failed)
		finding_add(fs, F_UNEXPECTED, where, "batch 0: brk is too small for what the trace maps");
	compare_batch(r, 0, s->mb, fs);
	s->mapped_lo = r->b[0].pa_lo;           /* step 4 */
	ram_mapped = s->mb->ram;
	m->nb = 1;

	/* steps 5-7: on down to the bottom of RAM, then [S, top of RAM) from the top */
	for (int k = 1; k < T_BATCH_MAX; k++) {
		uint64_t lo, chi, target;
		unsigned long budget;
		bool above = !next_chunk(s, s->mapped_lo, 0, &lo, &chi);
		uint64_t from = above ? s->above_lo : s->mapped_lo, floor = above ? s->start : 0;
		bool more = next_chunk(s, from, floor, &lo, &chi);

		if (!more && k >= r->nb)
			break;
		if (!more) {
			snprintf(where, sizeof(where), "%s batch %d", r->label, k);
			finding_add(fs, F_UNEXPECTED, where, "all RAM was mapped, yet the trace has batch %d", k);
			break;
		}
		if (k >= r->nb || !r->b[k].seen) {
			snprintf(where, sizeof(where), "%s trace", r->label);
			finding_add(fs, F_UNEXPECTED, where,
				    "usable RAM in %s is left unmapped: the plan needs batch %d",
				    fmt_mem(m1, sizeof(m1), floor, from), k);
			break;
		}
		batch_begin(s, k, false);
		s->mb->above = above;
		budget = free_pages_between(s, s->mapped_lo, s->cursor);
		if (r->tables_ro)
			budget = budget > r->hook_reserve ? budget - r->hook_reserve : 0;
		target = ram_mapped << r->growth_shift;
		if (target < r->batch_min)
			target = r->batch_min;
		decide(s, from, floor, budget, target);
		follow(s, r->b[k].pa_lo, r->b[k].pa_end);
		run_hook(s, &r->b[k], s->mapped_lo);
		batch_end(s);
		snprintf(where, sizeof(where), "%s model", r->label);
		if (s->alloc_failed)
			finding_add(fs, F_UNEXPECTED, where,
				    "batch %d: not enough free mapped RAM for its tables", k);
		compare_batch(r, k, s->mb, fs);
		if (above)
			s->above_lo = r->b[k].pa_lo;
		else
			s->mapped_lo = r->b[k].pa_lo;
		ram_mapped += s->mb->ram;
		m->nb = k + 1;
	}
	m->brk_used = s->brk_used;
	m->ok = true;
	snprintf(where, sizeof(where), "%s model", r->label);
	if (r->have_summary && s->brk_used != r->sum_brk_used)
		finding_add(fs, F_UNEXPECTED, where, "summary brk_used=%lu, the plan uses %lu",
			    r->sum_brk_used, s->brk_used);
	for (int k = 0; k < m->nb; k++)
		for (int l = 1; l <= 4; l++)
			split_tl[l] += m->b[k].split_tl[l];
	for (int l = 1; l <= 4 && r->have_summary; l++) {
		unsigned long want = split_tl[l];

		for (int k = 0; k < r->nb; k++)
			want += r->b[k].tl[l];
		if (r->sum_tl[l] != want)
			finding_add(fs, F_UNEXPECTED, where,
				    "summary l%d=%lu, the batches and the hook's splits make %lu", l,
				    r->sum_tl[l], want);
	}
	kset_free(&s->tables);
	kset_free(&s->ro);
	kset_free(&s->img_ro);
	free(s->journal);
}
