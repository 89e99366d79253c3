/*
 * tests/unit/test_memmap.c — memmap_normalise() and memmap_add() against
 * hand-written expectations (and, each time, the independent reference of
 * model.c, so that the reference the fuzzer trusts is itself tested).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "checker.h"
#include "hostenv.h"

#define K(x) ((uint64_t)(x) << 10)
#define M(x) ((uint64_t)(x) << 20)
#define G(x) ((uint64_t)(x) << 30)
#define LIMIT52 (1ULL << 52)

#define U MEM_USABLE
#define R MEM_RESERVED
#define A MEM_ACPI
#define N MEM_NVS

static struct memmap map;
static uint64_t limit;

static void run(void *arg)
{
	memmap_normalise(&map, limit);
}

/* Normalise e[0..n) under lim; returns the panic message or NULL. */
static const char *normalise(const struct memmap_entry *e, unsigned int n, uint64_t lim)
{
	host_reset(16);
	memset(&map, 0, sizeof(map));
	if (n)
		memcpy(map.e, e, n * sizeof(e[0]));
	map.nr = n;
	limit = lim;
	return host_call(run, NULL) ? host.panic_msg : NULL;
}

static void dump(const char *what, const struct memmap_entry *e, unsigned int n)
{
	unsigned int i;

	print_message("%s (%u entries):\n", what, n);
	for (i = 0; i < n; i++)
		print_message("  [0x%lx-0x%lx) %u\n", (unsigned long)e[i].start,
			      (unsigned long)(e[i].start + e[i].size), e[i].type);
}

/* Normalise and compare with want[]; also compare the reference with want. */
static void expect_map(const struct memmap_entry *in, unsigned int n,
		       const struct memmap_entry *want, unsigned int nw)
{
	static struct ref_map ref;
	const char *msg = normalise(in, n, LIMIT52);

	if (msg)
		fail_msg("unexpected panic: %s", msg);
	ref_normalise(in, n, &ref);
	if (ref.nr != nw || !entries_equal(ref.e, want, nw)) {
		dump("reference", ref.e, ref.nr);
		dump("want", want, nw);
		fail_msg("the test's reference disagrees with the expectation");
	}
	if (map.nr != nw || !entries_equal(map.e, want, nw)) {
		dump("input", in, n);
		dump("memmap_normalise", map.e, map.nr);
		dump("want", want, nw);
		fail_msg("memmap_normalise gave %u entries, want %u (see above)", map.nr, nw);
	}
}

static void expect_panic(const struct memmap_entry *in, unsigned int n, uint64_t lim,
			 const char *want)
{
	const char *msg = normalise(in, n, lim);

	if (!msg)
		fail_msg("no panic, want \"%s\"", want);
	if (!strstr(msg, want))
		fail_msg("panic \"%s\", want \"%s\"", msg, want);
}

#define E(s, z, t) { (s), (z), (t) }
#define EXPECT(in, want) expect_map(in, sizeof(in) / sizeof(in[0]), want, \
				    sizeof(want) / sizeof(want[0]))

static void test_overlap_precedence(void **state)
{
	struct memmap_entry in[] = {
		E(0, M(16), U), E(M(1), M(1), R), E(M(1) + K(512), M(1) + K(512), A),
		E(M(8), M(1), N), E(M(8) + K(256), K(256), R),
	};
	struct memmap_entry want[] = {
		E(0, M(1), U), E(M(1), K(512), R), E(M(1) + K(512), M(1) + K(512), A),
		E(M(3), M(5), U), E(M(8), M(1), N), E(M(9), M(7), U),
	};
	EXPECT(in, want);
}

static void test_usable_overlaps_usable(void **state)
{
	struct memmap_entry in[] = { E(0, M(8), U), E(M(4), M(8), U), E(M(2), M(1), U) };
	struct memmap_entry want[] = { E(0, M(12), U) };
	EXPECT(in, want);
}

static void test_unsorted(void **state)
{
	struct memmap_entry in[] = {
		E(G(4), G(1), U), E(M(1), M(63), U), E(0, K(636), U), E(K(636), K(4), R),
	};
	struct memmap_entry want[] = {
		E(0, K(636), U), E(K(636), K(4), R), E(M(1), M(63), U), E(G(4), G(1), U),
	};
	EXPECT(in, want);
}

static void test_holes_kept(void **state)
{
	struct memmap_entry in[] = { E(0, M(1), U), E(M(2), M(1), R), E(M(4), M(4), U) };
	struct memmap_entry want[] = { E(0, M(1), U), E(M(2), M(1), R), E(M(4), M(4), U) };
	EXPECT(in, want);
}

static void test_adjacent_merge(void **state)
{
	struct memmap_entry in[] = {
		E(0, M(1), U), E(M(1), M(1), U), E(M(2), K(4), R), E(M(2) + K(4), K(4), R),
		E(M(2) + K(8), K(4), A), E(M(2) + K(12), M(1), U),
	};
	struct memmap_entry want[] = {
		E(0, M(2), U), E(M(2), K(8), R), E(M(2) + K(8), K(4), A), E(M(2) + K(12), M(1), U),
	};
	EXPECT(in, want);
}

static void test_zero_length_dropped(void **state)
{
	struct memmap_entry in[] = {
		E(0, 0, R), E(M(1), M(1), U), E(K(1028), 0, R), E(1ULL << 60, 0, U),
		E(~0ULL, 0, A),
	};
	struct memmap_entry want[] = { E(M(1), M(1), U) };
	EXPECT(in, want);
}

static void test_unaligned_trimmed(void **state)
{
	struct memmap_entry in[] = { E(0x1001, 0x4ffe, U), E(0x10000, 0x800, U) };
	struct memmap_entry want[] = {
		E(0x1001, 0xfff, R), E(0x2000, 0x3000, U), E(0x5000, 0xfff, R), E(0x10000, 0x800, R),
	};
	/* the partial pages next to a reserved entry become reserved and merge
	 * with it */
	struct memmap_entry in2[] = { E(M(1), M(1), U), E(M(1) + 0x10, 0x20, R) };
	struct memmap_entry want2[] = { E(M(1), 0x1000, R), E(M(1) + 0x1000, M(1) - 0x1000, U) };

	EXPECT(in, want);
	EXPECT(in2, want2);
}

static void test_unaligned_adjacent_usable(void **state)
{
	/* two usable pieces meeting inside a page form one range: the page
	 * they share is whole RAM */
	struct memmap_entry in[] = { E(M(1), 0x1800, U), E(M(1) + 0x1800, 0x2800, U) };
	struct memmap_entry want[] = { E(M(1), 0x4000, U) };
	EXPECT(in, want);
}

static void test_tiny(void **state)
{
	struct memmap_entry in[] = { E(0, K(4), U) };
	struct memmap_entry want[] = { E(0, K(4), U) };
	struct memmap_entry in2[] = { E(K(4), 1, U), E(M(1), K(4), U) };
	struct memmap_entry want2[] = { E(K(4), 1, R), E(M(1), K(4), U) };

	EXPECT(in, want);
	EXPECT(in2, want2);
}

static void test_above_4g(void **state)
{
	struct memmap_entry in[] = {
		E(G(4), G(60), U), E(G(8), M(2), R), E(1ULL << 40, G(1), U), E(0xfffc0000, K(256), R),
	};
	struct memmap_entry want[] = {
		E(0xfffc0000, K(256), R), E(G(4), G(4), U), E(G(8), M(2), R),
		E(G(8) + M(2), G(56) - M(2), U), E(1ULL << 40, G(1), U),
	};
	EXPECT(in, want);
}

static void test_unknown_types(void **state)
{
	struct memmap_entry in[] = {
		E(0, M(4), U), E(M(1), M(1), 12), E(M(3), K(4), 0xf00d), E(M(8), M(1), MEM_PMEM),
		E(M(8), K(4), 8),
	};
	struct memmap_entry want[] = {
		E(0, M(1), U), E(M(1), M(1), R), E(M(2), M(1), U), E(M(3), K(4), R),
		E(M(3) + K(4), M(1) - K(4), U), E(M(8), K(4), R), E(M(8) + K(4), M(1) - K(4), MEM_PMEM),
	};
	EXPECT(in, want);
}

/* Type 0 is no E820 type: "anything not usable RAM is reserved".  The
 * result must not depend on the order of the entries. */
static void test_type0_after_usable(void **state)
{
	struct memmap_entry in[] = { E(0, M(64), U), E(M(1), M(1), 0) };
	struct memmap_entry want[] = { E(0, M(1), U), E(M(1), M(1), R), E(M(2), M(62), U) };
	EXPECT(in, want);
}

static void test_type0_before_usable(void **state)
{
	struct memmap_entry in[] = { E(M(1), M(1), 0), E(0, M(64), U) };
	struct memmap_entry want[] = { E(0, M(1), U), E(M(1), M(1), R), E(M(2), M(62), U) };
	EXPECT(in, want);
}

/* ... and wins over the E820 types, like any type that is no E820 type */
static void test_type0_beats_acpi(void **state)
{
	struct memmap_entry in[] = {
		E(0, M(64), U), E(M(10), M(1), A), E(M(10), K(4), 0), E(M(20), K(8), 9),
		E(M(20) + K(4), K(8), MEM_PMEM),
	};
	struct memmap_entry want[] = {
		E(0, M(10), U), E(M(10), K(4), R), E(M(10) + K(4), M(1) - K(4), A),
		E(M(11), M(9), U), E(M(20), K(8), R), E(M(20) + K(8), K(4), MEM_PMEM),
		E(M(20) + K(12), M(44) - K(12), U),
	};
	EXPECT(in, want);
}

static void test_limit_52(void **state)
{
	struct memmap_entry ok[] = { E(M(1), M(1), U), E((1ULL << 52) - G(1), G(1), R) };
	struct memmap_entry bad[] = {
		E(M(1), M(1), U), E(G(4), G(1), U), E((1ULL << 52) - G(1), G(1) + 1, R),
	};

	assert_null(normalise(ok, 2, LIMIT52));
	expect_panic(bad, 3, LIMIT52,
		     "entry 2 [mem 0xfffffc0000000-0x10000000000000] type 2 ends above the physical address limit 0x10000000000000");
}

static void test_limit_36(void **state)
{
	struct memmap_entry bad[] = { E(M(1), M(1), U), E(0, 0, U), E(G(63), G(2), U) };

	expect_panic(bad, 3, 1ULL << 36, "entry 2 [mem 0x0fc0000000-0x103fffffff] type 1 ends above");
}

static void test_limit_start_above(void **state)
{
	struct memmap_entry bad[] = { E(M(1), M(1), U), E(1ULL << 53, K(4), A) };

	expect_panic(bad, 2, LIMIT52, "entry 1 ");
	expect_panic(bad, 2, LIMIT52, "ends above the physical address limit");
}

static void test_wrap(void **state)
{
	struct memmap_entry bad[] = { E(M(1), M(1), U), E(~0ULL - K(4) + 1, K(8), R) };

	expect_panic(bad, 2, LIMIT52, "entry 1 [mem 0xfffffffffffff000+0x2000] type 2 wraps around");
}

static void test_empty(void **state)
{
	expect_panic(NULL, 0, LIMIT52, "memory map is empty");
}

static void test_all_zero_length(void **state)
{
	struct memmap_entry in[] = { E(M(1), 0, U), E(0, 0, R) };

	expect_panic(in, 2, LIMIT52, "2 entries, all of zero length");
}

static void test_no_usable(void **state)
{
	struct memmap_entry in[] = { E(0, M(1), R), E(M(1), M(1), A) };
	struct memmap_entry in2[] = { E(0, M(1), R), E(M(1) + 1, 0xffe, U) };
	struct memmap_entry in3[] = { E(0, M(2), U), E(0, M(2), R) };

	expect_panic(in, 2, LIMIT52, "memory map has no usable RAM");
	expect_panic(in2, 2, LIMIT52, "memory map has no usable RAM");
	expect_panic(in3, 2, LIMIT52, "memory map has no usable RAM");
}

static void add_129(void *arg)
{
	static struct memmap m;
	unsigned int i;

	m.nr = 0;
	for (i = 0; i <= MEMMAP_MAX; i++)
		memmap_add(&m, (uint64_t)i << 20, K(4), U);
}

static void test_add_full(void **state)
{
	host_reset(16);
	assert_true(host_call(add_129, NULL));
	assert_non_null(strstr(host.panic_msg, "memory map has more than 128 entries"));
}

/* 128 entries that normalise to 3: one usable range cut by 127 reserved
 * ranges that leave only slivers of less than a page between them. */
static void test_many_slivers(void **state)
{
	static struct memmap_entry in[MEMMAP_MAX];
	struct memmap_entry want[] = {
		E(0, M(1), U), E(M(1), 127 * K(4), R), E(M(1) + 127 * K(4), M(1) - 127 * K(4), U),
	};
	unsigned int i;

	/* the slivers [+0xc00, +0x1000) between the reserved ranges are usable
	 * but no whole page: they become reserved, and everything from 1 MiB
	 * to the last range's page end merges into one entry */
	in[0] = (struct memmap_entry)E(0, M(2), U);
	for (i = 0; i < 127; i++)
		in[i + 1] = (struct memmap_entry)E(M(1) + i * K(4), 0xc00, R);
	expect_map(in, MEMMAP_MAX, want, 3);
}

static void test_usable_bytes_end(void **state)
{
	struct memmap_entry in[] = { E(0, K(636), U), E(M(1), M(127), U), E(G(4), G(1), R) };

	assert_null(normalise(in, 3, LIMIT52));
	assert_int_equal(memmap_usable_bytes(&map), K(636) + M(127));
	assert_int_equal(memmap_usable_end(&map), M(128));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlap_precedence),
		cmocka_unit_test(test_usable_overlaps_usable),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_holes_kept),
		cmocka_unit_test(test_adjacent_merge),
		cmocka_unit_test(test_zero_length_dropped),
		cmocka_unit_test(test_unaligned_trimmed),
		cmocka_unit_test(test_unaligned_adjacent_usable),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_type0_after_usable),
		cmocka_unit_test(test_type0_before_usable),
		cmocka_unit_test(test_type0_beats_acpi),
		cmocka_unit_test(test_limit_52),
		cmocka_unit_test(test_limit_36),
		cmocka_unit_test(test_limit_start_above),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_all_zero_length),
		cmocka_unit_test(test_no_usable),
		cmocka_unit_test(test_add_full),
		cmocka_unit_test(test_many_slivers),
		cmocka_unit_test(test_usable_bytes_end),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
