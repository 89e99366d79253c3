/*
 * trace-check.c — a trace against itself: what must hold between its
 * records whatever the builder decided (counts add up, windows tile the
 * usable RAM from the start point down, then the RAM above it from the top
 * down, table pages where the plan allows them,
 * the CR3 switch and the links in their places, the summary and the
 * self-check agree, the run passed).  No model: trace-model.c does the
 * recomputing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

/* ------------------------------------------------------------ findings */

void finding_add(struct findings *fs, enum fclass cls, const char *where, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? 2 * fs->cap : 64;
		fs->f = realloc(fs->f, fs->cap * sizeof(*fs->f));
		if (!fs->f) {
			perror("tracecmp");
			exit(2);
		}
	}
	f = &fs->f[fs->n++];
	f->cls = cls;
	scopy(f->where, sizeof(f->where), where);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

int findings_count(const struct findings *fs, enum fclass cls)
{
	int n = 0;

	for (int i = 0; i < fs->n; i++)
		n += fs->f[i].cls == cls;
	return n;
}

/* ------------------------------------------------------------- checks */

#define BAD(...)  finding_add(fs, F_UNEXPECTED, where, __VA_ARGS__)

unsigned long usable_in(const struct run *r, uint64_t lo, uint64_t end)
{
	unsigned long n = 0;

	for (int i = 0; i < r->nusable; i++) {
		uint64_t a = r->usable[i].lo > lo ? r->usable[i].lo : lo;
		uint64_t b = r->usable[i].end < end ? r->usable[i].end : end;

		if (b > a)
			n += b - a;
	}
	return n;
}

/* Checks that need no model: the trace against itself. */
void self_check(const struct run *r, struct findings *fs)
{
	char where[40], m1[64], m2[64];
	unsigned long sum_tables = 0, sum_tl[5] = { 0 }, sum_leaves[4] = { 0 }, sum_links = 0,
		      sum_splits = 0, sum_split_tables = 0;
	uint64_t sum_ram = 0;
	/* Windows: batch 0 ends at S (begin's start=, else the top of RAM),
	 * each next one ends where the previous one started, down to the
	 * bottom of RAM; then, if S is below the top of RAM, the "above"
	 * batches: the first ends at the top of RAM, the next ones go down
	 * to S.  RAM table pages lie below S. */
	uint64_t S = r->start, below_lo = S;    /* lowest PA mapped below S */
	int first_above = -1;

	snprintf(where, sizeof(where), "%s trace", r->label);
	if (!r->nusable)
		BAD("no usable RAM in the mem records");
	if (r->has_start && (r->start > r->ram_top || r->start & (K_PAGE - 1)))
		BAD("begin start=0x%llx is not a page boundary at or below the top of RAM 0x%llx",
		    (unsigned long long)r->start, (unsigned long long)r->ram_top);
	if (!r->has_brk)
		BAD("no step1 record for brk: the brk chunk's address is unknown");
	if (r->nb == 0)
		BAD("no batch records");
	for (int k = 0; k < r->nb; k++) {
		const struct t_batch *b = &r->b[k];
		unsigned long pages = 0, tl = 0;
		bool above;

		snprintf(where, sizeof(where), "%s batch %d", r->label, k);
		if (!b->seen) {
			BAD("no batch record for id %d", k);
			continue;
		}
		if (k > 0 && first_above < 0 && S < r->ram_top && r->b[k - 1].seen &&
		    !usable_in(r, 0, r->b[k - 1].pa_lo))
			first_above = k;        /* nothing left below S: the RAM above it */
		above = first_above >= 0;
		if (!b->hook_seen)
			BAD("no hook record: the paravirt hook was not called (steps 3/6)");
		else if (b->hook_step != (k ? 6 : 3))
			BAD("hook at step %d, the plan calls it at step %d", b->hook_step, k ? 6 : 3);
		if (b->hook_seen && strcmp(b->result, "ok"))
			BAD("hook %s/%s returned result=%s", b->backend, b->action, b->result);
		if (strcmp(b->src, k ? "ram" : "brk") || strcmp(b->step, k ? "5" : "1-2"))
			BAD("step=%s src=%s, the plan has batch %d at step %s from %s", b->step,
			    b->src, k, k ? "5" : "1-2", k ? "ram" : "brk");
		for (int l = 1; l <= 4; l++)
			tl += b->tl[l];
		if (tl != b->tables)
			BAD("tables=%lu but l4+l3+l2+l1=%lu", b->tables, tl);
		for (int i = 0; i < b->next; i++) {
			pages += b->ext[i].pages;
			if ((b->ext[i].end - b->ext[i].lo) / K_PAGE != b->ext[i].pages)
				BAD("tables %s says pages=%lu",
				    fmt_mem(m1, sizeof(m1), b->ext[i].lo, b->ext[i].end), b->ext[i].pages);
			if (strcmp(b->ext[i].src, b->src))
				BAD("table pages from %s in a batch from %s", b->ext[i].src, b->src);
		}
		if (b->hook_seen && pages != b->tables + b->split_tables)
			BAD("table pages listed: %lu, batch tables + hook split tables: %lu + %lu",
			    pages, b->tables, b->split_tables);
		if (usable_in(r, b->pa_lo, b->pa_end) != b->ram)
			BAD("ram=%lu but the usable RAM in %s is %lu", (unsigned long)b->ram,
			    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end),
			    usable_in(r, b->pa_lo, b->pa_end));
		if (b->has_va && (b->va_lo != r->direct_map_base + b->pa_lo ||
				  b->va_end != r->direct_map_base + b->pa_end))
			BAD("va=[0x%llx-0x%llx] is not the direct map of its pa range (base 0x%llx)",
			    (unsigned long long)b->va_lo, (unsigned long long)(b->va_end - 1),
			    (unsigned long long)r->direct_map_base);
		if (k == 0 && b->pa_end != S)
			BAD("batch 0 ends at 0x%llx, not at %s 0x%llx (step 2 maps the topmost RAM%s)",
			    (unsigned long long)b->pa_end, r->has_start ? "start" : "the top of RAM",
			    (unsigned long long)S,
			    r->has_start ? " below reserved data at the top" : "");
		if (k == first_above && b->pa_end != r->ram_top)
			BAD("window %s: the first batch above start=0x%llx should end at the top of RAM 0x%llx",
			    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end), (unsigned long long)S,
			    (unsigned long long)r->ram_top);
		if (k > 0 && k != first_above && r->b[k - 1].seen && b->pa_end != r->b[k - 1].pa_lo)
			BAD("window %s does not continue down from batch %d's %s",
			    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end), k - 1,
			    fmt_mem(m2, sizeof(m2), r->b[k - 1].pa_lo, r->b[k - 1].pa_end));
		if (above && b->pa_lo < S)
			BAD("window %s goes below start=0x%llx, which earlier batches mapped",
			    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end), (unsigned long long)S);
		if (!above && b->pa_end > S)
			BAD("window %s goes above start=0x%llx (the RAM above is mapped last)",
			    fmt_mem(m1, sizeof(m1), b->pa_lo, b->pa_end), (unsigned long long)S);
		if (b->has_image_leaves && k > 0 && b->image_leaves)
			BAD("image_leaves=%lu: only batch 0 maps the image", b->image_leaves);
		if (b->has_image_leaves && b->image_leaves > b->leaves[1])
			BAD("image_leaves=%lu exceeds leaves_4k=%lu", b->image_leaves, b->leaves[1]);
		if (k > 0 && !b->link_seen)
			BAD("no link record (step 6 links the batch after the hook)");
		if (k > 0 && b->link_seen && b->link_entries != b->links)
			BAD("link entries=%lu but the batch has links=%lu", b->link_entries, b->links);
		if (k == 0 && b->links)
			BAD("links=%lu: batch 0 goes live by the CR3 switch, it has no links", b->links);
		for (int i = 0; i < b->next; i++) {
			const struct t_extent *x = &b->ext[i];

			if (k == 0 && r->has_brk &&
			    (x->lo < r->brk_pa || x->end > r->brk_pa + r->brk_pages * K_PAGE))
				BAD("table pages %s outside the brk chunk",
				    fmt_mem(m1, sizeof(m1), x->lo, x->end));
			if (k > 0 && (x->lo < (above ? below_lo : b->pa_end) || x->end > S))
				BAD("table pages %s were not mapped when taken (RAM table pages lie below start 0x%llx, in RAM mapped before the batch: from 0x%llx)",
				    fmt_mem(m1, sizeof(m1), x->lo, x->end), (unsigned long long)S,
				    (unsigned long long)(above ? below_lo : b->pa_end));
			if (k > 0)
				for (int j = 0; j < r->nres; j++)
					if (x->lo < r->res[j].end && r->res[j].lo < x->end)
						BAD("table pages %s overlap the %s reservation %s",
						    fmt_mem(m1, sizeof(m1), x->lo, x->end), r->res[j].why,
						    fmt_mem(m2, sizeof(m2), r->res[j].lo, r->res[j].end));
			if (k > 0 && usable_in(r, x->lo, x->end) != x->end - x->lo)
				BAD("table pages %s are not all usable RAM",
				    fmt_mem(m1, sizeof(m1), x->lo, x->end));
		}
		sum_tables += b->tables + b->split_tables;
		for (int l = 1; l <= 4; l++)
			sum_tl[l] += b->tl[l];
		for (int l = 1; l <= 3; l++)
			sum_leaves[l] += b->leaves[l];
		sum_links += b->links;
		sum_splits += b->splits;
		sum_split_tables += b->split_tables;
		sum_ram += b->ram;
		if (!above && b->pa_lo < below_lo)
			below_lo = b->pa_lo;
	}
	snprintf(where, sizeof(where), "%s trace", r->label);
	if (r->nb && r->b[r->nb - 1].seen) {
		uint64_t lowest_above = r->ram_top;

		for (int k = first_above; k >= 0 && k < r->nb; k++)
			if (r->b[k].seen && r->b[k].pa_lo < lowest_above)
				lowest_above = r->b[k].pa_lo;
		if (usable_in(r, 0, below_lo))
			BAD("usable RAM below 0x%llx is not mapped by any batch",
			    (unsigned long long)below_lo);
		else if (lowest_above > S && usable_in(r, S, lowest_above))
			BAD("usable RAM in %s, above start, is not mapped by any batch",
			    fmt_mem(m1, sizeof(m1), S, lowest_above));
	}
	if (!r->have_cr3)
		BAD("no cr3 record (step 4)");
	else {
		if (r->cr3_after_batch != 1 || !r->b[0].hook_seen)
			BAD("the CR3 switch is not between batch 0's hook and batch 1");
		if (r->has_brk && r->cr3_root != r->brk_pa)
			BAD("root 0x%llx is not the first brk page 0x%llx (step 1 takes the L4 first)",
			    (unsigned long long)r->cr3_root, (unsigned long long)r->brk_pa);
	}
	if (!r->have_summary) {
		BAD("no summary record");
	} else {
		unsigned long split_tl = sum_split_tables;
		unsigned long tl_all = 0;

		if (r->sum_ram != sum_ram)
			BAD("summary ram_mapped=%lu, the batches map %llu", r->sum_ram,
			    (unsigned long long)sum_ram);
		if (r->sum_ram != r->usable_bytes)
			BAD("summary ram_mapped=%lu, usable RAM is %llu", r->sum_ram,
			    (unsigned long long)r->usable_bytes);
		if (r->sum_tables != sum_tables)
			BAD("summary tables=%lu, the batches and their hooks made %lu", r->sum_tables,
			    sum_tables);
		for (int l = 1; l <= 4; l++)
			tl_all += r->sum_tl[l];
		if (tl_all != r->sum_tables)
			BAD("summary tables=%lu but l4+l3+l2+l1=%lu", r->sum_tables, tl_all);
		for (int l = 1; l <= 4; l++)
			if (r->sum_tl[l] < sum_tl[l] || r->sum_tl[l] > sum_tl[l] + split_tl)
				BAD("summary l%d=%lu, the batches made %lu (+ up to %lu split tables)", l,
				    r->sum_tl[l], sum_tl[l], split_tl);
		for (int l = 1; l <= 3; l++)
			if (r->sum_leaves[l] != sum_leaves[l])
				BAD("summary leaves_%s=%lu, the batches made %lu",
				    l == 1 ? "4k" : l == 2 ? "2m" : "1g", r->sum_leaves[l], sum_leaves[l]);
		if (r->sum_links != sum_links)
			BAD("summary links=%lu, the batches made %lu", r->sum_links, sum_links);
		if (r->sum_splits != sum_splits || r->sum_split_tables != sum_split_tables)
			BAD("summary splits=%lu split_tables=%lu, the hooks report %lu and %lu",
			    r->sum_splits, r->sum_split_tables, sum_splits, sum_split_tables);
		if (r->sum_batches != (unsigned long)r->nb || r->sum_hook_calls != (unsigned long)r->nb)
			BAD("summary batches=%lu hook_calls=%lu, the trace has %d batches",
			    r->sum_batches, r->sum_hook_calls, r->nb);
		if (r->sum_brk_reserved != r->brk_pages)
			BAD("summary brk_reserved=%lu, begin says brk_pages=%lu", r->sum_brk_reserved,
			    r->brk_pages);
		if (r->sum_brk_used > r->sum_brk_reserved)
			BAD("brk_used=%lu exceeds brk_reserved=%lu", r->sum_brk_used,
			    r->sum_brk_reserved);
		if (r->nb && r->sum_brk_used != r->b[0].tables + r->b[0].split_tables)
			BAD("summary brk_used=%lu, batch 0 took %lu brk pages", r->sum_brk_used,
			    r->b[0].tables + r->b[0].split_tables);
	}
	if (!r->have_selfcheck) {
		BAD("no selfcheck record");
	} else {
		if (r->sc_violations)
			BAD("selfcheck found %lu violations of design §6", r->sc_violations);
		if (r->have_summary && r->sc_tables != r->sum_tables)
			BAD("selfcheck walked %lu tables, the summary says %lu", r->sc_tables,
			    r->sum_tables);
		if (r->sc_direct_bytes != r->usable_bytes)
			BAD("selfcheck finds %llu bytes in the direct map, usable RAM is %llu",
			    (unsigned long long)r->sc_direct_bytes, (unsigned long long)r->usable_bytes);
		if (strcmp(r->sc_tables_ro, r->tables_ro ? "checked" : "n/a"))
			BAD("selfcheck tables_ro=%s with tables_ro=%d", r->sc_tables_ro, r->tables_ro);
	}
	if (r->have_selfcheck && r->sc_has_detail) {
		unsigned long ro_want = r->tables_ro ? r->sc_tables : 0;

		if (r->sc_ro_checked != ro_want)
			BAD("selfcheck ro_tables_checked=%lu, want %lu (tables_ro=%d)", r->sc_ro_checked,
			    ro_want, r->tables_ro);
		if (r->nb && r->b[0].seen && r->b[0].has_image_leaves) {
			/* each split turns one large leaf into 512 smaller ones */
			unsigned long direct = sum_leaves[1] + sum_leaves[2] + sum_leaves[3] -
					       r->b[0].image_leaves + 511 * sum_splits;

			if (r->sc_image_leaves != r->b[0].image_leaves)
				BAD("selfcheck image_leaves=%lu, batch 0 mapped the image with %lu",
				    r->sc_image_leaves, r->b[0].image_leaves);
			if (r->sc_direct_leaves != direct)
				BAD("selfcheck direct_leaves=%lu, the batches' direct-map leaves and the hook's splits make %lu",
				    r->sc_direct_leaves, direct);
		}
	}
	if (r->tables_ro && !r->have_pin)
		finding_add(fs, F_INFO, where, "tables_ro=1 but no 'xen pin_attempt' record");
	snprintf(where, sizeof(where), "%s run", r->label);
	if (!r->result[0])
		BAD("no 'topdown: result:' line after the trace");
	else if (strcmp(r->result, "PASS"))
		BAD("result: %s", r->result);
	for (int i = 0; i < r->nunknown; i++)
		finding_add(fs, F_INFO, where, "record kind '%s' unknown to this tracecmp: ignored",
			    r->unknown[i]);
}
