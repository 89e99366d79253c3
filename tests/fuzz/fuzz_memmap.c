/*
 * tests/fuzz/fuzz_memmap.c — libFuzzer harness for memmap_normalise().
 *
 * Input: one byte choosing MAXPHYADDR (32..52), then entries (fuzz_common.h).
 * Every input either panics as the contract says (fuzz_memmap_panic) or
 * yields a map that
 *   - is sorted, non-overlapping, without empty entries, merged (no two
 *     touching entries of one type), of E820 types 1..7 only;
 *   - has page-aligned usable RAM, every usable byte of which was usable in
 *     the input and covered by no other input entry;
 *   - loses no usable byte but partial pages and bytes that a non-usable
 *     entry also covers;
 *   - equals the independent reference (tests/unit/model.c) entry for
 *     entry.
 * A map whose normalised form needs more entries than struct memmap holds
 * may panic with "more than"; any other panic is a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checker.h"
#include "fuzz_common.h"
#include "hostenv.h"

static struct memmap map;
static struct memmap_entry in[MEMMAP_MAX];
static unsigned int nin;
static uint64_t limit;

static void run(void *arg)
{
	memmap_normalise(&map, limit);
}

/* Is [s, e) wholly covered by input entries of the given usability? */
static bool covered(uint64_t s, uint64_t e, bool usable)
{
	while (s < e) {
		uint64_t next = s;
		unsigned int i;

		for (i = 0; i < nin; i++) {
			uint64_t a = in[i].start, b = in[i].start + in[i].size;

			if (!in[i].size || (in[i].type == MEM_USABLE) != usable)
				continue;
			if (a <= s && s < b && b > next)
				next = b;
		}
		if (next == s)
			return false;
		s = next;
	}
	return true;
}

static bool touched_by_other(uint64_t s, uint64_t e)
{
	unsigned int i;

	for (i = 0; i < nin; i++)
		if (in[i].size && in[i].type != MEM_USABLE &&
		    in[i].start < e && s < in[i].start + in[i].size)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref_map ref;
	char want[256];
	bool expect;
	unsigned int i;

	if (size < 1)
		return 0;
	limit = 1ULL << (32 + data[0] % 21);
	nin = fuzz_decode(data + 1, size - 1, in, MEMMAP_MAX);
	host_reset(16);
	memset(&map, 0, sizeof(map));
	memcpy(map.e, in, nin * sizeof(in[0]));
	map.nr = nin;
	fuzz_suffix = fuzz_suffix_for(in, nin);
	expect = fuzz_memmap_panic(in, nin, limit, want, sizeof(want));
	if (!expect) {
		ref_normalise(in, nin, &ref);
		{
			bool any = false;

			for (i = 0; i < ref.nr; i++)
				any |= ref.e[i].type == MEM_USABLE;
			if (!any) {
				expect = true;
				snprintf(want, sizeof(want), "no usable RAM");
			}
		}
	}

	if (host_call(run, NULL)) {
		if (expect) {
			if (!strstr(host.panic_msg, want))
				fuzz_finding("wrong-panic", data, size, "panic \"%s\", want \"%s\"",
					     host.panic_msg, want);
			return 0;
		}
		if (strstr(host.panic_msg, "more than") &&
		    ref.nr > sizeof(map.e) / sizeof(map.e[0]))
			return 0;       /* cannot be represented: an honest panic */
		fuzz_finding(strstr(host.panic_msg, "more than") ? "overflow-panic" : "unexpected-panic",
			     data, size, "panic \"%s\" (reference map has %u entries)", host.panic_msg,
			     ref.nr);
		return 0;
	}
	if (expect) {
		fuzz_finding("missing-panic", data, size, "no panic, want \"%s\"", want);
		return 0;
	}

	for (i = 0; i < map.nr; i++) {
		const struct memmap_entry *e = &map.e[i];
		uint64_t end = e->start + e->size;

		if (!e->size || end < e->start)
			fuzz_finding("bad-entry", data, size, "entry %u has size 0x%lx", i,
				     (unsigned long)e->size);
		if (e->type < MEM_USABLE || e->type > MEM_PMEM)
			fuzz_finding("bad-type", data, size, "entry %u has type %u", i, e->type);
		if (end > limit)
			fuzz_finding("above-limit", data, size, "entry %u ends at 0x%lx", i,
				     (unsigned long)end);
		if (i && map.e[i - 1].start + map.e[i - 1].size > e->start)
			fuzz_finding("unsorted", data, size, "entry %u overlaps or precedes %u", i, i - 1);
		if (i && map.e[i - 1].start + map.e[i - 1].size == e->start &&
		    map.e[i - 1].type == e->type)
			fuzz_finding("unmerged", data, size, "entries %u and %u touch, type %u", i - 1, i,
				     e->type);
		if (e->type != MEM_USABLE)
			continue;
		if ((e->start | e->size) & (PAGE_SIZE - 1))
			fuzz_finding("unaligned", data, size, "usable entry %u [0x%lx+0x%lx]", i,
				     (unsigned long)e->start, (unsigned long)e->size);
		if (!covered(e->start, end, true))
			fuzz_finding("usable-invented", data, size,
				     "usable [0x%lx-0x%lx) was not all usable in the input",
				     (unsigned long)e->start, (unsigned long)end);
		if (touched_by_other(e->start, end))
			fuzz_finding("usable-overlapped", data, size,
				     "usable [0x%lx-0x%lx) overlaps a non-usable input entry",
				     (unsigned long)e->start, (unsigned long)end);
	}
	/* nothing lost: compare with the reference, which keeps every whole
	 * page of input usable RAM that no other entry touches */
	if (map.nr != ref.nr || !entries_equal(map.e, ref.e, map.nr)) {
		for (i = 0; i < map.nr && i < ref.nr; i++)
			if (!entries_equal(&map.e[i], &ref.e[i], 1))
				break;
		fuzz_finding("differs", data, size,
			     "%u entries, reference %u; first difference at %u: [0x%lx+0x%lx] %u vs [0x%lx+0x%lx] %u",
			     map.nr, ref.nr, i,
			     i < map.nr ? (unsigned long)map.e[i].start : 0UL,
			     i < map.nr ? (unsigned long)map.e[i].size : 0UL, i < map.nr ? map.e[i].type : 0,
			     i < ref.nr ? (unsigned long)ref.e[i].start : 0UL,
			     i < ref.nr ? (unsigned long)ref.e[i].size : 0UL, i < ref.nr ? ref.e[i].type : 0);
	}
	if (memmap_usable_bytes(&map) == 0)
		fuzz_finding("no-usable", data, size, "normalised map has no usable RAM, no panic");
	return 0;
}
