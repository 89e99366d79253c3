/*
 * memmap.c — memory map normalisation (see <mm/memmap.h>).
 *
 * The algorithm is deliberately simple and quadratic in the number of
 * entries (at most MEMMAP_MAX): cut the address space at every entry
 * boundary, give each elementary interval the most restrictive type of the
 * entries covering it, and merge neighbours of equal type.
 */
#include <mm/memmap.h>
#include <mm/pgtable.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI:
		return "ACPI data";
	case MEM_NVS:
		return "ACPI NVS";
	case MEM_UNUSABLE:
		return "unusable";
	case MEM_DISABLED:
		return "disabled";
	case MEM_PMEM:
		return "persistent";
	}
	return "unknown";
}

void memmap_add(struct memmap *m, uint64_t start, uint64_t size, uint32_t type)
{
	if (m->nr == MEMMAP_MAX)
		panic("memory map has more than %d entries (next: [mem 0x%010lx+0x%lx] type %u)",
		      MEMMAP_MAX, (unsigned long)start, (unsigned long)size, type);
	m->e[m->nr].start = start;
	m->e[m->nr].size = size;
	m->e[m->nr].type = type;
	m->nr++;
}

/* Order of restriction: usable < the E820 types by number < any type that
 * is no E820 type (0, or above 7), which counts as reserved. */
static uint64_t rank(uint32_t type)
{
	if (type == MEM_USABLE)
		return 0;
	return type >= MEM_RESERVED && type <= MEM_PMEM ? type : (uint64_t)UINT32_MAX + 1;
}

static uint32_t stricter(uint32_t a, uint32_t b)
{
	return rank(a) >= rank(b) ? a : b;
}

static void sort_points(uint64_t *p, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		uint64_t v = p[i];
		for (j = i; j > 0 && p[j - 1] > v; j--)
			p[j] = p[j - 1];
		p[j] = v;
	}
}

/* Append to a map being built, merging with an equal-typed neighbour. */
static void push(struct memmap *out, uint64_t start, uint64_t end, uint32_t type)
{
	struct memmap_entry *last = out->nr ? &out->e[out->nr - 1] : NULL;

	if (end <= start)
		return;
	if (last && last->type == type && last->start + last->size == start) {
		last->size += end - start;
		return;
	}
	if (out->nr == MEMMAP_CAP)
		panic("normalised memory map needs more than %d entries", MEMMAP_CAP);
	out->e[out->nr].start = start;
	out->e[out->nr].size = end - start;
	out->e[out->nr].type = type;
	out->nr++;
}



void memmap_normalise(struct memmap *m, uint64_t phys_limit)
{
	static uint64_t points[2 * MEMMAP_CAP];
	static struct memmap out, aligned;
	unsigned int i, j, np = 0, given = m->nr;

	if (m->nr == 0)
		panic("memory map is empty");

	for (i = 0; i < m->nr; i++) {
		const struct memmap_entry *e = &m->e[i];

		if (e->size == 0)
			continue;       /* zero-length: dropped */
		if (e->start + e->size < e->start)
			panic("entry %u [mem 0x%010lx+0x%lx] type %u wraps around the address space",
			      i, (unsigned long)e->start, (unsigned long)e->size, e->type);
		if (e->start + e->size > phys_limit)
			panic("entry %u [mem 0x%010lx-0x%010lx] type %u ends above the physical address limit 0x%lx",
			      i, (unsigned long)e->start, (unsigned long)(e->start + e->size - 1),
			      e->type, (unsigned long)phys_limit);
		points[np++] = e->start;
		points[np++] = e->start + e->size;
	}
	if (np == 0)
		panic("memory map has %u entries, all of zero length", m->nr);
	sort_points(points, np);

	out.nr = 0;
	for (i = 0; i + 1 < np; i++) {
		uint64_t a = points[i], b = points[i + 1];
		uint32_t type = 0;
		bool covered = false;

		if (a == b)
			continue;
		for (j = 0; j < m->nr; j++) {
			const struct memmap_entry *e = &m->e[j];
			if (e->size && e->start <= a && b <= e->start + e->size) {
				type = covered ? stricter(type, e->type) : e->type;
				covered = true;
			}
		}
		if (!covered)
			continue;       /* a hole between entries */
		if (rank(type) > MEM_PMEM)
			type = MEM_RESERVED;
		push(&out, a, b, type);
	}

	/* Usable RAM page aligned inward; the cut-off parts are reserved. */
	aligned.nr = 0;
	for (i = 0; i < out.nr; i++) {
		const struct memmap_entry *e = &out.e[i];
		uint64_t s = e->start, end = e->start + e->size;

		if (e->type == MEM_USABLE) {
			uint64_t as = (s + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
			uint64_t ae = end & ~(PAGE_SIZE - 1);

			if (as >= ae) {
				push(&aligned, s, end, MEM_RESERVED);
				continue;
			}
			push(&aligned, s, as, MEM_RESERVED);
			push(&aligned, as, ae, MEM_USABLE);
			push(&aligned, ae, end, MEM_RESERVED);
		} else {
			push(&aligned, s, end, e->type);
		}
	}
	*m = aligned;
	if (!memmap_usable_bytes(m))
		panic("memory map has no usable RAM (%u %s given)", given,
		      given == 1 ? "entry" : "entries");
}

void memmap_print(const char *prefix, const struct memmap *m)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		const struct memmap_entry *e = &m->e[i];

		if (!e->size || e->start + e->size < e->start)   /* as given, unchecked */
			printk("%s[mem 0x%010lx+0x%lx] %s (%s)\n", prefix, (unsigned long)e->start,
			       (unsigned long)e->size, mem_type_name(e->type),
			       e->size ? "wraps around" : "empty");
		else
			printk("%s[mem 0x%010lx-0x%010lx] %s\n", prefix, (unsigned long)e->start,
			       (unsigned long)(e->start + e->size - 1), mem_type_name(e->type));
	}
}

uint64_t memmap_usable_bytes(const struct memmap *m)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->e[i].type == MEM_USABLE)
			sum += m->e[i].size;
	return sum;
}

uint64_t memmap_usable_end(const struct memmap *m)
{
	uint64_t end = 0;
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->e[i].type == MEM_USABLE && m->e[i].start + m->e[i].size > end)
			end = m->e[i].start + m->e[i].size;
	return end;
}
