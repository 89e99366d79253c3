/*
 * tests/unit/test_selfcheck.c — planted faults for every self-check of mm:
 * mm_check (mm/check.c), percpu_check (mm/percpu.c), uspace_check
 * (mm/uspace.c).  Each test builds real tables with mm_init on the host,
 * checks that the self-check finds nothing, plants one fault the way a
 * builder bug would (one entry, one count), and expects the violation by
 * its words among the check's VIOLATION lines — then undoes it and expects
 * nothing again.  A self-check that always returned 0 fails every test here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <mm/check.h>
#include <mm/mm.h>
#include <mm/percpu.h>
#include <mm/uspace.h>
#include <paravirt/ops.h>
#include "build.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TRAMP_PA 0x9e000ULL
#define NCPU 3

/* ------------------------------------------------------------- helpers */

static void boot(void)
{
	static struct memmap_entry e[2];
	static struct build_outcome o;
	struct build_case c = { .map = e, .nr = 2, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = 1ULL << 52 };

	e[0] = (struct memmap_entry){ 0, 0x9f000, MEM_USABLE };
	e[1] = (struct memmap_entry){ 1 * MiB, 255 * MiB, MEM_USABLE };
	build_and_check(&c, &o);
	assert_false(o.panicked);
	assert_int_equal(o.errors, 0);
	host.after_init = true;
}

/* Did the check print "<who>: VIOLATION: ...want..." since offset `from`? */
static bool violation_seen(size_t from, const char *who, const char *want)
{
	char prefix[64];
	const char *p = host.out ? host.out + from : "";

	snprintf(prefix, sizeof(prefix), "%s: VIOLATION: ", who);
	while ((p = strstr(p, prefix))) {
		const char *eol = strchr(p, '\n');
		const char *hit = strstr(p, want);

		if (hit && (!eol || hit < eol))
			return true;
		p += strlen(prefix);
	}
	return false;
}

static void expect_mm(bool ro, const char *want)
{
	struct mm_check_result r;
	size_t from = host.out_len;
	unsigned long v = mm_check(ro, &r);

	if (!v || !violation_seen(from, "selfcheck", want))
		print_error("mm_check: %lu violations, want one with \"%s\" (first: %s)\n", v, want,
			    r.first);
	assert_true(v > 0);
	assert_true(violation_seen(from, "selfcheck", want));
}

static void expect_mm_clean(void)
{
	struct mm_check_result r;
	unsigned long v = mm_check(false, &r);

	if (v)
		print_error("mm_check: %lu violations, first: %s\n", v, r.first);
	assert_int_equal(v, 0);
}

/* The leaf entry mapping va in mm.root. */
static pte_t *leaf(uint64_t va, unsigned int *level)
{
	pte_t *slot = NULL;

	assert_true(pte_present(pt_lookup(va, level, &slot)));
	return slot;
}

static const struct image_section *section(enum image_kind kind)
{
	unsigned int i;

	for (i = 0; i < mm.image->nr_sec; i++)
		if (mm.image->sec[i].kind == kind)
			return &mm.image->sec[i];
	fail_msg("the image has no section of kind %d", kind);
	return NULL;
}

/* A planted entry: one store, undone by unplant(). */
static pte_t *planted_at;
static pte_t planted_old;

static void plant(pte_t *p, pte_t v)
{
	planted_at = p;
	planted_old = *p;
	*p = v;
}

static void unplant(void)
{
	if (planted_at)
		*planted_at = planted_old;
	planted_at = NULL;
}

/* After every test, whether it passed or not: the entry and the counts as
 * they were, so that one failure does not spill into the next test. */
static struct mm_state mm_saved;
static struct uspace as;

static struct uspace as_saved;

static int undo(void **state)
{
	unplant();
	mm = mm_saved;
	as = as_saved;
	return 0;
}

/* ------------------------------------------------------------ mm_check */

static int setup_mm(void **state)
{
	boot();
	mm_saved = mm;
	return 0;
}

#define DIRECT_VA (DIRECT_MAP_BASE + 64 * MiB)

static void test_mm_clean(void **state)
{
	expect_mm_clean();
}

static void test_mm_direct_exec(void **state)
{
	pte_t *p = leaf(DIRECT_VA, NULL);

	plant(p, *p & ~PTE_NX);
	expect_mm(false, "is executable");
	unplant();
	expect_mm_clean();
}

static void test_mm_direct_wrong_pa(void **state)
{
	unsigned int level;
	pte_t *p = leaf(DIRECT_VA, &level);

	plant(p, *p + level_size(level));
	expect_mm(false, "maps pa");
	unplant();
	expect_mm_clean();
}

static void test_mm_direct_hole(void **state)
{
	pte_t *p = leaf(DIRECT_VA, NULL);

	plant(p, 0);
	expect_mm(false, "direct map holds");
	unplant();
	expect_mm_clean();
}

static void test_mm_direct_beyond_ram(void **state)
{
	/* the direct map's L2 entry for the reserved hole [0x9f000, 1 MiB)'s
	 * 2 MiB neighbour is in RAM; map the 2 MiB just above RAM instead */
	unsigned int level;
	pte_t *p = leaf(DIRECT_MAP_BASE + 254 * MiB, &level);
	pte_t *next = p + 1;

	assert_int_equal(level, 2);
	assert_false(pte_present(*next));
	plant(next, *p + level_size(2));
	expect_mm(false, "is not all usable RAM");
	unplant();
	expect_mm_clean();
}

static void test_mm_text_writable(void **state)
{
	pte_t *p = leaf(section(IMG_TEXT)->va, NULL);

	plant(p, *p | PTE_RW);
	expect_mm(false, "is writable (want RX)");
	unplant();
	expect_mm_clean();
}

static void test_mm_text_nx(void **state)
{
	pte_t *p = leaf(section(IMG_TEXT)->va, NULL);

	plant(p, *p | PTE_NX);
	expect_mm(false, "is not executable (want RX)");
	unplant();
	expect_mm_clean();
}

static void test_mm_rodata_writable(void **state)
{
	pte_t *p = leaf(section(IMG_RODATA)->va, NULL);

	plant(p, *p | PTE_RW);
	expect_mm(false, "is writable");
	unplant();
	expect_mm_clean();
}

static void test_mm_rodata_exec(void **state)
{
	pte_t *p = leaf(section(IMG_RODATA)->va, NULL);

	plant(p, *p & ~PTE_NX);
	expect_mm(false, "is executable");
	unplant();
	expect_mm_clean();
}

static void test_mm_data_readonly(void **state)
{
	pte_t *p = leaf(section(IMG_DATA)->va, NULL);

	plant(p, *p & ~PTE_RW);
	expect_mm(false, "is read-only");
	unplant();
	expect_mm_clean();
}

static void test_mm_data_exec(void **state)
{
	pte_t *p = leaf(section(IMG_DATA)->va, NULL);

	plant(p, *p & ~PTE_NX);
	expect_mm(false, "is executable");
	unplant();
	expect_mm_clean();
}

static void test_mm_brk_exec(void **state)
{
	pte_t *p = leaf(section(IMG_BRK)->va, NULL);

	plant(p, *p & ~PTE_NX);
	expect_mm(false, "brk va");
	unplant();
	expect_mm_clean();
}

static void test_mm_guard_mapped(void **state)
{
	const struct image_section *g = section(IMG_GUARD);
	pte_t *above = leaf(g->va_end, NULL);  /* the stack's first page */

	/* the guard is the entry just below the stack's, in the same L1 */
	assert_int_equal(pt_index(g->va, 1) + 1, pt_index(g->va_end, 1));
	plant(above - 1, *above - PAGE_SIZE);
	expect_mm(false, "stack guard page va");
	unplant();
	expect_mm_clean();
}

static void test_mm_stray(void **state)
{
	pte_t *root = pt_page(mm.root);

	plant(&root[pt_index(VMALLOC_BASE, 4)], root[pt_index(DIRECT_MAP_BASE, 4)]);
	expect_mm(false, "stray mapping va");
	unplant();
	expect_mm_clean();
}

static void test_mm_slot0(void **state)
{
	pte_t *root = pt_page(mm.root);

	/* an empty L3 in slot 0 */
	plant(&root[0], pt_page(mm.root)[pt_index(KERNEL_VMA, 4)] & ~PTE_ADDR_MASK);
	*planted_at |= percpu_data_page();
	expect_mm(false, "L4 slot 0 (user space, VA 0) is populated");
	unplant();
	expect_mm_clean();
}

/* An L1 of the direct map moved to `to` and linked there. */
static void move_table(phys_addr_t to, const char *want)
{
	unsigned int level;
	pte_t *l2e;

	assert_true(pte_present(pt_lookup(DIRECT_MAP_BASE + 0x10000, &level, NULL)));
	assert_int_equal(level, 1);             /* the first 2 MiB are 4 KiB pages */
	l2e = &pt_page(pte_phys(pt_page(pte_phys(pt_page(mm.root)[pt_index(DIRECT_MAP_BASE, 4)]))
				[pt_index(DIRECT_MAP_BASE, 3)]))[0];
	memcpy(pt_page(to), pt_page(pte_phys(*l2e)), PAGE_SIZE);
	plant(l2e, (*l2e & ~PTE_ADDR_MASK) | to);
	expect_mm(false, want);
	unplant();
	expect_mm_clean();
}

static void test_mm_table_lowmem(void **state)
{
	move_table(0x90000, "lies in reserved lowmem");
}

static void test_mm_table_in_image(void **state)
{
	move_table(section(IMG_DATA)->va - KERNEL_VMA, "lies in reserved kernel");
}

static void test_mm_table_count(void **state)
{
	mm.tables++;
	expect_mm(false, "table pages, mm allocated");
	mm.tables--;
	mm.tables_at[1]++;
	expect_mm(false, "L1 tables, mm allocated");
	mm.tables_at[1]--;
	expect_mm_clean();
}

static void test_mm_tables_writable(void **state)
{
	/* this build keeps tables writable: the read-only check must say so */
	expect_mm(true, "is writable at va");
}

static void test_mm_brk_overused(void **state)
{
	unsigned long used = mm.brk_used;

	mm.brk_used = mm.image->brk_pages + 1;
	expect_mm(false, "brk used");
	mm.brk_used = used;
	expect_mm_clean();
}

/* -------------------------------------------------------- percpu_check */

static struct percpu_tables pt[NCPU];
static struct percpu_tables *ptp[NCPU];
static char first[200];

static int setup_percpu(void **state)
{
	unsigned int i;

	boot();
	memset(pt, 0, sizeof(pt));
	percpu_boot_cpu(&pt[0]);
	for (i = 1; i < NCPU; i++) {
		percpu_stacks(&pt[i], i);
		percpu_build_root(&pt[i], i, TRAMP_PA, 4 * GiB);
		percpu_drop_identity(pt[i].root);
	}
	for (i = 0; i < NCPU; i++)
		ptp[i] = &pt[i];
	mm_saved = mm;
	return 0;
}

static void expect_pc(bool ro, const char *want)
{
	size_t from = host.out_len;
	unsigned long v = percpu_check(ptp, NCPU, ro, first, sizeof(first));

	if (!v || !violation_seen(from, "smpcheck", want))
		print_error("percpu_check: %lu violations, want \"%s\" (first: %s)\n", v, want, first);
	assert_true(v > 0);
	assert_true(violation_seen(from, "smpcheck", want));
}

static void expect_pc_clean(void)
{
	unsigned long v = percpu_check(ptp, NCPU, false, first, sizeof(first));

	if (v)
		print_error("percpu_check: %lu violations, first: %s\n", v, first);
	assert_int_equal(v, 0);
}

static pte_t *l4_of(unsigned int cpu)
{
	return pt_page(pt[cpu].root);
}

/* CPU cpu's globaldata leaf. */
static pte_t *gd_leaf(unsigned int cpu)
{
	phys_addr_t t = pt[cpu].root;
	unsigned int l;

	for (l = pt_levels; l > 1; l--)
		t = pte_phys(pt_page(t)[pt_index(GLOBALDATA_BASE, l)]);
	return &pt_page(t)[pt_index(GLOBALDATA_BASE, 1)];
}

static void test_pc_clean(void **state)
{
	expect_pc_clean();
}

static void test_pc_slot0(void **state)
{
	plant(&l4_of(1)[0], l4_of(1)[511]);
	expect_pc(false, "cpu 1: L4");
	expect_pc(false, "user slot 0 is populated");
	unplant();
	expect_pc_clean();
}

static void test_pc_user_half(void **state)
{
	plant(&l4_of(2)[7], l4_of(2)[511]);
	expect_pc(false, "cpu 2: L4 slot 7 (user half) is populated");
	unplant();
	expect_pc_clean();
}

static void test_pc_kernel_half(void **state)
{
	plant(&l4_of(2)[300], l4_of(2)[300] | PTE_PCD);
	expect_pc(false, "cpu 2: L4 slot 300 is");
	unplant();
	expect_pc_clean();
}

static void test_pc_kernel_half_ad(void **state)
{
	/* accessed and dirty are the CPU's: never a difference */
	plant(&l4_of(2)[300], l4_of(2)[300] ^ (PTE_A | PTE_D));
	expect_pc_clean();
	unplant();
}

static void test_pc_no_globaldata(void **state)
{
	plant(&l4_of(1)[GLOBALDATA_SLOT], 0);
	expect_pc(false, "cpu 1: no globaldata slot");
	unplant();
	expect_pc_clean();
}

static void test_pc_shared_globaldata(void **state)
{
	plant(&l4_of(2)[GLOBALDATA_SLOT], l4_of(1)[GLOBALDATA_SLOT]);
	expect_pc(false, "cpus 1 and 2 share their globaldata L3");
	unplant();
	expect_pc_clean();
}

static void test_pc_globaldata_wrong_page(void **state)
{
	pte_t *p = gd_leaf(1);

	plant(p, *p + PAGE_SIZE);
	expect_pc(false, "cpu 1: globaldata va maps");
	unplant();
	expect_pc_clean();
}

static void test_pc_globaldata_exec(void **state)
{
	pte_t *p = gd_leaf(0);

	plant(p, *p & ~PTE_NX);
	expect_pc(false, "cpu 0: globaldata page is executable");
	unplant();
	expect_pc_clean();
}

static void test_pc_globaldata_readonly(void **state)
{
	pte_t *p = gd_leaf(2);

	plant(p, *p & ~PTE_RW);
	expect_pc(false, "cpu 2: globaldata page is read-only");
	unplant();
	expect_pc_clean();
}

static void test_pc_tables_writable(void **state)
{
	expect_pc(true, "is writable in the direct map");
}

/* -------------------------------------------------------- uspace_check */

static struct uspace_page pages[2];

static void do_build(void *arg)
{
	uspace_build(&as, "planted", pages, 2);
}

static int setup_uspace(void **state)
{
	boot();
	pages[0] = (struct uspace_page){ 0x400000, percpu_data_page(), false, true };
	pages[1] = (struct uspace_page){ 0x401000, percpu_data_page(), true, false };
	assert_false(host_call(do_build, NULL));
	mm_saved = mm;
	as_saved = as;
	return 0;
}

static void expect_us(bool ro, const char *want)
{
	size_t from = host.out_len;
	unsigned long v = uspace_check(&as, ro, first, sizeof(first));

	if (!v || !violation_seen(from, "uspace", want))
		print_error("uspace_check: %lu violations, want \"%s\" (first: %s)\n", v, want, first);
	assert_true(v > 0);
	assert_true(violation_seen(from, "uspace", want));
}

static void expect_us_clean(void)
{
	unsigned long v = uspace_check(&as, false, first, sizeof(first));

	if (v)
		print_error("uspace_check: %lu violations, first: %s\n", v, first);
	assert_int_equal(v, 0);
}

/* The user leaf of va in `as`. */
static pte_t *user_leaf(uint64_t va)
{
	phys_addr_t t = as.top;
	unsigned int l;

	for (l = 3; l > 1; l--)
		t = pte_phys(pt_page(t)[pt_index(va, l)]);
	return &pt_page(t)[pt_index(va, 1)];
}

static void test_us_clean(void **state)
{
	expect_us_clean();
}

static void test_us_wx(void **state)
{
	pte_t *p = user_leaf(0x401000);

	plant(p, *p & ~PTE_NX);
	expect_us(false, "planted: user page va 0x401000 is writable and executable");
	unplant();
	expect_us_clean();
}

static void test_us_not_user(void **state)
{
	pte_t *p = user_leaf(0x400000);

	plant(p, *p & ~PTE_US);
	expect_us(false, "is not a user 4 KiB page of slot 0");
	unplant();
	expect_us_clean();
}

static void test_us_large_leaf(void **state)
{
	/* an L2 entry turned into a 2 MiB leaf */
	pte_t *l2e = &pt_page(pte_phys(pt_page(as.top)[0]))[pt_index(0x400000, 2)];

	plant(l2e, (*l2e & ~PTE_ADDR_MASK) | PTE_PS | 0x40000000);
	expect_us(false, "level 2");
	unplant();
	expect_us_clean();
}

static void test_us_extra_page(void **state)
{
	pte_t *p = user_leaf(0x400000);

	plant(p + 2, *p);               /* 0x402000: one page more than built */
	expect_us(false, "planted: 3 pages mapped, 2 expected");
	unplant();
	expect_us_clean();
}

static void test_us_table_count(void **state)
{
	as.tables_at[2]++;
	expect_us(false, "planted: 1 L2 tables found, 2 built");
	as.tables_at[2]--;
	expect_us_clean();
}

static void test_us_tables_writable(void **state)
{
	expect_us(true, "is writable in the direct map");
}

int main(void)
{
	const struct CMUnitTest mm_tests[] = {
		cmocka_unit_test_teardown(test_mm_clean, undo),
		cmocka_unit_test_teardown(test_mm_direct_exec, undo),
		cmocka_unit_test_teardown(test_mm_direct_wrong_pa, undo),
		cmocka_unit_test_teardown(test_mm_direct_hole, undo),
		cmocka_unit_test_teardown(test_mm_direct_beyond_ram, undo),
		cmocka_unit_test_teardown(test_mm_text_writable, undo),
		cmocka_unit_test_teardown(test_mm_text_nx, undo),
		cmocka_unit_test_teardown(test_mm_rodata_writable, undo),
		cmocka_unit_test_teardown(test_mm_rodata_exec, undo),
		cmocka_unit_test_teardown(test_mm_data_readonly, undo),
		cmocka_unit_test_teardown(test_mm_data_exec, undo),
		cmocka_unit_test_teardown(test_mm_brk_exec, undo),
		cmocka_unit_test_teardown(test_mm_guard_mapped, undo),
		cmocka_unit_test_teardown(test_mm_stray, undo),
		cmocka_unit_test_teardown(test_mm_slot0, undo),
		cmocka_unit_test_teardown(test_mm_table_lowmem, undo),
		cmocka_unit_test_teardown(test_mm_table_in_image, undo),
		cmocka_unit_test_teardown(test_mm_table_count, undo),
		cmocka_unit_test_teardown(test_mm_tables_writable, undo),
		cmocka_unit_test_teardown(test_mm_brk_overused, undo),
	};
	const struct CMUnitTest pc_tests[] = {
		cmocka_unit_test_teardown(test_pc_clean, undo),
		cmocka_unit_test_teardown(test_pc_slot0, undo),
		cmocka_unit_test_teardown(test_pc_user_half, undo),
		cmocka_unit_test_teardown(test_pc_kernel_half, undo),
		cmocka_unit_test_teardown(test_pc_kernel_half_ad, undo),
		cmocka_unit_test_teardown(test_pc_no_globaldata, undo),
		cmocka_unit_test_teardown(test_pc_shared_globaldata, undo),
		cmocka_unit_test_teardown(test_pc_globaldata_wrong_page, undo),
		cmocka_unit_test_teardown(test_pc_globaldata_exec, undo),
		cmocka_unit_test_teardown(test_pc_globaldata_readonly, undo),
		cmocka_unit_test_teardown(test_pc_tables_writable, undo),
	};
	const struct CMUnitTest us_tests[] = {
		cmocka_unit_test_teardown(test_us_clean, undo),
		cmocka_unit_test_teardown(test_us_wx, undo),
		cmocka_unit_test_teardown(test_us_not_user, undo),
		cmocka_unit_test_teardown(test_us_large_leaf, undo),
		cmocka_unit_test_teardown(test_us_extra_page, undo),
		cmocka_unit_test_teardown(test_us_table_count, undo),
		cmocka_unit_test_teardown(test_us_tables_writable, undo),
	};

	return cmocka_run_group_tests_name("mm_check", mm_tests, setup_mm, NULL) |
	       cmocka_run_group_tests_name("percpu_check", pc_tests, setup_percpu, NULL) |
	       cmocka_run_group_tests_name("uspace_check", us_tests, setup_uspace, NULL);
}
