/*
 * check.c — the in-guest (and host) self-check of design §6.
 *
 * It reads only the live tables (from mm.root) and the normalised memory
 * map, and recomputes what the builder was supposed to produce:
 *   - the direct map holds every usable RAM byte exactly once, at
 *     DIRECT_MAP_BASE + pa, with NX, and nothing else;
 *   - the image is mapped W^X with 4 KiB pages at KERNEL_VMA + pa, the
 *     stack guard page is not mapped, and nothing else is mapped but the
 *     fixmap; VA 0 (and all of the root's slot 0) is unmapped;
 *   - no table page lies in lowmem, the image (but brk), boot data or
 *     outside usable RAM, and the walk finds exactly mm.tables of them;
 *   - with tables_ro, every table page is read-only in the direct map and,
 *     for brk pages, in the image mapping.
 */
#include <stdarg.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/check.h>
#include <paravirt/ops.h>
#include "internal.h"

#define REPORT_MAX 10

/* Every self-check of mm records what it finds here: counted, the first
 * kept, the first REPORT_MAX printed as "<who>: VIOLATION: ...". */
void violation_add(struct violations *vs, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!vs->n && vs->first_size)
		snprintf(vs->first, vs->first_size, "%s", msg);
	if (vs->n < REPORT_MAX)
		printk("%s: VIOLATION: %s\n", vs->who, msg);
	vs->n++;
}

struct checker {
	struct pt_visitor v;
	struct mm_check_result *r;
	struct violations *vs;          /* shared by the walks of one mm_check */
	bool tables_ro;
	unsigned int ram_idx;           /* direct-map leaves come in VA order */
};

#define violation(c, ...) violation_add((c)->vs, __VA_ARGS__)

static const struct image_section *image_section_of(uint64_t va)
{
	unsigned int i;

	for (i = 0; i < mm.image->nr_sec; i++)
		if (va >= mm.image->sec[i].va && va < mm.image->sec[i].va_end)
			return &mm.image->sec[i];
	return NULL;
}

static bool in_ram(uint64_t pa, uint64_t size, unsigned int *idx)
{
	unsigned int i;

	for (i = *idx; i < mm.ram.nr; i++) {
		uint64_t s = mm.ram.e[i].start, e = s + mm.ram.e[i].size;
		if (pa >= s && pa + size <= e) {
			*idx = i;
			return true;
		}
		if (s > pa)
			break;
	}
	return false;
}

static void check_table(struct pt_visitor *v, phys_addr_t pa, unsigned int level)
{
	struct checker *c = (struct checker *)v;
	unsigned int i, idx = 0;

	c->r->tables++;
	c->r->tables_at[level]++;
	if (pa_in_brk(pa))
		return;
	if (!in_ram(pa, PAGE_SIZE, &idx))
		violation(c, "L%u table at 0x%010lx is not in usable RAM", level, (unsigned long)pa);
	for (i = 0; i < mm.nr_reserved; i++)
		if (pa >= mm.reserved[i].start && pa < mm.reserved[i].end)
			violation(c, "L%u table at 0x%010lx lies in reserved %s", level,
				  (unsigned long)pa, mm.reserved_why[i]);
	if (pa >= mm.ram_top)
		violation(c, "L%u table at 0x%010lx above RAM", level, (unsigned long)pa);
}

static void check_leaf(struct pt_visitor *v, uint64_t va, pte_t e, unsigned int level)
{
	struct checker *c = (struct checker *)v;
	uint64_t size = level_size(level);
	phys_addr_t pa = pte_phys(e) & ~(size - 1);

	if (va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < DIRECT_MAP_SIZE) {
		c->r->leaves_direct++;
		c->r->direct_bytes += size;
		if (pa != va - DIRECT_MAP_BASE)
			violation(c, "direct map va 0x%016lx maps pa 0x%010lx, not 0x%010lx",
				  (unsigned long)va, (unsigned long)pa,
				  (unsigned long)(va - DIRECT_MAP_BASE));
		if (!in_ram(pa, size, &c->ram_idx))
			violation(c, "direct map [mem 0x%010lx-0x%010lx] is not all usable RAM",
				  (unsigned long)pa, (unsigned long)(pa + size - 1));
		if (mm.cfg.nx && !(e & PTE_NX))
			violation(c, "direct map va 0x%016lx is executable", (unsigned long)va);
		return;
	}
	if (va >= FIXMAP_BASE && va < FIXMAP_BASE + FIXMAP_SLOTS * PAGE_SIZE) {
		c->r->leaves_fixmap++;
		return;
	}
	if (va >= KERNEL_VMA && va < FIXMAP_BASE) {
		const struct image_section *s = image_section_of(va);
		bool rw = e & PTE_RW, nx = e & PTE_NX;

		c->r->leaves_image++;
		if (level != 1)
			violation(c, "image va 0x%016lx mapped by a %s page", (unsigned long)va,
				  page_size_name(level));
		if (!s) {
			violation(c, "va 0x%016lx in the image area is outside every section",
				  (unsigned long)va);
			return;
		}
		if (pa != va - KERNEL_VMA)
			violation(c, "image va 0x%016lx maps pa 0x%010lx", (unsigned long)va,
				  (unsigned long)pa);
		switch (s->kind) {
		case IMG_TEXT:
			if (rw || nx)
				violation(c, "text va 0x%016lx is %s (want RX)", (unsigned long)va,
					  rw ? "writable" : "not executable");
			break;
		case IMG_RODATA:
			if (rw || (mm.cfg.nx && !nx))
				violation(c, "rodata va 0x%016lx is %s", (unsigned long)va,
					  rw ? "writable" : "executable");
			break;
		case IMG_DATA:
			if (!rw || (mm.cfg.nx && !nx))
				violation(c, "%s va 0x%016lx is %s", s->name, (unsigned long)va,
					  !rw ? "read-only" : "executable");
			break;
		case IMG_BRK:   /* RW unless a pinned table lives there */
			if (mm.cfg.nx && !nx)
				violation(c, "brk va 0x%016lx is executable", (unsigned long)va);
			break;
		case IMG_GUARD:
			violation(c, "stack guard page va 0x%016lx is mapped", (unsigned long)va);
			break;
		}
		return;
	}
	violation(c, "stray mapping va 0x%016lx -> pa 0x%010lx (%s)", (unsigned long)va,
		  (unsigned long)pa, page_size_name(level));
}

/* Every mapping of a table page must be read-only. */
static void check_table_ro(struct pt_visitor *v, phys_addr_t pa, unsigned int level)
{
	struct checker *c = (struct checker *)v;
	uint64_t vas[2];
	unsigned int i, n = 0;

	vas[n++] = DIRECT_MAP_BASE + pa;
	if (pa_in_brk(pa))
		vas[n++] = KERNEL_VMA + pa;
	for (i = 0; i < n; i++) {
		pte_t e = pt_lookup(vas[i], NULL, NULL);

		if (!pte_present(e) && i == 0)
			violation(c, "L%u table 0x%010lx is not in the direct map", level,
				  (unsigned long)pa);
		else if (e & PTE_RW)
			violation(c, "L%u table 0x%010lx is writable at va 0x%016lx", level,
				  (unsigned long)pa, (unsigned long)vas[i]);
	}
	c->r->ro_tables_checked++;
}

unsigned long mm_check(bool tables_ro, struct mm_check_result *r)
{
	struct violations vs = { "selfcheck", 0, r->first, sizeof(r->first) };
	struct checker c = { .v = { check_table, check_leaf }, .r = r, .vs = &vs,
			     .tables_ro = tables_ro };
	uint64_t ram = memmap_usable_bytes(&mm.ram);
	const pte_t *root = pt_virt(mm.root);
	unsigned int i;

	memset(r, 0, sizeof(*r));
	pt_walk(mm.root, &c.v);

	if (pte_present(root[0]))
		violation(&c, "L%u slot 0 (user space, VA 0) is populated: 0x%016lx",
			  pt_levels, (unsigned long)root[0]);
	if (pt_lookup(0, NULL, NULL))
		violation(&c, "page 0 is mapped");
	if (r->direct_bytes != ram)
		violation(&c, "direct map holds %llu bytes, usable RAM is %lu", r->direct_bytes,
			  (unsigned long)ram);
	if (r->tables != mm.tables)
		violation(&c, "walk found %lu table pages, mm allocated %lu", r->tables, mm.tables);
	for (i = 1; i <= pt_levels; i++)
		if (r->tables_at[i] != mm.tables_at[i])
			violation(&c, "walk found %lu L%u tables, mm allocated %lu", r->tables_at[i],
				  i, mm.tables_at[i]);
	if (mm.brk_used > mm.image->brk_pages)
		violation(&c, "brk used %lu pages of %lu", mm.brk_used, mm.image->brk_pages);
	for (i = 0; i < mm.image->nr_sec; i++) {
		const struct image_section *s = &mm.image->sec[i];
		uint64_t va;

		for (va = s->va; va < s->va_end; va += PAGE_SIZE) {
			bool mapped = pte_present(pt_lookup(va, NULL, NULL));
			if (mapped != (s->kind != IMG_GUARD))
				violation(&c, "%s va 0x%016lx is %smapped", s->name, (unsigned long)va,
					  mapped ? "" : "not ");
		}
	}
	if (tables_ro) {
		struct checker ro = { .v = { check_table_ro, NULL }, .r = r, .vs = &vs,
				      .tables_ro = true };
		pt_walk(mm.root, &ro.v);
	}
	r->violations = vs.n;
	return r->violations;
}

struct table_finder {
	struct pt_visitor v;
	phys_addr_t pa;
	bool found;
};

static void find_table(struct pt_visitor *v, phys_addr_t pa, unsigned int level)
{
	struct table_finder *f = (struct table_finder *)v;

	if (pa == f->pa)
		f->found = true;
}

bool mm_is_table(phys_addr_t pa)
{
	struct table_finder f = { .v = { find_table, NULL }, .pa = pa & ~(PAGE_SIZE - 1) };

	if (!mm.root_loaded)
		return false;
	pt_walk(mm.root, &f.v);
	return f.found;
}
