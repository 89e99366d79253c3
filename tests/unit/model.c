/*
 * tests/unit/model.c — what mm/ should produce, computed independently:
 * the normalised memory map (ref_normalise) and the fewest table pages a
 * map needs (min_tables).  See checker.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checker.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------ reference map --- */

/* Precedence (<mm/memmap.h>): usable loses to anything; the E820 types
 * 2..7 by number; a type that is no E820 type (0, or above 7) wins over
 * all of them and ends up reserved. */
static uint64_t rank(uint32_t t)
{
	if (t == MEM_USABLE)
		return 0;
	return t >= MEM_RESERVED && t <= MEM_PMEM ? t : 1ULL << 32;
}

static void emit(struct ref_map *m, uint64_t s, uint64_t e, uint32_t type)
{
	struct memmap_entry *last = m->nr ? &m->e[m->nr - 1] : NULL;

	if (e <= s)
		return;
	if (last && last->type == type && last->start + last->size == s) {
		last->size += e - s;
		return;
	}
	if (m->nr == REF_MAX) {
		fprintf(stderr, "checker: reference map overflow\n");
		abort();
	}
	m->e[m->nr].start = s;
	m->e[m->nr].size = e - s;
	m->e[m->nr].type = type;
	m->nr++;
}

void ref_normalise(const struct memmap_entry *in, unsigned int n, struct ref_map *out)
{
	static uint64_t pts[2 * REF_MAX];
	static uint32_t type[2 * REF_MAX];
	static bool covered[2 * REF_MAX];
	static struct ref_map painted;
	unsigned int i, np = 0, nu = 0, k;

	for (i = 0; i < n && np + 2 <= 2 * REF_MAX; i++)
		if (in[i].size) {
			pts[np++] = in[i].start;
			pts[np++] = in[i].start + in[i].size;
		}
	qsort(pts, np, sizeof(pts[0]), cmp_u64);
	for (i = 0; i < np; i++)
		if (!nu || pts[nu - 1] != pts[i])
			pts[nu++] = pts[i];
	memset(covered, 0, sizeof(covered[0]) * (nu ? nu : 1));
	for (i = 0; i < n; i++) {
		uint64_t s = in[i].start, e = in[i].start + in[i].size;
		unsigned int lo = 0, hi = nu;

		if (!in[i].size)
			continue;
		while (lo < hi) {               /* first point >= s */
			unsigned int mid = (lo + hi) / 2;
			if (pts[mid] < s)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k + 1 < nu && pts[k] < e; k++) {
			if (!covered[k] || rank(in[i].type) > rank(type[k]))
				type[k] = in[i].type;
			covered[k] = true;
		}
	}
	painted.nr = 0;
	for (k = 0; k + 1 < nu; k++)
		if (covered[k])
			emit(&painted, pts[k], pts[k + 1],
			     rank(type[k]) > MEM_PMEM ? MEM_RESERVED : type[k]);
	out->nr = 0;
	for (i = 0; i < painted.nr; i++) {
		const struct memmap_entry *e = &painted.e[i];
		uint64_t s = e->start, end = e->start + e->size;

		if (e->type == MEM_USABLE) {
			uint64_t as = s % PAGE_SIZE ? s - s % PAGE_SIZE + PAGE_SIZE : s;
			uint64_t ae = end - end % PAGE_SIZE;

			if (as < s || as >= ae) {       /* no whole page */
				emit(out, s, end, MEM_RESERVED);
				continue;
			}
			emit(out, s, as, MEM_RESERVED);
			emit(out, as, ae, MEM_USABLE);
			emit(out, ae, end, MEM_RESERVED);
		} else {
			emit(out, s, end, e->type);
		}
	}
}

bool entries_equal(const struct memmap_entry *a, const struct memmap_entry *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (a[i].start != b[i].start || a[i].size != b[i].size || a[i].type != b[i].type)
			return false;
	return true;
}

unsigned int ref_usable(const struct ref_map *m, struct mem_range *r, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr && n < max; i++)
		if (m->e[i].type == MEM_USABLE) {
			r[n].start = m->e[i].start;
			r[n].end = m->e[i].start + m->e[i].size;
			n++;
		}
	return n;
}

/* ---------------------------------------------------------- minimum --- */

/* Regions of 2^shift bytes (indices) that hold usable RAM and need a table
 * below them: every one when no leaf that big is allowed (leaf_ok false),
 * else those not wholly RAM (only a range's edge regions can be: the
 * ranges are maximal); plus the forced ones.  Each region counted once. */
static unsigned long count_regions(const struct mem_range *u, unsigned int n,
					  unsigned int shift, bool leaf_ok,
					  const uint64_t *forced, unsigned int nforced)
{
	uint64_t *c;
	size_t nc = 0, cap = 64, i;
	unsigned long count = 0;

	c = malloc(cap * sizeof(*c));
	for (i = 0; i < n; i++) {
		uint64_t first = u[i].start >> shift, last = (u[i].end - 1) >> shift, r;
		uint64_t mask = (1ULL << shift) - 1;

		for (r = first; r <= last; r++) {
			if (leaf_ok && r != first && r != last)
				r = last;       /* interior regions are whole leaves */
			if (leaf_ok) {
				uint64_t rs = r << shift, re = rs + mask + 1;
				if (u[i].start <= rs && re <= u[i].end)
					continue;
			}
			if (nc == cap)
				c = realloc(c, (cap *= 2) * sizeof(*c));
			c[nc++] = r;
		}
	}
	for (i = 0; i < nforced; i++) {
		if (nc == cap)
			c = realloc(c, (cap *= 2) * sizeof(*c));
		c[nc++] = forced[i];
	}
	qsort(c, nc, sizeof(*c), cmp_u64);
	for (i = 0; i < nc; i++)
		if (!i || c[i] != c[i - 1])
			count++;
	free(c);
	return count;
}

/* Add the 256 TiB regions (indices va >> 48) of [lo, hi] to ids, once each. */
static void add_l4_regions(uint64_t *ids, unsigned int *nid, unsigned int max, uint64_t lo,
			   uint64_t hi)
{
	uint64_t r, k;

	for (r = lo >> 48; ; r++) {
		for (k = 0; k < *nid && ids[k] != r; k++)
			;
		if (k == *nid && *nid < max)
			ids[(*nid)++] = r;
		if (r == hi >> 48)
			break;
	}
}

unsigned long min_tables(const struct mem_range *u, unsigned int n,
			 const struct mm_config *cfg, const struct mm_image *img,
			 unsigned int levels, unsigned long at[PT_LEVELS_MAX + 1])
{
	uint64_t forced1[4], forced2[4], va;
	unsigned int nf1 = 0, nf2 = 0, i;
	uint64_t img3 = UINT64_MAX, img2 = UINT64_MAX, img1 = UINT64_MAX;
	unsigned long l3i = 0, l2i = 0, l1i = 0;

	memset(at, 0, sizeof(at[0]) * (PT_LEVELS_MAX + 1));
	/* With tables_readonly, brk is mapped with 4 KiB pages in the direct map. */
	if (cfg->tables_readonly && img->brk_pages) {
		uint64_t bs = img->brk_pa, be = bs + img->brk_pages * PAGE_SIZE;

		for (i = 0; i < n; i++) {
			uint64_t s = u[i].start > bs ? u[i].start : bs;
			uint64_t e = u[i].end < be ? u[i].end : be;
			uint64_t r;

			if (s >= e)
				continue;
			for (r = s >> 21; r <= (e - 1) >> 21 && nf1 < 4; r++)
				forced1[nf1++] = r;
			for (r = s >> 30; r <= (e - 1) >> 30 && nf2 < 4; r++)
				forced2[nf2++] = r;
		}
	}
	/* the direct map: PA and VA differ by a 512 GiB-aligned constant */
	at[3] += count_regions(u, n, 39, false, NULL, 0);
	at[2] += count_regions(u, n, 30, cfg->max_level >= 3, forced2, nf2);
	at[1] += count_regions(u, n, 21, cfg->max_level >= 2, forced1, nf1);

	/* the image (4 KiB pages) and the fixmap's L1, ascending VAs */
	for (i = 0; i < img->nr_sec; i++) {
		if (img->sec[i].kind == IMG_GUARD)
			continue;
		for (va = img->sec[i].va; va < img->sec[i].va_end; va += PAGE_SIZE) {
			if (va >> 39 != img3) { img3 = va >> 39; l3i++; }
			if (va >> 30 != img2) { img2 = va >> 30; l2i++; }
			if (va >> 21 != img1) { img1 = va >> 21; l1i++; }
		}
	}
	va = FIXMAP_BASE;
	if (va >> 39 != img3) l3i++;
	if (va >> 30 != img2) l2i++;
	if (va >> 21 != img1) l1i++;
	at[3] += l3i;
	at[2] += l2i;
	at[1] += l1i;
	if (levels == 5) {
		/* one L5 root; an L4 for every 256 TiB of VA that holds part of
		 * the direct map, the image or the fixmap (VA = base + PA: the
		 * direct map's base is not 256 TiB aligned, so by VA) */
		uint64_t ids[64];
		unsigned int nid = 0;

		for (i = 0; i < n; i++)
			add_l4_regions(ids, &nid, 64, DIRECT_MAP_BASE + u[i].start,
				       DIRECT_MAP_BASE + u[i].end - 1);
		for (i = 0; i < img->nr_sec; i++)
			if (img->sec[i].kind != IMG_GUARD && img->sec[i].va_end > img->sec[i].va)
				add_l4_regions(ids, &nid, 64, img->sec[i].va, img->sec[i].va_end - 1);
		add_l4_regions(ids, &nid, 64, FIXMAP_BASE, FIXMAP_BASE);
		at[4] = nid;
		at[5] = 1;
	} else {
		at[4] = 1;
	}
	return at[1] + at[2] + at[3] + at[4] + at[5];
}

/* ------------------------------------------------------ start point --- */

static int cmp_range_start(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

unsigned int ref_free(const struct mem_range *u, unsigned int n, const struct mm_image *img,
		      const struct mem_range *bd, unsigned int nbd, struct mem_range *out,
		      unsigned int max)
{
	const uint64_t pm = PAGE_SIZE - 1;
	struct mem_range *res = malloc((nbd + 2) * sizeof(*res));
	unsigned int nr = 0, nm = 0, i, j = 0, nout = 0;

	/* what never holds tables, page-rounded outward */
	res[nr++] = (struct mem_range){ 0, 1ULL << 20 };
	if (img->pa_end > img->pa_start)
		res[nr++] = (struct mem_range){ img->pa_start & ~pm, (img->pa_end + pm) & ~pm };
	for (i = 0; i < nbd; i++)
		if (bd[i].end > bd[i].start)
			res[nr++] = (struct mem_range){ bd[i].start & ~pm, (bd[i].end + pm) & ~pm };
	/* their union, as disjoint sorted intervals */
	qsort(res, nr, sizeof(*res), cmp_range_start);
	for (i = 0; i < nr; i++) {
		if (nm && res[i].start <= res[nm - 1].end) {
			if (res[i].end > res[nm - 1].end)
				res[nm - 1].end = res[i].end;
			continue;
		}
		res[nm++] = res[i];
	}
	/* each usable range minus the union */
	for (i = 0; i < n; i++) {
		uint64_t cur = u[i].start;

		while (j < nm && res[j].end <= cur)
			j++;
		for (unsigned int k = j; k < nm && res[k].start < u[i].end; k++) {
			if (res[k].start > cur && nout < max)
				out[nout++] = (struct mem_range){ cur, res[k].start };
			if (res[k].end > cur)
				cur = res[k].end;
		}
		if (cur < u[i].end && nout < max)
			out[nout++] = (struct mem_range){ cur, u[i].end };
	}
	free(res);
	return nout;
}

uint64_t ref_start(const struct mem_range *u, unsigned int n, const struct mem_range *f,
		   unsigned int nf, unsigned int max_level)
{
	uint64_t leaf = 1ULL << (12 + 9 * (max_level - 1));
	uint64_t top = n ? u[n - 1].end : 0, s;
	unsigned int i;

	for (i = nf; i-- > 0;) {
		if (f[i].end - f[i].start < REF_START_MIN_FREE)
			continue;
		s = f[i].end % leaf ? f[i].end - f[i].end % leaf + leaf : f[i].end;
		return s < top ? s : top;
	}
	return top;
}

unsigned long ref_free_pages(const struct mem_range *f, unsigned int nf, uint64_t lo, uint64_t hi)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < nf; i++) {
		uint64_t s = f[i].start > lo ? f[i].start : lo;
		uint64_t e = f[i].end < hi ? f[i].end : hi;

		if (s < e)
			pages += (e - s) >> PAGE_SHIFT;
	}
	return pages;
}
