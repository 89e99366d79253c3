/*
 * tests/unit/test_percpu.c — every CPU's own L4 (mm/percpu.c) on the host:
 * built after a real mm_init, checked by percpu_check, which must also
 * catch planted faults (a kernel-half entry that differs, a shared
 * globaldata L3, a populated user slot); an AP's L4 below 4 GiB when the
 * tables come from above, never handed out again; pinned like Xen PVH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <mm/percpu.h>
#include <paravirt/ops.h>
#include "build.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define TRAMP_PA 0x9e000ULL
#define NCPU 4

static struct percpu_tables pt[NCPU];
static unsigned int levels = 4;         /* the depth of the current test */
static struct percpu_tables *ptp[NCPU];
static char first[200];

static void boot(uint64_t ram_hi, bool pin)
{
	static struct memmap_entry e[2];
	static struct build_outcome o;
	struct build_case c = { .map = e, .nr = 2, .max_level = 2, .nx = true, .brk_pages = 16,
				.phys_limit = 1ULL << 52, .pin = pin, .tables_readonly = pin,
				.levels = levels };

	e[0] = (struct memmap_entry){ 0, 0x9f000, MEM_USABLE };
	e[1] = (struct memmap_entry){ 1 * MiB, ram_hi - 1 * MiB, MEM_USABLE };
	build_and_check(&c, &o);
	assert_false(o.panicked);
	assert_int_equal(o.errors, 0);
	host.after_init = true;         /* later batches map no RAM window */
}

static void cpus(void)
{
	unsigned int i;

	memset(pt, 0, sizeof(pt));
	percpu_boot_cpu(&pt[0]);
	for (i = 1; i < NCPU; i++) {
		percpu_stacks(&pt[i], i);
		percpu_build_root(&pt[i], i, TRAMP_PA, 4 * GiB);
	}
	for (i = 0; i < NCPU; i++)
		ptp[i] = &pt[i];
}

/* The L4 on the globaldata path of a CPU: its root at four levels, its own
 * copy below root slot 511 at five. */
static pte_t *own_l4(const struct percpu_tables *t)
{
	pte_t *top = phys_window(t->root);

	return levels == 5 ? phys_window(pte_addr(top[511])) : top;
}

static void test_roots(void **state)
{
	unsigned int i, j;
	pte_t *l4, saved;

	boot(128 * MiB, false);
	cpus();
	/* slot 0 maps the trampoline until the AP drops it */
	assert_int_equal(percpu_check(ptp, NCPU, false, first, sizeof(first)), NCPU - 1);
	for (i = 1; i < NCPU; i++)
		percpu_drop_identity(pt[i].root);
	assert_int_equal(percpu_check(ptp, NCPU, false, first, sizeof(first)), 0);
	for (i = 0; i < NCPU; i++) {
		/* root + L3 L2 L1 of globaldata; an AP's L4 copy at five levels */
		assert_int_equal(pt[i].tables, levels == 5 && i ? 5 : 4);
		for (j = 0; j < i; j++) {
			assert_true(pt[i].root != pt[j].root);
			assert_true(pt[i].globaldata != pt[j].globaldata);
		}
	}
	/* planted: a kernel-half entry of CPU 2 differs (the image's L4 slot) */
	l4 = own_l4(&pt[2]);
	saved = l4[511];
	l4[511] ^= 1ULL << 12;
	assert_int_equal(percpu_check(ptp, NCPU, false, first, sizeof(first)), 1);
	assert_non_null(strstr(first, "cpu 2: L4 slot 511"));
	l4[511] = saved;
	/* planted: CPU 3 shares CPU 1's globaldata L3 */
	saved = own_l4(&pt[3])[GLOBALDATA_SLOT];
	own_l4(&pt[3])[GLOBALDATA_SLOT] = own_l4(&pt[1])[GLOBALDATA_SLOT];
	assert_true(percpu_check(ptp, NCPU, false, first, sizeof(first)) >= 1);
	assert_non_null(strstr(first, "share their globaldata L3"));
	own_l4(&pt[3])[GLOBALDATA_SLOT] = saved;
	if (levels == 5) {
		/* planted: CPU 3's root points at CPU 1's L4 copy */
		pte_t *top = phys_window(pt[3].root);

		saved = top[511];
		top[511] = ((pte_t *)phys_window(pt[1].root))[511];
		assert_true(percpu_check(ptp, NCPU, false, first, sizeof(first)) >= 1);
		assert_non_null(strstr(first, "share their globaldata L4"));
		top[511] = saved;
	}
	assert_int_equal(percpu_check(ptp, NCPU, false, first, sizeof(first)), 0);
	if (host.errors)
		printf("host error: %s\n", host.first_error);
	assert_int_equal(host.errors, 0);
}

/* Tables from the top of RAM, but an AP's L4 below 4 GiB, never handed out again. */
static void test_root_below_4g(void **state)
{
	phys_addr_t later[64];
	unsigned int i, j;

	boot(6 * GiB, false);
	cpus();
	for (i = 1; i < NCPU; i++) {
		assert_true(pt[i].root < 4 * GiB);
		assert_true(pt[i].globaldata >= 4 * GiB);      /* the rest as high as possible */
	}
	for (j = 0; j < 64; j++)
		later[j] = percpu_data_page();
	for (i = 1; i < NCPU; i++)
		for (j = 0; j < 64; j++)
			assert_true(later[j] != pt[i].root);
	if (host.errors)
		printf("host error: %s\n", host.first_error);
	assert_int_equal(host.errors, 0);
}

/* Pinned (Xen PVH): every per-CPU table read-only before anything can load it. */
static void test_roots_pinned(void **state)
{
	unsigned int i;

	boot(256 * MiB, true);
	cpus();
	for (i = 1; i < NCPU; i++)
		percpu_drop_identity(pt[i].root);
	assert_int_equal(percpu_check(ptp, NCPU, true, first, sizeof(first)), 0);
	if (host.errors)
		printf("host error: %s\n", host.first_error);
	assert_int_equal(host.errors, 0);
}

/* The same at five levels: the root is the PML5, the globaldata path's L4
 * each CPU's own copy. */
static int five(void **state)
{
	levels = 5;
	return 0;
}

static int four(void **state)
{
	levels = 4;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roots, four, four),
		cmocka_unit_test_setup_teardown(test_root_below_4g, four, four),
		cmocka_unit_test_setup_teardown(test_roots_pinned, four, four),
		{ "percpu/roots-l5", test_roots, five, four, NULL },
		{ "percpu/root-below-4g-l5", test_root_below_4g, five, four, NULL },
		{ "percpu/roots-pinned-l5", test_roots_pinned, five, four, NULL },
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
