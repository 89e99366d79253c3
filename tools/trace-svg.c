/*
 * trace-svg.c — one or two runs as a self-contained SVG picture.
 *
 * Per run, physical memory is a vertical bar, address growing upward (the
 * builder works from the top down).  The scale is piecewise: every address
 * where something starts or ends (map entries, reservations, batch windows,
 * table pages, brk) is a boundary, and each piece between two boundaries
 * gets a height that grows with the logarithm of its size, so a 4 KiB run
 * of table pages next to a 1 TiB hole both stay visible.  With two runs the
 * boundaries of both are merged: the same address sits at the same height
 * in both panels.
 *
 * Columns: the memory map; the kernel's reservations (brk inside the
 * image); each batch's direct-map window, with a dashed line at step 2's
 * start when it lies below the top of RAM; where each batch's table pages
 * landed, joined to their batch's window.  Below: the virtual layout (the
 * layout: lines) with the part of the direct map in use.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

#define PANEL_W     760
#define BAR_H       640
#define MIN_SEG     9.0
#define TOP         96

static const char *const batch_color[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948",
};
#define NCOLORS (int)(sizeof(batch_color) / sizeof(batch_color[0]))

struct scale {
	uint64_t *p;            /* boundaries, ascending */
	double *y;              /* y of each boundary (top of bar = TOP) */
	bool *gap;              /* piece i is in no run's memory map */
	int n;
};

#define GAP_H       16.0        /* height of a piece no map mentions */

static void xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void add(uint64_t **v, int *n, int *cap, uint64_t x)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 128;
		*v = realloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

static void build_scale(struct scale *s, struct run *const runs[], int nruns)
{
	uint64_t *v = NULL;
	int n = 0, cap = 0;
	double total = 0, *w;

	add(&v, &n, &cap, 0);
	for (int r = 0; r < nruns; r++) {
		const struct run *x = runs[r];

		for (int i = 0; i < x->nmem; i++) {
			add(&v, &n, &cap, x->mem[i].lo);
			add(&v, &n, &cap, x->mem[i].end);
		}
		for (int i = 0; i < x->nres; i++) {
			add(&v, &n, &cap, x->res[i].lo);
			add(&v, &n, &cap, x->res[i].end);
		}
		if (x->start < x->ram_top)
			add(&v, &n, &cap, x->start);
		if (x->has_brk) {
			add(&v, &n, &cap, x->brk_pa);
			add(&v, &n, &cap, x->brk_pa + x->brk_pages * PAGE_SIZE);
		}
		for (int k = 0; k < x->nb; k++) {
			add(&v, &n, &cap, x->b[k].pa_lo);
			add(&v, &n, &cap, x->b[k].pa_end);
			for (int i = 0; i < x->b[k].next; i++) {
				add(&v, &n, &cap, x->b[k].ext[i].lo);
				add(&v, &n, &cap, x->b[k].ext[i].end);
			}
		}
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	s->n = 0;
	for (int i = 0; i < n; i++)
		if (!s->n || v[s->n - 1] != v[i])
			v[s->n++] = v[i];
	s->p = v;
	s->y = calloc(s->n, sizeof(*s->y));
	s->gap = calloc(s->n, sizeof(*s->gap));
	w = calloc(s->n, sizeof(*w));
	for (int i = 0; i + 1 < s->n; i++) {
		s->gap[i] = true;
		for (int r = 0; r < nruns && s->gap[i]; r++)
			for (int j = 0; j < runs[r]->nmem; j++)
				if (runs[r]->mem[j].lo <= s->p[i] && s->p[i + 1] <= runs[r]->mem[j].end)
					s->gap[i] = false;
		w[i] = s->gap[i] ? 0 : 1.0 + log2(1.0 + (double)(s->p[i + 1] - s->p[i]) / 4096.0);
		total += w[i];
	}
	/* heights: proportional to w, at least MIN_SEG; gaps GAP_H */
	{
		double avail = BAR_H, y = TOP + BAR_H;
		double k = total > 0 ? avail / total : 1;

		for (int pass = 0; pass < 4; pass++) {
			double fixed = 0, rest = 0;

			for (int i = 0; i + 1 < s->n; i++) {
				if (s->gap[i])
					fixed += GAP_H;
				else if (w[i] * k < MIN_SEG)
					fixed += MIN_SEG;
				else
					rest += w[i];
			}
			if (rest > 0 && avail - fixed > 0)
				k = (avail - fixed) / rest;
		}
		s->y[0] = y;
		for (int i = 0; i + 1 < s->n; i++) {
			double h = s->gap[i] ? GAP_H : w[i] * k < MIN_SEG ? MIN_SEG : w[i] * k;

			y -= h;
			s->y[i + 1] = y;
		}
	}
	free(w);
}

/* y of an address (a boundary, or interpolated inside a piece). */
static double ya(const struct scale *s, uint64_t a)
{
	int lo = 0, hi = s->n - 1;

	if (a <= s->p[0])
		return s->y[0];
	if (a >= s->p[s->n - 1])
		return s->y[s->n - 1];
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		if (s->p[mid] <= a)
			lo = mid;
		else
			hi = mid;
	}
	return s->y[lo] + (s->y[hi] - s->y[lo]) * (double)(a - s->p[lo]) /
				  (double)(s->p[hi] - s->p[lo]);
}

static const char *mem_fill(const char *type)
{
	if (!strcmp(type, "usable"))
		return "#a6dba0";
	if (!strcmp(type, "reserved"))
		return "#c7c7c7";
	if (!strncmp(type, "ACPI", 4))
		return "#fdd49e";
	return "#f4a6a6";
}

static const char *res_fill(const char *why)
{
	if (!strcmp(why, "lowmem"))
		return "url(#hatch)";
	if (!strcmp(why, "kernel"))
		return "#9ecae1";
	return "#d4b9da";
}

static void hexaddr(char *b, size_t n, uint64_t a)
{
	snprintf(b, n, "0x%llx", (unsigned long long)a);
}

static void rect(FILE *f, double x, double y0, double w, double y1, const char *fill,
		 const char *extra)
{
	fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' %s/>\n", x, y1, w,
		y0 - y1 < 0.5 ? 0.5 : y0 - y1, fill, extra ? extra : "stroke='#555' stroke-width='0.5'");
}

static void text(FILE *f, double x, double y, const char *cls, const char *s)
{
	fprintf(f, "<text x='%.1f' y='%.1f' class='%s'>", x, y, cls);
	xml(f, s);
	fputs("</text>\n", f);
}

/* The physical panel of one run at x0. */
static void panel(FILE *f, const struct run *r, const struct plan *m, const struct scale *s,
		  double x0)
{
	const double xm = x0 + 100, wm = 100, xr = xm + wm + 6, wr = 58,
		     xw = xr + wr + 8, ww = 170, xt = xw + ww + 44, wt = 20;
	char buf[256], a1[32], a2[32];
	double last_label = -100;
	int unexpected_batches = 0;

	/* header */
	snprintf(buf, sizeof(buf), "%s: %s", r->label, r->path);
	text(f, x0 + 8, 22, "h1", buf);
	snprintf(buf, sizeof(buf), "%s%s%s, hypervisor %s, backend %s", r->protocol[0] ? r->protocol : "?",
		 r->loader[0] ? " / " : "", r->loader, r->hypervisor[0] ? r->hypervisor : "?",
		 r->backend[0] ? r->backend : "?");
	text(f, x0 + 8, 40, "h2", buf);
	snprintf(buf, sizeof(buf), "maxpage=%s tables_ro=%d brk=%lu pages; %d batches, %lu tables, %s",
		 r->maxpage, r->tables_ro, r->brk_pages, r->nb, r->sum_tables,
		 r->result[0] ? r->result : "no result");
	text(f, x0 + 8, 56, "h2", buf);
	text(f, xm, TOP - 10, "col", "memory map");
	text(f, xr, TOP - 10, "col", "reserved");
	text(f, xw, TOP - 10, "col", "batch windows");
	text(f, xt - 10, TOP - 10, "col", "table pages");

	/* boundaries: address labels and faint guides */
	for (int i = s->n - 1; i >= 0; i--) {
		double y = s->y[i];

		fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='guide'/>\n", xm - 4, y,
			xt + wt, y);
		if (y - last_label >= 10 || i == 0) {
			hexaddr(a1, sizeof(a1), s->p[i]);
			fprintf(f, "<text x='%.1f' y='%.1f' class='addr'>%s</text>\n", xm - 6, y + 3, a1);
			last_label = y;
		}
	}
	/* pieces no map mentions: a break mark instead of a scale */
	for (int i = 0; i + 1 < s->n; i++)
		if (s->gap[i]) {
			double y0 = s->y[i], y1 = s->y[i + 1], ym = (y0 + y1) / 2;

			fprintf(f, "<path d='M %.1f %.1f l 6 -4 l 6 8 l 6 -8 l 6 8 l 6 -4' class='gap'/>\n",
				xm + wm / 2 - 15, ym);
		}

	/* memory map */
	for (int i = 0; i < r->nmem; i++) {
		double y0 = ya(s, r->mem[i].lo), y1 = ya(s, r->mem[i].end);

		rect(f, xm, y0, wm, y1, mem_fill(r->mem[i].type), NULL);
		if (y0 - y1 >= 11) {
			fmt_size(a1, sizeof(a1), r->mem[i].end - r->mem[i].lo);
			snprintf(buf, sizeof(buf), "%s %s", r->mem[i].type, a1);
			text(f, xm + 3, (y0 + y1) / 2 + 3, "in", buf);
		}
	}
	/* reservations, then brk on top of the image */
	for (int i = 0; i < r->nres; i++) {
		double y0 = ya(s, r->res[i].lo), y1 = ya(s, r->res[i].end);

		rect(f, xr, y0, wr, y1, res_fill(r->res[i].why), NULL);
		if (y0 - y1 >= 11 && strcmp(r->res[i].why, "bootdata"))
			text(f, xr + 3, y0 - 3, "in", r->res[i].why);
	}
	if (r->has_brk) {
		double y0 = ya(s, r->brk_pa), y1 = ya(s, r->brk_pa + r->brk_pages * PAGE_SIZE);

		rect(f, xr, y0, wr, y1, "#ffd54f", NULL);
		if (y0 - y1 >= 9)
			text(f, xr + 3, (y0 + y1) / 2 + 3, "in", "brk");
	}

	/* batch windows */
	for (int k = 0; k < r->nb; k++) {
		const struct t_batch *b = &r->b[k];
		const char *c = batch_color[k % NCOLORS];
		double y0 = ya(s, b->pa_lo), y1 = ya(s, b->pa_end);

		if (!b->seen)
			continue;
		fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' fill-opacity='0.35' stroke='%s' stroke-width='1.5'/>\n",
			xw, y1, ww, y0 - y1, c, c);
		/* what is not usable RAM inside the window is not mapped */
		{
			uint64_t cur = b->pa_lo;

			for (int i = 0; i <= r->nusable && cur < b->pa_end; i++) {
				uint64_t next = i < r->nusable ? r->usable[i].lo : b->pa_end;

				if (next > b->pa_end)
					next = b->pa_end;
				if (next > cur)
					rect(f, xw + 1, ya(s, cur), ww - 2, ya(s, next), "url(#holes)",
					     "stroke='none'");
				if (i < r->nusable && r->usable[i].end > cur)
					cur = r->usable[i].end;
			}
		}
		fmt_size(a1, sizeof(a1), b->ram);
		snprintf(buf, sizeof(buf), "batch %d, %s: %s", k, b->src, a1);
		if (y0 - y1 >= 24) {
			text(f, xw + 4, y1 + 12, "inb", buf);
			snprintf(buf, sizeof(buf), "4k=%lu 2m=%lu 1g=%lu", b->leaves[1], b->leaves[2],
				 b->leaves[3]);
			text(f, xw + 4, y1 + 23, "in", buf);
			if (b->ro_entries || b->splits)
				snprintf(buf, sizeof(buf), "%lu tables, ro %lu, splits %lu", b->tables,
					 b->ro_entries, b->splits);
			else
				snprintf(buf, sizeof(buf), "%lu tables, hook: %s", b->tables, b->action);
			if (y0 - y1 >= 36)
				text(f, xw + 4, y1 + 34, "in", buf);
		} else if (y0 - y1 >= 10) {
			text(f, xw + 4, (y0 + y1) / 2 + 3, "inb", buf);
		}
	}

	/* step 2's start, when the RAM above it is mapped last */
	if (r->start < r->ram_top) {
		double y = ya(s, r->start);

		fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#000' stroke-width='1.2' stroke-dasharray='4 3'/>\n",
			xm, y, xw + ww, y);
		hexaddr(a1, sizeof(a1), r->start);
		snprintf(buf, sizeof(buf), "start %s", a1);
		text(f, xw + ww - 80, y - 3, "in", buf);
	}

	/* table pages, joined to their batch's window; labels pushed apart */
	{
		struct label { double y, ym; char s[96]; } lab[T_BATCH_MAX * 4];
		int nlab = 0;
		double next_y = -1e9;

		for (int k = 0; k < r->nb; k++) {
			const struct t_batch *b = &r->b[k];
			const char *c = batch_color[k % NCOLORS];

			if (m && m->ok && k < T_BATCH_MAX)
				unexpected_batches += m->deviates[k];
			for (int i = 0; i < b->next; i++) {
				const struct t_extent *x = &b->ext[i];
				double y0 = ya(s, x->lo), y1 = ya(s, x->end), ym = (y0 + y1) / 2;
				double wy = ya(s, b->pa_end) + 6;

				rect(f, xt, y0, wt, y1, c, "stroke='#000' stroke-width='0.8'");
				if (!strcmp(x->src, "brk"))
					rect(f, xt, y0, wt, y1, "url(#brkhatch)", "stroke='none'");
				fprintf(f, "<path d='M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f' stroke='%s' stroke-width='1.2' fill='none' marker-end='url(#arrow)'/>\n",
					xt, ym, xt - 25, ym, xw + ww + 15, wy, xw + ww + 2, wy, c);
				if (nlab < (int)(sizeof(lab) / sizeof(lab[0]))) {
					hexaddr(a1, sizeof(a1), x->lo);
					hexaddr(a2, sizeof(a2), x->end - 1);
					lab[nlab].ym = ym;
					snprintf(lab[nlab].s, sizeof(lab[0].s), "b%d: %lu %s, %s-%s%s", k,
						 x->pages, x->src, a1, a2,
						 i == 0 && b->split_tables ? " (+split)" : "");
					nlab++;
				}
			}
		}
		/* top to bottom, at least 11 px apart */
		for (int i = 1; i < nlab; i++)
			for (int j = i; j > 0 && lab[j - 1].ym > lab[j].ym; j--) {
				struct label t = lab[j];

				lab[j] = lab[j - 1];
				lab[j - 1] = t;
			}
		for (int i = 0; i < nlab; i++) {
			lab[i].y = lab[i].ym > next_y ? lab[i].ym : next_y;
			next_y = lab[i].y + 11;
			if (lab[i].y - lab[i].ym > 1)
				fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#888' stroke-width='0.5'/>\n",
					xt + wt, lab[i].ym, xt + wt + 4, lab[i].y);
			text(f, xt + wt + 5, lab[i].y + 3, "tbl", lab[i].s);
		}
	}
	/* the verdict of the replay */
	if (m && m->ok)
		text(f, xw, TOP + BAR_H + 16, unexpected_batches ? "bad" : "good",
		     unexpected_batches ? "some batches differ from mm_init's replay (see tracecmp)" :
		     "as planned: tables on the highest free mapped pages");
}

/* The virtual layout as a horizontal strip, piecewise too. */
static void layout_strip(FILE *f, const struct run *r, double x0, double y)
{
	const double w = PANEL_W - 30;
	double total = 0, x = x0 + 8, weights[T_LAYOUT_MAX];
	char buf[200], a1[40];

	text(f, x0 + 8, y - 8, "col", "virtual layout (layout: lines; filled: what the tables map)");
	if (!r->nlayout) {
		text(f, x0 + 8, y + 14, "in", "no layout: lines in this log");
		return;
	}
	for (int i = 0; i < r->nlayout; i++) {
		weights[i] = 1.0 + log2(1.0 + (double)(r->layout[i].last - r->layout[i].lo) / 4096.0);
		total += weights[i];
	}
	for (int i = 0; i < r->nlayout; i++) {
		const struct t_layout *l = &r->layout[i];
		double ww = w * weights[i] / total;
		const char *fill = !strcmp(l->name, "direct map") ? "#dbe9f6" :
				   !strcmp(l->name, "kernel image") ? "#9ecae1" :
				   !strcmp(l->name, "fixmap") ? "#fdd49e" : "#eeeeee";

		fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='26' fill='%s' stroke='#555' stroke-width='0.6'/>\n",
			x, y, ww, fill);
		if (!strcmp(l->name, "direct map") && r->ram_top) {
			/* the mapped part: [base, base + top of RAM), to the same log scale */
			double frac = log2(1.0 + (double)r->ram_top / 4096.0) /
				      log2(1.0 + (double)(l->last - l->lo) / 4096.0);

			fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='26' fill='#4e79a7' fill-opacity='0.6'/>\n",
				x, y, ww * frac);
			fmt_size(a1, sizeof(a1), r->ram_top);
			snprintf(buf, sizeof(buf), "mapped: %s", a1);
			text(f, x + 2, y + 40, "in", buf);
		}
		fprintf(f, "<text x='%.1f' y='%.1f' class='in' transform='rotate(0)'>", x + 2, y + 17);
		xml(f, ww > 60 ? l->name : "");
		fputs("</text>\n", f);
		snprintf(buf, sizeof(buf), "%016llx %s", (unsigned long long)l->lo, l->name);
		fprintf(f, "<text x='%.1f' y='%.1f' class='addr2'>", x0 + 8 + (i % 2) * (w / 2),
			y + 58 + (i / 2) * 12);
		xml(f, buf);
		fputs("</text>\n", f);
		x += ww;
	}
}

static void legend(FILE *f, double x0, double y, double width)
{
	static const struct { const char *fill, *name; } items[] = {
		{ "#a6dba0", "usable RAM" }, { "#c7c7c7", "reserved" }, { "#fdd49e", "ACPI" },
		{ "url(#hatch)", "lowmem (never tables)" }, { "#9ecae1", "kernel image" },
		{ "#d4b9da", "boot data" }, { "#ffd54f", "brk chunk" },
		{ "url(#holes)", "hole inside a window (not mapped)" },
	};
	double x = x0 + 8;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		fprintf(f, "<rect x='%.1f' y='%.1f' width='12' height='12' fill='%s' stroke='#555' stroke-width='0.5'/>\n",
			x, y - 10, items[i].fill);
		text(f, x + 16, y, "in", items[i].name);
		x += 16 + 7.0 * strlen(items[i].name) + 14;
		if (x > x0 + width - 200 && i + 1 < sizeof(items) / sizeof(items[0])) {
			x = x0 + 8;
			y += 18;
		}
	}
	text(f, x0 + 8, y + 18, "in",
	     "batch k: the part of the direct map it maps; bN: batch N's table pages, arrow to their batch");
	text(f, x0 + 8, y + 32, "in",
	     "(yellow hatch: from brk; +split: also pages the hook took for splits); zigzag: no map entry");
}

int svg_write(const char *path, struct run *const runs[], const struct plan *const plans[],
	      int nruns)
{
	struct scale s;
	FILE *f = fopen(path, "w");
	double width = PANEL_W * nruns, height = TOP + BAR_H + 214;

	if (!f) {
		perror(path);
		return -1;
	}
	build_scale(&s, runs, nruns);
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' viewBox='0 0 %.0f %.0f' font-family='DejaVu Sans Mono, monospace'>\n",
		width, height, width, height);
	fputs("<title>topdown: page-table setup traces</title>\n"
	      "<defs>\n"
	      "<pattern id='hatch' width='6' height='6' patternUnits='userSpaceOnUse' patternTransform='rotate(45)'>"
	      "<rect width='6' height='6' fill='#e8e0d0'/><line x1='0' y1='0' x2='0' y2='6' stroke='#a08060' stroke-width='2'/></pattern>\n"
	      "<pattern id='holes' width='5' height='5' patternUnits='userSpaceOnUse' patternTransform='rotate(-45)'>"
	      "<rect width='5' height='5' fill='#ffffff' fill-opacity='0.7'/><line x1='0' y1='0' x2='0' y2='5' stroke='#999' stroke-width='1'/></pattern>\n"
	      "<pattern id='brkhatch' width='4' height='4' patternUnits='userSpaceOnUse' patternTransform='rotate(45)'>"
	      "<line x1='0' y1='0' x2='0' y2='4' stroke='#ffd54f' stroke-width='2'/></pattern>\n"
	      "<marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' markerHeight='6' orient='auto'>"
	      "<path d='M 0 0 L 10 5 L 0 10 z' fill='#333'/></marker>\n"
	      "</defs>\n"
	      "<style>\n"
	      " .h1{font-size:14px;font-weight:bold} .h2{font-size:11px;fill:#333}\n"
	      " .col{font-size:11px;font-weight:bold;fill:#222} .addr{font-size:9px;fill:#444;text-anchor:end}\n"
	      " .addr2{font-size:9px;fill:#444} .in{font-size:10px;fill:#111} .inb{font-size:10px;font-weight:bold;fill:#111}\n"
	      " .tbl{font-size:9.5px;fill:#111} .guide{stroke:#ddd;stroke-width:0.5}\n"
	      " .good{font-size:11px;fill:#2a7a2a;font-weight:bold} .bad{font-size:11px;fill:#b00;font-weight:bold}\n"
	      " .gap{stroke:#888;stroke-width:1.2;fill:none}\n"
	      "</style>\n"
	      "<rect width='100%' height='100%' fill='white'/>\n", f);
	for (int i = 0; i < nruns; i++) {
		double x0 = i * PANEL_W;

		if (i)
			fprintf(f, "<line x1='%.0f' y1='0' x2='%.0f' y2='%.0f' stroke='#999'/>\n", x0, x0,
				TOP + BAR_H + 100.0);
		panel(f, runs[i], plans[i], &s, x0);
		layout_strip(f, runs[i], x0, TOP + BAR_H + 44);
	}
	legend(f, 0, height - 44, width);
	fputs("</svg>\n", f);
	free(s.p);
	free(s.y);
	free(s.gap);
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}
