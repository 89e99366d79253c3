/*
 * tests/unit/test_build.c — mm_init over many memory maps and page-size
 * caps, each run checked by the independent checker (build.c), plus brk
 * exhaustion and the corner cases of the builder.
 *
 * A passing test prints "detail: <name> <facts>" lines that the runner
 * attaches to its PASS line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <mm/check.h>
#include "build.h"
#include "maps.h"

#define PHYS_LIMIT_52 (1ULL << 52)
#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static struct test_map maps[TEST_MAPS_MAX];

struct param {
	char name[96];
	const struct test_map *map;
	unsigned int max_level;
	bool tables_ro;
	bool pin;
	unsigned long brk_pages;
};

static void detail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("detail: %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static uint64_t map_usable(const struct test_map *m)
{
	static struct ref_map ref;
	static struct mem_range u[REF_MAX];
	unsigned int i, n;
	uint64_t sum = 0;

	ref_normalise(m->e, m->nr, &ref);
	n = ref_usable(&ref, u, REF_MAX);
	for (i = 0; i < n; i++)
		sum += u[i].end - u[i].start;
	return sum;
}

/* ------------------------------------------------------------ builds --- */

static void test_build_map(void **state)
{
	const struct param *p = *state;
	struct build_case c = {
		.map = p->map->e, .nr = p->map->nr,
		.boot_data = p->map->boot_data, .nr_boot_data = p->map->nr_boot_data,
		.max_level = p->max_level, .nx = true, .tables_readonly = p->tables_ro,
		.brk_pages = p->brk_pages, .phys_limit = PHYS_LIMIT_52, .pin = p->pin,
	};
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("mm_init panicked: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%lu errors (host %lu, checker %lu, mm_check %lu, trace %lu); first: %s",
			 o.errors, o.host_errors, o.check_errors, o.mm_check_errors, o.trace_errors,
			 o.first);
	assert_int_equal(o.r.tables, o.r.min_tables);
	assert_true(mm.brk_used <= p->brk_pages);
	if (p->pin)
		detail(p->name, "ram=%luM tables=%lu (min %lu + %lu split) brk=%lu/%lu batches=%lu links=%lu pinned ro_entries=%lu splits=%lu",
		       (unsigned long)(o.r.usable_bytes >> 20), o.r.tables,
		       o.r.min_tables - host.pin_split_tables, host.pin_split_tables, mm.brk_used,
		       p->brk_pages, o.r.batches, mm.links, host.pin_ro_entries, host.pin_splits);
	else
		detail(p->name, "ram=%luM tables=%lu (min %lu) brk=%lu/%lu batches=%lu links=%lu",
		       (unsigned long)(o.r.usable_bytes >> 20), o.r.tables, o.r.min_tables,
		       mm.brk_used, p->brk_pages, o.r.batches, mm.links);
}

/* 1 TiB takes a handful of batches. */
static void test_flat_1t_batches(void **state)
{
	const struct param *p = *state;
	struct build_case c = {
		.map = p->map->e, .nr = p->map->nr, .max_level = p->max_level, .nx = true,
		.brk_pages = 16, .phys_limit = PHYS_LIMIT_52,
	};
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("mm_init panicked: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	if (o.r.batches > 5)
		fail_msg("1 TiB took %lu batches (want a handful, <= 5)", o.r.batches);
	detail(p->name, "batches=%lu", o.r.batches);
}

/* ---------------------------------------------------------------- brk --- */

struct brk_case {
	const char *name;
	unsigned long brk_pages;
	unsigned int max_level;
	const char *want;               /* substring of the panic, NULL: no panic */
};

static const struct brk_case brk_cases[] = {
	{ "brk/none", 0, 2, "step 1 cannot allocate the L4 (brk has 0 pages)" },
	{ "brk/image-text", 3, 2, "step 1 needs 3 more pages to map text, 2 of 3 left" },
	{ "brk/fixmap", 4, 2, "step 1 needs 1 more pages for the fixmap, 0 of 4 left" },
	{ "brk/step2-4k", 7, 1, "needs 3 pages, 2 of 7 left" },
	{ "brk/step2-2m", 7, 2, "needs 3 pages, 2 of 7 left" },
	{ "brk/enough-4k", 8, 1, NULL },
	{ "brk/enough-2m", 8, 2, NULL },
	{ "brk/large-64", 64, 1, NULL },
};

static void test_brk(void **state)
{
	const struct brk_case *bc = *state;
	static struct test_map m;
	struct build_case c = {
		.map = m.e, .max_level = bc->max_level, .nx = true, .brk_pages = bc->brk_pages,
		.phys_limit = PHYS_LIMIT_52,
	};
	static struct build_outcome o;

	memset(&m, 0, sizeof(m));
	m.e[0] = (struct memmap_entry){ 0, 0x9fc00, MEM_USABLE };
	m.e[1] = (struct memmap_entry){ 1ULL << 20, 255ULL << 20, MEM_USABLE };
	m.nr = 2;
	c.nr = m.nr;
	build_and_check(&c, &o);
	if (!bc->want) {
		if (o.panicked)
			fail_msg("unexpected panic: %s", o.panic_msg);
		if (o.errors)
			fail_msg("%s", o.first);
		assert_true(mm.brk_used <= bc->brk_pages);
		detail(bc->name, "brk=%lu/%lu", mm.brk_used, bc->brk_pages);
		return;
	}
	if (!o.panicked)
		fail_msg("no panic; wanted \"%s\"", bc->want);
	if (!strstr(o.panic_msg, "brk exhausted") || !strstr(o.panic_msg, bc->want))
		fail_msg("panic \"%s\", wanted \"brk exhausted ... %s\"", o.panic_msg, bc->want);
	detail(bc->name, "panic=\"%s\"", o.panic_msg);
}

/* brk never runs over its reservation, whatever the RAM: with every cap and
 * a large map, brk_used <= brk_pages for brk sizes 7..20. */
static void test_brk_bounded(void **state)
{
	const struct test_map *m = *state;
	unsigned long pages;
	unsigned int lvl;
	static struct build_outcome o;

	for (lvl = 1; lvl <= 3; lvl++)
		for (pages = 8; pages <= 20; pages++) {
			struct build_case c = {
				.map = m->e, .nr = m->nr, .max_level = lvl, .nx = true,
				.brk_pages = pages, .phys_limit = PHYS_LIMIT_52,
			};

			build_and_check(&c, &o);
			if (o.panicked)
				fail_msg("brk %lu, cap %u: panic %s", pages, lvl, o.panic_msg);
			if (o.errors)
				fail_msg("brk %lu, cap %u: %s", pages, lvl, o.first);
			if (mm.brk_used > pages)
				fail_msg("brk %lu, cap %u: used %lu", pages, lvl, mm.brk_used);
		}
}

/* ------------------------------------------------------- other panics --- */

static void run_init(void *p)
{
	struct build_case *c = p;
	static struct memmap map;
	struct mm_config cfg = { .max_level = c->max_level, .nx = true, .phys_limit = c->phys_limit };
	unsigned int i;

	map.nr = 0;
	for (i = 0; i < c->nr; i++)
		map.e[map.nr++] = c->map[i];
	mm_init(&cfg, &host.image, &map, c->boot_data, c->nr_boot_data);
}

static const char *init_panic(const struct memmap_entry *e, unsigned int n, unsigned int lvl,
			      uint64_t limit)
{
	struct build_case c = { .map = e, .nr = n, .max_level = lvl, .phys_limit = limit };

	host_reset(16);
	return host_call(run_init, &c) ? host.panic_msg : NULL;
}

static void test_bad_level(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 64 << 20, MEM_USABLE } };
	const char *msg;

	msg = init_panic(e, 1, 0, PHYS_LIMIT_52);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "max page level 0 out of range"));
	msg = init_panic(e, 1, 4, PHYS_LIMIT_52);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "max page level 4 out of range"));
}

/* RAM beyond the 64 TiB direct map cannot be mapped: a clear panic. */
static void test_beyond_direct_map(void **state)
{
	struct memmap_entry e[] = {
		{ 1 << 20, 64 << 20, MEM_USABLE },
		{ (64ULL << 40) - (1ULL << 30), 2ULL << 30, MEM_USABLE },
	};
	const char *msg = init_panic(e, 2, 2, PHYS_LIMIT_52);

	assert_non_null(msg);
	assert_non_null(strstr(msg, "beyond the 64 TiB direct map"));
}

/* The memory map's own panics reach mm_init's caller. */
static void test_init_bad_map(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 1 << 20, MEM_RESERVED } };
	const char *msg = init_panic(e, 1, 2, PHYS_LIMIT_52);

	assert_non_null(msg);
	assert_non_null(strstr(msg, "no usable RAM"));
}

/* ------------------------------------------------------ after mm_init --- */

static void test_fixmap(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 127 << 20, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	unsigned int level = 0;
	unsigned long writes;
	pte_t pte;

	build_and_check(&c, &o);
	assert_false(o.panicked);
	assert_int_equal(o.errors, 0);
	writes = host.write_pte_calls;
	fixmap_set(5, 0x7000, true);
	assert_int_equal(host.write_pte_calls, writes + 1);
	assert_int_equal(host.flush_calls, 1);
	pte = host_lookup(host.root, fixmap_addr(5), &level);
	assert_int_equal(level, 1);
	assert_int_equal(pte_addr(pte), 0x7000);
	assert_true(pte & PTE_RW);
	assert_true(pte & PTE_NX);
	pte = pt_lookup(fixmap_addr(5), &level, NULL);
	assert_int_equal(pte_addr(pte), 0x7000);
	assert_int_equal(host.errors, 0);
}

static void do_fixmap_oob(void *p)
{
	fixmap_set(FIXMAP_SLOTS, 0x1000, false);
}

static void test_fixmap_out_of_range(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 127 << 20, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;

	build_and_check(&c, &o);
	assert_false(o.panicked);
	assert_true(host_call(do_fixmap_oob, NULL));
	assert_non_null(strstr(host.panic_msg, "fixmap slot 512 out of range"));
}

/* Without NX the direct map and the image carry no NX bit anywhere. */
static void test_no_nx(void **state)
{
	const struct test_map *m = *state;
	struct build_case c = { .map = m->e, .nr = m->nr, .max_level = 2, .nx = false,
				.brk_pages = 16, .phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("panic: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
}

/* The trace's end record covers every record: altering one byte breaks it. */
static void test_trace_tamper(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 511 << 20, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = 1, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	char msg[256], *copy, *p;
	unsigned long nb;

	build_and_check(&c, &o);
	assert_false(o.panicked);
	assert_int_equal(o.errors, 0);
	copy = strdup(host_output());
	assert_int_equal(check_trace(copy, msg, sizeof(msg), &nb), 0);
	assert_true(nb >= 2);
	p = strstr(copy, "trace: batch id=1");
	assert_non_null(p);
	p[strlen("trace: batch id=")] = '7';
	assert_int_not_equal(check_trace(copy, msg, sizeof(msg), &nb), 0);
	free(copy);
}

/* ------------------------------------------------------------- probes --- */

/*
 * Maps where the top of RAM gives step 5 nothing to allocate from: the boot
 * data (an initrd, as loaders put it at the top of low RAM) fills the part
 * of RAM that brk can pay to map.  All RAM below is free, so a correct
 * builder maps everything.
 */
static void test_initrd_at_top(void **state)
{
	const struct param *p = *state;
	struct memmap_entry e[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 1ULL << 20, 511ULL << 20, MEM_USABLE },
	};
	struct mem_range bd[] = { { 480ULL << 20, 512ULL << 20 } };
	struct build_case c = { .map = e, .nr = 2, .boot_data = bd, .nr_boot_data = 1,
				.max_level = p->max_level, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("mm_init panicked with 480 MiB of free RAM below a 32 MiB initrd: %s",
			 o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
}

/*
 * RAM that starts with a few small islands at the top: each island costs
 * more table pages than it brings.  Plenty of RAM lies below.
 */
static void test_islands_at_top(void **state)
{
	const struct param *p = *state;
	static struct memmap_entry e[40];
	struct build_case c = { .map = e, .max_level = p->max_level, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	unsigned int n = 0, i;

	e[n++] = (struct memmap_entry){ 1ULL << 20, 4ULL << 30, MEM_USABLE };
	for (i = 0; i < 24; i++)
		e[n++] = (struct memmap_entry){ (8ULL + 2 * i) << 30, 4096, MEM_USABLE };
	c.nr = n;
	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("mm_init panicked with 4 GiB of RAM below 24 one-page islands: %s",
			 o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
}

/*
 * Firmware maps (EFI ones especially) scatter small reserved ranges in the
 * last GiB below 4 GiB.  With 2 MiB or 1 GiB leaves step 2 maps 1 GiB
 * chunks; a top chunk with 16 holes needs L3 + L2 + 16 L1 = 18 pages,
 * more than brk has, though 2 MiB of it would need 3.
 */
static void test_fragmented_top(void **state)
{
	const struct param *p = *state;
	static struct memmap_entry e[40];
	struct build_case c = { .map = e, .max_level = p->max_level, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	unsigned int n = 0, i;

	e[n++] = (struct memmap_entry){ 0, 0x9fc00, MEM_USABLE };
	e[n++] = (struct memmap_entry){ 1ULL << 20, (3ULL << 30) - (1ULL << 20), MEM_USABLE };
	for (i = 0; i < 16; i++)
		e[n++] = (struct memmap_entry){ (2ULL << 30) + i * (40ULL << 20) + 0x5000, 0x3000,
						i % 2 ? MEM_RESERVED : MEM_NVS };
	c.nr = n;
	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("mm_init panicked on 3 GiB of RAM with 16 small holes in its top GiB: %s",
			 o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
}

/*
 * Tables must come from RAM that is already mapped, even when little of it
 * is free: boot data fills all but two pages of what brk maps (4k leaves:
 * the top 18 MiB), so the first step-5 batch may take only those two pages
 * although its target is 16 times more RAM.
 */
static void test_tight_top(void **state)
{
	const struct param *p = *state;
	struct memmap_entry e[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 1ULL << 20, 511ULL << 20, MEM_USABLE },
	};
	struct mem_range bd[] = { { 494ULL << 20, (512ULL << 20) - 0x2000 } };
	struct build_case c = { .map = e, .nr = 2, .boot_data = bd, .nr_boot_data = 1,
				.max_level = p->max_level, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("panic: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	if (host.nr_batches < 2 || host.batch[1].nr_tables > 2)
		fail_msg("batch 1 has %lu tables; only 2 free pages were mapped",
			 host.nr_batches < 2 ? 0 : host.batch[1].nr_tables);
	detail(p->name, "batches=%lu batch1_tables=%lu", o.r.batches, host.batch[1].nr_tables);
}

/*
 * The hook's own tables (splits of large direct-map pages, when it pins)
 * must find free mapped RAM: boot data leaves only ten free pages in what
 * brk maps, the first step-5 batch must keep some of them for the hook.
 */
static void test_hook_reserve(void **state)
{
	const struct param *p = *state;
	struct memmap_entry e[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 1ULL << 20, (64ULL << 30) - (1ULL << 20), MEM_USABLE },
	};
	struct mem_range bd[1];
	struct build_case c = { .map = e, .nr = 2, .max_level = p->max_level, .nx = true,
				.tables_readonly = true, .pin = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	uint64_t lo;

	build_and_check(&c, &o);                /* where does brk's batch end? */
	if (o.panicked || o.errors || host.nr_batches < 2)
		fail_msg("dry run: %s%s", o.panic_msg, o.first);
	lo = host.batch[0].pa_lo;
	bd[0] = (struct mem_range){ lo, (64ULL << 30) - 10 * PAGE_SIZE };
	c.boot_data = bd;
	c.nr_boot_data = 1;
	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("panic with 10 free pages mapped by brk: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	detail(p->name, "batches=%lu splits=%lu split_tables=%lu", o.r.batches, host.pin_splits,
	       host.pin_split_tables);
}

/* --------------------------------------------------------------- main --- */

static struct param params[TEST_MAPS_MAX * 8 + 16];
static struct CMUnitTest tests[TEST_MAPS_MAX * 8 + 64];

int main(void)
{
	static const char *caps[] = { "", "4k", "2m", "1g" };
	static struct param probe4k = { .max_level = 1 }, probe2m = { .max_level = 2 },
			    probe1g = { .max_level = 3 },
			    tight = { .name = "edge/tight-top/4k", .max_level = 1 },
			    reserve2m = { .name = "edge/hook-reserve/2m", .max_level = 2 };
	unsigned int nm = test_maps(maps), np = 0, nt = 0, i, lvl;
	const struct test_map *flat = NULL, *big = NULL, *pc4g = NULL;

	for (i = 0; i < nm; i++) {
		uint64_t usable = map_usable(&maps[i]);

		if (!strcmp(maps[i].name, "flat-1T"))
			flat = &maps[i];
		if (!strcmp(maps[i].name, "pc-16G"))
			big = &maps[i];
		if (!strcmp(maps[i].name, "pc-4G"))
			pc4g = &maps[i];
		for (lvl = 1; lvl <= 3; lvl++) {
			struct param *p = &params[np++];

			if (lvl == 1 && usable > 64 * GiB) {
				np--;
				continue;
			}
			snprintf(p->name, sizeof(p->name), "build/%.47s/%s", maps[i].name, caps[lvl]);
			p->map = &maps[i];
			p->max_level = lvl;
			p->brk_pages = 16;
			tests[nt++] = (struct CMUnitTest){ p->name, test_build_map, NULL, NULL, p };
		}
	}
	/* tables_readonly (the Xen layout of brk) on a few maps */
	for (i = 0; i < nm; i++) {
		if (strcmp(maps[i].name, "pc-128M") && strcmp(maps[i].name, "pc-4G") &&
		    strcmp(maps[i].name, "unaligned-edges"))
			continue;
		for (lvl = 1; lvl <= 3; lvl++) {
			struct param *p = &params[np++];

			snprintf(p->name, sizeof(p->name), "build-ro/%.47s/%s", maps[i].name, caps[lvl]);
			p->map = &maps[i];
			p->max_level = lvl;
			p->tables_ro = true;
			p->brk_pages = 16;
			tests[nt++] = (struct CMUnitTest){ p->name, test_build_map, NULL, NULL, p };
		}
	}
	/* tables pinned read-only by the hook, as on Xen PVH */
	for (i = 0; i < nm; i++) {
		static const char *const pin_maps[] = {
			"pc-128M", "pc-4G", "q35-16G", "unaligned-edges", "holes-62", "high-mostly",
			"overlaps", "sparse-1T", "flat-1T", "tiny-2M",
		};
		unsigned int j;

		for (j = 0; j < sizeof(pin_maps) / sizeof(pin_maps[0]); j++)
			if (!strcmp(maps[i].name, pin_maps[j]))
				break;
		if (j == sizeof(pin_maps) / sizeof(pin_maps[0]))
			continue;
		for (lvl = 1; lvl <= 3; lvl++) {
			struct param *p = &params[np++];

			if (lvl == 1 && map_usable(&maps[i]) > 64 * GiB) {
				np--;
				continue;
			}
			snprintf(p->name, sizeof(p->name), "build-pin/%.47s/%s", maps[i].name, caps[lvl]);
			p->map = &maps[i];
			p->max_level = lvl;
			p->tables_ro = true;
			p->pin = true;
			p->brk_pages = 16;
			tests[nt++] = (struct CMUnitTest){ p->name, test_build_map, NULL, NULL, p };
		}
	}
	if (flat) {
		for (lvl = 2; lvl <= 3; lvl++) {
			struct param *p = &params[np++];

			snprintf(p->name, sizeof(p->name), "batches/flat-1T/%s", caps[lvl]);
			p->map = flat;
			p->max_level = lvl;
			tests[nt++] = (struct CMUnitTest){ p->name, test_flat_1t_batches, NULL, NULL, p };
		}
	}
	for (i = 0; i < sizeof(brk_cases) / sizeof(brk_cases[0]); i++)
		tests[nt++] = (struct CMUnitTest){ brk_cases[i].name, test_brk, NULL, NULL,
						   (void *)&brk_cases[i] };
	tests[nt++] = (struct CMUnitTest){ "brk/bounded-pc-4G", test_brk_bounded, NULL, NULL,
					   (void *)pc4g };
	tests[nt++] = (struct CMUnitTest){ "init/bad-level", test_bad_level, NULL, NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "init/beyond-direct-map", test_beyond_direct_map, NULL,
					   NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "init/bad-map", test_init_bad_map, NULL, NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "init/no-nx", test_no_nx, NULL, NULL, (void *)big };
	tests[nt++] = (struct CMUnitTest){ "fixmap/set", test_fixmap, NULL, NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "fixmap/out-of-range", test_fixmap_out_of_range, NULL,
					   NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "trace/tamper", test_trace_tamper, NULL, NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "probe/initrd-at-top/4k", test_initrd_at_top, NULL,
					   NULL, &probe4k };
	tests[nt++] = (struct CMUnitTest){ "probe/initrd-at-top/2m", test_initrd_at_top, NULL,
					   NULL, &probe2m };
	tests[nt++] = (struct CMUnitTest){ "probe/islands-at-top/2m", test_islands_at_top, NULL,
					   NULL, &probe2m };
	tests[nt++] = (struct CMUnitTest){ "probe/islands-at-top/1g", test_islands_at_top, NULL,
					   NULL, &probe1g };
	tests[nt++] = (struct CMUnitTest){ tight.name, test_tight_top, NULL, NULL, &tight };
	tests[nt++] = (struct CMUnitTest){ reserve2m.name, test_hook_reserve, NULL, NULL,
					   &reserve2m };
	tests[nt++] = (struct CMUnitTest){ "edge/fragmented-top/2m", test_fragmented_top, NULL,
					   NULL, &probe2m };
	tests[nt++] = (struct CMUnitTest){ "edge/fragmented-top/1g", test_fragmented_top, NULL,
					   NULL, &probe1g };
	return _cmocka_run_group_tests("mm", tests, nt, NULL, NULL);
}
