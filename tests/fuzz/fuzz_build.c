/*
 * tests/fuzz/fuzz_build.c — libFuzzer harness for the whole builder,
 * mm_init(), checked by the same independent checker as the unit tests
 * (tests/unit/build.c, checker.c, model.c, hostenv.c, hostpv.c).
 *
 * Input:
 *   [0] cap (1 + b % 3: 4k, 2m, 1g); bit 2: no NX; bit 3: tables_readonly;
 *       bit 4: the hook pins the tables read-only like Xen PVH (implies
 *       tables_readonly; hostenv.c); bit 5: five paging levels (docs/la57.md)
 *   [1] brk pages: 9 + b % 16 (16 + b % 9 with tables_readonly), one more at
 *       five levels (the L5 root) — always enough for step 1 and one
 *       chunk, so "brk exhausted" is a finding
 *   [2] MAXPHYADDR: 36 + b % 17
 *   [3] number of boot-data ranges (b % 3), then 8 bytes each:
 *       le32 page number, le32 length in bytes
 *   then memory-map entries (fuzz_common.h).
 * Usable RAM is limited per exec so that a run stays well under a
 * millisecond: 32 MiB with 4k leaves, 4 GiB with 2m, 64 GiB with 1g
 * (spread over any span of addresses up to the 64 TiB direct map);
 * bigger maps are skipped.
 *
 * Outcomes: a panic the memory-map contract expects; "kernel image ... is
 * not inside usable RAM" when no usable range holds the image (1 MiB up to
 * the end of brk); "beyond the 64 TiB direct map" when RAM ends there.
 * "RAM too small" is accepted only when the oracle agrees that the map is
 * too small for top-down building with this brk (ram_too_small() below,
 * from the independent model: the start point, the free RAM and the fewest
 * tables of tests/unit/model.c); any other "RAM too small" is a finding
 * (category ram-too-small).  RESULTS.md, finding 3, has the history (no RAM
 * free, or step 2's first chunks taking all of a small brk).  Anything else
 * must build tables that pass every check, the start rule and the batch
 * order included (tests/unit/checker.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "fuzz_common.h"

static unsigned long runs, skipped, ram_too_small, expected_panics, built;

/* ------------------------------------------------ the too-small oracle
 *
 * The best any top-down builder can do with this map (design §1): batch 0
 * maps chunks (2 MiB with 4k leaves, else 1 GiB, aligned) down from the
 * start point S for as long as brk pays for their tables; from then on each
 * chunk's tables come from the free pages below S that are already mapped,
 * less what the hook may keep for itself (hook_reserve_pages); the chunks go
 * on down to the bottom of RAM, then from the top of RAM down to S (their
 * free pages, above S, never hold tables).  A chunk costs the tables that
 * mapping it adds (min_tables of the mapped RAM with it, less without it).
 * The map is too small when some chunk costs more than there is.  With the
 * pinning hook, whose splits take pages this model does not count, brk is
 * taken to be smaller by the hook's reserve, and every chunk to keep it:
 * the oracle then errs towards accepting.
 */
#define ORACLE_MAX (REF_MAX + 8)

static struct mem_range o_usable[REF_MAX], o_free[REF_MAX], o_mapped[ORACLE_MAX];
static unsigned int o_nu, o_nf, o_nm;
static char o_why[200];

static int cmp_start(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* min_tables of the mapped RAM, with [lo, hi) of usable RAM added if hi > lo. */
static unsigned long cost_with(const struct build_case *c, uint64_t lo, uint64_t hi)
{
	static struct mem_range r[ORACLE_MAX + REF_MAX];
	struct mm_config cfg = { .max_level = c->max_level, .nx = c->nx,
				 .tables_readonly = c->tables_readonly };
	unsigned long at[PT_LEVELS_MAX + 1];
	unsigned int n = 0, i, m = 0;

	for (i = 0; i < o_nm; i++)
		r[n++] = o_mapped[i];
	for (i = 0; i < o_nu && hi > lo; i++) {
		uint64_t s = o_usable[i].start > lo ? o_usable[i].start : lo;
		uint64_t e = o_usable[i].end < hi ? o_usable[i].end : hi;

		if (s < e)
			r[n++] = (struct mem_range){ s, e };
	}
	qsort(r, n, sizeof(r[0]), cmp_start);
	for (i = 0; i < n; i++) {               /* merge touching ranges */
		if (m && r[i].start <= r[m - 1].end) {
			if (r[i].end > r[m - 1].end)
				r[m - 1].end = r[i].end;
		} else {
			r[m++] = r[i];
		}
	}
	return min_tables(r, m, &cfg, &host.image, c->levels ? c->levels : 4, at);
}

static void map_chunk(uint64_t lo, uint64_t hi)
{
	unsigned int i;

	for (i = 0; i < o_nu && o_nm < ORACLE_MAX; i++) {
		uint64_t s = o_usable[i].start > lo ? o_usable[i].start : lo;
		uint64_t e = o_usable[i].end < hi ? o_usable[i].end : hi;

		if (s < e)
			o_mapped[o_nm++] = (struct mem_range){ s, e };
	}
}

static bool has_ram(uint64_t lo, uint64_t hi)
{
	unsigned int i;

	for (i = 0; i < o_nu; i++)
		if (o_usable[i].start < hi && o_usable[i].end > lo)
			return true;
	return false;
}

/* The next chunk of RAM below `below` (and at or above `floor`), as
 * [*lo, *hi) cut to [floor, below); false if none. */
static bool chunk_below(uint64_t below, uint64_t floor, uint64_t size, uint64_t *lo, uint64_t *hi)
{
	uint64_t top = below;
	int i;

	while (top > floor) {
		uint64_t c = (top - 1) & ~(size - 1);
		uint64_t l = c > floor ? c : floor;

		if (has_ram(l, top)) {
			*lo = l;
			*hi = top;
			return true;
		}
		/* skip to the highest usable byte below l */
		for (i = (int)o_nu - 1; i >= 0 && o_usable[i].start >= l; i--)
			;
		if (i < 0 || o_usable[i].end <= floor)
			return false;
		top = o_usable[i].end < l ? o_usable[i].end : l;
	}
	return false;
}

static bool oracle_too_small(const struct build_case *c, const struct mem_range *bd, unsigned int nbd)
{
	uint64_t chunk = c->max_level == 1 ? 2ULL << 20 : 1ULL << 30;
	uint64_t S, lo, hi, cursor, top;
	unsigned long pin_keep = c->pin ? c->hook_reserve_pages : 0;
	unsigned long brk = c->brk_pages - (pin_keep < c->brk_pages ? pin_keep : 0);
	unsigned long pool = 0, need, t;
	bool above = false;

	o_nm = 0;
	o_nf = ref_free(o_usable, o_nu, &host.image, bd, nbd, o_free, REF_MAX);
	S = ref_start(o_usable, o_nu, o_free, o_nf, c->max_level);
	top = o_usable[o_nu - 1].end;
	/* batch 0, from brk */
	cursor = S;
	while (chunk_below(cursor, 0, chunk, &lo, &hi) && cost_with(c, lo, hi) <= brk) {
		map_chunk(lo, hi);
		pool += ref_free_pages(o_free, o_nf, lo, hi);
		cursor = lo;
	}
	t = cost_with(c, 0, 0);
	/* step 5: on down, then the top down to S */
	for (;;) {
		if (!above && !chunk_below(cursor, 0, chunk, &lo, &hi)) {
			above = true;
			cursor = top;
		}
		if (above && !chunk_below(cursor, S, chunk, &lo, &hi))
			break;
		need = cost_with(c, lo, hi) - t;
		if (need + c->hook_reserve_pages > pool) {
			snprintf(o_why, sizeof(o_why), "chunk [mem 0x%010lx-0x%010lx] needs %lu tables + %lu reserve, %lu free mapped pages below S=0x%lx",
				 (unsigned long)lo, (unsigned long)(hi - 1), need, c->hook_reserve_pages,
				 pool, (unsigned long)S);
			return true;
		}
		pool -= need + pin_keep;
		map_chunk(lo, hi);
		t += need;
		if (!above)
			pool += ref_free_pages(o_free, o_nf, lo, hi);
		cursor = lo;
	}
	snprintf(o_why, sizeof(o_why), "a top-down build fits: %lu table pages, brk %lu, S=0x%lx",
		 t, c->brk_pages, (unsigned long)S);
	return false;
}

static void stats(void)
{
	fprintf(stderr, "fuzz_build: %lu inputs: %lu built and checked, %lu expected panics, %lu \"RAM too small\" (the oracle agrees), %lu skipped (too much RAM)\n",
		runs, built, expected_panics, ram_too_small, skipped);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	atexit(stats);
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memmap_entry map[MEMMAP_MAX];
	static struct ref_map ref;
	static struct mem_range usable[REF_MAX];
	static struct build_outcome o;
	struct mem_range bd[2];
	struct build_case c = { 0 };
	unsigned int nbd, i, nu;
	uint64_t limit, ram = 0, cap_bytes;
	char want[256];
	bool expect;
	const uint8_t *p;

	if (size < 4)
		return 0;
	runs++;
	c.max_level = 1 + data[0] % 3;
	c.nx = !(data[0] & 4);
	c.pin = data[0] & 16;
	c.tables_readonly = (data[0] & 8) || c.pin;
	c.hook_reserve_pages = c.tables_readonly ? HOST_PIN_HOOK_PAGES : 0;
	c.levels = data[0] & 32 ? 5 : 4;
	c.brk_pages = (c.tables_readonly ? 16 + data[1] % 9 : 9 + data[1] % 16) + (c.levels == 5);
	limit = 1ULL << (36 + data[2] % 17);
	c.phys_limit = limit;
	nbd = data[3] % 3;
	p = data + 4;
	size -= 4;
	for (i = 0; i < nbd; i++) {
		if (size < 8)
			return 0;
		bd[i].start = (uint64_t)le32(p) << 12;
		bd[i].end = bd[i].start + le32(p + 4);
		p += 8;
		size -= 8;
	}
	c.no_mm_check = true;           /* the independent checker is the judge */
	c.boot_data = bd;
	c.nr_boot_data = nbd;
	c.nr = fuzz_decode(p, size, map, MEMMAP_MAX);
	c.map = map;

	fuzz_suffix = fuzz_suffix_for(map, c.nr);
	expect = fuzz_memmap_panic(map, c.nr, limit, want, sizeof(want));
	if (!expect) {
		ref_normalise(map, c.nr, &ref);
		nu = ref_usable(&ref, usable, REF_MAX);
		/* an upper bound whatever mm makes of the map (type 0 included) */
		for (i = 0; i < c.nr; i++)
			if (map[i].type == MEM_USABLE)
				ram += map[i].size;
		cap_bytes = c.max_level == 1 ? 32ULL << 20 : c.max_level == 2 ? 4ULL << 30 : 64ULL << 30;
		if (ram > cap_bytes) {
			skipped++;
			return 0;
		}
		for (i = 0; i < nu; i++)
			if (usable[i].start <= KERNEL_LOAD_PA &&
			    usable[i].end >= HOST_BRK_PA + c.brk_pages * PAGE_SIZE)
				break;
		if (!nu) {
			expect = true;
			snprintf(want, sizeof(want), "no usable RAM");
		} else if (i == nu) {
			expect = true;
			snprintf(want, sizeof(want), "kernel image [mem 0x%010lx-0x%010lx] is not inside usable RAM",
				 (unsigned long)KERNEL_LOAD_PA,
				 (unsigned long)(HOST_BRK_PA + c.brk_pages * PAGE_SIZE - 1));
		} else if (usable[nu - 1].end > (64ULL << 40)) {
			expect = true;
			snprintf(want, sizeof(want), "beyond the 64 TiB direct map");
		}
	}

	build_and_check(&c, &o);
	if (o.panicked) {
		if (expect) {
			if (!strstr(o.panic_msg, want))
				fuzz_finding("wrong-panic", data, size + 4 + 8 * nbd,
					     "panic \"%s\", want \"%s\"", o.panic_msg, want);
			expected_panics++;
			return 0;
		}
		if (strstr(o.panic_msg, "more than") && strstr(o.panic_msg, "memory map") &&
		    ref.nr > sizeof(((struct memmap *)0)->e) / sizeof(struct memmap_entry)) {
			expected_panics++;
			return 0;
		}
		if (strstr(o.panic_msg, "RAM too small") && nu) {
			o_nu = nu;
			memcpy(o_usable, usable, nu * sizeof(usable[0]));
			if (oracle_too_small(&c, bd, nbd)) {
				ram_too_small++;
				return 0;
			}
			fuzz_finding("ram-too-small", data, size + 4 + 8 * nbd,
				     "panic \"%s\", but the oracle says %s", o.panic_msg, o_why);
			return 0;
		}
		fuzz_finding(strstr(o.panic_msg, "brk exhausted") ? "brk-exhausted" :
			     strstr(o.panic_msg, "RAM too small") ? "ram-too-small" :
			     strstr(o.panic_msg, "extents") ? "extents" : "unexpected-panic",
			     data, size + 4 + 8 * nbd, "panic \"%s\"", o.panic_msg);
		return 0;
	}
	if (expect) {
		fuzz_finding("missing-panic", data, size + 4 + 8 * nbd, "no panic, want \"%s\"", want);
		return 0;
	}
	built++;
	if (o.errors) {
		char cat[40];

		snprintf(cat, sizeof(cat), "invariant-%s",
			 o.host_errors ? "host" : o.check_errors ? "checker" :
			 o.mm_check_errors ? "mm_check" : "trace");
		fuzz_finding(cat, data, size + 4 + 8 * nbd, "%lu errors, first: %s", o.errors, o.first);
	}
	return 0;
}
