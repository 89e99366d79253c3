/*
 * tests/unit/test_build.c — mm_init over many memory maps and page-size
 * caps, each run checked by the independent checker (build.c), plus brk
 * exhaustion and the corner cases of the builder.
 *
 * A passing test prints "detail: <name> <facts>" lines that the runner
 * attaches to its PASS line.
 */
#include <setjmp.h>
#include <mm/percpu.h>
#include <mm/uspace.h>
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
	unsigned int levels;            /* 0: 4 */
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
		.hook_reserve_pages = p->tables_ro ? HOST_PIN_HOOK_PAGES : 0,
		.brk_pages = p->brk_pages, .phys_limit = PHYS_LIMIT_52, .pin = p->pin,
		.levels = p->levels,
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

/*
 * 1 GiB leaves, RAM up to 9 TiB + 100 GiB, brk for one direct-map L3 only:
 * batch 0 maps the 100 GiB above 9 TiB and stops (brk), batch 1's target
 * (16 x 100 GiB) falls 64 GiB into its fourth L3 span.  The builder maps
 * runs of 1 GiB chunks with one pt_map each: a run must stop at the target
 * (check_trace's growth rule) and at its L3 span (else batch 0 would take
 * a table brk cannot pay for: a planning-error panic).
 */
static void test_1g_runs(void **state)
{
	static const struct memmap_entry e[] = {
		{ 0, 0x9f000, MEM_USABLE },
		{ 0x100000, 0x7ff00000, MEM_USABLE },
		{ 1ULL << 32, (9ULL << 40) + (100ULL << 30) - (1ULL << 32), MEM_USABLE },
	};
	struct build_case c = { .map = e, .nr = 3, .max_level = 3, .nx = true, .brk_pages = 6,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("mm_init panicked: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	if (!strstr(host_output(), "stop=brk") || !strstr(host_output(), "stop=target"))
		fail_msg("the case lost its shape: no batch stopped at brk, or none at its target");
	detail("batches/1g-runs", "batches=%lu", o.r.batches);
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

/* ---- user address spaces (mm/uspace.c): one L3 tree, built as a hooked
 * batch, walked, unmapped, freed; W+X and VAs outside slot 0 refused. */

static struct uspace test_as;
static struct uspace_page test_pages[3];

static void do_uspace_build(void *p)
{
	uspace_build(&test_as, "test", test_pages, *(unsigned int *)p);
}

static phys_addr_t frame(void)
{
	phys_addr_t pa = percpu_data_page();

	assert_true(pa);
	return pa;
}

/* The L3 of an address space: its top table at four levels, below its
 * slot 0 at five (state: NULL or a pointer to 5). */
static pte_t *as_l3(const struct uspace *as, unsigned int levels)
{
	pte_t *top = pt_page(as->top);

	return levels == 5 ? pt_page(pte_addr(top[0])) : top;
}

static void test_uspace(void **state)
{
	unsigned int levels = *state ? *(unsigned int *)*state : 4, extra = levels == 5;
	struct memmap_entry e[] = { { 1 << 20, 127 << 20, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52, .levels = levels };
	static struct build_outcome o;
	unsigned int n = 3;
	unsigned long hooks;
	char first[160];
	phys_addr_t lowest;
	pte_t pte;

	build_and_check(&c, &o);
	assert_false(o.panicked);
	assert_int_equal(o.errors, 0);
	host.after_init = true;
	test_pages[0] = (struct uspace_page){ 0x400000, frame(), false, true };
	test_pages[1] = (struct uspace_page){ 0x401000, frame(), true, false };
	test_pages[2] = (struct uspace_page){ USER_TOP - PAGE_SIZE, frame(), true, false };
	hooks = host.hook_calls;
	assert_false(host_call(do_uspace_build, &n));
	assert_int_equal(host.hook_calls, hooks + 1);          /* one batch, hooked */
	assert_int_equal(test_as.tables, 5 + extra);
	assert_int_equal(test_as.tables_at[4], extra);
	assert_int_equal(test_as.tables_at[3], 1);
	assert_int_equal(test_as.tables_at[2], 2);
	assert_int_equal(test_as.tables_at[1], 2);
	assert_int_equal(uspace_check(&test_as, false, first, sizeof(first)), 0);
	assert_int_equal(uspace_l4e(&test_as), test_as.top | PTE_P | PTE_RW | PTE_US);
	pte = uspace_lookup(&test_as, 0x400000);
	assert_int_equal(pte_addr(pte), test_pages[0].pa);
	assert_true((pte & (PTE_P | PTE_US)) == (PTE_P | PTE_US));
	assert_false(pte & (PTE_RW | PTE_NX));                 /* code: R+X */
	pte = uspace_lookup(&test_as, 0x401000);
	assert_true((pte & (PTE_RW | PTE_NX | PTE_US)) == (PTE_RW | PTE_NX | PTE_US));
	assert_int_equal(uspace_lookup(&test_as, 0x402000), 0);
	assert_true(pt_page(test_as.top)[0] & PTE_US);            /* the path grants US too */
	assert_true(as_l3(&test_as, levels)[0] & PTE_US);
	assert_true(pt_page(pte_addr(as_l3(&test_as, levels)[0]))[2] & PTE_US);
	assert_int_equal(host.errors, 0);

	/* unmap through write_pte: the check then finds one page less */
	assert_true(pte_present(uspace_unmap(&test_as, 0x401000)));
	assert_int_equal(uspace_lookup(&test_as, 0x401000), 0);
	assert_int_equal(test_as.pages, 2);
	assert_int_equal(uspace_check(&test_as, false, first, sizeof(first)), 0);
	assert_int_equal(host.errors, 0);

	/* free: every table released to the backend; the pages are reused
	 * (above any fresh page: those come from the top down) */
	lowest = frame();
	uspace_free(&test_as);
	assert_int_equal(host.released_calls, 5 + extra);
	assert_int_equal(test_as.freed_tables, 5 + extra);
	assert_int_equal(test_as.freed_pages, 2);
	assert_int_equal(test_as.top, 0);
	assert_true(percpu_data_page() > lowest);

	/* refused: writable and executable, and a VA outside slot 0 */
	test_pages[0] = (struct uspace_page){ 0x400000, frame(), true, true };
	n = 1;
	assert_true(host_call(do_uspace_build, &n));
	assert_non_null(strstr(host.panic_msg, "asked writable and executable (W^X)"));
	test_pages[0] = (struct uspace_page){ USER_TOP, frame(), false, false };
	assert_true(host_call(do_uspace_build, &n));
	assert_non_null(strstr(host.panic_msg, "is not a page of the user slot"));
}

/* A user root (Xen PV's, mm/uspace.c): an empty top-level table, one batch
 * of its own, hooked; another call gives another page. */
static phys_addr_t test_uroot[2];

static void do_user_root(void *p)
{
	unsigned int cpu = *(unsigned int *)p;

	test_uroot[cpu] = uspace_user_root(cpu);
}

static void test_uspace_user_root(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 127 << 20, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	unsigned long hooks;
	unsigned int cpu, i;

	build_and_check(&c, &o);
	assert_false(o.panicked);
	host.after_init = true;
	for (cpu = 0; cpu < 2; cpu++) {
		hooks = host.hook_calls;
		assert_false(host_call(do_user_root, &cpu));
		assert_int_equal(host.hook_calls, hooks + 1);  /* its own batch, hooked */
		assert_true(test_uroot[cpu]);
		for (i = 0; i < PT_ENTRIES; i++)
			assert_int_equal(pt_page(test_uroot[cpu])[i], 0);
	}
	assert_true(test_uroot[0] != test_uroot[1]);
	assert_int_equal(host.errors, 0);
}

/* A leaf that is W+X, or a table count that differs, is found by the walk. */
static void test_uspace_check_finds(void **state)
{
	struct memmap_entry e[] = { { 1 << 20, 127 << 20, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	unsigned int n = 1;
	char first[160];
	pte_t *l1;

	build_and_check(&c, &o);
	assert_false(o.panicked);
	host.after_init = true;
	test_pages[0] = (struct uspace_page){ 0x401000, frame(), true, false };
	assert_false(host_call(do_uspace_build, &n));
	l1 = pt_page(pte_addr(pt_page(pte_addr(pt_page(test_as.top)[0]))[2]));
	l1[1] &= ~PTE_NX;                                       /* planted: W+X */
	assert_int_equal(uspace_check(&test_as, false, first, sizeof(first)), 1);
	assert_non_null(strstr(first, "writable and executable"));
	test_as.tables_at[1]++;                                 /* planted: a miscount */
	assert_int_equal(uspace_check(&test_as, false, first, sizeof(first)), 2);
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
	assert_int_equal(check_trace(copy, msg, sizeof(msg), &nb, NULL), 0);
	assert_true(nb >= 2);
	p = strstr(copy, "trace: batch id=1");
	assert_non_null(p);
	p[strlen("trace: batch id=")] = '7';
	assert_int_not_equal(check_trace(copy, msg, sizeof(msg), &nb, NULL), 0);
	free(copy);
}

/* ------------------------------------------------------------- probes --- */

/* "<what>/<cap>": the name of a probe test (their params are shared). */
static const char *probe_name(const char *what, const struct param *p)
{
	static const char *caps[] = { "", "4k", "2m", "1g" };
	static char name[96];

	snprintf(name, sizeof(name), "%s/%s", what, caps[p->max_level]);
	return name;
}

/* The above batches of the last build: how many, and facts for a detail
 * line.  Fails the test if they do not lie in [start, end of RAM). */
static unsigned int above_batches(const struct build_outcome *o)
{
	unsigned int k, n = 0;

	if (host.first_above != o->r.first_above)
		fail_msg("the backend saw the above batches begin at batch %u, the checker at %u",
			 host.first_above, o->r.first_above);
	for (k = o->r.first_above; k && k < host.nr_batches; k++, n++)
		if (host.batch[k].pa_lo < mm.start || host.batch[k].pa_hi > o->r.ram_top)
			fail_msg("above batch %u [0x%lx-0x%lx) is not in [start 0x%lx, 0x%lx)", k,
				 (unsigned long)host.batch[k].pa_lo, (unsigned long)host.batch[k].pa_hi,
				 (unsigned long)mm.start, (unsigned long)o->r.ram_top);
	return n;
}

/*
 * Maps where the top of RAM gives step 5 nothing to allocate from: the boot
 * data (an initrd, as loaders put it at the top of low RAM) fills the part
 * of RAM that brk can pay to map.  All RAM below is free, so a correct
 * builder maps everything.  Before the start rule (f50102e) step 2 began at
 * the top of RAM and step 5 panicked "RAM too small"; now step 2 starts at
 * the initrd's start (480 MiB), and the initrd is mapped last, by above
 * batches.
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
	if (mm.start != 480ULL << 20 || !o.r.first_above)
		fail_msg("start 0x%lx, first above batch %u: want 480 MiB and above batches",
			 (unsigned long)mm.start, o.r.first_above);
	detail(probe_name("probe/initrd-at-top", p), "start=0x%lx batches=%lu above=%u", (unsigned long)mm.start, o.r.batches,
	       above_batches(&o));
}

/*
 * RAM that starts with a few small islands at the top: each island costs
 * more table pages than it brings.  Plenty of RAM lies below.  Before the
 * start rule brk mapped the top islands and step 5 panicked "RAM too
 * small"; now the islands (one page each, shorter than 2 MiB) do not count
 * for the start point, which is the end of the 4 GiB range rounded up to
 * the largest leaf, and they are mapped last, by above batches, with tables
 * from the RAM below.
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
	if (mm.start != (p->max_level == 3 ? 5ULL << 30 : (4ULL << 30) + (2ULL << 20)) ||
	    !o.r.first_above)
		fail_msg("start 0x%lx, first above batch %u", (unsigned long)mm.start,
			 o.r.first_above);
	detail(probe_name("probe/islands-at-top", p), "start=0x%lx batches=%lu above=%u", (unsigned long)mm.start, o.r.batches,
	       above_batches(&o));
}

/*
 * The start point below the top of RAM with each leaf cap: boot data fills
 * RAM from 8 MiB up, but for a free tail shorter than 2 MiB, so step 2
 * starts at 8 MiB rounded up to the largest leaf (4k: 8 MiB; 2m: the data
 * starts one page above 8 MiB, 10 MiB; 1g: 1 GiB, RAM in two ranges
 * around the PCI hole above it), maps down to the bottom of RAM, and the
 * rest is mapped from the top of RAM down to the start point, with tables
 * from below the start point.
 */
struct above_case {
	const char *name;
	unsigned int max_level;
	struct memmap_entry e[4];
	unsigned int nr;
	struct mem_range bd[2];
	unsigned int nbd;
	uint64_t start;                 /* the start point the rule gives */
};

static const struct above_case above_cases[] = {
	{ "edge/above/4k", 1,
	  { { 0, 0x9fc00, MEM_USABLE }, { MiB, 511 * MiB, MEM_USABLE } }, 2,
	  { { 8 * MiB, 511 * MiB } }, 1, 8 * MiB },
	{ "edge/above/2m", 2,
	  { { 0, 0x9fc00, MEM_USABLE }, { MiB, 3 * GiB - MiB, MEM_USABLE } }, 2,
	  { { 8 * MiB + PAGE_SIZE, 3 * GiB - MiB } }, 1, 10 * MiB },
	{ "edge/above/1g", 3,
	  { { 0, 0x9fc00, MEM_USABLE }, { MiB, 3 * GiB - MiB, MEM_USABLE },
	    { 4 * GiB, 2 * GiB, MEM_USABLE } }, 3,
	  { { 8 * MiB, 3 * GiB }, { 4 * GiB, 6 * GiB - MiB } }, 2, GiB },
};

static void test_above(void **state)
{
	const struct above_case *ac = *state;
	struct build_case c = { .map = ac->e, .nr = ac->nr, .boot_data = ac->bd,
				.nr_boot_data = ac->nbd, .max_level = ac->max_level, .nx = true,
				.brk_pages = 16, .phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	unsigned int n, k;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("panic: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	if (o.r.start != ac->start || mm.start != ac->start)
		fail_msg("start 0x%lx (the checker's rule: 0x%lx), want 0x%lx",
			 (unsigned long)mm.start, (unsigned long)o.r.start, (unsigned long)ac->start);
	k = o.r.first_above;
	n = above_batches(&o);
	if (!k || !n)
		fail_msg("no above batch (%lu batches)", o.r.batches);
	if (host.batch[k].pa_hi != o.r.ram_top || host.batch[k - 1].pa_lo != ac->e[0].start ||
	    host.batch[host.nr_batches - 1].pa_lo != ac->start)
		fail_msg("batch %u ends at 0x%lx (want the top of RAM 0x%lx), batch %u at 0x%lx (want the bottom), the last at 0x%lx (want the start)",
			 k, (unsigned long)host.batch[k].pa_hi, (unsigned long)o.r.ram_top, k - 1,
			 (unsigned long)host.batch[k - 1].pa_lo,
			 (unsigned long)host.batch[host.nr_batches - 1].pa_lo);
	for (; k < host.nr_batches; k++)
		if (host.batch[k].source != PT_SRC_RAM || host.batch[k].table_hi >= ac->start)
			fail_msg("above batch %u: source %d, highest table 0x%lx (want RAM below the start)",
				 k, host.batch[k].source, (unsigned long)host.batch[k].table_hi);
	detail(ac->name, "start=0x%lx batches=%lu above=%u tables=%lu (min %lu)",
	       (unsigned long)mm.start, o.r.batches, n, o.r.tables, o.r.min_tables);
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
 * is free.  Boot data from 1 GiB + 8 KiB to the top: the start point is
 * 1 GiB + 8 KiB (4k leaves), and an 8-page brk (5 for step 1) pays for
 * nothing but the chunk [1 GiB, 1 GiB + 8 KiB) (L3, L2, L1).  So step 5
 * starts with two free mapped pages, and the first step-5 batch may use
 * exactly those: the L2 and the L1 of the chunk just below 1 GiB.
 */
static void test_tight_top(void **state)
{
	const struct param *p = *state;
	struct memmap_entry e[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 1ULL << 20, (2ULL << 30) - (1ULL << 20), MEM_USABLE },
	};
	struct mem_range bd[] = { { (1ULL << 30) + 0x2000, 2ULL << 30 } };
	struct build_case c = { .map = e, .nr = 2, .boot_data = bd, .nr_boot_data = 1,
				.max_level = p->max_level, .nx = true, .brk_pages = 8,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;

	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("panic: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	if (mm.start != (1ULL << 30) + 0x2000 || host.batch[0].pa_lo != 1ULL << 30)
		fail_msg("start 0x%lx, batch 0 from 0x%lx: want 1 GiB + 8 KiB and 1 GiB",
			 (unsigned long)mm.start, (unsigned long)host.batch[0].pa_lo);
	if (host.nr_batches < 2 || host.batch[1].nr_tables != 2 ||
	    host.batch[1].table_lo != 1ULL << 30 || host.batch[1].table_hi != (1ULL << 30) + 0x1000)
		fail_msg("batch 1 has %lu tables in [0x%lx-0x%lx]; want the 2 free mapped pages [1 GiB, 1 GiB + 8 KiB)",
			 host.nr_batches < 2 ? 0 : host.batch[1].nr_tables,
			 (unsigned long)host.batch[1].table_lo, (unsigned long)host.batch[1].table_hi);
	detail(p->name, "batches=%lu batch1_tables=%lu above=%u", o.r.batches,
	       host.batch[1].nr_tables, above_batches(&o));
}

/*
 * The hook's own tables (splits of large direct-map pages, when it pins)
 * must find free mapped RAM.  Boot data from 32 GiB + 40 KiB to the top
 * (64 GiB): the start point is 32 GiB + 2 MiB, and a 7-page brk pays only
 * for the chunk [32 GiB, 32 GiB + 2 MiB) (L3, L2), where ten pages are
 * free.  Below 32 GiB - 2 MiB lie a dozen 1 MiB ranges that cost an L1
 * each, so the first step-5 batch would spend every free page; it must
 * keep some for the hook, which splits the 2 MiB page holding its tables.
 */
static void test_hook_reserve(void **state)
{
	const struct param *p = *state;
	static struct memmap_entry e[20];
	struct mem_range bd[] = { { (32ULL << 30) + 10 * PAGE_SIZE, 64ULL << 30 } };
	struct build_case c = { .map = e, .max_level = p->max_level, .nx = true,
				.tables_readonly = true, .pin = true, .brk_pages = 7,
				.hook_reserve_pages = HOST_PIN_HOOK_PAGES,
				.boot_data = bd, .nr_boot_data = 1, .phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	uint64_t g32 = 32ULL << 30;
	unsigned int n = 0, i;

	e[n++] = (struct memmap_entry){ 0, 0x9fc00, MEM_USABLE };
	e[n++] = (struct memmap_entry){ 1ULL << 20, (31ULL << 30) - (1ULL << 20), MEM_USABLE };
	for (i = 0; i < 12; i++)
		e[n++] = (struct memmap_entry){ g32 - (4ULL << 20) - i * (2ULL << 20) + PAGE_SIZE,
						1ULL << 20, MEM_USABLE };
	e[n++] = (struct memmap_entry){ g32 - (2ULL << 20), (32ULL << 30) + (2ULL << 20),
					MEM_USABLE };
	c.nr = n;
	build_and_check(&c, &o);
	if (o.panicked)
		fail_msg("panic with 10 free pages mapped by brk: %s", o.panic_msg);
	if (o.errors)
		fail_msg("%s", o.first);
	if (mm.start != g32 + (2ULL << 20) || host.batch[0].pa_lo != g32)
		fail_msg("start 0x%lx, batch 0 from 0x%lx: want 32 GiB + 2 MiB and 32 GiB",
			 (unsigned long)mm.start, (unsigned long)host.batch[0].pa_lo);
	if (!host.pin_split_tables)
		fail_msg("the hook split nothing: the test no longer tests the reserve");
	detail(p->name, "batches=%lu splits=%lu split_tables=%lu above=%u", o.r.batches,
	       host.pin_splits, host.pin_split_tables, above_batches(&o));
}

/* A documented limit of the start rule: mm_init must stop with exactly
 * `want` (the clear "RAM too small" panic). */
static void expect_limit_panic(struct build_case *c, struct build_outcome *o, const char *want)
{
	build_and_check(c, o);
	if (!o->panicked)
		fail_msg("no panic (%lu errors%s%s): the limitation is gone, make this a build test",
			 o->errors, o->errors ? ", first: " : "", o->first);
	if (strcmp(o->panic_msg, want))
		fail_msg("panic \"%s\", want \"%s\"", o->panic_msg, want);
}

/* ... and the same map builds cleanly with the default 16-page brk. */
static void expect_builds_with_brk16(struct build_case *c, struct build_outcome *o)
{
	c->brk_pages = 16;
	build_and_check(c, o);
	if (o->panicked)
		fail_msg("with a 16-page brk: panic %s", o->panic_msg);
	if (o->errors)
		fail_msg("with a 16-page brk: %s", o->first);
}

/*
 * A known limitation the start rule leaves (RESULTS.md, finding 3): the
 * highest free range is long, but its top is a sliver of RAM just above a
 * boundary of the chunk size — here usable RAM [4 KiB, 1 GiB + 4 KiB), the
 * fuzzer's example.  The start point is the end of that range rounded up
 * to the largest leaf, capped at the top of RAM: the top of RAM itself.  A
 * 9-page brk (5 for step 1) pays for the L3, L2 and L1 of the top page
 * only, so step 5 has one free mapped page where the next chunk needs two.
 * mm must then stop with its clear "RAM too small" panic; the default
 * 16-page brk builds the same map.
 */
static void test_top_sliver(void **state)
{
	const struct param *p = *state;
	struct memmap_entry e[] = { { 0x1000, 1ULL << 30, MEM_USABLE } };
	struct build_case c = { .map = e, .nr = 1, .max_level = p->max_level, .nx = true,
				.brk_pages = 9, .phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	const char *want = "step5: RAM too small: mapping [mem 0x0000001000-0x003fffffff] needs 2 table pages, free mapped pages: 1 in 4 KiB mapped (reserved data at the top of RAM? raise BRK_PAGES or pt.maxpage)";

	expect_limit_panic(&c, &o, want);
	expect_builds_with_brk16(&c, &o);
	detail(probe_name("limit/top-sliver", p), "brk 9: \"RAM too small\" as documented; brk 16: builds, start=0x%lx",
	       (unsigned long)mm.start);
}

/*
 * The same limitation, in the gap the rounding opens: with 1 GiB leaves the
 * start point is the end of the highest long free range (1 GiB + 1 MiB;
 * above 2 GiB, RAM holds only boot data) rounded up to 2 GiB, so RAM
 * islands between the two belong to step 2.  A
 * one-page island (L3, L2, L1: 3 of a 9-page brk's 4) is mapped, the range
 * below it (shorter than 2 MiB, across a 2 MiB boundary) needs two L1s,
 * and step 5 has one free mapped page: the clear
 * "RAM too small" panic.  A 16-page brk builds the same map.
 */
static void test_islands_below_start(void **state)
{
	const struct param *p = *state;
	struct memmap_entry e[] = {
		{ 1ULL << 20, 1ULL << 30, MEM_USABLE },
		{ (1ULL << 30) + (51ULL << 20), (2ULL << 20) - PAGE_SIZE, MEM_USABLE },
		{ (1ULL << 30) + (100ULL << 20), PAGE_SIZE, MEM_USABLE },
		{ 2ULL << 30, 1ULL << 30, MEM_USABLE },
	};
	struct mem_range bd[] = { { 2ULL << 30, 3ULL << 30 } };
	struct build_case c = { .map = e, .nr = 4, .boot_data = bd, .nr_boot_data = 1,
				.max_level = p->max_level, .nx = true, .brk_pages = 9,
				.phys_limit = PHYS_LIMIT_52 };
	static struct build_outcome o;
	const char *want = "step5: RAM too small: mapping [mem 0x0043300000-0x00434fefff] needs 2 table pages, free mapped pages: 1 in 4 KiB mapped (reserved data at the top of RAM? raise BRK_PAGES or pt.maxpage)";

	expect_limit_panic(&c, &o, want);
	if (mm.start != 2ULL << 30)
		fail_msg("start 0x%lx, want 2 GiB", (unsigned long)mm.start);
	expect_builds_with_brk16(&c, &o);
	if (!o.r.first_above)
		fail_msg("with a 16-page brk: no above batch");
	detail(probe_name("limit/islands-below-start", p),
	       "brk 9: \"RAM too small\" as documented; brk 16: builds, start=0x%lx, batches=%lu above=%u",
	       (unsigned long)mm.start, o.r.batches, above_batches(&o));
}

/* --------------------------------------------------------------- main --- */

static struct param params[TEST_MAPS_MAX * 12 + 16];
static struct CMUnitTest tests[TEST_MAPS_MAX * 12 + 64];

int main(void)
{
	static const char *caps[] = { "", "4k", "2m", "1g" };
	static struct param probe4k = { .max_level = 1 }, probe2m = { .max_level = 2 },
			    probe1g = { .max_level = 3 },
			    tight = { .name = "edge/tight-top/4k", .max_level = 1 },
			    reserve2m = { .name = "edge/hook-reserve/2m", .max_level = 2 };
	static unsigned int five = 5;
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
	/* five levels (a PML5 root): every map, every leaf size */
	for (i = 0; i < nm; i++) {
		for (lvl = 1; lvl <= 3; lvl++) {
			struct param *p = &params[np++];

			if (lvl == 1 && map_usable(&maps[i]) > 64 * GiB) {
				np--;
				continue;
			}
			snprintf(p->name, sizeof(p->name), "build-l5/%.47s/%s", maps[i].name, caps[lvl]);
			p->map = &maps[i];
			p->max_level = lvl;
			p->brk_pages = 16;
			p->levels = 5;
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
			if (j >= 3)             /* the first three maps at five levels too */
				continue;
			p[1] = p[0];
			p++;
			np++;
			snprintf(p->name, sizeof(p->name), "build-pin-l5/%.47s/%s", maps[i].name,
				 caps[lvl]);
			p->levels = 5;
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
	tests[nt++] = (struct CMUnitTest){ "uspace/build-unmap-free", test_uspace, NULL, NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "uspace/build-unmap-free-l5", test_uspace, NULL, NULL,
					   &five };
	tests[nt++] = (struct CMUnitTest){ "uspace/check-finds", test_uspace_check_finds, NULL, NULL,
					   NULL };
	tests[nt++] = (struct CMUnitTest){ "uspace/user-root", test_uspace_user_root, NULL, NULL,
					   NULL };
	tests[nt++] = (struct CMUnitTest){ "trace/tamper", test_trace_tamper, NULL, NULL, NULL };
	tests[nt++] = (struct CMUnitTest){ "batches/1g-runs", test_1g_runs, NULL, NULL, NULL };
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
	tests[nt++] = (struct CMUnitTest){ "limit/top-sliver/2m", test_top_sliver, NULL, NULL,
					   &probe2m };
	tests[nt++] = (struct CMUnitTest){ "limit/top-sliver/1g", test_top_sliver, NULL, NULL,
					   &probe1g };
	tests[nt++] = (struct CMUnitTest){ "limit/islands-below-start/1g", test_islands_below_start,
					   NULL, NULL, &probe1g };
	for (i = 0; i < sizeof(above_cases) / sizeof(above_cases[0]); i++)
		tests[nt++] = (struct CMUnitTest){ above_cases[i].name, test_above, NULL, NULL,
						   (void *)&above_cases[i] };
	tests[nt++] = (struct CMUnitTest){ "edge/fragmented-top/1g", test_fragmented_top, NULL,
					   NULL, &probe1g };
	return _cmocka_run_group_tests("mm", tests, nt, NULL, NULL);
}
