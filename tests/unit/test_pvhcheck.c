/*
 * tests/unit/test_pvhcheck.c — the Xen PVH table protection
 * (paravirt/xen/protect_pvh.c, host-built) checked on what it reports and
 * on the release path the builds do not reach:
 *   - what each hook record of the trace says it did (ro_entries, splits,
 *     split_tables) equals what the recording backend saw it do (every
 *     write_pte of the hook classified in tests/unit/hostpv.c);
 *   - xen_pvh_table_released makes a protected table page writable again
 *     in the direct map, and panics where no 4 KiB entry maps it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <mm/mm.h>
#include <paravirt/ops.h>
#include <paravirt/xen_pvh.h>
#include "build.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

struct pvh_case {
	const char *name;
	uint64_t ram;
	unsigned int max_level;
};

static void pinned_build(uint64_t ram, unsigned int max_level, bool pin)
{
	static struct memmap_entry e[2];
	static struct build_outcome o;
	struct build_case c = { .map = e, .nr = 2, .max_level = max_level, .nx = true,
				.brk_pages = 16, .phys_limit = 1ULL << 52, .pin = pin,
				.tables_readonly = pin,
				.hook_reserve_pages = pin ? HOST_PIN_HOOK_PAGES : 0 };

	e[0] = (struct memmap_entry){ 0, 0x9f000, MEM_USABLE };
	e[1] = (struct memmap_entry){ 1 * MiB, ram - 1 * MiB, MEM_USABLE };
	build_and_check(&c, &o);
	if (o.panicked || o.errors)
		print_error("build: %s%s\n", o.panicked ? o.panic_msg : "", o.errors ? o.first : "");
	assert_false(o.panicked);
	assert_int_equal(o.errors, 0);
}

/* The sum of `key=` over the trace's hook records. */
static unsigned long trace_sum(const char *key)
{
	const char *p = host.out;
	unsigned long sum = 0;
	char pat[40];

	snprintf(pat, sizeof(pat), " %s=", key);
	while (p && (p = strstr(p, "trace: hook id="))) {
		const char *eol = strchr(p, '\n');
		const char *k = strstr(p, pat);

		if (k && (!eol || k < eol))
			sum += strtoul(k + strlen(pat), NULL, 10);
		p += 1;
	}
	return sum;
}

static void test_counts(void **state)
{
	const struct pvh_case *c = *state;

	pinned_build(c->ram, c->max_level, true);
	print_message("%s: trace ro_entries=%lu splits=%lu split_tables=%lu; backend saw %lu %lu %lu\n",
		      c->name, trace_sum("ro_entries"), trace_sum("splits"), trace_sum("split_tables"),
		      host.pin_ro_entries, host.pin_splits, host.pin_split_tables);
	assert_true(host.pin_ro_entries > 0);
	assert_int_equal(trace_sum("ro_entries"), host.pin_ro_entries);
	assert_int_equal(trace_sum("splits"), host.pin_splits);
	assert_int_equal(trace_sum("split_tables"), host.pin_split_tables);
	if (c->max_level == 2)
		assert_true(host.pin_splits > 0);       /* RAM tables lie in 2 MiB pages */
}

/* The L4 (in brk) is read-only in the direct map; released, writable again. */
static void test_release(void **state)
{
	unsigned int level;
	pte_t *slot;
	phys_addr_t pa;

	pinned_build(256 * MiB, 2, true);
	/* a RAM table page: the direct map's first L3 */
	pa = pte_phys(pt_page(mm.root)[pt_index(DIRECT_MAP_BASE, 4)]);
	assert_true(pte_present(pt_lookup(DIRECT_MAP_BASE + pa, &level, &slot)));
	assert_int_equal(level, 1);
	assert_false(*slot & PTE_RW);
	xen_pvh_table_released(pa);
	assert_true(pte_present(pt_lookup(DIRECT_MAP_BASE + pa, &level, &slot)));
	assert_true(*slot & PTE_RW);
}

static void do_release(void *arg)
{
	xen_pvh_table_released(*(phys_addr_t *)arg);
}

/* Unpinned, 2 MiB pages: 64 MiB lies in a 2 MiB leaf, no 4 KiB entry. */
static void test_release_needs_4k(void **state)
{
	phys_addr_t pa = 64 * MiB;
	unsigned int level;

	pinned_build(256 * MiB, 2, false);
	assert_true(pte_present(pt_lookup(DIRECT_MAP_BASE + pa, &level, NULL)));
	assert_int_equal(level, 2);
	assert_true(host_call(do_release, &pa));
	assert_non_null(strstr(host.panic_msg, "no 4 KiB direct-map entry to make writable again"));
}

int main(void)
{
	static const struct pvh_case cases[] = {
		{ "128M/4k", 128 * MiB, 1 },
		{ "16G/2m", 16 * GiB, 2 },
		{ "64G/2m", 64 * GiB, 2 },
		{ "64G/1g", 64 * GiB, 3 },
	};
	const struct CMUnitTest tests[] = {
		{ "pvh/counts/128M-4k", test_counts, NULL, NULL, (void *)&cases[0] },
		{ "pvh/counts/16G-2m", test_counts, NULL, NULL, (void *)&cases[1] },
		{ "pvh/counts/64G-2m", test_counts, NULL, NULL, (void *)&cases[2] },
		{ "pvh/counts/64G-1g", test_counts, NULL, NULL, (void *)&cases[3] },
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_needs_4k),
	};

	return cmocka_run_group_tests_name("pvh", tests, NULL, NULL);
}
